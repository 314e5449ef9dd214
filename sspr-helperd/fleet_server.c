/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fleet_server.c: the reset server's TCP listener.  Each connection gets
 * a thread that completes the TLS handshake (a client certificate from
 * the fleet CA, not revoked, required), takes the host's name from the
 * certificate and reads the HOST frame: blocking, within deadlines.
 * Then it hands the connection itself, SSL and socket, to the event
 * loop (fleet_peer_take), which serves the flow like a local caller's
 * with non-blocking TLS (server.c, accept_remote): frames through the
 * one parser, PAM requests only.  The thread sleeps until the loop hands
 * the connection back to be closed (fleet_peer_back): no frame and no
 * later flow wakes it.  Bounded: [fleet] max_connections in all,
 * max_per_host per certificate name, timeout seconds for the handshake
 * and each frame.
 *
 * A flow that ends with a last answer (fleet_last_type) leaves the
 * connection open for up to [fleet] keep_seconds (fleet_peer_idle): the
 * relay may start its next flow there with a new HOST, which the loop
 * reads and checks here as the first was (fleet_peer_next), and the
 * connection serves it as a new flow.  Nothing passes from one flow to
 * the next but the certificate's name.
 *
 * Statics: hosts, nconns, idle, limits, stopping and each bridge's
 * in_loop under lock (all_gone and each bridge's back with it); a
 * bridge's cert and gen are set by its thread before the loop first
 * has the connection, read-only after;
 * listen_fd, peer_pipe set before the listener starts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "fleet.h"
#include "log.h"
#include "msg.h"
#include "timer.h"
#include "wire.h"

struct hostcount {
	char			 host[FLEET_HOST_MAX + 1];
	int			 n;
	struct hostcount	*next;
};

struct bridge {
	struct fleet_peer peer;		/* the flow the loop serves */
	int		 fd;
	int		 timeout_s;	/* [fleet] timeout when it was accepted */
	char		 addr[INET6_ADDRSTRLEN + 8];
	char		 host[FLEET_HOST_MAX + 1];
	X509		*cert;		/* the host's, and the context's */
	unsigned long	 gen;		/* generation: set before the loop has it */
	struct bridge	*next_idle;	/* under lock */
	int		 in_loop;	/* under lock: the loop has peer */
	pthread_cond_t	 back;		/* with lock: in_loop became 0 */
};

static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static struct hostcount	*hosts;
static int		 nconns;
static int		 stopping;	/* the daemon ends: no new connection */
static pthread_cond_t	 all_gone = PTHREAD_COND_INITIALIZER;	/* nconns 0 */
static struct bridge	*idle;		/* kept connections between flows */
static struct cfg	*limits;	/* [fleet] limits, admin_hosts: under lock */
static int		 listen_fd = -1;
static int		 peer_pipe[2] = { -1, -1 };

/* A name from the certificate: letters, digits, '.', '-', '_'. */
static int
host_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > FLEET_HOST_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* The host's identity: its certificate's first DNS name, else its CN. */
static int
host_of(X509 *cert, char *out, size_t size)
{
	GENERAL_NAMES *names;
	const GENERAL_NAME *g;
	const X509_NAME *name;
	const ASN1_STRING *cn;
	const unsigned char *p;
	int i, n, dns = 0, found = 0;

	/*
	 * A first DNS name that is no host name (a wildcard, too long) is
	 * refused, not passed over for the CN: the CN is the identity only
	 * of a certificate that has no DNS name.
	 */
	names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	for (i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
		g = sk_GENERAL_NAME_value(names, i);
		if (g->type != GEN_DNS)
			continue;
		dns = 1;
		p = ASN1_STRING_get0_data(g->d.dNSName);
		n = ASN1_STRING_length(g->d.dNSName);
		if (host_name_ok((const char *)p, (size_t)n) &&
		    (size_t)n < size) {
			memcpy(out, p, (size_t)n);
			out[n] = '\0';
			found = 1;
		}
		break;
	}
	GENERAL_NAMES_free(names);
	if (dns)
		return found ? 0 : -1;
	/*
	 * The CN whole, never cut to fit (X509_NAME_get_text_by_NID would
	 * cut it, and a longer name would pass for its first 64 bytes).
	 */
	name = X509_get_subject_name(cert);
	if ((i = X509_NAME_get_index_by_NID(name, NID_commonName, -1)) < 0)
		return -1;
	cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
	p = ASN1_STRING_get0_data(cn);
	n = ASN1_STRING_length(cn);
	if (!host_name_ok((const char *)p, (size_t)n) || (size_t)n >= size)
		return -1;
	memcpy(out, p, (size_t)n);
	out[n] = '\0';
	return 0;
}

/* Is host in [fleet] admin_hosts (its root may send ADMIN)? */
static int
host_is_admin(const char *host)
{
	int i, r = 0;

	pthread_mutex_lock(&lock);
	for (i = 0; limits != NULL && i < limits->fleet_admin_hosts.n; i++)
		if (strcasecmp(limits->fleet_admin_hosts.item[i], host) == 0)
			r = 1;
	pthread_mutex_unlock(&lock);
	return r;
}

/*
 * Takes a slot for host; 0, or -1 when it has max_per_host (said in *max)
 * already.
 */
static int
host_take(const char *host, int *max)
{
	struct hostcount *h;
	int r = 0;

	pthread_mutex_lock(&lock);
	for (h = hosts; h != NULL && strcmp(h->host, host) != 0; h = h->next)
		;
	if (h == NULL && (h = calloc(1, sizeof(*h))) != NULL) {
		snprintf(h->host, sizeof(h->host), "%s", host);
		h->next = hosts;
		hosts = h;
	}
	*max = limits->fleet_max_per_host;
	if (h == NULL || h->n >= *max)
		r = -1;
	else
		h->n++;
	pthread_mutex_unlock(&lock);
	return r;
}

static void
host_give(const char *host)
{
	struct hostcount **pp, *h;

	pthread_mutex_lock(&lock);
	for (pp = &hosts; (h = *pp) != NULL; pp = &h->next)
		if (strcmp(h->host, host) == 0) {
			if (--h->n == 0) {
				*pp = h->next;
				free(h);
			}
			break;
		}
	pthread_mutex_unlock(&lock);
}

static void
send_fail(SSL *ssl, uint16_t reason)
{
	struct msg m = { .type = SSPR_MSG_FAIL, .u.reason = reason };
	struct wire_wr wr;

	if (msg_encode(&m, &wr) == 0)
		(void)fleet_write(-1, ssl, wr.buf, wr.len);
	wire_wr_wipe(&wr);
}

/*
 * Closes so that the host reads our last answer: what it sent meanwhile
 * is read and dropped for up to a second (closing with unread input
 * would reset the connection, and the answer with it).
 */
static void
linger(SSL *ssl, int fd)
{
	unsigned char junk[512];
	struct timeval tv = { .tv_sec = 1 };

	(void)SSL_shutdown(ssl);
	shutdown(fd, SHUT_WR);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (recv(fd, junk, sizeof(junk), 0) > 0)
		;
	ERR_clear_error();
}

static void
refuse(SSL *ssl, int fd, uint16_t reason)
{
	send_fail(ssl, reason);
	linger(ssl, fd);
}

/*
 * The handshake, whole within seconds: SO_RCVTIMEO bounds each read only,
 * and a peer not yet known (no certificate checked) could otherwise hold
 * a max_connections slot for hours by sending a byte now and then.
 */
static int
accept_within(SSL *ssl, int fd, int seconds)
{
	struct pollfd pf = { .fd = fd };
	long long end = now_ms() + seconds * 1000LL, left;
	int r, e;

	if (fcntl(fd, F_SETFL, O_NONBLOCK) != 0)
		return -1;
	while ((r = SSL_accept(ssl)) != 1) {
		e = SSL_get_error(ssl, r);
		if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
			break;
		pf.events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		if ((left = end - now_ms()) <= 0 ||
		    poll(&pf, 1, (int)left) != 1)
			break;
	}
	if (fcntl(fd, F_SETFL, 0) != 0)
		return -1;
	return r == 1 ? 0 : -1;
}

/* Why the handshake failed, in words an operator can act on. */
static void
handshake_error(SSL *ssl, char *buf, size_t size)
{
	long v = SSL_get_verify_result(ssl);
	char subj[256], field[300];

	/* a certificate from another CA says anything in its subject */
	fleet_refused_subject(subj, sizeof(subj));
	if (v != X509_V_OK) {
		snprintf(buf, size, "certificate %s: %s",
		    log_field(field, sizeof(field), subj),
		    X509_verify_cert_error_string(v));
		ERR_clear_error();
		return;
	}
	fleet_tls_error(buf, size);
}

/*
 * The HOST frame: who the caller is on that host.  A host is believed
 * only as far as its own root could go locally: root is uid 0, a self
 * caller names a user and is not root.
 */
static int
check_host(const struct msg *m, struct fleet_peer *p, const char *host)
{
	int ok;

	ok = (m->u.host.caller == SSPR_CALLER_ROOT && m->u.host.uid == 0 &&
	    m->u.host.user[0] == '\0') ||
	    (m->u.host.caller == SSPR_CALLER_ALLOWED && m->u.host.uid != 0 &&
	    m->u.host.user[0] == '\0') ||
	    (m->u.host.caller == SSPR_CALLER_SELF && m->u.host.uid != 0 &&
	    m->u.host.user[0] != '\0');
	if (!ok) {
		log_msg(LOG_WARNING, "fleet: host %s: HOST names no caller a "
		    "host can have; closing", host);
		return -1;
	}
	p->caller = m->u.host.caller;
	p->uid = m->u.host.uid;
	snprintf(p->user, sizeof(p->user), "%s", m->u.host.user);
	snprintf(p->host, sizeof(p->host), "%s", host);
	return 0;
}

/*
 * The connection's first HOST, within seconds: 0 with *m; -1 when the
 * host closed, was silent, or sent something else (logged).  Each later
 * flow's HOST is the loop's to read (fleet_peer_next).
 */
static int
read_host(SSL *ssl, int fd, int seconds, struct msg *m, const char *host)
{
	unsigned char buf[SSPR_FRAME_MAX + 4];
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	long long end = now_ms() + seconds * 1000LL, left;
	uint32_t len;
	int type;

	do {
		if (!SSL_has_pending(ssl) && ((left = end - now_ms()) <= 0 ||
		    poll(&pf, 1, (int)left) != 1))
			return -1;
		type = fleet_read_frame(-1, ssl, buf, &len, m);
	} while (type == FLEET_NONE);
	explicit_bzero(buf, sizeof(buf));
	if (type == SSPR_MSG_HOST)
		return 0;
	msg_wipe(m);	/* whatever came instead, secrets too */
	log_msg(LOG_WARNING, "fleet: host %s: the first frame is not a valid "
	    "HOST; closing", host);
	return -1;
}

/*
 * Hands the connection to the loop and waits until the loop hands it
 * back: the loop serves flow after flow on it while it is kept
 * (fleet_peer_idle, fleet_peer_next), and gives it back to be closed.
 * Only then does this thread touch ssl again.  Not when the daemon
 * ends: fleet_server_stop takes what is still in the pipe under the
 * same lock.
 */
static void
to_loop(struct bridge *b)
{
	struct fleet_peer *p = &b->peer;
	int sent, ending;

	if (fcntl(b->fd, F_SETFL, O_NONBLOCK) != 0)
		return;
	pthread_mutex_lock(&lock);
	/* a pointer is written whole: far below PIPE_BUF */
	ending = stopping;
	sent = !ending && write(peer_pipe[1], &p, sizeof(p)) ==
	    (ssize_t)sizeof(p);
	b->in_loop = sent;
	while (b->in_loop)
		pthread_cond_wait(&b->back, &lock);
	pthread_mutex_unlock(&lock);
	(void)fcntl(b->fd, F_SETFL, 0);
	/* at the daemon's end it closes unanswered, as a server going away */
	if (!sent && !ending)
		send_fail(p->ssl, SSPR_R_INTERNAL);
}

/*
 * A kept connection waiting for its next flow may be closed for a new
 * connection when max_connections is reached (idle_evict): its relay
 * sends that flow on a new connection, so idle ones never keep a flow
 * out.  Its fd stays open while it is listed.
 */
static int
idle_add(struct bridge *b)
{
	int r = -1;

	pthread_mutex_lock(&lock);
	if (!stopping) {
		b->next_idle = idle;
		idle = b;
		r = 0;
	}
	pthread_mutex_unlock(&lock);
	return r;
}

static void
idle_del(struct bridge *b)
{
	struct bridge **pp;

	pthread_mutex_lock(&lock);
	for (pp = &idle; *pp != NULL && *pp != b; pp = &(*pp)->next_idle)
		;
	if (*pp != NULL)
		*pp = b->next_idle;
	pthread_mutex_unlock(&lock);
}

/* Under lock: ends the longest idle kept connection, if any.  1 if one. */
static int
idle_evict(char *host, size_t size)
{
	struct bridge **pp;

	if (idle == NULL)
		return 0;
	for (pp = &idle; (*pp)->next_idle != NULL; pp = &(*pp)->next_idle)
		;
	snprintf(host, size, "%s", (*pp)->host);
	/* its thread's poll wakes to an end: read_host fails, it closes */
	shutdown((*pp)->fd, SHUT_RDWR);
	*pp = NULL;
	return 1;
}

/* [fleet] keep_seconds now: how long a connection waits for a next flow. */
static int
keep_secs(void)
{
	int n;

	pthread_mutex_lock(&lock);
	n = limits->fleet_keep_secs;
	pthread_mutex_unlock(&lock);
	return n;
}

/*
 * May the connection carry the flow whose HOST just came?  Not once a
 * reload has made a new context (its CA or CRL may refuse this host
 * now: closed unanswered, the relay sends the flow on a new connection,
 * checked against them), nor past the certificate's end.
 */
static int
keep_ok(X509 *cert, unsigned long gen)
{
	return gen == fleet_ctx_gen() && fleet_cert_current(cert);
}

static struct bridge *
bridge_of(struct fleet_peer *p)
{
	return (struct bridge *)((char *)p - offsetof(struct bridge, peer));
}

/*
 * Sets p for the flow whose HOST is m (not wiped here): 0, or -1 (the
 * HOST names no caller a host can have; logged).
 */
static int
peer_flow(struct bridge *b, SSL *ssl, const struct msg *m)
{
	struct fleet_peer *p = &b->peer;

	memset(p, 0, sizeof(*p));
	/* the loop writes a refusal's FAIL through p */
	p->fd = b->fd;
	p->ssl = ssl;
	p->frame_ms = b->timeout_s * 1000;
	snprintf(p->host, sizeof(p->host), "%s", b->host);
	if (check_host(m, p, b->host) != 0)
		return -1;
	/* ssprctl --server: root of a host named in admin_hosts */
	p->admin = p->caller == SSPR_CALLER_ROOT && host_is_admin(b->host);
	if (p->admin)
		log_msg(LOG_INFO, "fleet: host %s: an administrator's "
		    "connection (admin_hosts)", b->host);
	return 0;
}

/*
 * The loop keeps p's connection, its flow ended cleanly after its last
 * answer, for the host's next flow: the seconds to wait for its HOST
 * ([fleet] keep_seconds), the connection listed among the idle ones a
 * new connection may push out (idle_evict: its socket shut down, the
 * loop reads its end).  0: not kept (keep_seconds 0, or the daemon
 * ends); the loop hands it back.  Loop thread.
 */
int
fleet_peer_idle(struct fleet_peer *p)
{
	struct bridge *b = bridge_of(p);
	int n = keep_secs();

	return n > 0 && idle_add(b) == 0 ? n : 0;
}

/*
 * The next flow's HOST m came on p's kept connection (read by the loop
 * through the one parser, within [fleet] timeout): checked as the
 * first was.  0: p is set for that flow; 1: refused (FAIL(PROTOCOL),
 * then close); -1: closed unanswered, since a reload has made a new
 * context (its CA or CRL may refuse this host now) or the certificate
 * has ended: the relay sends the flow on a new connection, checked
 * anew.  Nothing passes from one flow to the next but the certificate's
 * name.  Loop thread.
 */
int
fleet_peer_next(struct fleet_peer *p, const struct msg *m)
{
	struct bridge *b = bridge_of(p);

	idle_del(b);
	if (!keep_ok(b->cert, b->gen))
		return -1;
	return peer_flow(b, p->ssl, m) == 0 ? 0 : 1;
}

/*
 * The loop is done with p's connection: from here on p and its SSL are
 * the bridge thread's again, which closes it (after the flow's last
 * answer, or unanswered).
 */
void
fleet_peer_back(struct fleet_peer *p)
{
	struct bridge *b = bridge_of(p);

	idle_del(b);
	pthread_mutex_lock(&lock);
	b->in_loop = 0;
	pthread_cond_signal(&b->back);
	pthread_mutex_unlock(&lock);
}

static void *
bridge_main(void *arg)
{
	struct bridge *b = arg;
	unsigned long gen;
	SSL_CTX *ctx = fleet_ctx_get(&gen);
	SSL *ssl = NULL;
	X509 *cert = NULL;
	struct msg m;
	char why[512];
	int counted = 0, max, r;

	fleet_timeouts(b->fd, b->timeout_s);
	if (ctx == NULL || (ssl = fleet_ssl_new(ctx, b->fd)) == NULL)
		goto out;
	if (accept_within(ssl, b->fd, b->timeout_s) != 0) {
		handshake_error(ssl, why, sizeof(why));
		log_msg(LOG_WARNING, "fleet: refused a host at %s: %s",
		    b->addr, why);
		goto out;
	}
	if ((cert = SSL_get_peer_certificate(ssl)) == NULL ||
	    host_of(cert, b->host, sizeof(b->host)) != 0) {
		log_msg(LOG_WARNING, "fleet: refused a host at %s: its "
		    "certificate names no host (a DNS name or CN of letters, "
		    "digits, '.', '-', '_')", b->addr);
		goto out;
	}
	/* before HOST: a connection still sending it holds a slot too */
	if (host_take(b->host, &max) != 0) {
		log_msg(LOG_WARNING, "fleet: host %s (%s): over max_per_host "
		    "(%d connections at once); refusing", b->host, b->addr,
		    max);
		refuse(ssl, b->fd, SSPR_R_BUSY);
		goto out;
	}
	counted = 1;
	/*
	 * A resumed session is not checked again, and each resumption
	 * brings a new ticket: without this a certificate that has ended
	 * would pass for as long as its host's flows keep coming.
	 */
	if (!fleet_cert_current(cert)) {
		log_msg(LOG_WARNING, "fleet: refused host %s at %s: its "
		    "certificate has expired (a resumed session)", b->host,
		    b->addr);
		refuse(ssl, b->fd, SSPR_R_UNAVAILABLE);
		goto out;
	}
	if (read_host(ssl, b->fd, b->timeout_s, &m, b->host) != 0) {
		refuse(ssl, b->fd, SSPR_R_PROTOCOL);
		goto out;
	}
	/* a refusal's FAIL goes out; linger lets it be read */
	r = peer_flow(b, ssl, &m);
	msg_wipe(&m);
	if (r != 0)
		send_fail(ssl, SSPR_R_PROTOCOL);
	else {
		b->cert = cert;
		b->gen = gen;
		to_loop(b);
	}
	linger(ssl, b->fd);
out:
	if (counted)
		host_give(b->host);
	X509_free(cert);
	if (ssl != NULL)
		SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(b->fd);
	pthread_cond_destroy(&b->back);
	free(b);
	ERR_clear_error();
	OPENSSL_thread_stop();
	pthread_mutex_lock(&lock);
	if (--nconns == 0)
		pthread_cond_broadcast(&all_gone);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void
addr_text(const struct sockaddr_storage *sa, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?", port[8] = "?";

	getnameinfo((const struct sockaddr *)sa, sizeof(*sa), host,
	    sizeof(host), port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(buf, size, "%s:%s", host, port);
}

static void
start_bridge(int fd, const struct sockaddr_storage *sa)
{
	struct bridge *b;
	char evicted[FLEET_HOST_MAX + 1];
	int full, max, timeout_s, ev = 0;

	pthread_mutex_lock(&lock);
	max = limits->fleet_max_conns;
	timeout_s = limits->fleet_timeout;
	/* an idle kept connection makes room (its slot frees in a moment) */
	full = stopping || (nconns >= max &&
	    !(ev = idle_evict(evicted, sizeof(evicted))));
	if (!full)
		nconns++;
	pthread_mutex_unlock(&lock);
	if (ev)
		log_msg(LOG_INFO, "fleet: max_connections (%d) reached; a kept "
		    "idle connection of host %s closed for a new one", max,
		    evicted);
	if (full || (b = calloc(1, sizeof(*b))) == NULL) {
		if (full && !stopping)
			log_msg(LOG_WARNING, "fleet: max_connections (%d) "
			    "reached; refusing a connection", max);
		close(fd);
		if (!full) {
			pthread_mutex_lock(&lock);
			nconns--;
			pthread_mutex_unlock(&lock);
		}
		return;
	}
	b->fd = fd;
	b->timeout_s = timeout_s;
	pthread_cond_init(&b->back, NULL);
	addr_text(sa, b->addr, sizeof(b->addr));
	if (fleet_thread(bridge_main, b) != 0) {
		log_msg(LOG_ERR, "fleet: cannot start a thread");
		close(fd);
		pthread_cond_destroy(&b->back);
		free(b);
		pthread_mutex_lock(&lock);
		nconns--;
		pthread_mutex_unlock(&lock);
	}
}

static void *
listener_main(void *arg)
{
	struct sockaddr_storage sa;
	socklen_t len;
	int fd;

	(void)arg;
	for (;;) {
		len = sizeof(sa);
		fd = accept4(listen_fd, (struct sockaddr *)&sa, &len,
		    SOCK_CLOEXEC);
		if (fd >= 0) {
			start_bridge(fd, &sa);
			continue;
		}
		if (errno == EMFILE || errno == ENFILE) {
			log_msg(LOG_WARNING, "fleet: accept: %s",
			    strerror(errno));
			poll(NULL, 0, 100);
		}
	}
	return NULL;
}

/* ADDRESS:PORT ([v6]:PORT) -> a listening TCP socket, or -1. */
static int
open_listener(const char *spec)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE |
	    AI_NUMERICHOST | AI_NUMERICSERV }, *res = NULL;
	char host[301];
	const char *port;
	int fd = -1, one = 1, r;

	if (cfg_hostport(spec, host, sizeof(host), &port) != 0) {
		log_msg(LOG_ERR, "[fleet] listen %s: not ADDRESS:PORT", spec);
		return -1;
	}
	if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
		log_msg(LOG_ERR, "[fleet] listen %s: %s", spec,
		    gai_strerror(r));
		return -1;
	}
	fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 || bind(fd, res->ai_addr, res->ai_addrlen) != 0 ||
	    listen(fd, SOMAXCONN) != 0) {
		int e = errno;

		log_msg(LOG_ERR, "[fleet] listen %s: %s", spec, strerror(e));
		if (fd >= 0)
			close(fd);
		fd = -1;
		errno = e;
	}
	freeaddrinfo(res);
	return fd;
}

