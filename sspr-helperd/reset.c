/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reset.c: the family of reset, unlock and address-check flows: the
 * steps from START to the new password, and their decisions: who is
 * eligible, which methods are asked and in what order (the method table,
 * method.c), which code matches, what the directory's answer means.
 * Unknown, ineligible and throttled accounts go through exactly the same
 * steps and answers as real ones; they just never get a code that could
 * match.  The human check before the lookup is humancheck.c's, the code
 * sent and its answer codekit.c's.  The rows at the end tell the engine
 * (flow.c) when each step may run.  Loop thread only; what runs on a
 * worker (an app code's or an answer's check) is reset_work.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "answers.h"
#include "latest.h"
#include "log.h"
#include "method.h"
#include "server.h"
#include "state.h"
#include "timer.h"
#include "totp.h"
#include "wire.h"

static void process_answer(struct flow *, struct secret *);
static void reset_done(struct flow *, uint16_t);
static void method_passed(struct flow *, const struct method *);

/* --- START: look the user up, then send a code (or pretend to) --------- */

static void
reset_start(struct flow *f, struct msg *in)
{
	const struct method *chosen = method_chosen(in->u.start.purpose);
	int i;

	if ((in->u.start.purpose == SSPR_PURPOSE_UNLOCK &&
	    !f->cfg->allow_unlock) || (chosen != NULL &&
	    !chosen->enabled(f->cfg))) {
		flow_fail(f, SSPR_R_DISABLED);
		return;
	}
	if (flow_start_common(f, &in->u.start) != 0)
		return;
	/* what the caller brought with START (the key sshd accepted) */
	for (i = 0; methods[i] != NULL; i++)
		if (methods[i]->start != NULL)
			methods[i]->start(f, &in->u.start);
	/* the same for every name, before any lookup: nothing to enumerate */
	if (work_mail_down(f->cfg)) {
		flog(f, LOG_WARNING, "the mail server failed moments ago; "
		    "refusing new resets for up to %d s", MAIL_RETRY_MS / 1000);
		faudit(f, "start", "refused", "mail-down");
		flow_fail(f, SSPR_R_SEND_FAILED);
		return;
	}
	if (human_needed(f)) {
		human_ask(f);
		return;
	}
	flow_wait(f, F_LOOKUP, flow_dir_wait(f));
	work_dir(f, W_LOOKUP, NULL);
}

/* The human check (humancheck.c): only a right answer looks anyone up. */
static void
on_human_answer(struct flow *f, struct msg *in)
{
	if (human_answered(f, &in->u.secret) != 1)
		return;
	flow_wait(f, F_LOOKUP, flow_dir_wait(f));
	work_dir(f, W_LOOKUP, NULL);
}

/*
 * Issues the code and has it sent (by mail, or by SMS: the method's
 * channel).  A fake flow gets a code too (so every later step costs the
 * same) that is never sent.
 */
static void
issue_code(struct flow *f, const struct method *meth)
{
	struct msg m = { .type = SSPR_MSG_CHALLENGE };
	unsigned char tag[CODE_HASH_LEN];
	struct secret code;
	int r;

	if (code_new(f, &code) != 0)
		return;
	f->channel = meth->channel;
	if (f->fake) {
		code_tag(&f->cfg->bind_password, "mask", f->user, tag);
		r = addr_mask_fake(f->user, f->cfg->mail_from_addr, tag[0],
		    m.u.challenge.destination,
		    sizeof(m.u.challenge.destination));
	} else {
		snprintf(f->send_to, sizeof(f->send_to), "%s",
		    meth->send_to(f->cfg, &f->acct));
		r = code_destination(f, m.u.challenge.destination,
		    sizeof(m.u.challenge.destination));
		latest_release(f->latest);
		f->latest = latest_issue(f->acct.dn, &f->gen);
	}
	if (r != 0) {
		secret_wipe(&code);
		flow_fail(f, SSPR_R_INTERNAL);
		return;
	}
	code_challenge(f, &m, &code, F_CHALLENGED, process_answer);
}

/*
 * A challenge answered without anything sent (the app, a question): the
 * answer is checked on a worker (process_answer).
 */
