/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * code.c: generation, hashing and comparison of one-time codes.  The
 * plain code exists only long enough to be put into the mail.
 */
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "code.h"

static unsigned char	code_key[CODE_KEY_LEN];
static pthread_once_t	code_key_once = PTHREAD_ONCE_INIT;
static int		code_key_ok;

/*
 * A fresh key per daemon run: codes never survive a restart.  Made for
 * the first code rather than at start: OpenSSL's random generator, set
 * up by it, is memory an idle daemon does without.
 */
static void
code_key_make(void)
{
	(void)mlock(code_key, sizeof(code_key));
	code_key_ok = RAND_bytes(code_key, sizeof(code_key)) == 1;
}

/*
 * Uniform decimal digits: a random byte is used only below 250, the
 * largest multiple of 10 that fits, so no digit is more likely than
 * another.  No code at all if the generator fails.
 */
int
code_generate(int digits, struct secret *out)
{
	unsigned char rnd[64];
	int n = 0;
	size_t i;

	secret_wipe(out);
	if (digits < 1 || digits > CODE_DIGITS_MAX)
		return -1;
	while (n < digits) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			secret_wipe(out);
			explicit_bzero(rnd, sizeof(rnd));
			return -1;
		}
		for (i = 0; i < sizeof(rnd) && n < digits; i++)
			if (rnd[i] < 250)
				out->buf[n++] = (unsigned char)('0' + rnd[i] % 10);
	}
	out->len = (size_t)n;
	explicit_bzero(rnd, sizeof(rnd));
	return 0;
}

/* The flow id binds a code to the flow that asked for it. */
int
code_hash(uint64_t flow_id, const struct secret *code, unsigned char *out)
{
	unsigned char msg[8 + CODE_DIGITS_MAX];
	unsigned int outlen = 0;
	int i;

	pthread_once(&code_key_once, code_key_make);
	if (!code_key_ok || code->len > CODE_DIGITS_MAX)
		return -1;
	for (i = 0; i < 8; i++)
		msg[i] = (unsigned char)(flow_id >> (56 - 8 * i));
	memcpy(msg + 8, code->buf, code->len);
	if (HMAC(EVP_sha256(), code_key, sizeof(code_key), msg, 8 + code->len,
	    out, &outlen) == NULL || outlen != CODE_HASH_LEN) {
		explicit_bzero(msg, sizeof(msg));
		return -1;
	}
	explicit_bzero(msg, sizeof(msg));
	return 0;
}

/*
 * What the user typed, reduced to digits: spaces and hyphens are dropped
 * (people copy "1234 5678"); anything else that is not an ASCII digit, or
 * the wrong number of digits, makes it invalid (-1), which the caller
 * counts as a wrong code.
 */
int
code_normalize(const struct secret *in, int digits, struct secret *out)
{
	size_t i;

	secret_wipe(out);
	for (i = 0; i < in->len; i++) {
		unsigned char c = in->buf[i];

		if (c == ' ' || c == '-')
			continue;
		if (c < '0' || c > '9' || out->len == (size_t)digits) {
			secret_wipe(out);
			return -1;
		}
		out->buf[out->len++] = c;
	}
	if (out->len != (size_t)digits) {
		secret_wipe(out);
		return -1;
	}
	return 0;
}

int
code_hash_equal(const unsigned char *a, const unsigned char *b)
{
	return CRYPTO_memcmp(a, b, CODE_HASH_LEN) == 0;
}

/*
 * HMAC-SHA-256(key, label || 0 || data): a stable tag, for where the same
 * input must always give the same harmless output (the fake masked
 * address of an unknown user, a user name in logs).  With a long-lived key
 * such as the bind password it is the same on every host and restart.
 */
int
code_tag(const struct secret *key, const char *label, const char *data,
    unsigned char *out)
{
	unsigned char buf[64 + 1 + 1024];
	size_t ll = strlen(label), dl = strlen(data);
	unsigned int outlen = 0;
	int r = -1;

	if (ll > 64 || dl > 1024)
		return -1;
	memcpy(buf, label, ll);
	buf[ll] = 0;
	memcpy(buf + ll + 1, data, dl);
	if (HMAC(EVP_sha256(), key->buf, (int)key->len, buf, ll + 1 + dl, out,
	    &outlen) != NULL && outlen == CODE_HASH_LEN)
		r = 0;
	explicit_bzero(buf, sizeof(buf));
	return r;
}
