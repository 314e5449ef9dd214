/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * frame.c: blocking frame I/O with a monotonic deadline.  It lives inside
 * other programs (login, sshd), so: poll() not select() (the host may hold
 * fds beyond FD_SETSIZE), MSG_NOSIGNAL, EINTR retried without losing
 * bytes, no signal handlers, no alarm().
 */
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <string.h>
#include <time.h>

#include "frame.h"
#include "wire.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
wait_for(int fd, short ev, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = ev };
	long long left;
	int r;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return FRAME_ERR_TIMEOUT;
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return FRAME_ERR_IO;
	}
}

static int
send_all(int fd, const unsigned char *p, size_t n, long long deadline)
{
	ssize_t w;
	int r;

	while (n > 0) {
		if ((r = wait_for(fd, POLLOUT, deadline)) != 0)
			return r;
		w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (w <= 0)
			return FRAME_ERR_IO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
recv_all(int fd, unsigned char *p, size_t n, long long deadline)
{
	ssize_t g;
	int r;

	while (n > 0) {
		if ((r = wait_for(fd, POLLIN, deadline)) != 0)
			return r;
		g = recv(fd, p, n, MSG_DONTWAIT);
		if (g < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (g <= 0)
			return FRAME_ERR_IO;
		p += g;
		n -= (size_t)g;
	}
	return 0;
}

/* Sends m within timeout_ms; the encoded copy is wiped either way. */
int
frame_send_msg(int fd, const struct msg *m, int timeout_ms)
{
	struct wire_wr wr;
	int r;

	if (msg_encode(m, &wr) != 0) {
		wire_wr_wipe(&wr);
		return FRAME_ERR_FORMAT;
	}
	r = send_all(fd, wr.buf, wr.len, now_ms() + timeout_ms);
	wire_wr_wipe(&wr);
	return r;
}

/*
 * Receives one frame into m within timeout_ms.  The length is checked
 * against the cap before the body is read into a fixed buffer.
 */
int
frame_recv_msg(int fd, struct msg *m, int timeout_ms)
{
	unsigned char buf[SSPR_FRAME_HDR + SSPR_FRAME_MAX];
	long long deadline = now_ms() + timeout_ms;
	uint32_t len;
	int r;

	if ((r = recv_all(fd, buf, 4, deadline)) != 0)
		return r;
	len = wire_peek_len(buf);
	if (len < 2 || len > SSPR_FRAME_MAX)
		return FRAME_ERR_FORMAT;
	if ((r = recv_all(fd, buf + 4, len, deadline)) != 0)
		goto out;
	r = msg_decode(m, buf + 4, len) == 0 ? 0 : FRAME_ERR_FORMAT;
out:
	explicit_bzero(buf, sizeof(buf));
	return r;
}

const char *
frame_strerror(int r)
{
	switch (r) {
	case 0:			return "success";
	case FRAME_ERR_IO:	return "connection closed or failed";
	case FRAME_ERR_TIMEOUT:	return "timed out";
	case FRAME_ERR_FORMAT:	return "malformed message";
	default:		return "unknown error";
	}
}