static void
ask_direct(struct flow *f, const struct method *meth)
{
	struct msg m = { .type = SSPR_MSG_CHALLENGE };

	if (meth->prompt != NULL)
		meth->prompt(f);
	f->send = SEND_NONE;
	f->on_code = process_answer;	/* code_answer: nothing is in flight */
	f->sent_mark[0] = '\0';	/* nothing sent to be superseded */
	f->issued = now_ms();
	f->attempts_left = f->cfg->code_max_attempts;
	m.u.challenge.method = (uint8_t)f->method;
	m.u.challenge.lifetime = (uint32_t)f->cfg->code_lifetime;
	m.u.challenge.answer_len = (uint8_t)meth->answer_len;
	flow_wait(f, F_CHALLENGED, f->cfg->code_lifetime * 1000LL + 30000);
	flow_answer(f, &m);
}

/*
 * The next method of the plan.  A fake flow is shown the method the
 * person chose at START (the pass), else the first of the table (email),
 * as most real accounts are.
 */
static void
ask_method(struct flow *f)
{
	const struct method *meth, *chosen = method_chosen(f->purpose);

	meth = !f->fake ? method_by_id(f->plan[f->plan_pos]) :
	    chosen != NULL ? chosen : methods[0];
	if (!f->fake && meth->hidden && f->plan_pos == 0) {
		/* the fake flow's challenge, nothing sent (process_answer);
		 * never a chosen one's: that is plan[0] of a real flow */
		f->fake = f->hidden = 1;
		f->method = methods[0]->id;
		issue_code(f, methods[0]);
		f->method = meth->id;
		return;
	}
	f->method = meth->id;
	if (meth->proven != NULL && !f->fake) {
		/* proved with START: nothing to ask */
		if (meth->prompt != NULL)
			meth->prompt(f);
		method_passed(f, meth);
		return;
	}
	if (meth->channel != CH_NONE || (f->fake && chosen == NULL)) {
		issue_code(f, meth);
		return;
	}
	if (meth->prepare != NULL)
		meth->prepare(f);
	ask_direct(f, meth);
}

/* May this flow ask the account m?  A chosen method only when chosen. */
static int
method_fits(const struct flow *f, const struct method *m)
{
	const struct account *a = &f->acct;

	if (!m->usable(f->cfg, a))
		return 0;
	if (f->purpose == SSPR_PURPOSE_VERIFY)
		return m->proves_address;
	if (m->purpose != 0 && m->purpose != f->purpose)
		return 0;
	return m->enabled(f->cfg) && (!a->admin || m->for_admins);
}

/*
 * The recovery methods the account can use into f->plan, in three ranks:
 * the one chosen at START (the pass), then one the caller proved with
 * START (nothing is asked for it; one it did not prove is not there at
 * all, as for an account that does not have it), then the rest in the
 * order of the table (method.c): those [policy] methods enables that the
 * account has, and for an administrator only those that count for one.
 * Proving the address (PURPOSE_VERIFY) is the method that proves it,
 * whatever [policy] methods says.
 */
static int
method_rank(const struct method *m)
{
	return m->purpose != 0 ? 0 : m->proven != NULL ? 1 : 2;
}

static int
methods_available(struct flow *f)
{
	const struct method *m;
	int n = 0, i, rank;

	for (rank = 0; rank < 3; rank++)
		for (i = 0; (m = methods[i]) != NULL; i++) {
			if (method_rank(m) != rank || !method_fits(f, m))
				continue;
			if (m->proven != NULL && !m->proven(f))
				continue;
			if (n < (int)(sizeof(f->plan) / sizeof(f->plan[0])))
				f->plan[n++] = m->id;
		}
	return n;
}

/*
 * Why an account found in the directory still gets no code.  Fills the
 * plan (methods_available) and how much of it is asked (n_plan).
 */
static const char *
ineligible(struct flow *f)
{
	const struct account *a = &f->acct;
	const struct method *chosen = method_chosen(f->purpose);
	int v, n, need;

	if (a->excluded || account_named(a, &f->cfg->exclude_users))
		return "excluded or privileged";
	if (!a->in_scope)
		return "not in the group [policy] enables";
	n = methods_available(f);
	need = f->purpose == SSPR_PURPOSE_VERIFY ? 1 : a->admin ?
	    f->cfg->admin_methods_required : f->cfg->methods_required;
	if (chosen != NULL && (n == 0 || f->plan[0] != chosen->id))
		return "the method chosen at the start is not usable";
	/* the chosen one may stand for more than one method */
	if (chosen != NULL && chosen->counts != NULL)
		need -= chosen->counts(f->cfg) - 1;
	if (need < 1)
		need = 1;
	if (n == 0)
		return "no usable recovery method";
	if (n < need)
		return "fewer recovery methods than required";
	f->n_plan = need;
	if (a->admin_locked)
		return "locked by an administrator";
	if (a->disabled)
		return "disabled";
	if ((v = throttle_account(f->cfg, &a->counters, time(NULL))) != T_OK)
		return throttle_name(v);
	return NULL;
}

