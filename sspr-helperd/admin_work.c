/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * admin_work.c: the worker side of ssprctl's requests (status, unblock,
 * test-mail, the registration and activity reports, new recovery
 * codes), on a pool's
 * worker.  It sees the
 * request as a value (admin_work.h), never the flow it came on; admin.c
 * answers on the loop thread.  No file-scope state.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin_work.h"
#include "auditread.h"
#include "dirstore.h"
#include "log.h"
#include "mail.h"
#include "state.h"
#include "wire.h"

#ifndef SSPR_VERSION
#define SSPR_VERSION "unknown"
#endif

/*
 * One line of output: fields separated by spaces, each percent-encoded
 * (%, space and anything outside printable ASCII), so that DNs, user IDs
 * and messages pass the protocol's text rules and split back exactly.
 * line has size bytes (SSPR_LINE_MAX + 1 for an ADMIN_LINE).
 */
void
admin_line_encode(char *line, size_t size, const char **f, int nf)
{
	const unsigned char *p;
	size_t o = 0;
	int i;

	for (i = 0; i < nf && o + 4 < size; i++) {
		if (i)
			line[o++] = ' ';
		for (p = (const unsigned char *)f[i]; *p != '\0' &&
		    o + 4 < size; p++) {
			if (*p <= ' ' || *p == '%' || *p >= 0x7f)
				o += (size_t)snprintf(line + o, size - o,
				    "%%%02X", *p);
			else
				line[o++] = (char)*p;
		}
	}
	line[o] = '\0';
}

static void
add_fields(void *arg, const char **f, int nf)
{
	struct admin_job *a = arg;
	char line[SSPR_LINE_MAX + 1], **n;

	admin_line_encode(line, sizeof(line), f, nf);

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 64;
		if ((n = realloc(a->lines, a->cap * sizeof(*n))) == NULL)
			return;
		a->lines = n;
	}
	if ((a->lines[a->n] = strdup(line)) != NULL)
		a->n++;
}

static void
add_pair(struct admin_job *a, const char *key, const char *value)
{
	const char *f[2] = { key, value };

	add_fields(a, f, 2);
}

/*
 * The closing message, as the wire takes it: what comes from the
 * directory or the request may hold control bytes or be long, and a cut
 * must not split a character (or the frame is refused and ssprctl hears
 * nothing).
 */
void
admin_job_set(struct admin_job *a, int status, const char *fmt,
    const char *what)
{
	char tmp[2048];
	size_t n, i;

	a->status = status;
	snprintf(tmp, sizeof(tmp), fmt, what);
	n = strlen(tmp);
	if (n >= sizeof(a->message)) {
		n = sizeof(a->message) - 1;
		while (n > 0 && ((unsigned char)tmp[n] & 0xc0) == 0x80)
			n--;
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)tmp[i] < 0x20 || tmp[i] == 0x7f)
			tmp[i] = '?';
	memcpy(a->message, tmp, n);
	a->message[n] = '\0';
	if (!wire_text_ok((const unsigned char *)a->message, n))
		snprintf(a->message, sizeof(a->message), "%s",
		    status ? "failed (the reason is not printable)" : "done");
}

/* "12 s ago", or "never" (since the daemon started). */
static void
ago(char *out, size_t size, long long when)
{
	if (when == 0)
		snprintf(out, size, "never since start");
	else
		snprintf(out, size, "%lld s ago", (long long)time(NULL) - when);
}

/*
 * The codes sent lately: a daemon whose last send failed is not healthy,
 * however well its servers answer a probe (the schema may be missing, or
 * the server may refuse what it accepted a connection for).
 */
static int
sends(struct admin_job *a)
{
	const struct send_report *r = &a->sends;
	char line[600], when[64];

	ago(when, sizeof(when), r->last_ok);
	add_pair(a, "last code sent", when);
	if (r->last_fail == 0) {
		add_pair(a, "send failures", "none since start");
		return 0;
	}
	ago(when, sizeof(when), r->last_fail);
	snprintf(line, sizeof(line), "%d in the last hour, the last %s: %s",
	    r->fails, when, r->cause);
	add_pair(a, "send failures", line);
	if (r->mail_down)
		add_pair(a, "new resets", "REFUSED while the mail server fails "
		    "(a reset in 5 s tries it again)");
	if (r->last_fail < r->last_ok)
		return 0;
	add_pair(a, "codes", "FAILING: the last send failed");
	return 1;
}

