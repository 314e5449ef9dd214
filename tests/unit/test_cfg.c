/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests of sspr-helperd/cfg*.c: values, defaults, and every error
 * naming its line and key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cfg.h"

#include "cfgtest.h"

static void
test_minimal_and_defaults(void **state)
{
	struct cfg *c = parse(BASE);

	(void)state;
	assert_non_null(c);
	assert_string_equal(c->socket, "/run/sspr/helperd.sock");
	assert_int_equal(c->n_allowed_uids, 1);
	assert_int_equal(c->allowed_uids[0], 0);
	assert_int_equal(c->n_uris, 2);
	assert_string_equal(c->uris[1], "ldaps://dc2.example.org");
	assert_string_equal(c->user_filter,
	    "(&(objectClass=posixAccount)(uid=%s))");
	assert_string_equal(c->mail_attr, "mail");
	assert_int_equal(c->mail_tls, MAIL_TLS_STARTTLS);
	assert_int_equal(c->code_length, 8);
	assert_int_equal(c->code_lifetime, 600);
	assert_int_equal(c->code_max_attempts, 5);
	assert_int_equal(c->dir_timeout, 10);
	cfg_unref(c);
}

static void
test_values(void **state)
{
	struct cfg *c = parse(BASE
	    "[code]\n  length = 6 \n# comment\n; also a comment\n"
	    "lifetime=300\n"
	    "[daemon]\nallowed_uids = 0, 42 7\n"
	    "[password]\ntries = 5\n");

	(void)state;
	assert_non_null(c);
	assert_int_equal(c->code_length, 6);
	assert_int_equal(c->code_lifetime, 300);
	assert_int_equal(c->n_allowed_uids, 3);
	assert_int_equal(c->allowed_uids[1], 42);
	assert_int_equal(c->allowed_uids[2], 7);
	assert_int_equal(c->password_tries, 5);
	cfg_unref(c);
}

static void
test_errors_name_line_and_key(void **state)
{
	(void)state;
	expect_error(BASE "[code]\nlength = 5\n",
	    "test.conf:10: [code] length: '5' is not a number from 6 to 10");
	expect_error(BASE "[code]\nlength = 8x\n", "test.conf:10: [code] length");
	expect_error(BASE "[code]\nnope = 1\n", "test.conf:10: [code] nope: unknown key");
	expect_error(BASE "[nope]\n", "test.conf:9: unknown section [nope]");
	expect_error(BASE "[code]\nlength = 8\nlength = 9\n",
	    "test.conf:11: [code] length: already set on line 10");
	expect_error("length = 8\n", "test.conf:1: 'length' outside any section");
	expect_error(BASE "[code\n", "test.conf:9: malformed section header");
	expect_error(BASE "[code]\njust words\n", "test.conf:10: expected 'key = value'");
	expect_error(BASE "[daemon]\ndebug = maybe\n", "[daemon] debug: 'maybe' is not yes or no");
	expect_error(BASE "[mail]\ntls = sometimes\n", "[mail] tls: 'sometimes' is not a known value");
	expect_error(BASE "[daemon]\nsocket = relative/path\n", "must be an absolute path");
	expect_error(BASE "[daemon]\nallowed_uids = nosuchuser-xyz\n",
	    "'nosuchuser-xyz' is neither a uid nor a known user");
}

static void
test_required_keys(void **state)
{
	(void)state;
	expect_error("[mail]\nsmtp_url = smtp://x\nfrom = a@b.c\n",
	    "[directory] uri: required, but not set");
	expect_error("[directory]\nuri = ldaps://x\n",
	    "[directory] base: required, but not set");
}

