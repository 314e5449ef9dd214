/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * work.c: the slow parts of a flow, run on the worker pools so the event
 * loop never waits: directory lookups and writes, throttle counters (on
 * the account's entry or in the local state file), and mail.  Each piece
 * of work holds a reference on its flow and reports back on the loop
 * thread through flow_work_done / flow_send_result; work a family needs
 * done its own way (an app code, a registration write) brings its worker
 * function along (work_dir_fn), so nothing here calls up.
 */
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "flowint.h"
#include "log.h"
#include "mail.h"
#include "pool.h"
#include "quality.h"
#include "sms.h"
#include "state.h"
#include "timer.h"

struct dir_work {
	struct job		 job;
	struct flow		*f;
	work_fn			 fn;	/* the family's, where it has one */
	struct secret		 pw;
	struct secret		 old;	/* W_CHANGE */
	struct secret		 code;	/* W_RECORD_SENT: to send after */
	struct work_result	 r;
};

struct mail_work {
	struct job		 job;
	struct flow		*f;
	const char		*tmpl;	/* NULL: a probe */
	char			 to[ADDR_MAX + 1];
	struct secret		 code;
	char			 err[256];
	int			 ok;
};

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

/*
 * Does uid go by name on this host?  NSS may ask a directory, so this runs
 * on a worker, never on the loop.
 */
static int
is_own_name(uid_t uid, const char *name)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	return getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL && strcmp(pw.pw_name, name) == 0;
}

/*
 * root and the host's own system accounts (uid below [policy] min_uid)
 * are never reset by mail, whatever the directory says.
 */
static int
is_system_account(const char *name, int min_uid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (strcmp(name, "root") == 0)
		return 1;
	return getpwnam_r(name, &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL && (long)pw.pw_uid < min_uid;
}

/*
 * The same rule on what the directory returned: the typed name was
 * matched ignoring case and spaces ("ROOT", " backup"), so the entry's
 * own login names and uidNumber decide.  The typed name itself, which
 * every caller has just looked up, is not asked of NSS again: each
 * getpwnam_r is a walk through nsswitch.conf's sources (systemd's
 * userdb alone opens some 30 paths), on every login's STATUS.
 */
static int
account_is_system(const struct account *a, int min_uid, const char *typed)
{
	int i;

	if (a->uid_number >= 0 && a->uid_number < min_uid)
		return 1;
	for (i = 0; a->names != NULL && a->names[i] != NULL; i++)
		if (strcasecmp(a->names[i], "root") == 0 ||
		    (strcmp(a->names[i], typed) != 0 &&
		    is_system_account(a->names[i], min_uid)))
			return 1;
	return 0;
}

/*
 * Counters of the local state file, for [throttle] store = file.  The
 * event is on disk before this returns OK, so no code goes out (and no
 * wrong code goes uncounted) on the strength of a write that will fail;
 * the wait is bounded like a directory write.
 */
static void
file_event(struct flow *f, struct account *a, int kind, struct work_result *r)
{
	char key[STATE_ACCOUNT_KEY_LEN];
	long long now = time(NULL);

	state_account_key(a->dn, key);
	if (state_event(key, kind, now, &a->counters) != 0) {
		dir_result_set(&r->res, DIR_UNAVAILABLE, 0, "state file full");
		return;
	}
	if (kind == STATE_FAIL && throttle_must_block(f->cfg, &a->counters,
	    now)) {
		state_block(key, now + f->cfg->block_time);
		a->counters.blocked_until = now + f->cfg->block_time;
	}
	if (state_sync(1000LL * f->cfg->dir_timeout) != 0) {
		dir_result_set(&r->res, DIR_UNAVAILABLE, 0,
		    "the state file cannot be written");
		return;
	}
	dir_result_set(&r->res, DIR_OK, 0, NULL);
}

static uint64_t
value_hash(const char *v)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */

	for (; *v != '\0'; v++)
		h = (h ^ (unsigned char)*v) * 1099511628211ULL;
	return h;
}

/* The sends on the entry with ours (W_RECORD_SENT), for code_superseded. */
static void
sends_seen(const struct account *a, struct work_result *r)
{
	int n = 0, i;

	for (i = 0; a->raw_sent != NULL && a->raw_sent[i] != NULL; i++)
		n++;
	if (n == 0 || (r->seen = calloc((size_t)n, sizeof(*r->seen))) == NULL)
		return;
	for (i = 0; i < n; i++)
		r->seen[i] = value_hash(a->raw_sent[i]);
	r->n_seen = n;
}

/*
 * Is the code of f no longer the newest for the account, fleet-wide?
 * Every send adds a value to the entry: one there now that was not
 * there with ours was added after it, by any host; ours gone means the
 * counters were cleared by a success elsewhere.  The directory orders
 * the sends, so the hosts' clocks do not matter.
 */
