/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flowint.h: the inside of a flow, shared by the engine (flow.c), the
 * families of requests (reset.c, register.c, account.c, admin.c), the
 * code kit (codekit.c), the methods (method*.c), the human check
 * (humancheck.c) and the loop side of their work (work.c).  Code that
 * runs on a worker never includes this: it sees jobs.h only.
 * server.c and main.c see only flow.h, families.h and work.h.
 */
#ifndef SSPR_FLOWINT_H
#define SSPR_FLOWINT_H

#include <stdint.h>
#include <sys/types.h>

#include "cfg.h"
#include "code.h"
#include "dir.h"
#include "families.h"
#include "jobs.h"
#include "msg.h"
#include "sspr_proto.h"
#include "work.h"

struct conn;
struct human;
struct latest;
struct pool;

/* [questions] required's most: f->q_pick, f->reg_answers */
#define MAX_QUESTIONS	10

enum fstate {
	F_NEW,
	F_READY,
	F_LOOKUP,	/* directory work in flight */
	F_REG_LOOKUP,	/* registration: the lookup in flight */
	F_HUMAN,	/* the human check before any lookup */
	F_CHALLENGED,
	F_CHECKING,	/* a code was answered; counters being checked */
	F_STATUS,	/* STATUS: directory work in flight */
	F_VERIFIED,
	F_WRITING,	/* directory work in flight */
	F_CLEARING,	/* reset.c: done; the counters cleared before DONE */
	F_REG_MENU,	/* registration: METHODS sent, a step awaited */
	F_REG_CODE,	/* registration: a sent code (mail, SMS) awaited */
	F_REG_ANSWER,	/* registration: an app code or an answer awaited */
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
	enum fstate	 code_state;	/* where an answer to the code waits */
	void		(*on_code)(struct flow *, struct secret *);
	void		(*on_sent)(struct flow *, int, const char *);
	struct human	*human;		/* the check being asked, if any */
	int		 human_tries;
	int		 remote;	/* HELLO named a remote host */
	char		 host[FLEET_HOST_MAX + 1];	/* "": a local caller */
	char		 self_name[SSPR_USER_MAX + 1];	/* a host's self caller */

	/* the methods of a reset, in order (reset.c) */
	int		 method;	/* SSPR_METHOD_* asked now */
	uint16_t	 outcome;	/* DONE's, while F_CLEARING */
	int		 plan[4];
	int		 n_plan, plan_pos;

	/*
	 * Each method's own, used by its file (method_*.c) and, until jobs
	 * are values, read by the work done for it on a worker.
	 */
	/* sent codes (method_email.c, method_sms.c) */
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
	/* the app (method_totp.c): registration */
	int64_t		 reg_step;	/* the step the code matched */
	struct secret	 reg_secret;	/* the secret being enrolled */
	/* questions (method_questions.c) */
	int		 q_pick[MAX_QUESTIONS];	/* reset: 1-based, to ask */
	int		 n_q, q_pos;
	struct secret	*reg_answers;	/* registration: normalized answers */
	/* the SSH key (method_sshkey.c): START's keys, if sshd sent them */
	char		*ssh_accepted;
	/* a hidden method (method.h) wearing the fake challenge */
	int		 hidden;

	/* registration (register.c) */
	int		 reg_action;	/* SSPR_ACT_* being done */
};

#define CH_NONE	(-1)	/* a method that sends nothing */
#define CH_MAIL	0
#define CH_SMS	1

/* flow.c: what every step uses */
void	flow_log_tag(const struct flow *, char *, size_t);
void	flog(struct flow *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
void	faudit(const struct flow *, const char *, const char *, const char *);
const char *reason_name(int);
void	flow_answer(struct flow *, struct msg *);
void	flow_info(struct flow *, const char *);
void	flow_last(struct flow *, struct msg *);
void	flow_fail(struct flow *, uint16_t);
void	flow_done(struct flow *, uint16_t);
void	flow_end(struct flow *);
void	flow_wait(struct flow *, enum fstate, long long);
void	flow_deadline(struct flow *, long long);
long long flow_dir_wait(const struct flow *);
void	flow_who_tag(struct flow *);
int	flow_start_common(struct flow *, const struct msg_start *);
void	source_key(const struct flow *, char *, size_t);
int	source_allowed(struct flow *);
void	flow_ref(struct flow *);
void	flow_unref(struct flow *);
int	flow_count(void);
/* called by work.c on the loop thread, never by the families */
void	flow_work_done(struct flow *, struct work_result *);
void	flow_send_result(struct flow *, int, const char *);

/*
 * A family of requests (reset, registration, the account step, ssprctl)
 * gives the engine tables at start-up; the engine calls them through the
 * tables only, so it names no handler and nothing below calls up.
 */
struct accept_row {
	enum fstate	 state;
	uint16_t	 type;
	void		(*fn)(struct flow *, struct msg *);
};

struct result_row {
	enum work_kind	 kind;
	enum fstate	 waiting;
	void		(*fn)(struct flow *, struct work_result *);
	int		 always;	/* even when nobody waits (a cache) */
};

struct flow_family {
	const char		*name;
	unsigned		 purposes;	/* 1 << SSPR_PURPOSE_* it starts */
	void			(*start)(struct flow *, struct msg *);
	const struct accept_row	*accept;
	const struct result_row	*results;
	enum fstate		 deadline_state;
	int			(*deadline)(struct flow *);
};

void	flow_family_add(const struct flow_family *);

/* codekit.c: a code sent and its answer, for resets and registration */
int	code_new(struct flow *, struct secret *);
int	code_destination(const struct flow *, char *, size_t);
void	code_challenge(struct flow *, struct msg *, struct secret *,
	    enum fstate, void (*)(struct flow *, struct secret *));
void	code_answer(struct flow *, struct secret *);
int	code_usable(struct flow *);
int	code_right(const struct flow *, const struct secret *);

/* humancheck.c: [policy] human_check, before a reset's lookup */
int	human_needed(const struct flow *);
void	human_ask(struct flow *);
int	human_answered(struct flow *, const struct secret *);

/* flow.c: the names the audit gives f->method and HELLO_OK's method
   bits (method.c), given by the families */
void	flow_method_names(const char *(*)(int));
void	flow_method_features(unsigned (*)(const struct cfg *, int));

/* register.c */
int	register_due(const struct cfg *, const struct account *);

/* work.c: the slow parts, on the pools */
void	work_dir(struct flow *, enum work_kind, const struct secret *);
struct job_spec *work_job(struct flow *, enum work_kind);
void	work_job_submit(struct flow *, struct job_spec *, job_fn);
void	work_send(struct flow *, const struct secret *);
void	work_change(struct flow *, const struct secret *,
	    const struct secret *);
void	work_notify(struct flow *, const char *, const char *, const char *);
int	work_mail_down(const struct cfg *);

void	work_send_report(const struct cfg *, struct send_report *);
#define MAIL_RETRY_MS	30000	/* see work.c: mail_failed_at */
#define MAIL_PROBE_MS	5000

#endif
