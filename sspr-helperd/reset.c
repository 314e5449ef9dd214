/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reset.c: the steps of a reset (or unlock, or address check) flow, from
 * START to the new password, and its decisions: who is eligible, which
 * code matches, what the directory's answer means.  Unknown, ineligible
 * and throttled accounts go through exactly the same steps and answers
 * as real ones; they just never get a code that could match.  flow.c's
 * table decides when each step may run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "flowint.h"
#include "human.h"
#include "latest.h"
#include "log.h"
#include "server.h"
#include "state.h"
#include "timer.h"
#include "wire.h"

#define HUMAN_TRIES	3

static int human_needed(const struct flow *);
static void ask_human(struct flow *);

/* --- START: look the user up, then send a code (or pretend to) --------- */

/*
 * The per-source limit is said plainly (FAIL THROTTLED): it is about the
 * terminal or host, and tells nothing about any account.
 */
int
source_allowed(struct flow *f)
{
	long long now = time(NULL);
	struct tstate t;
	char key[SSPR_RHOST_MAX + 8];

	source_key(f, key, sizeof(key));
	state_get(key, &t);
	if (throttle_source(f->cfg, &t, now) != T_OK) {
		flog(f, LOG_WARNING, "source over its limit of flows or wrong "
		    "codes; refusing");
		return 0;
	}
	state_event(key, STATE_SENT, now, NULL);
	return 1;
}

void
on_start(struct flow *f, struct msg *in)
{
	unsigned char tag[CODE_HASH_LEN];

	switch (in->u.start.purpose) {
	case SSPR_PURPOSE_RESET:
	case SSPR_PURPOSE_VERIFY:
		break;
	case SSPR_PURPOSE_UNLOCK:
		if (f->cfg->allow_unlock)
			break;
		/* FALLTHROUGH */
	default:
		flow_fail(f, SSPR_R_DISABLED);
		return;
	}
	if (f->cfg->enabled == POLICY_NONE) {
		flow_fail(f, SSPR_R_DISABLED);
		return;
	}
	if (in->u.start.user[0] == '\0') {
		flow_fail(f, SSPR_R_PROTOCOL);
		return;
	}
	f->purpose = in->u.start.purpose;
	snprintf(f->user, sizeof(f->user), "%s", in->u.start.user);
	/*
	 * Until the directory knows the name, logs show a keyed tag of it:
	 * people type passwords into user prompts.
	 */
	if (code_tag(&f->cfg->bind_password, "log", f->user, tag) == 0)
		snprintf(f->who, sizeof(f->who), "#%02x%02x%02x%02x", tag[0],
		    tag[1], tag[2], tag[3]);
	if (!state_healthy()) {
		flog(f, LOG_ERR, "the throttle state file cannot be written; "
		    "refusing until it can");
		flow_fail(f, SSPR_R_UNAVAILABLE);
		return;
	}
	if (!source_allowed(f)) {
		faudit(f, "throttled", "refused", "source");
		flow_fail(f, SSPR_R_THROTTLED);
		return;
	}
	if (human_needed(f)) {
		f->human_tries = HUMAN_TRIES;
		ask_human(f);
		return;
	}
	flow_wait(f, F_LOOKUP, flow_dir_wait(f));
	work_dir(f, W_LOOKUP, NULL);
}

/* --- the human check, before any lookup -------------------------------- */

static int
checks(const struct cfglist *l, const char *word)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->item[i], word) == 0 ||
		    strcmp(l->item[i], "all") == 0)
			return 1;
	return 0;
}

/* [policy] human_check for this caller: kiosk, remote (SSH) or local. */
static int
human_needed(const struct flow *f)
{
	const struct cfglist *l = &f->cfg->human_check;

	if (strcmp(f->service, f->cfg->kiosk_service) == 0)
		return checks(l, "kiosk");
	return checks(l, f->remote ? "remote" : "local");
}

/* A new picture: INFO lines, then a CHALLENGE naming the method. */
static void
ask_human(struct flow *f)
{
	struct msg m;
	int i;

	if ((f->human == NULL && (f->human = malloc(sizeof(*f->human))) ==
	    NULL) || human_new(f->human) != 0) {
		flow_fail(f, SSPR_R_INTERNAL);
		return;
	}
	for (i = 0; i < HUMAN_ROWS; i++) {
		memset(&m, 0, sizeof(m));
		m.type = SSPR_MSG_INFO;
		snprintf(m.u.line, sizeof(m.u.line), "%s", f->human->lines[i]);
		flow_answer(f, &m);
	}
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_CHALLENGE;
	m.u.challenge.method = SSPR_METHOD_HUMAN;
	m.u.challenge.lifetime = (uint32_t)f->cfg->idle_timeout;
	m.u.challenge.answer_len = HUMAN_LEN;
	flow_wait(f, F_HUMAN, f->cfg->idle_timeout * 1000LL);
	flow_answer(f, &m);
}

