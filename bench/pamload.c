/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pamload: the cost pam_sspr adds to an ordinary password login, measured
 * in-process through the real libpam (pam_start_confdir, no root, no
 * preload).
 *
 *   pamload -d CONFDIR -u USER -p PASSWORD -n ITERATIONS -r ROUNDS
 *           [-m full|auth|login] [-c] [-l SOCKET] REFERENCE SERVICE...
 *
 * REFERENCE is a stack with only a password checker; each SERVICE is
 * compared with it: the stack with pam_sspr.so in front of the same
 * checker, and controls (an identical copy of REFERENCE shows the noise
 * alone; pam_permit.so in front shows what any extra module costs).
 * Each round runs ITERATIONS successful logins on every stack, the order
 * rotating from round to round.  Mode "full" is what a login program
 * does per attempt (pam_start, pam_authenticate, pam_end: modules are
 * loaded each time); "auth" repeats pam_authenticate on one handle;
 * "login" is a whole ordinary login: "full" with pam_acct_mgmt after a
 * successful pam_authenticate, as login, sshd and su call them.
 *
 * With -c the time measured is the CPU time of the thread that runs the
 * logins (CLOCK_THREAD_CPUTIME_ID) instead of the wall clock: on a machine
 * shared with other work it leaves out the time spent waiting for a core.
 *
 * With -l, pamload listens on SOCKET (which pam_sspr is pointed at) and
 * counts the connections made to it: a typed password must make none.
 * One JSON line: per stack the median microseconds per login, the
 * median, smallest and largest per-round ratio to REFERENCE, prompts per
 * login and failures; and the connections counted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "stats.h"

#define MAX_ROUNDS	101

static const char	*password;
static long		 prompts;

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	int i;

	(void)data;
	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++)
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF ||
		    msg[i]->msg_style == PAM_PROMPT_ECHO_ON) {
			prompts++;
			r[i].resp = strdup(password);
		}
	*resp = r;
	return PAM_SUCCESS;
}

#define MAX_STACKS	8

struct stack {
	const char	*service;
	double		 us[MAX_ROUNDS];	/* per login, each round */
	double		 ratio[MAX_ROUNDS];	/* to the reference */
	long		 prompts, failures;
};

static struct {
	const char	*dir, *user;
	long		 iters;
	int		 rounds, full, acct, cpu;
} opt = { .iters = 2000, .rounds = 7, .full = 1 };

/* Microseconds on the clock chosen with -c. */
static int64_t
clock_us(void)
{
	struct timespec ts;

	if (!opt.cpu)
		return now_us();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ITERATIONS logins on one stack; microseconds per login. */
static double
run_stack(struct stack *s)
{
	struct pam_conv pc = { conv, NULL };
	pam_handle_t *pamh = NULL;
	int64_t t0;
	long i, p0 = prompts;
	int r;

	if (!opt.full && pam_start_confdir(s->service, opt.user, &pc,
	    opt.dir, &pamh) != PAM_SUCCESS) {
		s->failures += opt.iters;
		return 0;
	}
	t0 = clock_us();
	for (i = 0; i < opt.iters; i++) {
		if (opt.full && pam_start_confdir(s->service, opt.user, &pc,
		    opt.dir, &pamh) != PAM_SUCCESS) {
			s->failures++;
			continue;
		}
		r = pam_authenticate(pamh, 0);
		if (r == PAM_SUCCESS && opt.acct)
			r = pam_acct_mgmt(pamh, 0);
		if (r != PAM_SUCCESS)
			s->failures++;
		if (opt.full)
			pam_end(pamh, r);
	}
	if (!opt.full)
		pam_end(pamh, PAM_SUCCESS);
	s->prompts += prompts - p0;
	return (double)(clock_us() - t0) / (double)opt.iters;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	double c[MAX_ROUNDS];

	memcpy(c, v, (size_t)n * sizeof(*v));
	qsort(c, (size_t)n, sizeof(*c), cmp_d);
	return n % 2 ? c[n / 2] : (c[n / 2 - 1] + c[n / 2]) / 2;
}

/* The smallest (sign -1) or largest (sign 1) of v. */
static double
extreme(const double *v, int n, int sign)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		if ((sign < 0 && v[i] < m) || (sign > 0 && v[i] > m))
			m = v[i];
	return m;
}

