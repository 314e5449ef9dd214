/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pass.h: the helpdesk's one-time pass.  ssprctl pass issue makes one for
 * an account after the helpdesk has checked who is asking by its own
 * means; the person types it once, at a login, within its lifetime.
 *
 * The pass is 15 symbols of a 31-letter alphabet with nothing two people
 * could read alike (no 0/O, 1/I/L), in three groups: 3K7PX-QM2RT-9WCHD,
 * about 74 bits from RAND_bytes.  Typed in any case, with or without the
 * dashes and spaces.  The entry keeps only a slow hash of it, with its
 * expiry and who issued it, in the single value of ssprHelpdeskPass:
 *
 *	v1$scrypt$LN$R$P$SALT$HASH$EXPIRY$ISSUER
 *
 * scrypt with N = 2^LN (OpenSSL's KDF), SALT 16 and HASH 32 bytes in
 * padded base64, EXPIRY unix seconds, ISSUER the DN the issuer bound as
 * (the rest of the value: a DN may hold '$').  A new pass replaces the
 * old one.  Single use is the directory's: whoever accepts a pass deletes
 * that very value (an LDAP delete of the value, which only one of several
 * hosts can win) and counts it only when the delete succeeded.
 */
#ifndef SSPR_PASS_H
#define SSPR_PASS_H

#include <stddef.h>

#include "secret.h"

#define PASS_SYMBOLS	15
#define PASS_GROUP	5
#define PASS_TEXT_MAX	(PASS_SYMBOLS + PASS_SYMBOLS / PASS_GROUP)	/* with NUL */
#define PASS_SALT_LEN	16
#define PASS_HASH_LEN	32
#define PASS_ISSUER_MAX	512
#define PASS_STORED_MAX	(128 + PASS_ISSUER_MAX)

struct pass_info {
	int		 ln, r, p;
	unsigned char	 salt[PASS_SALT_LEN];
	unsigned char	 hash[PASS_HASH_LEN];
	long long	 expiry;
	char		 issuer[PASS_ISSUER_MAX + 1];
};

int	pass_new(char *, size_t);
int	pass_normalize(const struct secret *, struct secret *);
int	pass_store(const struct secret *, long long, const char *, char *,
	    size_t);
int	pass_parse(const char *, struct pass_info *);
int	pass_check(const char *, const struct secret *, long long);

/* The parts recovery codes (rcodes.c) share. */
int	pass_symbols_new(char *, size_t, size_t);
int	pass_symbols_normalize(const struct secret *, size_t, struct secret *);
int	pass_scrypt(const struct secret *, const unsigned char *, int, int, int,
	    unsigned char *);
int	pass_params_ok(int, int, int);
int	pass_number(const char *, size_t, long long *);

#endif
