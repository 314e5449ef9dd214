/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * server.c: epoll loop over the listening socket, the callers, the pools'
 * completion eventfd and a signalfd.  A frame's length is checked against
 * SSPR_FRAME_MAX before its buffer is allocated, and it must arrive whole
 * within FRAME_TIMEOUT_MS of its first byte; bad input closes only that
 * one connection.
 *
 * A reset server serves its hosts' flows here too: fleet_server.c's
 * thread hands over a TLS connection whose handshake and HOST it has
 * checked (accept_remote), the loop reads and writes it with
 * non-blocking TLS like a local socket, only PAM requests from a host.
 * After a flow's clean end it keeps the connection for the host's next
 * flow and reads that flow's HOST itself (peer_idle, peer_next; checked
 * by fleet_server.c as the first was); any other end hands it back
 * (fleet_peer_back) for that thread to close.  No frame and no kept
 * flow wakes another thread.
 *
 * A relay's flows likewise (relay_loop.c): the loop reads the caller's
 * HELLO and then serves both the caller's socket and the reset server's
 * TLS, passing whole frames through the one parser.
 *
 * Statics: loop thread only.
 */
#include <errno.h>
#include <stdarg.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include "audit.h"
#include "dir.h"
#include "fleet.h"
#include "flow.h"
#include "keys.h"
#include "localacct.h"
#include "log.h"
#include "mail.h"
#include "preflight.h"
#include "server.h"
#include "serverint.h"
#include "state.h"
#include "throttle.h"
#include "timer.h"
#include "wire.h"

#define FRAME_TIMEOUT_MS	2000	/* slowloris: a frame comes whole */
#define MAX_EVENTS		64
#define ACCEPTS_PER_ROUND	32	/* then the callers already in */
#define REFUSAL_LOG_MS		10000	/* one line per uid and reason */

struct uidcount {
	uid_t	uid;
	int	n;
};

/* How often a uid was refused for one reason: see log_refusal. */
struct refusal {
	uid_t		 uid;
	pid_t		 pid;		/* the last one refused */
	const char	*why;
	long long	 quiet_until;	/* 0: a free slot */
	unsigned long	 missed;	/* refused since the last line */
};


static struct cfg	*cur_cfg;
static int		 epfd = -1;
static int		 listen_fd = -1;
static int		 listening;
static int		 nconns;
static struct uidcount	 uidcounts[64];
static int		 nuidcounts;
static struct conn	*dead;
static struct refusal	 refusals[16];
static const struct relay_ops *relay;	/* the relay role's (relay_loop.c) */
static int		 closing_all;	/* the daemon ends: no flow retried */
static struct conn	*kicks;		/* kept conns to read before waiting */

struct cfg *
server_cfg(void)
{
	return cur_cfg;
}

void
server_relay_ops(const struct relay_ops *ops)
{
	relay = ops;
}

int
server_closing(void)
{
	return closing_all;
}

/* The loop watches c's socket for what a caller sends (or its end). */
int
conn_watch(struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP,
	    .data.ptr = c };

	if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0)
		return -1;
	c->polled = ev.events;
	return 0;
}

/* c's socket is a relay thread's for now: the loop neither watches nor
 * times it until conn_watch. */
void
conn_lend(struct conn *c)
{
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	c->polled = 0;
	timer_cancel(&c->timer);
}

static struct conn *
conn_of(struct timer *t)
{
	return (struct conn *)((char *)t - offsetof(struct conn, timer));
}

static void
rearm(struct conn *c)
{
	long long when = c->idle_deadline;

	if (c->frame_deadline != 0 && c->frame_deadline < when)
		when = c->frame_deadline;
	timer_set(&c->timer, when);
}

void
conn_deadline(struct conn *c, long long ms)
{
	if (c == NULL)
		return;
	c->idle_deadline = now_ms() + ms;
	rearm(c);
}

static struct uidcount *
uid_slot(uid_t uid, int create)
{
	int i;

	struct uidcount *free_slot = NULL;

	for (i = 0; i < nuidcounts; i++) {
		if (uidcounts[i].uid == uid)
			return &uidcounts[i];
		if (uidcounts[i].n == 0 && free_slot == NULL)
			free_slot = &uidcounts[i];
	}
	if (!create)
		return NULL;
	if (free_slot == NULL && nuidcounts < (int)(sizeof(uidcounts) /
	    sizeof(uidcounts[0])))
		free_slot = &uidcounts[nuidcounts++];
	if (free_slot != NULL) {
		free_slot->uid = uid;
		free_slot->n = 0;
	}
	return free_slot;
}