static void
lookup_done(struct flow *f, struct work_result *r)
{
	const char *why;

	if (r->not_self) {
		flog(f, LOG_WARNING, "a caller that is not in allowed_uids "
		    "asked for an account other than its own");
		flow_fail(f, SSPR_R_NOT_ALLOWED);
		return;
	}
	if (r->res.status == DIR_UNAVAILABLE || r->res.status == DIR_INTERNAL) {
		flog(f, LOG_ERR, "directory unavailable: %s", r->res.detail);
		flow_fail(f, SSPR_R_UNAVAILABLE);
		return;
	}
	if (r->system) {
		flog(f, LOG_NOTICE, "root or a local system account: never; "
		    "continuing without a code");
		faudit(f, "start", "ineligible", "system-account");
		f->fake = 1;
	} else if (r->res.status == DIR_NOT_FOUND) {
		flog(f, LOG_NOTICE, "no such account; continuing without a "
		    "code");
		faudit(f, "start", "unknown", NULL);
		f->fake = 1;
	} else {
		f->acct = r->acct;
		memset(&r->acct, 0, sizeof(r->acct));
		snprintf(f->who, sizeof(f->who), "%s",
		    account_name(&f->acct, f->user));
		if ((why = ineligible(f)) != NULL) {
			flog(f, LOG_NOTICE, "not eligible (%s); continuing "
			    "without a code", why);
			faudit(f, strstr(why, "too many") || strstr(why,
			    "blocked") ? "throttled" : "start", "ineligible",
			    why);
			f->fake = 1;
		} else
			faudit(f, "start", "ok", f->purpose ==
			    SSPR_PURPOSE_UNLOCK ? "unlock" : "reset");
	}
	f->plan_pos = 0;
	ask_method(f);
}

/* --- ANSWER: check the code -------------------------------------------- */

static void
on_answer(struct flow *f, struct msg *in)
{
	code_answer(f, &in->u.secret);
}

/* A reset's code: right, and still the newest for the account. */
static int
code_matches(struct flow *f, const struct secret *typed)
{
	return code_right(f, typed) && !f->fake &&
	    latest_is_current(f->latest, f->gen);
}

/* A wrong code or answer: counted against the source and the account. */
static void
wrong_answer(struct flow *f)
{
	char key[SSPR_RHOST_MAX + 8];

	f->attempts_left--;
	source_key(f, key, sizeof(key));
	state_event(key, STATE_FAIL, time(NULL), NULL);
	flog(f, LOG_NOTICE, "wrong %s (%d attempts left)",
	    method_by_id(f->method)->noun, f->attempts_left);
	faudit(f, "code_failed", "refused", "wrong");
	flow_wait(f, F_CHECKING, flow_dir_wait(f));
	if (f->fake) {	/* nothing to count: the result, as if counted */
		struct work_result r = { .kind = W_RECORD_FAIL };

		flow_work_done(f, &r);
		return;
	}
	work_dir(f, W_RECORD_FAIL, NULL);
}

static void
process_answer(struct flow *f, struct secret *typed)
{
	const struct method *meth;

	if (!code_usable(f))
		return;
	if (f->hidden) {	/* the send is over: the answer is the method's */
		f->hidden = 0;
		f->fake = 0;
	}
	meth = method_by_id(f->method);
	/* a chosen method's is checked for a fake flow too: the same work */
	if (meth->channel == CH_NONE && (!f->fake || meth->purpose != 0)) {
		/* scrypt, or a directory write: on a worker */
		struct job_spec *s;

		flow_wait(f, F_CHECKING, flow_dir_wait(f));
		if ((s = work_job(f, meth->check)) == NULL)
			return;
		s->pw = *typed;
		s->question = f->q_pick[f->q_pos];
		work_job_submit(f, s, meth->check_job);
		return;
	}
	if (code_matches(f, typed)) {
		/* single use: nothing that could match again is kept */
		explicit_bzero(f->hash, sizeof(f->hash));
		latest_forget(f->latest);
		flow_wait(f, F_CHECKING, flow_dir_wait(f));
		work_dir(f, W_CHECK, NULL);
		return;
	}
	wrong_answer(f);
}

