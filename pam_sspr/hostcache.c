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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>
#include <security/pam_ext.h>

#include "hostcache.h"

#define TRY_INTERVAL_MS	250
#define TRY_FOR_MS	5000

/* The running sssd's pid, or 0: the pid file names a live "sssd". */
static pid_t
sssd_pid(void)
{
	char path[64], comm[32];
	FILE *f;
	long pid = 0;

	f = fopen(HOSTCACHE_PIDFILE, "re");
	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld", &pid) != 1 || pid <= 1)
		pid = 0;
	fclose(f);
	if (pid == 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	if (fgets(comm, sizeof(comm), f) == NULL)
		comm[0] = '\0';
	fclose(f);
	return strcmp(comm, "sssd\n") == 0 ? (pid_t)pid : 0;
}

/* pam_sss asks for the password once; everything else is dropped. */
static int
answer(int n, const struct pam_message **msg, struct pam_response **resp,
    void *data)
{
	struct pam_response *r;
	int i;

	r = calloc(n, sizeof(*r));
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_PROMPT_ECHO_OFF)
			continue;
		r[i].resp = strdup(data);
		if (r[i].resp == NULL)
			goto fail;
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
	struct timespec pause = { 0, TRY_INTERVAL_MS * 1000000L };
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
		    "%s", strerror(errno));
		return;
	}
	for (waited = 0; waited < TRY_FOR_MS; waited += TRY_INTERVAL_MS) {
		nanosleep(&pause, NULL);
		r = authenticate(user, password);
		if (r == PAM_SUCCESS)
			return;
	}
	pam_syslog(pamh, LOG_WARNING, "SSSD did not take the new password of "
	    "%s (%s): while it is offline, this host may accept the old one",
	    user, pam_strerror(pamh, r));
}
