/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pass.c: the helpdesk's one-time pass (pass.h): making one, storing it
 * as a slow hash, and checking a typed one in constant time.  Pure: no
 * directory, no flow; ssprctl issues with it, the daemon's pass method
 * checks with it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "kdf.h"
#include "pass.h"

/* No 0, 1, I, L, O: what a person reads off a phone call or a note. */
static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
#define NSYM	(sizeof(alphabet) - 1)

/* The cost of a new hash (32 MiB); a stored one's lanes at most. */
#define LN_NEW		15
#define R_NEW		8
#define P_NEW		1
#define P_MAX		4

int
pass_params_ok(int ln, int r, int p)
{
	return kdf_params_ok(ln, r, p, P_MAX);
}

int
pass_scrypt(const struct secret *pw, const unsigned char *salt, int ln, int r,
    int p, unsigned char *out)
{
	return kdf_scrypt(pw->buf, pw->len, salt, PASS_SALT_LEN, ln, r, p, out,
	    PASS_HASH_LEN);
}

/*
 * nsym random symbols in groups of PASS_GROUP ("3K7PX-QM2RT-9WCHD") into
 * out.  Each symbol from one random byte, bytes that would make some
 * symbols likelier than others thrown away.
 */
int
pass_symbols_new(char *out, size_t size, size_t nsym)
{
	unsigned char rnd[64];
	size_t i, o = 0, n = 0, limit = 256 - 256 % NSYM;

	if (nsym == 0 || size < nsym + (nsym - 1) / PASS_GROUP + 1)
		return -1;
	while (n < nsym) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			explicit_bzero(out, size);
			return -1;
		}
		for (i = 0; i < sizeof(rnd) && n < nsym; i++) {
			if (rnd[i] >= limit)
				continue;
			if (n > 0 && n % PASS_GROUP == 0)
				out[o++] = '-';
			out[o++] = alphabet[rnd[i] % NSYM];
			n++;
		}
	}
	out[o] = '\0';
	explicit_bzero(rnd, sizeof(rnd));
	return 0;
}

/* A new pass, printed form, into out (at least PASS_TEXT_MAX). */
int
pass_new(char *out, size_t size)
{
	return pass_symbols_new(out, size, PASS_SYMBOLS);
}

/*
 * What was typed -> nsym symbols, upper case, without dashes or spaces.
 * -1 (out empty) when it cannot be that.
 */
int
pass_symbols_normalize(const struct secret *typed, size_t nsym,
    struct secret *out)
{
	unsigned char c;
	size_t i;

	out->len = 0;
	for (i = 0; i < typed->len; i++) {
		c = typed->buf[i];
		if (c == '-' || c == ' ')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (unsigned char)(c - 'a' + 'A');
		if (c == '\0' || strchr(alphabet, c) == NULL ||
		    out->len == nsym)
			goto bad;
		out->buf[out->len++] = c;
	}
	if (out->len != nsym)
		goto bad;
	out->buf[out->len] = '\0';
	return 0;
bad:
	secret_wipe(out);
	return -1;
}

/* What was typed -> the 15 symbols of a pass; -1 if it cannot be one. */
int
pass_normalize(const struct secret *typed, struct secret *out)
{
	return pass_symbols_normalize(typed, PASS_SYMBOLS, out);
}

/* A DN as it may stand in the value: printable ASCII, bounded. */
static int
issuer_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > PASS_ISSUER_MAX)
		return 0;
	for (; *s != '\0'; s++)
		if (*s < 0x20 || *s > 0x7e)
			return 0;
	return 1;
}

/*
 * The value of ssprHelpdeskPass for the pass text (as printed), valid
 * until expiry, issued by issuer.  -1 when out is too small or the pass
 * is not one.
 */
