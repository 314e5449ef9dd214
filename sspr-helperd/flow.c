/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flow.c: a flow's life and the one table that says which message is
 * allowed in which state; anything else ends the flow.  The reset's own
 * steps are in reset.c, the stateless requests (STATUS, CHANGE) in
 * account.c.
 * The user is fixed by START for the life of the connection, so one flow
 * can never act for another account.  It never talks to the network
 * itself: work.c does the directory and mail work on the pools.
 *
 *   NEW --HELLO--> READY --START--> [lookup] --> CHALLENGED
 *   CHALLENGED --ANSWER--> [counters] --> CHALLENGED (wrong, attempts left)
 *                                     --> VERIFIED (right; reset)
 *                                     --> [unlock] --> end (right; unlock)
 *   VERIFIED --NEW_PASSWORD--> [write] --> end, or VERIFIED (refused)
 *
 * Unknown, ineligible and throttled accounts go through exactly the same
 * states and answers as real ones; they just never get a code that could
 * match.
 */
#include <stdarg.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "admin.h"
#include "audit.h"
#include "flow.h"
#include "flowint.h"
#include "human.h"
#include "latest.h"
#include "log.h"
#include "server.h"
#include "state.h"
#include "timer.h"
#include "wire.h"

static int		 nflows;
static uint64_t		 next_id;

void
flow_set_pools(struct pool *dir, struct pool *mail)
{
	work_set_pools(dir, mail);
}

int
flow_count(void)
{
	return nflows;
}

/*
 * Every line of a flow carries the same greppable prefix.  The caller
 * chose svc, src and user, so they go through log_field: a host named
 * "x user=bob: ..." must not read as another user or event.
 */
