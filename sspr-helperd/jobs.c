/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * jobs.c: the worker side of a flow's slow work: directory lookups and
 * writes, throttle counters (on the account's entry or in the local state
 * file), and mail.  Threads: job_run_* and what they call run on a pool's
 * worker; job_new, job_submit, the done trampolines and job_free on the
 * loop thread.  A job is a value (jobs.h): it sees no flow, only what was
 * copied into it, and hands its result to the loop side's callback.  No
 * file-scope state.
 */
#include <pwd.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "dirstore.h"
#include "jobs.h"
#include "localacct.h"
#include "log.h"
#include "mail.h"
#include "pool.h"
#include "quality.h"
#include "sms.h"
#include "state.h"

struct dir_job {
	struct job		 job;
	struct job_spec		 spec;
	struct work_result	 r;
	job_done_fn		 done;
	void			*owner;
};

struct mail_job {
	struct job		 job;
	struct mail_spec	 spec;
	mail_done_fn		 done;
	void			*owner;
};

#define DIR_JOB(s)	((struct dir_job *)((char *)(s) - \
			    offsetof(struct dir_job, spec)))
#define MAIL_JOB(s)	((struct mail_job *)((char *)(s) - \
			    offsetof(struct mail_job, spec)))

void
job_log(const struct job_spec *s, int prio, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_msg(prio, "%s: %s", s->tag, what);
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
 * are never reset by mail, whatever the directory says.  NSS's answer
 * may be up to [policy] local_account_cache seconds old (localacct.c).
 */
static int
is_system_account(const char *name, const struct cfg *c)
{
	uid_t uid;

	if (strcmp(name, "root") == 0)
		return 1;
	return localacct_uid(name, c->local_account_cache, &uid) == 1 &&
	    (long)uid < c->min_uid;
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
account_is_system(const struct account *a, const struct cfg *c,
    const char *typed)
{
	int i;

	if (a->uid_number >= 0 && a->uid_number < c->min_uid)
		return 1;
	for (i = 0; a->names != NULL && a->names[i] != NULL; i++)
		if (strcasecmp(a->names[i], "root") == 0 ||
		    (strcmp(a->names[i], typed) != 0 &&
		    is_system_account(a->names[i], c)))
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
file_event(const struct cfg *c, struct account *a, int kind,
    struct work_result *r)
{
	char key[STATE_ACCOUNT_KEY_LEN];
	long long now = time(NULL);

	state_account_key(a->dn, key);
	if (state_event(key, kind, now, &a->counters) != 0) {
		dir_result_set(&r->res, DIR_UNAVAILABLE, 0, "state file full");
		return;
	}
	if (kind == STATE_FAIL && throttle_must_block(c, &a->counters, now)) {
		state_block(key, now + c->block_time);
		a->counters.blocked_until = now + c->block_time;
	}
	if (state_sync(1000LL * c->dir_timeout) != 0) {
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
 * Is the code sent no longer the newest for the account, fleet-wide?
 * Every send adds a value to the entry: one there now that was not
 * there with ours was added after it, by any host; ours gone means the
 * counters were cleared by a success elsewhere.  The directory orders
 * the sends, so the hosts' clocks do not matter.
 */
static int
code_superseded(const struct job_spec *s, const struct account *a)
{
	int ours = 0, i, j;
	uint64_t h;

	if (s->sent_mark[0] == '\0')
		return 0;
	for (i = 0; a->raw_sent != NULL && a->raw_sent[i] != NULL; i++) {
		if (strcmp(a->raw_sent[i], s->sent_mark) == 0) {
			ours = 1;
			continue;
		}
		h = value_hash(a->raw_sent[i]);
		for (j = 0; j < s->n_seen && s->seen[j] != h; j++)
			;
		if (j == s->n_seen)
			return 1;
	}
	return !ours;
}

/* The counters of the job's copy of the account; the loop side takes
 * them back into the flow. */
static void
counters(void *ctx, struct job_spec *s, struct work_result *r)
{
	const struct dir_backend *be = dir_backend();
	struct account *a = &s->acct;
	const struct cfg *c = s->cfg;
	int ev = r->kind == W_RECORD_SENT ? STATE_SENT : STATE_FAIL;
	char key[STATE_ACCOUNT_KEY_LEN];

	if (s->fake) {		/* W_RECORD_SENT, store = file: see work_send */
		dir_result_set(&r->res, state_sync(1000LL * c->dir_timeout)
		    == 0 ? DIR_OK : DIR_UNAVAILABLE, 0, "the state file cannot "
		    "be written");
		return;
	}
	if (c->throttle_store == STORE_DIRECTORY) {
		if (r->kind == W_CLEAR)
			be->counters_clear(ctx, s->cfg, a, &r->res);
		else if (r->kind == W_CHECK) {
			if (be->counters_read(ctx, s->cfg, a, &r->res) == 0)
				r->superseded = code_superseded(s, a);
		} else if (be->counter_add(ctx, s->cfg, a, ev == STATE_FAIL,
		    r->mark, sizeof(r->mark), &r->res) == 0 &&
		    r->kind == W_RECORD_SENT)
			sends_seen(a, r);
	} else if (r->kind == W_RECORD_SENT || r->kind == W_RECORD_FAIL) {
		file_event(c, a, ev, r);
	} else {
		state_account_key(a->dn, key);
		if (r->kind == W_CLEAR)
			state_clear(key);
		else
			state_get(key, &a->counters);
		dir_result_set(&r->res, DIR_OK, 0, NULL);
	}
	r->blocked = throttle_account(c, &a->counters, time(NULL)) ==
	    T_BLOCKED;
}

/*
 * A user's own change: only for a directory account (a local one is
 * pam_unix's), checked by the daemon's quality rules (with the old
 * password, for similarity) before the directory's.
 */
static void
change(void *ctx, struct job_spec *s, struct work_result *r)
{
	const struct dir_backend *be = dir_backend();
	int reason;

	if (is_system_account(s->user, s->cfg) ||
	    be->lookup(ctx, s->cfg, s->user, &r->acct, &r->res) != 0 ||
	    account_is_system(&r->acct, s->cfg, s->user)) {
		if (r->res.status == 0)
			dir_result_set(&r->res, DIR_NOT_FOUND, 0, NULL);
		return;
	}
	if ((reason = quality_check(s->cfg, s->user, &s->pw, &s->old)) != 0)
		dir_result_set(&r->res, DIR_POLICY, reason, NULL);
	else
		be->change_password(ctx, s->cfg, &r->acct, &s->old, &s->pw,
		    &r->res);
	secret_scrub_registers();
}

static void
lookup(void *ctx, struct job_spec *s, struct work_result *r)
{
	const struct dir_backend *be = dir_backend();
	char key[STATE_ACCOUNT_KEY_LEN];

	r->system = is_system_account(s->user, s->cfg);
	if (be->lookup(ctx, s->cfg, s->user, &r->acct, &r->res) != 0)
		return;
	r->system |= account_is_system(&r->acct, s->cfg, s->user);
	if (s->cfg->throttle_store == STORE_FILE) {
		state_account_key(r->acct.dn, key);
		state_get(key, &r->acct.counters);
	}
}

static void
status(void *ctx, struct job_spec *s, struct work_result *r)
{
	const struct dir_backend *be = dir_backend();
	r->system = is_system_account(s->user, s->cfg);
	if (!r->system && be->lookup(ctx, s->cfg, s->user, &r->acct,
	    &r->res) == 0)
		r->system = account_is_system(&r->acct, s->cfg, s->user);
	if (r->system)
		dir_result_set(&r->res, DIR_NOT_FOUND, 0, NULL);
}

static void
set_password(void *ctx, struct job_spec *s, struct work_result *r)
{
	const struct dir_backend *be = dir_backend();
	int reason;

	if ((reason = quality_check(s->cfg, s->user, &s->pw, NULL)) != 0)
		dir_result_set(&r->res, DIR_POLICY, reason, NULL);
	else
		be->set_password(ctx, s->cfg, &s->acct, &s->pw, &r->res);
	secret_wipe(&s->pw);
	secret_scrub_registers();
}

void
job_run(struct job_spec *s, struct work_result *r, void *ctx)
{
	const struct dir_backend *be = dir_backend();
	r->kind = s->kind;
	if (ctx == NULL) {
		dir_result_set(&r->res, DIR_UNAVAILABLE, 0, "out of memory");
		return;
	}
	/*
	 * A self caller may name only its own account, whatever it asks:
	 * refused before any lookup, so the answer is the same for a
	 * name the directory knows and one it does not.
	 */
	if ((s->kind == W_LOOKUP || s->kind == W_STATUS ||
	    s->kind == W_CHANGE) && s->self_only && (s->remote ?
	    strcmp(s->self_name, s->user) != 0 :
	    !is_own_name(s->uid, s->user))) {
		r->not_self = 1;
		return;
	}
	switch (s->kind) {
	case W_STATUS:
		status(ctx, s, r);
		break;
	case W_CHANGE:
		change(ctx, s, r);
		break;
	case W_LOOKUP:
		lookup(ctx, s, r);
		break;
	case W_SET_PASSWORD:
		set_password(ctx, s, r);
		break;
	case W_UNLOCK:
		be->unlock(ctx, s->cfg, &s->acct, &r->res);
		break;
	case W_TOTP_CHECK:
	case W_ANSWER_CHECK:
	case W_PASS_CHECK:
	case W_REG_WRITE:
		if (s->fn != NULL)
			s->fn(ctx, s, r);
		else
			dir_result_set(&r->res, DIR_INTERNAL, 0, "no worker");
		secret_scrub_registers();
		break;
	case W_RECORD_SENT:
	case W_RECORD_FAIL:
	case W_CHECK:
	case W_CLEAR:
		counters(ctx, s, r);
		break;
	}
	secret_wipe(&s->pw);
	secret_wipe(&s->old);
}

static void
dir_job_run(struct job *j, void *ctx)
{
	struct dir_job *dj = (struct dir_job *)j;

	job_run(&dj->spec, &dj->r, ctx);
}

static void
dir_job_done(struct job *j)
{
	struct dir_job *dj = (struct dir_job *)j;

	dj->done(dj->owner, &dj->spec, &dj->r);
	job_free(&dj->spec);
}

/* A job for kind under c (a reference is taken), zeroed otherwise. */
struct job_spec *
job_new(enum work_kind kind, struct cfg *c)
{
	struct dir_job *dj = calloc(1, sizeof(*dj));

	if (dj == NULL)
		return NULL;
	dj->spec.kind = dj->r.kind = kind;
	dj->spec.cfg = cfg_ref(c);
	return &dj->spec;
}

void
job_submit(struct pool *p, struct job_spec *s, job_done_fn done, void *owner)
{
	struct dir_job *dj = DIR_JOB(s);

	dj->done = done;
	dj->owner = owner;
	dj->job.run = dir_job_run;
	dj->job.done = dir_job_done;
	pool_submit(p, &dj->job);
}

/* Everything the job held: secrets wiped, copies freed. */
void
job_free(struct job_spec *s)
{
	struct dir_job *dj;
	int i;

	if (s == NULL)
		return;
	dj = DIR_JOB(s);
	secret_wipe(&s->pw);
	secret_wipe(&s->old);
	secret_wipe(&s->code);
	secret_wipe(&s->reg_secret);
	for (i = 0; i < JOB_ANSWERS_MAX; i++)
		secret_wipe(&s->answers[i]);
	account_clear(&s->acct);
	free(s->seen);
	account_clear(&dj->r.acct);
	free(dj->r.seen);
	secret_wipe(&dj->r.shown);
	cfg_unref(s->cfg);
	free(dj);
}

/* --- mail -------------------------------------------------------------- */

static void
mail_job_run(struct job *j, void *ctx)
{
	struct mail_spec *s = &((struct mail_job *)j)->spec;
	const struct cfg *c = s->cfg;
	char tmpl[MAIL_TEMPLATE_MAX], msg[MAIL_MAX], host[256] = "";
	char when[64];
	struct mail_vars v;
	struct tm tm;
	time_t now = time(NULL);
	int len;

	(void)ctx;
	if (s->tmpl == NULL) {
		s->ok = mail_probe(c, s->err, sizeof(s->err)) == 0;
		return;
	}
	if (strcmp(s->tmpl, "sms") == 0) {
		s->ok = sms_send(c, s->to, secret_str(&s->code),
		    (c->code_lifetime + 59) / 60, s->err, sizeof(s->err)) == 0;
		secret_wipe(&s->code);
		secret_scrub_registers();
		return;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
	gethostname(host, sizeof(host) - 1);
	v.code = secret_str(&s->code);
	v.minutes = (c->code_lifetime + 59) / 60;
	v.user = s->user;
	v.service = s->service[0] ? s->service : "login";
	v.host = host;
	v.source = s->source[0] ? s->source : "-";
	v.organisation = c->mail_organisation;
	v.helpdesk = c->mail_helpdesk;
	v.time = when;
	v.kind = s->tmpl;
	s->ok = 0;
	if (mail_load_template(c->template_dir, s->tmpl, s->lang, tmpl,
	    sizeof(tmpl), s->err, sizeof(s->err)) != 0)
		goto out;
	len = mail_render(tmpl, &v, c->mail_from, s->to, msg, sizeof(msg),
	    s->err, sizeof(s->err));
	if (len < 0)
		goto out;
	s->ok = mail_send(c, s->to, msg, (size_t)len, s->err,
	    sizeof(s->err)) == 0;
out:
	explicit_bzero(msg, sizeof(msg));
	secret_wipe(&s->code);
	secret_scrub_registers();
}

static void
mail_job_done(struct job *j)
{
	struct mail_job *mj = (struct mail_job *)j;

	mj->done(mj->owner, &mj->spec);
	mail_job_free(&mj->spec);
}

struct mail_spec *
mail_job_new(const char *tmpl, struct cfg *c)
{
	struct mail_job *mj = calloc(1, sizeof(*mj));

	if (mj == NULL)
		return NULL;
	mj->spec.tmpl = tmpl;
	mj->spec.cfg = cfg_ref(c);
	return &mj->spec;
}

void
mail_job_submit(struct pool *p, struct mail_spec *s, mail_done_fn done,
    void *owner)
{
	struct mail_job *mj = MAIL_JOB(s);

	mj->done = done;
	mj->owner = owner;
	mj->job.run = mail_job_run;
	mj->job.done = mail_job_done;
	pool_submit(p, &mj->job);
}

void
mail_job_free(struct mail_spec *s)
{
	if (s == NULL)
		return;
	secret_wipe(&s->code);
	cfg_unref(s->cfg);
	free(MAIL_JOB(s));
}

struct mail_spec *
mail_job_spec(struct job *j)
{
	return &((struct mail_job *)j)->spec;
}