int
pass_store(const struct secret *text, long long expiry, const char *issuer,
    char *out, size_t size)
{
	unsigned char salt[PASS_SALT_LEN], h[PASS_HASH_LEN];
	char s64[4 * ((PASS_SALT_LEN + 2) / 3) + 1];
	char h64[4 * ((PASS_HASH_LEN + 2) / 3) + 1];
	struct secret norm;
	int n, r = -1;

	if (expiry <= 0 || !issuer_ok(issuer) ||
	    pass_normalize(text, &norm) != 0)
		return -1;
	if (RAND_bytes(salt, sizeof(salt)) != 1 ||
	    pass_scrypt(&norm, salt, LN_NEW, R_NEW, P_NEW, h) != 0)
		goto out;
	EVP_EncodeBlock((unsigned char *)s64, salt, sizeof(salt));
	EVP_EncodeBlock((unsigned char *)h64, h, sizeof(h));
	n = snprintf(out, size, "v1$scrypt$%d$%d$%d$%s$%s$%lld$%s", LN_NEW,
	    R_NEW, P_NEW, s64, h64, expiry, issuer);
	if (n > 0 && (size_t)n < size)
		r = 0;
out:
	secret_wipe(&norm);
	explicit_bzero(h, sizeof(h));
	return r;
}

/* A decimal number of at most 18 digits, no sign, no leading zero. */
int
pass_number(const char *s, size_t len, long long *out)
{
	size_t i;

	if (len == 0 || len > 18 || (s[0] == '0' && len > 1))
		return -1;
	*out = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*out = *out * 10 + (s[i] - '0');
	}
	return 0;
}

/*
 * Reads a stored value.  Its cost must be within what this host will
 * spend: a value written by someone else must not make it allocate
 * gigabytes.  -1 for anything but the canonical form.
 */
int
pass_parse(const char *stored, struct pass_info *pi)
{
	const char *f[9], *p;
	size_t len[8];
	long long v[4];
	int i;

	memset(pi, 0, sizeof(*pi));
	if (strlen(stored) > PASS_STORED_MAX)
		return -1;
	f[0] = stored;
	for (i = 1; i < 9; i++) {
		if ((p = strchr(f[i - 1], '$')) == NULL)
			return -1;
		len[i - 1] = (size_t)(p - f[i - 1]);
		f[i] = p + 1;
	}
	if (len[0] != 2 || strncmp(f[0], "v1", 2) != 0 || len[1] != 6 ||
	    strncmp(f[1], "scrypt", 6) != 0)
		return -1;
	if (pass_number(f[2], len[2], &v[0]) != 0 || pass_number(f[3], len[3],
	    &v[1]) != 0 || pass_number(f[4], len[4], &v[2]) != 0 ||
	    pass_number(f[7], len[7], &v[3]) != 0 || v[0] > 64 || v[1] > 1024 ||
	    v[2] > 1024)
		return -1;
	pi->ln = (int)v[0];
	pi->r = (int)v[1];
	pi->p = (int)v[2];
	pi->expiry = v[3];
	if (!pass_params_ok(pi->ln, pi->r, pi->p) || pi->expiry == 0 ||
	    kdf_b64_exact(f[5], len[5], pi->salt, PASS_SALT_LEN) != 0 ||
	    kdf_b64_exact(f[6], len[6], pi->hash, PASS_HASH_LEN) != 0 ||
	    !issuer_ok(f[8]))
		goto bad;
	memcpy(pi->issuer, f[8], strlen(f[8]) + 1);
	return 0;
bad:
	explicit_bzero(pi, sizeof(*pi));
	return -1;
}

/*
 * 1 when typed is the pass stored, and it has not expired at now; 0 for
 * everything else: no value, a value this host does not read, an expired
 * pass, a wrong one.  Each costs the same derivation, so neither the
 * answer nor its time tells them apart.
 */
int
pass_check(const char *stored, const struct secret *typed, long long now)
{
	static const unsigned char nosalt[PASS_SALT_LEN];
	struct pass_info pi;
	struct secret norm;
	unsigned char got[PASS_HASH_LEN];
	int valid = 1, r;

	if (stored == NULL || pass_parse(stored, &pi) != 0) {
		valid = 0;
		memset(&pi, 0, sizeof(pi));
		pi.ln = LN_NEW;
		pi.r = R_NEW;
		pi.p = P_NEW;
		memcpy(pi.salt, nosalt, sizeof(nosalt));
	}
	if (pass_normalize(typed, &norm) != 0) {
		valid = 0;
		secret_set(&norm, "-", 1);
	}
	valid &= pi.expiry > now;
	if (pass_scrypt(&norm, pi.salt, pi.ln, pi.r, pi.p, got) != 0)
		r = 0;
	else
		r = (CRYPTO_memcmp(got, pi.hash, PASS_HASH_LEN) == 0) & valid;
	secret_wipe(&norm);
	explicit_bzero(got, sizeof(got));
	explicit_bzero(&pi, sizeof(pi));
	return r;
}
