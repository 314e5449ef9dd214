/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rcodes.c: recovery codes (rcodes.h): a set of ten made and hashed, a
 * typed code matched against the values left, in constant time.  Pure:
 * the registration and the method table store and delete the values.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "kdf.h"
#include "rcodes.h"

/* Cheaper than a pass (one derivation per typed code, ten per set). */
#define LN	14
#define R	8
#define P	1

struct rvalue {
	int		 ln, r, p;
	unsigned char	 salt[PASS_SALT_LEN];
	unsigned char	 hash[PASS_HASH_LEN];
};

/* A stored value, canonical form only; -1 for anything else. */
static int
rvalue_parse(const char *s, struct rvalue *v)
{
	const char *f[8], *q;
	size_t len[8];
	long long n[4];
	int i;

	memset(v, 0, sizeof(*v));
	if (strlen(s) > RCODE_STORED_MAX)
		return -1;
	f[0] = s;
	for (i = 1; i < 8; i++) {
		if ((q = strchr(f[i - 1], '$')) == NULL)
			return -1;
		len[i - 1] = (size_t)(q - f[i - 1]);
		f[i] = q + 1;
	}
	len[7] = strlen(f[7]);
	if (len[0] != 2 || strncmp(f[0], "v1", 2) != 0 || len[1] != 6 ||
	    strncmp(f[1], "scrypt", 6) != 0 ||
	    pass_number(f[2], len[2], &n[0]) != 0 ||
	    pass_number(f[3], len[3], &n[1]) != 0 ||
	    pass_number(f[4], len[4], &n[2]) != 0 ||
	    pass_number(f[7], len[7], &n[3]) != 0 || n[0] > 64 ||
	    n[1] > 1024 || n[2] > 1024 || n[3] == 0)
		return -1;
	v->ln = (int)n[0];
	v->r = (int)n[1];
	v->p = (int)n[2];
	if (!pass_params_ok(v->ln, v->r, v->p) ||
	    kdf_b64_exact(f[5], len[5], v->salt, PASS_SALT_LEN) != 0 ||
	    kdf_b64_exact(f[6], len[6], v->hash, PASS_HASH_LEN) != 0) {
		explicit_bzero(v, sizeof(*v));
		return -1;
	}
	return 0;
}

void
rcode_set_wipe(struct rcode_set *s)
{
	explicit_bzero(s, sizeof(*s));
}

/*
 * Ten new codes (s->text, to show once) and their values (s->stored, to
 * write in place of every old one), named by issued.
 */
int
rcode_new_set(struct rcode_set *s, long long issued)
{
	unsigned char salt[PASS_SALT_LEN], h[PASS_HASH_LEN];
	char s64[4 * ((PASS_SALT_LEN + 2) / 3) + 1];
	char h64[4 * ((PASS_HASH_LEN + 2) / 3) + 1];
	struct secret norm, typed;
	int i, j, n;

	memset(s, 0, sizeof(*s));
	if (issued <= 0 || RAND_bytes(salt, sizeof(salt)) != 1)
		return -1;
	s->issued = issued;
	EVP_EncodeBlock((unsigned char *)s64, salt, sizeof(salt));
	for (i = 0; i < RCODE_COUNT; i++) {
		/* ten different codes: a repeat would be one code twice */
		do {
			if (pass_symbols_new(s->text[i], RCODE_TEXT_MAX,
			    RCODE_SYMBOLS) != 0)
				goto bad;
			for (j = 0; j < i; j++)
				if (strcmp(s->text[i], s->text[j]) == 0)
					break;
		} while (j < i);
		if (secret_set(&typed, s->text[i], strlen(s->text[i])) != 0 ||
		    pass_symbols_normalize(&typed, RCODE_SYMBOLS, &norm) != 0 ||
		    pass_scrypt(&norm, salt, LN, R, P, h) != 0)
			goto bad;
		EVP_EncodeBlock((unsigned char *)h64, h, sizeof(h));
		n = snprintf(s->stored[i], sizeof(s->stored[i]),
		    "v1$scrypt$%d$%d$%d$%s$%s$%lld", LN, R, P, s64, h64, issued);
		if (n < 0 || (size_t)n >= sizeof(s->stored[i]))
			goto bad;
	}
	secret_wipe(&typed);
	secret_wipe(&norm);
	explicit_bzero(h, sizeof(h));
	return 0;
bad:
	secret_wipe(&typed);
	secret_wipe(&norm);
	explicit_bzero(h, sizeof(h));
	rcode_set_wipe(s);
	return -1;
}

/*
 * Which of the n stored values the typed code is: its index, the value
 * to delete; -1 when none (no values, a code that cannot be one, a wrong
 * or used one: all the same).  One derivation per distinct salt and
 * cost among the values, at least one, and every value compared.
 */
int
rcode_match(const char *const *stored, int n, const struct secret *typed)
{
	static const unsigned char nosalt[PASS_SALT_LEN];
	struct rvalue v[RCODE_MAX_VALUES], none = { LN, R, P, { 0 }, { 0 } };
	unsigned char got[RCODE_MAX_VALUES][PASS_HASH_LEN];
	int ok[RCODE_MAX_VALUES], i, j, found = -1, valid = 1, derived = 0;
	struct secret norm;

	if (n < 0 || n > RCODE_MAX_VALUES)
		n = 0;
	if (pass_symbols_normalize(typed, RCODE_SYMBOLS, &norm) != 0) {
		valid = 0;
		secret_set(&norm, "-", 1);
	}
	for (i = 0; i < n; i++)
		ok[i] = stored[i] != NULL && rvalue_parse(stored[i], &v[i]) == 0;
	for (i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		/* the same salt and cost as an earlier value: its result */
		for (j = 0; j < i; j++)
			if (ok[j] && v[j].ln == v[i].ln && v[j].r == v[i].r &&
			    v[j].p == v[i].p && memcmp(v[j].salt, v[i].salt,
			    PASS_SALT_LEN) == 0)
				break;
		if (j < i)
			memcpy(got[i], got[j], PASS_HASH_LEN);
		else if (pass_scrypt(&norm, v[i].salt, v[i].ln, v[i].r, v[i].p,
		    got[i]) != 0)
			ok[i] = 0;
		else
			derived = 1;
	}
	/* nothing to compare with still costs what one value costs */
	if (!derived) {
		memcpy(none.salt, nosalt, sizeof(nosalt));
		(void)pass_scrypt(&norm, none.salt, none.ln, none.r, none.p,
		    got[0]);
	}
	for (i = 0; i < n; i++) {
		int eq = ok[i] && CRYPTO_memcmp(got[i], v[i].hash,
		    PASS_HASH_LEN) == 0;

		/* the first match wins, without leaving the loop early */
		found = (eq & valid & (found < 0)) ? i : found;
	}
	secret_wipe(&norm);
	explicit_bzero(got, sizeof(got));
	explicit_bzero(v, sizeof(v));
	return found;
}

/* Should the account step warn and offer a new set? */
int
rcode_low(int left)
{
	return left <= RCODE_WARN_AT;
}
