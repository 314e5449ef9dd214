/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of pam_sspr/args.c: module arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "args.h"

static void
test_defaults(void **state)
{
	struct sspr_args a;

	(void)state;
	args_parse(&a, 0, NULL);
	assert_string_equal(a.socket, "/run/sspr/helperd.sock");
	assert_string_equal(a.daemon_user, "_sspr");
	assert_int_equal(a.timeout, 90);
	assert_false(a.debug);
	assert_false(a.handoff);
	assert_null(a.helpdesk);
	assert_false(a.reset_only);
	assert_false(a.verify_first);
	assert_false(a.use_authtok);
	assert_false(a.no_register);
	assert_null(a.lang);
	assert_null(a.bad);
}

static void
test_all(void **state)
{
	const char *argv[] = { "debug", "handoff", "socket=/tmp/s.sock",
	    "daemon_user=sspr", "timeout=30",
	    "helpdesk=Call the service desk on 555-0100", "reset_only",
	    "lang=nl_NL.UTF-8", "verify_first", "use_authtok", "register=no" };
	struct sspr_args a;

	(void)state;
	args_parse(&a, 11, argv);
	assert_true(a.no_register);
	assert_true(a.reset_only);
	assert_true(a.verify_first);
	assert_true(a.use_authtok);
	assert_string_equal(a.lang, "nl_NL.UTF-8");
	assert_true(a.debug);
	assert_true(a.handoff);
	assert_string_equal(a.socket, "/tmp/s.sock");
	assert_string_equal(a.daemon_user, "sspr");
	assert_int_equal(a.timeout, 30);
	assert_string_equal(a.helpdesk, "Call the service desk on 555-0100");
	assert_null(a.bad);
}

static void
test_bad_arguments_are_remembered(void **state)
{
	const char *bad[] = { "sokcet=/x", "socket=relative", "timeout=2",
	    "timeout=abc", "timeout=99999", "daemon_user=", "use_first_pass",
	    "lang=", "lang=../../etc/x", "lang=nl/NL", "lang=.hidden",
	    "lang=abcdefghijklmnopqrstuvwxyz_0123456789", "reset_only=1",
	    "verify_first=yes", "use_authtok=1", "register=0", "register" };
	struct sspr_args a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		args_parse(&a, 1, &bad[i]);
		assert_non_null(a.bad);
		assert_string_equal(a.bad, bad[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_bad_arguments_are_remembered),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
