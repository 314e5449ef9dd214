/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * chaos: callers that misbehave at every point of every flow, against a
 * running daemon.  Each round opens one connection and does a random
 * walk of protocol messages (right, wrong and out of order) mixed with
 * socket faults: it stops reading (shutdown SHUT_RD) before the daemon
 * answers, half-closes, sends half a frame, resets the connection, or
 * simply vanishes.  After every fault the daemon must still answer a
 * fresh HELLO; under ASan any use of freed memory aborts it.
 *
 *   chaos SOCKET SEED ROUNDS|-SECONDS [rhost] USER...
 *
 * A negative count runs for that many seconds instead (make fuzz).
 * Prints TAP lines; exit 1 when the daemon stopped answering.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "msg.h"

enum step {
	S_HELLO, S_HELLO_REMOTE, S_START, S_ANSWER, S_NEWPW, S_CANCEL,
	S_STATUS, S_CHANGE, S_REGSTEP, S_ADMIN, S_GARBAGE, S_HALF_FRAME,
	S_SHUT_RD, S_SHUT_WR, S_RECV, S_DRAIN, S_SLEEP, S_RST, S_VANISH,
	S_COUNT
};

static const char *const step_names[S_COUNT] = {
	"hello", "hello-remote", "start", "answer", "newpw", "cancel",
	"status", "change", "register-step", "admin", "garbage", "half-frame",
	"shutrd", "shutwr", "recv", "drain", "sleep", "rst", "vanish",
};

static const char	*sock_path;
static char		**users;
static int		 nusers;
static unsigned long	 counts[S_COUNT];

static unsigned
rnd(unsigned n)
{
	return (unsigned)random() % n;
}