/*
 * Only a right answer lets the flow look anyone up; wrong ones count
 * against the source, like wrong codes.
 */
void
on_human_answer(struct flow *f, struct msg *in)
{
	char key[SSPR_RHOST_MAX + 8];

	if (human_match(f->human, in->u.secret.buf, in->u.secret.len)) {
		f->human_ok = 1;
		flow_wait(f, F_LOOKUP, flow_dir_wait(f));
		work_dir(f, W_LOOKUP, NULL);
		return;
	}
	source_key(f, key, sizeof(key));
	state_event(key, STATE_FAIL, time(NULL), NULL);
	faudit(f, "human_check", "refused", "wrong");
	if (--f->human_tries <= 0) {
		flow_fail(f, SSPR_R_TOO_MANY);
		return;
	}
	ask_human(f);
}

/*
 * Issues the code and has it sent; the CHALLENGE goes out at once, so the
 * time the mail takes never shows in the answer.  A fake flow gets a code
 * too (so every later step costs the same) that is never sent.
 */
static void
issue_code(struct flow *f)
{
	struct msg m = { .type = SSPR_MSG_CHALLENGE };
	unsigned char tag[CODE_HASH_LEN];
	struct secret code;
	int r;

	if (code_generate(f->cfg->code_length, &code) != 0 ||
	    code_hash(f->id, &code, f->hash) != 0) {
		secret_wipe(&code);
		flow_fail(f, SSPR_R_INTERNAL);
		return;
	}
	if (f->fake) {
		code_tag(&f->cfg->bind_password, "mask", f->user, tag);
		r = addr_mask_fake(f->user, f->cfg->mail_from, tag[0],
		    m.u.challenge.destination,
		    sizeof(m.u.challenge.destination));
	} else {
		r = addr_mask(f->acct.mail, m.u.challenge.destination,
		    sizeof(m.u.challenge.destination));
		latest_release(f->latest);
		f->latest = latest_issue(f->acct.dn, &f->gen);
	}
	if (r != 0) {
		secret_wipe(&code);
		flow_fail(f, SSPR_R_INTERNAL);
		return;
	}
	f->issued = now_ms();
	f->attempts_left = f->cfg->code_max_attempts;
	f->send = SEND_PENDING;
	work_send(f, &code);
	secret_wipe(&code);

	m.u.challenge.method = SSPR_METHOD_EMAIL;
	m.u.challenge.lifetime = (uint32_t)f->cfg->code_lifetime;
	m.u.challenge.answer_len = (uint8_t)f->cfg->code_length;
	flow_wait(f, F_CHALLENGED, f->cfg->code_lifetime * 1000LL + 30000);
	flow_answer(f, &m);
}

static int
listed(const struct cfglist *l, const char *word)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->item[i], word) == 0)
			return 1;
	return 0;
}

/* The recovery methods the account can use (so far: its mail). */
static int
methods_available(const struct account *a)
{
	return a->mail != NULL;
}

/* Why an account found in the directory still gets no code. */
static const char *
ineligible(const struct flow *f)
{
	const struct account *a = &f->acct;
	int v;

	if (a->excluded || listed(&f->cfg->exclude_users, f->user))
		return "excluded or privileged";
	if (!a->in_scope)
		return "not in the group [policy] enables";
	if (a->mail == NULL)
		return "no usable recovery address";
	if (methods_available(a) < (a->admin ? f->cfg->admin_methods_required :
	    f->cfg->methods_required))
		return "fewer recovery methods than required";
	if (a->admin_locked)
		return "locked by an administrator";
	if (a->disabled)
		return "disabled";
	if ((v = throttle_account(f->cfg, &a->counters, time(NULL))) != T_OK)
		return throttle_name(v);
	return NULL;
}

void
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
		snprintf(f->who, sizeof(f->who), "%s", f->user);
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
	issue_code(f);
}

/* --- ANSWER: check the code -------------------------------------------- */

static void process_answer(struct flow *, struct secret *);

void
flow_send_done(struct flow *f, int ok, const char *why)
{
	struct secret *held;

	f->send = ok ? SEND_OK : SEND_FAILED;
	if (!ok)
		flog(f, LOG_ERR, "%s failed: %s", f->fake ? "the mail server "
		    "check" : "sending the code", why);
	else if (!f->fake)
		flog(f, LOG_INFO, "code sent");
	if (!f->fake)
		faudit(f, "code_sent", ok ? "ok" : "failed", ok ? NULL :
		    "mail");
	if (f->held != NULL && f->state == F_CHALLENGED) {
		held = f->held;
		f->held = NULL;
		process_answer(f, held);
		secret_wipe(held);
		free(held);
	}
}