static void
set_listening(int on)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	if (on == listening || listen_fd < 0)
		return;
	if (on)
		epoll_ctl(epfd, EPOLL_CTL_ADD, listen_fd, &ev);
	else
		epoll_ctl(epfd, EPOLL_CTL_DEL, listen_fd, NULL);
	listening = on;
}

/*
 * Between frames on c, both ways: nothing unsent, no frame begun (its
 * body comes after its header), no TLS operation half done, no rule
 * broken.  A TLS connection in this state may carry another flow.
 */
int
conn_clean(const struct conn *c)
{
	return !c->broken && c->out == NULL && c->hdr_got == 0 &&
	    !c->rd_wants_w && !c->wr_wants_r;
}

/*
 * May a host's connection carry its next flow?  Only after a clean end:
 * the flow's last answer written whole, and the connection clean.
 */
static int
peer_keeps(const struct conn *c)
{
	return !c->kept && fleet_last_type(c->last) && conn_clean(c) &&
	    !closing_all;
}

/*
 * Keeps p's connection after its flow for the host's next one: a new
 * conn, no flow, that reads only the next HOST (peer_next) for up to
 * [fleet] keep_seconds.  It counts in no flow limit.  What OpenSSL has
 * already read (a HOST sent early) epoll cannot see: the loop reads it
 * before it waits again (kicks).  Otherwise the connection goes back to
 * its thread to be closed.
 */
static void
peer_idle(struct fleet_peer *p)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	struct conn *n;
	int secs = fleet_peer_idle(p);

	if (secs == 0)
		goto back;
	if ((n = calloc(1, sizeof(*n))) == NULL)
		goto back;
	n->fd = p->fd;
	n->peer = p;
	n->kept = 1;
	ev.data.ptr = n;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, n->fd, &ev) != 0) {
		free(n);
		goto back;
	}
	n->polled = ev.events;
	conn_deadline(n, secs * 1000LL);
	if (SSL_has_pending(p->ssl)) {
		n->next_kick = kicks;
		kicks = n;
	}
	return;
back:
	fleet_peer_back(p);
}

/*
 * Closes c now; the struct itself is freed at the end of the loop
 * iteration (reap), because callers up the stack may still hold it.
 */
void
conn_close(struct conn *c)
{
	struct uidcount *u;

	if (c->closed)
		return;
	c->closed = 1;
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	/* an upstream's TLS is relay.c's to keep or close (relay_over) */
	if (c->upstream)
		;
	else if (c->peer != NULL && peer_keeps(c))
		peer_idle(c->peer);
	else if (c->peer != NULL)
		fleet_peer_back(c->peer);
	else if (c->fd >= 0)
		close(c->fd);
	c->peer = NULL;
	timer_cancel(&c->timer);
	if (c->flow != NULL)
		flow_closed(c->flow);
	c->flow = NULL;
	if (c->body != NULL)
		explicit_bzero(c->body, c->body_len);
	free(c->body);
	c->body = NULL;
	if (c->out != NULL)
		explicit_bzero(c->out, c->out_cap);
	free(c->out);
	c->out = NULL;
	if (c->link != NULL)
		relay->over(c->link, c->upstream ? RELAY_GONE : RELAY_CALLER);
	if (c->counted && (u = uid_slot(c->uid, 0)) != NULL)
		u->n--;
	if (!c->upstream && !c->kept)
		nconns--;
	c->next_dead = dead;
	dead = c;
	set_listening(1);
}

static void
reap(void)
{
	struct conn *c;

	while ((c = dead) != NULL) {
		dead = c->next_dead;
		free(c);
	}
}

/*
 * Most answers go out whole in the send() that queues them: epoll is told
 * only when what c waits for changes, not twice per message.  A TLS read
 * may need to write first and a TLS write to read (rd_wants_w,
 * wr_wants_r).
 */
void
want_events(struct conn *c)
{
	struct epoll_event ev = {
		.events = (!c->ending || c->wr_wants_r ? EPOLLIN | EPOLLRDHUP :
		    0) | ((c->out != NULL && !c->wr_wants_r) || c->rd_wants_w ?
		    EPOLLOUT : 0),
		.data.ptr = c,
	};

	if (ev.events == c->polled)
		return;
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->polled = ev.events;
}

