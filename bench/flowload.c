/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flowload: drives sspr-helperd through its socket the way many pam_sspr
 * modules at once would, with the protocol code both of them build from
 * (proto/frame.c, proto/msg.c), and reads each code from the SMTP sink's
 * mail files as a person would read their mail.
 *
 *   flowload load -s SOCK [-s SOCK...] -m MAILDIR -u PREFIX -n NUSERS
 *            -c FLOWS -t SECS [-w WARMUP_SECS] [-R RAMP_SECS]
 *       FLOWS threads each run complete reset flows back to back (HELLO,
 *       START, wait for the code mail, ANSWER, NEW_PASSWORD) for users of
 *       their own share; flows completed in a steady-state window and the
 *       latency of each step.  With several sockets (a fleet's relays)
 *       each connection goes to the next in turn.  -R spreads the
 *       threads' first flows evenly over RAMP_SECS: flows started all at
 *       once behind a slow directory stay in step (every START queued,
 *       then every ANSWER...) and finish in bursts a flow's time apart,
 *       which a window not much longer than a flow counts once or twice.
 *
 *   flowload hold -s SOCK -m MAILDIR -u PREFIX -n NUSERS -p DAEMON_PID
 *            -N COUNT[,COUNT...] [-P PROBES]
 *       Opens COUNT flows and leaves them waiting at the code prompt, lets
 *       the daemon send their mails, then reads the daemon's RSS and open
 *       files and times PROBES complete flows run meanwhile.
 *
 *   flowload idle -s SOCK -m MAILDIR -u PREFIX -n NUSERS -t SECS -r RUNS
 *       RUNS times a warm flow, SECS idle, a cold flow: the step
 *       latencies of each kind (run_idle).
 *
 *   flowload startup -s SOCK -r RUNS -- DAEMON ARGS...
 *       Time from exec of the daemon to the first HELLO_OK on SOCK.
 *
 * Output: one JSON line per measurement on stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "frame.h"
#include "msg.h"
#include "stats.h"

#define RECV_TIMEOUT_MS	30000
#define CODE_TIMEOUT_US	(60LL * 1000000)
#define CODE_MAX	16

static struct {
	const char	*sock, *maildir, *prefix;
	int		 nusers, flows, probes, runs;
	double		 secs, warm, ramp;
	pid_t		 daemon;
	char		*counts;
	unsigned	 runid;
	const char	*socks[1024];	/* -s, each connection the next */
	int		 nsocks;
} opt = { .flows = 1, .secs = 3, .warm = 0.5, .probes = 20, .runs = 5 };

/* --- the protocol, blocking, one step at a time ------------------------ */

static int
dial(void)
{
	static atomic_uint next;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", opt.nsocks > 1 ?
	    opt.socks[atomic_fetch_add(&next, 1) % (unsigned)opt.nsocks] :
	    opt.sock);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends m, reads the answer; 0 if its type is want. */
static int
exchange(int fd, struct msg *m, uint16_t want, struct msg *ans)
{
	int r = frame_send_msg(fd, m, RECV_TIMEOUT_MS);

	msg_wipe(m);
	if (r == 0)
		r = frame_recv_msg(fd, ans, RECV_TIMEOUT_MS);
	if (r != 0 || ans->type != want)
		return -1;
	return 0;
}

/*
 * Every flow comes from a host of its own (198.18.0.0/15, the benchmark
 * range), as many people's would: one source for all would only measure
 * the per-source throttle.
 */
/*
 * Each flow from its own remote host, which its code mail names ("from
 * 198.18.0.7"): how a flow knows its own mail (take_mail).  The host
 * sent in rhost (RHOST_MAX bytes), when not NULL.
 */
#define RHOST_MAX	32

static int
send_hello(int fd, char *rhost)
{
	static atomic_uint next;
	struct msg m = { .type = SSPR_MSG_HELLO };
	unsigned h = atomic_fetch_add(&next, 1) & 0x1ffff;

	m.u.hello.version = SSPR_PROTO_CUR;
	snprintf(m.u.hello.service, sizeof(m.u.hello.service), "bench");
	snprintf(m.u.hello.tty, sizeof(m.u.hello.tty), "pts/1");
	snprintf(m.u.hello.rhost, sizeof(m.u.hello.rhost), "198.%u.%u.%u",
	    18 + (h >> 16), (h >> 8) & 0xff, h & 0xff);
	if (rhost != NULL)
		snprintf(rhost, RHOST_MAX, "%.*s", RHOST_MAX - 1,
		    m.u.hello.rhost);
	return frame_send_msg(fd, &m, RECV_TIMEOUT_MS);
}

static int
send_start(int fd, const char *user)
{
	struct msg m = { .type = SSPR_MSG_START };

	m.u.start.purpose = SSPR_PURPOSE_RESET;
	snprintf(m.u.start.user, sizeof(m.u.start.user), "%s", user);
	return frame_send_msg(fd, &m, RECV_TIMEOUT_MS);
}

static int
expect(int fd, uint16_t want, struct msg *ans)
{
	return frame_recv_msg(fd, ans, RECV_TIMEOUT_MS) == 0 &&
	    ans->type == want ? 0 : -1;
}

/* --- codes from the sink's mail files ------------------------------------ */

struct waiter {
	pthread_cond_t	 cond;
	char		 rhost[RHOST_MAX];	/* its flow's, as the mail says */
	char		 code[CODE_MAX + 1];
	int		 have;
};

static pthread_mutex_t	wlock = PTHREAD_MUTEX_INITIALIZER;
static struct waiter	**waiting;		/* by user number */
static atomic_long	mails_seen, mails_stale;
static int		inofd = -1;

/* "u00042@example.test" -> 42, or 0. */
static int
user_number(const char *rcpt)
{
	size_t n = strlen(opt.prefix);
	char *end;
	long v;

	if (strncmp(rcpt, opt.prefix, n) != 0)
		return 0;
	v = strtol(rcpt + n, &end, 10);
	if (*end != '@' || v < 1 || v > opt.nusers)
		return 0;
	return (int)v;
}

/*
 * Whether a code mail is the one sent for the flow from rhost: it says
 * "(from SOURCE)", SOURCE the flow's remote host, or HOST/rhost when a
 * relay forwarded it.  The user alone is not enough: a mail of the same
 * user's earlier flow (one that failed before it read its code, or of
 * an earlier run) may arrive while the next flow waits, and its code is
 * rightly refused as one a newer code replaced.
 */
static int
mail_for(const char *buf, const char *rhost)
{
	const char *p = strstr(buf, "(from "), *end;
	size_t n, r = strlen(rhost);

	if (p == NULL || (end = strchr(p += 6, ')')) == NULL)
		return 0;
	n = (size_t)(end - p);
	return n >= r && memcmp(end - r, rhost, r) == 0 &&
	    (n == r || end[-(long)r - 1] == '/');
}

/*
 * One arrived file: the sink's NNNNNN-RCPT.eml, or a message Postfix's
 * virtual(8) delivered into a Maildir's new/ (any name; the recipient is
 * in its Delivered-To header, after Return-Path; it arrives by link(2),
 * which inotify reports as IN_CREATE).  Its code to the flow it was sent
 * for, if that flow waits for it (mail_for).  A file being written
 * arrives under a name starting with '.'.
 */
static void
take_mail(const char *name)
{
	char path[4096], buf[8192], code[CODE_MAX + 1] = "";
	const char *rcpt, *p;
	ssize_t got;
	size_t i;
	int fd, u;

	if (name[0] == '.')
		return;
	snprintf(path, sizeof(path), "%s/%s", opt.maildir, name);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return;
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	unlink(path);
	atomic_fetch_add(&mails_seen, 1);
	if (got <= 0)
		return;
	buf[got] = '\0';
	if ((p = strstr(buf, "\nDelivered-To: ")) != NULL)
		rcpt = p + 14;
	else if ((rcpt = strchr(name, '-')) == NULL)
		return;
	if ((p = strstr(buf, "verification code is: ")) != NULL) {
		p += strlen("verification code is: ");
		for (i = 0; i < CODE_MAX && p[i] >= '0' && p[i] <= '9'; i++)
			code[i] = p[i];
		code[i] = '\0';
	}
	u = user_number(rcpt + 1);
	pthread_mutex_lock(&wlock);
	if (u > 0 && waiting[u] != NULL && code[0] != '\0' &&
	    !mail_for(buf, waiting[u]->rhost))
		atomic_fetch_add(&mails_stale, 1);
	else if (u > 0 && waiting[u] != NULL && code[0] != '\0') {
		memcpy(waiting[u]->code, code, sizeof(code));
		waiting[u]->have = 1;
		pthread_cond_signal(&waiting[u]->cond);
	}
	pthread_mutex_unlock(&wlock);
}

/*
 * What is in the directory: after an inotify overflow, taken as if it had
 * just arrived; at start (purge), mails of earlier runs, only removed, so
 * that none can pass for a code of this run.
 */
static void
rescan(int purge)
{
	char path[4096];
	struct dirent *de;
	DIR *d = opendir(opt.maildir);

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strstr(de->d_name, ".eml") == NULL)
			continue;
		if (!purge) {
			take_mail(de->d_name);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", opt.maildir, de->d_name);
		unlink(path);
	}
	closedir(d);
}

