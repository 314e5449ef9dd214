/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * work.c: the loop side of a flow's slow work.  Loop thread only.  It
 * copies what a job needs out of the flow into a job value (jobs.h), and
 * when the job is done, on the loop thread, takes its result back into
 * the flow: flow_work_done / flow_send_result, where a flow that no
 * longer waits gets nothing.  The job holds a reference on its flow, as
 * an owner it cannot look into; the worker side is jobs.c.  Work a
 * family does its own way (an app code, a registration write) brings its
 * worker function (work_job_submit), so nothing here calls up.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "flowint.h"
#include "jobs.h"
#include "log.h"
#include "pool.h"
#include "timer.h"

static struct pool	*dir_pool, *mail_pool;
/*
 * When the last code mail (or a fake flow's probe) failed, and under
 * which configuration; loop thread only; 0 after a success.  For
 * MAIL_RETRY_MS after that, new flows are told at once that nothing can
 * be sent, all alike, before anyone is looked up: better than "a code
 * has been sent" and a wait for nothing.  One flow in MAIL_PROBE_MS goes
 * through to try the server again, and a reload starts afresh.
 */
static long long	 mail_failed_at, mail_tried_at;
static const struct cfg	*mail_failed_cfg;

/*
 * Every code's send (mail or SMS, and a fake flow's probe), counted or
 * not, for ssprctl status: a daemon whose codes do not go out is not
 * healthy, whatever a probe of the servers says.  Loop thread only.
 */
#define SENDS_KEPT	64
static struct {
	long long	 ok_at, fail_at;
	long long	 fails[SENDS_KEPT];	/* a ring of failure times */
	int		 next;
	char		 cause[256];
} sends;

static void
send_noted(int ok, const char *cause)
{
	long long now = time(NULL);

	if (ok) {
		sends.ok_at = now;
		return;
	}
	sends.fail_at = now;
	sends.fails[sends.next] = now;
	sends.next = (sends.next + 1) % SENDS_KEPT;
	snprintf(sends.cause, sizeof(sends.cause), "%.200s", cause);
}

/* A copy for an admin job, taken on the loop thread. */
void
work_send_report(const struct cfg *c, struct send_report *r)
{
	long long now = time(NULL);
	int i;

	memset(r, 0, sizeof(*r));
	r->last_ok = sends.ok_at;
	r->last_fail = sends.fail_at;
	for (i = 0; i < SENDS_KEPT; i++)
		if (sends.fails[i] != 0 && now - sends.fails[i] < SENDS_WINDOW)
			r->fails++;
	r->mail_down = mail_failed_at != 0 && c == mail_failed_cfg &&
	    now_ms() - mail_failed_at < MAIL_RETRY_MS;
	snprintf(r->cause, sizeof(r->cause), "%s", sends.cause);
}

void
work_set_pools(struct pool *dir, struct pool *mail)
{
	dir_pool = dir;
	mail_pool = mail;
}

void
work_pools(struct pool **dir, struct pool **mail)
{
	*dir = dir_pool;
	*mail = mail_pool;
}

static void submit_mail(struct flow *, const struct secret *, int);

/*
 * What every job of f copies in: who asks (for the self rule and the
 * logs), the account as the flow knows it, and for a check the sends it
 * saw (code_superseded).  -1 without memory.
 */
static int
job_fill(struct flow *f, struct job_spec *s)
{
	flow_log_tag(f, s->tag, sizeof(s->tag));
	snprintf(s->user, sizeof(s->user), "%s", f->user);
	s->uid = f->uid;
	s->self_only = f->self_only;
	/* a fleet host's self caller is known by the name it sent */
	s->remote = f->host[0] != '\0';
	snprintf(s->self_name, sizeof(s->self_name), "%s", f->self_name);
	s->fake = f->fake;
	if (account_copy(&s->acct, &f->acct) != 0)
		return -1;
	snprintf(s->sent_mark, sizeof(s->sent_mark), "%s", f->sent_mark);
	if (f->n_seen > 0 && f->sent_seen != NULL) {
		if ((s->seen = calloc((size_t)f->n_seen, sizeof(*s->seen))) ==
		    NULL)
			return -1;
		memcpy(s->seen, f->sent_seen, (size_t)f->n_seen *
		    sizeof(*s->seen));
		s->n_seen = f->n_seen;
	}
	return 0;
}

