/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * relay.c: the host relay.  server.c accepts a local caller and checks
 * it exactly as in the local role (SO_PEERCRED, allowed_uids,
 * self_callers, max_flows, max_flows_per_uid) and reads its HELLO as a
 * local flow's (relay_new).  A kept connection to the first reset server
 * in [fleet] servers then carries the flow without a thread: the loop
 * takes it (relay_kept) and sends HOST (who the caller is here) and the
 * HELLO itself.  Otherwise a thread here opens TLS to the first server
 * that answers, sends HOST and the HELLO, and hands the caller and the
 * server's TLS to the event loop (relay_link).  Either way the loop
 * forwards whole frames both ways, each through the one parser: PAM
 * requests up, answers down (relay_loop.c: relay_up, relay_down).  No frame
 * wakes a thread; the flow's end comes back here (relay_link_end): the
 * audit record, the connection kept or closed.  The relay holds no
 * directory credential; what it forwards is all it can do.
 *
 * A connection whose flow ended with a last answer (fleet_last_type) is
 * kept for the next flow to that server ([fleet] keep_connections,
 * keep_seconds, keep_flows): the TLS handshake, a TCP connect and a
 * server thread are then paid once per connection, not once per flow.
 * The next flow sends its own HOST on it.
 *
 * Statics: sessions, kept_idle, nrelays, under sess_lock (relays_gone
 * with it); done_pipe, link_pipe set by relay_init before the loop; seq
 * atomic.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "admin_work.h"
#include "audit.h"
#include "fleet.h"
#include "log.h"
#include "msg.h"
#include "timer.h"
#include "wire.h"

#define FRAME_TIMEOUT_S	2	/* as server.c: a local frame comes whole */

struct relay {
	struct relay_link link;		/* while the loop forwards the flow */
	struct conn	*conn;		/* the loop's; handed back at the end */
	int		 fd;
	pid_t		 pid;
	struct msg	 host;		/* HOST, as sent */
	struct cfg	*cfg;
	struct kept	*k;		/* the server's connection, in the loop */
	struct msg	 hello;		/* the caller's: sent on, audited */
	uint64_t	 id;		/* this relay's flow number */
	int		 try_kept;	/* a kept connection may carry it */
	int		 told;		/* its "forwarded" record is written */
	int		 admin;		/* root's ssprctl: answered here */
};

/* The last session with each server, to resume (no full handshake). */
struct sess {
	char		 server[320];
	unsigned long	 gen;		/* of the context it was made with */
	SSL_SESSION	*s;
	struct sess	*next;
};

static int done_pipe[2] = { -1, -1 };
static uint64_t seq;		/* this relay's flows, for the audit: atomic */
static int link_pipe[2] = { -1, -1 };
static pthread_mutex_t sess_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sess *sessions;

/*
 * A session made with this context (so with this host's current
 * certificate: a reload that changes it starts afresh), or NULL.  Not
 * one whose server's certificate has ended: a resumed session is not
 * checked again, and each resumption brings a new ticket, so it would
 * pass for as long as flows come.
 */
static SSL_SESSION *
sess_get(const char *server, unsigned long gen)
{
	SSL_SESSION *s = NULL;
	struct sess *e;
	X509 *peer;

	pthread_mutex_lock(&sess_lock);
	for (e = sessions; e != NULL; e = e->next)
		if (strcmp(e->server, server) == 0 && e->s != NULL &&
		    e->gen == gen) {
			peer = SSL_SESSION_get0_peer(e->s);
			if (fleet_cert_current(peer)) {
				s = e->s;
				SSL_SESSION_up_ref(s);
			}
			break;
		}
	pthread_mutex_unlock(&sess_lock);
	return s;
}

/* Keeps ssl's session for server, or forgets it (ssl NULL). */
static void
sess_put(const char *server, SSL *ssl, unsigned long gen)
{
	SSL_SESSION *s = ssl != NULL ? SSL_get1_session(ssl) : NULL;
	struct sess *e;

	if (s != NULL && !SSL_SESSION_is_resumable(s)) {
		SSL_SESSION_free(s);
		s = NULL;
	}
	pthread_mutex_lock(&sess_lock);
	for (e = sessions; e != NULL && strcmp(e->server, server) != 0;
	    e = e->next)
		;
	if (e == NULL && s != NULL && (e = calloc(1, sizeof(*e))) != NULL) {
		snprintf(e->server, sizeof(e->server), "%s", server);
		e->next = sessions;
		sessions = e;
	}
	if (e != NULL) {
		SSL_SESSION_free(e->s);
		e->s = s;
		e->gen = gen;
		s = NULL;
	}
	pthread_mutex_unlock(&sess_lock);
	SSL_SESSION_free(s);
}