static int
code_superseded(const struct flow *f, const struct account *a)
{
	int ours = 0, i, j;
	uint64_t h;

	if (f->sent_mark[0] == '\0')
		return 0;
	for (i = 0; a->raw_sent != NULL && a->raw_sent[i] != NULL; i++) {
		if (strcmp(a->raw_sent[i], f->sent_mark) == 0) {
			ours = 1;
			continue;
		}
		h = value_hash(a->raw_sent[i]);
		for (j = 0; j < f->n_seen && f->sent_seen[j] != h; j++)
			;
		if (j == f->n_seen)
			return 1;
	}
	return !ours;
}

static void
counters(void *ctx, struct flow *f, struct work_result *r)
{
	struct account *a = &f->acct;
	int ev = r->kind == W_RECORD_SENT ? STATE_SENT : STATE_FAIL;
	char key[STATE_ACCOUNT_KEY_LEN];

	if (f->fake) {		/* W_RECORD_SENT, store = file: see work_send */
		dir_result_set(&r->res, state_sync(1000LL * f->cfg->dir_timeout)
		    == 0 ? DIR_OK : DIR_UNAVAILABLE, 0, "the state file cannot "
		    "be written");
		return;
	}
	if (f->cfg->throttle_store == STORE_DIRECTORY) {
		if (r->kind == W_CLEAR)
			dir_counters_clear(ctx, f->cfg, a, &r->res);
		else if (r->kind == W_CHECK) {
			if (dir_counters_read(ctx, f->cfg, a, &r->res) == 0)
				r->superseded = code_superseded(f, a);
		} else if (dir_counter_event(ctx, f->cfg, a, ev == STATE_FAIL,
		    r->mark, sizeof(r->mark), &r->res) == 0 &&
		    r->kind == W_RECORD_SENT)
			sends_seen(a, r);
	} else if (r->kind == W_RECORD_SENT || r->kind == W_RECORD_FAIL) {
		file_event(f, a, ev, r);
	} else {
		state_account_key(a->dn, key);
		if (r->kind == W_CLEAR)
			state_clear(key);
		else
			state_get(key, &a->counters);
		dir_result_set(&r->res, DIR_OK, 0, NULL);
	}
	r->blocked = throttle_account(f->cfg, &a->counters, time(NULL)) ==
	    T_BLOCKED;
}

/*
 * A user's own change: only for a directory account (a local one is
 * pam_unix's), checked by the daemon's quality rules (with the old
 * password, for similarity) before the directory's.
 */
static void
change(void *ctx, struct flow *f, struct dir_work *w)
{
	struct work_result *r = &w->r;
	int reason;

	if (is_system_account(f->user, f->cfg->min_uid) ||
	    dir_lookup(ctx, f->cfg, f->user, &r->acct, &r->res) != 0 ||
	    account_is_system(&r->acct, f->cfg->min_uid, f->user)) {
		if (r->res.status == 0)
			dir_result_set(&r->res, DIR_NOT_FOUND, 0, NULL);
		return;
	}
	if ((reason = quality_check(f->cfg, f->user, &w->pw, &w->old)) != 0)
		dir_result_set(&r->res, DIR_POLICY, reason, NULL);
	else
		dir_change_password(ctx, f->cfg, &r->acct, &w->old, &w->pw,
		    &r->res);
	secret_scrub_registers();
}

