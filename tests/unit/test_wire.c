/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of proto/wire.c and proto/msg.c: the one parser. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "msg.h"
#include "wire.h"

/* Encodes m and decodes the body again into out. */
static int
roundtrip(const struct msg *m, struct msg *out)
{
	struct wire_wr wr;

	if (msg_encode(m, &wr) != 0)
		return -1;
	assert_int_equal(wire_peek_len(wr.buf), wr.len - 4);
	assert_int_equal(wire_peek_type(wr.buf), m->type);
	return msg_decode(out, wr.buf + 4, wr.len - 4);
}

static void
test_hello_roundtrip(void **state)
{
	struct msg m = { .type = SSPR_MSG_HELLO }, out;

	(void)state;
	m.u.hello.version = 1;
	strcpy(m.u.hello.service, "sshd");
	strcpy(m.u.hello.tty, "ssh");
	strcpy(m.u.hello.rhost, "192.0.2.7");
	strcpy(m.u.hello.lang, "nl_NL.UTF-8");
	assert_int_equal(roundtrip(&m, &out), 0);
	assert_int_equal(out.u.hello.version, 1);
	assert_string_equal(out.u.hello.service, "sshd");
	assert_string_equal(out.u.hello.rhost, "192.0.2.7");
	assert_string_equal(out.u.hello.ruser, "");
	assert_string_equal(out.u.hello.lang, "nl_NL.UTF-8");
}

static void
test_every_type_roundtrips(void **state)
{
	static const uint16_t types[] = { SSPR_MSG_START, SSPR_MSG_ANSWER,
	    SSPR_MSG_NEW_PASSWORD, SSPR_MSG_CANCEL, SSPR_MSG_HELLO_OK,
	    SSPR_MSG_CHALLENGE, SSPR_MSG_ANSWER_BAD, SSPR_MSG_VERIFIED,
	    SSPR_MSG_REJECTED, SSPR_MSG_DONE, SSPR_MSG_FAIL, SSPR_MSG_HOST };
	struct msg m, out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		memset(&m, 0, sizeof(m));
		m.type = types[i];
		assert_int_equal(roundtrip(&m, &out), 0);
		assert_int_equal(out.type, types[i]);
	}
}

static void
test_secret_roundtrip(void **state)
{
	struct msg m = { .type = SSPR_MSG_NEW_PASSWORD }, out;
	const char *pw = "pässwörd \xf0\x9f\x94\x91 with spaces ";

	(void)state;
	secret_set(&m.u.secret, pw, strlen(pw));
	assert_int_equal(roundtrip(&m, &out), 0);
	assert_int_equal(out.u.secret.len, strlen(pw));
	assert_memory_equal(out.u.secret.buf, pw, strlen(pw));
}

static void
test_string_caps(void **state)
{
	struct msg m = { .type = SSPR_MSG_START }, out;
	struct wire_wr wr;

	(void)state;
	memset(m.u.start.user, 'a', SSPR_USER_MAX);
	m.u.start.user[SSPR_USER_MAX] = '\0';
	assert_int_equal(roundtrip(&m, &out), 0);
	assert_int_equal(strlen(out.u.start.user), SSPR_USER_MAX);

	/* one byte over the cap, written by hand: refused */
	wire_wr_init(&wr, SSPR_MSG_START);
	wire_put_u8(&wr, 1);
	wire_put_u16(&wr, SSPR_USER_MAX + 1);
	memset(wr.buf + wr.len, 'a', SSPR_USER_MAX + 1);
	wr.len += SSPR_USER_MAX + 1;
	assert_int_equal(wire_wr_finish(&wr), 0);
	assert_int_equal(msg_decode(&out, wr.buf + 4, wr.len - 4), -1);
}

static void
test_secret_cap(void **state)
{
	struct msg out;
	struct wire_wr wr;

	(void)state;
	wire_wr_init(&wr, SSPR_MSG_ANSWER);
	wire_put_u16(&wr, SSPR_SECRET_MAX + 1);
	memset(wr.buf + wr.len, '1', SSPR_SECRET_MAX + 1);
	wr.len += SSPR_SECRET_MAX + 1;
	assert_int_equal(wire_wr_finish(&wr), 0);
	assert_int_equal(msg_decode(&out, wr.buf + 4, wr.len - 4), -1);
}

static void
test_malformed_bodies(void **state)
{
	/* type, then body */
	static const struct { const char *what; unsigned char b[16];
	    size_t n; } cases[] = {
		{ "empty", { 0 }, 0 },
		{ "one byte", { 0x00 }, 1 },
		{ "unknown type", { 0x09, 0x99 }, 2 },
		{ "trailing byte", { 0x00, 0x05, 0x00 }, 3 },
		{ "truncated u16", { 0x80, 0xff, 0x00 }, 3 },
		{ "string longer than frame", { 0x00, 0x02, 0x01, 0x00, 0x05,
		    'a', 'b' }, 7 },
		{ "bad utf-8", { 0x00, 0x02, 0x01, 0x00, 0x02, 0xc3, 0x28 }, 7 },
		{ "overlong utf-8", { 0x00, 0x02, 0x01, 0x00, 0x02, 0xc0, 0xaf },
		    7 },
		{ "surrogate", { 0x00, 0x02, 0x01, 0x00, 0x03, 0xed, 0xa0,
		    0x80 }, 8 },
		{ "NUL in string", { 0x00, 0x02, 0x01, 0x00, 0x02, 'a', 0 }, 7 },
		{ "newline in string", { 0x00, 0x02, 0x01, 0x00, 0x01, '\n' },
		    6 },
		{ "U+2028 in string", { 0x00, 0x02, 0x01, 0x00, 0x04, 'a',
		    0xe2, 0x80, 0xa8 }, 9 },
		{ "NUL in secret", { 0x00, 0x03, 0x00, 0x02, '1', 0 }, 6 },
	};
	struct msg out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (msg_decode(&out, cases[i].b, cases[i].n) != -1)
			fail_msg("accepted: %s", cases[i].what);
	}
}

