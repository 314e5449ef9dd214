/* SPDX-License-Identifier: BSD-2-Clause */
/* work.h: the pools a flow's slow work runs on, as main.c sets them up. */
#ifndef SSPR_WORK_H
#define SSPR_WORK_H

struct pool;

void	work_set_pools(struct pool *, struct pool *);
void	work_pools(struct pool **, struct pool **);

#endif