/*
 * What an SSL_read or SSL_write that did not complete waits for: -1 with
 * errno EAGAIN (*wants set when it is the other direction), or -1 with
 * EIO, or 0 when the host ended its TLS stream.  The loop's error queue
 * is left empty: a later SSL_get_error must not see this one's.
 */
static ssize_t
tls_wait(struct conn *c, int r, int *wants, int other)
{
	int e = SSL_get_error(c->peer->ssl, r);

	/* a server's alert says why it refused this host (relay_over) */
	if (c->upstream && e != SSL_ERROR_WANT_READ &&
	    e != SSL_ERROR_WANT_WRITE)
		fleet_tls_error(c->why, sizeof(c->why));
	ERR_clear_error();
	*wants = e == other;
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		errno = EAGAIN;
		return -1;
	}
	if (e == SSL_ERROR_ZERO_RETURN)
		return 0;
	errno = EIO;
	return -1;
}

/*
 * A TLS read's or write's result r: the bytes done, or what tls_wait
 * says; the loop's events follow a change in what it waits for.
 */
static ssize_t
tls_done(struct conn *c, int r, int *wants, int other)
{
	int was = *wants;
	ssize_t n;

	if (r > 0) {
		*wants = 0;
		n = r;
	} else
		n = tls_wait(c, r, wants, other);
	if (was != *wants)
		want_events(c);
	return n;
}

/* recv(), or SSL_read on a host's connection. */
static ssize_t
conn_recv(struct conn *c, void *p, size_t n)
{
	if (c->peer == NULL)
		return recv(c->fd, p, n, MSG_DONTWAIT);
	return tls_done(c, SSL_read(c->peer->ssl, p, (int)n),
	    &c->rd_wants_w, SSL_ERROR_WANT_WRITE);
}

