/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fleet.c: what the relay and the reset server share: the TLS context
 * (fleettls.c makes it), rebuilt on reload, and whole frames read
 * from a socket or a TLS stream through the one parser (msg_decode)
 * before anything is forwarded.
 *
 * Statics: cur_ctx, cur_gen, under ctx_lock.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fleet.h"
#include "log.h"
#include "msg.h"
#include "wire.h"

#define FRAME_WAIT_MS	5000	/* the rest of a frame begun */
#define THREAD_STACK	(256 * 1024)

static pthread_mutex_t	 ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static SSL_CTX		*cur_ctx;
static unsigned long	 cur_gen;	/* counts contexts: see relay.c */

/*
 * Builds the context from c's files and makes it the one new connections
 * take; connections already up keep theirs.  A file that does not load
 * keeps the running context: -1 with err.
 */
int
fleet_tls_load(const struct cfg *c, char *err, size_t errsize)
{
	SSL_CTX *n, *old;

	if (c->role == ROLE_LOCAL)
		return 0;
	if ((n = fleet_ctx_new(c, c->role == ROLE_SERVER, err, errsize)) ==
	    NULL)
		return -1;
	pthread_mutex_lock(&ctx_lock);
	old = cur_ctx;
	cur_ctx = n;
	cur_gen++;
	pthread_mutex_unlock(&ctx_lock);
	SSL_CTX_free(old);
	return 0;
}

/*
 * The current context, referenced: SSL_CTX_free it when done.  *gen, if
 * asked, tells it from earlier ones (a session made with another context
 * was made with other certificates).
 */
SSL_CTX *
fleet_ctx_get(unsigned long *gen)
{
	SSL_CTX *c;

	pthread_mutex_lock(&ctx_lock);
	c = cur_ctx;
	if (gen != NULL)
		*gen = cur_gen;
	if (c != NULL)
		SSL_CTX_up_ref(c);
	pthread_mutex_unlock(&ctx_lock);
	return c;
}

/* The current context's generation: a kept connection made with an
 * earlier one was made with other certificates, CA or CRL. */
unsigned long
fleet_ctx_gen(void)
{
	unsigned long g;

	pthread_mutex_lock(&ctx_lock);
	g = cur_gen;
	pthread_mutex_unlock(&ctx_lock);
	return g;
}

/* Starts fn(arg) on a detached thread of the fleet's stack size: 0, or -1. */
int
fleet_thread(void *(*fn)(void *), void *arg)
{
	pthread_attr_t at;
	pthread_t t;
	int r;

	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, THREAD_STACK);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	r = pthread_create(&t, &at, fn, arg);
	pthread_attr_destroy(&at);
	return r == 0 ? 0 : -1;
}

/*
 * Reads exactly n bytes from ssl, else from fd.  0, or -1; or 1 when
 * first is set and a TLS record came that held no data (a session ticket
 * after the handshake): nothing was read, the caller goes back to poll.
 * AUTO_RETRY is off (fleet_ctx_new) so that such a record cannot leave SSL_read
 * waiting for data while the other direction has frames to pass.
 */
static int
read_full(int fd, SSL *ssl, unsigned char *p, size_t n, int first)
{
	struct pollfd pf = { .fd = ssl != NULL ? SSL_get_fd(ssl) : fd,
	    .events = POLLIN };
	size_t want = n;
	ssize_t got;
	int r;

	while (n > 0) {
		if (ssl != NULL) {
			r = SSL_read(ssl, p, n > 16384 ? 16384 : (int)n);
			if (r <= 0 && SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ) {
				if (first && n == want)
					return 1;
				/* within a frame: more comes, or the deadline */
				if (poll(&pf, 1, FRAME_WAIT_MS) != 1)
					return -1;
				continue;
			}
			if (r <= 0)
				return -1;
			got = r;
		} else {
			got = recv(fd, p, n, 0);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/*
 * One whole frame into buf (SSPR_FRAME_MAX + 4 bytes): the length first,
 * within 2..SSPR_FRAME_MAX, then the body, which must decode.  *len is
 * the whole frame's size; *out, if asked, the decoded message (the caller
 * msg_wipes it).  Returns its type; FLEET_NONE when a TLS record
 * without data came instead (poll again); or -1: closed, timed out (the
 * socket's SO_RCVTIMEO), or not a frame.  An empty stream at a frame's
 * start is -1 with errno 0, so a caller can tell an end.
 */
int
fleet_read_frame(int fd, SSL *ssl, unsigned char *buf, uint32_t *len,
    struct msg *out)
{
	struct msg m;
	uint32_t n;
	int type, r;

	errno = 0;
	if ((r = read_full(fd, ssl, buf, 4, 1)) != 0)
		return r > 0 ? FLEET_NONE : -1;
	n = wire_peek_len(buf);
	if (n < 2 || n > SSPR_FRAME_MAX) {
		errno = EPROTO;
		return -1;
	}
	if (read_full(fd, ssl, buf + 4, n, 0) != 0) {
		errno = errno ? errno : EPROTO;
		return -1;
	}
	if (msg_decode(&m, buf + 4, n) != 0) {
		msg_wipe(&m);
		errno = EPROTO;
		return -1;
	}
	type = m.type;
	if (out != NULL)
		*out = m;
	msg_wipe(&m);
	*len = n + 4;
	return type;
}

int
fleet_write(int fd, SSL *ssl, const unsigned char *p, size_t n)
{
	ssize_t w;
	int r;

	while (n > 0) {
		if (ssl != NULL) {
			r = SSL_write(ssl, p, (int)n);
			if (r <= 0)
				return -1;
			w = r;
		} else {
			w = send(fd, p, n, MSG_NOSIGNAL);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * What a host may send on a module's behalf: the PAM protocol's
 * requests.  Never ADMIN (ssprctl is root on the reset server itself),
 * and HOST only first in a flow (fleet_server.c).
 */
int
fleet_request_type(uint16_t t)
{
	switch (t) {
	case SSPR_MSG_HELLO:
	case SSPR_MSG_START:
	case SSPR_MSG_ANSWER:
	case SSPR_MSG_NEW_PASSWORD:
	case SSPR_MSG_CANCEL:
	case SSPR_MSG_CHANGE:
	case SSPR_MSG_STATUS:
	case SSPR_MSG_REGISTER_STEP:
		return 1;
	default:
		return 0;
	}
}

/*
 * Answers after which the reset server's loop sends nothing more for
 * that flow (flow_last, flow_fail): a relay may then use the connection
 * for its next flow.
 */
int
fleet_last_type(int t)
{
	return t == SSPR_MSG_DONE || t == SSPR_MSG_FAIL ||
	    t == SSPR_MSG_ACCOUNT;
}

/*
 * Has cert (NULL: none) not yet ended?  TLS checks a certificate at a
 * full handshake only: a resumed session, or a connection kept between
 * flows, is checked here.
 */
int
fleet_cert_current(const X509 *cert)
{
	return cert != NULL &&
	    X509_cmp_current_time(X509_get0_notAfter(cert)) > 0;
}

/*
 * The next pointer a thread handed the loop through pipe fd (relay.c's
 * and fleet_server.c's hand-offs), or NULL when none is whole there.
 */
void *
fleet_ptr_take(int fd)
{
	void *p;

	if (fd < 0 || read(fd, &p, sizeof(p)) != (ssize_t)sizeof(p))
		return NULL;
	return p;
}