static void *
watch(void *arg)
{
	char buf[65536] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t got;
	char *p;

	(void)arg;
	for (;;) {
		got = read(inofd, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return NULL;
		for (p = buf; p < buf + got; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				rescan(0);
			else if (ev->len > 0)
				take_mail(ev->name);
		}
	}
}

static int
watch_start(void)
{
	pthread_t th;

	if ((waiting = calloc((size_t)opt.nusers + 1, sizeof(*waiting))) ==
	    NULL)
		return -1;
	inofd = inotify_init1(IN_CLOEXEC);
	if (inofd < 0 || inotify_add_watch(inofd, opt.maildir, IN_MOVED_TO |
	    IN_CLOSE_WRITE | IN_CREATE) < 0) {
		perror(opt.maildir);
		return -1;
	}
	rescan(1);
	return pthread_create(&th, NULL, watch, NULL) == 0 ? 0 : -1;
}

static void
wait_register(int u, struct waiter *w, const char *rhost)
{
	pthread_mutex_lock(&wlock);
	w->have = 0;
	w->code[0] = '\0';
	snprintf(w->rhost, sizeof(w->rhost), "%s", rhost);
	waiting[u] = w;
	pthread_mutex_unlock(&wlock);
}

static void
wait_cancel(int u)
{
	pthread_mutex_lock(&wlock);
	waiting[u] = NULL;
	pthread_mutex_unlock(&wlock);
}

/* Waits for the code of user u; 0 with it in code, -1 on timeout. */
static int
wait_code(int u, struct waiter *w, char *code)
{
	struct timespec ts;
	int r = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += CODE_TIMEOUT_US / 1000000;
	pthread_mutex_lock(&wlock);
	while (!w->have && r == 0)
		r = pthread_cond_timedwait(&w->cond, &wlock, &ts);
	if (w->have)
		memcpy(code, w->code, CODE_MAX + 1);
	r = w->have ? 0 : -1;
	waiting[u] = NULL;
	pthread_mutex_unlock(&wlock);
	return r;
}

/* --- one complete flow --------------------------------------------------- */

enum { S_HELLO, S_START, S_MAIL, S_VERIFY, S_SETPW, S_FLOW, NSTEPS };
static const char *step_names[NSTEPS] = { "hello", "start", "mail", "verify",
    "setpw", "flow" };

struct flowstats {
	struct lat	 step[NSTEPS];
	atomic_long	 done, errors;
	atomic_int	 measuring;
};

static void
stats_init(struct flowstats *fs)
{
	int i;

	for (i = 0; i < NSTEPS; i++)
		lat_init(&fs->step[i]);
	atomic_store(&fs->done, 0);
	atomic_store(&fs->errors, 0);
	atomic_store(&fs->measuring, 1);
}

static void
stats_json(struct flowstats *fs)
{
	int i;

	for (i = 0; i < NSTEPS; i++) {
		json_lat(stdout, step_names[i], &fs->step[i]);
		putchar(i + 1 < NSTEPS ? ',' : '}');
	}
	putchar('\n');
	fflush(stdout);
	for (i = 0; i < NSTEPS; i++)
		lat_free(&fs->step[i]);
}

static atomic_int	reported;

static int
flow_error(const char *what, const char *user, const struct msg *ans)
{
	if (atomic_fetch_add(&reported, 1) < 5)
		fprintf(stderr, "flowload: %s: %s failed (got %s, reason %u)\n",
		    user, what, msg_name(ans->type), ans->type ==
		    SSPR_MSG_FAIL ? ans->u.reason : ans->type ==
		    SSPR_MSG_REJECTED ? ans->u.rejected.reason : 0);
	return -1;
}

/*
 * Unique, so ppolicy's history never refuses it, and never "systematic"
 * to cracklib: its digits are kept apart by an 'x', since cracklib counts
 * neighbours one apart (a user number like 1234 next to a hex run id
 * could be refused now and then, and counted as a failed reset).
 */
static void
fresh_password(int u, long seq, struct secret *out)
{
	char plain[64];
	size_t i, n = 0;

	snprintf(plain, sizeof(plain), "%08xq%dq%ld", opt.runid, u, seq);
	out->buf[n++] = 'B';
	out->buf[n++] = 'f';
	for (i = 0; plain[i] != '\0' && n + 3 < sizeof(out->buf); i++) {
		out->buf[n++] = (unsigned char)plain[i];
		out->buf[n++] = 'x';
	}
	out->buf[n] = '\0';
	out->len = n;
}

/* A whole reset of user number u; every step timed into fs. */
static int
one_flow(int u, struct waiter *w, long *seq, struct flowstats *fs)
{
	char user[64], code[CODE_MAX + 1], rhost[RHOST_MAX];
	int64_t t[NSTEPS + 1];
	struct msg m, ans;
	int fd, i, r = -1;

	snprintf(user, sizeof(user), "%s%05d", opt.prefix, u);
	memset(&ans, 0, sizeof(ans));
	t[0] = now_us();
	if ((fd = dial()) < 0)
		return flow_error("connect", user, &ans);
	if (send_hello(fd, rhost) != 0 ||
	    expect(fd, SSPR_MSG_HELLO_OK, &ans) != 0) {
		flow_error("HELLO", user, &ans);
		goto out;
	}
	t[1] = now_us();
	wait_register(u, w, rhost);
	if (send_start(fd, user) != 0 ||
	    expect(fd, SSPR_MSG_CHALLENGE, &ans) != 0) {
		wait_cancel(u);
		flow_error("START", user, &ans);
		goto out;
	}
	t[2] = now_us();
	if (wait_code(u, w, code) != 0) {
		flow_error("reading the code mail", user, &ans);
		goto out;
	}
	t[3] = now_us();
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_ANSWER;
	secret_set(&m.u.secret, code, strlen(code));
	if (exchange(fd, &m, SSPR_MSG_VERIFIED, &ans) != 0) {
		flow_error("ANSWER", user, &ans);
		goto out;
	}
	t[4] = now_us();
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_NEW_PASSWORD;
	fresh_password(u, ++*seq, &m.u.secret);
	if (exchange(fd, &m, SSPR_MSG_DONE, &ans) != 0) {
		flow_error("NEW_PASSWORD", user, &ans);
		goto out;
	}
	t[5] = now_us();
	if (atomic_load(&fs->measuring)) {
		for (i = 0; i < S_FLOW; i++)
			lat_add(&fs->step[i], t[i + 1] - t[i]);
		lat_add(&fs->step[S_FLOW], t[5] - t[0]);
	}
	r = 0;
out:
	close(fd);
	return r;
}

/* --- load: many flows at once ----------------------------------------------- */

static struct flowstats	load_stats;
static atomic_int	load_stop;

struct client {
	pthread_t	 th;
	int		 id;
	unsigned	 seed;
	long		 seq;
	struct waiter	 w;
};

static void *
client_run(void *arg)
{
	struct client *c = arg;
	int share = (opt.nusers - 1 - c->id) / opt.flows + 1, u;

	if (opt.ramp > 0)
		sleep_ms((long)(opt.ramp * 1000 * c->id / opt.flows));
	while (!atomic_load(&load_stop)) {
		u = 1 + c->id + (int)(rand_r(&c->seed) % (unsigned)share) *
		    opt.flows;
		if (one_flow(u, &c->w, &c->seq, &load_stats) == 0)
			atomic_fetch_add(&load_stats.done, 1);
		else {
			atomic_fetch_add(&load_stats.errors, 1);
			sleep_ms(50);
		}
	}
	return NULL;
}

static int
run_load(void)
{
	struct client *cs = calloc((size_t)opt.flows, sizeof(*cs));
	struct rusage ru;
	pthread_attr_t attr;
	int64_t t0, t1;
	long n0, n1;
	int i;

	if (cs == NULL || watch_start() != 0)
		return 1;
	stats_init(&load_stats);
	atomic_store(&load_stats.measuring, 0);
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	for (i = 0; i < opt.flows; i++) {
		cs[i].id = i;
		cs[i].seed = opt.runid + (unsigned)i;
		pthread_cond_init(&cs[i].w.cond, NULL);
		if (pthread_create(&cs[i].th, &attr, client_run, &cs[i]) != 0) {
			fprintf(stderr, "flowload: cannot start thread %d\n", i);
			return 1;
		}
	}
	sleep_ms((long)(opt.warm * 1000));
	atomic_store(&load_stats.measuring, 1);
	n0 = atomic_load(&load_stats.done);
	t0 = now_us();
	sleep_ms((long)(opt.secs * 1000));
	n1 = atomic_load(&load_stats.done);
	t1 = now_us();
	atomic_store(&load_stats.measuring, 0);
	atomic_store(&load_stop, 1);
	for (i = 0; i < opt.flows; i++)
		pthread_join(cs[i].th, NULL);
	getrusage(RUSAGE_SELF, &ru);
	if (atomic_load(&mails_stale) > 0)
		fprintf(stderr, "flowload: %ld code mails of earlier flows "
		    "passed over\n", atomic_load(&mails_stale));
	printf("{\"test\":\"product\",\"conc\":%d,\"secs\":%.3f,\"done\":%ld,"
	    "\"rate\":%.1f,\"errors\":%ld,\"total\":%ld,\"cpu_ms\":%.0f,",
	    opt.flows, (double)(t1 - t0) / 1e6, n1 - n0,
	    (double)(n1 - n0) * 1e6 / (double)(t1 - t0),
	    atomic_load(&load_stats.errors), atomic_load(&load_stats.done),
	    cpu_ms(&ru));
	stats_json(&load_stats);
	free(cs);
	return 0;
}

/* --- hold: thousands of flows waiting at the code prompt ----------------- */

struct procinfo {
	long	rss_kib, anon_kib, pss_kib, fds, threads;
};

static void
proc_read(pid_t pid, struct procinfo *pi)
{
	char path[64], line[256];
	struct dirent *de;
	FILE *fp;
	DIR *d;

	memset(pi, 0, sizeof(*pi));
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL) {
			sscanf(line, "VmRSS: %ld", &pi->rss_kib);
			sscanf(line, "RssAnon: %ld", &pi->anon_kib);
			sscanf(line, "Threads: %ld", &pi->threads);
		}
		fclose(fp);
	}
	/* the share of the library pages other processes map too */
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	if ((fp = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), fp) != NULL)
			sscanf(line, "Pss: %ld", &pi->pss_kib);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				pi->fds++;
		closedir(d);
	}
}