static int
listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 64) != 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

static long
count_connections(int fd)
{
	long n = 0;
	int c;

	while ((c = accept(fd, NULL, NULL)) >= 0) {
		close(c);
		n++;
	}
	return n;
}

static void
usage(void)
{
	fprintf(stderr, "usage: pamload -d CONFDIR -u USER -p PASSWORD "
	    "-n ITERATIONS -r ROUNDS [-m full|auth|login] [-c] [-l SOCKET] REFERENCE "
	    "SERVICE...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct stack st[MAX_STACKS] = { { 0 } };
	const char *sock = NULL;
	int ch, nst, i, k, lfd = -1;
	long conns = 0;

	while ((ch = getopt(argc, argv, "d:u:p:n:r:m:cl:")) != -1) {
		switch (ch) {
		case 'd': opt.dir = optarg; break;
		case 'u': opt.user = optarg; break;
		case 'p': password = optarg; break;
		case 'n': opt.iters = atol(optarg); break;
		case 'r': opt.rounds = atoi(optarg); break;
		case 'm':
			opt.full = strcmp(optarg, "auth") != 0;
			opt.acct = strcmp(optarg, "login") == 0;
			break;
		case 'c': opt.cpu = 1; break;
		case 'l': sock = optarg; break;
		default: usage();
		}
	}
	nst = argc - optind;
	if (opt.dir == NULL || opt.user == NULL || password == NULL ||
	    opt.iters < 1 || opt.rounds < 1 || opt.rounds > MAX_ROUNDS ||
	    nst < 2 || nst > MAX_STACKS)
		usage();
	for (k = 0; k < nst; k++)
		st[k].service = argv[optind + k];
	if (sock != NULL)
		lfd = listen_on(sock);
	/* one untimed round first: dlopen caches, page faults */
	for (k = 0; k < nst; k++)
		run_stack(&st[k]);
	for (k = 0; k < nst; k++)
		st[k].prompts = st[k].failures = 0;
	for (i = 0; i < opt.rounds; i++) {
		for (k = 0; k < nst; k++) {
			struct stack *s = &st[(i + k) % nst];

			s->us[i] = run_stack(s);
		}
		for (k = 0; k < nst; k++)
			st[k].ratio[i] = st[k].us[i] / st[0].us[i];
	}
	if (lfd >= 0) {
		conns = count_connections(lfd);
		close(lfd);
		unlink(sock);
	}
	printf("{\"test\":\"pam\",\"mode\":\"%s\",\"clock\":\"%s\","
	    "\"iters\":%ld,\"rounds\":%d,\"daemon_connects\":%ld,"
	    "\"stacks\":[", opt.acct ? "login" : opt.full ? "full" : "auth",
	    opt.cpu ? "cpu" : "wall", opt.iters, opt.rounds, conns);
	for (k = 0; k < nst; k++)
		printf("%s{\"service\":\"%s\",\"us\":%.2f,\"ratio\":%.4f,"
		    "\"ratio_min\":%.4f,\"ratio_max\":%.4f,\"prompts\":%.3f,"
		    "\"failures\":%ld}", k ? "," : "", st[k].service,
		    median(st[k].us, opt.rounds),
		    median(st[k].ratio, opt.rounds),
		    extreme(st[k].ratio, opt.rounds, -1),
		    extreme(st[k].ratio, opt.rounds, 1),
		    (double)st[k].prompts / (double)(opt.iters * opt.rounds),
		    st[k].failures);
	printf("]}\n");
	return 0;
}
