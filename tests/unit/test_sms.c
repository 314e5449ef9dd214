/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sspr-helperd/sms.c without a network: phone numbers,
 * template expansion and escaping, the URL policy; and the [sms],
 * [totp], [questions] and [policy] methods keys of cfgcheck.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cfgtest.h"
#include "sms.h"

static void
test_phone(void **state)
{
	static const struct { const char *in; int ok; const char *mask; } t[] = {
		{ "+31612345678", 1, "+31*******78" },
		{ "+3161234578", 1, "+31******78" },
		{ "+12345678", 1, "+12****78" },		/* 8 digits */
		{ "+123456789012345", 1, "+12***********45" },	/* 15 */
		{ "+1234567", 0, NULL },
		{ "+1234567890123456", 0, NULL },
		{ "31612345678", 0, NULL },
		{ "+031612345678", 0, NULL },
		{ "+31 612345678", 0, NULL },
		{ "+31612345678\n", 0, NULL },
		{ "+", 0, NULL },
		{ "", 0, NULL },
	};
	char m[SMS_PHONE_MAX + 1];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(sms_phone_valid(t[i].in), t[i].ok);
		if (!t[i].ok) {
			assert_int_equal(sms_phone_mask(t[i].in, m, sizeof(m)), -1);
			continue;
		}
		assert_int_equal(sms_phone_mask(t[i].in, m, sizeof(m)), 0);
		assert_string_equal(m, t[i].mask);
	}
	assert_int_equal(sms_phone_mask("+31612345678", m, 12), -1);
}

