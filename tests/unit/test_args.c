/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of pam_sspr/args.c: module arguments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

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
	assert_false(a.ask_new);
	assert_string_equal(a.conf, "/etc/security/pam_sspr.conf");
	assert_false(a.conf_given);
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
	    "verify_first=yes", "use_authtok=1", "register=0", "register",
	    "ask_new=yes", "conf=relative" };
	struct sspr_args a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		args_parse(&a, 1, &bad[i]);
		assert_non_null(a.bad);
		assert_string_equal(a.bad, bad[i]);
	}
}

/* args_conf on TEXT for SERVICE, as pam_sspr.c calls it (file, then line) */
static int
conf(struct sspr_args *a, const char *text, const char *service, int argc,
    const char **argv)
{
	int r;

	args_init(a, argc, argv);
	assert_true(strlen(text) <= SSPR_CONF_MAX);
	strcpy(a->text, text);
	r = args_conf(a, service);
	args_argv(a, argc, argv);
	return r;
}

static void
test_conf_file(void **state)
{
	const char *text =
	    "# pam_sspr.conf\n"
	    "\n"
	    "handoff\n"
	    "  helpdesk = Call the service desk on 555-0100  \n"
	    "timeout=30\n"
	    "\t# an indented comment\n"
	    "lang = nl_NL.UTF-8\n"
	    "[sshd]\n"
	    "timeout = 120\n"
	    "register=no\n"
	    "[login]\n"
	    "debug";
	struct sspr_args a;

	(void)state;
	assert_int_equal(conf(&a, text, "login", 0, NULL), 0);
	assert_null(a.bad);
	assert_true(a.handoff);
	assert_string_equal(a.helpdesk, "Call the service desk on 555-0100");
	assert_string_equal(a.lang, "nl_NL.UTF-8");
	assert_int_equal(a.timeout, 30);
	assert_false(a.no_register);
	assert_true(a.debug);	/* the last line, without a newline */

	assert_int_equal(conf(&a, text, "sshd", 0, NULL), 0);
	assert_int_equal(a.timeout, 120);
	assert_true(a.no_register);
	assert_false(a.debug);

	/* no service known: the sections are for nobody */
	assert_int_equal(conf(&a, text, NULL, 0, NULL), 0);
	assert_int_equal(a.timeout, 30);
	assert_false(a.debug);
}

static void
test_module_line_wins(void **state)
{
	const char *argv[] = { "timeout=45", "helpdesk=On the line",
	    "conf=/tmp/t.conf" };
	struct sspr_args a;

	(void)state;
	assert_int_equal(conf(&a, "timeout = 60\nhelpdesk=In the file\n"
	    "handoff\n", "sshd", 3, argv), 0);
	assert_int_equal(a.timeout, 45);
	assert_string_equal(a.helpdesk, "On the line");
	assert_true(a.handoff);
	assert_string_equal(a.conf, "/tmp/t.conf");
	assert_true(a.conf_given);
	assert_null(a.bad);
}

static void
test_conf_bad(void **state)
{
	static const struct {
		const char	*text;
		const char	*bad;
		int		 line;
	} cases[] = {
		{ "handoff\nsokcet=/x\n", "sokcet=/x", 2 },
		{ "# c\n[sshd]\ntimeout = 2\n", "timeout=2", 3 },
		/* another service's typo is found too */
		{ "[login]\nhandof\n", "handof", 2 },
		{ "conf=/etc/other\n", "conf=/etc/other", 1 },
		{ "[ss hd]\n", "[ss hd]", 1 },
		{ "[]\n", "[]", 1 },
		{ "[sshd\n", "[sshd", 1 },
		{ "helpdesk=a\rb\n", "(control character)", 1 },
		{ "helpdesk=a\033[2Jb\n", "(control character)", 1 },
		{ "handoff\nhandoff\x7f\n", "(control character)", 2 },
	};
	struct sspr_args a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(conf(&a, cases[i].text, "sshd", 0, NULL), -1);
		assert_non_null(a.bad);
		assert_string_equal(a.bad, cases[i].bad);
		assert_int_equal(a.bad_line, cases[i].line);
	}
}

static void
test_conf_bounds(void **state)
{
	char text[SSPR_CONF_MAX + 1];
	struct sspr_args a;
	size_t n;
	int i;

	(void)state;
	/* a line of SSPR_CONF_LINE bytes is fine, one more is not */
	n = (size_t)snprintf(text, sizeof(text), "helpdesk=");
	memset(text + n, 'x', SSPR_CONF_LINE - n);
	text[SSPR_CONF_LINE] = '\0';
	assert_int_equal(conf(&a, text, "sshd", 0, NULL), 0);
	assert_int_equal(strlen(a.helpdesk), SSPR_CONF_LINE - n);
	memset(text + n, 'x', SSPR_CONF_LINE + 1 - n);
	text[SSPR_CONF_LINE + 1] = '\0';
	assert_int_equal(conf(&a, text, "sshd", 0, NULL), -1);
	assert_string_equal(a.bad, "(line too long)");

	/* SSPR_CONF_WORDS settings, then one more */
	text[0] = '\0';
	for (i = 0, n = 0; i < SSPR_CONF_WORDS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "debug\n");
	assert_int_equal(conf(&a, text, "sshd", 0, NULL), 0);
	(void)snprintf(text + n, sizeof(text) - n, "# a comment\nhandoff\n");
	assert_int_equal(conf(&a, text, "sshd", 0, NULL), -1);
	assert_string_equal(a.bad, "(too many settings)");
	assert_int_equal(a.bad_line, SSPR_CONF_WORDS + 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all),
		cmocka_unit_test(test_bad_arguments_are_remembered),
		cmocka_unit_test(test_conf_file),
		cmocka_unit_test(test_module_line_wins),
		cmocka_unit_test(test_conf_bad),
		cmocka_unit_test(test_conf_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
