/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * account.c: the two stateless requests, one per connection, which carry
 * everything they need (nslcd's rule for unauthenticated requests):
 *
 *   STATUS  what should this login do?  (a directory account? must it
 *           change its password?)  Asked by the account step on every
 *           login, so it must be quick: when the directory does not answer
 *           within [daemon] status_timeout, the answer comes from a short
 *           cache of earlier answers, and the late one refreshes it.
 *   CHANGE  a change by someone who knows the old password: done as the
 *           user (dir_change_password), so the directory applies what it
 *           applies to users' own changes.
 *
 * Statics: cache, loop thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flowint.h"
#include "log.h"
#include "server.h"
#include "state.h"

#define CACHE_SLOTS	4096

struct cached {
	char		 user[SSPR_USER_MAX + 1];
	long long	 when;
	struct msg_account a;
};

static struct cached cache[CACHE_SLOTS];	/* loop thread only */

static int status_timeout(struct flow *);

static struct cached *
slot(const char *user)
{
	unsigned h = 2166136261u;
	const char *p;

	for (p = user; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return &cache[h % CACHE_SLOTS];
}

static void
reply(struct flow *f, const struct msg_account *a)
{
	struct msg m = { .type = SSPR_MSG_ACCOUNT };

	m.u.account = *a;
	flow_last(f, &m);
}

static void
on_status(struct flow *f, struct msg *in)
{
	if (in->u.user[0] == '\0') {
		flow_fail(f, SSPR_R_PROTOCOL);
		return;
	}
	snprintf(f->user, sizeof(f->user), "%s", in->u.user);
	flow_wait(f, F_STATUS, f->cfg->status_timeout * 1000LL);
	work_dir(f, W_STATUS, NULL);
}

/*
 * The directory answered, maybe after the person was already answered
 * from the cache: the cache learns either way.
 */
static void
status_done(struct flow *f, struct work_result *r)
{
	struct msg_account a = { 0 };
	struct cached *c = slot(f->user);

	if (r->not_self) {
		if (f->state == F_STATUS && f->conn != NULL) {
			flog(f, LOG_WARNING, "a caller that is not in "
			    "allowed_uids asked about an account other than "
			    "its own");
			flow_fail(f, SSPR_R_NOT_ALLOWED);
		}
		return;
	}
	if (r->res.status != DIR_OK && r->res.status != DIR_NOT_FOUND) {
		if (f->state == F_STATUS) {
			flog(f, LOG_WARNING, "status: directory unavailable: %s",
			    r->res.detail);
			status_timeout(f);
		}
		return;
	}
	a.known = r->res.status == DIR_OK && !r->system;
	a.must_change = a.known && r->acct.must_change;
	a.register_due = a.known && register_due(f->cfg, &r->acct);
	snprintf(c->user, sizeof(c->user), "%s", f->user);
	c->when = time(NULL);
	c->a = a;
	if (f->state == F_STATUS && f->conn != NULL)
		reply(f, &a);
}

/*
 * The status deadline passed: answer from the cache if it knows the
 * user recently, else "nothing to do" (a login must not wait for us).
 */
static int
status_timeout(struct flow *f)
{
	struct msg_account a = { 0 };
	struct cached *c = slot(f->user);

	if (f->state != F_STATUS)
		return 0;
	/* the cache knows other people: a self caller is not told it */
	if (!f->self_only && strcmp(c->user, f->user) == 0 &&
	    time(NULL) - c->when <= f->cfg->status_cache) {
		a = c->a;
		flog(f, LOG_INFO, "status: the directory is slow; answered "
		    "from the cache");
	} else
		flog(f, LOG_WARNING, "status: the directory is slow and the "
		    "cache does not know the user; answered 'nothing to do'");
	reply(f, &a);
	return 1;
}

static void
on_change(struct flow *f, struct msg *in)
{
	struct msg_change *c = &in->u.change;

	if (c->user[0] == '\0' || c->new_.len == 0) {
		flow_fail(f, SSPR_R_PROTOCOL);
		return;
	}
	snprintf(f->user, sizeof(f->user), "%s", c->user);
	flow_who_tag(f);
	if (!source_allowed(f)) {
		faudit(f, "throttled", "refused", "source");
		flow_fail(f, SSPR_R_THROTTLED);
		return;
	}
	flow_wait(f, F_WRITING, flow_dir_wait(f));
	work_change(f, &c->old, &c->new_);
}

static void
change_done(struct flow *f, struct work_result *r)
{
	struct msg m = { .type = SSPR_MSG_REJECTED };
	char key[SSPR_RHOST_MAX + 8];

	if (r->not_self) {
		flog(f, LOG_WARNING, "a caller that is not in allowed_uids "
		    "asked to change an account other than its own");
		faudit(f, "change", "refused", "not-self");
		flow_fail(f, SSPR_R_NOT_ALLOWED);
		return;
	}
	/* the directory knows the name: the logs may too */
	if (r->res.status != DIR_NOT_FOUND)
		snprintf(f->who, sizeof(f->who), "%s", f->user);
	switch (r->res.status) {
	case DIR_OK:
		flog(f, LOG_NOTICE, "password changed by the user");
		faudit(f, "change", "ok", NULL);
		flow_done(f, SSPR_DONE_PASSWORD_SET);
		return;
	case DIR_POLICY:
		faudit(f, "change", "refused", reason_name(r->res.reason));
		m.u.rejected.reason = (uint16_t)r->res.reason;
		m.u.rejected.tries_left = 1;
		flow_last(f, &m);
		return;
	case DIR_NOT_FOUND:
		flow_fail(f, SSPR_R_NOT_MINE);
		return;
	case DIR_BAD_PASSWORD:
		source_key(f, key, sizeof(key));
		state_event(key, STATE_FAIL, time(NULL), NULL);
		faudit(f, "change", "refused", "bad-password");
		flow_fail(f, SSPR_R_BAD_PASSWORD);
		return;
	case DIR_UNAVAILABLE:
		faudit(f, "change", "failed", "directory-unavailable");
		flow_fail(f, SSPR_R_UNAVAILABLE);
		return;
	case DIR_UNKNOWN:
		/* never written twice: the user is told to try both */
		flog(f, LOG_ERR, "the directory did not answer the password "
		    "change and it cannot be read back: it may or may not "
		    "have been made (%s)", r->res.detail);
		faudit(f, "change", "unknown", "directory-no-answer");
		flow_fail(f, SSPR_R_OUTCOME_UNKNOWN);
		return;
	default:
		flog(f, LOG_ERR, "password change refused: %s", r->res.detail);
		faudit(f, "change", "failed", "directory-refused");
		flow_fail(f, SSPR_R_WRITE_FAILED);
		return;
	}
}

static const struct accept_row account_rows[] = {
	{ F_READY,	SSPR_MSG_STATUS,	on_status },
	{ F_READY,	SSPR_MSG_CHANGE,	on_change },
	{ F_END,	0,			NULL },
};

static const struct result_row account_results[] = {
	{ W_STATUS,	F_STATUS,	status_done,	1 },
	{ W_CHANGE,	F_WRITING,	change_done,	0 },
	{ W_LOOKUP,	F_END,		NULL,		0 },
};

static const struct flow_family account_family = {
	.name = "account",
	.accept = account_rows,
	.results = account_results,
	.deadline_state = F_STATUS,
	.deadline = status_timeout,
};

void
account_family_init(void)
{
	flow_family_add(&account_family);
}
