/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of sspr-helperd/answers.c: normalization, hashing, checking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "answers.h"

/* Cheap parameters for most tests; test_default_params uses the real ones. */
static const struct answer_params cheap = { 10, 8, 1 };

static void
test_normalize(void **state)
{
	static const struct { const char *in; const char *out; } t[] = {
		{ "Blue Whale", "blue whale" },
		{ "  The  Blue   WHALE ", "the blue whale" },
		{ "x", "x" },
		{ "R\xc3\xa9sum\xc3\xa9", "r\xc3\xa9sum\xc3\xa9" },	/* é kept */
		{ "\xc3\x89T\xc3\x89", "\xc3\x89t\xc3\x89" },		/* É not folded */
		{ "Amsterdam-Noord 1", "amsterdam-noord 1" },
		{ "", NULL },
		{ "     ", NULL },
		{ "tab\there", NULL },
		{ "new\nline", NULL },
		{ "del\x7f", NULL },
		{ "c1 \xc2\x85", NULL },		/* U+0085 NEL */
		{ "bad \xc3", NULL },			/* truncated UTF-8 */
		{ "over \xc0\xaf", NULL },		/* overlong */
		{ "sur \xed\xa0\x80", NULL },		/* surrogate */
	};
	struct secret in, out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		secret_set(&in, t[i].in, strlen(t[i].in));
		if (t[i].out == NULL) {
			if (answer_normalize(&in, 1, &out) != -1)
				fail_msg("row %zu accepted: '%s'", i,
				    secret_str(&out));
			assert_int_equal(out.len, 0);
			continue;
		}
		assert_int_equal(answer_normalize(&in, 1, &out), 0);
		assert_string_equal(secret_str(&out), t[i].out);
		assert_int_equal(out.len, strlen(t[i].out));
	}
}

static void
test_lengths(void **state)
{
	char buf[300];
	struct secret in, out;

	(void)state;
	/* min_chars counts characters, not bytes */
	secret_set(&in, "ab", 2);
	assert_int_equal(answer_normalize(&in, 3, &out), -1);
	secret_set(&in, " a  b ", 6);
	assert_int_equal(answer_normalize(&in, 3, &out), 0);	/* "a b" */
	secret_set(&in, "\xc3\xa9\xc3\xa9", 4);
	assert_int_equal(answer_normalize(&in, 3, &out), -1);
	assert_int_equal(answer_normalize(&in, 2, &out), 0);
	/* 128 bytes after normalization at most; surrounding spaces do not count */
	memset(buf, 'a', 128);
	buf[128] = '\0';
	secret_set(&in, buf, 128);
	assert_int_equal(answer_normalize(&in, 1, &out), 0);
	snprintf(buf, sizeof(buf), "   %0128d   ", 0);
	secret_set(&in, buf, strlen(buf));
	assert_int_equal(answer_normalize(&in, 1, &out), 0);
	assert_int_equal(out.len, 128);
	memset(buf, 'a', 129);
	secret_set(&in, buf, 129);
	assert_int_equal(answer_normalize(&in, 1, &out), -1);
}

static void
test_hash_and_verify(void **state)
{
	struct secret a, typed;
	char h1[ANSWER_STORED_MAX], h2[ANSWER_STORED_MAX];

	(void)state;
	secret_set(&typed, "Blue Whale", 10);
	assert_int_equal(answer_normalize(&typed, 3, &a), 0);
	assert_int_equal(answer_hash(&a, &cheap, h1, sizeof(h1)), 0);
	assert_int_equal(answer_hash(&a, &cheap, h2, sizeof(h2)), 0);
	assert_string_not_equal(h1, h2);	/* a fresh salt each time */
	assert_int_equal(strncmp(h1, "$scrypt$ln=10,r=8,p=1$", 22), 0);

	secret_set(&typed, "  blue   WHALE", 14);
	assert_int_equal(answer_verify(&typed, h1), 1);
	assert_int_equal(answer_verify(&typed, h2), 1);
	secret_set(&typed, "blue whales", 11);
	assert_int_equal(answer_verify(&typed, h1), 0);
	secret_set(&typed, "bluewhale", 9);
	assert_int_equal(answer_verify(&typed, h1), 0);
	secret_set(&typed, "", 0);
	assert_int_equal(answer_verify(&typed, h1), 0);
	secret_set(&typed, "blue\twhale", 10);
	assert_int_equal(answer_verify(&typed, h1), 0);
	/* too small an output buffer */
	assert_int_equal(answer_hash(&a, &cheap, h2, 40), -1);
}

