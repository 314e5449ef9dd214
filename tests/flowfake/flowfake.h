/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flowfake.h: the daemon's engine without sockets or servers, for
 * test_flow and fuzz_flow.  The test is the connection (struct conn
 * records every answer) and the worker pools: this file replaces work.c,
 * recording each piece of work a flow asks for until the test answers it
 * (ff_complete) the way the directory or the mail server would; or, with
 * flowreal.c, the real jobs on the directory fake (tests/dirfake).
 */
#ifndef SSPR_FLOWFAKE_H
#define SSPR_FLOWFAKE_H

#include "flow.h"
#include "flowint.h"

#define FF_SENT_MAX	64
#define FF_JOBS_MAX	32

struct conn {
	uint16_t	 type[FF_SENT_MAX];
	struct msg	 last;		/* the newest answer, whole */
	int		 n;
	int		 ended;
	int		 after_end;	/* answers sent after the end */
	int		 verified;	/* VERIFIED was sent */
	int		 done_set;	/* DONE(PASSWORD_SET) was sent */
	long long	 deadline;
};

struct ff_job {
	struct flow	*f;
	enum work_kind	 kind;
};

extern struct ff_job	 ff_jobs[FF_JOBS_MAX];
extern int		 ff_njobs;
extern char		 ff_code[16];	/* the newest code work_send had */
extern struct flow	*ff_code_flow;	/* and whose it was */
extern int		 ff_sends, ff_probes, ff_notifies, ff_mail_down;

void	ff_init(void);		/* families, conn_ops: once per process */
struct cfg *ff_cfg(void);	/* a minimal configuration, or NULL */

/* flowfake_work.c: the test as the work layer */
void	ff_reset(void);		/* counters, before each case */
int	ff_pending(enum work_kind);
int	ff_find(enum work_kind);	/* index of the oldest, or -1 */
void	ff_complete_at(int, struct work_result *);
void	ff_found(struct work_result *, const char *, const char *);

/*
 * flowreal.c: the real work layer (work.c, jobs.c, the families' worker
 * files) on the directory fake, with pools the test runs: a job waits
 * until the test runs it, on its own thread, as a worker would.
 */
extern char	 fr_code[16];	/* the code of the newest mail or SMS */
extern char	 fr_to[SSPR_VALUE_MAX + 1];	/* and where it went */
extern int	 fr_notices, fr_probes;
extern char	 fr_notice[32];	/* the newest notice's template */
void	fr_init(void);		/* after ff_init: pools, the fake back end */
int	fr_run_dir(void);	/* the oldest directory job; 0: none */
int	fr_mail(int);		/* the oldest mail job: sent (1) or not */
int	fr_pending_dir(void);
int	fr_pending_mail(void);

#endif