static void
test_utf8(void **state)
{
	(void)state;
	assert_true(wire_text_ok((const unsigned char *)"plain", 5));
	assert_true(wire_text_ok((const unsigned char *)"J\xc3\xbcrgen", 7));
	assert_true(wire_text_ok((const unsigned char *)"\xf0\x9f\x98\x80", 4));
	assert_false(wire_text_ok((const unsigned char *)"\xf4\x90\x80\x80", 4));
	assert_false(wire_text_ok((const unsigned char *)"\xe2\x82", 2));
	assert_false(wire_text_ok((const unsigned char *)"a\tb", 3));
	assert_false(wire_text_ok((const unsigned char *)"\x7f", 1));
	/* C1 CSI (U+009B) and a right-to-left override (U+202E) */
	assert_false(wire_text_ok((const unsigned char *)"a\xc2\x9b" "2J", 5));
	assert_false(wire_text_ok((const unsigned char *)"\xe2\x80\xae", 3));
	assert_true(wire_text_ok((const unsigned char *)"\xe2\x96\x88", 3));
}

/* What breaks a log line or reorders it on a terminal, past ASCII. */
static void
test_separators(void **state)
{
	static const char *refused[] = {
		"\xc2\x85",			/* U+0085 NEL */
		"\xe2\x80\xa8",		/* U+2028 line separator */
		"\xe2\x80\xa9",		/* U+2029 paragraph separator */
		"\xd8\x9c",			/* U+061C arabic letter mark */
		"\xe2\x80\x8e", "\xe2\x80\x8f",	/* U+200E, U+200F marks */
		"\xe2\x80\xaa", "\xe2\x80\xae",	/* U+202A..U+202E */
		"\xe2\x81\xa6", "\xe2\x81\xa9",	/* U+2066..U+2069 */
	};
	char buf[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		snprintf(buf, sizeof(buf), "a%sb", refused[i]);
		if (wire_text_ok((const unsigned char *)buf, strlen(buf)))
			fail_msg("accepted: case %zu", i);
		wire_text_clean(buf, 1);
		assert_string_equal(buf, "a?b");
	}
	/* their neighbours are ordinary text */
	assert_true(wire_text_ok((const unsigned char *)"\xe2\x80\xa7", 3));
	assert_true(wire_text_ok((const unsigned char *)"\xe2\x80\xb0", 3));
	assert_true(wire_text_ok((const unsigned char *)"\xc2\xa0", 2));
}

/* What a terminal gets of text from elsewhere: wire_text_ok's rules. */
static void
test_text_clean(void **state)
{
	static const struct { const char *in, *nl, *flat; } t[] = {
		{ "plain", "plain", "plain" },
		{ "J\xc3\xbcrgen \xe2\x96\x88", "J\xc3\xbcrgen \xe2\x96\x88",
		  "J\xc3\xbcrgen \xe2\x96\x88" },
		{ "a\x1b]52;c;x\x07" "b", "a?]52;c;x?b", "a?]52;c;x?b" },
		{ "a\xc2\x9b" "2J", "a?2J", "a?2J" },
		{ "x\xe2\x80\xaey", "x?y", "x?y" },
		{ "l1\nl2\r", "l1\nl2?", "l1?l2?" },
		{ "\xff\xe2\x82", "???", "???" },
		{ "\x7f\t", "??", "??" },
	};
	char buf[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", t[i].in);
		wire_text_clean(buf, 1);
		assert_string_equal(buf, t[i].nl);
		snprintf(buf, sizeof(buf), "%s", t[i].in);
		wire_text_clean(buf, 0);
		assert_string_equal(buf, t[i].flat);
		assert_true(wire_text_ok((const unsigned char *)buf,
		    strlen(buf)));
	}
}

static void
test_writer_refuses_oversize(void **state)
{
	struct msg m = { .type = SSPR_MSG_REJECTED };
	struct wire_wr wr;

	(void)state;
	memset(m.u.rejected.detail, 'x', SSPR_DETAIL_MAX);
	assert_int_equal(msg_encode(&m, &wr), 0);
	wire_wr_init(&wr, SSPR_MSG_CANCEL);
	wire_put_str(&wr, "a\nb", 10);
	assert_int_equal(wire_wr_finish(&wr), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hello_roundtrip),
		cmocka_unit_test(test_every_type_roundtrips),
		cmocka_unit_test(test_secret_roundtrip),
		cmocka_unit_test(test_string_caps),
		cmocka_unit_test(test_secret_cap),
		cmocka_unit_test(test_malformed_bodies),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_text_clean),
		cmocka_unit_test(test_writer_refuses_oversize),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