static void
test_default_params(void **state)
{
	const struct answer_params def = ANSWER_PARAMS_DEFAULT;
	struct answer_params p;
	unsigned char salt[ANSWER_SALT_LEN], hash[ANSWER_HASH_LEN];
	struct secret a;
	char h[ANSWER_STORED_MAX];

	(void)state;
	secret_set(&a, "paris", 5);
	assert_int_equal(answer_hash(&a, &def, h, sizeof(h)), 0);
	assert_int_equal(strncmp(h, "$scrypt$ln=15,r=8,p=3$", 22), 0);
	assert_int_equal(answer_parse(h, &p, salt, hash), 0);
	assert_int_equal(p.ln, 15);
	assert_int_equal(p.r, 8);
	assert_int_equal(p.p, 3);
	assert_int_equal(answer_verify(&a, h), 1);
}

/*
 * The KDF is scrypt as everyone computes it: a value made with python3's
 * hashlib.scrypt(b"paris", salt=bytes(16), n=1024, r=8, p=1, dklen=32).
 */
static void
test_known_hash(void **state)
{
	static const char h[] = "$scrypt$ln=10,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA==$"
	    "QJWHxYTpatVG1+9u6lPAVhKdY4YUoVOF+JfC+Gh78gk=";
	struct secret a;

	(void)state;
	secret_set(&a, "Paris ", 6);
	assert_int_equal(answer_verify(&a, h), 1);
	secret_set(&a, "parijs", 6);
	assert_int_equal(answer_verify(&a, h), 0);
}

static void
test_parse(void **state)
{
	struct answer_params p;
	unsigned char salt[ANSWER_SALT_LEN], hash[ANSWER_HASH_LEN];
	struct secret a;
	char h[ANSWER_STORED_MAX], bad[ANSWER_STORED_MAX + 8];
	const char *tail;
	static const char *const refused[] = {
		"",
		"$scrypt$",
		"$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
		"$scrypt$ln=9,r=8,p=1$",		/* too cheap */
		"$scrypt$ln=21,r=8,p=1$",		/* too dear */
		"$scrypt$ln=20,r=32,p=1$",		/* 2^20*32*128 > 256 MiB */
		"$scrypt$ln=15,r=8,p=17$",
		"$scrypt$ln=15,r=0,p=1$",
		"$scrypt$ln=015,r=8,p=1$",		/* not canonical */
		"$scrypt$ln=+15,r=8,p=1$",
		"$scrypt$ln= 15,r=8,p=1$",
	};
	size_t i;

	(void)state;
	secret_set(&a, "answer", 6);
	assert_int_equal(answer_hash(&a, &cheap, h, sizeof(h)), 0);
	assert_int_equal(answer_parse(h, &p, salt, hash), 0);
	assert_int_equal(p.ln, 10);
	assert_int_equal(p.r, 8);
	assert_int_equal(p.p, 1);
	tail = strchr(h + 8, '$');
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(bad, sizeof(bad), "%s%s", refused[i],
		    i >= 3 ? tail + 1 : "");
		if (answer_parse(bad, &p, salt, hash) != -1)
			fail_msg("accepted: %s", bad);
		assert_int_equal(answer_verify(&a, bad), -1);
	}
	/* salt or hash cut short, or with a character changed */
	snprintf(bad, sizeof(bad), "%.*s", (int)strlen(h) - 4, h);
	assert_int_equal(answer_parse(bad, &p, salt, hash), -1);
	snprintf(bad, sizeof(bad), "%s", h);
	/* another base64 digit, so that it still parses */
	bad[strlen(bad) - 5] = bad[strlen(bad) - 5] == 'A' ? 'B' : 'A';
	assert_int_equal(answer_parse(bad, &p, salt, hash), 0);
	assert_int_equal(answer_verify(&a, bad), 0);
	snprintf(bad, sizeof(bad), "%s$", h);
	assert_int_equal(answer_parse(bad, &p, salt, hash), -1);
}

/* A stored value's question number: digits up to the ':', in range. */
static void
test_number(void **state)
{
	static const char *const bad[] = {
		"", ":$scrypt$", "0:$scrypt$", "4:$scrypt$", "1", "1$scrypt$",
		"+1:$scrypt$", " 1:$scrypt$", "1x:$scrypt$", "-1:$scrypt$",
		"4294967297:$scrypt$", "99999999999999999999:$scrypt$",
	};
	size_t i;

	(void)state;
	assert_int_equal(answer_number("1:$scrypt$", 3), 1);
	assert_int_equal(answer_number("3:", 3), 3);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (answer_number(bad[i], 3) != 0)
			fail_msg("accepted: \"%s\"", bad[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_hash_and_verify),
		cmocka_unit_test(test_default_params),
		cmocka_unit_test(test_known_hash),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_number),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
