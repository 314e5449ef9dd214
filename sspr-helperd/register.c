/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * register.c: registration of recovery methods, right after a login (the
 * account step of pam_sspr, START purpose 4).  The person sees what is
 * registered (METHODS), adds or changes methods, and confirms or skips:
 *
 *   email      a code goes to the NEW address; only the right code
 *              stores it (ssprRecoveryMail): a verified address
 *   totp       a new secret shown as a QR code and in base32; one right
 *              code from the app stores it sealed (ssprTotpSecret) with
 *              the step it matched (ssprTotpLastStep)
 *   sms        a code by text message to the NEW number, as for email
 *              (ssprRecoveryPhone)
 *   questions  [questions] required answers, normalized, kept as salted
 *              scrypt hashes "N:$scrypt$..." (ssprQuestionAnswer)
 *   rcodes     ten new recovery codes, made and hashed on a worker, their
 *              hashes in place of the old set (ssprRecoveryCode), then
 *              shown once as INFO lines before METHODS; never logged
 *   confirm    ssprRegisteredTime = now, ssprRegistrationSkips = 0
 *   skip       ssprRegistrationSkips + 1, while [register] max_skips allow
 *
 * What a method offers, shows, asks and keeps is its own file's
 * (method_*.c, listed in method.c); this file loops over them.  Every
 * write is done by the service account on a worker (the job,
 * register_work.c); every change is audited ("register", method,
 * result); no secret is logged.  Loop thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answers.h"
#include "log.h"
#include "method.h"
#include "state.h"
#include "totp.h"
#include "where.h"

static void register_code_answered(struct flow *, struct secret *);

/* The name the logs and the audit give a step. */
static const char *
action_name(int a)
{
	const struct method *m = method_by_action(a);

	if (m != NULL)
		return m->name;
	return a == SSPR_ACT_CONFIRM ? "confirm" : a == SSPR_ACT_SKIP ?
	    "skip" : "other";
}

/* The methods registration offers: SSPR_REG_* bits. */
static int
offered(const struct cfg *c)
{
	int i, bits = 0;

	for (i = 0; methods[i] != NULL; i++)
		if (methods[i]->enabled(c))
			bits |= (int)methods[i]->reg_bit;
	return bits;
}

static int
skips_left(const struct flow *f)
{
	int n = f->cfg->max_skips - f->acct.skips;

	return n > 0 ? n : 0;
}

/*
 * STATUS: should the account step run the registration?  Never for
 * accounts a reset would never serve; else when never confirmed, when a
 * method is running out (recovery codes), or the last confirmation is
 * older than [register] reconfirm_days (0: never again).
 */
int
register_due(const struct cfg *c, const struct account *a)
{
	long long now = time(NULL);
	int i;

	if (!c->reg_enabled || c->enabled == POLICY_NONE || a->excluded ||
	    !a->in_scope)
		return 0;
	if (a->registered <= 0)
		return 1;
	for (i = 0; methods[i] != NULL; i++)
		if (methods[i]->due != NULL && methods[i]->due(c, a))
			return 1;
	return c->reconfirm_days > 0 &&
	    now - a->registered > (long long)c->reconfirm_days * 86400;
}

/* What is registered, masked; then the menu awaits a step. */
static void
send_methods(struct flow *f)
{
	struct msg m = { .type = SSPR_MSG_METHODS };
	struct msg_methods *mm = &m.u.methods;
	const struct account *a = &f->acct;
	int i;

	for (i = 0; methods[i] != NULL; i++)
		if (methods[i]->shown(f->cfg, a, mm))
			mm->registered |= (uint8_t)methods[i]->reg_bit;
	mm->offered = (uint8_t)offered(f->cfg);
	mm->confirmed = a->registered > 0 ? (uint32_t)a->registered : 0;
	mm->skips_left = (uint8_t)skips_left(f);
	flow_wait(f, F_REG_MENU, f->cfg->idle_timeout * 1000LL);
	flow_answer(f, &m);
}

static void
register_lookup_done(struct flow *f, struct work_result *r)
{
	int i;

	if (r->not_self) {
		flog(f, LOG_WARNING, "a caller that is not in allowed_uids "
		    "asked to register another account");
		flow_fail(f, SSPR_R_NOT_ALLOWED);
		return;
	}
	if (r->res.status == DIR_UNAVAILABLE || r->res.status == DIR_INTERNAL) {
		flog(f, LOG_ERR, "directory unavailable: %s", r->res.detail);
		flow_fail(f, SSPR_R_UNAVAILABLE);
		return;
	}
	if (r->system || r->res.status != DIR_OK) {
		flow_fail(f, SSPR_R_NOT_MINE);
		return;
	}
	f->acct = r->acct;
	memset(&r->acct, 0, sizeof(r->acct));
	snprintf(f->who, sizeof(f->who), "%s", account_name(&f->acct,
	    f->user));
	if (f->acct.excluded || !f->acct.in_scope ||
	    account_named(&f->acct, &f->cfg->exclude_users)) {
		flow_fail(f, SSPR_R_DISABLED);
		return;
	}
	faudit(f, "register", "start", NULL);
	for (i = 0; methods[i] != NULL; i++)
		if (methods[i]->notice != NULL)
			methods[i]->notice(f);
	send_methods(f);
}

