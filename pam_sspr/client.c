/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * client.c: connecting to sspr-helperd from inside login, sshd or a
 * screen locker.  Both ends are checked, as SSSD does: the socket must sit
 * in a directory only its owner can change, and the process answering
 * must run as root or as the daemon user, so a local user cannot pose as
 * the daemon and collect codes or passwords.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "frame.h"

/* The daemon user, looked up at most once per connection. */
struct daemon_id {
	const char	*name;
	uid_t		 uid;
	int		 state;		/* 0 not yet, 1 known, -1 none */
};

static int
trusted_uid(uid_t uid, struct daemon_id *d)
{
	struct passwd pw, *res = NULL;
	char buf[4096];		/* 1 KiB can be too small: ERANGE, "no such user" */

	if (uid == 0)
		return 1;
	if (d->state == 0) {
		d->state = getpwnam_r(d->name, &pw, buf, sizeof(buf), &res) ==
		    0 && res != NULL ? 1 : -1;
		if (d->state == 1)
			d->uid = pw.pw_uid;
	}
	return d->state == 1 && d->uid == uid;
}

/* dirname(3) in place, for an absolute or relative path. */
static const char *
parent_dir(char *path)
{
	char *slash = NULL, *p;

	for (p = path; *p != '\0'; p++)
		if (*p == '/' && p[1] != '\0' && p[1] != '/')
			slash = p;
	if (slash == NULL)
		return path[0] == '/' ? "/" : ".";
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		return "/";
	*slash = '\0';
	return path;
}

static int
path_safe(const char *path, struct daemon_id *d, char *why, size_t wsz)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct stat st;

	/* fstatat as lstat and stat: one import (Makefile, MOD_LDFLAGS) */
	if (fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		snprintf(why, wsz, "%s: %m", path);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, wsz, "%s is not a socket", path);
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if (fstatat(AT_FDCWD, parent_dir(dir), &st, 0) != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0 ||
	    !trusted_uid(st.st_uid, d)) {
		snprintf(why, wsz, "the directory of %s may be changed by "
		    "others", path);
		return -1;
	}
	return 0;
}

/*
 * A busy daemon's full listen queue makes a non-blocking AF_UNIX connect
 * fail with EAGAIN, with nothing in progress: it is tried again until
 * timeout_ms, not taken for a connection.
 */
static int
connect_within(int fd, const struct sockaddr_un *sa, int timeout_ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int err = 0, waited = 0;

	for (;;) {
		if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return 0;
		if (errno == EINPROGRESS)
			break;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN || waited >= timeout_ms)
			return -1;
		(void)poll(NULL, 0, 50);
		waited += 50;
	}
	if (poll(&pfd, 1, timeout_ms) != 1 ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err) {
		errno = err ? err : ETIMEDOUT;
		return -1;
	}
	return 0;
}

/* Returns a connected, checked socket, or -1 with why filled in. */
int
client_open(const struct sspr_args *a, char *why, size_t wsz)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct daemon_id d = { .name = a->daemon_user };
	struct ucred cred = { .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
	socklen_t len = sizeof(cred);
	int fd;

	if (strlen(a->socket) >= sizeof(sa.sun_path)) {
		snprintf(why, wsz, "socket path too long");
		return -1;
	}
	if (path_safe(a->socket, &d, why, wsz) != 0)
		return -1;
	memcpy(sa.sun_path, a->socket, strlen(a->socket) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(why, wsz, "socket: %m");
		return -1;
	}
	if (connect_within(fd, &sa, 5000) != 0) {
		snprintf(why, wsz, "connect %s: %m", a->socket);
		close(fd);
		return -1;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
	    !trusted_uid(cred.uid, &d)) {
		snprintf(why, wsz, "%s is served by uid %u, neither root nor "
		    "%s", a->socket, (unsigned)cred.uid, a->daemon_user);
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Sends req (if not NULL) and waits up to timeout_ms for one answer.
 */
int
client_call(int fd, int timeout_ms, const struct msg *req, struct msg *ans,
    char *why, size_t wsz)
{
	int r, sent = 0;

	/*
	 * A daemon that refuses us answers FAIL and closes before reading:
	 * after a failed send, the answer may still be there to read.
	 */
	if (req != NULL && (sent = frame_send_msg(fd, req, 10000)) != 0 &&
	    sent != FRAME_ERR_IO) {
		snprintf(why, wsz, "sending: %s", frame_strerror(sent));
		return -1;
	}
	r = frame_recv_msg(fd, ans, sent ? 1000 : timeout_ms);
	if (r != 0) {
		snprintf(why, wsz, "%s: %s", sent ? "sending" : "receiving",
		    frame_strerror(sent ? sent : r));
		return -1;
	}
	return 0;
}
