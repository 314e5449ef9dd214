/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * server.h: the event loop.  It owns every socket: it accepts callers
 * (SO_PEERCRED checked against allowed_uids), reads whole frames with a
 * deadline and hands decoded messages to flow.c; flow.c answers through
 * conn_send.  One thread, no locks; blocking work goes to pools.
 */
#ifndef SSPR_SERVER_H
#define SSPR_SERVER_H

#include "cfg.h"
#include "msg.h"

struct conn;
struct relay_ops;

void	conn_send(struct conn *, const struct msg *);
void	conn_end(struct conn *);
void	conn_deadline(struct conn *, long long);

struct cfg *server_cfg(void);
struct cfg *server_cfg_load(const char *, char *, size_t);
int	server_reload(char *, size_t);
int	server_run(struct cfg *, int);
void	server_close_all(void);
void	server_finish(int);
void	server_relay_ops(const struct relay_ops *);

#endif
