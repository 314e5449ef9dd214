/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c: sspr-helperd's start and stop.  Reads the configuration, makes
 * the process undumpable, opens the socket (or takes it from systemd),
 * starts the worker pools and runs the event loop until SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <curl/curl.h>

#include "audit.h"
#include "cfg.h"
#include "code.h"
#include "dir.h"
#include "families.h"
#include "fleet.h"
#include "flow.h"
#include "log.h"
#include "pool.h"
#include "preflight.h"
#include "server.h"
#include "state.h"
#include "throttle.h"
#include "work.h"

#ifndef SSPR_VERSION
#define SSPR_VERSION "unknown"
#endif

#define WORKER_STACK	(256 * 1024)	/* libldap + TLS need room */

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: sspr-helperd --config FILE [--foreground] "
	    "[--version]\n"
	    "       sspr-helperd --config FILE --check [--online "
	    "[--probe-user NAME] [--test-mail ADDRESS]]\n");
}

/*
 * Secrets must not end up in a core file or be read through ptrace by
 * another process of the same user.  M_PERTURB makes glibc overwrite
 * every freed block, so copies that libraries made of a password or a
 * code (libldap's BER buffers, libcurl's upload buffer) do not linger in
 * freed memory (libldap does not wipe them: OpenLDAP ITS#8474).  Blocks
 * up to 1 KiB go to glibc's per-thread cache unperturbed, unless the
 * tunable glibc.malloc.tcache_count=0 is set, as the systemd unit does.
 */
static void
harden(void)
{
	struct rlimit rl = { 0, 0 };

	mallopt(M_PERTURB, 0x5a);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	setrlimit(RLIMIT_CORE, &rl);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	umask(077);
}

/*
 * May libcurl (and through it OpenSSL) be set up by the first mail rather
 * than here?  Most hosts send none between restarts, and that set-up is
 * about 2 MiB of an idle daemon's 10.  Only a libcurl whose global set-up
 * is thread-safe allows it (7.84.0 and later, built so): it then sets
 * itself up in curl_easy_init() on a mail worker.
 */
static int
curl_lazy(void)
{
#ifdef CURL_VERSION_THREADSAFE
	return (curl_version_info(CURLVERSION_NOW)->features &
	    CURL_VERSION_THREADSAFE) != 0;
#else
	return 0;
#endif
}

