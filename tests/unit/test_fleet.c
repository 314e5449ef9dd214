/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_fleet.c: the [fleet] keys: a relay's file holds only [daemon] and
 * [fleet] (no directory credential can be on a relay host), and what each
 * role needs is there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cfgtest.h"

#define RELAY \
	"[daemon]\nallowed_uids = 0\n" \
	"[fleet]\nrole = relay\nservers = sspr1.example.org:7477 [::1]:7477\n" \
	"cert_file = /etc/sspr/host.pem\nkey_file = /etc/sspr/host.key\n" \
	"ca_file = /etc/sspr/ca.pem\n"

static void
test_local_by_default(void **state)
{
	struct cfg *c = parse(BASE);

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->role, ROLE_LOCAL);
	assert_string_equal(c->fleet_listen, "0.0.0.0:7477");
	cfg_unref(c);
}

static void
test_relay_needs_no_directory(void **state)
{
	struct cfg *c = parse(RELAY);

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->role, ROLE_RELAY);
	assert_int_equal(c->fleet_servers.n, 2);
	assert_string_equal(c->fleet_servers.item[1], "[::1]:7477");
	assert_int_equal(c->n_uris, 0);
	assert_string_equal(c->bind_password_file, "");
	cfg_unref(c);
}

static void
test_relay_refuses_credentials(void **state)
{
	(void)state;
	expect_error(RELAY "[directory]\nbind_password_file = /etc/sspr/bindpw\n",
	    "[directory] bind_password_file: role = relay holds no directory "
	    "credential");
	expect_error(RELAY "[mail]\nsmtp_url = smtp://mail.example.org\n",
	    "[mail] smtp_url: role = relay");
	expect_error(RELAY "[totp]\nkey_file = /etc/sspr/totp.key\n",
	    "[totp] key_file: role = relay");
	/* the role is known from wherever it is in the file */
	expect_error("[directory]\nbind_dn = cn=x\n" RELAY, "[directory] bind_dn");
}

static void
test_role_needs(void **state)
{
	(void)state;
	expect_error("[fleet]\nrole = relay\ncert_file = /a\nkey_file = /b\n"
	    "ca_file = /c\n", "[fleet] servers: a relay needs");
	expect_error("[fleet]\nrole = relay\nservers = x:1\n", "cert_file");
	expect_error("[fleet]\nrole = relay\nservers = x:1\ncert_file = /a\n"
	    "key_file = /b\n", "[fleet] ca_file");
	expect_error(RELAY "servers_x = 1\n", "unknown key");
	expect_error("[fleet]\nrole = relay\nservers = nameonly\ncert_file = /a\n"
	    "key_file = /b\nca_file = /c\n", "each server is NAME:PORT");
	expect_error("[fleet]\nrole = relay\nservers = x:70000\ncert_file = /a\n"
	    "key_file = /b\nca_file = /c\n", "each server is NAME:PORT");
	expect_error(BASE "[fleet]\nrole = reset-server\nlisten = 7477\n"
	    "cert_file = /a\nkey_file = /b\nca_file = /c\n",
	    "[fleet] listen: must be ADDRESS:PORT");
	expect_error(BASE "[fleet]\nrole = reset-server\n", "cert_file");
	expect_error(BASE "[fleet]\nrole = server\n", "not a known value");
}

static void
test_reset_server(void **state)
{
	struct cfg *c = parse(BASE "[fleet]\nrole = reset-server\n"
	    "listen = [::]:7000\ncert_file = /a\nkey_file = /b\n"
	    "ca_file = /c\ncrl_file = /d\nmax_per_host = 5\n");

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->role, ROLE_SERVER);
	assert_int_equal(c->fleet_max_per_host, 5);
	assert_string_equal(c->fleet_crl, "/d");
	cfg_unref(c);
}

/* The one NAME:PORT split (cfgcheck, the listener, the relay, ssprctl). */
static void
test_hostport(void **state)
{
	char host[301], small[4];
	const char *port;

	(void)state;
	assert_int_equal(cfg_hostport("sspr1.example.org:7477", host,
	    sizeof(host), &port), 0);
	assert_string_equal(host, "sspr1.example.org");
	assert_string_equal(port, "7477");
	assert_int_equal(cfg_hostport("[::1]:7000", host, sizeof(host),
	    &port), 0);
	assert_string_equal(host, "::1");
	assert_string_equal(port, "7000");
	assert_int_equal(cfg_hostport("[::1:7000", host, sizeof(host), &port),
	    -1);
	/* a lone bracket once made the split write before host */
	assert_int_equal(cfg_hostport("[:7000", host, sizeof(host), &port), -1);
	assert_int_equal(cfg_hostport("[]:7000", host, sizeof(host), &port),
	    -1);
	assert_int_equal(cfg_hostport(":7000", host, sizeof(host), &port), -1);
	assert_int_equal(cfg_hostport("x:0", host, sizeof(host), &port), -1);
	assert_int_equal(cfg_hostport("x:70000", host, sizeof(host), &port),
	    -1);
	assert_int_equal(cfg_hostport("long:1", small, sizeof(small), &port),
	    -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_by_default),
		cmocka_unit_test(test_relay_needs_no_directory),
		cmocka_unit_test(test_relay_refuses_credentials),
		cmocka_unit_test(test_role_needs),
		cmocka_unit_test(test_reset_server),
		cmocka_unit_test(test_hostport),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
