/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flood: connects to a daemon socket and closes at once, in a loop, as a
 * refused caller might, so that t_peer can check the daemon still serves
 * the others and does not log every attempt.
 *
 *   flood SOCKET MARKER MIN MAXSEC
 *
 * Runs while the file MARKER exists or until MIN connections are made,
 * whichever is later, and never longer than MAXSEC seconds.  Prints the
 * number of connections made.  Exit status 0 unless no connection could
 * be made at all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static int
connect_once(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int r;

	if (fd < 0)
		return -1;
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	return r;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned long n = 0, min;
	time_t end;

	if (argc != 5) {
		fprintf(stderr, "usage: flood SOCKET MARKER MIN MAXSEC\n");
		return 2;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	min = strtoul(argv[3], NULL, 10);
	end = time(NULL) + atoi(argv[4]);
	while (time(NULL) < end && (n < min || access(argv[2], F_OK) == 0)) {
		if (connect_once(&sa) == 0)
			n++;
	}
	printf("%lu\n", n);
	return n > 0 ? 0 : 1;
}