static void
dir_run(struct job *j, void *ctx)
{
	struct dir_work *w = (struct dir_work *)j;
	struct flow *f = w->f;
	struct work_result *r = &w->r;
	char key[STATE_ACCOUNT_KEY_LEN];
	int reason;

	if (ctx == NULL) {
		dir_result_set(&r->res, DIR_UNAVAILABLE, 0, "out of memory");
		return;
	}
	/*
	 * A self caller may name only its own account, whatever it asks:
	 * refused before any lookup, so the answer is the same for a
	 * name the directory knows and one it does not.
	 */
	if ((r->kind == W_LOOKUP || r->kind == W_STATUS ||
	    r->kind == W_CHANGE) && f->self_only &&
	    !is_own_name(f->uid, f->user)) {
		r->not_self = 1;
		return;
	}
	switch (r->kind) {
	case W_STATUS:
		r->system = is_system_account(f->user, f->cfg->min_uid);
		if (!r->system && dir_lookup(ctx, f->cfg, f->user, &r->acct,
		    &r->res) == 0)
			r->system = account_is_system(&r->acct,
			    f->cfg->min_uid, f->user);
		if (r->system)
			dir_result_set(&r->res, DIR_NOT_FOUND, 0, NULL);
		break;
	case W_CHANGE:
		change(ctx, f, w);
		break;
	case W_LOOKUP:
		r->system = is_system_account(f->user, f->cfg->min_uid);
		if (dir_lookup(ctx, f->cfg, f->user, &r->acct, &r->res) != 0)
			break;
		r->system |= account_is_system(&r->acct, f->cfg->min_uid, f->user);
		if (f->cfg->throttle_store == STORE_FILE) {
			state_account_key(r->acct.dn, key);
			state_get(key, &r->acct.counters);
		}
		break;
	case W_SET_PASSWORD:
		if ((reason = quality_check(f->cfg, f->user, &w->pw, NULL)) != 0)
			dir_result_set(&r->res, DIR_POLICY, reason, NULL);
		else
			dir_set_password(ctx, f->cfg, &f->acct, &w->pw,
			    &r->res);
		secret_wipe(&w->pw);
		secret_scrub_registers();
		break;
	case W_UNLOCK:
		dir_unlock(ctx, f->cfg, &f->acct, &r->res);
		break;
	case W_TOTP_CHECK:
	case W_ANSWER_CHECK:
	case W_REG_WRITE:
		if (w->fn != NULL)
			w->fn(ctx, f, r, &w->pw);
		else
			dir_result_set(&r->res, DIR_INTERNAL, 0, "no worker");
		secret_scrub_registers();
		break;
	case W_RECORD_SENT:
	case W_RECORD_FAIL:
	case W_CHECK:
	case W_CLEAR:
		counters(ctx, f, r);
		break;
	}
	secret_wipe(&w->pw);
	secret_wipe(&w->old);
}

static void submit_mail(struct flow *, const struct secret *, int);

static void
dir_done(struct job *j)
{
	struct dir_work *w = (struct dir_work *)j;
	struct flow *f = w->f;
	char why[400];

	if (w->r.kind == W_RECORD_SENT) {
		/* the loop thread alone writes the flow */
		snprintf(f->sent_mark, sizeof(f->sent_mark), "%s", w->r.mark);
		free(f->sent_seen);
		f->sent_seen = w->r.seen;
		f->n_seen = w->r.n_seen;
		w->r.seen = NULL;
		/* no code leaves before the send is counted (fail closed) */
		if (w->r.res.status == DIR_OK)
			submit_mail(f, &w->code, f->fake);
		else {
			snprintf(why, sizeof(why), "the send could not be "
			    "counted (%s store%s%.200s)", f->cfg->throttle_store ==
			    STORE_FILE ? "file" : "directory",
			    *w->r.res.detail ? ": " : "", w->r.res.detail);
			send_noted(0, why);
			flow_send_result(f, 0, why);
		}
	} else
		flow_work_done(f, &w->r);
	account_clear(&w->r.acct);
	free(w->r.seen);
	secret_wipe(&w->pw);
	secret_wipe(&w->old);
	secret_wipe(&w->code);
	free(w);
	flow_unref(f);
}

static struct dir_work *
dir_work_new(struct flow *f, enum work_kind kind)
{
	struct dir_work *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->f = f;
	w->r.kind = kind;
	w->job.run = dir_run;
	w->job.done = dir_done;
	flow_ref(f);
	return w;
}

static void
submit_dir(struct flow *f, enum work_kind kind, const struct secret *old,
    const struct secret *pw, work_fn fn)
{
	struct dir_work *w = dir_work_new(f, kind);
	struct work_result r = { .kind = kind };

	if (w == NULL) {
		dir_result_set(&r.res, DIR_INTERNAL, 0, "out of memory");
		flow_work_done(f, &r);
		return;
	}
	w->fn = fn;
	if (old != NULL)
		w->old = *old;
	if (pw != NULL)
		w->pw = *pw;
	pool_submit(dir_pool, &w->job);
}

/* Directory work for f; the result comes back in flow_work_done. */
void
work_dir(struct flow *f, enum work_kind kind, const struct secret *pw)
{
	submit_dir(f, kind, NULL, pw, NULL);
}

/* The same, run by the family's worker function (an app code's check, a
 * registration's write). */
void
work_dir_fn(struct flow *f, enum work_kind kind, const struct secret *pw,
    work_fn fn)
{
	submit_dir(f, kind, NULL, pw, fn);
}

void
work_change(struct flow *f, const struct secret *old, const struct secret *pw)
{
	submit_dir(f, W_CHANGE, old, pw, NULL);
}