/*
 * A connection kept between flows: idle, its last flow ended with a last
 * answer, so the server waits for a HOST and nothing of that flow is
 * still to come.
 */
struct kept {
	char		 server[320];
	SSL		*ssl;
	int		 fd;
	unsigned long	 gen;		/* of the context it was made with */
	int		 flows;		/* flows it has carried */
	long long	 since;		/* idle since (now_ms) */
	struct kept	*next;
};

static struct kept *kept_idle;	/* under sess_lock */
static int nrelays;		/* relay threads running: under sess_lock */
static pthread_cond_t relays_gone = PTHREAD_COND_INITIALIZER;

static void
kept_close(struct kept *k)
{
	struct kept *n;

	for (; k != NULL; k = n) {
		n = k->next;
		(void)SSL_shutdown(k->ssl);
		SSL_free(k->ssl);
		close(k->fd);
		free(k);
	}
	ERR_clear_error();
}

/*
 * Anything to read on an idle connection is the server's close (its
 * keep_seconds ran out, or it restarted): such a connection is dead.  So
 * is one whose server's certificate has ended since the handshake: a new
 * connection would refuse it, and so does a kept one (as the server does
 * with the host's, fleet_server.c keep_ok).
 */
static int
kept_alive(const struct kept *k)
{
	struct pollfd pf = { .fd = k->fd, .events = POLLIN };
	X509 *cert = SSL_get_peer_certificate(k->ssl);
	int valid = fleet_cert_current(cert);

	X509_free(cert);
	return valid && !SSL_has_pending(k->ssl) && poll(&pf, 1, 0) == 0;
}

/*
 * A kept connection to server made with context gen, or NULL.  Those
 * idle too long, of another context or closed by their server are
 * closed on the way.
 */
static struct kept *
kept_take(const char *server, unsigned long gen, const struct cfg *cfg)
{
	struct kept **pp, *k, *found = NULL, *dead = NULL;
	long long now = now_ms();

	pthread_mutex_lock(&sess_lock);
	for (pp = &kept_idle; (k = *pp) != NULL; ) {
		if (k->gen != gen ||
		    now - k->since >= cfg->fleet_keep_secs * 1000LL ||
		    (found == NULL && strcmp(k->server, server) == 0 &&
		    !kept_alive(k))) {
			*pp = k->next;
			k->next = dead;
			dead = k;
		} else if (found == NULL && strcmp(k->server, server) == 0) {
			*pp = k->next;
			found = k;
		} else
			pp = &k->next;
	}
	pthread_mutex_unlock(&sess_lock);
	kept_close(dead);
	if (found != NULL)
		found->next = NULL;
	return found;
}

/*
 * Keeps k for the next flow to its server, unless that server has
 * keep_connections idle already, k has carried keep_flows, or a reload
 * made another context meanwhile.
 */
static void
kept_put(struct kept *k, const struct cfg *cfg)
{
	struct kept *e;
	int n = 0;

	if (cfg->fleet_keep_conns > 0 && cfg->fleet_keep_secs > 0 &&
	    k->flows < cfg->fleet_keep_flows && k->gen == fleet_ctx_gen()) {
		k->since = now_ms();
		pthread_mutex_lock(&sess_lock);
		for (e = kept_idle; e != NULL; e = e->next)
			n += strcmp(e->server, k->server) == 0;
		if (n < cfg->fleet_keep_conns) {
			k->next = kept_idle;
			kept_idle = k;
			k = NULL;
		}
		pthread_mutex_unlock(&sess_lock);
	}
	if (k != NULL) {
		k->next = NULL;
		kept_close(k);
	}
}

int
relay_init(void)
{
	if (pipe2(done_pipe, O_CLOEXEC) != 0 ||
	    fcntl(done_pipe[0], F_SETFL, O_NONBLOCK) != 0 ||
	    pipe2(link_pipe, O_CLOEXEC) != 0 ||
	    fcntl(link_pipe[0], F_SETFL, O_NONBLOCK) != 0)
		return -1;
	return 0;
}

