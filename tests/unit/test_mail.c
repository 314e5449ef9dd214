/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of sspr-helperd/mail.c: rendering a message from a template. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "mail.h"

static const struct mail_vars vars = { "12345678", 10, "alice", "sshd",
    "host1", "192.0.2.7", NULL, NULL, "2026-11-23 10:00 UTC", "code" };
static char err[256], out[MAIL_MAX];

static void
test_render(void **state)
{
	int n;

	(void)state;
	n = mail_render("Subject:   Your code \n\nCode: ${code}\nValid "
	    "${minutes} min for ${user} at ${service} on ${host} from "
	    "${source}.\n", &vars, "sspr@example.test", "alice@example.test",
	    out, sizeof(out), err, sizeof(err));
	assert_true(n > 0);
	assert_non_null(strstr(out, "From: sspr@example.test\r\n"));
	assert_non_null(strstr(out, "To: alice@example.test\r\n"));
	assert_non_null(strstr(out, "\r\nSubject: Your code\r\n"));
	assert_non_null(strstr(out, "\r\nMessage-ID: <"));
	assert_non_null(strstr(out, "@example.test>\r\n"));
	assert_non_null(strstr(out, "charset=UTF-8\r\n"));
	assert_non_null(strstr(out, "\r\nX-SSPR-Message: code\r\n"));
	assert_non_null(strstr(out, "\r\n\r\nCode: 12345678\r\nValid 10 min "
	    "for alice at sshd on host1 from 192.0.2.7.\r\n"));
	/* every line ends in CRLF: no bare LF anywhere */
	for (n = 0; out[n] != '\0'; n++)
		if (out[n] == '\n')
			assert_int_equal(out[n - 1], '\r');
}

