/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * preflight.c: what sspr-helperd --check says after the configuration
 * parsed.  Offline: whether the daemon's user can read what it must (as
 * root: a child that becomes that user tries each file), and the policy
 * a directory administrator gets.  With --online it proves the rest a
 * reset needs (dir_probe.c for the directory): the mail server with its
 * TLS and AUTH, a test message if asked, the SMS gateway, and which
 * [throttle] store auto picks.  Each finding is one line, OK, WARN or
 * FAIL, and the fix under a WARN or FAIL; any FAIL makes the exit 1.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mail.h"
#include "preflight.h"
#include "sms.h"

struct tally {
	int	fails;
};

static void
line(void *arg, int level, const char *what, const char *fix)
{
	static const char *const tag[] = { "OK  ", "WARN", "FAIL" };
	struct tally *t = arg;

	printf("%s  %s\n", tag[level], what);
	if (fix != NULL && level != PF_OK)
		printf("      fix: %s\n", fix);
	if (level == PF_FAIL)
		t->fails++;
	fflush(stdout);
}

static void
say(struct tally *t, int level, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
say(struct tally *t, int level, const char *fix, const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	line(t, level, what, fix);
}

/* What the daemon does with a file, so what the check tries. */
enum use {
	USE_READ,	/* open it O_RDONLY */
	USE_LIST,	/* read a directory */
	USE_WRITE,	/* open it O_RDWR */
	USE_APPEND,	/* open it O_WRONLY | O_APPEND */
	USE_CREATE,	/* create files in a directory */
};

static int
usable(const char *path, enum use use)
{
	DIR *d;
	int fd;

	switch (use) {
	case USE_LIST:
		if ((d = opendir(path)) == NULL)
			return -1;
		closedir(d);
		return 0;
	case USE_CREATE:
		return access(path, W_OK | X_OK);
	default:
		fd = open(path, (use == USE_READ ? O_RDONLY : use == USE_WRITE ?
		    O_RDWR : O_WRONLY | O_APPEND) | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return -1;
		close(fd);
		return 0;
	}
}

/* Can the current user use path as the daemon would? */
static void
try_file(struct tally *t, const char *user, const char *key,
    const char *path, enum use use)
{
	const char *verb = use == USE_READ || use == USE_LIST ? "read" :
	    use == USE_CREATE ? "write in" : "write";
	char fix[512];

	if (path == NULL || *path == '\0')
		return;
	if (usable(path, use) == 0) {
		say(t, PF_OK, NULL, "%s can %s %s %s", user, verb, key, path);
		return;
	}
	if (use == USE_CREATE)
		snprintf(fix, sizeof(fix), "give %s the directory (the unit's "
		    "StateDirectory= or LogsDirectory= does): chown %s %s && "
		    "chmod 700 %s", user, user, path, path);
	else
		snprintf(fix, sizeof(fix), "give %s access, keeping others "
		    "out: chgrp %s %s && chmod g+%s %s", user, user, path,
		    use == USE_READ || use == USE_LIST ? "r" : "rw", path);
	say(t, PF_FAIL, fix, "%s cannot %s %s %s: %s", user, verb, key, path,
	    strerror(errno));
}

/* The parent directory of path, in buf. */
static const char *
dir_of(const char *path, char *buf, size_t size)
{
	char *slash;

	snprintf(buf, size, "%s", path);
	if ((slash = strrchr(buf, '/')) == NULL)
		return ".";
	if (slash == buf)
		slash[1] = '\0';
	else
		*slash = '\0';
	return buf;
}

/* In the child, as the daemon's user: every file the daemon opens. */
static void
try_all(struct tally *t, const struct cfg *c, const char *u)
{
	char buf[4096];
	struct stat st;
	int i;

	try_file(t, u, "the configuration", c->path, USE_READ);
	try_file(t, u, "[directory] bind_password_file", c->bind_password_file,
	    USE_READ);
	try_file(t, u, "[directory] tls_ca_file", c->dir_ca_file, USE_READ);
	try_file(t, u, "[mail] password_file", c->mail_password_file,
	    USE_READ);
	try_file(t, u, "[mail] tls_ca_file", c->mail_ca_file, USE_READ);
	try_file(t, u, "[mail] template_dir", c->template_dir, USE_LIST);
	if (cfg_method(c, "totp"))
		try_file(t, u, "[totp] key_file", c->totp_key_file, USE_READ);
	for (i = 0; cfg_method(c, "totp") && i < c->totp_old_key_files.n; i++)
		try_file(t, u, "[totp] old_key_files",
		    c->totp_old_key_files.item[i], USE_READ);
	try_file(t, u, "[sms] auth_header_file", c->sms_auth_header_file,
	    USE_READ);
	try_file(t, u, "[sms] tls_ca_file", c->sms_ca_file, USE_READ);
	try_file(t, u, "[password] banned_words_file", c->banned_words_file,
	    USE_READ);
	if (c->pwquality)
		try_file(t, u, "[password] pwquality_conf", c->pwquality_conf,
		    USE_READ);
	if (stat(c->state_file, &st) == 0)
		try_file(t, u, "[throttle] state_file", c->state_file,
		    USE_WRITE);
	try_file(t, u, "the directory of [throttle] state_file",
	    dir_of(c->state_file, buf, sizeof(buf)), USE_CREATE);
	if (*c->audit_file != '\0' && stat(c->audit_file, &st) == 0)
		try_file(t, u, "[audit] file", c->audit_file, USE_APPEND);
	else if (*c->audit_file != '\0')
		try_file(t, u, "the directory of [audit] file",
		    dir_of(c->audit_file, buf, sizeof(buf)), USE_CREATE);
}

/*
 * Run as root, --check reads every file as root, which proves nothing
 * about the daemon's user: a child becomes that user (its groups as
 * systemd gives them: initgroups) and opens each file again.
 */
static void
daemon_user(struct tally *t, const struct cfg *c)
{
	struct passwd *pw = getpwnam(SSPR_DAEMON_USER);
	struct tally child = { 0 };
	int status;
	pid_t pid;

	if (geteuid() != 0) {
		pw = getpwuid(geteuid());
		say(t, PF_OK, NULL, "files: read as %s, the user this check "
		    "runs as", pw ? pw->pw_name : "this user");
		return;
	}
	if (pw == NULL) {
		say(t, PF_WARN, "run --check as the user the daemon runs as "
		    "(the unit's User=): only that proves what it can read",
		    "files: not run as the daemon's user, and there is no "
		    "user %s (create it: systemd-sysusers)", SSPR_DAEMON_USER);
		return;
	}
	fflush(stdout);
	if ((pid = fork()) < 0) {
		say(t, PF_WARN, "run as " SSPR_DAEMON_USER " to check what it "
		    "can read", "files: cannot fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
		    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
		    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
			say(&child, PF_FAIL, NULL, "files: cannot become "
			    "%s: %s", pw->pw_name, strerror(errno));
			_exit(1);
		}
		try_all(&child, c, pw->pw_name);
		fflush(stdout);
		_exit(child.fails > 0);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		t->fails++;
}

static void
mail_checks(struct tally *t, const struct cfg *c, const char *test_to)
{
	const char *fix;
	char err[512];

	if (mail_diagnose(c, err, sizeof(err), &fix) != 0)
		say(t, PF_FAIL, fix, "mail %s: %s", c->smtp_url, err);
	else
		say(t, PF_OK, NULL, "mail %s: connected%s%s%s", c->smtp_url,
		    c->mail_tls == MAIL_TLS_STARTTLS ? ", STARTTLS" :
		    c->mail_tls == MAIL_TLS_IMPLICIT ? ", TLS" : ", no TLS",
		    *c->mail_username ? ", AUTH as " : "", c->mail_username);
	if (test_to == NULL)
		return;
	if (mail_send_test(c, test_to, err, sizeof(err)) != 0)
		say(t, PF_FAIL, "see the mail line above", "mail: the test "
		    "message to %s was not sent: %s", test_to, err);
	else
		say(t, PF_OK, NULL, "mail: a test message went to %s (the "
		    "server took it; look in that mailbox)", test_to);
}

int
preflight_run(struct cfg *c, const struct preflight *p)
{
	struct tally t = { 0 };
	char err[512];

	daemon_user(&t, c);
	if (c->dir_type == DIR_OPENLDAP && c->admin_groups.n == 0 &&
	    c->exclude_groups.n == 0)
		say(&t, PF_WARN, "set [policy] admin_group to the group of the "
		    "directory's administrators (they then need "
		    "admin_methods_required methods), or exclude_groups",
		    "policy: no admin rule on OpenLDAP: a directory "
		    "administrator can reset their password with one code");
	if (!p->online) {
		if (c->throttle_store == STORE_AUTO)
			say(&t, PF_OK, NULL, "throttle: store = auto is "
			    "decided at start (--online says which)");
		return t.fails > 0;
	}
	if (c->throttle_store == STORE_AUTO) {
		dir_store_resolve(c);
		say(&t, c->throttle_store == STORE_DIRECTORY ? PF_OK : PF_WARN,
		    "load ldap-schema/ (ldap-schema/README.md) so that all "
		    "hosts share the counters, or set [throttle] store = file",
		    "throttle: store = auto picks %s", c->store_note);
	}
	dir_preflight(c, p->probe_user, line, &t);
	mail_checks(&t, c, p->test_mail);
	if (*c->sms_url != '\0') {
		if (sms_probe(c, err, sizeof(err)) != 0)
			say(&t, PF_FAIL, "check [sms] url and tls_ca_file",
			    "sms: %s", err);
		else
			say(&t, PF_OK, NULL, "sms: the gateway's host answers "
			    "(connect and TLS only: nothing is sent)");
	}
	printf("%s\n", t.fails ? "preflight: FAILED" : "preflight: OK");
	return t.fails > 0;
}
