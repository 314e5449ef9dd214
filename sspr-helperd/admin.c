/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * admin.c: the requests of ssprctl (status, unblock, test-mail, reload,
 * the registration report).  Only root may make them, whatever
 * allowed_uids says.  The slow ones run on the pools like a flow's work;
 * the answer is a series of ADMIN_LINE frames and one ADMIN_END.
 *
 * Statics: started, loop thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "audit.h"
#include "flowint.h"
#include "latest.h"
#include "log.h"
#include "mail.h"
#include "pool.h"
#include "server.h"
#include "state.h"
#include "wire.h"

#ifndef SSPR_VERSION
#define SSPR_VERSION "unknown"
#endif

struct admin_job {
	struct job	 job;
	struct flow	*f;
	uint16_t	 op;
	char		 arg[SSPR_ARG_MAX + 1];
	char		**lines;
	size_t		 n, cap;
	int		 status;
	char		 message[SSPR_DETAIL_MAX + 1];
	int		 flows;
	long long	 uptime;
	struct send_report sends;	/* taken on the loop thread */
};

static long long started;	/* loop thread only */

/*
 * One line of output: fields separated by spaces, each percent-encoded
 * (%, space and anything outside printable ASCII), so that DNs, user IDs
 * and messages pass the protocol's text rules and split back exactly.
 */
static void
add_fields(void *arg, const char **f, int nf)
{
	struct admin_job *a = arg;
	char line[SSPR_LINE_MAX + 1], **n;
	const unsigned char *p;
	size_t o = 0;
	int i;

	for (i = 0; i < nf && o + 4 < sizeof(line); i++) {
		if (i)
			line[o++] = ' ';
		for (p = (const unsigned char *)f[i]; *p != '\0' &&
		    o + 4 < sizeof(line); p++) {
			if (*p <= ' ' || *p == '%' || *p >= 0x7f)
				o += (size_t)snprintf(line + o, sizeof(line) - o,
				    "%%%02X", *p);
			else
				line[o++] = (char)*p;
		}
	}
	line[o] = '\0';

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
static void
done(struct admin_job *a, int status, const char *fmt, const char *what)
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
	struct cfg *c = a->f->cfg;
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
	done(a, bad, "%s", bad ? "not healthy" : warn ?
	    "healthy, with warnings" : "healthy");
}

static void
unblock(struct admin_job *a, void *ctx)
{
	struct cfg *c = a->f->cfg;
	struct dir_result res;
	struct account acct;
	char key[STATE_ACCOUNT_KEY_LEN];

	if (dir_lookup(ctx, c, a->arg, &acct, &res) != 0) {
		done(a, 1, "%s", res.status == DIR_NOT_FOUND ? "no such account"
		    : res.detail);
		return;
	}
	if (c->throttle_store == STORE_FILE) {
		state_account_key(acct.dn, key);
		state_clear(key);
	} else if (dir_counters_clear(ctx, c, &acct, &res) != 0) {
		done(a, 1, "cannot clear the counters: %s", res.detail);
		account_clear(&acct);
		return;
	}
	done(a, 0, "counters of %s cleared", acct.dn);
	account_clear(&acct);
}

static void
test_mail(struct admin_job *a)
{
	char err[512];

	if (mail_send_test(a->f->cfg, a->arg, err, sizeof(err)) != 0)
		done(a, 1, "not sent: %s", err);
	else
		done(a, 0, "sent to %s", a->arg);
}

static void
report(struct admin_job *a, void *ctx)
{
	char err[512];

	if (dir_report(ctx, a->f->cfg, add_fields, a, err, sizeof(err)) != 0)
		done(a, 1, "%s", err);
	else
		done(a, 0, "%s", "report complete");
}

static void
run(struct job *j, void *ctx)
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
	}
}

static void
finish(struct admin_job *a)
{
	struct msg m;
	size_t i;

	for (i = 0; i < a->n; i++) {
		memset(&m, 0, sizeof(m));
		m.type = SSPR_MSG_ADMIN_LINE;
		snprintf(m.u.line, sizeof(m.u.line), "%s", a->lines[i]);
		flow_answer(a->f, &m);
	}
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_ADMIN_END;
	m.u.admin_end.status = (uint16_t)a->status;
	snprintf(m.u.admin_end.message, sizeof(m.u.admin_end.message), "%s",
	    a->message);
	flow_answer(a->f, &m);
	flow_end(a->f);
}

static void
job_done(struct job *j)
{
	struct admin_job *a = (struct admin_job *)j;
	size_t i;

	if (a->f->conn != NULL)
		finish(a);
	for (i = 0; i < a->n; i++)
		free(a->lines[i]);
	free(a->lines);
	flow_unref(a->f);
	free(a);
}

/* An ADMIN request on f's connection, from root. */
static void
admin_request(struct flow *f, const struct msg_admin *req, struct pool *dir,
    struct pool *mail)
{
	struct audit_rec r = { .event = "admin", .source = f->source,
	    .service = f->service, .flow = f->id, .caller = f->uid };
	struct admin_job *a = calloc(1, sizeof(*a));
	char err[1024];

	if (a == NULL) {
		flow_end(f);
		return;
	}
	a->f = f;
	a->op = req->op;
	snprintf(a->arg, sizeof(a->arg), "%s", req->arg);
	a->flows = flow_count() - 1;
	a->uptime = time(NULL) - started;
	work_send_report(f->cfg, &a->sends);
	a->job.run = run;
	a->job.done = job_done;
	flow_ref(f);
	switch (req->op) {
	case SSPR_ADMIN_RELOAD:
		r.reason = "reload";
		if (server_reload(err, sizeof(err)) == 0)
			done(a, 0, "%s", "configuration reloaded");
		else
			done(a, 1, "%s", err);
		r.result = a->status ? "failed" : "ok";
		audit(&r);
		job_done(&a->job);
		return;
	case SSPR_ADMIN_UNBLOCK:
		r.reason = "unblock";
		r.user = a->arg;
		r.result = "requested";
		audit(&r);
		/* FALLTHROUGH */
	case SSPR_ADMIN_STATUS:
	case SSPR_ADMIN_REPORT:
		pool_submit(dir, &a->job);
		return;
	case SSPR_ADMIN_TEST_MAIL:
		pool_submit(mail, &a->job);
		return;
	default:
		done(a, 1, "%s", "unknown request");
		job_done(&a->job);
		return;
	}
}

/* ssprctl: root only, whatever allowed_uids and self_callers say. */
static void
on_admin(struct flow *f, struct msg *in)
{
	struct pool *dir, *mail;

	if (f->uid != 0) {
		flog(f, LOG_WARNING, "an ADMIN request from uid %u refused",
		    (unsigned)f->uid);
		flow_fail(f, SSPR_R_NOT_ALLOWED);
		return;
	}
	f->state = F_END;
	flow_deadline(f, 3LL * f->cfg->dir_timeout * 1000 +
	    f->cfg->mail_timeout * 1000LL + 60000);
	work_pools(&dir, &mail);
	admin_request(f, &in->u.admin, dir, mail);
}

static const struct accept_row admin_rows[] = {
	{ F_READY,	SSPR_MSG_ADMIN,		on_admin },
	{ F_END,	0,			NULL },
};

static const struct flow_family admin_family = {
	.name = "admin",
	.accept = admin_rows,
};

void
admin_family_init(void)
{
	started = time(NULL);
	flow_family_add(&admin_family);
}