int
relay_link_fd(void)
{
	return link_pipe[0];
}

/* A flow connected to its server, for the loop to forward, or NULL. */
struct relay_link *
relay_link_take(void)
{
	return fleet_ptr_take(link_pipe[0]);
}

int
relay_done_fd(void)
{
	return done_pipe[0];
}

/* A finished relayed caller for the loop to close, or NULL. */
struct conn *
relay_done_take(void)
{
	return fleet_ptr_take(done_pipe[0]);
}

static int
send_msg(int fd, SSL *ssl, const struct msg *m)
{
	struct wire_wr wr;
	int r = -1;

	if (msg_encode(m, &wr) == 0)
		r = fleet_write(fd, ssl, wr.buf, wr.len);
	wire_wr_wipe(&wr);
	return r;
}

static void
send_fail(int fd, uint16_t reason)
{
	struct msg m = { .type = SSPR_MSG_FAIL, .u.reason = reason };

	(void)send_msg(fd, NULL, &m);
}

/*
 * TLS to one server ("name:port"), its certificate checked against the
 * fleet CA and the name: NULL with why.
 */
static SSL *
server_connect(const char *spec, int seconds, int *fdp, unsigned long *genp,
    char *why, size_t size)
{
	char host[301];
	const char *port;
	SSL_CTX *ctx;
	SSL *ssl = NULL;
	SSL_SESSION *sess;
	unsigned long gen;
	long v;
	int fd;

	if (cfg_hostport(spec, host, sizeof(host), &port) != 0) {
		snprintf(why, size, "not NAME:PORT");
		return NULL;
	}
	if ((fd = fleet_connect(host, port, seconds, why, size)) < 0)
		return NULL;
	if ((ctx = fleet_ctx_get(&gen)) == NULL ||
	    (ssl = fleet_ssl_new(ctx, fd)) == NULL) {
		snprintf(why, size, "TLS: out of memory");
		goto fail;
	}
	if (fleet_name_peer(ssl, host) != 0) {
		snprintf(why, size, "TLS: cannot check the server's name");
		goto fail;
	}
	*genp = gen;
	/*
	 * Not with our own certificate ended: the server would refuse the
	 * resumed session with a bare FAIL; a full handshake's alert says
	 * why, here and there.
	 */
	if (fleet_cert_current(SSL_CTX_get0_certificate(ctx)) &&
	    (sess = sess_get(spec, gen)) != NULL) {
		SSL_set_session(ssl, sess);
		SSL_SESSION_free(sess);
	}
	if (SSL_connect(ssl) != 1) {
		sess_put(spec, NULL, gen);
		if ((v = SSL_get_verify_result(ssl)) != X509_V_OK) {
			snprintf(why, size, "its certificate: %s",
			    X509_verify_cert_error_string(v));
			ERR_clear_error();
		} else
			fleet_tls_error(why, size);
		goto fail;
	}
	if (SSL_session_reused(ssl))
		log_msg(LOG_DEBUG, "relay: reset server %s: session resumed",
		    spec);
	SSL_CTX_free(ctx);
	*fdp = fd;
	return ssl;
fail:
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return NULL;
}

/*
 * A connection to the first server that answers, in the configured
 * order: one kept from an earlier flow (*reused set), when kept allows
 * and there is one, else a new one.
 */
static struct kept *
first_server(const struct relay *r, int kept, int *reused)
{
	const struct cfglist *l = &r->cfg->fleet_servers;
	struct kept *k;
	char why[256];
	SSL *ssl;
	int i, fd;
	unsigned long gen;

	for (i = 0; i < l->n; i++) {
		*reused = kept && (k = kept_take(l->item[i], fleet_ctx_gen(),
		    r->cfg)) != NULL;
		if (*reused) {
			log_msg(LOG_DEBUG, "relay: reset server %s: a kept "
			    "connection (flow %d on it)", k->server,
			    k->flows + 1);
			return k;
		}
		ssl = server_connect(l->item[i], r->cfg->fleet_timeout, &fd,
		    &gen, why, sizeof(why));
		if (ssl != NULL) {
			if ((k = calloc(1, sizeof(*k))) == NULL) {
				SSL_free(ssl);
				close(fd);
				return NULL;
			}
			snprintf(k->server, sizeof(k->server), "%s",
			    l->item[i]);
			k->ssl = ssl;
			k->fd = fd;
			k->gen = gen;
			return k;
		}
		log_msg(LOG_WARNING, "relay: reset server %s: %s%s",
		    l->item[i], why, i + 1 < l->n ? "; trying the next" : "");
	}
	return NULL;
}

