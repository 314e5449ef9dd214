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
 *   confirm    ssprRegisteredTime = now, ssprRegistrationSkips = 0
 *   skip       ssprRegistrationSkips + 1, while [register] max_skips allow
 *
 * Every write is done by the service account on a worker (the job,
 * register_work.c); every change is audited ("register", method,
 * result); no secret is logged.  Loop thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "answers.h"
#include "flowint.h"
#include "log.h"
#include "qr.h"
#include "sms.h"
#include "state.h"
#include "timer.h"
#include "totp.h"

#define MAX_QUESTIONS	10

static void register_code_answered(struct flow *, struct secret *);

static const char *
action_name(int a)
{
	switch (a) {
	case SSPR_ACT_EMAIL:		return "email";
	case SSPR_ACT_TOTP:		return "totp";
	case SSPR_ACT_SMS:		return "sms";
	case SSPR_ACT_QUESTIONS:	return "questions";
	case SSPR_ACT_CONFIRM:		return "confirm";
	case SSPR_ACT_SKIP:		return "skip";
	default:			return "other";
	}
}

static int
offered(const struct cfg *c)
{
	return (cfg_method(c, "email") ? SSPR_REG_EMAIL : 0) |
	    (cfg_method(c, "totp") && c->totp_keys != NULL ? SSPR_REG_TOTP : 0) |
	    (cfg_method(c, "sms") ? SSPR_REG_SMS : 0) |
	    (cfg_method(c, "questions") ? SSPR_REG_QUESTIONS : 0);
}

static int
skips_left(const struct flow *f)
{
	int n = f->cfg->max_skips - f->acct.skips;

	return n > 0 ? n : 0;
}

/*
 * STATUS: should the account step run the registration?  Never for
 * accounts a reset would never serve; else when never confirmed, or the
 * last confirmation is older than [register] reconfirm_days (0: never
 * again).
 */
int
register_due(const struct cfg *c, const struct account *a)
{
	long long now = time(NULL);

	if (!c->reg_enabled || c->enabled == POLICY_NONE || a->excluded ||
	    !a->in_scope)
		return 0;
	if (a->registered <= 0)
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
	const char *mail = account_reset_mail(f->cfg, &f->acct);

	if (mail != NULL && addr_mask(mail, mm->mail, sizeof(mm->mail)) == 0)
		mm->registered |= SSPR_REG_EMAIL;
	if (a->totp != NULL)
		mm->registered |= SSPR_REG_TOTP;
	if (a->phone != NULL && sms_phone_mask(a->phone, mm->phone,
	    sizeof(mm->phone)) == 0)
		mm->registered |= SSPR_REG_SMS;
	if (a->answers != NULL && a->answers[0] != NULL)
		mm->registered |= SSPR_REG_QUESTIONS;
	mm->offered = (uint8_t)offered(f->cfg);
	mm->confirmed = a->registered > 0 ? (uint32_t)a->registered : 0;
	mm->skips_left = (uint8_t)skips_left(f);
	flow_wait(f, F_REG_MENU, f->cfg->idle_timeout * 1000LL);
	flow_answer(f, &m);
}

