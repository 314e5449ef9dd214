/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * answers.c: normalization, hashing (OpenSSL's scrypt KDF) and
 * constant-time checking of security question answers.  Any thread (the
 * loop normalizes, workers hash and check); no file-scope state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "answers.h"
#include "kdf.h"

/* What a stored hash may ask for: kdf.c's most, 16 lanes. */
#define P_MAX		16

/* Length of the UTF-8 sequence at p (n bytes left), 0 if malformed. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	size_t len, i;
	unsigned long cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	if (cp >= 0x80 && cp <= 0x9f)	/* C1 controls */
		return 0;
	return len;
}

/*
 * "  The  Blue   Whale " -> "the blue whale": leading and trailing
 * spaces go, runs of spaces become one, A-Z become a-z; everything else
 * (accents, other scripts) stays as typed.  Refused (-1, out empty):
 * control characters (tabs included), malformed UTF-8, nothing left,
 * more than ANSWER_MAX bytes, fewer than min_chars characters.
 */
int
answer_normalize(const struct secret *in, int min_chars, struct secret *out)
{
	size_t i = 0, len;
	int chars = 0, space = 0;

	secret_wipe(out);
	while (i < in->len) {
		unsigned char c = in->buf[i];

		if (c == ' ') {
			space = out->len > 0;
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f ||
		    (len = utf8_len(in->buf + i, in->len - i)) == 0)
			goto bad;
		if (out->len + space + len > ANSWER_MAX)
			goto bad;
		if (space)
			out->buf[out->len++] = ' ', chars++;
		space = 0;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		out->buf[out->len++] = c;
		memcpy(out->buf + out->len, in->buf + i + 1, len - 1);
		out->len += len - 1;
		chars++;
		i += len;
	}
	if (out->len == 0 || chars < min_chars)
		goto bad;
	out->buf[out->len] = '\0';
	return 0;
bad:
	secret_wipe(out);
	return -1;
}

static int
params_ok(const struct answer_params *p)
{
	return kdf_params_ok(p->ln, p->r, p->p, P_MAX);
}

static int
scrypt(const struct secret *a, const unsigned char *salt,
    const struct answer_params *p, unsigned char *out)
{
	return kdf_scrypt(a->buf, a->len, salt, ANSWER_SALT_LEN, p->ln, p->r,
	    p->p, out, ANSWER_HASH_LEN);
}

/* A normalized answer -> "$scrypt$ln=..,r=..,p=..$SALT$HASH". */
int
answer_hash(const struct secret *a, const struct answer_params *p, char *out,
    size_t size)
{
	unsigned char salt[ANSWER_SALT_LEN], h[ANSWER_HASH_LEN];
	char s64[4 * ((ANSWER_SALT_LEN + 2) / 3) + 1];
	char h64[4 * ((ANSWER_HASH_LEN + 2) / 3) + 1];
	int n, r = -1;

	if (!params_ok(p) || a->len == 0 || a->len > ANSWER_MAX)
		return -1;
	if (RAND_bytes(salt, sizeof(salt)) != 1 || scrypt(a, salt, p, h) != 0)
		goto out;
	EVP_EncodeBlock((unsigned char *)s64, salt, sizeof(salt));
	EVP_EncodeBlock((unsigned char *)h64, h, sizeof(h));
	n = snprintf(out, size, "$scrypt$ln=%d,r=%d,p=%d$%s$%s", p->ln, p->r,
	    p->p, s64, h64);
	if (n > 0 && (size_t)n < size)
		r = 0;
out:
	explicit_bzero(h, sizeof(h));
	return r;
}

/*
 * Reads a stored hash; the parameters must be within what this daemon is
 * willing to spend (a value written into the directory by someone else
 * must not make it allocate gigabytes).
 */
int
answer_parse(const char *stored, struct answer_params *p, unsigned char *salt,
    unsigned char *hash)
{
	const char *s, *h;
	char canon[64];
	int used = 0;

	if (strncmp(stored, "$scrypt$", 8) != 0 || strlen(stored) >
	    ANSWER_STORED_MAX ||
	    sscanf(stored + 8, "ln=%d,r=%d,p=%d$%n", &p->ln, &p->r, &p->p,
	    &used) != 3 || used == 0 || !params_ok(p))
		return -1;
	s = stored + 8 + used;
	if ((h = strchr(s, '$')) == NULL ||
	    kdf_b64_exact(s, (size_t)(h - s), salt, ANSWER_SALT_LEN) != 0 ||
	    kdf_b64_exact(h + 1, strlen(h + 1), hash, ANSWER_HASH_LEN) != 0)
		return -1;
	/* the canonical form only: digits as printed, no signs or zeros */
	snprintf(canon, sizeof(canon), "ln=%d,r=%d,p=%d$", p->ln, p->r, p->p);
	if ((size_t)used != strlen(canon) ||
	    strncmp(stored + 8, canon, strlen(canon)) != 0)
		return -1;
	return 0;
}

/*
 * 1 when the typed answer, normalized, matches the stored hash; 0 when
 * it does not (or cannot be an answer at all); -1 when the stored text
 * is not a hash this daemon accepts.
 */
int
answer_verify(const struct secret *typed, const char *stored)
{
	struct answer_params p;
	unsigned char salt[ANSWER_SALT_LEN], want[ANSWER_HASH_LEN];
	unsigned char got[ANSWER_HASH_LEN];
	struct secret norm;
	int valid, r;

	if (answer_parse(stored, &p, salt, want) != 0)
		return -1;
	/* what cannot be an answer costs the same work, then is "no" */
	valid = answer_normalize(typed, 1, &norm) == 0;
	if (!valid)
		secret_set(&norm, "\0", 1);
	if (scrypt(&norm, salt, &p, got) != 0)
		r = -1;
	else
		r = (CRYPTO_memcmp(got, want, ANSWER_HASH_LEN) == 0) & valid;
	secret_wipe(&norm);
	explicit_bzero(got, sizeof(got));
	return r;
}

/*
 * The question number of a stored answer ("N:$scrypt$..."), or 0.  The
 * value is the directory's: digits right up to the ':', nothing atoi
 * would take ("+1:", " 1:", "1x:", a number past INT_MAX).
 */
int
answer_number(const char *v, int nquestions)
{
	int n = 0;

	for (; *v >= '0' && *v <= '9'; v++)
		if ((n = n * 10 + (*v - '0')) > nquestions)
			return 0;
	return *v == ':' && n >= 1 ? n : 0;
}