/* An app code or an answer was checked on a worker. */
static void
answer_checked(struct flow *f, struct work_result *r)
{
	if (r->res.status == DIR_UNAVAILABLE) {
		flog(f, LOG_ERR, "directory unavailable: %s", r->res.detail);
		flow_fail(f, SSPR_R_UNAVAILABLE);
		return;
	}
	if (!r->right || f->fake) {
		wrong_answer(f);
		return;
	}
	/* who vouched (a pass's issuer, as the value names it: printable
	 * ASCII, pass.c); the audit's method says what was used */
	if (r->vouched[0] != '\0') {
		flog(f, LOG_NOTICE, "a %s issued by %s was used (and is gone)",
		    method_by_id(f->method)->name, r->vouched);
		faudit(f, "vouched", "ok", r->vouched);
	}
	flow_wait(f, F_CHECKING, flow_dir_wait(f));
	work_dir(f, W_CHECK, NULL);
}

/* A wrong code was counted (or, for a fake flow, not). */
static void
failure_counted(struct flow *f, struct work_result *r)
{
	struct msg m = { .type = SSPR_MSG_ANSWER_BAD };

	if (r->res.status != DIR_OK && !f->fake)
		flog(f, LOG_ERR, "cannot count the wrong code: %s",
		    r->res.detail);
	/*
	 * The block is told to nobody at the prompt: an unknown name gets
	 * its attempts to the end, so this flow does too, with no code
	 * that could still match (SECURITY.md, "No enumeration").
	 */
	if (r->blocked && !f->fake) {
		flog(f, LOG_WARNING, "too many wrong codes: resets of this "
		    "account are blocked for %d s", f->cfg->block_time);
		faudit(f, "throttled", "blocked", "wrong-codes");
		f->fake = 1;
		explicit_bzero(f->hash, sizeof(f->hash));
	}
	if (f->attempts_left <= 0) {
		flow_fail(f, SSPR_R_TOO_MANY);
		return;
	}
	m.u.attempts_left = (uint8_t)f->attempts_left;
	flow_wait(f, F_CHALLENGED, f->cfg->code_lifetime * 1000LL + 30000);
	flow_answer(f, &m);
}

/* A right code: unless the account got blocked meanwhile, go on. */
static void
code_checked(struct flow *f, struct work_result *r)
{
	const struct method *meth;

	if (r->res.status != DIR_OK) {
		flog(f, LOG_ERR, "cannot read the throttle counters: %s",
		    r->res.detail);
		flow_fail(f, SSPR_R_UNAVAILABLE);
		return;
	}
	if (r->blocked) {
		flog(f, LOG_WARNING, "right code, but the account was blocked "
		    "meanwhile");
		flow_fail(f, SSPR_R_TOO_MANY);
		return;
	}
	if (r->superseded) {
		flog(f, LOG_NOTICE, "a code that a newer one replaced (sent "
		    "by this or another host); refused");
		wrong_answer(f);
		return;
	}
	meth = method_by_id(f->method);
	flog(f, LOG_INFO, "%s verified", meth->name);
	if (meth->again != NULL && meth->again(f)) {
		ask_direct(f, meth);
		return;
	}
	method_passed(f, meth);
}

/* A method of the plan is proved: the next one, or what the flow is for. */
static void
method_passed(struct flow *f, const struct method *meth)
{
	struct msg m = { .type = SSPR_MSG_VERIFIED };

	if (meth->proven != NULL)
		flog(f, LOG_NOTICE, "%s counted: proved by what the caller "
		    "brought with START", meth->name);
	if (f->n_plan > 1 || meth->proven != NULL)
		faudit(f, "method", "ok", meth->name);
	if (++f->plan_pos < f->n_plan) {
		ask_method(f);
		return;
	}
	if (f->purpose == SSPR_PURPOSE_VERIFY) {
		faudit(f, "verify", "ok", NULL);
		reset_done(f, SSPR_DONE_VERIFIED);
		return;
	}
	if (f->purpose == SSPR_PURPOSE_UNLOCK) {
		flow_wait(f, F_WRITING, flow_dir_wait(f));
		work_dir(f, W_UNLOCK, NULL);
		return;
	}
	f->tries_left = f->cfg->password_tries;
	flow_wait(f, F_VERIFIED, f->cfg->idle_timeout * 1000LL);
	flow_answer(f, &m);
}