/* send(), or SSL_write on a host's connection. */
static ssize_t
conn_write(struct conn *c, const void *p, size_t n)
{
	if (c->peer == NULL)
		return send(c->fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
	return tls_done(c, SSL_write(c->peer->ssl, p, (int)n),
	    &c->wr_wants_r, SSL_ERROR_WANT_READ);
}

int
conn_flush(struct conn *c)
{
	ssize_t w;

	while (c->out_off < c->out_len) {
		w = conn_write(c, c->out + c->out_off,
		    c->out_len - c->out_off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return 0;
		if (w <= 0)
			return -1;
		c->out_off += (size_t)w;
	}
	explicit_bzero(c->out, c->out_cap);
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = c->out_cap = 0;
	want_events(c);
	return 1;
}

/*
 * Room for more bytes in c's output.  Not realloc: the old block may hold
 * an app's secret (INFO), so it is wiped before it is freed.  The room at
 * least doubles, and only what is still unsent moves, so a long admin
 * answer queued line by line costs linear, not quadratic, time.
 */
static int
out_reserve(struct conn *c, size_t more)
{
	size_t unsent = c->out_len - c->out_off, cap;
	unsigned char *n;

	if (c->out_len + more <= c->out_cap)
		return 0;
	cap = c->out_cap * 2 > unsent + more ? c->out_cap * 2 : unsent + more;
	if (cap < 4096)
		cap = 4096;
	if ((n = malloc(cap)) == NULL)
		return -1;
	if (unsent > 0)
		memcpy(n, c->out + c->out_off, unsent);
	if (c->out != NULL) {
		explicit_bzero(c->out, c->out_cap);
		free(c->out);
	}
	c->out = n;
	c->out_cap = cap;
	c->out_len = unsent;
	c->out_off = 0;
	return 0;
}

/* Queues m, unsent; the caller's message may hold secrets: we copy it. */
int
conn_queue(struct conn *c, const struct msg *m)
{
	struct wire_wr wr;
	int r = -1;

	if (msg_encode(m, &wr) != 0)
		log_msg(LOG_ERR, "cannot encode %s", msg_name(m->type));
	else if (out_reserve(c, wr.len) == 0) {
		memcpy(c->out + c->out_len, wr.buf, wr.len);
		c->out_len += wr.len;
		c->last = m->type;
		r = 0;
	}
	wire_wr_wipe(&wr);
	return r;
}

/* Queues one answer and writes what it can. */
void
conn_send(struct conn *c, const struct msg *m)
{
	if (c == NULL || c->closed)
		return;
	/* nothing follows a last answer (the engine's rule): were it to,
	 * it must not reach the host's next flow on this connection */
	if (c->peer != NULL && fleet_last_type(c->last))
		return;
	if (conn_queue(c, m) != 0) {
		conn_close(c);
		return;
	}
	if (conn_flush(c) < 0)
		conn_close(c);
	else if (c->out != NULL)
		want_events(c);
}

/* How long a frame may take to come whole, or an answer to be read. */
static long long
frame_ms(const struct conn *c)
{
	return c->peer != NULL ? c->peer->frame_ms : FRAME_TIMEOUT_MS;
}

/* Closes c once everything queued has been written. */
void
conn_end(struct conn *c)
{
	if (c == NULL || c->closed)
		return;
	/* a relayed caller refused or timed out: nothing more comes down */
	if (c->link != NULL)
		relay->over(c->link, RELAY_CALLER);
	c->ending = 1;
	if (c->out == NULL) {
		conn_close(c);
		return;
	}
	/* a caller that does not read its answer is not waited for long */
	want_events(c);
	c->frame_deadline = 0;
	conn_deadline(c, frame_ms(c));
}

void
send_fail_and_close(struct conn *c, uint16_t reason)
{
	struct msg m = { .type = SSPR_MSG_FAIL, .u.reason = reason };

	conn_send(c, &m);
	conn_end(c);
}

/* Bad input from c, logged as c's: a host by its name, a caller by uid. */
static void
log_bad(const struct conn *c, const char *fmt, ...)
{
	char what[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (c->peer != NULL)
		log_msg(LOG_WARNING, "fleet: host %s: %s; closing",
		    c->peer->host, what);
	else
		log_msg(LOG_WARNING, "uid %u pid %d: %s; closing",
		    (unsigned)c->uid, (int)c->pid, what);
}

/*
 * Bad input: a local caller is told FAIL(reason); a host's connection
 * closes unanswered and carries no further flow (PROTOCOL.md: the
 * server closes a connection that sends what does not decode).
 */
static void
refuse_input(struct conn *c, uint16_t reason)
{
	if (c->peer == NULL) {
		send_fail_and_close(c, reason);
		return;
	}
	c->broken = 1;
	conn_close(c);
}

int
uid_allowed(uid_t uid)
{
	int i;

	for (i = 0; i < cur_cfg->n_allowed_uids; i++)
		if (cur_cfg->allowed_uids[i] == uid)
			return 1;
	return 0;
}

/* The slot for (uid, why): its own, else a free one, else the oldest. */
static struct refusal *
refusal_slot(uid_t uid, const char *why)
{
	struct refusal *r, *pick = &refusals[0];
	size_t i;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		r = &refusals[i];
		if (r->quiet_until != 0 && r->uid == uid && r->why == why)
			return r;
		if (pick->quiet_until != 0 && (r->quiet_until == 0 ||
		    r->quiet_until < pick->quiet_until))
			pick = r;
	}
	return pick;
}

static void
log_refusal_line(const struct refusal *r)
{
	if (r->missed == 0)
		log_msg(LOG_WARNING, "refused a caller: uid %u (pid %d): %s",
		    (unsigned)r->uid, (int)r->pid, r->why);
	else
		log_msg(LOG_WARNING, "refused a caller: uid %u (pid %d): %s "
		    "(and %lu times since the last such line)", (unsigned)r->uid,
		    (int)r->pid, r->why, r->missed);
}

/*
 * A uid connecting in a loop would write a line per attempt, megabytes a
 * second.  So the first refusal of a uid for a reason is logged, then at
 * most one line per REFUSAL_LOG_MS, written at a later refusal, which
 * counts those left out meanwhile.  A small fixed table, loop thread
 * only: when more uids than slots are refused at once, the oldest slot is
 * taken over (its count logged first), so a count is never lost, only
 * written early.
 */
static void
log_refusal(const struct conn *c, const char *why)
{
	struct refusal *r = refusal_slot(c->uid, why);
	long long now = now_ms();

	if (r->quiet_until != 0 && (r->uid != c->uid || r->why != why)) {
		if (r->missed > 0)
			log_refusal_line(r);
		r->quiet_until = 0;
		r->missed = 0;
	}
	r->uid = c->uid;
	r->pid = c->pid;
	r->why = why;
	if (r->quiet_until > now) {
		r->missed++;
		return;
	}
	log_refusal_line(r);
	r->missed = 0;
	r->quiet_until = now + REFUSAL_LOG_MS;
}


static void
accept_one(int fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct uidcount *u;
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->fd = fd;
	ev.data.ptr = c;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		free(c);
		return;
	}
	c->polled = ev.events;
	c->uid = cred.uid;
	c->pid = cred.pid;
	nconns++;
	conn_deadline(c, HELLO_TIMEOUT_MS);
	if (!uid_allowed(c->uid) && !cur_cfg->self_callers) {
		log_refusal(c, "not in allowed_uids");
		send_fail_and_close(c, SSPR_R_NOT_ALLOWED);
		return;
	}
	if ((u = uid_slot(c->uid, 1)) != NULL) {
		u->n++;
		c->counted = 1;
	}
	if (nconns > cur_cfg->max_flows || u == NULL ||
	    (c->uid != 0 && u->n > cur_cfg->max_flows_per_uid)) {
		log_refusal(c, "too many flows at once");
		send_fail_and_close(c, SSPR_R_BUSY);
		return;
	}
	/* a relay reads the HELLO first, as a local flow does (relay_hello) */
	if (cur_cfg->role == ROLE_RELAY) {
		c->relay_wait = 1;
		return;
	}
	if ((c->flow = flow_new(c, cur_cfg, c->uid, c->pid,
	    !uid_allowed(c->uid))) == NULL)
		send_fail_and_close(c, SSPR_R_INTERNAL);
}

/*
 * Reset-server role: a host's caller, bridged from TLS by fleet_server.c.
 * Its uid and class are the host's word, bounded there: a self caller
 * acts only for the user it named (work.c), and only if this server
 * allows self callers at all; the per-host count was taken by the bridge.
 */
static void
accept_remote(struct fleet_peer *p)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP };
	int self = p->caller == SSPR_CALLER_SELF;
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		fleet_peer_back(p);
		return;
	}
	c->fd = p->fd;
	c->uid = p->uid;
	ev.data.ptr = c;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
		fleet_peer_back(p);
		free(c);
		return;
	}
	c->peer = p;
	c->polled = ev.events;
	nconns++;
	conn_deadline(c, HELLO_TIMEOUT_MS);
	if (self && !cur_cfg->self_callers) {
		log_msg(LOG_WARNING, "fleet: host %s: refused a self caller "
		    "(uid %u): self_callers = no here", p->host,
		    (unsigned)p->uid);
		send_fail_and_close(c, SSPR_R_NOT_ALLOWED);
	} else if (nconns > cur_cfg->max_flows) {
		log_msg(LOG_WARNING, "fleet: host %s: too many flows at once",
		    p->host);
		send_fail_and_close(c, SSPR_R_BUSY);
	} else if ((c->flow = flow_new(c, cur_cfg, p->uid, 0, self)) == NULL)
		send_fail_and_close(c, SSPR_R_INTERNAL);
	else
		flow_set_host(c->flow, p->host, p->user);
	/*
	 * What came with HOST in one TLS record is in OpenSSL's buffer, not
	 * the socket's: epoll would not say so.
	 */
	if (!c->ending && SSL_has_pending(p->ssl))
		conn_event(c, EPOLLIN);
}

