/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * totp.h: authenticator app codes (RFC 6238 TOTP: HMAC-SHA-1, 30 s steps,
 * 6 digits, the parameters every app supports) and the sealing of their
 * secrets for the directory: AES-256-GCM under a key only the daemon
 * reads, bound to the entry's DN.
 */
#ifndef SSPR_TOTP_H
#define SSPR_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "secret.h"

#define TOTP_SECRET_LEN	20	/* 160 bits, RFC 4226 section 4 */
#define TOTP_DIGITS	6
#define TOTP_PERIOD	30
#define TOTP_WINDOW_MAX	2
#define TOTP_BASE32_MAX	33	/* 20 bytes -> 32 characters, and a NUL */
#define TOTP_KEY_LEN	32	/* AES-256 */
#define TOTP_KEYID_LEN	8	/* hex characters */
#define TOTP_MAX_KEYS	8	/* the current key and up to 7 old ones */
#define TOTP_SEALED_MAX	128	/* "v1:" keyid ":" base64(12 + 20 + 16) */

/* totp_verify */
#define TOTP_OK		0
#define TOTP_WRONG	(-1)	/* no match, or not 6 digits */
#define TOTP_REPLAY	(-2)	/* matched a step already used */

struct totp_key {
	char		id[TOTP_KEYID_LEN + 1];
	unsigned char	key[TOTP_KEY_LEN];
};

/* k[0] seals; every key opens. */
struct totp_keyring {
	int		n;
	struct totp_key	k[TOTP_MAX_KEYS];
};

int	totp_secret_new(struct secret *);
int	totp_base32(const struct secret *, char *, size_t);
int	totp_uri(const struct secret *, const char *, const char *, char *,
	    size_t);
int64_t	totp_step(time_t);
int	totp_code(const struct secret *, int64_t, char *, size_t);
int	totp_verify(const struct secret *, const struct secret *, time_t, int,
	    int64_t, int64_t *);

int	totp_key_load(const char *, struct totp_key *, char *, size_t);
int	totp_keyring_load(struct totp_keyring *, const char *,
	    const char *const *, int, char *, size_t);
void	totp_keyring_wipe(struct totp_keyring *);
int	totp_seal(const struct totp_keyring *, const char *,
	    const struct secret *, char *, size_t);
int	totp_open(const struct totp_keyring *, const char *, const char *,
	    struct secret *, int *);

#endif