static void
proc_json(const char *test, long flows, const struct procinfo *pi)
{
	printf("{\"test\":\"%s\",\"flows\":%ld,\"rss_kib\":%ld,"
	    "\"rss_anon_kib\":%ld,\"pss_kib\":%ld,\"fds\":%ld,"
	    "\"threads\":%ld", test, flows, pi->rss_kib, pi->anon_kib,
	    pi->pss_kib, pi->fds, pi->threads);
}

/* PROBES complete flows one after another, users 1..PROBES. */
static void
probe(struct flowstats *fs)
{
	static struct waiter w = { .cond = PTHREAD_COND_INITIALIZER };
	static long seq;
	int i;

	stats_init(fs);
	for (i = 1; i <= opt.probes; i++)
		if (one_flow(i, &w, &seq, fs) == 0)
			atomic_fetch_add(&fs->done, 1);
		else
			atomic_fetch_add(&fs->errors, 1);
}

/*
 * Opens flows [have, want) in batches: connect, HELLO and START on a
 * batch, then collect the answers.  Users after the probes' own.
 */
static int
hold_open(int *fds, long have, long want)
{
	const long batch = 256;
	char user[64];
	struct msg ans;
	long i, j, end;
	int span = opt.nusers - opt.probes;

	for (i = have; i < want; i = end) {
		end = i + batch < want ? i + batch : want;
		for (j = i; j < end; j++) {
			snprintf(user, sizeof(user), "%s%05d", opt.prefix,
			    opt.probes + 1 + (int)(j % span));
			if ((fds[j] = dial()) < 0 || send_hello(fds[j], NULL) != 0 ||
			    send_start(fds[j], user) != 0) {
				fprintf(stderr, "flowload: flow %ld: cannot "
				    "connect: %s\n", j, strerror(errno));
				return -1;
			}
		}
		for (j = i; j < end; j++)
			if (expect(fds[j], SSPR_MSG_HELLO_OK, &ans) != 0 ||
			    expect(fds[j], SSPR_MSG_CHALLENGE, &ans) != 0) {
				fprintf(stderr, "flowload: flow %ld: no "
				    "CHALLENGE (got %s reason %u)\n", j,
				    msg_name(ans.type), ans.type ==
				    SSPR_MSG_FAIL ? ans.u.reason : 0);
				return -1;
			}
	}
	return 0;
}