/* One ADMIN_LINE "key value", encoded as the reset server's are. */
static void
admin_line(int fd, const char *key, const char *value)
{
	struct msg m = { .type = SSPR_MSG_ADMIN_LINE };
	const char *f[2] = { key, value };

	admin_line_encode(m.u.line, sizeof(m.u.line), f, 2);
	(void)send_msg(fd, NULL, &m);
}

static void
admin_end(int fd, int status, const char *message)
{
	struct msg m = { .type = SSPR_MSG_ADMIN_END };

	m.u.admin_end.status = (uint16_t)status;
	snprintf(m.u.admin_end.message, sizeof(m.u.admin_end.message), "%s",
	    message);
	(void)send_msg(fd, NULL, &m);
}

/*
 * ssprctl on a relay host (root, service "ssprctl"): this host's view,
 * answered here.  status: can each reset server be reached, with this
 * host's certificate?  reload: as SIGHUP.  What concerns accounts is
 * the reset servers' (their ssprctl), never forwarded: no host may send
 * ADMIN there.  Each request is audited as a reset server audits its
 * admin requests (event admin, the request as reason, how it went),
 * never an argument.
 */
static void
local_admin(struct relay *r)
{
	struct msg m = { .type = SSPR_MSG_HELLO_OK };
	unsigned char buf[SSPR_FRAME_MAX + 4];
	const struct cfglist *l = &r->cfg->fleet_servers;
	/* as the reset server names them in its records */
	static const char *const ops[] = { [SSPR_ADMIN_STATUS] = "status",
	    [SSPR_ADMIN_UNBLOCK] = "unblock", [SSPR_ADMIN_TEST_MAIL] =
	    "test-mail", [SSPR_ADMIN_RELOAD] = "reload", [SSPR_ADMIN_REPORT] =
	    "report", [SSPR_ADMIN_RCODES] = "rcodes-issue",
	    [SSPR_ADMIN_PASS_ISSUED] = "pass-issued", [SSPR_ADMIN_ACTIVITY] =
	    "activity" };
	struct audit_rec a = { .event = "admin", .service = "ssprctl",
	    .caller = r->host.u.host.uid };
	char why[256];
	unsigned long gen;
	uint32_t len;
	SSL *ssl;
	int i, fd, up = 0;

	m.u.hello_ok.version = SSPR_PROTO_CUR;
	if (send_msg(r->fd, NULL, &m) != 0)
		return;
	if (fleet_read_frame(r->fd, NULL, buf, &len, &m) != SSPR_MSG_ADMIN) {
		msg_wipe(&m);
		explicit_bzero(buf, sizeof(buf));
		send_fail(r->fd, SSPR_R_PROTOCOL);
		return;
	}
	switch (m.u.admin.op) {
	case SSPR_ADMIN_STATUS:
		admin_line(r->fd, "role", "relay");
		for (i = 0; i < l->n; i++) {
			ssl = server_connect(l->item[i], r->cfg->fleet_timeout,
			    &fd, &gen, why, sizeof(why));
			if (ssl != NULL) {
				up++;
				snprintf(why, sizeof(why), "ok");
				SSL_shutdown(ssl);
				SSL_free(ssl);
				close(fd);
			}
			admin_line(r->fd, l->item[i], why);
		}
		admin_end(r->fd, up == 0, up ? "a reset server answers" :
		    "no reset server answers");
		a.reason = "status";
		a.result = up ? "ok" : "failed";
		break;
	case SSPR_ADMIN_RELOAD:
		kill(getpid(), SIGHUP);
		admin_end(r->fd, 0, "reload requested (the log says how it "
		    "went)");
		/* the loop reloads: how it went is its log line */
		a.reason = "reload";
		a.result = "requested";
		break;
	default:
		admin_end(r->fd, 1, "a relay keeps no accounts: ask a reset "
		    "server (ssprctl there)");
		a.reason = m.u.admin.op < sizeof(ops) / sizeof(ops[0]) &&
		    ops[m.u.admin.op] != NULL ? ops[m.u.admin.op] : "unknown";
		a.result = "refused";
	}
	audit(&a);
	msg_wipe(&m);
}

