/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of sspr-helperd/log.c: field values that stay one field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"

static void
test_field(void **state)
{
	static const struct { const char *in, *out; } t[] = {
		{ "alice", "alice" },
		{ "pts/0", "pts/0" },
		{ "uid:1000", "uid:1000" },
		{ "::1", "::1" },
		{ "J\xc3\xbcrgen", "J\xc3\xbcrgen" },
		{ "", "-" },
		{ "x user=bob: password reset for uid=0",
		  "x%20user%3Dbob:%20password%20reset%20for%20uid%3D0" },
		{ "a\"b\\c%d", "a%22b%5Cc%25d" },
		{ "a\tb\x7f", "a%09b%7F" },
	};
	char buf[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_string_equal(log_field(buf, sizeof(buf), t[i].in),
		    t[i].out);
	assert_string_equal(log_field(buf, sizeof(buf), NULL), "-");
}

/* A value that does not fit is cut, visibly, and never overflows. */
static void
test_field_cut(void **state)
{
	char buf[12];

	(void)state;
	memset(buf, 'z', sizeof(buf));
	assert_string_equal(log_field(buf, 8, "abcdefghij"), "abcd...");
	assert_int_equal(buf[8], 'z');
	assert_string_equal(log_field(buf, 8, "abcdefg"), "abcdefg");
	assert_string_equal(log_field(buf, 8, "a b c d"), "a%20...");
	assert_string_equal(log_field(buf, 4, "a b"), "...");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field),
		cmocka_unit_test(test_field_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