static int
dial(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void
secret_digits(struct secret *s, unsigned n)
{
	char buf[16];
	unsigned i;

	for (i = 0; i < n && i < sizeof(buf); i++)
		buf[i] = (char)('0' + rnd(10));
	secret_set(s, buf, i);
}

static const char *
user(void)
{
	return users[rnd((unsigned)nusers)];
}

/* One protocol message of the kind st asks for; 0 if st is not one. */
static int
make_msg(enum step st, struct msg *m)
{
	memset(m, 0, sizeof(*m));
	switch (st) {
	case S_HELLO:
	case S_HELLO_REMOTE:
		m->type = SSPR_MSG_HELLO;
		m->u.hello.version = SSPR_PROTO_CUR;
		snprintf(m->u.hello.service, sizeof(m->u.hello.service), "%s",
		    rnd(4) == 0 ? "sspr" : "chaos");
		/* a terminal of its own, mostly: the source limit */
		snprintf(m->u.hello.tty, sizeof(m->u.hello.tty), "pts/%u",
		    rnd(100000));
		if (st == S_HELLO_REMOTE)
			snprintf(m->u.hello.rhost, sizeof(m->u.hello.rhost),
			    "192.0.2.%u", rnd(250) + 1);
		return 1;
	case S_START:
		m->type = SSPR_MSG_START;
		m->u.start.purpose = (uint8_t)(rnd(5));
		snprintf(m->u.start.user, sizeof(m->u.start.user), "%s",
		    user());
		return 1;
	case S_ANSWER:
		m->type = SSPR_MSG_ANSWER;
		secret_digits(&m->u.secret, rnd(3) == 0 ? 5 : 8);
		return 1;
	case S_NEWPW:
		m->type = SSPR_MSG_NEW_PASSWORD;
		secret_set(&m->u.secret, "Chaos-pw-4711", 13);
		return 1;
	case S_CANCEL:
		m->type = SSPR_MSG_CANCEL;
		return 1;
	case S_STATUS:
		m->type = SSPR_MSG_STATUS;
		snprintf(m->u.user, sizeof(m->u.user), "%s", user());
		return 1;
	case S_CHANGE:
		m->type = SSPR_MSG_CHANGE;
		snprintf(m->u.change.user, sizeof(m->u.change.user), "%s",
		    user());
		secret_set(&m->u.change.old, "not-the-password", 16);
		secret_set(&m->u.change.new_, "Chaos-pw-4711", 13);
		return 1;
	case S_REGSTEP:
		m->type = SSPR_MSG_REGISTER_STEP;
		m->u.step.action = (uint8_t)rnd(8);
		snprintf(m->u.step.value, sizeof(m->u.step.value),
		    "x%u@example.test", rnd(100));
		return 1;
	case S_ADMIN:
		m->type = SSPR_MSG_ADMIN;
		m->u.admin.op = (uint16_t)(1 + rnd(3));
		return 1;
	default:
		return 0;
	}
}

/* Bytes that are a frame by length but not by content. */
static void
send_garbage(int fd, int half)
{
	unsigned char buf[64];
	unsigned len = 2 + rnd(sizeof(buf) - 6), i;

	buf[0] = 0;
	buf[1] = 0;
	buf[2] = (unsigned char)(len >> 8);
	buf[3] = (unsigned char)len;
	for (i = 4; i < len + 4 && i < sizeof(buf); i++)
		buf[i] = (unsigned char)rnd(256);
	(void)send(fd, buf, half ? 4 + len / 2 : 4 + len,
	    MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* One round: a connection and a random walk on it. */
static void
round_once(void)
{
	struct msg m;
	int fd, n, i;

	if ((fd = dial()) < 0)
		return;
	n = 1 + (int)rnd(10);
	for (i = 0; i < n; i++) {
		/* mostly a sensible start, so deep states are reached */
		enum step st = i == 0 && rnd(4) != 0 ? (rnd(2) ? S_HELLO :
		    S_HELLO_REMOTE) : (enum step)rnd(S_COUNT);

		counts[st]++;
		if (make_msg(st, &m)) {
			(void)frame_send_msg(fd, &m, 200);
			msg_wipe(&m);
			continue;
		}
		switch (st) {
		case S_GARBAGE:
		case S_HALF_FRAME:
			send_garbage(fd, st == S_HALF_FRAME);
			break;
		case S_SHUT_RD:
			shutdown(fd, SHUT_RD);
			break;
		case S_SHUT_WR:
			shutdown(fd, SHUT_WR);
			break;
		case S_RECV:
			if (frame_recv_msg(fd, &m, 300) == 0)
				msg_wipe(&m);
			break;
		case S_DRAIN:
			while (frame_recv_msg(fd, &m, 50) == 0)
				msg_wipe(&m);
			break;
		case S_SLEEP:
			pause_ms(rnd(20));
			break;
		case S_RST: {
			struct linger l = { 1, 0 };

			setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
			close(fd);
			return;
		}
		case S_VANISH:
		default:
			i = n;
			break;
		}
	}
	close(fd);
}

/* Does the daemon still answer a HELLO? */
static int
alive(void)
{
	struct msg m;
	int fd, ok = 0;

	if ((fd = dial()) < 0)
		return 0;
	make_msg(S_HELLO, &m);
	if (frame_send_msg(fd, &m, 5000) == 0 && frame_recv_msg(fd, &m,
	    10000) == 0)
		ok = m.type == SSPR_MSG_HELLO_OK || m.type == SSPR_MSG_FAIL;
	msg_wipe(&m);
	close(fd);
	return ok;
}

int
main(int argc, char **argv)
{
	long rounds, done = 0;
	time_t until = 0;
	int i;

	if (argc < 5) {
		fprintf(stderr, "usage: chaos SOCKET SEED ROUNDS|-SECONDS "
		    "USER...\n");
		return 2;
	}
	sock_path = argv[1];
	srandom((unsigned)strtoul(argv[2], NULL, 10));
	rounds = strtol(argv[3], NULL, 10);
	if (rounds < 0)
		until = time(NULL) - rounds;
	users = argv + 4;
	nusers = argc - 4;
	while (until ? time(NULL) < until : done < rounds) {
		round_once();
		if (++done % 100 == 0 && !alive()) {
			printf("stopped answering after "
			    "%ld rounds (seed %s)\n", done, argv[2]);
			return 1;
		}
	}
	if (!alive()) {
		printf("stopped answering after %ld "
		    "rounds (seed %s)\n", done, argv[2]);
		return 1;
	}
	printf("answered after %ld rounds (seed %s)\n",
	    done, argv[2]);
	for (i = 0; i < S_COUNT; i++)
		printf("# %-14s %lu\n", step_names[i], counts[i]);
	return 0;
}
