/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * admin_work.h: an ssprctl request as a value, for a pool's worker
 * (admin_work.c); admin.c makes it on the loop thread and answers with
 * what it holds when it is done.
 */
#ifndef SSPR_ADMIN_WORK_H
#define SSPR_ADMIN_WORK_H

#include <stddef.h>
#include <stdint.h>

#include "jobs.h"
#include "pool.h"

struct admin_job {
	struct job	 job;
	void		*owner;		/* the loop side's (the flow) */
	struct cfg	*cfg;		/* a reference, dropped with the job */
	uint16_t	 op;
	char		 arg[SSPR_ARG_MAX + 1];
	char		**lines;
	size_t		 n, cap;
	int		 status;
	char		 message[SSPR_DETAIL_MAX + 1];
	int		 flows;
	long long	 uptime;
	struct send_report sends;	/* taken on the loop thread */
	/* SSPR_ADMIN_PASS_ISSUED: whom admin.c mails, from the directory */
	char		 notify_to[3][SSPR_VALUE_MAX + 1];
	char		 user[SSPR_USER_MAX + 1];
	int		 notify_admin;
};

void	admin_job_run(struct job *, void *);
void	admin_job_set(struct admin_job *, int, const char *, const char *);
void	admin_line_encode(char *, size_t, const char **, int);

#endif