/*
 * With TLS 1.3 a server that refuses this host's certificate says so
 * after the handshake: the first write fails.  Its alert, if it is still
 * to be read, says why.
 */
static void
refused_early(SSL *ssl, const char *server, pid_t pid)
{
	unsigned char b;
	char why[256];
	int i, r;

	ERR_clear_error();
	/* past a session ticket, if one came first */
	for (i = 0; i < 4; i++)
		if ((r = SSL_read(ssl, &b, 1)) > 0 ||
		    SSL_get_error(ssl, r) != SSL_ERROR_WANT_READ)
			break;
	fleet_tls_error(why, sizeof(why));
	log_msg(LOG_WARNING, "relay: reset server %s went away (pid %d's flow "
	    "ends here): %s", server, (int)pid, why);
}

/*
 * This host's view of what it forwarded ([audit] file, if set): who
 * asked here, through which PAM service, to which reset server, and how
 * it ended.  The relay reads no request, so no user unless the caller is
 * a self caller (its own name); never a secret.
 */
static void
relay_audit(const struct relay *r, const char *server, const char *result)
{
	const struct msg_hello *h = &r->hello.u.hello;
	struct audit_rec a = { .event = "relay", .result = result,
	    .user = r->host.u.host.user[0] ? r->host.u.host.user : NULL,
	    .source = h->rhost[0] ? h->rhost : h->tty, .service = h->service,
	    .server = server, .flow = r->id, .caller = r->host.u.host.uid };

	audit(&a);
}

static int relay_spawn(struct relay *);

static void
relay_free(struct relay *r)
{
	cfg_unref(r->cfg);
	explicit_bzero(r, sizeof(*r));
	free(r);
}

/*
 * The loop forwards the flow from here on, on k: the link filled in and
 * k's socket non-blocking.  0, or -1 (nothing changed but the link).
 */
static int
link_init(struct relay *r, struct kept *k, int reused)
{
	struct relay_link *l = &r->link;

	memset(l, 0, sizeof(*l));
	l->conn = r->conn;
	l->up.fd = k->fd;
	l->up.ssl = k->ssl;
	l->up.frame_ms = r->cfg->fleet_timeout * 1000;
	snprintf(l->up.host, sizeof(l->up.host), "%.*s", FLEET_HOST_MAX,
	    k->server);
	l->server = k->server;
	l->pid = r->pid;
	l->reused = reused;
	/* the server ends idle flows; this is for one that hangs */
	l->idle_ms = (r->cfg->idle_timeout + 60) * 1000;
	if (fcntl(k->fd, F_SETFL, O_NONBLOCK) != 0)
		return -1;
	r->k = k;
	return 0;
}

/*
 * The relay thread has sent HOST and HELLO on k: the loop forwards the
 * flow from here on, k is its, r too, until relay_link_end.  0, or -1
 * (k closed; the caller told).
 */
static int
to_loop(struct relay *r, struct kept *k, int reused)
{
	struct relay_link *lp = &r->link;

	/* a pointer is written whole: far below PIPE_BUF */
	if (link_init(r, k, reused) == 0 &&
	    write(link_pipe[1], &lp, sizeof(lp)) == (ssize_t)sizeof(lp))
		return 0;
	log_msg(LOG_ERR, "relay: cannot hand a flow to the loop");
	r->k = NULL;
	send_fail(r->fd, SSPR_R_INTERNAL);
	relay_audit(r, k->server, "failed");
	kept_close(k);
	return -1;
}

/*
 * HOST and the caller's first frame to a server, then the flow goes to
 * the loop: 0.  Or -1, the flow over here (the caller told).  A kept
 * connection that the server closed while it was idle (its keep_seconds
 * ran out just then, or it restarted) takes no frame, or answers none
 * (the loop says so: relay_link_end): the same two frames go to a new
 * connection, so no flow is lost to a stale one.
 */