void
flog(struct flow *f, int prio, const char *fmt, ...)
{
	char what[512], svc[100], src[300], who[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	log_msg(prio, "flow=%06llx uid=%u pid=%d svc=%s src=%s user=%s: %s",
	    (unsigned long long)f->id, (unsigned)f->uid, (int)f->pid,
	    log_field(svc, sizeof(svc), f->service),
	    log_field(src, sizeof(src), f->source),
	    log_field(who, sizeof(who), f->who), what);
}

/* One audit record for f: who, from where, through what. */
void
faudit(const struct flow *f, const char *event, const char *result,
    const char *reason)
{
	struct audit_rec r = {
		.event = event, .result = result, .reason = reason,
		.user = f->who, .source = f->source, .service = f->service,
		.method = method_name(f->method), .flow = f->id,
		.caller = f->uid,
	};

	audit(&r);
}

const char *
reason_name(int reason)
{
	switch (reason) {
	case SSPR_R_POLICY_TOO_SHORT:	return "too-short";
	case SSPR_R_POLICY_TOO_LONG:	return "too-long";
	case SSPR_R_POLICY_HISTORY:	return "in-history";
	case SSPR_R_POLICY_QUALITY:	return "quality";
	case SSPR_R_POLICY_TOO_YOUNG:	return "too-young";
	case SSPR_R_POLICY_INVALID:	return "invalid";
	case SSPR_R_POLICY_DOMAIN:	return "domain-policy";
	case SSPR_R_POLICY_CLASSES:	return "character-classes";
	case SSPR_R_POLICY_DICTIONARY:	return "dictionary-word";
	case SSPR_R_POLICY_PERSONAL:	return "personal-data";
	case SSPR_R_POLICY_BANNED:	return "banned-word";
	case SSPR_R_POLICY_SIMPLE:	return "too-simple";
	default:			return "other";
	}
}

struct flow *
flow_new(struct conn *c, struct cfg *cfg, uid_t uid, pid_t pid, int self_only)
{
	struct flow *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->refs = 1;
	f->conn = c;
	f->cfg = cfg_ref(cfg);
	f->id = ++next_id;
	f->uid = uid;
	f->pid = pid;
	f->self_only = self_only;
	f->state = F_NEW;
	nflows++;
	return f;
}

void
flow_ref(struct flow *f)
{
	f->refs++;
}

void
flow_unref(struct flow *f)
{
	if (--f->refs > 0)
		return;
	account_clear(&f->acct);
	latest_release(f->latest);
	if (f->human != NULL) {
		explicit_bzero(f->human, sizeof(*f->human));
		free(f->human);
	}
	if (f->held != NULL) {
		secret_wipe(f->held);
		free(f->held);
	}
	free(f->sent_seen);
	secret_wipe(&f->reg_secret);
	if (f->reg_answers != NULL) {
		explicit_bzero(f->reg_answers, 10 * sizeof(*f->reg_answers));
		free(f->reg_answers);
	}
	cfg_unref(f->cfg);
	explicit_bzero(f, sizeof(*f));
	free(f);
	nflows--;
}

/* The caller's connection is gone; work in flight finishes on its own. */
void
flow_closed(struct flow *f)
{
	if (f->state != F_END && f->state != F_NEW)
		flog(f, LOG_INFO, "caller left");
	f->conn = NULL;
	f->state = F_END;
	flow_unref(f);
}

/* The deadline passed: 1 if the flow answered itself (STATUS). */
int
flow_timeout(struct flow *f)
{
	int answered = 0;

	flow_ref(f);		/* see flow_message */
	if (f->state == F_STATUS)
		answered = status_timeout(f);
	else {
		flog(f, LOG_INFO, "idle too long; ending");
		f->state = F_END;
	}
	flow_unref(f);
	return answered;
}

void
flow_answer(struct flow *f, struct msg *m)
{
	conn_send(f->conn, m);
	msg_wipe(m);
}

void
flow_fail(struct flow *f, uint16_t reason)
{
	struct msg m = { .type = SSPR_MSG_FAIL, .u.reason = reason };

	flow_last(f, &m);
}

/* The flow's last answer: the connection ends after it. */
void
flow_last(struct flow *f, struct msg *m)
{
	flow_answer(f, m);
	f->state = F_END;
	conn_end(f->conn);
}

void
flow_finish(struct flow *f, uint16_t outcome)
{
	struct msg m = { .type = SSPR_MSG_DONE, .u.outcome = outcome };

	flow_last(f, &m);
	if (f->purpose == 0 || f->purpose == SSPR_PURPOSE_REGISTER)
		return;		/* a CHANGE or a registration: nothing to clear */
	work_dir(f, W_CLEAR, NULL);
	if (outcome == SSPR_DONE_PASSWORD_SET || outcome == SSPR_DONE_UNLOCKED)
		work_notify(f, outcome == SSPR_DONE_PASSWORD_SET ?
		    "notify-reset" : "notify-unlock");
}

void
flow_wait(struct flow *f, enum fstate s, long long ms)
{
	f->state = s;
	conn_deadline(f->conn, ms);
}

long long
flow_dir_wait(const struct flow *f)
{
	return 3LL * f->cfg->dir_timeout * 1000 + 5000;
}

/* A source: the remote host (an IPv6 one by /64), else the terminal. */
void
source_key(const struct flow *f, char *key, size_t size)
{
	throttle_source_key(key, size, f->source, f->remote && !f->self_only);
}

/* --- HELLO ------------------------------------------------------------ */

static void
on_hello(struct flow *f, struct msg *in)
{
	const struct msg_hello *h = &in->u.hello;
	struct msg m = { .type = SSPR_MSG_HELLO_OK };

	snprintf(f->service, sizeof(f->service), "%s", h->service);
	snprintf(f->source, sizeof(f->source), "%s", h->rhost[0] ? h->rhost :
	    h->tty);
	snprintf(f->lang, sizeof(f->lang), "%s", h->lang);
	f->remote = h->rhost[0] != '\0';
	/*
	 * A caller outside allowed_uids (self_callers) sets PAM_TTY and
	 * PAM_RHOST itself: naming a new terminal would escape the
	 * per-source limit, naming another's would use up theirs.  Its
	 * source is its uid, which SO_PEERCRED vouches for.
	 */
	if (f->self_only)
		snprintf(f->source, sizeof(f->source), "uid:%u",
		    (unsigned)f->uid);
	if (h->version < SSPR_PROTO_MIN) {
		flog(f, LOG_WARNING, "module speaks protocol %u, daemon %u..%u",
		    h->version, SSPR_PROTO_MIN, SSPR_PROTO_CUR);
		flow_fail(f, SSPR_R_VERSION);
		return;
	}
	m.u.hello_ok.version = h->version < SSPR_PROTO_CUR ? h->version :
	    SSPR_PROTO_CUR;
	m.u.hello_ok.features = SSPR_FEAT_CHANGE;
	if (f->cfg->reg_enabled && f->cfg->enabled != POLICY_NONE)
		m.u.hello_ok.features |= SSPR_FEAT_REGISTER;
	if (f->cfg->enabled != POLICY_NONE)
		m.u.hello_ok.features |= SSPR_FEAT_RESET |
		    (f->cfg->allow_unlock ? SSPR_FEAT_UNLOCK : 0);
	flow_wait(f, F_READY, f->cfg->idle_timeout * 1000LL);
	flow_answer(f, &m);
}

/*
 * Work came back.  It is applied only if the flow still waits for it: a
 * caller that left, or timed out, gets nothing.
 */
void
flow_work_done(struct flow *f, struct work_result *r)
{
	static const struct {
		enum work_kind	 kind;
		enum fstate	 waiting;
		void		(*fn)(struct flow *, struct work_result *);
	} next[] = {
		{ W_LOOKUP,		F_LOOKUP,	lookup_done },
		{ W_RECORD_FAIL,	F_CHECKING,	failure_counted },
		{ W_CHECK,		F_CHECKING,	code_checked },
		{ W_SET_PASSWORD,	F_WRITING,	write_done },
		{ W_UNLOCK,		F_WRITING,	unlock_done },
		{ W_CHANGE,		F_WRITING,	change_done },
		{ W_TOTP_CHECK,		F_CHECKING,	answer_checked },
		{ W_ANSWER_CHECK,	F_CHECKING,	answer_checked },
		{ W_REG_WRITE,		F_WRITING,	register_written },
	};
	size_t i;

	if (r->kind == W_STATUS) {	/* the cache learns even if nobody waits */
		status_done(f, r);
		return;
	}
	if (f->conn == NULL)
		return;
	for (i = 0; i < sizeof(next) / sizeof(next[0]); i++)
		if (next[i].kind == r->kind && next[i].waiting == f->state) {
			next[i].fn(f, r);
			return;
		}
}

/* --- the table --------------------------------------------------------- */

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
	conn_deadline(f->conn, 3LL * f->cfg->dir_timeout * 1000 +
	    f->cfg->mail_timeout * 1000LL + 60000);
	work_pools(&dir, &mail);
	admin_request(f, &in->u.admin, dir, mail);
}

