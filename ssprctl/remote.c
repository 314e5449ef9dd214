/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * remote.c: ssprctl --server NAME:PORT: the same requests to a reset
 * server over TLS, with this host's [fleet] certificate, as root of a
 * host the server names in its admin_hosts.  A child process carries the
 * bytes between TLS and a socketpair, so the rest of ssprctl talks to a
 * plain socket exactly as to a local daemon.
 */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "cfg.h"
#include "fleet.h"
#include "msg.h"
#include "remote.h"
#include "wire.h"

#define REMOTE_TIMEOUT_S	10

static int
dial(const char *host, const char *port)
{
	char why[256];
	int fd = fleet_connect(host, port, REMOTE_TIMEOUT_S, why, sizeof(why));

	if (fd < 0)
		fprintf(stderr, "ssprctl: %s:%s: cannot connect: %s\n", host,
		    port, why);
	return fd;
}

/* The relay's client context (fleet.c): its CRL and limits too. */
static SSL_CTX *
ctx_new(const struct cfg *c)
{
	char err[512];
	SSL_CTX *ctx = fleet_ctx_new(c, 0, err, sizeof(err));

	if (ctx == NULL)
		fprintf(stderr, "ssprctl: %s: %s\n", c->path, err);
	return ctx;
}

/* Bytes both ways until either side ends; in the child. */
static void
carry(SSL *ssl, int tfd, int sfd)
{
	unsigned char buf[SSPR_FRAME_MAX + 4];
	struct pollfd pf[2] = { { .fd = tfd, .events = POLLIN },
	    { .fd = sfd, .events = POLLIN } };
	ssize_t n;
	int r;

	for (;;) {
		pf[0].revents = pf[1].revents = 0;
		if (SSL_pending(ssl) == 0 && poll(pf, 2, -1) < 0)
			break;
		if (SSL_pending(ssl) > 0 || pf[0].revents != 0) {
			r = SSL_read(ssl, buf, sizeof(buf));
			if (r <= 0 && SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ)
				continue;	/* a session ticket: no data */
			if (r <= 0 || send(sfd, buf, (size_t)r, MSG_NOSIGNAL) != r)
				break;
		}
		if (pf[1].revents != 0) {
			if ((n = recv(sfd, buf, sizeof(buf), 0)) <= 0 ||
			    SSL_write(ssl, buf, (int)n) != (int)n)
				break;
		}
	}
	/* an admin answer may have carried recovery codes */
	explicit_bzero(buf, sizeof(buf));
}

/*
 * A socket that reaches the reset server at spec as root of this host,
 * or -1 (said on stderr).
 */
int
remote_dial(const struct cfg *c, const char *spec)
{
	struct msg m = { .type = SSPR_MSG_HOST };
	const char *port;
	char host[301];
	struct wire_wr wr;
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	int fd = -1, sv[2] = { -1, -1 }, ok = 0;
	pid_t pid;

	if (cfg_hostport(spec, host, sizeof(host), &port) != 0 ||
	    *c->fleet_cert == '\0' || *c->fleet_ca == '\0') {
		fprintf(stderr, "ssprctl: --server needs NAME:PORT, and "
		    "[fleet] cert_file, key_file and ca_file in %s\n", c->path);
		return -1;
	}
	if ((ctx = ctx_new(c)) == NULL ||
	    (fd = dial(host, port)) < 0 ||
	    (ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, fd) != 1)
		goto out;
	if (fleet_name_peer(ssl, host) != 0) {
		fprintf(stderr, "ssprctl: %s: TLS: cannot check the name %s\n",
		    spec, host);
		goto out;
	}
	if (SSL_connect(ssl) != 1) {
		fprintf(stderr, "ssprctl: %s: TLS: %s\n", spec,
		    SSL_get_verify_result(ssl) != X509_V_OK ?
		    X509_verify_cert_error_string(SSL_get_verify_result(ssl)) :
		    ERR_reason_error_string(ERR_get_error()));
		goto out;
	}
	m.u.host.caller = SSPR_CALLER_ROOT;
	if (msg_encode(&m, &wr) != 0 || SSL_write(ssl, wr.buf, (int)wr.len) !=
	    (int)wr.len) {
		wire_wr_wipe(&wr);
		fprintf(stderr, "ssprctl: %s: closed\n", spec);
		goto out;
	}
	wire_wr_wipe(&wr);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
	    (pid = fork()) < 0)
		goto out;
	if (pid == 0) {
		close(sv[0]);
		carry(ssl, fd, sv[1]);
		SSL_shutdown(ssl);
		_exit(0);
	}
	ok = 1;
out:
	/* the child has the TLS session now: no close_notify from here */
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	if (sv[1] >= 0)
		close(sv[1]);
	if (!ok && sv[0] >= 0)
		close(sv[0]);
	return ok ? sv[0] : -1;
}