static void
test_cross_checks(void **state)
{
	(void)state;
	expect_error(
	    "[directory]\nuri = ldap://dc.example.org\nbase = x\nbind_dn = y\n"
	    "bind_password_file = /p\n[mail]\nsmtp_url = smtp://m\nfrom = a@b.c\n",
	    "test.conf:2: [directory] uri: ldap:// needs start_tls = yes");
	expect_error(BASE "[directory]\nuser_filter = (uid=x)\n",
	    "[directory] user_filter: must contain %s exactly once");
	expect_error(BASE "[directory]\nuser_filter = (|(uid=%s)(mail=%s))\n",
	    "must contain %s exactly once");
	expect_error(BASE "[mail]\ntls = none\n",
	    "[mail] tls: none is allowed only to a loopback address");
	expect_error(BASE "[mail]\nusername = u\n", "[mail] username: needs password_file");
	expect_error(BASE "[mail]\ntls = implicit\n", "implicit TLS needs an smtps:// URL");
	expect_error("[directory]\nuri = http://x\n", "is not an ldap://");
	/* [sshkey] */
	expect_error(BASE "[policy]\nmethods = email sshkey\n[sshkey]\n"
	    "attribute = ssh(PublicKey)\n", "[sshkey] attribute: is not an "
	    "attribute name");
	expect_error(BASE "[sshkey]\nsshd_paths = sshd\n",
	    "[sshkey] sshd_paths: must be absolute paths");
	expect_error(BASE "[policy]\nmethods = email sshkey\n[sshkey]\n"
	    "services =\n", "name sshd's program and PAM service");
	expect_error(BASE "[sshkey]\ncert_authority = ssh-ed25519 AAAA\n",
	    "[sshkey] cert_authority: is not an ssh-ed25519 public key");
	expect_error(BASE "[sshkey]\ncert_authority = ecdsa-sha2-nistp256 "
	    "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBH6O9vA6"
	    "Z5PE9vcnzRUB5l24h6fto0pSRNvvJNSIflyJ+2Ras0BLkomlpm7+B3fELRDM8gFUTDie0Qo2X2aE4MQ=\n",
	    "[sshkey] cert_authority: is not an ssh-ed25519 public key");
	/* URLs are logged and printed: credentials go in their files */
	expect_error(
	    "[directory]\nuri = ldaps://dc\nbase = x\nbind_dn = y\n"
	    "bind_password_file = /p\n[mail]\n"
	    "smtp_url = smtp://u:pw@mail.example.org/\nfrom = a@b.c\n",
	    "[mail] smtp_url: holds a user name or password");
	expect_error(
	    "[directory]\nuri = ldaps://dc\nbase = x\nbind_dn = y\n"
	    "bind_password_file = /p\n[mail]\nsmtp_url = smtp://m\n"
	    "from = a@b.c@d.example\n",
	    "[mail] from: must be an address");
	expect_error(BASE "[notify]\nadmin_address = root\n",
	    "[notify] admin_address: must be one plain address");
}

#define NO_FROM \
	"[directory]\nuri = ldaps://dc\nbase = x\nbind_dn = y\n" \
	"bind_password_file = /p\n[mail]\nsmtp_url = smtp://m\n"