static int
relay_flow(struct relay *r)
{
	struct kept *k;
	int reused;

	for (;;) {
		if ((k = first_server(r, r->try_kept, &reused)) == NULL) {
			log_msg(LOG_ERR, "relay: no reset server answered; pid "
			    "%d is told the service is unavailable",
			    (int)r->pid);
			send_fail(r->fd, SSPR_R_UNAVAILABLE);
			relay_audit(r, NULL, "unavailable");
			return -1;
		}
		if (!r->told++)
			relay_audit(r, k->server,
			    "forwarded");
		if (send_msg(-1, k->ssl, &r->host) == 0 &&
		    send_msg(-1, k->ssl, &r->hello) == 0)
			return to_loop(r, k, reused);
		if (!reused)
			break;
		ERR_clear_error();
		log_msg(LOG_DEBUG, "relay: reset server %s closed a kept "
		    "connection; pid %d's flow goes on a new one", k->server,
		    (int)r->pid);
		kept_close(k);
		r->try_kept = 0;
	}
	refused_early(k->ssl, k->server, r->pid);
	send_fail(r->fd, SSPR_R_UNAVAILABLE);
	sess_put(k->server, NULL, k->gen);
	relay_audit(r, k->server, "refused");
	kept_close(k);
	return -1;
}

/*
 * The loop ended l's flow (how: RELAY_*); keep, if it may carry another.
 * Returns 1 when a relay thread has the caller again (a kept connection
 * that answered nothing: the flow goes on a new one), else 0: the loop
 * ends the caller's connection.  Loop thread.
 */
int
relay_link_end(struct relay_link *l, int how, int keep)
{
	struct relay *r = (struct relay *)((char *)l -
	    offsetof(struct relay, link));
	struct kept *k = r->k;
	int last = l->last;

	r->k = NULL;
	ERR_clear_error();
	if (how == RELAY_UNANSWERED) {
		log_msg(LOG_DEBUG, "relay: reset server %s closed a kept "
		    "connection; pid %d's flow goes on a new one", k->server,
		    (int)r->pid);
		kept_close(k);
		r->try_kept = 0;
		if (relay_spawn(r) == 0)
			return 1;
		how = RELAY_GONE;
		k = NULL;
	}
	if (how == RELAY_GONE) {
		if (k != NULL)
			sess_put(k->server, NULL, k->gen);
		relay_audit(r, k != NULL ? k->server : NULL,
		    "server-lost");
		kept_close(k);
	} else {
		if (!l->reused)
			sess_put(k->server, k->ssl, k->gen);
		relay_audit(r, k->server,
		    last == SSPR_MSG_DONE ? "done" : last == SSPR_MSG_FAIL ?
		    "failed" : last == SSPR_MSG_REJECTED ? "rejected" :
		    "ended");
		/* blocking again for the relay thread that takes it; one
		 * closed here is not waited for (the loop's thread) */
		if (keep && fleet_last_type(last) &&
		    fcntl(k->fd, F_SETFL, 0) == 0) {
			k->flows++;
			kept_put(k, r->cfg);
		} else
			kept_close(k);
	}
	relay_free(r);
	return 0;
}

static void *
relay_main(void *arg)
{
	struct relay *r = arg;

	fleet_timeouts(r->fd, FRAME_TIMEOUT_S);
	if (r->admin)
		local_admin(r);
	else if (relay_flow(r) == 0)	/* the loop's now */
		r = NULL;
	ERR_clear_error();
	if (r != NULL) {
		if (write(done_pipe[1], &r->conn, sizeof(r->conn)) !=
		    (ssize_t)sizeof(r->conn))
			log_msg(LOG_ERR, "relay: cannot hand a caller back");
		relay_free(r);
	}
	pthread_mutex_lock(&sess_lock);
	if (--nrelays == 0)
		pthread_cond_broadcast(&relays_gone);
	pthread_mutex_unlock(&sess_lock);
	return NULL;
}

/*
 * At the daemon's end, after the loop has ended the flows it forwarded
 * (server_close_all): up to seconds for the relay threads still
 * connecting, so that no thread is freeing its TLS state while the
 * process exits; then the kept connections and sessions go.
 */
