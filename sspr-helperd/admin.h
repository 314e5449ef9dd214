/* SPDX-License-Identifier: BSD-2-Clause */
/* admin.h: ssprctl's requests to the daemon (root only). */
#ifndef SSPR_ADMIN_H
#define SSPR_ADMIN_H

#include "msg.h"

struct flow;
struct pool;

void	admin_init(void);
void	admin_request(struct flow *, const struct msg_admin *, struct pool *,
	    struct pool *);

#endif