static int
is_counting(enum work_kind k)
{
	return k == W_RECORD_SENT || k == W_RECORD_FAIL || k == W_CHECK ||
	    k == W_CLEAR;
}

/*
 * The counters a counting job read or wrote become the flow's (the loop
 * thread alone writes the flow): the values on the entry, to prune the
 * old ones next time, and what they say.
 */
static void
counters_back(struct flow *f, struct job_spec *s)
{
	char **t;

	if (f->acct.dn == NULL || s->acct.dn == NULL)
		return;
	f->acct.counters = s->acct.counters;
	t = f->acct.raw_sent;
	f->acct.raw_sent = s->acct.raw_sent;
	s->acct.raw_sent = t;
	t = f->acct.raw_fails;
	f->acct.raw_fails = s->acct.raw_fails;
	s->acct.raw_fails = t;
}

static void
dir_done(void *owner, struct job_spec *s, struct work_result *r)
{
	struct flow *f = owner;
	char why[400];

	if (is_counting(r->kind))
		counters_back(f, s);
	if (r->kind == W_RECORD_SENT) {
		snprintf(f->sent_mark, sizeof(f->sent_mark), "%s", r->mark);
		free(f->sent_seen);
		f->sent_seen = r->seen;
		f->n_seen = r->n_seen;
		r->seen = NULL;
		/* no code leaves before the send is counted (fail closed) */
		if (r->res.status == DIR_OK)
			submit_mail(f, &s->code, f->fake);
		else {
			snprintf(why, sizeof(why), "the send could not be "
			    "counted (%s store%s%.200s)", f->cfg->throttle_store ==
			    STORE_FILE ? "file" : "directory",
			    *r->res.detail ? ": " : "", r->res.detail);
			send_noted(0, why);
			flow_send_result(f, 0, why);
		}
	} else
		flow_work_done(f, r);
	flow_unref(f);
}

/*
 * A job of kind for f, filled with what every job needs; the family adds
 * its own and calls work_job_submit.  NULL without memory, the failure
 * already handed to the flow as the job's result.
 */
struct job_spec *
work_job(struct flow *f, enum work_kind kind)
{
	struct job_spec *s = job_new(kind, f->cfg);
	struct work_result r = { .kind = kind };

	if (s != NULL && job_fill(f, s) == 0)
		return s;
	job_free(s);
	dir_result_set(&r.res, DIR_INTERNAL, 0, "out of memory");
	flow_work_done(f, &r);
	return NULL;
}

/* The job goes to a directory worker; the result comes back in
 * flow_work_done.  fn: the family's worker function, if it has one. */
void
work_job_submit(struct flow *f, struct job_spec *s, job_fn fn)
{
	s->fn = fn;
	flow_ref(f);
	job_submit(dir_pool, s, dir_done, f);
}

/* Directory work for f; the result comes back in flow_work_done. */
void
work_dir(struct flow *f, enum work_kind kind, const struct secret *pw)
{
	struct job_spec *s = work_job(f, kind);

	if (s == NULL)
		return;
	if (pw != NULL)
		s->pw = *pw;
	work_job_submit(f, s, NULL);
}

void
work_change(struct flow *f, const struct secret *old, const struct secret *pw)
{
	struct job_spec *s = work_job(f, W_CHANGE);

	if (s == NULL)
		return;
	s->old = *old;
	s->pw = *pw;
	work_job_submit(f, s, NULL);
}