/* systemd socket activation (sd_listen_fds(3)), without libsystemd. */
static int
inherited_socket(void)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");

	int listening = 0, type = 0, fl;
	socklen_t len = sizeof(int);

	if (pid == NULL || fds == NULL || atol(pid) != (long)getpid() ||
	    atoi(fds) != 1)
		return -1;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (getsockopt(3, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 ||
	    getsockopt(3, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
	    !listening || type != SOCK_STREAM) {
		log_msg(LOG_ERR, "the socket systemd passed is not a "
		    "listening stream socket");
		return -1;
	}
	/* the event loop accepts until EAGAIN: the socket must not block */
	if ((fl = fcntl(3, F_GETFL)) < 0 ||
	    fcntl(3, F_SETFL, fl | O_NONBLOCK) != 0 ||
	    fcntl(3, F_SETFD, FD_CLOEXEC) != 0)
		return -1;
	return 3;
}

/*
 * Binds path.  A stale socket from a crashed run is replaced; a live one
 * (another daemon answering) or anything that is not a socket is not.
 */
static int
open_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_msg(LOG_ERR, "socket path too long: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (lstat(path, &st) == 0) {
		int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (!S_ISSOCK(st.st_mode) || (probe >= 0 &&
		    connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0)) {
			log_msg(LOG_ERR, "%s: %s", path, S_ISSOCK(st.st_mode) ?
			    "another daemon is listening there" :
			    "exists and is not a socket");
			close(probe);
			close(fd);
			return -1;
		}
		close(probe);
		unlink(path);
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(path, 0666) != 0 || listen(fd, SOMAXCONN) != 0) {
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void *
dir_ctx_new(void)
{
	return dconn_new();
}

static void
dir_ctx_free(void *p)
{
	dconn_free(p);
}

static int
dir_ctx_idle(void *p, int idle)
{
	return dconn_idle(p, idle);
}

static const struct pool_ctx dir_ctx = {
	dir_ctx_new, dir_ctx_free, dir_ctx_idle
};

static int
check_only(struct cfg *c, const struct preflight *p)
{
	cfg_print(c, stdout);
	fprintf(stderr, "%s: configuration OK\n", c->path);
	if (c->role != ROLE_LOCAL)
		fprintf(stderr, "%s: [fleet] certificate, key, CA%s load\n",
		    c->path, *c->fleet_crl ? " and CRL" : "");
	fflush(stderr);
	if (c->role == ROLE_RELAY)	/* it reaches no directory or mail */
		return 0;
	if (c->role == ROLE_SERVER && fleet_check_listen(c) != 0)
		return 1;
	return preflight_run(c, p);
}

/* A relay: the local socket and the relay threads, nothing else. */
static int
run_relay(struct cfg *c, int lfd, const char *where)
{
	int i;
	char servers[512] = "";

	if (pool_done_init() != 0 || relay_init() != 0) {
		log_msg(LOG_ERR, "cannot start the relay");
		return 1;
	}
	server_relay_ops(relay_loop_ops());
	for (i = 0; i < c->fleet_servers.n; i++)
		snprintf(servers + strlen(servers), sizeof(servers) -
		    strlen(servers), "%s%s", i ? " " : "",
		    c->fleet_servers.item[i]);
	audit_configure(c);
	log_msg(LOG_INFO, "sspr-helperd %s ready on %s (relay to %s)",
	    SSPR_VERSION, where, servers);
	i = server_run(c, lfd) == 0 ? 0 : 1;
	server_close_all();	/* the flows the loop forwards end here */
	relay_stop(3);
	return i;
}

/*
 * The signals the loop handles (through signalfd) are blocked before any
 * thread starts, so no thread can be killed by one.
 */
static void
block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static int
run(struct cfg *c)
{
	struct pool *dirp = NULL, *mailp = NULL;
	int lfd = -1, created = 0, r = 1, listens = 0;
	const char *where;
	char err[512], *sock = NULL;

	block_signals();
	if (c->role == ROLE_RELAY) {
		if ((lfd = inherited_socket()) < 0) {
			if ((lfd = open_socket(c->socket)) < 0)
				return 1;
			created = 1;
			if ((sock = strdup(c->socket)) == NULL)
				goto out;
		}
		r = run_relay(c, lfd, created ? c->socket :
		    "the socket systemd passed");
		goto out;
	}
	dir_store_resolve(c);
	if (state_open(c->state_file, throttle_horizon(c), err, sizeof(err)) != 0) {
		log_msg(LOG_ERR, "%s: [throttle] state_file: %s", c->path, err);
		return 1;
	}
	/* c may be replaced by a reload: keep what we must clean up */
	if ((sock = strdup(c->socket)) == NULL)
		goto out;
	where = sock;
	if ((lfd = inherited_socket()) < 0) {
		if ((lfd = open_socket(sock)) < 0)
			goto out;
		created = 1;
	} else
		where = "the socket systemd passed";
	if (pool_done_init() != 0 ||
	    (dirp = pool_new("directory", c->dir_connections, &dir_ctx,
	    WORKER_STACK)) == NULL ||
	    (mailp = pool_new("mail", c->mail_workers, NULL,
	    WORKER_STACK)) == NULL) {
		log_msg(LOG_ERR, "cannot start worker threads");
		goto out;
	}
	work_set_pools(dirp, mailp);
	reset_family_init();
	register_family_init();
	account_family_init();
	admin_family_init();
	audit_configure(c);
	if (c->role == ROLE_SERVER && fleet_server_start(c) != 0)
		goto out;
	log_msg(LOG_INFO, "sspr-helperd %s ready on %s (directory %s, mail %s%s%s)",
	    SSPR_VERSION, where, c->uris[0], c->smtp_url,
	    c->role == ROLE_SERVER ? ", hosts on " : "",
	    c->role == ROLE_SERVER ? c->fleet_listen : "");
	listens = c->role == ROLE_SERVER;	/* c may be gone after a reload */
	r = server_run(c, lfd) == 0 ? 0 : 1;
	server_close_all();
	if (listens)
		fleet_server_stop(3);
out:
	/* directory work first: its completions may still hand on mail */
	pool_free(dirp);
	if (pool_done_fd() >= 0)
		pool_drain();
	pool_free(mailp);
	if (lfd >= 0)
		server_finish(lfd);
	state_close();
	audit_close();
	if (created)
		unlink(sock);
	free(sock);
	log_msg(LOG_INFO, "stopped");
	return r;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'k' },
		{ "online", no_argument, NULL, 'o' },
		{ "probe-user", required_argument, NULL, 'p' },
		{ "test-mail", required_argument, NULL, 't' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct preflight pf = { 0 };
	const char *path = NULL;
	int foreground = 0, check = 0, ch, r;
	struct cfg *c;
	char err[1024];

	while ((ch = getopt_long(argc, argv, "c:fkop:t:Vh", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'f': foreground = 1; break;
		case 'k': check = 1; break;
		case 'o': pf.online = 1; break;
		case 'p': pf.probe_user = optarg; break;
		case 't': pf.test_mail = optarg; break;
		case 'V': printf("sspr-helperd %s\n", SSPR_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (path == NULL || optind != argc || (!check && (pf.online ||
	    pf.probe_user || pf.test_mail)) || (!pf.online && (pf.probe_user ||
	    pf.test_mail))) {
		usage(stderr);
		return 2;
	}
	harden();
	log_init("sspr-helperd", foreground || check, 0);
	openldap_dialect_init();
	ad_dialect_init();
	ds389_dialect_init();
	if ((c = server_cfg_load(path, err, sizeof(err))) == NULL) {
		if (check)
			fprintf(stderr, "%s\n", err);
		else
			log_msg(LOG_ERR, "%s", err);
		return 1;
	}
	log_set_debug(c->debug);
	if (fleet_tls_load(c, err, sizeof(err)) != 0) {
		if (check)
			fprintf(stderr, "%s: %s\n", path, err);
		else
			log_msg(LOG_ERR, "%s: %s", path, err);
		cfg_unref(c);
		return 1;
	}
	if (check && pf.online &&
	    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "cannot initialise libcurl\n");
		cfg_unref(c);
		return 1;
	}
	if (check) {
		r = check_only(c, &pf);
		if (pf.online)
			curl_global_cleanup();
		cfg_unref(c);
		return r;
	}
	if (!curl_lazy() && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		log_msg(LOG_ERR, "cannot initialise libcurl");
		cfg_unref(c);
		return 1;
	}
	r = run(c);
	cfg_unref(server_cfg() ? server_cfg() : c);
	curl_global_cleanup();
	return r;
}
