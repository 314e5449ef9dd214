/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flowfake.h: the daemon's engine without sockets or servers, for
 * test_flow and fuzz_flow.  The test is the connection (struct conn
 * records every answer) and the worker pools: this file replaces work.c,
 * recording each piece of work a flow asks for until the test answers it
 * (ff_complete) the way the directory or the mail server would.
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
void	ff_reset(void);		/* counters, before each case */
struct cfg *ff_cfg(void);	/* a minimal configuration, or NULL */
int	ff_pending(enum work_kind);
int	ff_find(enum work_kind);	/* index of the oldest, or -1 */
void	ff_complete_at(int, struct work_result *);
void	ff_found(struct work_result *, const char *, const char *);

#endif