/* Until the sink has every mail asked for, or 120 s. */
static double
wait_mails(long total)
{
	int64_t t0 = now_us();

	while (atomic_load(&mails_seen) < total &&
	    now_us() - t0 < 120LL * 1000000)
		sleep_ms(20);
	return (double)(now_us() - t0) / 1e6;
}

static int
run_hold(void)
{
	struct flowstats fs;
	struct procinfo base, pi;
	long counts[8], want, have = 0, max = 0, mails;
	double fill, drain;
	char *tok, *save = NULL;
	int ncounts = 0, k;
	int64_t t0;
	int *fds;
	long i;

	for (tok = strtok_r(opt.counts, ",", &save); tok != NULL &&
	    ncounts < 8; tok = strtok_r(NULL, ",", &save)) {
		counts[ncounts] = atol(tok);
		if (counts[ncounts] > max)
			max = counts[ncounts];
		ncounts++;
	}
	if (max < 1 || (fds = calloc((size_t)max, sizeof(*fds))) == NULL ||
	    watch_start() != 0)
		return 1;
	proc_read(opt.daemon, &pi);
	proc_json("idle", 0, &pi);
	printf("}\n");
	/* warm: the directory connections open, TLS contexts loaded */
	probe(&fs);
	mails = opt.probes;
	proc_read(opt.daemon, &base);
	proc_json("warm", 0, &base);
	printf(",\"probe_errors\":%ld,", atomic_load(&fs.errors));
	stats_json(&fs);
	for (k = 0; k < ncounts; k++) {
		want = counts[k];
		if (want <= have)
			continue;
		t0 = now_us();
		if (hold_open(fds, have, want) != 0)
			return 1;
		fill = (double)(now_us() - t0) / 1e6;
		mails += want - have;
		have = want;
		drain = wait_mails(mails);
		sleep_ms(500);
		proc_read(opt.daemon, &pi);
		probe(&fs);
		proc_json("held", have, &pi);
		printf(",\"per_flow_bytes\":%.0f,\"fill_secs\":%.2f,"
		    "\"fill_rate\":%.0f,\"drain_secs\":%.2f,"
		    "\"mails_missing\":%ld,\"probe_errors\":%ld,",
		    (double)(pi.rss_kib - base.rss_kib) * 1024 / (double)have,
		    fill, (double)have / fill, drain,
		    mails > atomic_load(&mails_seen) ? mails -
		    atomic_load(&mails_seen) : 0, atomic_load(&fs.errors));
		mails += opt.probes;
		stats_json(&fs);
	}
	for (i = 0; i < have; i++)
		close(fds[i]);
	free(fds);
	sleep_ms(1000);
	proc_read(opt.daemon, &pi);
	proc_json("released", 0, &pi);
	printf("}\n");
	return 0;
}