/*
 * The first frame on a kept connection k, the next flow's: a HOST,
 * checked as the first was (fleet_peer_next), starts that flow as a new
 * conn (accept_remote); anything else closes the connection unanswered,
 * and a HOST that names no caller a host can have is told FAIL first.
 */
static void
peer_next(struct conn *k, const struct msg *m)
{
	struct fleet_peer *p = k->peer;
	int r;

	if (m->type != SSPR_MSG_HOST) {
		log_msg(LOG_WARNING, "fleet: host %s: the first frame of its "
		    "next flow is not a valid HOST; closing", p->host);
		k->broken = 1;
		conn_close(k);
		return;
	}
	if ((r = fleet_peer_next(p, m)) != 0) {
		k->broken = 1;
		if (r > 0)
			send_fail_and_close(k, SSPR_R_PROTOCOL);
		else
			conn_close(k);
		return;
	}
	/* k lets go of the connection, neither closed nor handed back */
	epoll_ctl(epfd, EPOLL_CTL_DEL, k->fd, NULL);
	k->fd = -1;
	k->peer = NULL;
	conn_close(k);
	accept_remote(p);
}

/*
 * At most ACCEPTS_PER_ROUND, then back to the loop: a caller connecting
 * in a loop would otherwise keep this busy for as long as it likes while
 * the callers already accepted wait.  The listening socket is
 * level-triggered, so the rest come next round.
 */
