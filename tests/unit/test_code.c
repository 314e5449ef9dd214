/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of sspr-helperd/code.c: generation, hashing, comparison. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "code.h"

static void
test_generate_digits(void **state)
{
	struct secret c;
	size_t i;
	int n;

	(void)state;
	for (n = 6; n <= 10; n++) {
		assert_int_equal(code_generate(n, &c), 0);
		assert_int_equal(c.len, (size_t)n);
		for (i = 0; i < c.len; i++)
			assert_true(c.buf[i] >= '0' && c.buf[i] <= '9');
	}
	assert_int_equal(code_generate(0, &c), -1);
	assert_int_equal(code_generate(11, &c), -1);
}

/*
 * Each digit position is uniform: over 200,000 digits the chi-square
 * statistic with 9 degrees of freedom stays below 27.88 (p = 0.001).
 */
static void
test_uniform(void **state)
{
	long counts[10] = { 0 };
	struct secret c;
	double chi = 0, expect;
	int i, k;

	(void)state;
	for (i = 0; i < 25000; i++) {
		assert_int_equal(code_generate(8, &c), 0);
		for (k = 0; k < 8; k++)
			counts[c.buf[k] - '0']++;
	}
	expect = 25000.0 * 8 / 10;
	for (k = 0; k < 10; k++)
		chi += (counts[k] - expect) * (counts[k] - expect) / expect;
	assert_true(chi < 27.88);
}

static void
test_hash_binds_flow(void **state)
{
	unsigned char a[CODE_HASH_LEN], b[CODE_HASH_LEN], c[CODE_HASH_LEN];
	struct secret code;

	(void)state;
	secret_set(&code, "12345678", 8);
	assert_int_equal(code_hash(1, &code, a), 0);
	assert_int_equal(code_hash(1, &code, b), 0);
	assert_int_equal(code_hash(2, &code, c), 0);
	assert_true(code_hash_equal(a, b));
	assert_false(code_hash_equal(a, c));
	secret_set(&code, "12345679", 8);
	assert_int_equal(code_hash(1, &code, c), 0);
	assert_false(code_hash_equal(a, c));
}

static void
test_normalize(void **state)
{
	static const struct { const char *in; int ok; const char *out; } t[] = {
		{ "12345678", 1, "12345678" },
		{ "1234 5678", 1, "12345678" },
		{ " 1234-5678 ", 1, "12345678" },
		{ "1234567", 0, NULL },
		{ "123456789", 0, NULL },
		{ "1234567a", 0, NULL },
		{ "\xef\xbc\x91" "2345678", 0, NULL },	/* full-width 1 */
		{ "", 0, NULL },
	};
	struct secret in, out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		secret_set(&in, t[i].in, strlen(t[i].in));
		if (!t[i].ok) {
			assert_int_equal(code_normalize(&in, 8, &out), -1);
			assert_int_equal(out.len, 0);
			continue;
		}
		assert_int_equal(code_normalize(&in, 8, &out), 0);
		assert_string_equal(secret_str(&out), t[i].out);
	}
}

static void
test_tag_is_stable(void **state)
{
	unsigned char a[CODE_HASH_LEN], b[CODE_HASH_LEN], c[CODE_HASH_LEN];
	struct secret key;

	(void)state;
	secret_set(&key, "k", 1);
	assert_int_equal(code_tag(&key, "mask", "bob", a), 0);
	assert_int_equal(code_tag(&key, "mask", "bob", b), 0);
	assert_int_equal(code_tag(&key, "log", "bob", c), 0);
	assert_memory_equal(a, b, CODE_HASH_LEN);
	assert_memory_not_equal(a, c, CODE_HASH_LEN);
}

/*
 * The same tag on every host and version of a fleet: HMAC-SHA-256 keyed
 * with PBKDF2-HMAC-SHA-256(secret, "sspr tag key v1", 600000), of
 * "mask" 0 "bob", as Python's hashlib and hmac compute it.
 */
static void
test_tag_known_answer(void **state)
{
	static const unsigned char want[CODE_HASH_LEN] = {
		0x0e, 0x6a, 0xbf, 0x7d, 0x71, 0x98, 0x94, 0xc9,
		0x26, 0x9f, 0x2d, 0x92, 0xe4, 0x55, 0x1c, 0xab,
		0x7d, 0x6b, 0xbf, 0xdd, 0x8d, 0xb5, 0x01, 0xe1,
		0x7c, 0xc7, 0x11, 0x3c, 0x26, 0x62, 0xe3, 0x31
	};
	unsigned char t[CODE_HASH_LEN];
	struct secret key;

	(void)state;
	secret_set(&key, "k", 1);
	assert_int_equal(code_tag(&key, "mask", "bob", t), 0);
	assert_memory_equal(t, want, CODE_HASH_LEN);
}

/*
 * Tags are public (a fake masked address) and must not be an HMAC keyed
 * with the site secret itself, which would let anyone test guesses of
 * the bind password offline; another secret gives other tags.
 */
static void
test_tag_key_is_derived(void **state)
{
	static const unsigned char msg[] = "mask\0bob";
	unsigned char t[CODE_HASH_LEN], fast[CODE_HASH_LEN], o[CODE_HASH_LEN];
	unsigned int n = 0;
	struct secret key;

	(void)state;
	secret_set(&key, "k", 1);
	assert_int_equal(code_tag(&key, "mask", "bob", t), 0);
	assert_non_null(HMAC(EVP_sha256(), "k", 1, msg, sizeof(msg) - 1,
	    fast, &n));
	assert_memory_not_equal(t, fast, CODE_HASH_LEN);
	secret_set(&key, "other", 5);
	assert_int_equal(code_tag(&key, "mask", "bob", o), 0);
	assert_memory_not_equal(t, o, CODE_HASH_LEN);
	secret_set(&key, "k", 1);
	assert_int_equal(code_tag(&key, "mask", "bob", o), 0);
	assert_memory_equal(t, o, CODE_HASH_LEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate_digits),
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_hash_binds_flow),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_tag_is_stable),
		cmocka_unit_test(test_tag_known_answer),
		cmocka_unit_test(test_tag_key_is_derived),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