static void
test_phone_normalize(void **state)
{
	char out[SMS_PHONE_MAX + 1];

	(void)state;
	assert_int_equal(sms_phone_normalize("+31 6 1234-5678", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "+31612345678");
	assert_int_equal(sms_phone_normalize("+1 (555) 010.0199", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "+15550100199");
	assert_int_equal(sms_phone_normalize("06 12345678", out, sizeof(out)),
	    -1);
	assert_int_equal(sms_phone_normalize("+31 6 1234 5678 ext 2", out,
	    sizeof(out)), -1);
	assert_int_equal(sms_phone_normalize("+31+612345678", out,
	    sizeof(out)), -1);
	assert_int_equal(sms_phone_normalize("+1 2345 6789 0123 4567", out,
	    sizeof(out)), -1);
}

static void
test_text(void **state)
{
	char out[200];

	(void)state;
	assert_int_equal(sms_render_text("Code {code}, {minutes} min. {x} {}",
	    "12345678", 10, out, sizeof(out)), 0);
	assert_string_equal(out, "Code 12345678, 10 min. {x} {}");
	assert_int_equal(sms_render_text("{code}{code}", "123456", 5, out, 12),
	    -1);
	assert_string_equal(out, "");
}

static void
test_expand_escaping(void **state)
{
	const char *text = "Code 1234 & \"more\"\\ 100% ok?\n\x01";
	char out[512];

	(void)state;
	/* the url: percent-encoded */
	assert_int_equal(sms_expand("https://gw/send?to={to}&msg={text}",
	    SMS_ESC_URL, "+31612345678", "a b&c=d/é", out, sizeof(out)), 0);
	assert_string_equal(out, "https://gw/send?to=%2B31612345678"
	    "&msg=a%20b%26c%3Dd%2F%C3%A9");
	/* a form body: percent-encoded, so & and = cannot add fields */
	assert_int_equal(sms_expand("to={to}&text={text}", SMS_ESC_FORM,
	    "+31612345678", "x&to=+999", out, sizeof(out)), 0);
	assert_string_equal(out, "to=%2B31612345678&text=x%26to%3D%2B999");
	/* a JSON body: string-escaped, braces of the template kept */
	assert_int_equal(sms_expand("{\"to\":\"{to}\",\"text\":\"{text}\"}",
	    SMS_ESC_JSON, "+31612345678", text, out, sizeof(out)), 0);
	assert_string_equal(out, "{\"to\":\"+31612345678\",\"text\":"
	    "\"Code 1234 & \\\"more\\\"\\\\ 100% ok?\\n\\u0001\"}");
	/* no room */
	assert_int_equal(sms_expand("{text}{text}", SMS_ESC_JSON, "", "abcdef",
	    out, 12), -1);
	assert_int_equal(sms_expand("x", 9, "", "", out, sizeof(out)), -1);
}

static void
test_url_policy(void **state)
{
	static const struct { const char *url; int insecure, ok; } t[] = {
		{ "https://sms.example.org/api", 0, 1 },
		{ "https://sms.example.org/api", 1, 1 },
		{ "http://127.0.0.1:8080/send", 1, 1 },
		{ "http://localhost/send", 1, 1 },
		{ "http://[::1]:8080/send", 1, 1 },
		{ "http://127.0.0.1:8080/send", 0, 0 },
		{ "http://sms.example.org/api", 1, 0 },
		{ "http://127.0.0.1.example.org/", 1, 0 },
		{ "http://127.0.0.1@evil.example/", 1, 0 },
		{ "http://evil.example?h=127.0.0.1", 1, 0 },
		{ "ftp://127.0.0.1/", 1, 0 },
		{ "smtp://127.0.0.1/", 1, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if ((sms_url_allowed(t[i].url, t[i].insecure, err,
		    sizeof(err)) == 0) != t[i].ok)
			fail_msg("%s (insecure %d): expected %s", t[i].url,
			    t[i].insecure, t[i].ok ? "allowed" : "refused");
}

static void
test_cfg_defaults(void **state)
{
	struct cfg *c = parse(BASE);

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->methods.n, 1);
	assert_true(cfg_method(c, "email"));
	assert_false(cfg_method(c, "sms"));
	assert_int_equal(c->totp_window, 1);
	assert_string_equal(c->totp_key_file, "/etc/sspr/totp.key");
	assert_int_equal(c->sms_method, SMS_POST);
	assert_int_equal(c->sms_timeout, 10);
	assert_int_equal(cfg_sms_escape(c->sms_content_type), SMS_ESC_FORM);
	assert_int_equal(c->questions_required, 3);
	assert_int_equal(c->min_answer_length, 3);
	cfg_unref(c);
}

static void
test_cfg_methods(void **state)
{
	struct cfg *c;

	(void)state;
	c = parse(BASE "[policy]\nmethods = email, totp sms,questions\n"
	    "methods_required = 2\n"
	    "[totp]\nissuer = Example Corp\nwindow = 2\n"
	    "old_key_files = /etc/sspr/totp.key.1 /etc/sspr/totp.key.2\n"
	    "[sms]\nurl = https://sms.example.org/v1/messages\n"
	    "content_type = application/json; charset=utf-8\n"
	    "body = {\"to\":\"{to}\",\"text\":\"{text}\"}\n"
	    "[questions]\nlist = Your first pet?; Your first street?;"
	    " Your first teacher?\n");
	if (c == NULL)
		fail_msg("%s", err);
	assert_int_equal(c->methods.n, 4);
	assert_true(cfg_method(c, "questions"));
	assert_int_equal(c->totp_window, 2);
	assert_int_equal(c->totp_old_key_files.n, 2);
	assert_int_equal(cfg_sms_escape(c->sms_content_type), SMS_ESC_JSON);
	assert_int_equal(c->questions.n, 3);
	assert_string_equal(c->questions.item[1], "Your first street?");
	cfg_unref(c);

	expect_error(BASE "[policy]\nmethods = email fax\n",
	    "test.conf:10: [policy] methods: 'fax' is not a method");
	expect_error(BASE "[policy]\nmethods = email email\n", "listed twice");
	expect_error(BASE "[policy]\nmethods = \n", "at least one method");
	expect_error(BASE "[policy]\nmethods_required = 2\n",
	    "test.conf:10: [policy] methods_required: is more than");
	expect_error(BASE "[policy]\nmethods = totp\n",
	    "test.conf: [totp] issuer: methods includes totp");
	expect_error(BASE "[totp]\nwindow = 3\n",
	    "test.conf:10: [totp] window: '3' is not a number from 0 to 2");
	expect_error(BASE "[totp]\nold_key_files = totp.old\n",
	    "test.conf:10: [totp] old_key_files: must be absolute");
	expect_error(BASE "[policy]\nmethods = questions\n",
	    "[questions] list: methods includes questions");
	expect_error(BASE "[policy]\nmethods = questions\n[questions]\n"
	    "list = a?; b?\n", "test.conf:12: [questions] list: fewer");
	expect_error(BASE "[questions]\nlist = a\001?\n", "control character");
	expect_error(BASE "[policy]\nmethods = sms\n",
	    "[sms] url: methods includes sms");
}

static void
test_cfg_sms(void **state)
{
	struct cfg *c;

	(void)state;
	c = parse(BASE "[sms]\nurl = http://127.0.0.1:8080/s?to={to}&t={text}\n"
	    "method = get\ninsecure = yes\n");
	if (c == NULL)
		fail_msg("%s", err);
	assert_int_equal(c->sms_method, SMS_GET);
	cfg_unref(c);

	expect_error(BASE "[sms]\nurl = http://sms.example.org/\n"
	    "body = to={to}&text={text}\ninsecure = yes\n",
	    "test.conf:10: [sms] url: http:// is allowed only to a loopback");
	expect_error(BASE "[sms]\nurl = http://127.0.0.1/\n"
	    "body = to={to}&text={text}\n", "http:// needs insecure = yes");
	expect_error(BASE "[sms]\nurl = https://sms.example.org/\n"
	    "body = to={to}&text={text}\ninsecure = yes\n",
	    "test.conf:12: [sms] insecure: is only for an http://");
	/* questions go out on the wire: what it refuses, --check refuses */
	expect_error(BASE "[questions]\nlist = Caf\xe9?; Street?\n",
	    "[questions] list: 'Caf");
	expect_error(BASE "[questions]\nlist = A\xe2\x80\xae" "B?; Street?\n",
	    "is not UTF-8");
	expect_error(BASE "[sms]\nurl = ftp://sms.example.org/\n",
	    "[sms] url: must start with https://");
	expect_error(BASE "[sms]\nurl = https://key:secret@sms.example.org/\n"
	    "body = to={to}&text={text}\n",
	    "[sms] url: holds a user name or password");
	expect_error(BASE "[sms]\nurl = https://sms.example.org/\n",
	    "[sms] body: method = post needs a body");
	expect_error(BASE "[sms]\nurl = https://s.example.org/?to={to}&t={text}\n"
	    "method = get\nbody = x\n", "test.conf:12: [sms] body: method = get");
	expect_error(BASE "[sms]\nurl = https://sms.example.org/\n"
	    "body = text={text}\n", "{to} (the phone number) appears nowhere");
	expect_error(BASE "[sms]\nurl = https://sms.example.org/\n"
	    "body = to={to}\n", "{text} (the message) appears nowhere");
	expect_error(BASE "[sms]\nurl = https://sms.example.org/\n"
	    "body = to={to}&text={text}\ntext = no code here\n",
	    "test.conf:12: [sms] text: must contain {code}");
	expect_error(BASE "[sms]\nurl = https://sms.example.org/\n"
	    "body = to={to}&text={text}\ncontent_type = text/plain\n",
	    "test.conf:12: [sms] content_type: must be");
	expect_error(BASE "[sms]\ntimeout = 0\n",
	    "test.conf:10: [sms] timeout: '0' is not a number from 1 to 60");
	expect_error(BASE "[sms]\nmethod = put\n",
	    "test.conf:10: [sms] method: 'put' is not a known value");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_phone_normalize),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_expand_escaping),
		cmocka_unit_test(test_url_policy),
		cmocka_unit_test(test_cfg_defaults),
		cmocka_unit_test(test_cfg_methods),
		cmocka_unit_test(test_cfg_sms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