static void
register_lookup_done(struct flow *f, struct work_result *r)
{
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

static void
info(struct flow *f, const char *line)
{
	struct msg m = { .type = SSPR_MSG_INFO };

	snprintf(m.u.line, sizeof(m.u.line), "%s", line);
	flow_answer(f, &m);
}

/* A new secret: the QR code, the secret and the URI, then the challenge. */
static void
enrol_totp(struct flow *f)
{
	struct msg m = { .type = SSPR_MSG_CHALLENGE };
	char uri[512], b32[TOTP_BASE32_MAX], line[64], err[256];
	char *qr = NULL, *p, *nl;
	int cols, rows;

	if (totp_secret_new(&f->reg_secret) != 0 ||
	    totp_base32(&f->reg_secret, b32, sizeof(b32)) != 0 ||
	    totp_uri(&f->reg_secret, f->cfg->totp_issuer, f->user, uri,
	    sizeof(uri)) != 0) {
		explicit_bzero(b32, sizeof(b32));
		explicit_bzero(uri, sizeof(uri));
		flow_fail(f, SSPR_R_INTERNAL);
		return;
	}
	if ((qr = qr_render(uri, 0, &cols, &rows, err, sizeof(err))) == NULL)
		flog(f, LOG_WARNING, "no QR code: %s", err);
	for (p = qr; p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		info(f, p);
	}
	if (qr != NULL) {
		explicit_bzero(qr, strlen(qr));
		free(qr);
	}
	snprintf(line, sizeof(line), "Secret: %s", b32);
	info(f, line);
	info(f, uri);
	explicit_bzero(uri, sizeof(uri));
	explicit_bzero(b32, sizeof(b32));
	explicit_bzero(line, sizeof(line));
	f->issued = now_ms();
	f->attempts_left = f->cfg->code_max_attempts;
	f->send = SEND_NONE;
	m.u.challenge.method = SSPR_METHOD_TOTP;
	m.u.challenge.lifetime = (uint32_t)f->cfg->idle_timeout;
	m.u.challenge.answer_len = TOTP_DIGITS;
	flow_wait(f, F_REG_CODE, f->cfg->idle_timeout * 1000LL);
	flow_answer(f, &m);
}

/* Question q_pos (the list's questions in order), then its challenge. */
static void
ask_question(struct flow *f)
{
	struct msg m = { .type = SSPR_MSG_CHALLENGE };
	char line[CFG_QUESTION_MAX + 64];

	snprintf(line, sizeof(line), "Question %d of %d: %s", f->q_pos + 1,
	    f->n_q, f->cfg->questions.item[f->q_pos]);
	info(f, line);
	m.u.challenge.method = SSPR_METHOD_QUESTION;
	m.u.challenge.lifetime = (uint32_t)f->cfg->idle_timeout;
	flow_wait(f, F_REG_QUESTION, f->cfg->idle_timeout * 1000LL);
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

static void
on_register_step(struct flow *f, struct msg *in)
{
	const struct msg_register_step *st = &in->u.step;
	int off = offered(f->cfg);

	f->reg_action = st->action;
	f->send_to[0] = '\0';
	switch (st->action) {
	case SSPR_ACT_EMAIL:
		if (!(off & SSPR_REG_EMAIL))
			break;
		if (!addr_valid(st->value) ||
		    strlen(st->value) >= sizeof(f->send_to)) {
			reject_value(f);
			return;
		}
		snprintf(f->send_to, sizeof(f->send_to), "%s", st->value);
		f->channel = CH_MAIL;
		f->method = SSPR_METHOD_EMAIL;
		reg_issue_code(f);
		return;
	case SSPR_ACT_SMS:
		if (!(off & SSPR_REG_SMS))
			break;
		if (sms_phone_normalize(st->value, f->send_to,
		    sizeof(f->send_to)) != 0) {
			f->send_to[0] = '\0';
			reject_value(f);
			return;
		}
		f->channel = CH_SMS;
		f->method = SSPR_METHOD_SMS;
		reg_issue_code(f);
		return;
	case SSPR_ACT_TOTP:
		if (!(off & SSPR_REG_TOTP))
			break;
		f->method = SSPR_METHOD_TOTP;
		enrol_totp(f);
		return;
	case SSPR_ACT_QUESTIONS:
		if (!(off & SSPR_REG_QUESTIONS) || f->cfg->questions.n == 0)
			break;
		f->method = SSPR_METHOD_QUESTION;
		if (f->reg_answers == NULL && (f->reg_answers = calloc(
		    MAX_QUESTIONS, sizeof(*f->reg_answers))) == NULL) {
			flow_fail(f, SSPR_R_INTERNAL);
			return;
		}
		f->n_q = f->cfg->questions_required < f->cfg->questions.n ?
		    f->cfg->questions_required : f->cfg->questions.n;
		f->q_pos = 0;
		f->attempts_left = f->cfg->code_max_attempts;
		ask_question(f);
		return;
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

static void
on_register_answer(struct flow *f, struct msg *in)
{
	int64_t step;
	int r;

	if (f->method == SSPR_METHOD_TOTP) {
		r = totp_verify(&f->reg_secret, &in->u.secret, time(NULL),
		    f->cfg->totp_window, -1, &step);
		if (r != TOTP_OK) {
			reg_wrong(f);
			return;
		}
		f->reg_step = step;
		write_step(f);
		return;
	}
	code_answer(f, &in->u.secret);
}

static void
on_register_question(struct flow *f, struct msg *in)
{
	struct msg m = { .type = SSPR_MSG_ANSWER_BAD };

	if (answer_normalize(&in->u.secret, f->cfg->min_answer_length,
	    &f->reg_answers[f->q_pos]) != 0) {
		if (--f->attempts_left <= 0) {
			flow_fail(f, SSPR_R_TOO_MANY);
			return;
		}
		m.u.attempts_left = (uint8_t)f->attempts_left;
		flow_answer(f, &m);
		return;
	}
	if (++f->q_pos < f->n_q) {
		ask_question(f);
		return;
	}
	write_step(f);
}

/* What was written is now what the flow knows of the account. */
static void
remember(struct flow *f)
{
	struct account *a = &f->acct;
	char v[32];
	int i;

	switch (f->reg_action) {
	case SSPR_ACT_EMAIL:
		free(a->reg_mail);
		a->reg_mail = strdup(f->send_to);
		break;
	case SSPR_ACT_SMS:
		free(a->phone);
		a->phone = strdup(f->send_to);
		break;
	case SSPR_ACT_TOTP:
		secret_wipe(&f->reg_secret);
		free(a->totp);
		a->totp = strdup("sealed");
		break;
	case SSPR_ACT_QUESTIONS:
		for (i = 0; a->answers != NULL && a->answers[i] != NULL; i++)
			free(a->answers[i]);
		free(a->answers);
		a->answers = calloc((size_t)f->n_q + 1, sizeof(*a->answers));
		for (i = 0; a->answers != NULL && i < f->n_q; i++) {
			snprintf(v, sizeof(v), "%d:", i + 1);
			a->answers[i] = strdup(v);
		}
		break;
	}
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
	if (f->reg_action == SSPR_ACT_CONFIRM) {
		flow_done(f, SSPR_DONE_REGISTERED);
		return;
	}
	if (f->reg_action == SSPR_ACT_SKIP) {
		flow_done(f, SSPR_DONE_SKIPPED);
		return;
	}
	remember(f);
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
	if (flow_start_common(f, &in->u.start) != 0)
		return;
	flow_wait(f, F_REG_LOOKUP, flow_dir_wait(f));
	work_dir(f, W_LOOKUP, NULL);
}

static const struct accept_row register_rows[] = {
	{ F_REG_MENU,	SSPR_MSG_REGISTER_STEP,	on_register_step },
	{ F_REG_CODE,	SSPR_MSG_ANSWER,	on_register_answer },
	{ F_REG_QUESTION, SSPR_MSG_ANSWER,	on_register_question },
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
	flow_family_add(&register_family);
}
