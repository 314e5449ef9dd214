/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fleet.h: the relay and reset-server roles (DESIGN.md "Fleets").  A
 * relay forwards each local caller's frames to a reset server over TLS;
 * a reset server bridges each TLS connection to a socketpair that the
 * event loop serves like a local caller, its facts from the HOST frame
 * and its identity from the certificate.  One thread per connection,
 * blocking I/O within deadlines; the loop itself never touches TLS.
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

/* A relayed caller, handed from a bridge thread to the loop. */
struct fleet_peer {
	int	fd;		/* the loop's end of the socketpair */
	uint8_t	caller;		/* SSPR_CALLER_* */
	uid_t	uid;
	char	user[SSPR_USER_MAX + 1];	/* SELF: its name */
	char	host[FLEET_HOST_MAX + 1];	/* from the certificate */
};

/* fleettls.c: connections and TLS settings (both roles, ssprctl --server) */
SSL_CTX	*fleet_ctx_new(const struct cfg *, int, char *, size_t);
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

/* relay.c: the relay's side */
int	relay_init(void);
void	relay_stop(int);
int	relay_start(struct conn *, int, uid_t, pid_t, int, const struct cfg *);
int	relay_done_fd(void);
struct conn *relay_done_take(void);

#endif
