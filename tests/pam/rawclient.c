/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rawclient: speaks the sspr protocol (or deliberately does not) to a
 * daemon socket, for tests of what the module would never send.
 *
 *   rawclient SOCKET STEP...
 *
 * Steps, run in order:
 *   hello [VERSION] [rhost=HOST] [service=NAME]  HELLO, by default with
 *                        service "rawclient"
 *   start USER [PURPOSE] [keys=KEYS]  START (purpose 1 = reset), with the
 *                        keys field ("TYPE BASE64;..." as sshd's would be)
 *   timed USER           START, then read the answer and print the
 *                        microseconds it took ("us=N")
 *   answer TEXT          ANSWER; "@FILE" reads the first line of FILE,
 *                        "!CMD" answers with the first line CMD prints
 *   newpw TEXT           NEW_PASSWORD
 *   cancel               CANCEL
 *   status USER          STATUS
 *   change USER OLD NEW  CHANGE
 *   shutrd, shutwr       shutdown(2) of our reading or writing side: a
 *                        caller that stops reading, or half-closes
 *   rst                  close with a reset (SO_LINGER 0) and stop
 *   hex HEXBYTES         raw bytes as they are
 *   recv                 read one answer and print it
 *   eof                  expect the daemon to close the connection
 *   sleep MS
 * Each answer is printed as one line, e.g. "CHALLENGE dest=a***@e***.test
 * lifetime=600 len=8" or "FAIL reason=7"; a closed connection prints
 * "closed".  Exit status 0 unless a step could not be carried out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "msg.h"

static int
dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

static void
print(const struct msg *m)
{
	switch (m->type) {
	case SSPR_MSG_HELLO_OK:
		printf("HELLO_OK version=%u features=%u\n",
		    m->u.hello_ok.version, m->u.hello_ok.features);
		break;
	case SSPR_MSG_CHALLENGE:
		printf("CHALLENGE method=%u dest=%s lifetime=%u len=%u\n",
		    m->u.challenge.method, m->u.challenge.destination,
		    m->u.challenge.lifetime, m->u.challenge.answer_len);
		break;
	case SSPR_MSG_ANSWER_BAD:
		printf("ANSWER_BAD left=%u\n", m->u.attempts_left);
		break;
	case SSPR_MSG_REJECTED:
		printf("REJECTED reason=%u left=%u detail=%s\n",
		    m->u.rejected.reason, m->u.rejected.tries_left,
		    m->u.rejected.detail);
		break;
	case SSPR_MSG_DONE:
		printf("DONE outcome=%u\n", m->u.outcome);
		break;
	case SSPR_MSG_FAIL:
		printf("FAIL reason=%u\n", m->u.reason);
		break;
	case SSPR_MSG_ACCOUNT:
		printf("ACCOUNT known=%u must_change=%u\n", m->u.account.known,
		    m->u.account.must_change);
		break;
	default:
		printf("%s\n", msg_name(m->type));
	}
	fflush(stdout);
}

static void
read_secret_arg(const char *arg, struct secret *s)
{
	char line[1024] = "";
	FILE *fp;

	if (arg[0] != '@' && arg[0] != '!') {
		secret_set(s, arg, strlen(arg));
		return;
	}
	fp = arg[0] == '@' ? fopen(arg + 1, "r") : popen(arg + 1, "r");
	if (fp != NULL) {
		if (fgets(line, sizeof(line), fp) == NULL)
			line[0] = '\0';
		if (arg[0] == '@')
			fclose(fp);
		else
			pclose(fp);
	}
	line[strcspn(line, "\r\n")] = '\0';
	secret_set(s, line, strlen(line));
}

static int
send_hex(int fd, const char *hex)
{
	unsigned char buf[65536];
	size_t n = 0;
	unsigned v;

	while (hex[0] && hex[1] && n < sizeof(buf)) {
		if (sscanf(hex, "%2x", &v) != 1)
			return -1;
		buf[n++] = (unsigned char)v;
		hex += 2;
	}
	return send(fd, buf, n, MSG_NOSIGNAL) == (ssize_t)n ? 0 : -1;
}

int
main(int argc, char **argv)
{
	struct msg m;
	int fd, i, r;

	if (argc < 2) {
		fprintf(stderr, "usage: rawclient SOCKET STEP...\n");
		return 2;
	}
	fd = dial(argv[1]);
	for (i = 2; i < argc; i++) {
		const char *s = argv[i], *a1 = i + 1 < argc ? argv[i + 1] : "";

		memset(&m, 0, sizeof(m));
		if (strcmp(s, "hello") == 0) {
			m.type = SSPR_MSG_HELLO;
			m.u.hello.version = SSPR_PROTO_CUR;
			if (i + 1 < argc && a1[0] >= '0' && a1[0] <= '9')
				m.u.hello.version = (uint16_t)atoi(argv[++i]);
			snprintf(m.u.hello.service, sizeof(m.u.hello.service),
			    "rawclient");
			snprintf(m.u.hello.tty, sizeof(m.u.hello.tty), "tty9");
			if (i + 1 < argc && strncmp(argv[i + 1], "rhost=", 6)
			    == 0)
				snprintf(m.u.hello.rhost,
				    sizeof(m.u.hello.rhost), "%s",
				    argv[++i] + 6);
			if (i + 1 < argc && strncmp(argv[i + 1], "service=", 8)
			    == 0)
				snprintf(m.u.hello.service,
				    sizeof(m.u.hello.service), "%s",
				    argv[++i] + 8);
		} else if (strcmp(s, "start") == 0 && i + 1 < argc) {
			m.type = SSPR_MSG_START;
			m.u.start.purpose = SSPR_PURPOSE_RESET;
			snprintf(m.u.start.user, sizeof(m.u.start.user), "%s",
			    argv[++i]);
			if (i + 1 < argc && argv[i + 1][0] >= '0' &&
			    argv[i + 1][0] <= '9')
				m.u.start.purpose = (uint8_t)atoi(argv[++i]);
			if (i + 1 < argc && strncmp(argv[i + 1], "keys=", 5) ==
			    0)
				snprintf(m.u.start.keys, sizeof(m.u.start.keys),
				    "%s", argv[++i] + 5);
		} else if (strcmp(s, "timed") == 0 && i + 1 < argc) {
			struct timespec t0, t1;

			m.type = SSPR_MSG_START;
			m.u.start.purpose = SSPR_PURPOSE_RESET;
			snprintf(m.u.start.user, sizeof(m.u.start.user), "%s",
			    argv[++i]);
			clock_gettime(CLOCK_MONOTONIC, &t0);
			if (frame_send_msg(fd, &m, 5000) != 0 ||
			    frame_recv_msg(fd, &m, 30000) != 0) {
				printf("error\n");
				continue;
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			printf("us=%lld ", (long long)(t1.tv_sec - t0.tv_sec) *
			    1000000 + (t1.tv_nsec - t0.tv_nsec) / 1000);
			print(&m);
			continue;
		} else if (strcmp(s, "answer") == 0 && i + 1 < argc) {
			m.type = SSPR_MSG_ANSWER;
			read_secret_arg(argv[++i], &m.u.secret);
		} else if (strcmp(s, "newpw") == 0 && i + 1 < argc) {
			m.type = SSPR_MSG_NEW_PASSWORD;
			read_secret_arg(argv[++i], &m.u.secret);
		} else if (strcmp(s, "cancel") == 0) {
			m.type = SSPR_MSG_CANCEL;
		} else if (strcmp(s, "status") == 0 && i + 1 < argc) {
			m.type = SSPR_MSG_STATUS;
			snprintf(m.u.user, sizeof(m.u.user), "%s", argv[++i]);
		} else if (strcmp(s, "change") == 0 && i + 3 < argc) {
			m.type = SSPR_MSG_CHANGE;
			snprintf(m.u.change.user, sizeof(m.u.change.user), "%s",
			    argv[++i]);
			read_secret_arg(argv[++i], &m.u.change.old);
			read_secret_arg(argv[++i], &m.u.change.new_);
		} else if (strcmp(s, "shutrd") == 0 || strcmp(s, "shutwr") == 0) {
			shutdown(fd, s[4] == 'r' ? SHUT_RD : SHUT_WR);
			continue;
		} else if (strcmp(s, "rst") == 0) {
			struct linger l = { 1, 0 };

			setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
			close(fd);
			return 0;
		} else if (strcmp(s, "hex") == 0 && i + 1 < argc) {
			if (send_hex(fd, argv[++i]) != 0)
				printf("send failed\n");
			continue;
		} else if (strcmp(s, "sleep") == 0 && i + 1 < argc) {
			struct timespec ts;
			long ms = atol(argv[++i]);

			ts.tv_sec = ms / 1000;
			ts.tv_nsec = (ms % 1000) * 1000000L;
			nanosleep(&ts, NULL);
			continue;
		} else if (strcmp(s, "recv") == 0 || strcmp(s, "eof") == 0) {
			r = frame_recv_msg(fd, &m, 30000);
			if (r == FRAME_ERR_IO)
				printf("closed\n");
			else if (r != 0)
				printf("error: %s\n", frame_strerror(r));
			else
				print(&m);
			fflush(stdout);
			continue;
		} else {
			fprintf(stderr, "rawclient: bad step '%s'\n", s);
			return 2;
		}
		if ((r = frame_send_msg(fd, &m, 5000)) != 0)
			printf("send failed: %s\n", frame_strerror(r));
		msg_wipe(&m);
	}
	close(fd);
	return 0;
}
