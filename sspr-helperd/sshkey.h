/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sshkey.h: SSH public keys as text (authorized_keys lines, the
 * directory's sshPublicKey values, the "TYPE BASE64" pairs sshd put in
 * SSH_AUTH_INFO_0) and the one question method_sshkey.c asks: is a key
 * sshd accepted one of the account's?  Keys are compared as decoded wire
 * blobs, never as text; the type is the one inside the blob.  A
 * certificate counts only through the configured CA (sshkey_cert_ok).
 * Pure: no I/O, any thread.
 */
#ifndef SSPR_SSHKEY_H
#define SSPR_SSHKEY_H

#include <stddef.h>

#define SSHKEY_BLOB_MAX		8192	/* a 16384-bit RSA key is ~2 KB */
#define SSHKEY_TYPE_MAX		64
#define SSHKEY_VALUES_MAX	32	/* directory values read per account */
#define SSHKEY_VALUE_MAX	16384	/* bytes of one directory value */
#define SSHKEY_ACCEPTED_MAX	8	/* START's keys looked at */

struct sshkey {
	char		 type[SSHKEY_TYPE_MAX];	/* from the blob */
	unsigned char	 blob[SSHKEY_BLOB_MAX];
	size_t		 len;
	int		 cert;		/* *-cert-v01@openssh.com */
};

/* "TYPE BASE64" (what follows is ignored): 0, or -1 not a key. */
int	sshkey_parse(const char *, struct sshkey *);
/*
 * An authorized_keys line (options first, a comment after, as in
 * sshd(8) "AUTHORIZED_KEYS FILE FORMAT"): 0, or -1 not a key.
 */
int	sshkey_parse_authorized(const char *, struct sshkey *);
/*
 * Is cert a user certificate that ca (an ssh-ed25519 key) signed, for
 * principal user, valid at now (unix seconds)?  1 yes, 0 no.
 */
int	sshkey_cert_ok(const struct sshkey *cert, const struct sshkey *ca,
	    const char *user, long long now);

/*
 * Does one of the keys in accepted ("TYPE BASE64" pairs separated by
 * ';', as START carries them) count: a plain key equal to one of
 * registered (authorized_keys lines, NULL-terminated), or, when ca is
 * not NULL, a certificate sshkey_cert_ok takes for user at now?  1 yes,
 * 0 no.  The first SSHKEY_ACCEPTED_MAX keys and SSHKEY_VALUES_MAX values
 * are looked at: the work on the loop thread stays bounded.
 */
int	sshkey_match(const char *accepted, char *const *registered,
	    const struct sshkey *ca, const char *user, long long now);

#endif
