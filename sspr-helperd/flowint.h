/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flowint.h: the inside of a flow, shared by flow.c (what happens when)
 * and work.c (the directory and mail work done for it on the pools).
 * Nothing else includes this.
 */
#ifndef SSPR_FLOWINT_H
#define SSPR_FLOWINT_H

#include <stdint.h>
#include <sys/types.h>

#include "cfg.h"
#include "code.h"
#include "dir.h"
#include "msg.h"
#include "sspr_proto.h"

struct conn;
struct human;
struct latest;
struct pool;

enum fstate {
	F_NEW,
	F_READY,
	F_LOOKUP,	/* directory work in flight */
	F_HUMAN,	/* the human check before any lookup */
	F_CHALLENGED,
	F_CHECKING,	/* a code was answered; counters being checked */
	F_STATUS,	/* STATUS: directory work in flight */
	F_VERIFIED,
	F_WRITING,	/* directory work in flight */
	F_REG_MENU,	/* registration: METHODS sent, a step awaited */
	F_REG_CODE,	/* registration: a code (mail, SMS, app) awaited */
	F_REG_QUESTION,	/* registration: a question's answer awaited */
	F_END,
};

enum send_state { SEND_NONE, SEND_PENDING, SEND_OK, SEND_FAILED };

struct flow {
	int		 refs;		/* the connection + work in flight */
	struct conn	*conn;		/* NULL once the caller is gone */
	struct cfg	*cfg;
	uint64_t	 id;
	uid_t		 uid;
	pid_t		 pid;
	int		 self_only;	/* may act only for its own user */
	enum fstate	 state;
	uint8_t		 purpose;
	char		 service[SSPR_SERVICE_MAX + 1];
	char		 source[SSPR_RHOST_MAX + 1];	/* rhost, else tty */
	char		 lang[SSPR_LANG_MAX + 1];
	char		 user[SSPR_USER_MAX + 1];
	char		 who[SSPR_USER_MAX + 2];	/* for logs */
	struct account	 acct;
	int		 fake;		/* no code is sent: cannot succeed */
	unsigned char	 hash[CODE_HASH_LEN];
	long long	 issued;
	int		 attempts_left;
	int		 tries_left;
	struct latest	*latest;
	unsigned	 gen;
	enum send_state	 send;
	struct secret	*held;		/* ANSWER that came while sending */
	struct human	*human;		/* the check being asked, if any */
	int		 human_ok;
	int		 human_tries;
	int		 remote;	/* HELLO named a remote host */

	/* the methods of a reset, in order (reset.c) */
	int		 method;	/* SSPR_METHOD_* asked now */
	int		 plan[4];
	int		 n_plan, plan_pos;
	int		 q_pick[10];	/* question numbers (1-based) to ask */
	int		 n_q, q_pos;
	int		 channel;	/* work_send: CH_MAIL or CH_SMS */
	char		 send_to[SSPR_VALUE_MAX + 1];	/* "": the account's */
	/*
	 * [throttle] store = directory: the value our send added to
	 * ssprCodeSent, and the values that were there with it.  A value
	 * the entry holds later that is neither is a newer send (from any
	 * host): our code is no longer the newest (code_superseded).
	 */
	char		 sent_mark[64];
	uint64_t	*sent_seen;
	int		 n_seen;

	/* registration (register.c) */
	int		 reg_action;	/* SSPR_ACT_* being done */
	int64_t		 reg_step;	/* TOTP: the step the code matched */
	struct secret	 reg_secret;	/* TOTP: the secret being enrolled */
	struct secret	*reg_answers;	/* questions: normalized answers */
};

#define CH_MAIL	0
#define CH_SMS	1

/* Work done on the pools for a flow; see work.c. */
enum work_kind {
	W_LOOKUP,		/* find the account (and its counters) */
	W_SET_PASSWORD,
	W_UNLOCK,
	W_RECORD_SENT,		/* (work_send) a code goes out: count it */
	W_RECORD_FAIL,		/* a wrong code: count it, block if due */
	W_CHECK,		/* a right code: is the account blocked now? */
	W_CLEAR,		/* success: counters start afresh */
	W_STATUS,		/* STATUS: the account, for a login */
	W_CHANGE,		/* CHANGE: the user's own change */
	W_TOTP_CHECK,		/* reset: an app code, its step stored */
	W_ANSWER_CHECK,		/* reset: a security question's answer */
	W_REG_WRITE,		/* registration: store what was proved */
};

