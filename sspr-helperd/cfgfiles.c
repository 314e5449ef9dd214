/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cfgfiles.c: the files a configuration trusts besides its own text: who
 * may own them, the secrets (bind password, SMTP password, the SMS
 * gateway's header), each in a file only its owner may read, and the
 * questions file.  Read after the text is parsed and checked (cfg_load),
 * never by cfg_parse.
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "cfgparse.h"

/*
 * The owner rule for every file the daemon trusts (the configuration,
 * the files it names, every secret): root, the user the daemon runs as,
 * or the packaged daemon user _sspr (so that root may run --check on a
 * host laid out for the unit).  Whoever owns a file can chmod it, so
 * anyone else could read the secret or rewrite the file whatever its
 * mode says now.  0 if st keeps the rule, else -1 with why naming path
 * and the rule.
 */
int
cfg_owner_ok(const char *path, const struct stat *st, char *why,
    size_t size)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (st->st_uid == 0 || st->st_uid == geteuid())
		return 0;
	if (getpwnam_r(SSPR_DAEMON_USER, &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL && st->st_uid == pw.pw_uid)
		return 0;
	snprintf(why, size, "%s is owned by uid %u: it must belong to root, "
	    "to %s or to the user the daemon runs as (uid %u)", path,
	    (unsigned)st->st_uid, SSPR_DAEMON_USER, (unsigned)geteuid());
	return -1;
}

/*
 * Reads a secret from a file that only its owner may read: a bind
 * password readable by others is a directory-wide compromise waiting to
 * happen (cf. CVE-2009-1073 in nss_ldap), so the daemon will not start.
 */
static int
read_secret(struct parser *ps, const char *section, const char *name,
    const char *file, struct secret *out)
{
	char buf[SSPR_SECRET_MAX + 2], why[600];
	struct stat st;
	ssize_t n;
	int fd, r = -1;

	fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(why, sizeof(why), "cannot open %s: %s", file,
		    strerror(errno));
		return cfg_fail_at(ps, section, name, why);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		cfg_fail_at(ps, section, name, "not a regular file");
		goto out;
	}
	if ((st.st_mode & (S_IRWXO | S_IWGRP)) != 0) {
		cfg_fail_at(ps, section, name, "the file is readable or "
		    "writable by others (or writable by its group): chmod 600 "
		    "it, or 640 with the daemon's group");
		goto out;
	}
	if (cfg_owner_ok(file, &st, why, sizeof(why)) != 0) {
		cfg_fail_at(ps, section, name, why);
		goto out;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0 || n > SSPR_SECRET_MAX) {
		cfg_fail_at(ps, section, name, "unreadable or longer than 512 "
		    "bytes");
		goto out;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n == 0 || memchr(buf, '\0', (size_t)n) != NULL ||
	    memchr(buf, '\n', (size_t)n) != NULL) {
		cfg_fail_at(ps, section, name, "the file must hold one "
		    "non-empty line");
		goto out;
	}
	secret_set(out, buf, (size_t)n);
	r = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return r;
}

/*
 * The rest of the file open at fd, at most CFG_FILE_MAX bytes, NUL
 * terminated (malloc'd), its length in *len.  NULL with errno set when it
 * cannot be read (EFBIG: longer) or there is no memory.
 */
char *
cfg_read_text(int fd, size_t *len)
{
	char *text;
	size_t n = 0;
	ssize_t got;

	if ((text = malloc(CFG_FILE_MAX + 1)) == NULL)
		return NULL;
	while ((got = read(fd, text + n, CFG_FILE_MAX + 1 - n)) > 0)
		n += (size_t)got;
	if (got < 0 || n > CFG_FILE_MAX) {
		if (got == 0)
			errno = EFBIG;
		free(text);
		return NULL;
	}
	text[n] = '\0';
	*len = n;
	return text;
}

/* The configuration file itself: not writable but by its owner. */
int
cfg_file_safe(struct parser *ps, int fd)
{
	struct stat st;
	char why[600];

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return cfg_fail(ps, 0, NULL, "not a regular file");
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return cfg_fail(ps, 0, NULL, "writable by group or others");
	if (cfg_owner_ok(ps->path, &st, why, sizeof(why)) != 0)
		return cfg_fail(ps, 0, NULL, "%s", why);
	return 0;
}

