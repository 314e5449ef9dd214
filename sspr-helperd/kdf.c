/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kdf.c: scrypt through OpenSSL's EVP_KDF, the one derivation behind the
 * security answers (answers.c), the helpdesk pass (pass.c) and the
 * recovery codes (rcodes.c), and the reading of the base64 their stored
 * values carry.  Pure: no state, any thread.
 */
#include <stdint.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "kdf.h"

/* The most a stored value may ask for: N up to 2^20, 256 MiB. */
#define LN_MIN		10
#define LN_MAX		20
#define R_MAX		32
#define P_MAX		16
#define MEM_MAX		(256UL * 1024 * 1024)

/*
 * Is scrypt (N = 2^ln, r, p) within what this host will spend, with at
 * most p_max lanes?  A value someone else wrote must not make it
 * allocate gigabytes.
 */
int
kdf_params_ok(int ln, int r, int p, int p_max)
{
	return ln >= LN_MIN && ln <= LN_MAX && r >= 1 && r <= R_MAX &&
	    p >= 1 && p <= p_max && p <= P_MAX &&
	    128UL * (unsigned long)r * (1UL << ln) <= MEM_MAX;
}

/*
 * outlen bytes of scrypt (N = 2^ln, r, p) of pw with salt into out; 0,
 * or -1 with out zeroed (parameters past kdf_params_ok included).
 * maxmem is what those parameters need and a little more, so that
 * OpenSSL's 32 MiB default does not refuse them.
 */
int
kdf_scrypt(const void *pw, size_t pwlen, const unsigned char *salt,
    size_t saltlen, int ln, int r, int p, unsigned char *out, size_t outlen)
{
	uint64_t n, maxmem;
	uint32_t r32 = (uint32_t)r, p32 = (uint32_t)p;
	OSSL_PARAM prm[7], *q = prm;
	EVP_KDF *kdf;
	EVP_KDF_CTX *ctx = NULL;
	int ok = 0;

	if (!kdf_params_ok(ln, r, p, P_MAX) ||
	    (kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL)) == NULL) {
		explicit_bzero(out, outlen);
		return -1;
	}
	n = (uint64_t)1 << ln;
	maxmem = 128 * (uint64_t)r32 * (n + (uint64_t)p32) + 1024 * 1024;
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD,
	    (void *)pw, pwlen);
	*q++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
	    (void *)salt, saltlen);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r32);
	*q++ = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p32);
	*q++ = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM,
	    &maxmem);
	*q = OSSL_PARAM_construct_end();
	if ((ctx = EVP_KDF_CTX_new(kdf)) != NULL &&
	    EVP_KDF_derive(ctx, out, outlen, prm) == 1)
		ok = 1;
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	if (!ok)
		explicit_bzero(out, outlen);
	return ok ? 0 : -1;
}

/*
 * Decodes exactly want bytes of padded base64 from s (len characters, no
 * more and no less: a stored value read from the directory is hostile).
 */
int
kdf_b64_exact(const char *s, size_t len, unsigned char *out, size_t want)
{
	unsigned char buf[64];
	int n;

	if (len < 4 || len != 4 * ((want + 2) / 3) || len / 4 * 3 >
	    sizeof(buf) || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789+/=") < len)
		return -1;
	n = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)len);
	if (n < 0)
		return -1;
	n -= (s[len - 1] == '=') + (s[len - 2] == '=');
	if ((size_t)n != want)
		return -1;
	memcpy(out, buf, want);
	return 0;
}