static void
accept_all(void)
{
	int fd, n;

	for (n = 0; n < ACCEPTS_PER_ROUND; n++) {
		fd = accept4(listen_fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			accept_one(fd);
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EMFILE || errno == ENFILE) {
			/* out of fds: pause until a connection closes */
			log_msg(LOG_WARNING, "accept: %s", strerror(errno));
			set_listening(0);
		}
		return;
	}
}

/* One complete frame in c->body: decode and give it to the flow. */
static void
dispatch(struct conn *c)
{
	struct msg m;
	int bad, secret;

	bad = msg_decode(&m, c->body, c->body_len) != 0;
	explicit_bzero(c->body, c->body_len);
	free(c->body);
	c->body = NULL;
	c->hdr_got = 0;
	c->frame_deadline = 0;
	rearm(c);
	if (bad) {
		log_bad(c, "malformed frame");
		refuse_input(c, SSPR_R_PROTOCOL);
		return;
	}
	if (c->relay_wait) {
		relay->hello(c, &m);
		msg_wipe(&m);
		return;
	}
	if (c->link != NULL) {
		if (c->upstream)
			relay->down(c, &m);
		else
			relay->up(c, &m);
		secret = m.type == SSPR_MSG_ANSWER ||
		    m.type == SSPR_MSG_NEW_PASSWORD || m.type == SSPR_MSG_CHANGE;
		msg_wipe(&m);
		if (secret)
			secret_scrub_registers();
		return;
	}
	if (c->kept) {
		peer_next(c, &m);
		msg_wipe(&m);
		return;
	}
	/* a host sends what a module may, and HOST only first (its thread,
	 * or peer_next between flows) */
	if (c->peer != NULL && !fleet_request_type(m.type) &&
	    !(c->peer->admin && m.type == SSPR_MSG_ADMIN)) {
		log_msg(LOG_WARNING, "fleet: host %s sent %s, which no host "
		    "may send now; closing", c->peer->host, msg_name(m.type));
		msg_wipe(&m);
		c->broken = 1;
		send_fail_and_close(c, SSPR_R_NOT_ALLOWED);
		return;
	}
	if (c->flow == NULL || c->ending) {
		msg_wipe(&m);
		return;
	}
	secret = m.type == SSPR_MSG_ANSWER || m.type == SSPR_MSG_NEW_PASSWORD ||
	    m.type == SSPR_MSG_CHANGE;
	flow_message(c->flow, &m);
	msg_wipe(&m);
	if (secret)
		secret_scrub_registers();
}

/*
 * Reads what is there, up to one frame: first the 4-byte length, which
 * must be within 2..SSPR_FRAME_MAX before anything is allocated, then
 * exactly that many bytes.  Returns -1 when the connection is finished.
 */
static int
read_some(struct conn *c)
{
	unsigned char *dst;
	size_t want;
	ssize_t got;
	uint32_t len;

	while (!c->closed && !c->ending) {
		if (c->hdr_got < 4) {
			dst = c->hdr + c->hdr_got;
			want = 4 - c->hdr_got;
		} else {
			dst = c->body + c->body_got;
			want = c->body_len - c->body_got;
		}
		got = conn_recv(c, dst, want);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			return 0;
		if (got <= 0)
			return -1;
		if (c->frame_deadline == 0) {
			c->frame_deadline = now_ms() + frame_ms(c);
			rearm(c);
		}
		if (c->hdr_got < 4) {
			c->hdr_got += (size_t)got;
			if (c->hdr_got < 4)
				continue;
			len = wire_peek_len(c->hdr);
			if (len < 2 || len > SSPR_FRAME_MAX) {
				log_bad(c, "malformed frame (frame length %u "
				    "out of range)", len);
				refuse_input(c, SSPR_R_PROTOCOL);
				return 0;
			}
			if ((c->body = malloc(len)) == NULL)
				return -1;
			c->body_len = len;
			c->body_got = 0;
			continue;
		}
		c->body_got += (uint32_t)got;
		/*
		 * A caller waits for the answer before its next frame: a
		 * recv() now would only say EAGAIN.  c is level-triggered,
		 * so bytes that did come (or the end) are seen next round;
		 * but not those OpenSSL has already taken off the socket
		 * (a host that sent two frames in one TLS record).
		 */
		if (c->body_got == c->body_len) {
			dispatch(c);
			if (c->peer == NULL || c->closed ||
			    !SSL_has_pending(c->peer->ssl))
				return 0;
		}
	}
	return 0;
}

