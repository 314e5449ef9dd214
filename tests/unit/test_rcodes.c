/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sspr-helperd/rcodes.c: a set of ten recovery codes made
 * and hashed with one salt; a typed code matched to the value to delete;
 * a used (deleted), wrong or old-set code: no.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "rcodes.h"

static struct secret
sec(const char *s)
{
	struct secret x;

	secret_set(&x, s, strlen(s));
	return x;
}

static void
test_new_set(void **state)
{
	static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
	struct rcode_set s;
	char salt[32];
	int i, j;

	(void)state;
	assert_int_equal(rcode_new_set(&s, 0), -1);
	assert_int_equal(rcode_new_set(&s, 1764000000), 0);
	for (i = 0; i < RCODE_COUNT; i++) {
		assert_int_equal(strlen(s.text[i]), 11);
		assert_int_equal(s.text[i][5], '-');
		for (j = 0; j < 11; j++)
			if (j != 5 && strchr(alphabet, s.text[i][j]) == NULL)
				fail_msg("symbol '%c'", s.text[i][j]);
		for (j = 0; j < i; j++)
			assert_string_not_equal(s.text[i], s.text[j]);
		/* the value is a hash with the set's issue time, not the code */
		assert_true(strncmp(s.stored[i], "v1$scrypt$14$8$1$", 17) == 0);
		assert_non_null(strstr(s.stored[i], "$1764000000"));
		assert_null(strstr(s.stored[i], s.text[i]));
	}
	/* one salt for the set: one derivation whichever code is typed */
	memcpy(salt, s.stored[0] + 17, 24);
	for (i = 1; i < RCODE_COUNT; i++)
		assert_memory_equal(s.stored[i] + 17, salt, 24);
	rcode_set_wipe(&s);
}

static void
test_match_consume(void **state)
{
	struct rcode_set s, old;
	const char *left[RCODE_COUNT];
	struct secret t;
	char lower[RCODE_TEXT_MAX];
	int i, n = RCODE_COUNT;

	(void)state;
	assert_int_equal(rcode_new_set(&s, 1764000000), 0);
	assert_int_equal(rcode_new_set(&old, 1763000000), 0);
	for (i = 0; i < n; i++)
		left[i] = s.stored[i];
	/* code 7, typed in lower case without the dash */
	for (i = 0; s.text[7][i] != '\0'; i++)
		lower[i] = s.text[7][i] >= 'A' && s.text[7][i] <= 'Z' ?
		    (char)(s.text[7][i] - 'A' + 'a') : s.text[7][i];
	lower[i] = '\0';
	memmove(lower + 5, lower + 6, strlen(lower + 6) + 1);
	t = sec(lower);
	assert_int_equal(rcode_match(left, n, &t), 7);
	/* used: its value deleted, as the directory does */
	left[7] = left[--n];
	assert_int_equal(rcode_match(left, n, &t), -1);
	/* every other one still works once, in any order */
	t = sec(s.text[0]);
	assert_int_equal(rcode_match(left, n, &t), 0);
	t = sec(s.text[9]);
	assert_int_equal(rcode_match(left, n, &t), 7);	/* moved to slot 7 */
	/* a code of an older set, a wrong one, junk, nothing stored */
	t = sec(old.text[3]);
	assert_int_equal(rcode_match(left, n, &t), -1);
	t = sec("ABCDE-FGHJK");
	assert_int_equal(rcode_match(left, n, &t), -1);
	t = sec("");
	assert_int_equal(rcode_match(left, n, &t), -1);
	t = sec(s.text[1]);
	assert_int_equal(rcode_match(NULL, 0, &t), -1);
	/* a value this host does not read is skipped, not trusted */
	left[1] = "v1$scrypt$30$8$1$x$y$1";
	assert_int_equal(rcode_match(left, n, &t), -1);
	t = sec(s.text[2]);
	assert_int_equal(rcode_match(left, n, &t), 2);
	/* a mixed entry (values of two sets): each matched with its salt */
	left[0] = old.stored[3];
	t = sec(old.text[3]);
	assert_int_equal(rcode_match(left, n, &t), 0);
	rcode_set_wipe(&s);
	rcode_set_wipe(&old);
}

static void
test_low(void **state)
{
	(void)state;
	assert_false(rcode_low(10));
	assert_false(rcode_low(3));
	assert_true(rcode_low(2));
	assert_true(rcode_low(0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_set),
		cmocka_unit_test(test_match_consume),
		cmocka_unit_test(test_low),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