void
on_answer(struct flow *f, struct msg *in)
{
	if (f->send == SEND_PENDING) {
		/* the answer waits for the mail's outcome; hold a copy */
		if (f->held != NULL || (f->held = malloc(sizeof(*f->held))) ==
		    NULL) {
			flow_fail(f, SSPR_R_PROTOCOL);
			return;
		}
		*f->held = in->u.secret;
		return;
	}
	process_answer(f, &in->u.secret);
}

static int
code_matches(struct flow *f, const struct secret *typed)
{
	unsigned char h[CODE_HASH_LEN];
	struct secret norm;
	int ok;

	ok = code_normalize(typed, f->cfg->code_length, &norm) == 0 &&
	    code_hash(f->id, &norm, h) == 0 && code_hash_equal(h, f->hash);
	secret_wipe(&norm);
	explicit_bzero(h, sizeof(h));
	return ok && !f->fake && latest_is_current(f->latest, f->gen);
}

static void
process_answer(struct flow *f, struct secret *typed)
{
	char key[SSPR_RHOST_MAX + 8];

	if (f->send == SEND_FAILED) {
		flow_fail(f, SSPR_R_SEND_FAILED);
		return;
	}
	if (now_ms() - f->issued > f->cfg->code_lifetime * 1000LL) {
		flog(f, LOG_NOTICE, "code expired");
		faudit(f, "code_failed", "refused", "expired");
		flow_fail(f, SSPR_R_EXPIRED);
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
	f->attempts_left--;
	source_key(f, key, sizeof(key));
	state_event(key, STATE_FAIL, time(NULL), NULL);
	flog(f, LOG_NOTICE, "wrong code (%d attempts left)", f->attempts_left);
	faudit(f, "code_failed", "refused", "wrong");
	if (f->fake) {
		struct work_result r = { .kind = W_RECORD_FAIL };

		flow_wait(f, F_CHECKING, flow_dir_wait(f));
		flow_work_done(f, &r);
		return;
	}
	flow_wait(f, F_CHECKING, flow_dir_wait(f));
	work_dir(f, W_RECORD_FAIL, NULL);
}

/* A wrong code was counted (or, for a fake flow, not). */
void
failure_counted(struct flow *f, struct work_result *r)
{
	struct msg m = { .type = SSPR_MSG_ANSWER_BAD };

	if (r->res.status != DIR_OK && !f->fake)
		flog(f, LOG_ERR, "cannot count the wrong code: %s",
		    r->res.detail);
	if (r->blocked) {
		flog(f, LOG_WARNING, "too many wrong codes: resets of this "
		    "account are blocked for %d s", f->cfg->block_time);
		faudit(f, "throttled", "blocked", "wrong-codes");
	}
	if (f->attempts_left <= 0 || r->blocked) {
		flow_fail(f, SSPR_R_TOO_MANY);
		return;
	}
	m.u.attempts_left = (uint8_t)f->attempts_left;
	flow_wait(f, F_CHALLENGED, f->cfg->code_lifetime * 1000LL + 30000);
	flow_answer(f, &m);
}

/* A right code: unless the account got blocked meanwhile, go on. */
void
code_checked(struct flow *f, struct work_result *r)
{
	struct msg m = { .type = SSPR_MSG_VERIFIED };

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
	flog(f, LOG_INFO, "code verified");
	if (f->purpose == SSPR_PURPOSE_VERIFY) {
		faudit(f, "verify", "ok", NULL);
		flow_finish(f, SSPR_DONE_VERIFIED);
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
	flow_answer(f, &m);
	if (f->tries_left <= 0) {
		f->state = F_END;
		conn_end(f->conn);
	} else
		flow_wait(f, F_VERIFIED, f->cfg->idle_timeout * 1000LL);
}

void
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

void
write_done(struct flow *f, struct work_result *r)
{
	switch (r->res.status) {
	case DIR_OK:
		flog(f, LOG_NOTICE, "password reset for %s", f->acct.dn);
		faudit(f, "reset", "ok", NULL);
		flow_finish(f, SSPR_DONE_PASSWORD_SET);
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
	default:
		flog(f, LOG_ERR, "directory refused the write: %s",
		    r->res.detail);
		faudit(f, "reset", "failed", "directory-refused");
		flow_fail(f, SSPR_R_WRITE_FAILED);
		return;
	}
}

void
unlock_done(struct flow *f, struct work_result *r)
{
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
	flow_finish(f, r->res.unlocked ? SSPR_DONE_UNLOCKED : SSPR_DONE_NOT_LOCKED);
}

