/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flow.c: the engine.  A flow's life (states, deadlines, references,
 * late results dropped) and the one table that says which message is
 * allowed in which state; anything else ends the flow.  It names no
 * handler: the families of requests (reset.c, register.c, account.c,
 * admin.c) give it their rows at start-up (flow_family_add), and the
 * connection is reached through the conn_ops server.c gives it.  Loop
 * thread only, like every file that includes flowint.h (DESIGN.md, "Who
 * owns what").
 * The user is fixed by START for the life of the connection, so one flow
 * can never act for another account.  It never talks to the network
 * itself: work.c makes the directory and mail work into jobs (jobs.h)
 * for the pools.
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
 *
 * Statics: loop thread only (families added at start, before the loop).
 */
#include <stdarg.h>
#include <strings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "code.h"
#include "flow.h"
#include "flowint.h"
#include "human.h"
#include "latest.h"
#include "log.h"
#include "state.h"
#include "throttle.h"
#include "timer.h"

#define MAX_FAMILIES	8

static int		 nflows;
static uint64_t		 next_id;
static const struct conn_ops *conn;
static const struct flow_family *families[MAX_FAMILIES];
static int		 nfamilies;
static const char	*(*method_names)(int);	/* method.c's, at start-up */
/* method.c's HELLO_OK bits, likewise */
static unsigned		(*method_feats)(const struct cfg *, int);

/* The connection's side, from server.c. */
void
flow_engine_init(const struct conn_ops *ops)
{
	conn = ops;
}

void
flow_family_add(const struct flow_family *fam)
{
	if (nfamilies < MAX_FAMILIES)
		families[nfamilies++] = fam;
}

void
flow_method_names(const char *(*fn)(int))
{
	method_names = fn;
}

void
flow_method_features(unsigned (*fn)(const struct cfg *, int))
{
	method_feats = fn;
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
	char what[512], tag[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	flow_log_tag(f, tag, sizeof(tag));
	log_msg(prio, "%s: %s", tag, what);
}

/* What every line logged for f begins with; a job carries a copy. */
void
flow_log_tag(const struct flow *f, char *out, size_t size)
{
	char svc[100], src[300], who[300];

	snprintf(out, size, "flow=%06llx uid=%u pid=%d svc=%s src=%s user=%s",
	    (unsigned long long)f->id, (unsigned)f->uid, (int)f->pid,
	    log_field(svc, sizeof(svc), f->service),
	    log_field(src, sizeof(src), f->source),
	    log_field(who, sizeof(who), f->who));
}

/* One audit record for f: who, from where, through what. */
void
faudit(const struct flow *f, const char *event, const char *result,
    const char *reason)
{
	struct audit_rec r = {
		.event = event, .result = result, .reason = reason,
		.user = f->who, .source = f->source, .service = f->service,
		.method = method_names != NULL ? method_names(f->method) :
		    NULL,
		.flow = f->id,
		.caller = f->uid,
		.host = f->host[0] != '\0' ? f->host : NULL,
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

/*
 * A flow a relay forwards: host is the identity its certificate proves,
 * self_name the user a self caller there may act for (SO_PEERCRED on
 * that host vouched for it; the reset server has no passwd entry of it).
 */
void
flow_set_host(struct flow *f, const char *host, const char *self_name)
{
	snprintf(f->host, sizeof(f->host), "%s", host);
	snprintf(f->self_name, sizeof(f->self_name), "%s", self_name);
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
	free(f->ssh_accepted);
	secret_wipe(&f->reg_secret);
	if (f->reg_answers != NULL) {
		explicit_bzero(f->reg_answers, MAX_QUESTIONS *
		    sizeof(*f->reg_answers));
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

/*
 * The deadline passed: 1 if a family answered for the flow (STATUS from
 * its cache), else it ends.
 */
int
flow_timeout(struct flow *f)
{
	int answered = 0, i;

	flow_ref(f);		/* see flow_message */
	for (i = 0; i < nfamilies; i++)
		if (families[i]->deadline != NULL &&
		    families[i]->deadline_state == f->state) {
			answered = families[i]->deadline(f);
			break;
		}
	if (i == nfamilies) {
		flog(f, LOG_INFO, "idle too long; ending");
		f->state = F_END;
	}
	flow_unref(f);
	return answered;
}

/* An INFO line: a line of text the caller shows as it is. */
void
flow_info(struct flow *f, const char *line)
{
	struct msg m = { .type = SSPR_MSG_INFO };

	snprintf(m.u.line, sizeof(m.u.line), "%s", line);
	flow_answer(f, &m);
}

void
flow_answer(struct flow *f, struct msg *m)
{
	if (f->conn != NULL)
		conn->send(f->conn, m);
	msg_wipe(m);
}

/* The connection ends once what was sent is written. */
void
flow_end(struct flow *f)
{
	if (f->conn != NULL)
		conn->end(f->conn);
}

void
flow_deadline(struct flow *f, long long ms)
{
	if (f->conn != NULL)
		conn->deadline(f->conn, ms);
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
	flow_end(f);
}

/* DONE: the flow's last answer (what follows a success is the family's). */
void
flow_done(struct flow *f, uint16_t outcome)
{
	struct msg m = { .type = SSPR_MSG_DONE, .u.outcome = outcome };

	flow_last(f, &m);
}

void
flow_wait(struct flow *f, enum fstate s, long long ms)
{
	f->state = s;
	flow_deadline(f, ms);
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

/*
 * Through a relay, the host as a whole: the terminals and remote hosts it
 * names are its word only, so they cannot spread its flows out of reach
 * of [fleet] host_flows per [throttle] source_window.  A source key
 * ("s:@" and the certificate's name): a full table may forget it.
 */
static int
host_allowed(struct flow *f, long long now)
{
	struct tstate t;
	char key[FLEET_HOST_MAX + 4];

	if (f->host[0] == '\0' || f->cfg->fleet_host_flows == 0)
		return 1;
	snprintf(key, sizeof(key), "s:@%s", f->host);
	state_get(key, &t);
	if (throttle_count(t.sent, t.n_sent, now, f->cfg->source_window) >=
	    f->cfg->fleet_host_flows) {
		flog(f, LOG_WARNING, "host %s over [fleet] host_flows (%d); "
		    "refusing", f->host, f->cfg->fleet_host_flows);
		return 0;
	}
	return state_event(key, STATE_SENT, now, NULL) == 0;
}

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
	if (!host_allowed(f, now))
		return 0;
	/*
	 * A source that cannot be counted is not let through.  A full table
	 * forgets a quiet source to make room, so this is only a table
	 * holding nothing but accounts, or memory running out.
	 */
	if (state_event(key, STATE_SENT, now, NULL) != 0) {
		flog(f, LOG_ERR, "cannot count this source (throttle table "
		    "full of accounts, or out of memory); refusing");
		return 0;
	}
	return 1;
}

/*
 * Until the directory knows the name the person typed, logs show a keyed
 * tag of it: people type passwords into user prompts.
 */
void
flow_who_tag(struct flow *f)
{
	unsigned char tag[CODE_HASH_LEN];

	if (code_tag(&f->cfg->bind_password, "log", f->user, tag) == 0)
		snprintf(f->who, sizeof(f->who), "#%02x%02x%02x%02x", tag[0],
		    tag[1], tag[2], tag[3]);
	explicit_bzero(tag, sizeof(tag));
}

/*
 * What every START needs before its family's own steps: the service on,
 * a user named, the throttle store healthy, the source within its
 * limits.  -1 when the flow was failed here.
 */
int
flow_start_common(struct flow *f, const struct msg_start *in)
{
	if (f->cfg->enabled == POLICY_NONE) {
		flow_fail(f, SSPR_R_DISABLED);
		return -1;
	}
	if (in->user[0] == '\0') {
		flow_fail(f, SSPR_R_PROTOCOL);
		return -1;
	}
	f->purpose = in->purpose;
	snprintf(f->user, sizeof(f->user), "%s", in->user);
	flow_who_tag(f);
	if (!state_healthy()) {
		flog(f, LOG_ERR, "the throttle state file cannot be written; "
		    "refusing until it can");
		flow_fail(f, SSPR_R_UNAVAILABLE);
		return -1;
	}
	if (!source_allowed(f)) {
		faudit(f, "throttled", "refused", "source");
		flow_fail(f, SSPR_R_THROTTLED);
		return -1;
	}
	return 0;
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
	/*
	 * Through a relay the terminal and remote host are the host's word
	 * only: the source is counted under the host's certificate name,
	 * so a host can spend its own limits and never another's.
	 */
	if (f->host[0] != '\0') {
		char s[sizeof(f->source) + sizeof(f->host) + 1];

		snprintf(s, sizeof(s), "%s/%s", f->host, f->source);
		snprintf(f->source, sizeof(f->source), "%.*s",
		    (int)sizeof(f->source) - 1, s);
	}
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
		    (f->cfg->allow_unlock ? SSPR_FEAT_UNLOCK : 0) |
		    (method_feats != NULL ?
		    method_feats(f->cfg, f->host[0] != '\0') : 0);
	flow_wait(f, F_READY, f->cfg->idle_timeout * 1000LL);
	flow_answer(f, &m);
}

/*
 * Work came back.  It is applied only if the flow still waits for it: a
 * caller that left, or timed out, gets nothing (unless a family asked for
 * every result: the STATUS cache learns even when nobody waits).
 */
void
flow_work_done(struct flow *f, struct work_result *r)
{
	const struct result_row *row;
	int i;

	for (i = 0; i < nfamilies; i++)
		for (row = families[i]->results; row != NULL &&
		    row->fn != NULL; row++) {
			if (row->kind != r->kind)
				continue;
			if (row->always || (f->conn != NULL &&
			    row->waiting == f->state)) {
				row->fn(f, r);
				return;
			}
		}
}

/* A code went out, or could not: whoever sent it is told. */
void
flow_send_result(struct flow *f, int ok, const char *why)
{
	if (f->on_sent != NULL)
		f->on_sent(f, ok, why);
}

/* --- the table --------------------------------------------------------- */

static void
on_cancel(struct flow *f, struct msg *in)
{
	(void)in;
	flog(f, LOG_INFO, "cancelled by the user");
	f->state = F_END;
	flow_end(f);
}

/* START: the family that serves the purpose takes it from here. */
static void
on_start(struct flow *f, struct msg *in)
{
	int i;

	for (i = 0; i < nfamilies; i++)
		if (in->u.start.purpose < 32 && (families[i]->purposes &
		    (1u << in->u.start.purpose)) != 0) {
			families[i]->start(f, in);
			return;
		}
	flow_fail(f, SSPR_R_DISABLED);
}

/* The engine's own rows: the handshake, START, and CANCEL wherever the
 * flow waits for the caller. */
static const struct accept_row engine_rows[] = {
	{ F_NEW,	SSPR_MSG_HELLO,		on_hello },
	{ F_READY,	SSPR_MSG_START,		on_start },
	{ F_READY,	SSPR_MSG_CANCEL,	on_cancel },
	{ F_HUMAN,	SSPR_MSG_CANCEL,	on_cancel },
	{ F_CHALLENGED,	SSPR_MSG_CANCEL,	on_cancel },
	{ F_VERIFIED,	SSPR_MSG_CANCEL,	on_cancel },
	{ F_REG_MENU,	SSPR_MSG_CANCEL,	on_cancel },
	{ F_REG_CODE,	SSPR_MSG_CANCEL,	on_cancel },
	{ F_REG_ANSWER,	SSPR_MSG_CANCEL,	on_cancel },
	{ F_END,	0,			NULL },
};

static const struct accept_row *
accepted(const struct accept_row *rows, enum fstate st, uint16_t type)
{
	for (; rows != NULL && rows->fn != NULL; rows++)
		if (rows->state == st && rows->type == type)
			return rows;
	return NULL;
}

/*
 * A message from the caller.  The handler holds a reference for as long
 * as it runs: any answer it sends may find the caller gone, and closing
 * the connection drops the connection's reference, which must never free
 * the flow under the handler (work in flight holds its own reference,
 * so flow_work_done and flow_send_result are covered the same way).
 */
void
flow_message(struct flow *f, struct msg *m)
{
	const struct accept_row *row;
	int i;

	flow_ref(f);
	row = accepted(engine_rows, f->state, m->type);
	for (i = 0; row == NULL && i < nfamilies; i++)
		row = accepted(families[i]->accept, f->state, m->type);
	if (row != NULL)
		row->fn(f, m);
	else {
		flog(f, LOG_WARNING, "%s not allowed now; ending the flow",
		    msg_name(m->type));
		flow_fail(f, SSPR_R_PROTOCOL);
	}
	flow_unref(f);
}