struct work_result {
	enum work_kind	 kind;
	int		 not_self;	/* a self caller asked for another */
	int		 system;	/* root or a local system account */
	int		 blocked;	/* W_RECORD_FAIL, W_CHECK */
	int		 right;		/* W_TOTP_CHECK, W_ANSWER_CHECK */
	int		 superseded;	/* W_CHECK: a newer code was sent */
	char		 mark[64];	/* W_RECORD_SENT: see sent_mark */
	uint64_t	*seen;
	int		 n_seen;
	struct account	 acct;		/* W_LOOKUP */
	struct dir_result res;
};

/* flow.c: what every step uses */
void	flog(struct flow *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	faudit(const struct flow *, const char *, const char *, const char *);
const char *reason_name(int);
void	flow_answer(struct flow *, struct msg *);
void	flow_last(struct flow *, struct msg *);
void	flow_fail(struct flow *, uint16_t);
void	flow_finish(struct flow *, uint16_t);
void	flow_wait(struct flow *, enum fstate, long long);
long long flow_dir_wait(const struct flow *);
void	source_key(const struct flow *, char *, size_t);

/* reset.c: the steps of a reset flow */
void	on_start(struct flow *, struct msg *);
void	on_answer(struct flow *, struct msg *);
void	on_new_password(struct flow *, struct msg *);
void	lookup_done(struct flow *, struct work_result *);
void	failure_counted(struct flow *, struct work_result *);
void	code_checked(struct flow *, struct work_result *);
void	write_done(struct flow *, struct work_result *);
void	unlock_done(struct flow *, struct work_result *);
void	on_human_answer(struct flow *, struct msg *);
int	source_allowed(struct flow *);
void	answer_checked(struct flow *, struct work_result *);
const char *method_name(int);
const char *reset_mail(const struct flow *);
void	flow_who_tag(struct flow *);
int	code_new(struct flow *, struct secret *);
void	code_answer(struct flow *, struct secret *);
int	code_usable(struct flow *);
int	code_right(const struct flow *, const struct secret *);
int	code_destination(const struct flow *, char *, size_t);
void	code_challenge(struct flow *, struct msg *, struct secret *,
	    enum fstate);
void	reset_work(void *, struct flow *, struct work_result *,
	    const struct secret *);

/* register.c: registration of recovery methods after a login */
void	register_lookup_done(struct flow *, struct work_result *);
void	on_register_step(struct flow *, struct msg *);
void	on_register_answer(struct flow *, struct msg *);
void	on_register_question(struct flow *, struct msg *);
void	register_written(struct flow *, struct work_result *);
void	register_code_answered(struct flow *, struct secret *);
void	register_work(void *, struct flow *, struct work_result *);
int	register_due(const struct cfg *, const struct account *);

/* account.c: the stateless requests */
void	on_status(struct flow *, struct msg *);
void	on_change(struct flow *, struct msg *);
void	status_done(struct flow *, struct work_result *);
void	change_done(struct flow *, struct work_result *);
int	status_timeout(struct flow *);

void	flow_ref(struct flow *);
void	flow_unref(struct flow *);
void	flow_work_done(struct flow *, struct work_result *);
void	flow_send_done(struct flow *, int, const char *);

void	work_dir(struct flow *, enum work_kind, const struct secret *);
void	work_send(struct flow *, const struct secret *);
void	work_change(struct flow *, const struct secret *,
	    const struct secret *);
void	work_notify(struct flow *, const char *);
int	work_mail_down(const struct cfg *);

/* What ssprctl status says of the codes sent lately (work.c). */
#define SENDS_WINDOW	3600	/* failures counted over the last hour */
struct send_report {
	long long	 last_ok;	/* unix seconds; 0: none since start */
	long long	 last_fail;
	int		 fails;		/* in the last SENDS_WINDOW seconds */
	int		 mail_down;	/* new resets refused: work_mail_down */
	char		 cause[256];	/* the last failure's, no address */
};
void	work_send_report(const struct cfg *, struct send_report *);
#define MAIL_RETRY_MS	30000	/* see work.c: mail_failed_at */
#define MAIL_PROBE_MS	5000
void	work_set_pools(struct pool *, struct pool *);
void	work_pools(struct pool **, struct pool **);

#endif