/* [mail] from with a display name: the envelope gets the address alone. */
static void
test_from_display_name(void **state)
{
	static const struct {
		const char	*from, *addr;
	} good[] = {
		{ "sspr@example.org", "sspr@example.org" },
		{ "Password reset <noreply@example.org>", "noreply@example.org" },
		{ "\"Example, Inc. IT\" <it@example.org>", "it@example.org" },
		{ "Wachtwoord herstellen \xe2\x80\x93 \xc3\x89quipe <w@example.org>",
		    "w@example.org" },
		{ "<bare@example.org>", "bare@example.org" },
	};
	static const char *const bad[] = {
		"Password reset",
		"Password reset <noreply@example.org",
		"Password reset noreply@example.org>",
		"Reset <a@example.org> <b@example.org>",
		"Reset <a@example.org>, b@example.org",
		"Reset <a@b@example.org>",
		"Reset <a@example.org>x",
		"Reset <>",
		"Re\"set <a@example.org>",
		"Re\\set <a@example.org>",
		"\"Re\"set\" <a@example.org>",
		"Re>set <a@example.org>",
		"Re\tset <a@example.org>",
		"Re\x1bset <a@example.org>",
		"Re\xc2\x85set <a@example.org>",	/* U+0085, a C1 newline */
		"Re\xe2\x80\xa8set <a@example.org>",	/* U+2028 */
		"Re\xe2\x80\xaeset <a@example.org>",	/* a bidi override */
		"Re\xffset <a@example.org>",
		"Reset <a@example.org\rRCPT TO:<x@evil.example>>",
		"Re\rset <a@example.org>",
	};
	char text[1024], long_name[200];
	struct cfg *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), NO_FROM "from = %s\n", good[i].from);
		c = parse(text);
		if (c == NULL)
			fail_msg("'%s' refused: %s", good[i].from, err);
		assert_string_equal(c->mail_from, good[i].from);
		assert_string_equal(c->mail_from_addr, good[i].addr);
		cfg_unref(c);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), NO_FROM "from = %s\n", bad[i]);
		expect_error(text, "[mail] from: must be an address");
	}
	/* a second line is no part of the value: refused as a line */
	expect_error(NO_FROM "from = Reset <a@example.org\nRCPT TO:<x@evil>>\n",
	    "test.conf:9: expected 'key = value'");
	/* 128 bytes of name are fine, 129 are not */
	memset(long_name, 'n', 128);
	snprintf(long_name + 128, sizeof(long_name) - 128, " <a@example.org>");
	snprintf(text, sizeof(text), NO_FROM "from = %s\n", long_name);
	assert_non_null(c = parse(text));
	cfg_unref(c);
	memset(long_name, 'n', 129);
	snprintf(long_name + 129, sizeof(long_name) - 129, " <a@example.org>");
	snprintf(text, sizeof(text), NO_FROM "from = %s\n", long_name);
	expect_error(text, "[mail] from: must be an address");
}

static void
test_loopback_plain_mail_allowed(void **state)
{
	struct cfg *c;

	(void)state;
	c = parse(
	    "[directory]\nuri = ldaps://dc\nbase = x\nbind_dn = y\n"
	    "bind_password_file = /p\n[mail]\nsmtp_url = smtp://127.0.0.1:25\n"
	    "tls = none\nfrom = a@b.c\n");
	assert_non_null(c);
	cfg_unref(c);
	expect_error(
	    "[directory]\nuri = ldaps://dc\nbase = x\nbind_dn = y\n"
	    "bind_password_file = /p\n[mail]\nsmtp_url = smtp://127.0.0.1.evil.example:25\n"
	    "tls = none\nfrom = a@b.c\n", "loopback");
}

static void
test_directory_types(void **state)
{
	struct cfg *c;

	(void)state;
	c = parse(BASE "[directory]\ntype = ad\n");
	assert_non_null(c);
	assert_int_equal(c->dir_type, DIR_AD);
	assert_string_equal(c->user_filter,
	    "(&(objectClass=user)(sAMAccountName=%s))");
	assert_true(c->unlock_on_reset);
	assert_true(c->clear_must_change);
	cfg_unref(c);
	expect_error(BASE "[directory]\ntype = auto\n",
	    "[directory] user_filter: with type = auto, set user_filter "
	    "explicitly");
	c = parse(BASE "[directory]\ntype = auto\nuser_filter = (uid=%s)\n");
	assert_non_null(c);
	cfg_unref(c);
	expect_error(BASE "[directory]\ntype = novell\n",
	    "[directory] type: 'novell' is not a known value");
}