/*
 * --check: can [fleet] listen be bound?  0 yes (or in use, which a
 * running daemon explains: said on stderr), -1 no.
 */
int
fleet_check_listen(const struct cfg *c)
{
	int fd = open_listener(c->fleet_listen);

	if (fd >= 0) {
		close(fd);
		fprintf(stderr, "%s: [fleet] listen %s: can be bound\n",
		    c->path, c->fleet_listen);
		return 0;
	}
	if (errno == EADDRINUSE) {
		fprintf(stderr, "%s: [fleet] listen %s: in use (by the "
		    "running daemon?)\n", c->path, c->fleet_listen);
		return 0;
	}
	return -1;
}

/* Limits for new connections; at start and on reload. */
void
fleet_server_limits(const struct cfg *c)
{
	struct cfg *old;

	pthread_mutex_lock(&lock);
	old = limits;
	limits = cfg_ref((struct cfg *)c);
	pthread_mutex_unlock(&lock);
	cfg_unref(old);
}

/* Opens [fleet] listen and starts accepting.  0, or -1 (logged). */
int
fleet_server_start(const struct cfg *c)
{
	fleet_server_limits(c);
	/* non-blocking both: the write end is written under lock */
	if (pipe2(peer_pipe, O_CLOEXEC | O_NONBLOCK) != 0 ||
	    (listen_fd = open_listener(c->fleet_listen)) < 0)
		return -1;
	if (fleet_thread(listener_main, NULL) != 0) {
		log_msg(LOG_ERR, "fleet: cannot start the listener thread");
		return -1;
	}
	return 0;
}

