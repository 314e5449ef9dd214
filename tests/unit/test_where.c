/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sspr-helperd/where.c: [register] services and sources,
 * through the configuration parser that builds the lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cfgtest.h"
#include "where.h"

static struct cfg *
rule(const char *services, const char *sources)
{
	char text[2048];
	struct cfg *c;

	snprintf(text, sizeof(text), BASE "[register]\nservices = %s\n"
	    "sources = %s\n", services, sources);
	if ((c = parse(text)) == NULL)
		fail_msg("refused: %s", err);
	return c;
}

static int
ok(const struct cfg *c, const char *svc, const char *rhost, const char *tty)
{
	struct place p = { .service = svc, .rhost = rhost, .tty = tty,
	    .vouched = 1 };

	return where_allowed(&c->reg_services, &c->reg_sources, &p);
}

static void
test_default_allows_all(void **state)
{
	struct cfg *c = rule("", "");
	struct place p = { .service = "sshd", .rhost = "203.0.113.9",
	    .tty = "ssh", .vouched = 0 };

	(void)state;
	assert_true(ok(c, "sshd", "203.0.113.9", "ssh"));
	assert_true(ok(c, "", "", ""));
	/* no rule: even a caller outside allowed_uids, as before */
	assert_true(where_allowed(&c->reg_services, &c->reg_sources, &p));
	cfg_unref(c);
}

static void
test_services(void **state)
{
	struct cfg *c = rule("login gdm-password", "");

	(void)state;
	assert_true(ok(c, "login", "", "tty1"));
	assert_true(ok(c, "gdm-password", "", ":0"));
	/* any source, with only services set */
	assert_true(ok(c, "login", "198.51.100.1", ""));
	assert_false(ok(c, "sshd", "", "ssh"));
	assert_false(ok(c, "Login", "", "tty1"));
	assert_false(ok(c, "logi", "", "tty1"));
	assert_false(ok(c, "", "", "tty1"));
	cfg_unref(c);
}

static void
test_networks(void **state)
{
	struct cfg *c = rule("", "10.0.0.0/8 192.168.1.128/25 ::1 "
	    "2001:db8:1::/48 198.51.100.7");

	(void)state;
	assert_true(ok(c, "sshd", "10.1.2.3", "ssh"));
	assert_true(ok(c, "sshd", "10.255.255.255", "ssh"));
	assert_false(ok(c, "sshd", "11.0.0.1", "ssh"));
	assert_false(ok(c, "sshd", "9.255.255.255", "ssh"));
	/* /25: the upper half only */
	assert_true(ok(c, "sshd", "192.168.1.200", "ssh"));
	assert_false(ok(c, "sshd", "192.168.1.127", "ssh"));
	assert_true(ok(c, "sshd", "198.51.100.7", "ssh"));
	assert_false(ok(c, "sshd", "198.51.100.8", "ssh"));
	assert_true(ok(c, "sshd", "::1", "ssh"));
	assert_false(ok(c, "sshd", "::2", "ssh"));
	assert_true(ok(c, "sshd", "2001:db8:1:ffff::9", "ssh"));
	assert_false(ok(c, "sshd", "2001:db8:2::9", "ssh"));
	/* sshd on a dual-stack socket: the IPv4 address it stands for */
	assert_true(ok(c, "sshd", "::ffff:10.9.8.7", "ssh"));
	assert_false(ok(c, "sshd", "::ffff:11.9.8.7", "ssh"));
	cfg_unref(c);
	/* a network written in the mapped form is the IPv4 network */
	c = rule("", "::ffff:172.16.0.0/108");
	assert_true(ok(c, "sshd", "172.16.3.4", "ssh"));
	assert_true(ok(c, "sshd", "::ffff:172.31.255.1", "ssh"));
	assert_false(ok(c, "sshd", "172.32.0.1", "ssh"));
	cfg_unref(c);
	c = rule("", "10.0.0.0/8 192.168.1.128/25 ::1 "
	    "2001:db8:1::/48 198.51.100.7");
	/* a network is not a host, a zone is not understood: refused */
	assert_false(ok(c, "sshd", "10.0.0.0/8", "ssh"));
	assert_false(ok(c, "sshd", "fe80::1%eth0", "ssh"));
	/* a local login is not on any network */
	assert_false(ok(c, "login", "", "tty1"));
	cfg_unref(c);
}