static void
mail_run(struct job *j, void *ctx)
{
	struct mail_work *mw = (struct mail_work *)j;
	struct flow *f = mw->f;
	char tmpl[MAIL_TEMPLATE_MAX], msg[MAIL_MAX], host[256] = "";
	struct mail_vars v;
	int len;

	char when[64];
	struct tm tm;
	time_t now = time(NULL);

	(void)ctx;
	if (mw->tmpl == NULL) {
		mw->ok = mail_probe(f->cfg, mw->err, sizeof(mw->err)) == 0;
		return;
	}
	if (strcmp(mw->tmpl, "sms") == 0) {
		mw->ok = sms_send(f->cfg, mw->to, secret_str(&mw->code),
		    (f->cfg->code_lifetime + 59) / 60, mw->err,
		    sizeof(mw->err)) == 0;
		secret_wipe(&mw->code);
		secret_scrub_registers();
		return;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	gethostname(host, sizeof(host) - 1);
	v.code = secret_str(&mw->code);
	v.minutes = (f->cfg->code_lifetime + 59) / 60;
	v.user = f->user;
	v.service = f->service[0] ? f->service : "login";
	v.host = host;
	v.source = f->source[0] ? f->source : "-";
	v.organisation = f->cfg->mail_organisation;
	v.helpdesk = f->cfg->mail_helpdesk;
	v.time = when;
	v.kind = mw->tmpl;
	mw->ok = 0;
	if (mail_load_template(f->cfg->template_dir, mw->tmpl, f->lang, tmpl,
	    sizeof(tmpl), mw->err, sizeof(mw->err)) != 0)
		goto out;
	len = mail_render(tmpl, &v, f->cfg->mail_from, mw->to, msg,
	    sizeof(msg), mw->err, sizeof(mw->err));
	if (len < 0)
		goto out;
	mw->ok = mail_send(f->cfg, mw->to, msg, (size_t)len, mw->err,
	    sizeof(mw->err)) == 0;
out:
	explicit_bzero(msg, sizeof(msg));
	secret_wipe(&mw->code);
	secret_scrub_registers();
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
mail_done(struct job *j)
{
	struct mail_work *mw = (struct mail_work *)j;
	struct flow *f = mw->f;

	if (mw->tmpl == NULL || strcmp(mw->tmpl, "code") == 0) {
		mail_failed_at = mail_tried_at = mw->ok ? 0 : now_ms();
		mail_failed_cfg = f->cfg;
	}
	if (mw->tmpl == NULL || strcmp(mw->tmpl, "code") == 0 ||
	    strcmp(mw->tmpl, "sms") == 0) {
		send_noted(mw->ok, mw->err);
		flow_send_result(f, mw->ok, mw->ok ? NULL : mw->err);
	}
	else if (!mw->ok)
		log_msg(LOG_ERR, "notifying %s failed (the change stays): %s",
		    mw->to, mw->err);
	secret_wipe(&mw->code);
	free(mw);
	flow_unref(f);
}

static struct mail_work *
mail_work_new(struct flow *f, const char *tmpl, const char *to)
{
	struct mail_work *mw = calloc(1, sizeof(*mw));

	if (mw == NULL)
		return NULL;
	mw->f = f;
	mw->tmpl = tmpl;
	if (to != NULL)
		snprintf(mw->to, sizeof(mw->to), "%s", to);
	mw->job.run = mail_run;
	mw->job.done = mail_done;
	flow_ref(f);
	return mw;
}

static void
submit_mail(struct flow *f, const struct secret *code, int probe)
{
	const char *to = f->send_to[0] != '\0' ? f->send_to : f->acct.mail;
	struct mail_work *mw = mail_work_new(f, probe ? NULL :
	    f->channel == CH_SMS ? "sms" : "code", probe ? NULL : to);

	if (mw == NULL) {
		flow_send_result(f, 0, "out of memory");
		return;
	}
	if (!probe)
		mw->code = *code;
	pool_submit(mail_pool, &mw->job);
}

/*
 * Tells the account's owner (and, for an administrator's account, the
 * administrators) that a reset or unlock happened.  Best effort: a
 * failure is logged; the change is not undone.
 */
void
work_notify(struct flow *f, const char *tmpl, const char *owner)
{
	const char *to[2] = { owner, NULL };
	struct mail_work *mw;
	int i;

	if (!f->cfg->notify)
		return;
	if (f->acct.admin && *f->cfg->admin_address != '\0')
		to[1] = f->cfg->admin_address;
	for (i = 0; i < 2; i++)
		if (to[i] != NULL && (mw = mail_work_new(f, tmpl, to[i])) !=
		    NULL)
			pool_submit(mail_pool, &mw->job);
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
	struct dir_work *w;

	/* a fake flow waits on the state file as a real one's count does */
	if (f->fake && f->cfg->throttle_store != STORE_FILE) {
		submit_mail(f, NULL, 1);
		return;
	}
	if ((w = dir_work_new(f, W_RECORD_SENT)) == NULL) {
		flow_send_result(f, 0, "out of memory");
		return;
	}
	w->code = *code;
	pool_submit(dir_pool, &w->job);
}
