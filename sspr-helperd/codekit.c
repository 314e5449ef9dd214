/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * codekit.c: a code that is sent (by mail or SMS) and its answer, the
 * same for a reset and for a registration: made, kept only as its keyed
 * hash, sent after the challenge is answered, and checked when it comes
 * back.  The family that issues the code says where the answer goes
 * (code_challenge's on_code); the engine tells this file how the sending
 * went (flow_send_result -> code_sent).  Loop thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "code.h"
#include "log.h"
#include "method.h"
#include "timer.h"

/* A new code, kept only as its keyed hash; on failure the flow ends. */
int
code_new(struct flow *f, struct secret *code)
{
	if (code_generate(f->cfg->code_length, code) == 0 &&
	    code_hash(f->id, code, f->hash) == 0)
		return 0;
	secret_wipe(code);
	flow_fail(f, SSPR_R_INTERNAL);
	return -1;
}

/*
 * f->send_to as the person may see it, masked by the method that sends
 * it: a***@e***.test, +31*******78.
 */
int
code_destination(const struct flow *f, char *dst, size_t size)
{
	const struct method *m = method_by_id(f->method);

	return m != NULL && m->mask != NULL ? m->mask(f->send_to, dst, size) :
	    -1;
}

/*
 * The code went out, or could not: an answer that came meanwhile is
 * checked now.
 */
static void
code_sent(struct flow *f, int ok, const char *why)
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
		    f->channel == CH_SMS ? "sms" : "mail");
	if (f->held != NULL && f->state == f->code_state) {
		held = f->held;
		f->held = NULL;
		f->on_code(f, held);
		secret_wipe(held);
		free(held);
	}
}

/*
 * Has the code sent and answers the CHALLENGE m at once, so the time the
 * sending takes never shows in the answer; then waits in state st for
 * the answer, which goes to on_code.
 */
void
code_challenge(struct flow *f, struct msg *m, struct secret *code,
    enum fstate st, void (*on_code)(struct flow *, struct secret *))
{
	f->issued = now_ms();
	f->attempts_left = f->cfg->code_max_attempts;
	f->send = SEND_PENDING;
	f->code_state = st;
	f->on_code = on_code;
	f->on_sent = code_sent;
	work_send(f, code);
	secret_wipe(code);
	m->u.challenge.method = (uint8_t)f->method;
	m->u.challenge.lifetime = (uint32_t)f->cfg->code_lifetime;
	m->u.challenge.answer_len = (uint8_t)f->cfg->code_length;
	flow_wait(f, st, f->cfg->code_lifetime * 1000LL + 30000);
	flow_answer(f, m);
}

/*
 * An answer to a code that may still be on its way waits for the send's
 * outcome (a copy is held), so a failed send is reported as such.
 */
void
code_answer(struct flow *f, struct secret *typed)
{
	if (f->send != SEND_PENDING) {
		f->on_code(f, typed);
		return;
	}
	if (f->held != NULL || (f->held = malloc(sizeof(*f->held))) == NULL) {
		flow_fail(f, SSPR_R_PROTOCOL);
		return;
	}
	*f->held = *typed;
}

/* Is the code still worth checking?  If not, the flow has ended. */
int
code_usable(struct flow *f)
{
	if (f->send == SEND_FAILED) {
		flow_fail(f, SSPR_R_SEND_FAILED);
		return 0;
	}
	if (now_ms() - f->issued > f->cfg->code_lifetime * 1000LL) {
		flog(f, LOG_NOTICE, "code expired");
		faudit(f, "code_failed", "refused", "expired");
		flow_fail(f, SSPR_R_EXPIRED);
		return 0;
	}
	return 1;
}

/* The typed code, normalized, against the hash of the one sent. */
int
code_right(const struct flow *f, const struct secret *typed)
{
	unsigned char h[CODE_HASH_LEN];
	struct secret norm;
	int ok;

	ok = code_normalize(typed, f->cfg->code_length, &norm) == 0 &&
	    code_hash(f->id, &norm, h) == 0 && code_hash_equal(h, f->hash);
	secret_wipe(&norm);
	explicit_bzero(h, sizeof(h));
	return ok;
}
