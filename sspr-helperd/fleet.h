/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fleet.h: the relay and reset-server roles (DESIGN.md "Fleets").  A
 * relay forwards each local caller's frames to a reset server over TLS;
 * a reset server's thread per connection does the handshake and reads
 * each flow's HOST, then hands the TLS connection itself to the event
 * loop, which serves it like a local caller (non-blocking TLS), its
 * facts from the HOST frame and its identity from the certificate; it
 * reads and checks each later flow's HOST on the same connection itself
 * (fleet_peer_next) and hands the connection back at its end.  A
 * relay's loop reads the caller's HELLO; on a kept connection it sends
 * HOST and HELLO itself, else a thread connects (blocking, within
 * deadlines) and sends them, then hands the caller and the server's TLS
 * to the loop, which passes the frames both ways (relay_link).
 */
#ifndef SSPR_FLEET_H
#define SSPR_FLEET_H

#include <stdint.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "cfg.h"
#include "sspr_proto.h"

struct conn;
struct msg;

/*
 * A host's flow, handed from its connection's thread to the loop
 * (fleet_peer_take), set again for each later flow on the connection
 * (fleet_peer_next), and handed back at the connection's end
 * (fleet_peer_back).  ssl is used by one thread at a time: the loop's
 * from the one to the other.
 */
struct fleet_peer {
	int	fd;		/* the host's TCP connection, non-blocking */
	SSL	*ssl;		/* its TLS, handshake and HOST done */
	int	admin;		/* root of an admin_hosts host: may send ADMIN */
	int	frame_ms;	/* [fleet] timeout: a frame comes whole within */
	uint8_t	caller;		/* SSPR_CALLER_* */
	uid_t	uid;
	char	user[SSPR_USER_MAX + 1];	/* SELF: its name */
	char	host[FLEET_HOST_MAX + 1];	/* from the certificate */
};

/* How a relayed flow ended in the loop (relay_link_end). */
#define RELAY_LAST	0	/* the server's last answer passed down */
#define RELAY_OVER	1	/* an end that ends the connection too */
#define RELAY_CALLER	2	/* the caller hung up or broke a rule */
#define RELAY_GONE	3	/* the server went away mid-flow */
#define RELAY_UNANSWERED 4	/* a kept connection closed before answering */

/*
 * A relayed flow, handed from its relay thread to the loop
 * (relay_link_take), or taken by the loop on a kept connection
 * (relay_kept), and ended there (relay_link_end).  up.ssl is the loop's
 * in between, like a reset server's fleet_peer.
 */
struct relay_link {
	struct conn	*conn;		/* the caller */
	struct conn	*upc;		/* the loop's conn over up */
	struct fleet_peer up;		/* the server's TLS */
	const char	*server;	/* its name:port */
	pid_t		 pid;		/* the caller's */
	int		 reused;	/* a kept connection */
	int		 sent;		/* frames passed up after the first */
	int		 last;		/* the last answer passed down */
	int		 idle_ms;	/* nothing either way this long: gone */
	const struct msg *host;		/* a kept connection the loop took: */
	const struct msg *hello;	/* it sends these first; else NULL */
};

/* fleettls.c: connections and TLS settings (both roles, ssprctl --server) */
SSL_CTX	*fleet_ctx_new(const struct cfg *, int, char *, size_t);
SSL	*fleet_ssl_new(SSL_CTX *, int);
int	fleet_name_peer(SSL *, const char *);
void	fleet_tls_error(char *, size_t);
void	fleet_refused_subject(char *, size_t);
int	fleet_connect(const char *, const char *, int, char *, size_t);
void	fleet_timeouts(int, int);

/* fleet.c: the current context and frames (both roles) */
#define FLEET_NONE	0	/* fleet_read_frame: no frame yet, poll again */
int	fleet_tls_load(const struct cfg *, char *, size_t);
SSL_CTX	*fleet_ctx_get(unsigned long *);
unsigned long fleet_ctx_gen(void);
int	fleet_last_type(int);
void	*fleet_ptr_take(int);
int	fleet_cert_current(const X509 *);
int	fleet_read_frame(int, SSL *, unsigned char *, uint32_t *, struct msg *);
int	fleet_write(int, SSL *, const unsigned char *, size_t);
int	fleet_thread(void *(*)(void *), void *);
int	fleet_request_type(uint16_t);

/* fleet_server.c: the reset server's listener */
int	fleet_server_start(const struct cfg *);
void	fleet_server_limits(const struct cfg *);
void	fleet_server_stop(int);
int	fleet_check_listen(const struct cfg *);
int	fleet_peer_fd(void);
struct fleet_peer *fleet_peer_take(void);
int	fleet_peer_idle(struct fleet_peer *);
int	fleet_peer_next(struct fleet_peer *, const struct msg *);
void	fleet_peer_back(struct fleet_peer *);

/* relay.c: the relay's side */
int	relay_init(void);
void	relay_stop(int);
struct relay;
struct relay *relay_new(struct conn *, int, uid_t, pid_t, int,
	    const struct cfg *, const struct msg *);
struct relay_link *relay_kept(struct relay *);
int	relay_run(struct relay *);
int	relay_done_fd(void);
struct conn *relay_done_take(void);
int	relay_link_fd(void);
struct relay_link *relay_link_take(void);
int	relay_link_end(struct relay_link *, int, int);

/* relay_loop.c: the relay's flows in the event loop */
struct relay_ops;
const struct relay_ops *relay_loop_ops(void);

#endif