static void
test_policy_lists(void **state)
{
	struct cfg *c;

	(void)state;
	c = parse(BASE "[policy]\nexclude_groups = cn=Domain Admins,"
	    "cn=Users,dc=example,dc=org ;  cn=ops,ou=groups,dc=example,dc=org\n"
	    "allow_unlock = no\nexclude_users = svc-backup, svc-ci  oracle\n");
	assert_non_null(c);
	assert_int_equal(c->exclude_groups.n, 2);
	assert_string_equal(c->exclude_groups.item[0],
	    "cn=Domain Admins,cn=Users,dc=example,dc=org");
	assert_string_equal(c->exclude_groups.item[1],
	    "cn=ops,ou=groups,dc=example,dc=org");
	assert_int_equal(c->exclude_users.n, 3);
	assert_string_equal(c->exclude_users.item[2], "oracle");
	assert_false(c->allow_unlock);
	assert_int_equal(c->enabled, POLICY_ALL);
	cfg_unref(c);
	expect_error(BASE "[policy]\nexclude_groups = admins\n",
	    "[policy] exclude_groups: 'admins' is not a DN");
	expect_error(BASE "[policy]\nenabled = group\n",
	    "[policy] group: enabled = group needs the group's DN here");
	c = parse(BASE "[policy]\nenabled = group\ngroup = cn=sspr,dc=x\n");
	assert_non_null(c);
	assert_int_equal(c->enabled, POLICY_GROUP);
	assert_string_equal(c->groups.item[0], "cn=sspr,dc=x");
	cfg_unref(c);
	expect_error(BASE "[notify]\nadmin_address = a@b.c, d@e.f\n",
	    "[notify] admin_address: must be one plain address");
	expect_error(BASE "[password]\nmin_length = 20\nmax_length = 12\n",
	    "[password] min_length: is above max_length");
}

static void
test_long_line_and_nul(void **state)
{
	char big[2100];
	char nul[] = BASE "[code]\nlength = 8\0x\n";

	(void)state;
	memset(big, 'a', sizeof(big));
	big[sizeof(big) - 1] = '\0';
	expect_error(big, "line longer than 1024 bytes");
	assert_null(cfg_parse("t", nul, sizeof(nul) - 1, err, sizeof(err)));
	assert_non_null(strstr(err, "NUL byte"));
}

static void
put_file(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0600), 0);
}

/* cfg_load: the file, its secret and its questions read from disk. */
static void
test_load_files(void **state)
{
	char dir[] = "/tmp/test_cfg.XXXXXX", conf[256], pw[256], qs[256];
	char text[1024], *big;
	struct cfg *c;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(conf, sizeof(conf), "%s/c.conf", dir);
	snprintf(pw, sizeof(pw), "%s/pw", dir);
	snprintf(qs, sizeof(qs), "%s/q", dir);
	put_file(pw, "bind-pw\n", 8);
	snprintf(text, sizeof(text), "# comment\nFirst pet?\n\n  Home town?  \n");
	put_file(qs, text, strlen(text));
	snprintf(text, sizeof(text), "[directory]\nuri = ldaps://d\n"
	    "base = dc=e\nbind_dn = cn=s,dc=e\nbind_password_file = %s\n"
	    "[mail]\nsmtp_url = smtp://m:587\nfrom = a@b.c\n"
	    "[questions]\nlist = %s\n", pw, qs);
	put_file(conf, text, strlen(text));
	c = cfg_load(conf, err, sizeof(err));
	if (c == NULL)
		fail_msg("%s", err);
	assert_int_equal(c->questions.n, 2);
	assert_string_equal(c->questions.item[0], "First pet?");
	assert_string_equal(c->questions.item[1], "Home town?");
	cfg_unref(c);

	/* longer than 64 KiB: refused, whichever file it is */
	assert_non_null(big = malloc(70000));
	memset(big, '#', 70000);
	put_file(qs, big, 70000);
	assert_null(cfg_load(conf, err, sizeof(err)));
	assert_non_null(strstr(err, "too large"));
	put_file(conf, big, 70000);
	assert_null(cfg_load(conf, err, sizeof(err)));
	assert_non_null(strstr(err, "larger than 65536 bytes"));
	free(big);
	unlink(conf);
	unlink(pw);
	unlink(qs);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_minimal_and_defaults),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors_name_line_and_key),
		cmocka_unit_test(test_required_keys),
		cmocka_unit_test(test_cross_checks),
		cmocka_unit_test(test_from_display_name),
		cmocka_unit_test(test_loopback_plain_mail_allowed),
		cmocka_unit_test(test_directory_types),
		cmocka_unit_test(test_policy_lists),
		cmocka_unit_test(test_long_line_and_nul),
		cmocka_unit_test(test_load_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
