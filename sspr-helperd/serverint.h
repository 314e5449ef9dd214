/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * serverint.h: the event loop's connection, for the files that serve a
 * kind of caller in it besides server.c (relay_loop.c: a relay's
 * flows).  Loop thread only, as everything in server.c.
 */
#ifndef SSPR_SERVERINT_H
#define SSPR_SERVERINT_H

#include <stdint.h>
#include <sys/types.h>

#include "msg.h"
#include "server.h"
#include "timer.h"

#define HELLO_TIMEOUT_MS	10000

struct flow;
struct fleet_peer;
struct relay_link;

struct conn {
	int		 fd;
	uid_t		 uid;
	pid_t		 pid;
	struct flow	*flow;
	struct timer	 timer;		/* conn_of finds the conn from it */
	long long	 idle_deadline;
	long long	 frame_deadline;	/* 0: no frame in progress */
	unsigned char	 hdr[4];
	size_t		 hdr_got;
	unsigned char	*body;
	uint32_t	 body_len, body_got;
	unsigned char	*out;
	size_t		 out_len, out_off, out_cap;
	int		 ending;	/* close once out is written */
	uint32_t	 polled;	/* the events epoll has for fd */
	int		 closed;	/* freed at the end of the iteration */
	int		 counted;	/* holds a slot in uidcounts */
	struct fleet_peer *peer;	/* a host's TLS flow (reset server) */
	int		 last;		/* peer: the last answer's type sent */
	int		 broken;	/* peer: may not carry another flow */
	int		 rd_wants_w;	/* peer: SSL_read waits for writability */
	int		 wr_wants_r;	/* peer: SSL_write waits for readability */
	struct relay_link *link;	/* relay: the flow this conn is part of */
	int		 upstream;	/* relay: the server's side of link */
	int		 relay_wait;	/* relay: its HELLO not read yet */
	int		 kept;		/* peer: between flows, waits for HOST */
	struct conn	*next_kick;	/* kept: OpenSSL holds its next bytes */
	char		 why[160];	/* upstream: why its TLS failed */
	struct conn	*next_dead;
};

int	uid_allowed(uid_t);
int	conn_watch(struct conn *);
void	conn_lend(struct conn *);
int	conn_queue(struct conn *, const struct msg *);
int	conn_flush(struct conn *);
int	conn_clean(const struct conn *);
void	want_events(struct conn *);
void	conn_event(struct conn *, uint32_t);
void	conn_close(struct conn *);
void	send_fail_and_close(struct conn *, uint16_t);
int	server_closing(void);

/*
 * What the loop hands a relay's flows to: relay_loop.c's, registered by
 * main.c in the relay role (server_relay_ops), so that the loop links
 * against no role of its own.
 */
struct relay_ops {
	void	(*hello)(struct conn *, const struct msg *);
	void	(*adopt)(struct relay_link *, int);
	void	(*over)(struct relay_link *, int);
	void	(*up)(struct conn *, const struct msg *);
	void	(*down)(struct conn *, const struct msg *);
};

#endif
