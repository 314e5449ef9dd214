/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sspr-helperd/pass.c: the helpdesk's one-time pass, made,
 * stored as a slow hash, checked; expired, wrong and unreadable all "no".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include "pass.h"

#define ISSUER	"uid=helen,ou=people,dc=example,dc=test"

static struct secret
sec(const char *s)
{
	struct secret x;

	secret_set(&x, s, strlen(s));
	return x;
}

static void
test_new(void **state)
{
	static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
	char p[PASS_TEXT_MAX], first[PASS_TEXT_MAX], small[PASS_TEXT_MAX - 1];
	int seen[256] = { 0 }, i, j;

	(void)state;
	assert_int_equal(pass_new(small, sizeof(small)), -1);
	assert_int_equal(pass_new(first, sizeof(first)), 0);
	for (i = 0; i < 2000; i++) {
		assert_int_equal(pass_new(p, sizeof(p)), 0);
		assert_int_equal(strlen(p), 17);
		assert_int_equal(p[5], '-');
		assert_int_equal(p[11], '-');
		for (j = 0; j < 17; j++) {
			if (j == 5 || j == 11)
				continue;
			if (strchr(alphabet, p[j]) == NULL)
				fail_msg("symbol '%c' in %s", p[j], p);
			seen[(unsigned char)p[j]]++;
		}
		assert_string_not_equal(p, first);
	}
	/* every symbol turns up, none of the confusable ones ever */
	for (j = 0; alphabet[j] != '\0'; j++)
		assert_true(seen[(unsigned char)alphabet[j]] > 500);
	assert_int_equal(seen['0'] + seen['1'] + seen['O'] + seen['I'] +
	    seen['L'], 0);
}

static void
test_normalize(void **state)
{
	struct secret in, out;

	(void)state;
	in = sec("3k7px-qm2rt-9wchd");
	assert_int_equal(pass_normalize(&in, &out), 0);
	assert_string_equal(secret_str(&out), "3K7PXQM2RT9WCHD");
	in = sec(" 3K7PX QM2RT 9WCHD ");
	assert_int_equal(pass_normalize(&in, &out), 0);
	assert_string_equal(secret_str(&out), "3K7PXQM2RT9WCHD");
	in = sec("3K7PX-QM2RT-9WCH");		/* one short */
	assert_int_equal(pass_normalize(&in, &out), -1);
	assert_int_equal(out.len, 0);
	in = sec("3K7PX-QM2RT-9WCHDD");		/* one long */
	assert_int_equal(pass_normalize(&in, &out), -1);
	in = sec("3K7PX-QM2RT-9WCH0");		/* not in the alphabet */
	assert_int_equal(pass_normalize(&in, &out), -1);
	secret_set(&in, "3K7PXQM2RT9WCH\0D", 16);
	assert_int_equal(pass_normalize(&in, &out), -1);
}

