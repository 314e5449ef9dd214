/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_frame: the input is a byte stream as a peer would send it (u32
 * length, u16 type, body, the next frame...).  It goes through a socket
 * pair into frame_recv_msg, the blocking reader of proto/frame.c, whose
 * every result is checked against a model of the framing rules: fewer
 * than 4 bytes or a cut-off body is a closed connection, a length
 * outside 2..SSPR_FRAME_MAX or a bad body is a format error.  Each
 * message read is sent back with frame_send_msg; what comes back must be
 * exactly the bytes that were read.
 *
 * The daemon reads frames incrementally inside its event loop
 * (server.c, read_some) with the same length rule; that code is not
 * reachable without the loop and is covered by t_protocol.sh instead.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "frame.h"
#include "fuzz.h"
#include "wire.h"

#define STREAM_MAX	(32 * 1024)	/* fits a socket buffer: no blocking */
#define WAIT_MS		5000		/* the peer has closed: never waited */

static void
send_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		FUZZ_ASSERT(w > 0);
		p += w;
		n -= (size_t)w;
	}
}

/* What frame_recv_msg must return for the stream at data + off. */
static int
expected(const uint8_t *data, size_t size, size_t off, struct msg *m)
{
	size_t rest = size - off;
	uint32_t len;

	memset(m, 0, sizeof(*m));
	if (rest < 4)
		return FRAME_ERR_IO;
	len = wire_peek_len(data + off);
	if (len < 2 || len > SSPR_FRAME_MAX)
		return FRAME_ERR_FORMAT;
	if (len > rest - 4)
		return FRAME_ERR_IO;
	return msg_decode(m, data + off + 4, len) == 0 ? 0 : FRAME_ERR_FORMAT;
}

/*
 * The echo, read as it comes: many small frames would fill the socket
 * buffer long before their bytes do, and the next send would wait.
 */
static uint8_t echo[STREAM_MAX + 1];
static size_t echo_len;

static void
drain(int fd, int flags)
{
	ssize_t r;

	while ((r = recv(fd, echo + echo_len, sizeof(echo) - echo_len,
	    flags)) > 0)
		echo_len += (size_t)r;
	FUZZ_ASSERT(r == 0 || (flags != 0 && errno == EAGAIN));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msg m, ref;
	size_t off = 0;
	int sv[2], r, want;

	if (size > STREAM_MAX)
		return 0;
	echo_len = 0;
	FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    sv) == 0);
	send_all(sv[0], data, size);
	FUZZ_ASSERT(shutdown(sv[0], SHUT_WR) == 0);
	for (;;) {
		want = expected(data, size, off, &ref);
		r = frame_recv_msg(sv[1], &m, WAIT_MS);
		FUZZ_ASSERT(r == want);
		if (r != 0)
			break;
		FUZZ_ASSERT(memcmp(&m, &ref, sizeof(m)) == 0);
		FUZZ_ASSERT(frame_send_msg(sv[1], &m, WAIT_MS) == 0);
		drain(sv[0], MSG_DONTWAIT);
		off += 4 + wire_peek_len(data + off);
		msg_wipe(&m);
		msg_wipe(&ref);
	}
	FUZZ_ASSERT(shutdown(sv[1], SHUT_WR) == 0);
	drain(sv[0], 0);
	FUZZ_ASSERT(echo_len == off && memcmp(echo, data, off) == 0);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