/* --- NEW_PASSWORD: write it back --------------------------------------- */

static void
reject(struct flow *f, int reason, const char *detail)
{
	struct msg m = { .type = SSPR_MSG_REJECTED };

	f->tries_left--;
	m.u.rejected.reason = (uint16_t)reason;
	m.u.rejected.tries_left = (uint8_t)(f->tries_left > 0 ?
	    f->tries_left : 0);
	if (detail != NULL && wire_text_ok((const unsigned char *)detail,
	    strlen(detail)))
		snprintf(m.u.rejected.detail, sizeof(m.u.rejected.detail),
		    "%s", detail);
	if (f->tries_left <= 0) {
		flow_last(f, &m);
		return;
	}
	flow_answer(f, &m);
	flow_wait(f, F_VERIFIED, f->cfg->idle_timeout * 1000LL);
}

static void
on_new_password(struct flow *f, struct msg *in)
{
	const struct secret *pw = &in->u.secret;

	/* bytes go to the directory exactly as typed: no trimming, no folding */
	if (pw->len == 0 || !wire_text_ok(pw->buf, pw->len)) {
		flog(f, LOG_NOTICE, "new password refused: empty or control "
		    "characters");
		reject(f, SSPR_R_POLICY_INVALID, NULL);
		return;
	}
	flow_wait(f, F_WRITING, flow_dir_wait(f));
	work_dir(f, W_SET_PASSWORD, pw);
}

static void
write_done(struct flow *f, struct work_result *r)
{
	switch (r->res.status) {
	case DIR_OK:
		flog(f, LOG_NOTICE, "password reset for %s", f->acct.dn);
		faudit(f, "reset", "ok", NULL);
		reset_done(f, SSPR_DONE_PASSWORD_SET);
		return;
	case DIR_POLICY:
		flog(f, LOG_NOTICE, "new password refused: %s (%s)",
		    reason_name(r->res.reason), r->res.detail);
		faudit(f, "reset", "refused", reason_name(r->res.reason));
		reject(f, r->res.reason, r->res.detail);
		return;
	case DIR_UNAVAILABLE:
		flog(f, LOG_ERR, "directory unavailable while writing: %s",
		    r->res.detail);
		faudit(f, "reset", "failed", "directory-unavailable");
		flow_fail(f, SSPR_R_UNAVAILABLE);
		return;
	case DIR_UNKNOWN:
		/*
		 * Not a reset the person may count on, and not one that
		 * failed: no counters cleared, no "was reset" mail, and
		 * never a second write.  The person is told to try both.
		 */
		flog(f, LOG_ERR, "the directory did not answer the password "
		    "write and it cannot be read back: %s may or may not have "
		    "the new password (%s)", f->acct.dn, r->res.detail);
		faudit(f, "reset", "unknown", "directory-no-answer");
		flow_fail(f, SSPR_R_OUTCOME_UNKNOWN);
		return;
	default:
		flog(f, LOG_ERR, "directory refused the write: %s",
		    r->res.detail);
		faudit(f, "reset", "failed", "directory-refused");
		flow_fail(f, SSPR_R_WRITE_FAILED);
		return;
	}
}

static void
unlock_done(struct flow *f, struct work_result *r)
{
	if (r->res.status == DIR_UNKNOWN) {
		flog(f, LOG_ERR, "the directory did not answer the unlock: "
		    "%s may or may not be unlocked (%s)", f->acct.dn,
		    r->res.detail);
		faudit(f, "unlock", "unknown", "directory-no-answer");
		flow_fail(f, SSPR_R_OUTCOME_UNKNOWN);
		return;
	}
	if (r->res.status != DIR_OK) {
		flog(f, LOG_ERR, "unlock failed: %s", r->res.detail);
		faudit(f, "unlock", "failed", NULL);
		flow_fail(f, r->res.status == DIR_UNAVAILABLE ?
		    SSPR_R_UNAVAILABLE : SSPR_R_WRITE_FAILED);
		return;
	}
	flog(f, LOG_NOTICE, "%s %s", r->res.unlocked ? "unlocked" :
	    "asked to unlock, but it was not locked:", f->acct.dn);
	faudit(f, "unlock", r->res.unlocked ? "ok" : "not-locked", NULL);
	reset_done(f, r->res.unlocked ? SSPR_DONE_UNLOCKED : SSPR_DONE_NOT_LOCKED);
}