/* A value that is not an address or a number: said, and the menu again. */
static void
reject_value(struct flow *f)
{
	struct msg m = { .type = SSPR_MSG_REJECTED };

	m.u.rejected.reason = SSPR_R_POLICY_INVALID;
	m.u.rejected.tries_left = 1;
	faudit(f, "register", "refused", "invalid-value");
	flow_wait(f, F_REG_MENU, f->cfg->idle_timeout * 1000LL);
	flow_answer(f, &m);
}

/* A code to the new address or number (counted like a reset's codes). */
static void
reg_issue_code(struct flow *f)
{
	struct msg m = { .type = SSPR_MSG_CHALLENGE };
	struct secret code;

	if (throttle_account(f->cfg, &f->acct.counters, time(NULL)) != T_OK) {
		faudit(f, "register", "refused", "throttled");
		flow_fail(f, SSPR_R_THROTTLED);
		return;
	}
	if (code_new(f, &code) != 0)
		return;
	if (code_destination(f, m.u.challenge.destination,
	    sizeof(m.u.challenge.destination)) != 0) {
		secret_wipe(&code);
		flow_fail(f, SSPR_R_INTERNAL);
		return;
	}
	code_challenge(f, &m, &code, F_REG_CODE, register_code_answered);
}

/*
 * A method that sends nothing: its INFO lines, then a CHALLENGE that
 * its enrol_answer takes.
 */
static void
enrol_ask(struct flow *f, const struct method *meth)
{
	struct msg m = { .type = SSPR_MSG_CHALLENGE };

	if (meth->enrol_ask(f, &m) != 0) {
		flow_fail(f, SSPR_R_INTERNAL);
		return;
	}
	m.u.challenge.method = (uint8_t)meth->id;
	m.u.challenge.lifetime = (uint32_t)f->cfg->idle_timeout;
	flow_wait(f, F_REG_ANSWER, f->cfg->idle_timeout * 1000LL);
	flow_answer(f, &m);
}

static void
write_step(struct flow *f)
{
	struct job_spec *s;
	int i;

	flow_wait(f, F_WRITING, flow_dir_wait(f) + 5000);
	if ((s = work_job(f, W_REG_WRITE)) == NULL)
		return;
	s->action = f->reg_action;
	snprintf(s->value, sizeof(s->value), "%s", f->send_to);
	s->reg_secret = f->reg_secret;
	s->step = f->reg_step;
	/* the answers go with the job, as hashes to the entry only */
	for (i = 0; f->reg_action == SSPR_ACT_QUESTIONS &&
	    f->reg_answers != NULL && i < f->n_q && i < JOB_ANSWERS_MAX; i++) {
		s->answers[i] = f->reg_answers[i];
		secret_wipe(&f->reg_answers[i]);
	}
	s->n_answers = i;
	work_job_submit(f, s, register_write_work);
}

/*
 * A method chosen: a code to the new address or number, or the method's
 * own proof.  -1: not offered after all (nothing was said yet).
 */
static int
enrol(struct flow *f, const struct method *meth, const char *value)
{
	int r;

	if (meth->channel != CH_NONE) {
		if (meth->value(value, f->send_to, sizeof(f->send_to)) != 0) {
			f->send_to[0] = '\0';
			reject_value(f);
			return 0;
		}
		f->channel = meth->channel;
		f->method = meth->id;
		reg_issue_code(f);
		return 0;
	}
	if (meth->enrol != NULL && (r = meth->enrol(f)) != 0) {
		if (r < 0)
			flow_fail(f, SSPR_R_INTERNAL);
		return r < 0 ? 0 : -1;
	}
	f->method = meth->id;
	if (meth->enrol_ask == NULL) {	/* the choice alone is stored */
		write_step(f);
		return 0;
	}
	enrol_ask(f, meth);
	return 0;
}

static void
on_register_step(struct flow *f, struct msg *in)
{
	const struct msg_register_step *st = &in->u.step;
	const struct method *meth = method_by_action(st->action);

	f->reg_action = st->action;
	f->send_to[0] = '\0';
	if (meth != NULL && (offered(f->cfg) & (int)meth->reg_bit) &&
	    enrol(f, meth, st->value) == 0)
		return;
	switch (st->action) {
	case SSPR_ACT_CONFIRM:
		f->method = 0;
		write_step(f);
		return;
	case SSPR_ACT_SKIP:
		f->method = 0;
		if (skips_left(f) <= 0) {
			flog(f, LOG_NOTICE, "registration: no skips left");
			faudit(f, "register", "refused", "no-skips-left");
			flow_fail(f, SSPR_R_DISABLED);
			return;
		}
		write_step(f);
		return;
	}
	flog(f, LOG_WARNING, "registration step %u is not offered",
	    (unsigned)st->action);
	flow_fail(f, SSPR_R_DISABLED);
}