/*
 * At the daemon's end, after the loop has closed its callers (so every
 * bridge in a flow has its connection back): no new connection, the
 * flows handed over but never taken given back, the idle kept ones
 * closed, and up to seconds for the bridges to finish, so that no
 * thread is still freeing its TLS state while the process exits.
 */
void
fleet_server_stop(int seconds)
{
	struct fleet_peer *p;
	struct bridge *b;
	struct timespec ts;

	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_mutex_unlock(&lock);
	/* none is written once stopping is set (to_loop) */
	while ((p = fleet_peer_take()) != NULL)
		fleet_peer_back(p);
	pthread_mutex_lock(&lock);
	for (b = idle; b != NULL; b = b->next_idle)
		shutdown(b->fd, SHUT_RDWR);
	idle = NULL;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	while (nconns > 0 &&
	    pthread_cond_timedwait(&all_gone, &lock, &ts) == 0)
		;
	if (nconns > 0)
		log_msg(LOG_WARNING, "fleet: %d host connection(s) still "
		    "open at the end", nconns);
	pthread_mutex_unlock(&lock);
}

/* The loop watches this for hosts' flows to serve. */
int
fleet_peer_fd(void)
{
	return peer_pipe[0];
}

/* The next host's flow (the loop gives it back), or NULL. */
struct fleet_peer *
fleet_peer_take(void)
{
	return fleet_ptr_take(peer_pipe[0]);
}
