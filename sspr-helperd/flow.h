/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flow.h: the engine as server.c sees it: one flow per connection, bound
 * to the user named in its START.  flow.c alone decides which message may
 * come when.
 */
#ifndef SSPR_FLOW_H
#define SSPR_FLOW_H

#include <sys/types.h>

#include "cfg.h"
#include "msg.h"
#include "pool.h"

struct conn;
struct flow;

/* What the engine may do with a connection; server.c gives it. */
struct conn_ops {
	void	(*send)(struct conn *, const struct msg *);
	void	(*end)(struct conn *);
	void	(*deadline)(struct conn *, long long);
};

void	flow_engine_init(const struct conn_ops *);
struct flow *flow_new(struct conn *, struct cfg *, uid_t, pid_t, int);
void	flow_set_host(struct flow *, const char *, const char *);
void	flow_message(struct flow *, struct msg *);
int	flow_timeout(struct flow *);
void	flow_closed(struct flow *);
int	flow_count(void);

#endif