void
conn_event(struct conn *c, uint32_t events)
{
	if (c->closed)
		return;
	/* TLS: either direction's operation may wait for the other's event */
	if (c->peer != NULL)
		events |= EPOLLIN | EPOLLOUT;
	if ((events & EPOLLOUT) && c->out != NULL) {
		if (conn_flush(c) < 0) {
			conn_close(c);
			return;
		}
		if (c->out == NULL && c->ending) {
			conn_close(c);
			return;
		}
	}
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
		if (read_some(c) < 0) {
			if (c->upstream && c->link != NULL)
				log_msg(LOG_WARNING, "relay: reset server %s "
				    "went away (pid %d's flow ends here): %s",
				    c->link->server, (int)c->pid, c->why[0] ?
				    c->why : "connection closed");
			conn_close(c);
		}
}

static void
expire_timers(void)
{
	struct timer *t;
	struct conn *c;
	long long now = now_ms();

	while ((t = timer_first()) != NULL && t->when <= now) {
		c = conn_of(t);
		timer_cancel(t);
		if (c->ending)
			conn_close(c);
		else if (c->frame_deadline != 0 && c->frame_deadline <= now) {
			log_bad(c, "frame not complete in time");
			refuse_input(c, SSPR_R_TIMEOUT);
		} else if (c->kept)
			conn_close(c);	/* keep_seconds without a HOST */
		else if (c->upstream) {
			if (c->link != NULL)
				log_msg(LOG_WARNING, "relay: reset server %s "
				    "silent for %lld s (pid %d's flow ends "
				    "here)", c->link->server,
				    (long long)c->link->idle_ms / 1000,
				    (int)c->pid);
			conn_close(c);
		} else if (c->flow == NULL || !flow_timeout(c->flow))
			send_fail_and_close(c, SSPR_R_TIMEOUT);
	}
}

/*
 * Kept connections whose next bytes OpenSSL has read already (peer_idle):
 * epoll would not wake for them.  Reading one may keep another.
 */
static void
kick(void)
{
	struct conn *c;

	while ((c = kicks) != NULL) {
		kicks = c->next_kick;
		conn_event(c, EPOLLIN);
	}
}

/*
 * The configuration as the daemon runs it, the same at start, --check and
 * reload: parsed, its key files read, and every mail template rendered
 * once (a mistake in one shows now, not to the first person who needs it).
 */
struct cfg *
server_cfg_load(const char *path, char *err, size_t errsize)
{
	struct cfg *c;
	char why[512];

	if ((c = cfg_load(path, err, errsize)) == NULL)
		return NULL;
	if (c->role == ROLE_RELAY)	/* no keys, no mail, no directory */
		return c;
	if (keys_load(c, err, errsize) != 0) {
		cfg_unref(c);
		return NULL;
	}
	if (mail_check_templates(c, why, sizeof(why)) != 0) {
		snprintf(err, errsize, "%s: [mail] template_dir: %s", path, why);
		cfg_unref(c);
		return NULL;
	}
	return c;
}

/*
 * Re-reads the configuration (SIGHUP, ssprctl reload).  A broken file is
 * refused and the running configuration kept; err says why.
 */
