/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * code.c: generation, hashing and comparison of one-time codes.  The
 * plain code exists only long enough to be put into the mail.
 *
 * Statics: code_key* under code_key_lock, tag_* under tag_lock; any thread.
 * hmac_tmpl, sha256_md, hmac_once: set once (pthread_once), read-only
 * after.
 */
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "code.h"

static unsigned char	code_key[CODE_KEY_LEN];
static pthread_mutex_t	code_key_lock = PTHREAD_MUTEX_INITIALIZER;
static int		code_key_ok;

/*
 * HMAC-SHA-256 from a context made once with its digest and copied for
 * each use: OpenSSL 3's HMAC() looks up the MAC and the digest by name
 * and builds two contexts every time (2.1 us a call here, against 1.2).
 * The copy holds the key only until it is freed, which wipes it.
 */
static EVP_MAC_CTX	*hmac_tmpl;
static EVP_MD		*sha256_md;	/* SHA256() looks it up each time */
static pthread_once_t	 hmac_once = PTHREAD_ONCE_INIT;

static void
hmac_tmpl_init(void)
{
	OSSL_PARAM p[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
		    (char *)"SHA256", 0),
		OSSL_PARAM_construct_end()
	};
	EVP_MAC *mac;

	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return;
	hmac_tmpl = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);	/* the context keeps its own reference */
	if (hmac_tmpl != NULL && EVP_MAC_CTX_set_params(hmac_tmpl, p) != 1) {
		EVP_MAC_CTX_free(hmac_tmpl);
		hmac_tmpl = NULL;
	}
}

static int
hmac_sha256(const unsigned char *key, size_t klen, const unsigned char *msg,
    size_t len, unsigned char out[CODE_HASH_LEN])
{
	EVP_MAC_CTX *c;
	size_t outlen = 0;
	int ok;

	pthread_once(&hmac_once, hmac_tmpl_init);
	if (hmac_tmpl == NULL || (c = EVP_MAC_CTX_dup(hmac_tmpl)) == NULL)
		return -1;
	ok = EVP_MAC_init(c, key, klen, NULL) == 1 &&
	    EVP_MAC_update(c, msg, len) == 1 &&
	    EVP_MAC_final(c, out, &outlen, CODE_HASH_LEN) == 1 &&
	    outlen == CODE_HASH_LEN;
	EVP_MAC_CTX_free(c);
	return ok ? 0 : -1;
}

/*
 * A fresh key per daemon run: codes never survive a restart.  Made for
 * the first code rather than at start (OpenSSL's random generator, set up
 * by it, is memory an idle daemon does without); if the generator fails,
 * the next code tries again.
 */
static int
code_key_ready(void)
{
	int ok;

	pthread_mutex_lock(&code_key_lock);
	if (!code_key_ok) {
		(void)mlock(code_key, sizeof(code_key));
		code_key_ok = RAND_bytes(code_key, sizeof(code_key)) == 1;
	}
	ok = code_key_ok;
	pthread_mutex_unlock(&code_key_lock);
	return ok;
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
	int i, r;

	if (code->len > CODE_DIGITS_MAX || !code_key_ready())
		return -1;
	for (i = 0; i < 8; i++)
		msg[i] = (unsigned char)(flow_id >> (56 - 8 * i));
	memcpy(msg + 8, code->buf, code->len);
	r = hmac_sha256(code_key, sizeof(code_key), msg, 8 + code->len, out);
	explicit_bzero(msg, sizeof(msg));
	return r;
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

#define TAG_KDF_ROUNDS	600000	/* PBKDF2-HMAC-SHA-256: ~0.15 s, once */

static pthread_mutex_t	tag_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char	tag_key[32];
static unsigned char	tag_of[32];	/* SHA-256 of the secret it is from */
static int		tag_have;

/*
 * The key of the tags: PBKDF2 of the site secret, made once per secret.
 * Tags are shown to whoever asks (the fake masked address of a name
 * nobody has) and written to logs; keyed with the secret itself, each
 * would let anyone test guesses of it offline at the speed of HMAC.
 */
static int
tag_key_for(const struct secret *site, unsigned char *key)
{
	static const char salt[] = "sspr tag key v1";
	unsigned char id[SHA256_DIGEST_LENGTH];
	int r = 0;

	pthread_once(&hmac_once, hmac_tmpl_init);
	if (sha256_md == NULL || EVP_Digest(site->buf, site->len, id, NULL,
	    sha256_md, NULL) != 1)
		return -1;
	pthread_mutex_lock(&tag_lock);
	if (!tag_have || CRYPTO_memcmp(id, tag_of, sizeof(id)) != 0) {
		(void)mlock(tag_key, sizeof(tag_key));
		tag_have = PKCS5_PBKDF2_HMAC((const char *)site->buf,
		    (int)site->len, (const unsigned char *)salt,
		    (int)sizeof(salt) - 1, TAG_KDF_ROUNDS, EVP_sha256(),
		    (int)sizeof(tag_key), tag_key) == 1;
		memcpy(tag_of, id, sizeof(id));
	}
	if (tag_have)
		memcpy(key, tag_key, sizeof(tag_key));
	else
		r = -1;
	pthread_mutex_unlock(&tag_lock);
	explicit_bzero(id, sizeof(id));
	return r;
}

/*
 * HMAC-SHA-256(tag key, label || 0 || data): a stable tag, for where the
 * same input must always give the same harmless output (the fake masked
 * address of an unknown user, a user name in logs).  The key comes from a
 * long-lived site secret such as the bind password, so the tag is the
 * same on every host and after a restart.
 */
int
code_tag(const struct secret *site, const char *label, const char *data,
    unsigned char *out)
{
	unsigned char buf[64 + 1 + 1024], key[32];
	size_t ll = strlen(label), dl = strlen(data);
	int r;

	if (ll > 64 || dl > 1024 || tag_key_for(site, key) != 0)
		return -1;
	memcpy(buf, label, ll);
	buf[ll] = 0;
	memcpy(buf + ll + 1, data, dl);
	r = hmac_sha256(key, sizeof(key), buf, ll + 1 + dl, out);
	explicit_bzero(buf, sizeof(buf));
	explicit_bzero(key, sizeof(key));
	return r;
}
