/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flow.h: one reset flow, bound to one connection and to the user named
 * in its START.  flow.c alone decides which message may come when.
 */
#ifndef SSPR_FLOW_H
#define SSPR_FLOW_H

#include <sys/types.h>

#include "cfg.h"
#include "msg.h"
#include "pool.h"

struct conn;
struct flow;

void	flow_set_pools(struct pool *, struct pool *);
struct flow *flow_new(struct conn *, struct cfg *, uid_t, pid_t, int);
void	flow_message(struct flow *, struct msg *);
int	flow_timeout(struct flow *);
void	flow_closed(struct flow *);
int	flow_count(void);

#endif