/*
 * A reset, unlock or address check succeeded: the counters start afresh
 * before DONE is sent, so that a flow the caller starts after DONE (a
 * second reset at once, say) finds them cleared and its own sent code
 * is not among what the clear deletes.  After a change the account's
 * owner is told (best effort, whether or not the caller waits for DONE).
 * After a method the person chose (the helpdesk pass: perhaps someone
 * who talked the helpdesk round), at the directory's mail too.
 */
static void
reset_done(struct flow *f, uint16_t outcome)
{
	const struct method *chosen = method_chosen(f->purpose);

	f->outcome = outcome;
	flow_wait(f, F_CLEARING, f->cfg->dir_timeout * 1000LL);
	work_dir(f, W_CLEAR, NULL);
	if (outcome != SSPR_DONE_PASSWORD_SET && outcome != SSPR_DONE_UNLOCKED)
		return;
	if (chosen != NULL && chosen->notify != NULL)
		work_notify(f, chosen->notify, account_reset_mail(f->cfg,
		    &f->acct), f->acct.mail);
	else
		work_notify(f, outcome == SSPR_DONE_PASSWORD_SET ?
		    "notify-reset" : "notify-unlock",
		    account_reset_mail(f->cfg, &f->acct), NULL);
}

/* The clear's result, good or bad (dir_store.c logs a failed one). */
static void
cleared(struct flow *f, struct work_result *r)
{
	(void)r;
	flow_done(f, f->outcome);
}

/*
 * The clear takes longer than a directory call may: DONE all the same,
 * since the change is made.  The clear finishes on its own.
 */
static int
clear_late(struct flow *f)
{
	if (f->state != F_CLEARING)
		return 0;
	flog(f, LOG_WARNING, "the directory is slow to clear the counters; "
	    "DONE sent before it did");
	flow_done(f, f->outcome);
	return 1;
}

static const struct accept_row reset_rows[] = {
	{ F_HUMAN,	SSPR_MSG_ANSWER,	on_human_answer },
	{ F_CHALLENGED,	SSPR_MSG_ANSWER,	on_answer },
	{ F_VERIFIED,	SSPR_MSG_NEW_PASSWORD,	on_new_password },
	{ F_END,	0,			NULL },
};

static const struct result_row reset_results[] = {
	{ W_LOOKUP,		F_LOOKUP,	lookup_done,		0 },
	{ W_RECORD_FAIL,	F_CHECKING,	failure_counted,	0 },
	{ W_CHECK,		F_CHECKING,	code_checked,		0 },
	{ W_SET_PASSWORD,	F_WRITING,	write_done,		0 },
	{ W_UNLOCK,		F_WRITING,	unlock_done,		0 },
	{ W_TOTP_CHECK,		F_CHECKING,	answer_checked,		0 },
	{ W_ANSWER_CHECK,	F_CHECKING,	answer_checked,		0 },
	{ W_PASS_CHECK,		F_CHECKING,	answer_checked,		0 },
	{ W_CLEAR,		F_CLEARING,	cleared,		0 },
	{ W_LOOKUP,		F_END,		NULL,			0 },
};

static const struct flow_family reset_family = {
	.name = "reset",
	.purposes = (1u << SSPR_PURPOSE_RESET) | (1u << SSPR_PURPOSE_UNLOCK) |
	    (1u << SSPR_PURPOSE_VERIFY) | (1u << SSPR_PURPOSE_PASS),
	.start = reset_start,
	.accept = reset_rows,
	.results = reset_results,
	.deadline_state = F_CLEARING,
	.deadline = clear_late,
};

void
reset_family_init(void)
{
	flow_method_names(method_name);
	flow_method_features(method_features);
	flow_family_add(&reset_family);
}
