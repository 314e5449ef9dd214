/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hostcache.c: after a reset, the host's own credential cache (SSSD)
 * learns the new password at once.
 *
 * With cache_credentials, SSSD keeps a hash of the last password that
 * authenticated online and checks against it while it is offline; after
 * an outage it stays offline until its next retry (offline_timeout, 60 s
 * and more).  Left alone, the reset password fails on this host while
 * SSSD is offline and the old one works.  SSSD replaces the hash on an
 * online authentication, so the module makes one: the new password
 * through pam_sss, in a PAM transaction of its own on the service
 * sspr-sss.  When that fails, SSSD is told to go online (SIGUSR2,
 * sssd(8)), which takes it about a second, and the authentication is
 * tried again for a few seconds.  The daemon cannot do this: it runs
 * unprivileged, and SSSD's PAM path is the host's, not the directory's.
 *
 * Hosts without SSSD (no pid file) are left alone.  A failure changes
 * nothing for the person: it is logged, and the reset stands.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_appl.h>
#include <security/pam_ext.h>

#include "hostcache.h"

#define TRY_INTERVAL_MS	250
#define TRY_FOR_MS	5000

/* The start of a small file into buf, NUL-terminated; its length or -1. */
static ssize_t
read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	do
		n = read(fd, buf, size - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* The running sssd's pid, or 0: the pid file names a live "sssd". */
static pid_t
sssd_pid(void)
{
	char buf[32], path[32], *end;
	long pid;

	if (read_small(HOSTCACHE_PIDFILE, buf, sizeof(buf)) <= 0)
		return 0;
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || pid <= 1 || pid > INT32_MAX)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return 0;
	return strcmp(buf, "sssd\n") == 0 ? (pid_t)pid : 0;
}

/* pam_sss asks for the password once; everything else is dropped. */
static int
answer(int n, const struct pam_message **msg, struct pam_response **resp,
    void *data)
{
	struct pam_response *r;
	size_t len = strlen(data);
	int i;

	r = calloc(n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF)
			continue;
		/* the caller frees it: malloc's family, not ours */
		r[i].resp = calloc(1, len + 1);
		if (r[i].resp == NULL)
			goto fail;
		memcpy(r[i].resp, data, len);
	}
	*resp = r;
	return PAM_SUCCESS;
fail:
	for (i = 0; i < n; i++) {
		if (r[i].resp != NULL) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	}
	free(r);
	return PAM_CONV_ERR;
}

static int
authenticate(const char *user, const char *password)
{
	struct pam_conv conv = { answer, (void *)password };
	pam_handle_t *h = NULL;
	int r;

	r = pam_start(HOSTCACHE_SERVICE, user, &conv, &h);
	if (r != PAM_SUCCESS)
		return r;
	r = pam_authenticate(h, PAM_SILENT);
	pam_end(h, r);
	return r;
}

void
hostcache_refresh(pam_handle_t *pamh, const char *user, const char *password)
{
	pid_t pid;
	int r, waited;

	pid = sssd_pid();
	if (pid == 0)
		return;
	r = authenticate(user, password);
	if (r == PAM_SUCCESS)
		return;
	/* Offline, most likely: SSSD has not noticed the directory is back. */
	if (kill(pid, SIGUSR2) == -1) {
		pam_syslog(pamh, LOG_WARNING, "cannot tell sssd to go online: "
		    "%m");
		return;
	}
	for (waited = 0; waited < TRY_FOR_MS; waited += TRY_INTERVAL_MS) {
		(void)poll(NULL, 0, TRY_INTERVAL_MS);
		r = authenticate(user, password);
		if (r == PAM_SUCCESS)
			return;
	}
	pam_syslog(pamh, LOG_WARNING, "SSSD did not take the new password of "
	    "%s (%s): while it is offline, this host may accept the old one",
	    user, pam_strerror(pamh, r));
}
