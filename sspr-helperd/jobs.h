/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * jobs.h: a flow's slow work as values.  A job copies in everything its
 * worker needs (the user, the account as looked up, the secret, a
 * reference on the configuration, the flow's log tag) and its result
 * comes back in struct work_result; the worker never sees the flow.
 * Files that run on a worker (jobs.c, reset_work.c, register_work.c)
 * include this and never flowint.h, so the compiler keeps the rule.  The
 * done callback, on the loop thread, is the loop side's (work.c): it
 * alone finds the flow again, through the owner it gave.
 */
#ifndef SSPR_JOBS_H
#define SSPR_JOBS_H

#include <stdint.h>
#include <sys/types.h>

#include "cfg.h"
#include "dir.h"
#include "secret.h"
#include "sspr_proto.h"

struct pool;

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
	W_ANSWER_CHECK,		/* reset: an answer the method's check_job
				   takes (a question's, a recovery code) */
	W_PASS_CHECK,		/* reset: a helpdesk pass, used if right */
	W_REG_WRITE,		/* registration: store what was proved */
};

struct work_result {
	enum work_kind	 kind;
	int		 not_self;	/* a self caller asked for another */
	int		 system;	/* root or a local system account */
	int		 blocked;	/* W_RECORD_FAIL, W_CHECK */
	int		 right;		/* W_TOTP_CHECK, W_ANSWER_CHECK */
	int		 superseded;	/* W_CHECK: a newer code was sent */
	char		 vouched[600];	/* right: who vouched (an issuer) */
	char		 mark[64];	/* W_RECORD_SENT: see sent_mark */
	uint64_t	*seen;
	int		 n_seen;
	struct account	 acct;		/* W_LOOKUP, W_STATUS, W_CHANGE */
	struct dir_result res;
	struct secret	 shown;		/* W_REG_WRITE: to show once (new
					   recovery codes, one a line) */
};

#define JOB_ANSWERS_MAX	10	/* [questions] required, at most */
#define JOB_TAG_MAX	1024

struct job_spec;
typedef void (*job_fn)(void *, struct job_spec *, struct work_result *);

/*
 * Directory work (and the throttle counters, wherever they are kept).
 * Everything here is the job's own: the worker may write it, the flow
 * never sees it again but through the done callback.
 */
struct job_spec {
	enum work_kind	 kind;
	struct cfg	*cfg;		/* a reference, dropped with the job */
	char		 tag[JOB_TAG_MAX];	/* the flow's, for logs */
	char		 user[SSPR_USER_MAX + 1];
	uid_t		 uid;
	int		 self_only;	/* may act only for its own user */
	int		 remote;	/* a fleet host's caller: self_name */
	char		 self_name[SSPR_USER_MAX + 1];
	int		 fake;		/* no account: a count is only waited */
	struct account	 acct;		/* a copy of the flow's, the worker's */
	struct secret	 pw;
	struct secret	 old;		/* W_CHANGE */
	struct secret	 code;		/* W_RECORD_SENT: to send after */
	/* W_CHECK: our send's value and those there with it */
	char		 sent_mark[64];
	uint64_t	*seen;
	int		 n_seen;
	/* the family's own work (fn): what it needs, copied */
	job_fn		 fn;
	int		 question;	/* W_ANSWER_CHECK: its number */
	int		 action;	/* W_REG_WRITE: SSPR_ACT_* */
	char		 value[SSPR_VALUE_MAX + 1];	/* an address, number */
	int64_t		 step;		/* TOTP: the step the code matched */
	struct secret	 reg_secret;	/* TOTP: the secret being enrolled */
	struct secret	 answers[JOB_ANSWERS_MAX];
	int		 n_answers;
};

/* Called on the loop thread with the job's outcome; the job is freed
 * after it returns (take what you keep: swap pointers out). */
typedef void (*job_done_fn)(void *, struct job_spec *, struct work_result *);

struct job_spec *job_new(enum work_kind, struct cfg *);
void	job_submit(struct pool *, struct job_spec *, job_done_fn, void *);
void	job_free(struct job_spec *);
/* runs one job on a worker whose context (a directory connection) is
 * the last argument; job_submit's jobs come here, and the tests' */
void	job_run(struct job_spec *, struct work_result *, void *);
void	job_log(const struct job_spec *, int, const char *, ...)
	    __attribute__((format(printf, 3, 4)));

/* A mail or SMS: a code, a notice, or (tmpl NULL) a probe of the server. */
struct mail_spec {
	struct cfg	*cfg;		/* a reference, dropped with the job */
	const char	*tmpl;		/* "code", "sms", a notice; NULL */
	char		 to[SSPR_VALUE_MAX + 1];
	struct secret	 code;
	char		 user[SSPR_USER_MAX + 1];
	char		 service[SSPR_SERVICE_MAX + 1];
	char		 source[SSPR_RHOST_MAX + 1];
	char		 lang[SSPR_LANG_MAX + 1];
	/* the outcome */
	int		 ok;
	char		 err[256];
};

typedef void (*mail_done_fn)(void *, struct mail_spec *);

struct mail_spec *mail_job_new(const char *, struct cfg *);
void	mail_job_submit(struct pool *, struct mail_spec *, mail_done_fn,
	    void *);
void	mail_job_free(struct mail_spec *);
/* the spec of a mail job found on a pool (a test's, that sends nothing) */
struct job;
struct mail_spec *mail_job_spec(struct job *);

/*
 * What ssprctl status says of the codes sent lately: a value work.c
 * fills on the loop thread, for an admin job (admin_work.c).
 */
#define SENDS_WINDOW	3600	/* failures counted over the last hour */
struct send_report {
	long long	 last_ok;	/* unix seconds; 0: none since start */
	long long	 last_fail;
	int		 fails;		/* in the last SENDS_WINDOW seconds */
	int		 mail_down;	/* new resets refused: work_mail_down */
	char		 cause[256];	/* the last failure's, no address */
};

/* The families' own work (reset_work.c, register_work.c). */
void	reset_answer_work(void *, struct job_spec *, struct work_result *);
void	reset_totp_work(void *, struct job_spec *, struct work_result *);
void	reset_pass_work(void *, struct job_spec *, struct work_result *);
void	register_write_work(void *, struct job_spec *, struct work_result *);
void	reset_rcode_work(void *, struct job_spec *, struct work_result *);
/* a new set of recovery codes on the entry (the old one revoked), the
 * codes into shown, one a line; also ssprctl's (admin_work.c) */
int	rcodes_issue(void *, struct cfg *, const struct account *,
	    struct secret *, struct dir_result *);

#endif