static void
on_cancel(struct flow *f, struct msg *in)
{
	(void)in;
	flog(f, LOG_INFO, "cancelled by the user");
	f->state = F_END;
	conn_end(f->conn);
}

static const struct {
	enum fstate	 state;
	uint16_t	 type;
	void		(*fn)(struct flow *, struct msg *);
} table[] = {
	{ F_NEW,	SSPR_MSG_HELLO,		on_hello },
	{ F_READY,	SSPR_MSG_START,		on_start },
	{ F_READY,	SSPR_MSG_CANCEL,	on_cancel },
	{ F_READY,	SSPR_MSG_ADMIN,		on_admin },
	{ F_READY,	SSPR_MSG_STATUS,	on_status },
	{ F_READY,	SSPR_MSG_CHANGE,	on_change },
	{ F_HUMAN,	SSPR_MSG_ANSWER,	on_human_answer },
	{ F_HUMAN,	SSPR_MSG_CANCEL,	on_cancel },
	{ F_CHALLENGED,	SSPR_MSG_ANSWER,	on_answer },
	{ F_CHALLENGED,	SSPR_MSG_CANCEL,	on_cancel },
	{ F_VERIFIED,	SSPR_MSG_NEW_PASSWORD,	on_new_password },
	{ F_VERIFIED,	SSPR_MSG_CANCEL,	on_cancel },
	{ F_REG_MENU,	SSPR_MSG_REGISTER_STEP,	on_register_step },
	{ F_REG_MENU,	SSPR_MSG_CANCEL,	on_cancel },
	{ F_REG_CODE,	SSPR_MSG_ANSWER,	on_register_answer },
	{ F_REG_CODE,	SSPR_MSG_CANCEL,	on_cancel },
	{ F_REG_QUESTION, SSPR_MSG_ANSWER,	on_register_question },
	{ F_REG_QUESTION, SSPR_MSG_CANCEL,	on_cancel },
};

/*
 * A message from the caller.  The handler holds a reference for as long
 * as it runs: any answer it sends may find the caller gone, and closing
 * the connection drops the connection's reference, which must never free
 * the flow under the handler (work in flight holds its own reference,
 * so flow_work_done and flow_send_done are covered the same way).
 */
void
flow_message(struct flow *f, struct msg *m)
{
	size_t i;

	flow_ref(f);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].state == f->state && table[i].type == m->type)
			break;
	if (i < sizeof(table) / sizeof(table[0]))
		table[i].fn(f, m);
	else {
		flog(f, LOG_WARNING, "%s not allowed now; ending the flow",
		    msg_name(m->type));
		flow_fail(f, SSPR_R_PROTOCOL);
	}
	flow_unref(f);
}