static void
reg_wrong(struct flow *f)
{
	struct msg m = { .type = SSPR_MSG_ANSWER_BAD };
	char key[SSPR_RHOST_MAX + 8];

	f->attempts_left--;
	source_key(f, key, sizeof(key));
	state_event(key, STATE_FAIL, time(NULL), NULL);
	faudit(f, "register", "refused", "wrong-code");
	if (f->attempts_left <= 0) {
		flow_fail(f, SSPR_R_TOO_MANY);
		return;
	}
	m.u.attempts_left = (uint8_t)f->attempts_left;
	flow_answer(f, &m);
}

/* A registration code was typed: right, the address or number is stored. */
static void
register_code_answered(struct flow *f, struct secret *typed)
{
	if (!code_usable(f))
		return;
	if (!code_right(f, typed)) {
		reg_wrong(f);
		return;
	}
	explicit_bzero(f->hash, sizeof(f->hash));
	write_step(f);
}

/* A code sent to the new address or number was typed. */
static void
on_register_code(struct flow *f, struct msg *in)
{
	code_answer(f, &in->u.secret);
}

/* An answer to a method that sends nothing (an app code, a question). */
static void
on_register_answer(struct flow *f, struct msg *in)
{
	const struct method *meth = method_by_id(f->method);
	struct msg m = { .type = SSPR_MSG_ANSWER_BAD };

	switch (meth->enrol_answer(f, &in->u.secret)) {
	case ENROL_DONE:
		write_step(f);
		return;
	case ENROL_NEXT:
		enrol_ask(f, meth);
		return;
	case ENROL_WRONG:
		reg_wrong(f);
		return;
	case ENROL_INVALID:
		if (--f->attempts_left <= 0) {
			flow_fail(f, SSPR_R_TOO_MANY);
			return;
		}
		m.u.attempts_left = (uint8_t)f->attempts_left;
		flow_answer(f, &m);
		return;
	}
}

/* What a store made to be shown once (new recovery codes), a line each. */
static void
show_once(struct flow *f, struct secret *shown)
{
	char *p, *nl;

	for (p = (char *)shown->buf; shown->len > 0 && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		flow_info(f, p);
		if (nl == NULL)
			break;
	}
	secret_wipe(shown);
}

static void
register_written(struct flow *f, struct work_result *r)
{
	const char *what = action_name(f->reg_action);

	if (r->res.status != DIR_OK) {
		flog(f, LOG_ERR, "registration (%s) not stored: %s", what,
		    r->res.detail);
		faudit(f, "register", "failed", what);
		flow_fail(f, r->res.status == DIR_UNAVAILABLE ?
		    SSPR_R_UNAVAILABLE : SSPR_R_WRITE_FAILED);
		return;
	}
	flog(f, LOG_NOTICE, "registration: %s stored", what);
	faudit(f, "register", "ok", what);
	show_once(f, &r->shown);
	if (f->reg_action == SSPR_ACT_CONFIRM) {
		flow_done(f, SSPR_DONE_REGISTERED);
		return;
	}
	if (f->reg_action == SSPR_ACT_SKIP) {
		flow_done(f, SSPR_DONE_SKIPPED);
		return;
	}
	method_by_action(f->reg_action)->remember(f);
	send_methods(f);
}

/* START purpose 4, after a login: the person is known to be there. */
static void
register_start(struct flow *f, struct msg *in)
{
	if (!f->cfg->reg_enabled) {
		flow_fail(f, SSPR_R_DISABLED);
		return;
	}
	if (flow_start_common(f, &in->u.start) != 0 || !where_register_ok(f))
		return;
	flow_wait(f, F_REG_LOOKUP, flow_dir_wait(f));
	work_dir(f, W_LOOKUP, NULL);
}

static const struct accept_row register_rows[] = {
	{ F_REG_MENU,	SSPR_MSG_REGISTER_STEP,	on_register_step },
	{ F_REG_CODE,	SSPR_MSG_ANSWER,	on_register_code },
	{ F_REG_ANSWER,	SSPR_MSG_ANSWER,	on_register_answer },
	{ F_END,	0,			NULL },
};

static const struct result_row register_results[] = {
	{ W_LOOKUP,	F_REG_LOOKUP,	register_lookup_done,	0 },
	{ W_REG_WRITE,	F_WRITING,	register_written,	0 },
	{ W_LOOKUP,	F_END,		NULL,			0 },
};

static const struct flow_family register_family = {
	.name = "register",
	.purposes = 1u << SSPR_PURPOSE_REGISTER,
	.start = register_start,
	.accept = register_rows,
	.results = register_results,
};

void
register_family_init(void)
{
	flow_method_names(method_name);
	flow_family_add(&register_family);
}