void
relay_stop(int seconds)
{
	struct relay_link *l;
	struct sess *e, *n;
	struct kept *k;
	struct timespec ts;

	pthread_mutex_lock(&sess_lock);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += seconds;
	while (nrelays > 0 &&
	    pthread_cond_timedwait(&relays_gone, &sess_lock, &ts) == 0)
		;
	if (nrelays > 0) {
		log_msg(LOG_WARNING, "relay: %d flow(s) still being relayed "
		    "at the end", nrelays);
		pthread_mutex_unlock(&sess_lock);
		return;
	}
	k = kept_idle;
	kept_idle = NULL;
	e = sessions;
	sessions = NULL;
	pthread_mutex_unlock(&sess_lock);
	/* flows handed over as the loop stopped: their TLS goes too */
	while ((l = relay_link_take()) != NULL)
		(void)relay_link_end(l, RELAY_GONE, 0);
	kept_close(k);
	for (; e != NULL; e = n) {
		n = e->next;
		SSL_SESSION_free(e->s);
		free(e);
	}
}

/*
 * A relayed flow for the accepted caller c on fd, a root, allowed or self
 * caller whose HELLO the loop has read (hello), or NULL.  Then
 * relay_kept, and relay_run if that gives no link.  Loop thread.
 */
struct relay *
relay_new(struct conn *c, int fd, uid_t uid, pid_t pid, int caller,
    const struct cfg *cfg, const struct msg *hello)
{
	struct passwd pw, *res = NULL;
	char pwbuf[4096];
	struct relay *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->conn = c;
	r->fd = fd;
	r->pid = pid;
	r->host.type = SSPR_MSG_HOST;
	r->host.u.host.caller = (uint8_t)caller;
	r->host.u.host.uid = uid;
	if (caller == SSPR_CALLER_SELF) {
		if (getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &res) != 0 ||
		    res == NULL || strlen(pw.pw_name) > SSPR_USER_MAX) {
			free(r);
			return NULL;
		}
		snprintf(r->host.u.host.user, sizeof(r->host.u.host.user),
		    "%s", pw.pw_name);
	}
	/* the HELLO as the loop decoded it, encoded again when it is sent
	 * on, as every later frame is (relay_up) */
	r->hello = *hello;
	r->cfg = cfg_ref((struct cfg *)cfg);
	r->id = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
	r->try_kept = 1;
	r->admin = caller == SSPR_CALLER_ROOT &&
	    strcmp(hello->u.hello.service, "ssprctl") == 0;
	return r;
}

/*
 * A kept connection to the first server, if there is one, carries r:
 * its link, for the loop to send HOST and HELLO (link->host, ->hello)
 * and forward from there, as it does a relay thread's (relay_link_take).
 * Else NULL: a relay thread connects (relay_run).  It is the thread's
 * first_server without the connect, and a kept connection that turns
 * out dead before it answers goes to a relay thread as the thread's own
 * does (relay_link_end).  Loop thread.
 */
struct relay_link *
relay_kept(struct relay *r)
{
	const struct cfglist *l = &r->cfg->fleet_servers;
	struct kept *k;

	if (r->admin || l->n == 0 ||
	    (k = kept_take(l->item[0], fleet_ctx_gen(), r->cfg)) == NULL)
		return NULL;
	log_msg(LOG_DEBUG, "relay: reset server %s: a kept connection (flow "
	    "%d on it)", k->server, k->flows + 1);
	if (link_init(r, k, 1) != 0) {
		kept_close(k);
		return NULL;
	}
	r->told = 1;
	relay_audit(r, k->server, "forwarded");
	r->link.host = &r->host;
	r->link.hello = &r->hello;
	return &r->link;
}

/*
 * A relay thread for r, which has the caller from here on (the loop no
 * longer watches its socket) until it hands it back: 0, or -1 (r
 * freed; the loop answers and closes).
 */
int
relay_run(struct relay *r)
{
	if (relay_spawn(r) == 0)
		return 0;
	relay_free(r);
	return -1;
}

/*
 * A relay thread for r (its first time, or again): 0, or -1.  Its reads
 * and writes on the caller's socket block (within FRAME_TIMEOUT_S); the
 * loop's never do (MSG_DONTWAIT).
 */
static int
relay_spawn(struct relay *r)
{
	if (fcntl(r->fd, F_SETFL, 0) != 0)
		return -1;
	pthread_mutex_lock(&sess_lock);
	nrelays++;
	pthread_mutex_unlock(&sess_lock);
	if (fleet_thread(relay_main, r) == 0)
		return 0;
	pthread_mutex_lock(&sess_lock);
	nrelays--;
	pthread_mutex_unlock(&sess_lock);
	return -1;
}
