/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * client.h: the module's side of the socket: connect to the daemon, make
 * sure it is the daemon, exchange one message at a time.
 */
#ifndef SSPR_CLIENT_H
#define SSPR_CLIENT_H

#include <stddef.h>

#include "args.h"
#include "msg.h"

int	client_open(const struct sspr_args *, char *, size_t);
int	client_call(int, int, const struct msg *, struct msg *, char *,
	    size_t);

#endif