/* Is the mail server known to be failing (see mail_failed_at)? */
int
work_mail_down(const struct cfg *c)
{
	long long now = now_ms();

	if (mail_failed_at == 0 || c != mail_failed_cfg ||
	    now - mail_failed_at >= MAIL_RETRY_MS)
		return 0;
	if (now - mail_tried_at >= MAIL_PROBE_MS) {
		mail_tried_at = now;	/* this flow tries it */
		return 0;
	}
	return 1;
}

static void
mail_done(void *owner, struct mail_spec *m)
{
	struct flow *f = owner;

	if (m->tmpl == NULL || strcmp(m->tmpl, "code") == 0) {
		mail_failed_at = mail_tried_at = m->ok ? 0 : now_ms();
		mail_failed_cfg = f->cfg;
	}
	if (m->tmpl == NULL || strcmp(m->tmpl, "code") == 0 ||
	    strcmp(m->tmpl, "sms") == 0) {
		send_noted(m->ok, m->err);
		flow_send_result(f, m->ok, m->ok ? NULL : m->err);
	}
	else if (!m->ok)
		log_msg(LOG_ERR, "notifying %s failed (the change stays): %s",
		    m->to, m->err);
	flow_unref(f);
}

/* A mail job for f, what its template says filled in. */
static struct mail_spec *
mail_new(struct flow *f, const char *tmpl, const char *to)
{
	struct mail_spec *m = mail_job_new(tmpl, f->cfg);

	if (m == NULL)
		return NULL;
	if (to != NULL)
		snprintf(m->to, sizeof(m->to), "%s", to);
	snprintf(m->user, sizeof(m->user), "%s", f->user);
	snprintf(m->service, sizeof(m->service), "%s", f->service);
	snprintf(m->source, sizeof(m->source), "%s", f->source);
	snprintf(m->lang, sizeof(m->lang), "%s", f->lang);
	return m;
}

static void
mail_submit(struct flow *f, struct mail_spec *m)
{
	flow_ref(f);
	mail_job_submit(mail_pool, m, mail_done, f);
}

static void
submit_mail(struct flow *f, const struct secret *code, int probe)
{
	const char *to = f->send_to[0] != '\0' ? f->send_to : f->acct.mail;
	struct mail_spec *m = mail_new(f, probe ? NULL :
	    f->channel == CH_SMS ? "sms" : "code", probe ? NULL : to);

	if (m == NULL) {
		flow_send_result(f, 0, "out of memory");
		return;
	}
	if (!probe)
		m->code = *code;
	mail_submit(f, m);
}

/*
 * Tells the account's owner (at owner, and at also when it is another
 * address; and, for an administrator's account, the administrators) that
 * a reset or unlock happened.  Best effort: a failure is logged; the
 * change is not undone.
 */
void
work_notify(struct flow *f, const char *tmpl, const char *owner,
    const char *also)
{
	const char *to[3];
	struct mail_spec *m;
	int i;

	if (!f->cfg->notify)
		return;
	account_notify_to(f->cfg, &f->acct, owner, also, to);
	for (i = 0; i < 3; i++)
		if (to[i] != NULL && (m = mail_new(f, tmpl, to[i])) != NULL)
			mail_submit(f, m);
}

/*
 * Sends code to the account's address: first the send is counted (on
 * the entry, or in the state file), then the mail goes out.  A fake flow
 * only probes the mail server, so an outage looks the same for it.  The
 * outcome comes back in flow_send_result.
 */
void
work_send(struct flow *f, const struct secret *code)
{
	struct job_spec *s;

	/* a fake flow waits on the state file as a real one's count does */
	if (f->fake && f->cfg->throttle_store != STORE_FILE) {
		submit_mail(f, NULL, 1);
		return;
	}
	if ((s = job_new(W_RECORD_SENT, f->cfg)) == NULL ||
	    job_fill(f, s) != 0) {
		job_free(s);
		flow_send_result(f, 0, "out of memory");
		return;
	}
	s->code = *code;
	flow_ref(f);
	job_submit(dir_pool, s, dir_done, f);
}
