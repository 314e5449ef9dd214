/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * admin.c: the requests of ssprctl (status, unblock, test-mail, reload,
 * the registration and activity reports, new recovery codes, a pass's
 * notice).  Only root may make them, whatever
 * allowed_uids says.  The slow ones run on the pools like a flow's work
 * (admin_work.c, which sees the request as a value, never the flow);
 * the answer is a series of ADMIN_LINE frames and one ADMIN_END.
 *
 * Statics: started, act_wait, act_busy: loop thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin_work.h"
#include "audit.h"
#include "flowint.h"
#include "log.h"
#include "server.h"

static long long started;	/* loop thread only */
/*
 * Activity reports read the audit file on a mail worker (it is no
 * directory's work), one at a time: however many admin hosts ask at
 * once, the other mail workers stay free for people's codes.  The rest
 * wait here, linked by job.next (they are on no pool's queue then).
 */
static struct job	*act_wait, **act_wait_end = &act_wait;
static int		 act_busy;

static void
act_submit(struct pool *mail, struct job *j)
{
	if (j != NULL) {
		j->next = NULL;
		*act_wait_end = j;
		act_wait_end = &j->next;
	}
	if (act_busy || act_wait == NULL)
		return;
	j = act_wait;
	if ((act_wait = j->next) == NULL)
		act_wait_end = &act_wait;
	act_busy = 1;
	pool_submit(mail, j);
}

/* One report is done: the next may read. */
static void
act_next(void)
{
	struct pool *dir, *mail;

	act_busy = 0;
	work_pools(&dir, &mail);
	act_submit(mail, NULL);
}

static void
finish(struct flow *f, struct admin_job *a)
{
	struct msg m;
	size_t i;

	for (i = 0; i < a->n; i++) {
		memset(&m, 0, sizeof(m));
		m.type = SSPR_MSG_ADMIN_LINE;
		snprintf(m.u.line, sizeof(m.u.line), "%s", a->lines[i]);
		flow_answer(f, &m);
	}
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_ADMIN_END;
	m.u.admin_end.status = (uint16_t)a->status;
	snprintf(m.u.admin_end.message, sizeof(m.u.admin_end.message), "%s",
	    a->message);
	flow_answer(f, &m);
	flow_end(f);
}

static void
notice_done(void *owner, struct mail_spec *m)
{
	(void)owner;
	if (!m->ok)
		log_msg(LOG_ERR, "notifying %s of a pass failed: %s", m->to,
		    m->err);
}

/*
 * A pass was issued (ssprctl pass issue): audited, and the addresses
 * admin_work.c found told on the mail pool, best effort like any notice.
 */
static void
pass_issued_done(struct flow *f, struct admin_job *a)
{
	struct audit_rec r = { .event = "pass-issued", .source = f->source,
	    .service = f->service, .flow = f->id, .caller = f->uid,
	    .user = a->arg, .method = "pass",
	    .host = f->host[0] != '\0' ? f->host : NULL };
	struct pool *dir, *mail;
	struct mail_spec *m;
	int i;

	r.result = a->status ? "not-notified" : "notified";
	audit(&r);
	work_pools(&dir, &mail);
	for (i = 0; i < 3; i++) {
		if (a->notify_to[i][0] == '\0' ||
		    (m = mail_job_new("notify-pass-issued", a->cfg)) == NULL)
			continue;
		snprintf(m->to, sizeof(m->to), "%s", a->notify_to[i]);
		snprintf(m->user, sizeof(m->user), "%s", a->user);
		snprintf(m->service, sizeof(m->service), "ssprctl");
		mail_job_submit(mail, m, notice_done, NULL);
	}
}

static void
job_done(struct job *j)
{
	struct admin_job *a = (struct admin_job *)j;
	struct flow *f = a->owner;
	size_t i;

	if (a->op == SSPR_ADMIN_PASS_ISSUED)
		pass_issued_done(f, a);
	if (a->op == SSPR_ADMIN_ACTIVITY)
		act_next();
	if (f->conn != NULL)
		finish(f, a);
	/* new recovery codes were among them */
	for (i = 0; i < a->n; i++) {
		explicit_bzero(a->lines[i], strlen(a->lines[i]));
		free(a->lines[i]);
	}
	free(a->lines);
	cfg_unref(a->cfg);
	flow_unref(f);
	free(a);
}

/* An ADMIN request on f's connection, from root. */
static void
admin_request(struct flow *f, const struct msg_admin *req, struct pool *dir,
    struct pool *mail)
{
	struct audit_rec r = { .event = "admin", .source = f->source,
	    .service = f->service, .flow = f->id, .caller = f->uid,
	    .host = f->host[0] != '\0' ? f->host : NULL };
	struct admin_job *a = calloc(1, sizeof(*a));
	char err[1024];

	if (a == NULL) {
		flow_end(f);
		return;
	}
	a->owner = f;
	a->cfg = cfg_ref(f->cfg);
	a->op = req->op;
	snprintf(a->arg, sizeof(a->arg), "%s", req->arg);
	a->flows = flow_count() - 1;
	a->uptime = time(NULL) - started;
	work_send_report(f->cfg, &a->sends);
	a->job.run = admin_job_run;
	a->job.done = job_done;
	flow_ref(f);
	switch (req->op) {
	case SSPR_ADMIN_RELOAD:
		r.reason = "reload";
		if (server_reload(err, sizeof(err)) == 0)
			admin_job_set(a, 0, "%s", "configuration reloaded");
		else
			admin_job_set(a, 1, "%s", err);
		r.result = a->status ? "failed" : "ok";
		audit(&r);
		job_done(&a->job);
		return;
	case SSPR_ADMIN_UNBLOCK:
	case SSPR_ADMIN_RCODES:
		r.reason = req->op == SSPR_ADMIN_UNBLOCK ? "unblock" :
		    "rcodes-issue";
		r.user = a->arg;
		r.result = "requested";
		audit(&r);
		/* FALLTHROUGH */
	case SSPR_ADMIN_STATUS:
	case SSPR_ADMIN_REPORT:
	case SSPR_ADMIN_PASS_ISSUED:	/* audited when it is done */
		pool_submit(dir, &a->job);
		return;
	case SSPR_ADMIN_ACTIVITY:
		act_submit(mail, &a->job);
		return;
	case SSPR_ADMIN_TEST_MAIL:
		pool_submit(mail, &a->job);
		return;
	default:
		admin_job_set(a, 1, "%s", "unknown request");
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