/*
 * [sms] auth_header_file: one HTTP header line, "Name: value".  The value
 * is a credential: it is never printed, and neither is this line.
 */
static int
read_auth_header(struct parser *ps)
{
	struct cfg *c = ps->cfg;
	const char *h;
	size_t n, i;

	if (read_secret(ps, "sms", "auth_header_file", c->sms_auth_header_file,
	    &c->sms_auth_header) != 0)
		return -1;
	h = secret_str(&c->sms_auth_header);
	n = strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_");
	for (i = 0; i < c->sms_auth_header.len; i++)
		if ((unsigned char)h[i] < 0x20 || h[i] == 0x7f)
			break;
	if (n == 0 || h[n] != ':' || i != c->sms_auth_header.len)
		return cfg_fail_at(ps, "sms", "auth_header_file", "the file "
		    "must hold one header line such as 'Authorization: Bearer "
		    "...'");
	return 0;
}

/*
 * [questions] list = /path: one question per line; empty lines and lines
 * starting with # are skipped.  The file must not be writable by others.
 */
static int
read_questions(struct parser *ps)
{
	struct cfg *c = ps->cfg;
	struct cfglist *l = &c->questions;
	char *text, *line, *save = NULL, *q, what[600];
	struct stat st;
	size_t len;
	int fd, r = 0;

	fd = open(l->text, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(what, sizeof(what), "cannot open %s: %s", l->text,
		    strerror(errno));
		return cfg_fail_at(ps, "questions", "list", what);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		close(fd);
		return cfg_fail_at(ps, "questions", "list", "the file must be "
		    "a regular file not writable by group or others");
	}
	if (cfg_owner_ok(l->text, &st, what, sizeof(what)) != 0) {
		close(fd);
		return cfg_fail_at(ps, "questions", "list", what);
	}
	text = cfg_read_text(fd, &len);
	close(fd);
	if (text == NULL && errno == ENOMEM)
		return cfg_fail_at(ps, "questions", "list", "out of memory");
	if (text == NULL || memchr(text, '\0', len)) {
		free(text);
		return cfg_fail_at(ps, "questions", "list", "the file is "
		    "unreadable, too large or holds a NUL byte");
	}
	for (line = strtok_r(text, "\n", &save); line != NULL && r == 0;
	    line = strtok_r(NULL, "\n", &save)) {
		q = cfg_trim(line);
		if (*q == '\0' || *q == '#')
			continue;
		if (l->n == CFG_MAX_WORDS)
			r = cfg_fail_at(ps, "questions", "list", "more than 64 "
			    "questions in the file");
		else if (!cfg_text_line_ok(q))
			r = cfg_fail_at(ps, "questions", "list", "a question "
			    "in the file is longer than 200 bytes or holds a "
			    "control character");
		else if ((l->item[l->n] = strdup(q)) == NULL)
			r = cfg_fail_at(ps, "questions", "list",
			    "out of memory");
		else
			l->n++;
	}
	free(text);
	if (r == 0 && cfg_method(c, "questions") &&
	    l->n < c->questions_required)
		r = cfg_fail_at(ps, "questions", "list", "the file holds fewer "
		    "questions than [questions] required");
	return r;
}

/* The secret files and the questions file the parsed keys name. */
int
cfg_read_files(struct parser *ps)
{
	struct cfg *c = ps->cfg;

	/* a relay holds no directory credential (cfg_parse_text) */
	if (c->role != ROLE_RELAY && read_secret(ps, "directory",
	    "bind_password_file", c->bind_password_file,
	    &c->bind_password) != 0)
		return -1;
	if (*c->mail_password_file != '\0' && read_secret(ps, "mail",
	    "password_file", c->mail_password_file, &c->mail_password) != 0)
		return -1;
	if (*c->sms_auth_header_file != '\0' && read_auth_header(ps) != 0)
		return -1;
	if (*c->questions.text == '/' && read_questions(ps) != 0)
		return -1;
	return 0;
}