static void
test_store_check(void **state)
{
	char p[PASS_TEXT_MAX], stored[PASS_STORED_MAX + 1], other[PASS_TEXT_MAX];
	struct secret text, typed;
	struct pass_info pi;
	long long now = time(NULL);

	(void)state;
	assert_int_equal(pass_new(p, sizeof(p)), 0);
	text = sec(p);
	assert_int_equal(pass_store(&text, now + 3600, ISSUER, stored,
	    sizeof(stored)), 0);
	/* a hash, its expiry and issuer; never the pass */
	assert_true(strncmp(stored, "v1$scrypt$15$8$1$", 17) == 0);
	assert_non_null(strstr(stored, ISSUER));
	assert_null(strstr(stored, p));
	assert_int_equal(pass_parse(stored, &pi), 0);
	assert_int_equal(pi.expiry, now + 3600);
	assert_string_equal(pi.issuer, ISSUER);

	assert_int_equal(pass_check(stored, &text, now), 1);
	/* as a person types it: lower case, no dashes */
	for (size_t i = 0; p[i] != '\0'; i++)
		if (p[i] >= 'A' && p[i] <= 'Z')
			p[i] = (char)(p[i] - 'A' + 'a');
	typed = sec(p);
	assert_int_equal(pass_check(stored, &typed, now), 1);
	/* wrong, expired, nothing stored, not a pass: all the same no */
	do
		assert_int_equal(pass_new(other, sizeof(other)), 0);
	while (strcasecmp(other, p) == 0);
	typed = sec(other);
	assert_int_equal(pass_check(stored, &typed, now), 0);
	assert_int_equal(pass_check(stored, &text, now + 3600), 0);
	assert_int_equal(pass_check(stored, &text, now + 7200), 0);
	assert_int_equal(pass_check(NULL, &text, now), 0);
	assert_int_equal(pass_check("", &text, now), 0);
	typed = sec("");
	assert_int_equal(pass_check(stored, &typed, now), 0);
	/* a pass for another account's value: its own hash, its own salt */
	assert_int_equal(pass_store(&typed, now + 60, ISSUER, stored,
	    sizeof(stored)), -1);
	assert_int_equal(pass_store(&text, now + 60, "", stored,
	    sizeof(stored)), -1);
	assert_int_equal(pass_store(&text, now + 60, "cn=a\nb", stored,
	    sizeof(stored)), -1);
	assert_int_equal(pass_store(&text, now + 60, ISSUER, stored, 40), -1);
}

static void
test_parse_refuses(void **state)
{
	static const char *bad[] = {
		"v2$scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$99$cn=x",
		"v1$pbkdf2$15$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$99$cn=x",
		/* costs a host will not spend */
		"v1$scrypt$21$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$99$cn=x",
		"v1$scrypt$20$32$1$AAAAAAAAAAAAAAAAAAAAAA==$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$99$cn=x",
		"v1$scrypt$15$8$5$AAAAAAAAAAAAAAAAAAAAAA==$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$99$cn=x",
		"v1$scrypt$99999999999999999999$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$99$cn=x",
		/* not canonical */
		"v1$scrypt$015$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$99$cn=x",
		"v1$scrypt$15$+8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$99$cn=x",
		/* salt, hash, expiry, issuer */
		"v1$scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAA$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$99$cn=x",
		"v1$scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==$99$cn=x",
		"v1$scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$-99$cn=x",
		"v1$scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$0$cn=x",
		"v1$scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$99$",
		"v1$scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
		    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$99",
		"", "v1", "v1$scrypt$15$8$1",
	};
	struct pass_info pi;
	size_t i;

	(void)state;
	assert_int_equal(pass_parse("v1$scrypt$15$8$1$AAAAAAAAAAAAAAAAAAAAAA==$"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$99$cn=a$b,o=x", &pi), 0);
	assert_string_equal(pi.issuer, "cn=a$b,o=x");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (pass_parse(bad[i], &pi) == 0)
			fail_msg("read: %s", bad[i]);
}

/* CPU seconds of one check: scrypt is work on this process alone. */
static double
cost(const char *stored, const struct secret *typed, long long now)
{
	clock_t t0 = clock();

	(void)pass_check(stored, typed, now);
	return (double)(clock() - t0) / CLOCKS_PER_SEC;
}

static void
test_same_work(void **state)
{
	char p[PASS_TEXT_MAX], stored[PASS_STORED_MAX + 1];
	struct secret text, junk = sec("x");
	long long now = time(NULL);
	double right, none, wrong, expired;

	(void)state;
	assert_int_equal(pass_new(p, sizeof(p)), 0);
	text = sec(p);
	assert_int_equal(pass_store(&text, now + 60, ISSUER, stored,
	    sizeof(stored)), 0);
	right = cost(stored, &text, now);
	none = cost(NULL, &text, now);
	wrong = cost(stored, &junk, now);
	expired = cost(stored, &text, now + 61);
	/* no shortcut: each does the derivation (generous under load) */
	assert_true(none > right / 3);
	assert_true(wrong > right / 3);
	assert_true(expired > right / 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new),
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_store_check),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_same_work),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