/* --- startup: exec to the first HELLO_OK -------------------------------- */

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
start_once(char **argv)
{
	int64_t t0, limit;
	struct msg ans;
	double ms = -1;
	pid_t pid;
	int fd, null;

	t0 = now_us();
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		if ((null = open("/dev/null", O_WRONLY)) >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	limit = t0 + 10LL * 1000000;
	while (now_us() < limit) {
		if ((fd = dial()) >= 0) {
			if (send_hello(fd, NULL) == 0 &&
			    expect(fd, SSPR_MSG_HELLO_OK, &ans) == 0)
				ms = (double)(now_us() - t0) / 1000.0;
			close(fd);
			if (ms >= 0)
				break;
		}
		usleep(200);
	}
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	return ms;
}

static int
run_startup(char **argv)
{
	double *v = calloc((size_t)opt.runs, sizeof(double));
	int i;

	if (v == NULL)
		return 1;
	for (i = 0; i < opt.runs; i++)
		if ((v[i] = start_once(argv)) < 0) {
			fprintf(stderr, "flowload: the daemon did not answer "
			    "within 10 s\n");
			return 1;
		}
	qsort(v, (size_t)opt.runs, sizeof(double), cmp_d);
	printf("{\"test\":\"startup\",\"runs\":%d,\"p50\":%.2f,\"min\":%.2f,"
	    "\"max\":%.2f}\n", opt.runs, v[opt.runs / 2], v[0],
	    v[opt.runs - 1]);
	free(v);
	return 0;
}

/* --- idle: the first flow after an idle period against warm ones -------- */

/*
 * RUNS times: two flows back to back (the second is warm: the directory
 * and mail connections the first used are open), then SECS of nothing,
 * then one flow (cold, when SECS passes the daemon's idle_timeout and
 * mail reuse_seconds).  Each kind's step latencies, as "load" prints them.
 */
static int
run_idle(void)
{
	struct flowstats warm, cold, skip;
	struct waiter w = { 0 };
	long seq = 0;
	int i, u = 1;

	if (watch_start() != 0)
		return 1;
	pthread_cond_init(&w.cond, NULL);
	stats_init(&warm);
	stats_init(&cold);
	stats_init(&skip);
	for (i = 0; i < opt.runs; i++) {
		if (one_flow(u, &w, &seq, &skip) != 0 ||
		    one_flow(u % opt.nusers + 1, &w, &seq, &warm) != 0)
			atomic_fetch_add(&warm.errors, 1);
		sleep_ms((long)(opt.secs * 1000));
		if (one_flow((u + 1) % opt.nusers + 1, &w, &seq, &cold) != 0)
			atomic_fetch_add(&cold.errors, 1);
		u = (u + 2) % opt.nusers + 1;
	}
	printf("{\"test\":\"idle-warm\",\"runs\":%d,\"errors\":%ld,",
	    opt.runs, atomic_load(&warm.errors));
	stats_json(&warm);
	printf("{\"test\":\"idle-cold\",\"runs\":%d,\"idle_secs\":%.1f,"
	    "\"errors\":%ld,", opt.runs, opt.secs, atomic_load(&cold.errors));
	stats_json(&cold);
	return 0;
}

/* ------------------------------------------------------------------------- */

static void
usage(void)
{
	fprintf(stderr, "usage: flowload load|hold|idle|startup -s SOCK [options]; "
	    "see the comment at the top of bench/flowload.c\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char *mode;
	int ch;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((ch = getopt(argc, argv, "s:m:u:n:c:t:w:R:p:N:P:r:")) != -1) {
		switch (ch) {
		case 's':
			if (opt.nsocks == (int)(sizeof(opt.socks) /
			    sizeof(opt.socks[0])))
				usage();
			opt.socks[opt.nsocks++] = optarg;
			if (opt.sock == NULL)
				opt.sock = optarg;
			break;
		case 'm': opt.maildir = optarg; break;
		case 'u': opt.prefix = optarg; break;
		case 'n': opt.nusers = atoi(optarg); break;
		case 'c': opt.flows = atoi(optarg); break;
		case 't': opt.secs = atof(optarg); break;
		case 'w': opt.warm = atof(optarg); break;
		case 'R': opt.ramp = atof(optarg); break;
		case 'p': opt.daemon = (pid_t)atoi(optarg); break;
		case 'N': opt.counts = optarg; break;
		case 'P': opt.probes = atoi(optarg); break;
		case 'r': opt.runs = atoi(optarg); break;
		default: usage();
		}
	}
	signal(SIGPIPE, SIG_IGN);
	opt.runid = (unsigned)time(NULL) ^ ((unsigned)getpid() << 16);
	if (opt.sock == NULL)
		usage();
	if (strcmp(mode, "startup") == 0) {
		if (optind >= argc || opt.runs < 1)
			usage();
		return run_startup(argv + optind);
	}
	if (opt.maildir == NULL || opt.prefix == NULL || opt.nusers < 1)
		usage();
	if (strcmp(mode, "load") == 0) {
		if (opt.flows < 1 || opt.flows > opt.nusers)
			usage();
		return run_load();
	}
	if (strcmp(mode, "idle") == 0) {
		if (opt.runs < 1 || opt.nusers < 4)
			usage();
		return run_idle();
	}
	if (strcmp(mode, "hold") == 0) {
		if (opt.daemon <= 0 || opt.counts == NULL || opt.probes < 1 ||
		    opt.probes >= opt.nusers)
			usage();
		return run_hold();
	}
	usage();
	return 2;
}