static void
status(struct admin_job *a, void *ctx)
{
	struct cfg *c = a->cfg;
	char line[1200], err[512];
	int bad = 0, warn = 0;

	(void)ctx;
	add_pair(a, "version", SSPR_VERSION);
	snprintf(line, sizeof(line), "%lld s", a->uptime);
	add_pair(a, "uptime", line);
	snprintf(line, sizeof(line), "%d in progress", a->flows);
	add_pair(a, "flows", line);
	if (dir_check(c, err, sizeof(err)) != 0) {
		snprintf(line, sizeof(line), "UNREACHABLE: %s", err);
		bad = 1;
	} else if (dir_probe_search(c, err, sizeof(err)) != 0) {
		snprintf(line, sizeof(line), "CANNOT SEARCH: %s", err);
		bad = 1;
	} else
		snprintf(line, sizeof(line), "reachable (%s)", c->uris[0]);
	add_pair(a, "directory", line);
	if (mail_probe(c, err, sizeof(err)) == 0)
		snprintf(line, sizeof(line), "reachable (%s)", c->smtp_url);
	else {
		snprintf(line, sizeof(line), "UNREACHABLE: %s", err);
		bad = 1;
	}
	add_pair(a, "mail", line);
	if (c->store_auto && c->throttle_store == STORE_FILE) {
		snprintf(line, sizeof(line), "WARNING auto: %s", c->store_note);
		warn = 1;
	} else
		snprintf(line, sizeof(line), "%s%s", c->store_auto ? "auto: " :
		    "", c->throttle_store == STORE_FILE ? "file" : "directory");
	add_pair(a, "throttle store", line);
	bad |= sends(a);
	admin_job_set(a, bad, "%s", bad ? "not healthy" : warn ?
	    "healthy, with warnings" : "healthy");
}

static void
unblock(struct admin_job *a, void *ctx)
{
	const struct dir_backend *be = dir_backend();
	struct cfg *c = a->cfg;
	struct dir_result res;
	struct account acct;
	char key[STATE_ACCOUNT_KEY_LEN];

	if (be->lookup(ctx, c, a->arg, &acct, &res) != 0) {
		admin_job_set(a, 1, "%s", res.status == DIR_NOT_FOUND ? "no such account"
		    : res.detail);
		return;
	}
	if (c->throttle_store == STORE_FILE) {
		state_account_key(acct.dn, key);
		state_clear(key);
	} else if (be->counters_clear(ctx, c, &acct,
	    &res) != 0) {
		admin_job_set(a, 1, "cannot clear the counters: %s", res.detail);
		account_clear(&acct);
		return;
	}
	admin_job_set(a, 0, "counters of %s cleared", acct.dn);
	account_clear(&acct);
}

/*
 * ssprctl rcodes issue USER: a new set for the account (the old one
 * revoked), its codes as the answer's lines, shown there once and never
 * logged.  Only for accounts a reset would serve.
 */
static void
rcodes(struct admin_job *a, void *ctx)
{
	const struct dir_backend *be = dir_backend();
	struct dir_result res;
	struct account acct;
	struct secret shown = { 0 };
	const char *f[1];
	char *p, *nl;

	if (!cfg_method(a->cfg, "rcodes")) {
		admin_job_set(a, 1, "%s", "[policy] methods does not include "
		    "rcodes");
		return;
	}
	if (be->lookup(ctx, a->cfg, a->arg, &acct, &res) != 0) {
		admin_job_set(a, 1, "%s", res.status == DIR_NOT_FOUND ?
		    "no such account" : res.detail);
		return;
	}
	if (acct.excluded || !acct.in_scope ||
	    account_named(&acct, &a->cfg->exclude_users)) {
		admin_job_set(a, 1, "%s", "that account is excluded from "
		    "self-service reset");
		account_clear(&acct);
		return;
	}
	if (rcodes_issue(ctx, a->cfg, &acct, &shown, &res) != 0) {
		admin_job_set(a, 1, "no new codes: %s", res.detail);
		account_clear(&acct);
		return;
	}
	for (p = (char *)shown.buf; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		f[0] = p;
		add_fields(a, f, 1);
		if (nl == NULL)
			break;
	}
	secret_wipe(&shown);
	log_msg(LOG_NOTICE, "ssprctl: new recovery codes for %s (the old "
	    "set revoked)", acct.dn);
	admin_job_set(a, 0, "new recovery codes for %s; the old ones no "
	    "longer work", acct.dn);
	account_clear(&acct);
}

/*
 * ssprctl pass issue USER wrote a pass: whom to tell, found here in the
 * directory (never taken from ssprctl), the addresses a pass's use is
 * told at.  admin.c sends on the mail pool; the pass is not known here.
 */
static void
pass_issued(struct admin_job *a, void *ctx)
{
	const struct dir_backend *be = dir_backend();
	struct dir_result res;
	struct account acct;
	const char *to[3];
	int n = 0, i;

	if (!a->cfg->notify) {
		admin_job_set(a, 1, "%s", "not notified: [notify] is off");
		return;
	}
	if (be->lookup(ctx, a->cfg, a->arg, &acct, &res) != 0) {
		admin_job_set(a, 1, "not notified: %s", res.status ==
		    DIR_NOT_FOUND ? "no such account" : res.detail);
		return;
	}
	account_notify_to(a->cfg, &acct, account_reset_mail(a->cfg, &acct),
	    acct.mail, to);
	for (i = 0; i < 3; i++)
		if (to[i] != NULL)
			snprintf(a->notify_to[n++], sizeof(a->notify_to[0]),
			    "%s", to[i]);
	/* a user ID the directory found fits; the bound keeps gcc sure */
	snprintf(a->user, sizeof(a->user), "%.*s", SSPR_USER_MAX, a->arg);
	if (n == 0)
		admin_job_set(a, 1, "not notified: %s has no recovery address",
		    acct.dn);
	else
		admin_job_set(a, 0, "the recovery addresses of %s are being "
		    "notified", acct.dn);
	account_clear(&acct);
}