int
server_reload(char *err, size_t errsize)
{
	struct cfg *n;

	n = server_cfg_load(cur_cfg->path, err, errsize);
	if (n == NULL) {
		log_msg(LOG_ERR, "reload refused, keeping the running "
		    "configuration: %s", err);
		return -1;
	}
	if (n->role != cur_cfg->role) {
		snprintf(err, errsize, "%s: [fleet] role: a new role takes "
		    "effect only at a restart", n->path);
		log_msg(LOG_ERR, "reload refused, keeping the running "
		    "configuration: %s", err);
		cfg_unref(n);
		return -1;
	}
	if (fleet_tls_load(n, err, errsize) != 0) {
		log_msg(LOG_ERR, "reload refused, keeping the running "
		    "configuration and certificates: %s", err);
		cfg_unref(n);
		return -1;
	}
	if (n->role == ROLE_SERVER)
		fleet_server_limits(n);
	if (strcmp(n->fleet_listen, cur_cfg->fleet_listen) != 0)
		log_msg(LOG_WARNING, "reload: a new [fleet] listen takes "
		    "effect at the next restart");
	if (strcmp(n->socket, cur_cfg->socket) != 0)
		log_msg(LOG_WARNING, "reload: a new socket path takes effect "
		    "at the next restart");
	if (n->dir_connections != cur_cfg->dir_connections ||
	    n->mail_workers != cur_cfg->mail_workers)
		log_msg(LOG_WARNING, "reload: new pool sizes take effect at "
		    "the next restart");
	log_set_debug(n->debug);
	localacct_forget();
	audit_configure(n);	/* a relay audits what it forwards */
	if (n->role != ROLE_RELAY) {
		dir_store_resolve(n);
		state_set_horizon(throttle_horizon(n));
	}
	cfg_unref(cur_cfg);
	cur_cfg = n;
	log_msg(LOG_INFO, "configuration reloaded from %s", n->path);
	return 0;
}

/* Returns 1 to stop. */
static int
on_signal(int sfd)
{
	struct signalfd_siginfo si;

	while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
		char err[1024];

		if (si.ssi_signo == SIGHUP)
			(void)server_reload(err, sizeof(err));
		else
			return 1;
	}
	return 0;
}

static int
add_fd(int fd, void *tag)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = tag };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

/*
 * Runs until SIGTERM or SIGINT.  The signals must already be blocked in
 * every thread (main does that before the pools start).
 */
static const struct conn_ops ops = {
	.send = conn_send,
	.end = conn_end,
	.deadline = conn_deadline,
};

int
server_run(struct cfg *c, int lfd)
{
	static char tag_signal, tag_done, tag_peer, tag_relay, tag_link;
	struct relay_link *link;
	struct fleet_peer *peer;
	struct conn *rc;
	struct epoll_event evs[MAX_EVENTS];
	struct timer *t;
	sigset_t set;
	int sfd, n, i, stop = 0;
	long long wait;

	cur_cfg = c;
	listen_fd = lfd;
	flow_engine_init(&ops);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || epfd < 0 || add_fd(sfd, &tag_signal) != 0 ||
	    add_fd(pool_done_fd(), &tag_done) != 0) {
		log_msg(LOG_ERR, "event loop: %s", strerror(errno));
		return -1;
	}
	if ((fleet_peer_fd() >= 0 && add_fd(fleet_peer_fd(), &tag_peer) != 0) ||
	    (relay_done_fd() >= 0 && add_fd(relay_done_fd(), &tag_relay) != 0) ||
	    (relay_link_fd() >= 0 && add_fd(relay_link_fd(), &tag_link) != 0)) {
		log_msg(LOG_ERR, "event loop: %s", strerror(errno));
		return -1;
	}
	set_listening(1);
	while (!stop) {
		t = timer_first();
		wait = t ? t->when - now_ms() : -1;
		if (t && wait < 0)
			wait = 0;
		n = epoll_wait(epfd, evs, MAX_EVENTS, wait > 60000 ? 60000 :
		    (int)wait);
		if (n < 0 && errno != EINTR) {
			log_msg(LOG_ERR, "epoll_wait: %s", strerror(errno));
			break;
		}
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == NULL)
				accept_all();
			else if (p == &tag_signal)
				stop = on_signal(sfd);
			else if (p == &tag_done)
				pool_drain();
			else if (p == &tag_peer)
				while ((peer = fleet_peer_take()) != NULL)
					accept_remote(peer);
			else if (p == &tag_relay)
				while ((rc = relay_done_take()) != NULL)
					conn_close(rc);
			else if (p == &tag_link)
				while ((link = relay_link_take()) != NULL)
					relay->adopt(link, 0);
			else
				conn_event(p, evs[i].events);
		}
		expire_timers();
		kick();
		reap();
	}
	close(sfd);
	return 0;
}

/* At shutdown: close every caller (flows with jobs in flight wait). */
void
server_close_all(void)
{
	struct timer *t;

	closing_all = 1;
	while ((t = timer_first()) != NULL)
		conn_close(conn_of(t));
	reap();
}

/* After the pools have stopped: the last completions, then the loop. */
void
server_finish(int lfd)
{
	if (pool_done_fd() >= 0)
		pool_drain();
	close(lfd);
	if (epfd >= 0)
		close(epfd);
	epfd = -1;
}