static void
test_names(void **state)
{
	struct cfg *c = rule("", "10.0.0.0/8 bastion.example.org");

	(void)state;
	/* a name in PAM_RHOST matches only a name written literally */
	assert_true(ok(c, "sshd", "bastion.example.org", "ssh"));
	assert_true(ok(c, "sshd", "Bastion.Example.ORG", "ssh"));
	assert_false(ok(c, "sshd", "bastion.example.org.evil.test", "ssh"));
	assert_false(ok(c, "sshd", "bastion", "ssh"));
	/* never resolved: a name inside 10/8 in the DNS is still a name */
	assert_false(ok(c, "sshd", "host10.example.org", "ssh"));
	assert_false(ok(c, "sshd", "10.example.org", "ssh"));
	cfg_unref(c);
}

static void
test_ttys(void **state)
{
	struct cfg *c = rule("", "tty:tty* tty:/dev/ttyS0 tty::0");
	struct cfg *any = rule("", "tty");

	(void)state;
	assert_true(ok(c, "login", "", "tty1"));
	assert_true(ok(c, "login", "", "/dev/tty12"));
	assert_true(ok(c, "login", "", "ttyS0"));
	assert_true(ok(c, "gdm-password", "", ":0"));
	assert_false(ok(c, "login", "", "pts/3"));
	assert_false(ok(c, "login", "", "/dev/pts/3"));
	assert_false(ok(c, "login", "", ":1"));
	assert_false(ok(c, "login", "", ""));
	/* a terminal that comes with a remote host is remote */
	assert_false(ok(c, "telnet", "10.0.0.1", "tty1"));
	/* tty: no remote host named, whatever the terminal */
	assert_true(ok(any, "login", "", "tty1"));
	assert_true(ok(any, "su", "", "/dev/pts/0"));
	assert_false(ok(any, "sshd", "10.0.0.1", "ssh"));
	assert_false(ok(any, "sshd", "::1", "ssh"));
	cfg_unref(c);
	cfg_unref(any);
}

static void
test_both_and_vouched(void **state)
{
	struct cfg *c = rule("login sshd", "tty 10.0.0.0/8");
	struct place p = { .service = "login", .rhost = "", .tty = "tty1",
	    .vouched = 0 };

	(void)state;
	assert_true(ok(c, "login", "", "tty1"));
	assert_true(ok(c, "sshd", "10.0.0.5", "ssh"));
	/* both must hold */
	assert_false(ok(c, "sshd", "203.0.113.5", "ssh"));
	assert_false(ok(c, "xrdp-sesman", "", "tty1"));
	/* a caller outside allowed_uids named its place itself */
	assert_false(where_allowed(&c->reg_services, &c->reg_sources, &p));
	p.vouched = 1;
	assert_true(where_allowed(&c->reg_services, &c->reg_sources, &p));
	cfg_unref(c);
}

static void
test_config_refuses(void **state)
{
	static const char *bad[] = { "10.0.0.0/33", "10.0.0/8", "10.0.0.0/",
	    "10.0.0.0/x", "::1/129", "300.1.1.1", "1.2.3", "tty:", "tty:a*b",
	    "tty:*x", "host_name", "-bad.example", "a;b", "::g", "1:2" };
	static const char *good[] = { "tty", "tty:tty1", "tty:*", "tty:/dev/pts/*",
	    "::", "0.0.0.0/0", "::/0", "fe80::/10", "localhost", "ws-1.example.org" };
	char text[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), BASE "[register]\nsources = %s\n",
		    bad[i]);
		expect_error(text, "[register] sources");
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!where_source_valid(good[i]))
			fail_msg("refused: %s", good[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_allows_all),
		cmocka_unit_test(test_services),
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ttys),
		cmocka_unit_test(test_both_and_vouched),
		cmocka_unit_test(test_config_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