static void
test_mail(struct admin_job *a)
{
	char err[512];

	if (mail_send_test(a->cfg, a->arg, err, sizeof(err)) != 0)
		admin_job_set(a, 1, "not sent: %s", err);
	else
		admin_job_set(a, 0, "sent to %s", a->arg);
}

static void
report(struct admin_job *a, void *ctx)
{
	const struct dir_backend *be = dir_backend();
	char err[512];

	if (be->report(ctx, a->cfg, add_fields, a, err, sizeof(err)) != 0)
		admin_job_set(a, 1, "%s", err);
	else
		admin_job_set(a, 0, "%s", "report complete");
}

/*
 * The newest ACT_SEND_MAX records, oldest first: every line of the
 * answer is queued before the first is written, so the answer is
 * bounded here; --since narrows it.  The file is read from its end
 * (act_read_back), and only until one record more than is sent says
 * that older ones were left out: how many is not counted, as that would
 * read the whole file.
 */
#define ACT_SEND_MAX	2000

struct act_pick {
	char		**line;		/* ACT_SEND_MAX, filled from the end */
	size_t		 n;
	int		 more, oom;
};

static int
act_keep(void *arg, const struct act_row *row)
{
	struct act_pick *p = arg;
	const char *f[ACT_NFIELDS];
	char line[SSPR_LINE_MAX + 1];
	int i;

	if (p->n == ACT_SEND_MAX) {
		p->more = 1;
		return 1;
	}
	for (i = 0; i < ACT_NFIELDS; i++)
		f[i] = row->f[i];
	admin_line_encode(line, sizeof(line), f, ACT_NFIELDS);
	if ((p->line[ACT_SEND_MAX - 1 - p->n] = strdup(line)) == NULL) {
		p->oom = 1;
		return 1;
	}
	p->n++;
	return 0;
}

/* ssprctl report activity against this server: its own audit file. */
static void
activity(struct admin_job *a)
{
	struct act_pick p = { .line = NULL };
	char *end, msg[128];
	long long since;
	size_t i;

	since = strtoll(a->arg, &end, 10);
	if (a->arg[0] < '0' || a->arg[0] > '9' || *end != '\0' || since < 0) {
		admin_job_set(a, 1, "%s", "not a time (unix seconds)");
		return;
	}
	if (a->cfg->audit_file[0] == '\0') {
		admin_job_set(a, 1, "%s", "no activity kept here: [audit] file "
		    "is not set");
		return;
	}
	if ((p.line = calloc(ACT_SEND_MAX, sizeof(*p.line))) == NULL) {
		admin_job_set(a, 1, "%s", "out of memory");
		return;
	}
	if (act_read_back(a->cfg->audit_file, since, act_keep, &p) != 0) {
		admin_job_set(a, 1, "cannot read the audit file: %s",
		    strerror(errno));
		goto out;
	}
	if (p.oom) {
		admin_job_set(a, 1, "%s", "out of memory");
		goto out;
	}
	/* newest first at the array's end: oldest first from its start */
	memmove(p.line, p.line + ACT_SEND_MAX - p.n, p.n * sizeof(*p.line));
	a->lines = p.line;
	a->n = a->cap = p.n;
	p.line = NULL;
	p.n = 0;
	if (p.more)
		snprintf(msg, sizeof(msg), ACT_CUT_NOTE " %zu records; older "
		    "records left out (narrow --since)", a->n);
	else
		snprintf(msg, sizeof(msg), "%zu records", a->n);
	admin_job_set(a, 0, "%s", msg);
out:
	for (i = 0; i < p.n; i++)
		free(p.line[ACT_SEND_MAX - 1 - i]);
	free(p.line);
}

void
admin_job_run(struct job *j, void *ctx)
{
	struct admin_job *a = (struct admin_job *)j;

	switch (a->op) {
	case SSPR_ADMIN_STATUS:
		status(a, ctx);
		break;
	case SSPR_ADMIN_UNBLOCK:
		unblock(a, ctx);
		break;
	case SSPR_ADMIN_TEST_MAIL:
		test_mail(a);
		break;
	case SSPR_ADMIN_REPORT:
		report(a, ctx);
		break;
	case SSPR_ADMIN_RCODES:
		rcodes(a, ctx);
		break;
	case SSPR_ADMIN_PASS_ISSUED:
		pass_issued(a, ctx);
		break;
	case SSPR_ADMIN_ACTIVITY:
		activity(a);
		break;
	}
}

