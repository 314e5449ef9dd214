/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fleettls.c: the fleet's connections, made in one place for the relay,
 * the reset server and ssprctl --server: the TCP connect with its
 * timeouts, and the TLS settings: TLS 1.2 at least, the peer verified
 * against the fleet CA and, when given, its CRL; a server named by the
 * name dialled.  No log, no threads of its own: ssprctl links it.
 *
 * Statics: refused_subject, thread-local.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "fleet.h"

#define FLEET_TICKET_S	300

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
 * A context from c's [fleet] files: a server's (it asks each client for
 * a certificate) or a client's (the relay, ssprctl --server).  NULL with
 * err when a file does not load.
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
	SSL_CTX_clear_mode(ctx, SSL_MODE_AUTO_RETRY);	/* see fleet.c, read_full */
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

/*
 * The server's certificate must name host (a DNS name, or an IP address
 * in its SAN), sent as SNI too.  0, or -1: then the connection must not
 * go on, as it would take any certificate of the fleet CA.
 */
int
fleet_name_peer(SSL *ssl, const char *host)
{
	unsigned char tmp[16];

	if (inet_pton(AF_INET, host, tmp) == 1 ||
	    inet_pton(AF_INET6, host, tmp) == 1)
		return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
		    host) == 1 ? 0 : -1;
	return SSL_set_tlsext_host_name(ssl, host) == 1 &&
	    SSL_set1_host(ssl, host) == 1 ? 0 : -1;
}

/*
 * Each read and each write on fd within seconds (SO_RCVTIMEO,
 * SO_SNDTIMEO).  On TCP, no Nagle: every write is a whole frame that the
 * other side waits for, and a small one held back behind an unanswered
 * one (HOST, then HELLO) waits for a delayed ACK, 40 ms.
 */
void
fleet_timeouts(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };
	int one = 1;

	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
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

/*
 * A connection's TLS on fd, for a bridge or relay thread first and the
 * event loop after it: the loop's non-blocking writes may be partial and
 * are retried from a moved buffer, and a record comes in one read(), not
 * two (read-ahead: what OpenSSL holds beyond it is seen by
 * SSL_has_pending, never by SSL_pending).  NULL: out of memory.
 */
SSL *
fleet_ssl_new(SSL_CTX *ctx, int fd)
{
	SSL *ssl = SSL_new(ctx);

	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_set_read_ahead(ssl, 1);
	return ssl;
}
