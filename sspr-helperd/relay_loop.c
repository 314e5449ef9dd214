/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * relay_loop.c: a relay's flows in the event loop.  server.c accepts a
 * local caller and checks it as in the local role, and reads its HELLO
 * (relay_hello).  A kept connection to the first reset server carries
 * the flow at once, HOST and HELLO sent from here (relay_kept,
 * relay_adopt); a new connection, or root's ssprctl, is a thread's in
 * relay.c, which hands the flow back connected (relay_link_take).  From
 * then on the loop serves both, the caller's socket and the server's TLS
 * (an "upstream" conn), and passes each whole frame through the one
 * parser: PAM requests up (relay_up), answers down (relay_down).  The
 * flow's end goes back to relay.c (relay_over), which keeps the server
 * connection for the next flow or closes it.
 *
 * Statics: none; loop thread only.
 */
#include <stdlib.h>
#include <sys/epoll.h>

#include <openssl/ssl.h>

#include "fleet.h"
#include "log.h"
#include "serverint.h"

static void relay_adopt(struct relay_link *, int);
static void relay_over(struct relay_link *, int);

/*
 * Relay role: the caller passed the same checks as a local one, and its
 * HELLO came whole within the same deadlines (m).  A kept connection to
 * the first server carries the flow from here (relay_kept, relay_adopt:
 * no thread); a new connection, or root's ssprctl, is a relay thread's,
 * which owns the socket until it hands c back (relay_done_take,
 * relay_link_take).
 */
static void
relay_hello(struct conn *c, const struct msg *m)
{
	int caller = c->uid == 0 ? SSPR_CALLER_ROOT : uid_allowed(c->uid) ?
	    SSPR_CALLER_ALLOWED : SSPR_CALLER_SELF;
	struct relay_link *l;
	struct relay *r;

	c->relay_wait = 0;
	if (m->type != SSPR_MSG_HELLO) {
		send_fail_and_close(c, SSPR_R_PROTOCOL);
		return;
	}
	if ((r = relay_new(c, c->fd, c->uid, c->pid, caller, server_cfg(),
	    m)) == NULL) {
		send_fail_and_close(c, SSPR_R_INTERNAL);
		return;
	}
	if ((l = relay_kept(r)) != NULL) {
		relay_adopt(l, 1);
		return;
	}
	conn_lend(c);
	if (relay_run(r) == 0)
		return;
	(void)conn_watch(c);
	conn_deadline(c, HELLO_TIMEOUT_MS);
	send_fail_and_close(c, SSPR_R_INTERNAL);
}

/*
 * Relay role: l's flow has a server connection; the loop takes the
 * caller back (in_loop: it never let go of it) and the server's TLS as
 * its upstream, and forwards from here on.  On a kept connection the
 * loop took itself (relay_kept) it sends HOST and HELLO first, both in
 * one write: a write that fails, or a connection that ends before it
 * answers, sends the flow on a new one (relay_over, RELAY_UNANSWERED).
 */
static void
relay_adopt(struct relay_link *l, int in_loop)
{
	struct conn *c = l->conn, *u;

	if (!in_loop)
		(void)conn_watch(c);
	if ((u = calloc(1, sizeof(*u))) == NULL) {
		(void)relay_link_end(l, RELAY_GONE, 0);
		send_fail_and_close(c, SSPR_R_UNAVAILABLE);
		return;
	}
	u->fd = l->up.fd;
	u->uid = c->uid;
	u->pid = c->pid;
	u->peer = &l->up;
	u->upstream = 1;
	if (conn_watch(u) != 0) {
		free(u);
		(void)relay_link_end(l, RELAY_GONE, 0);
		send_fail_and_close(c, SSPR_R_UNAVAILABLE);
		return;
	}
	l->upc = u;
	c->link = u->link = l;
	conn_deadline(u, l->idle_ms);
	/* the server is the one to end an idle flow: never the caller's */
	conn_deadline(c, l->idle_ms + 60000LL);
	/* l may be gone once u closes: nothing of it is touched after */
	if (l->host != NULL && (conn_queue(u, l->host) != 0 ||
	    conn_queue(u, l->hello) != 0 || conn_flush(u) < 0)) {
		conn_close(u);
		return;
	}
	if (u->out != NULL)
		want_events(u);
	if (SSL_has_pending(l->up.ssl))
		conn_event(u, EPOLLIN);
}

/*
 * The relayed flow of l ends (RELAY_*).  Both conns let go of l; the
 * upstream closes (its TLS kept or closed by relay.c); the caller gets
 * its end, unless a relay thread takes it to try a new connection.
 */
static void
relay_over(struct relay_link *l, int how)
{
	struct conn *c = l->conn, *u = l->upc;
	int keep;

	c->link = u->link = NULL;
	/* a kept connection that answered nothing, with nothing of the
	 * caller's but its HELLO sent or begun: a new connection may take it */
	if (how == RELAY_GONE && l->reused && l->last == 0 && l->sent == 0 &&
	    c->hdr_got == 0 && c->out == NULL && !c->closed && !c->ending &&
	    !server_closing())
		how = RELAY_UNANSWERED;
	keep = how == RELAY_LAST && conn_clean(u);
	conn_close(u);
	if (how == RELAY_UNANSWERED)
		conn_lend(c);
	if (relay_link_end(l, how, keep))
		return;		/* c is a relay thread's until it hands it back */
	if (how == RELAY_UNANSWERED) {
		(void)conn_watch(c);
		how = RELAY_GONE;
	}
	if (how == RELAY_GONE)
		send_fail_and_close(c, SSPR_R_UNAVAILABLE);
	else if (how == RELAY_LAST || how == RELAY_OVER)
		conn_end(c);
}

/* A caller's frame m, for the reset server: PAM requests only. */
static void
relay_up(struct conn *c, const struct msg *m)
{
	struct relay_link *l = c->link;

	if (!fleet_request_type(m->type)) {
		log_msg(LOG_WARNING, "relay: pid %d sent %s, which is not "
		    "relayed; closing", (int)l->pid, msg_name(m->type));
		relay_over(l, RELAY_CALLER);
		send_fail_and_close(c, SSPR_R_NOT_ALLOWED);
		return;
	}
	l->sent++;
	conn_deadline(l->upc, l->idle_ms);
	conn_send(l->upc, m);
}

/* The server's frame m, for the caller: answers only. */
static void
relay_down(struct conn *u, const struct msg *m)
{
	struct relay_link *l = u->link;
	int over;

	if (!(m->type & 0x8000)) {
		log_msg(LOG_WARNING, "relay: reset server %s sent a request "
		    "(pid %d's flow ends here): refused", l->server,
		    (int)l->pid);
		relay_over(l, RELAY_GONE);
		return;
	}
	/* the flow's end, though only a last answer keeps the connection */
	over = fleet_last_type(m->type) || (m->type == SSPR_MSG_REJECTED &&
	    m->u.rejected.tries_left == 0);
	l->last = m->type;
	conn_deadline(u, l->idle_ms);
	conn_send(l->conn, m);
	if (over && u->link != NULL)
		relay_over(l, fleet_last_type(m->type) ? RELAY_LAST :
		    RELAY_OVER);
}

static const struct relay_ops ops = {
	.hello = relay_hello,
	.adopt = relay_adopt,
	.over = relay_over,
	.up = relay_up,
	.down = relay_down,
};

const struct relay_ops *
relay_loop_ops(void)
{
	return &ops;
}
