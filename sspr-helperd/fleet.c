/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fleet.c: what the relay and the reset server share: the TLS context
 * (TLS 1.2 at least, the peer verified against the fleet CA and, when
 * given, its CRL, both ways), rebuilt on reload, and whole frames read
 * from a socket or a TLS stream through the one parser (msg_decode)
 * before anything is forwarded.
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

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "fleet.h"
#include "log.h"
#include "msg.h"
#include "wire.h"

#define FLEET_TICKET_S	300
#define FRAME_WAIT_MS	5000	/* the rest of a frame begun */
#define THREAD_STACK	(256 * 1024)

static pthread_mutex_t	 ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static SSL_CTX		*cur_ctx;
static unsigned long	 cur_gen;	/* counts contexts: see relay.c */
static __thread char	 refused_subject[256];	/* see fleet_refused_subject */

/*
 * OpenSSL forgets the peer's certificate when the handshake fails; the
 * subject of the one refused is kept for the log line.
 */
static int
verify_cb(int ok, X509_STORE_CTX *x)
{
	X509 *cert = X509_STORE_CTX_get_current_cert(x);

	if (!ok && cert != NULL && refused_subject[0] == '\0')
		X509_NAME_oneline(X509_get_subject_name(cert), refused_subject,
		    sizeof(refused_subject));
	return ok;
}

/* The refused certificate's subject in this thread, and forgets it. */
void
fleet_refused_subject(char *buf, size_t size)
{
	snprintf(buf, size, "%s", refused_subject[0] ? refused_subject :
	    "(none)");
	refused_subject[0] = '\0';
}

/* The first queued OpenSSL error as text, and the queue emptied. */
void
fleet_tls_error(char *buf, size_t size)
{
	unsigned long e = ERR_get_error();

	if (e == 0)
		snprintf(buf, size, "connection closed or timed out");
	else
		ERR_error_string_n(e, buf, size);
	ERR_clear_error();
}

static int
load_crl(SSL_CTX *ctx, const char *path, char *err, size_t errsize)
{
	X509_STORE *st = SSL_CTX_get_cert_store(ctx);
	X509_LOOKUP *lu = X509_STORE_add_lookup(st, X509_LOOKUP_file());

	if (lu == NULL || X509_load_crl_file(lu, path, X509_FILETYPE_PEM) <= 0) {
		snprintf(err, errsize, "[fleet] crl_file %s: cannot be read "
		    "as a PEM CRL", path);
		return -1;
	}
	X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK);
	return 0;
}

/*
 * A context from c's [fleet] files, a reset server's (server) or a
 * client's (a relay, ssprctl --server): NULL with err.
 */
SSL_CTX *
fleet_ctx_new(const struct cfg *c, int server, char *err, size_t errsize)
{
	SSL_CTX *ctx;
	char why[256];

	ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (ctx == NULL) {
		snprintf(err, errsize, "TLS: out of memory");
		return NULL;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_clear_mode(ctx, SSL_MODE_AUTO_RETRY);	/* see read_full */
	/*
	 * A relay resumes its session (relay.c) instead of a full handshake
	 * per flow.  A ticket lives FLEET_TICKET_S, and a new context (every
	 * reload, so every new CRL) has new ticket keys: a revoked host's
	 * tickets die with the reload that revokes it.
	 */
	SSL_CTX_set_num_tickets(ctx, server ? 1 : 0);
	SSL_CTX_set_timeout(ctx, FLEET_TICKET_S);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"sspr-fleet",
	    10);
	if (SSL_CTX_use_certificate_chain_file(ctx, c->fleet_cert) != 1) {
		fleet_tls_error(why, sizeof(why));
		snprintf(err, errsize, "[fleet] cert_file %s: %s",
		    c->fleet_cert, why);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, c->fleet_key,
	    SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
		fleet_tls_error(why, sizeof(why));
		snprintf(err, errsize, "[fleet] key_file %s: %s", c->fleet_key,
		    why);
		goto fail;
	}
	if (SSL_CTX_load_verify_locations(ctx, c->fleet_ca, NULL) != 1) {
		fleet_tls_error(why, sizeof(why));
		snprintf(err, errsize, "[fleet] ca_file %s: %s", c->fleet_ca,
		    why);
		goto fail;
	}
	if (*c->fleet_crl != '\0' &&
	    load_crl(ctx, c->fleet_crl, err, errsize) != 0)
		goto fail;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER |
	    (server ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0), verify_cb);
	SSL_CTX_set_verify_depth(ctx, 4);
	if (server)
		SSL_CTX_set_client_CA_list(ctx,
		    SSL_load_client_CA_file(c->fleet_ca));
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

/* A TCP connection to host:port within seconds, or -1 with why. */
int
fleet_connect(const char *host, const char *port, int seconds, char *why,
    size_t size)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res = NULL, *ai;
	struct pollfd pf;
	socklen_t len;
	int fd = -1, err = 0, r;

	if ((r = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(why, size, "%s", gai_strerror(r));
		return -1;
	}
	snprintf(why, size, "no address");
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0 &&
		    errno == EINPROGRESS) {
			pf.fd = fd;
			pf.events = POLLOUT;
			len = sizeof(err);
			if (poll(&pf, 1, seconds * 1000) != 1)
				err = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &len) != 0)
				err = errno;
		} else
			err = errno;
		if (err == 0 && fcntl(fd, F_SETFL, 0) == 0)
			break;
		snprintf(why, size, "%s", strerror(err ? err : errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd >= 0)
		fleet_timeouts(fd, seconds);
	return fd;
}

/* The server ssl is to reach must be host (a name, or an address). */
void
fleet_peer_name(SSL *ssl, const char *host)
{
	unsigned char tmp[16];

	if (inet_pton(AF_INET, host, tmp) == 1 ||
	    inet_pton(AF_INET6, host, tmp) == 1)
		X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host);
	else {
		SSL_set_tlsext_host_name(ssl, host);
		SSL_set1_host(ssl, host);
	}
}

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

/* Each read and each write on fd within seconds (SO_RCVTIMEO, SO_SNDTIMEO). */
void
fleet_timeouts(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/*
 * Reads exactly n bytes from ssl, else from fd.  0, or -1; or 1 when
 * first is set and a TLS record came that held no data (a session ticket
 * after the handshake): nothing was read, the caller goes back to poll.
 * AUTO_RETRY is off (ctx_new) so that such a record cannot leave SSL_read
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
 * requests.  Never ADMIN (ssprctl is root on the reset server itself)
 * and never a second HOST.
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