static void
test_template_errors(void **state)
{
	(void)state;
	assert_int_equal(mail_render("No subject line\n\nbody", &vars, "a@b.c",
	    "d@e.f", out, sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(mail_render("Subject: x\n\n${nope}", &vars, "a@b.c",
	    "d@e.f", out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown variable ${nope}"));
	assert_int_equal(mail_render("Subject: x\n\n${code", &vars, "a@b.c",
	    "d@e.f", out, sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(mail_render("Subject: x\n\nbody", &vars, "a@b.c",
	    "d@e.f\r\nBcc: x@evil", out, sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(mail_render("Subject: x\n\nbody", &vars, "a@b.c",
	    "d@e.f", out, 64, err, sizeof(err)), -1);
}

static void
test_values_stay_in_the_body(void **state)
{
	struct mail_vars v = vars;
	char *body;

	(void)state;
	v.user = "bob\r\nBcc: victim@example.org";
	assert_true(mail_render("Subject: x\n\nuser ${user}\n", &v, "a@b.c",
	    "d@e.f", out, sizeof(out), err, sizeof(err)) > 0);
	body = strstr(out, "\r\n\r\n");
	assert_non_null(body);
	*body = '\0';
	assert_null(strstr(out, "Bcc:"));
}

static void
test_non_ascii_subject(void **state)
{
	(void)state;
	assert_true(mail_render("Subject: Uw code voor één login\n\nx", &vars,
	    "a@b.c", "d@e.f", out, sizeof(out), err, sizeof(err)) > 0);
	assert_non_null(strstr(out, "Subject: =?UTF-8?B?"));
}

static void
test_template_language(void **state)
{
	char dir[] = "/tmp/sspr-mail-XXXXXX", path[128], buf[256];
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/code.txt", dir);
	fp = fopen(path, "w");
	fputs("Subject: en\n\nen", fp);
	fclose(fp);
	snprintf(path, sizeof(path), "%s/code.nl.txt", dir);
	fp = fopen(path, "w");
	fputs("Subject: nl\n\nnl", fp);
	fclose(fp);
	assert_int_equal(mail_load_template(dir, "code", "nl_NL.UTF-8", buf,
	    sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "Subject: nl\n\nnl");
	assert_int_equal(mail_load_template(dir, "code", "de_DE", buf,
	    sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "Subject: en\n\nen");
	assert_int_equal(mail_load_template(dir, "code", "../../etc/passwd",
	    buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "Subject: en\n\nen");
	assert_int_equal(mail_load_template(dir, "nope", NULL, buf,
	    sizeof(buf), err, sizeof(err)), -1);
	unlink(path);
	snprintf(path, sizeof(path), "%s/code.txt", dir);
	unlink(path);
	rmdir(dir);
}

static void
test_branding(void **state)
{
	struct mail_vars v = vars;

	(void)state;
	v.organisation = "Example University";
	v.helpdesk = "Questions? Call the service desk on 555-0100.";
	assert_true(mail_render("Subject: [${organisation}] Your code\n\n"
	    "Code ${code}.\n${helpdesk}\n-- \n${organisation}\n", &v, "a@b.c",
	    "d@e.f", out, sizeof(out), err, sizeof(err)) > 0);
	assert_non_null(strstr(out, "\r\nSubject: [Example University] Your "
	    "code\r\n"));
	assert_non_null(strstr(out, "Code 12345678.\r\nQuestions? Call the "
	    "service desk on 555-0100.\r\n-- \r\nExample University\r\n"));
	/* unset, a line of nothing but them is left out; other lines stay */
	v.organisation = NULL;
	v.helpdesk = "";
	assert_true(mail_render("Subject: x\n\nA\n${helpdesk}\n\n  "
	    "${organisation} ${helpdesk}\nB ${helpdesk}\n", &v, "a@b.c",
	    "d@e.f", out, sizeof(out), err, sizeof(err)) > 0);
	assert_non_null(strstr(out, "\r\n\r\nA\r\n\r\nB \r\n"));
	/* a value cannot add a header through the Subject */
	v.organisation = "Org\r\nBcc: victim@example.org";
	assert_int_equal(mail_render("Subject: ${organisation}\n\nx", &v,
	    "a@b.c", "d@e.f", out, sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(mail_render("Subject: ${nope}\n\nx", &v,
	    "a@b.c", "d@e.f", out, sizeof(out), err, sizeof(err)), -1);
}

/* The From line of a message rendered with FROM, without "From: " and CRLF. */
static const char *
from_line(const char *from)
{
	static char line[1024];
	const char *p, *e;

	assert_true(mail_render("Subject: x\n\nbody\n", &vars, from,
	    "alice@example.test", out, sizeof(out), err, sizeof(err)) > 0);
	assert_true(strncmp(out, "From: ", 6) == 0);
	p = out + 6;
	assert_non_null(e = strstr(p, "\r\n"));
	snprintf(line, sizeof(line), "%.*s", (int)(e - p), p);
	return line;
}

static void
test_from_display_name(void **state)
{
	(void)state;
	assert_string_equal(from_line("sspr@example.test"), "sspr@example.test");
	assert_string_equal(from_line("Password reset <noreply@example.test>"),
	    "Password reset <noreply@example.test>");
	/* the Message-ID takes the address's domain, not the name's '>' */
	assert_non_null(strstr(out, "\r\nMessage-ID: <"));
	assert_non_null(strstr(out, "@example.test>\r\nMIME-Version"));
	assert_string_equal(from_line("  \"Password reset\"  <n@example.test>"),
	    "Password reset <n@example.test>");
	assert_string_equal(from_line("Example, Inc. IT <it@example.test>"),
	    "\"Example, Inc. IT\" <it@example.test>");
	assert_string_equal(from_line("<bare@example.test>"),
	    "bare@example.test");
	assert_string_equal(from_line("\xc3\x89quipe <e@example.test>"),
	    "=?UTF-8?B?w4lxdWlwZQ==?= <e@example.test>");
	/* refused here too, whatever the caller checked */
	assert_int_equal(mail_render("Subject: x\n\nbody", &vars,
	    "Re\"set <a@example.test>", "d@e.f", out, sizeof(out), err,
	    sizeof(err)), -1);
	assert_int_equal(mail_render("Subject: x\n\nbody", &vars,
	    "Reset <a@example.test", "d@e.f", out, sizeof(out), err,
	    sizeof(err)), -1);
}

/*
 * A long name that is not ASCII: encoded-words of at most 75 characters,
 * each whole UTF-8 characters, that decode to the name.
 */
static void
test_from_long_encoded(void **state)
{
	char name[200], from[300], got[200], *line, *w, *save = NULL;
	unsigned char dec[100];
	size_t i, n = 0;
	int words = 0, len;

	(void)state;
	for (i = 0; i < 60; i++)
		memcpy(name + 2 * i, "\xc3\xa9", 2);	/* e acute */
	name[120] = '\0';
	snprintf(from, sizeof(from), "%s <e@example.test>", name);
	line = (char *)from_line(from);
	assert_non_null(w = strstr(line, " <e@example.test>"));
	*w = '\0';
	for (w = strtok_r(line, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		words++;
		assert_true(strlen(w) <= 75);
		assert_true(strncmp(w, "=?UTF-8?B?", 10) == 0);
		assert_string_equal(w + strlen(w) - 2, "?=");
		w[strlen(w) - 2] = '\0';
		len = EVP_DecodeBlock(dec, (unsigned char *)w + 10,
		    (int)strlen(w + 10));
		assert_true(len > 0);
		while (len > 0 && dec[len - 1] == '\0' && (len & 1))
			len--;	/* EVP_DecodeBlock keeps the padding's zeros */
		assert_true(len % 2 == 0);	/* whole characters only */
		memcpy(got + n, dec, (size_t)len);
		n += (size_t)len;
	}
	assert_int_equal(words, 3);
	assert_int_equal(n, 120);
	assert_memory_equal(got, name, 120);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_from_display_name),
		cmocka_unit_test(test_from_long_encoded),
		cmocka_unit_test(test_template_errors),
		cmocka_unit_test(test_values_stay_in_the_body),
		cmocka_unit_test(test_non_ascii_subject),
		cmocka_unit_test(test_template_language),
		cmocka_unit_test(test_branding),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
