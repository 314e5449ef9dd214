/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cfgtest.h: what the unit tests of configuration keys share: a minimal
 * valid file (BASE) and parsing a text with its error kept in err.
 * Include after <cmocka.h>.
 */
#ifndef SSPR_CFGTEST_H
#define SSPR_CFGTEST_H

#include <string.h>

#include "cfg.h"

#define BASE \
	"[directory]\n" \
	"uri = ldaps://dc1.example.org ldaps://dc2.example.org\n" \
	"base = dc=example,dc=org\n" \
	"bind_dn = cn=sspr,dc=example,dc=org\n" \
	"bind_password_file = /etc/sspr/bindpw\n" \
	"[mail]\n" \
	"smtp_url = smtp://mail.example.org:587\n" \
	"from = sspr@example.org\n"

static char err[1024];

static struct cfg *
parse(const char *text)
{
	err[0] = '\0';
	return cfg_parse("test.conf", text, strlen(text), err, sizeof(err));
}

/* text must be refused with an error that contains want. */
static void
expect_error(const char *text, const char *want)
{
	struct cfg *c = parse(text);

	if (c != NULL) {
		cfg_unref(c);
		fail_msg("accepted, expected: %s", want);
	}
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' does not contain '%s'", err, want);
}

#endif
