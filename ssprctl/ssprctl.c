/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ssprctl: the administrator's view of sspr-helperd.  Talks to the daemon
 * over its socket (root only) for status, unblock, test-mail, reload, the
 * registration report, new recovery codes and the notice of an issued
 * pass; reads the audit file for the activity report.  With --server
 * (once or more), the same of reset servers over TLS (remote.c), their
 * activity merged into one fleet view.
 *
 *   ssprctl [-c CONFIG] [-s SOCKET | --server NAME:PORT...]
 *           [-f table|csv|json] COMMAND [ARGS]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "auditread.h"
#include "cfg.h"
#include "remote.h"
#include "frame.h"
#include "msg.h"
#include "passcmd.h"
#include "wire.h"

#define DEFAULT_CONFIG	"/etc/sspr/sspr-helperd.conf"
#define MAX_ROWS	200000
#define MAX_COLS	12
#define MAX_SERVERS	32	/* --server, in all */
#define ROWS_PER_SERVER	20000	/* a server sends 2000 (admin_work.c) */

enum format { F_TABLE, F_CSV, F_JSON };

struct table {
	const char	*head[MAX_COLS];
	int		 ncols;
	char		***rows;
	size_t		 n, cap;
	size_t		 dropped;	/* past MAX_ROWS */
};

static void
usage(FILE *fp)
{
	fprintf(fp,
	    "usage: ssprctl [-c CONFIG] [-s SOCKET | --server NAME:PORT...] "
	    "[-f table|csv|json] COMMAND\n"
	    "  (--server again, or NAME:PORT,NAME:PORT: status, unblock, reload"
	    "\n   and report activity of each reset server; the activity "
	    "merged)\n"
	    "commands:\n"
	    "  status                       is the daemon healthy?\n"
	    "  report registration          who registered which methods\n"
	    "  report activity [--since T]  resets, unlocks, failures (T: 24h,"
	    " 7d,\n"
	    "                               30m or 2026-11-23[THH:MM:SSZ])\n"
	    "  unblock USER                 clear USER's throttle counters\n"
	    "  rcodes issue USER            ten new recovery codes for USER,"
	    " printed\n"
	    "                               once (the old ones stop"
	    " working)\n"
	    "  test-mail ADDRESS            send a test message\n"
	    "  reload                       re-read the configuration\n"
	    "  pass issue USER [--lifetime T] --as DN [--password-fd N]\n"
	    "                               a helpdesk one-time pass for USER"
	    " (T: 1h,\n"
	    "                               30m; bound as DN, its password"
	    " asked)\n"
	    "  pass revoke USER --as DN     remove USER's pass\n"
	    "  pass list --as DN            who has a pass, until when, from"
	    " whom\n");
}

/* --- a table in three formats -------------------------------------- */

static void
table_add(struct table *t, char **cells)
{
	char ***n;
	int c;

	if (t->n == MAX_ROWS) {
		for (c = 0; c < t->ncols; c++)
			free(cells[c]);
		free(cells);
		t->dropped++;
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		if ((n = realloc(t->rows, t->cap * sizeof(*n))) == NULL) {
			perror("ssprctl");
			exit(1);
		}
		t->rows = n;
	}
	t->rows[t->n++] = cells;
}

static void
table_free(struct table *t)
{
	size_t i;
	int j;

	for (i = 0; i < t->n; i++) {
		for (j = 0; j < t->ncols; j++)
			free(t->rows[i][j]);
		free(t->rows[i]);
	}
	free(t->rows);
}

/*
 * A cell that begins with = + - or @ is a formula to a spreadsheet, and
 * what a user typed or a server sent may begin so: a quote before it
 * keeps it text.  A lone "-" (nothing) stays as it is.
 */
static void
csv_cell(const char *s)
{
	const char *lead = strchr("=+-@", s[0]) != NULL && s[0] != '\0' &&
	    strcmp(s, "-") != 0 ? "'" : "";

	if (strpbrk(s, ",\"\n") == NULL) {
		printf("%s%s", lead, s);
		return;
	}
	printf("\"%s", lead);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			putchar('"');
		putchar(*s);
	}
	putchar('"');
}

static void
json_cell(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void
table_print(const struct table *t, enum format f)
{
	size_t w[MAX_COLS] = { 0 }, i, len;
	int c;

	if (f == F_JSON) {
		printf("[");
		for (i = 0; i < t->n; i++) {
			printf("%s\n  {", i ? "," : "");
			for (c = 0; c < t->ncols; c++) {
				printf("%s\"%s\": ", c ? ", " : "", t->head[c]);
				json_cell(t->rows[i][c]);
			}
			printf("}");
		}
		printf("\n]\n");
		return;
	}
	if (f == F_CSV) {
		for (c = 0; c < t->ncols; c++)
			printf("%s%s", c ? "," : "", t->head[c]);
		putchar('\n');
		for (i = 0; i < t->n; i++) {
			for (c = 0; c < t->ncols; c++) {
				if (c)
					putchar(',');
				csv_cell(t->rows[i][c]);
			}
			putchar('\n');
		}
		return;
	}
	for (c = 0; c < t->ncols; c++)
		w[c] = strlen(t->head[c]);
	for (i = 0; i < t->n; i++)
		for (c = 0; c < t->ncols; c++)
			if ((len = strlen(t->rows[i][c])) > w[c])
				w[c] = len;
	for (c = 0; c < t->ncols; c++)
		printf("%-*s%s", c + 1 < t->ncols ? (int)w[c] : 0,
		    t->head[c], c + 1 < t->ncols ? "  " : "\n");
	for (i = 0; i < t->n; i++)
		for (c = 0; c < t->ncols; c++)
			printf("%-*s%s", c + 1 < t->ncols ? (int)w[c] : 0,
			    t->rows[i][c], c + 1 < t->ncols ? "  " : "\n");
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * One field of an ADMIN_LINE: %XX back to the byte.  The fields come from
 * the directory and go to a terminal, and decoding can make what the wire
 * refused (controls, C1, bidi overrides): those become '?'.
 */
static char *
decode(const char *p, size_t n)
{
	char *out = malloc(n + 1);
	size_t i, o = 0;
	int hi, lo;

	if (out == NULL)
		exit(1);
	for (i = 0; i < n; i++) {
		if (p[i] == '%' && i + 2 < n && (hi = hexval(p[i + 1])) >= 0 &&
		    (lo = hexval(p[i + 2])) >= 0) {
			out[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[o++] = p[i];
	}
	out[o] = '\0';
	wire_text_clean(out, 0);
	return out;
}

/* Splits an ADMIN_LINE into ncols decoded cells ("" where missing). */
static char **
split(const char *line, int ncols)
{
	char **cells = calloc((size_t)ncols, sizeof(*cells));
	const char *p = line, *sp;
	int c;

	if (cells == NULL)
		exit(1);
	for (c = 0; c < ncols; c++) {
		if (p == NULL) {
			cells[c] = strdup("");
			continue;
		}
		sp = strchr(p, ' ');
		cells[c] = decode(p, sp ? (size_t)(sp - p) : strlen(p));
		p = sp ? sp + 1 : NULL;
	}
	return cells;
}

/* --- talking to the daemon ------------------------------------------- */

/* --server: reset servers, reached with the config's [fleet] files */
static const char	*remotes[MAX_SERVERS];
static int		 nremotes;
static const char	*remote;	/* the one asked now */
static struct cfg	*remote_cfg;

static int
dial(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "ssprctl: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int
discard_line(void *ctx, const char *line)
{
	(void)ctx;
	(void)line;
	return 0;
}

/*
 * One admin request; each ADMIN_LINE goes to on_line, which returns
 * non-zero to read no more (a server that sends without end: the answer
 * is then left unread, and 0 returned).  Returns the daemon's status (0
 * ok, 1 failed), or 3 when it could not be asked.
 */
static int
request(const char *sock, uint16_t op, const char *arg,
    int (*on_line)(void *, const char *), void *ctx)
{
	struct msg m = { .type = SSPR_MSG_HELLO };
	int fd, r;

	if ((fd = remote ? remote_dial(remote_cfg, remote) : dial(sock)) < 0)
		return 3;
	m.u.hello.version = SSPR_PROTO_CUR;
	snprintf(m.u.hello.service, sizeof(m.u.hello.service), "ssprctl");
	if (frame_send_msg(fd, &m, 5000) != 0 ||
	    frame_recv_msg(fd, &m, 10000) != 0 ||
	    m.type != SSPR_MSG_HELLO_OK) {
		fprintf(stderr, "ssprctl: the daemon did not answer HELLO%s\n",
		    m.type == SSPR_MSG_FAIL ? " (refused)" : "");
		close(fd);
		return 3;
	}
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_ADMIN;
	m.u.admin.op = op;
	snprintf(m.u.admin.arg, sizeof(m.u.admin.arg), "%s", arg ? arg : "");
	if (frame_send_msg(fd, &m, 5000) != 0) {
		close(fd);
		return 3;
	}
	for (;;) {
		if ((r = frame_recv_msg(fd, &m, 300000)) != 0) {
			fprintf(stderr, "ssprctl: %s\n", frame_strerror(r));
			close(fd);
			return 3;
		}
		if (m.type == SSPR_MSG_ADMIN_LINE) {
			r = on_line(ctx, m.u.line);
			explicit_bzero(m.u.line, sizeof(m.u.line));
			if (r == 0)
				continue;
			close(fd);
			return 0;
		}
		close(fd);
		if (m.type == SSPR_MSG_FAIL) {
			fprintf(stderr, "ssprctl: refused (reason %u); only root "
			    "may ask\n", m.u.reason);
			return 3;
		}
		if (m.type != SSPR_MSG_ADMIN_END)
			return 3;
		/* a report's rows are the output; its closing word is not */
		if (m.u.admin_end.status != 0)
			fprintf(stderr, "ssprctl: %s%s%s\n", remote ? remote :
			    "", remote ? ": " : "", m.u.admin_end.message);
		else if (op != SSPR_ADMIN_REPORT && op != SSPR_ADMIN_ACTIVITY)
			printf("%s\n", m.u.admin_end.message);
		else if (strncmp(m.u.admin_end.message, ACT_CUT_NOTE,
		    strlen(ACT_CUT_NOTE)) == 0)
			fprintf(stderr, "ssprctl: %s: %s\n", remote ? remote :
			    "daemon", m.u.admin_end.message);
		return m.u.admin_end.status ? 1 : 0;
	}
}

/*
 * The pass is written: the daemon tells the person (at the addresses it
 * finds itself).  Its failure does not undo the pass nor fail the
 * command, but the helpdesk must know nobody was told.
 */
static void
pass_notice(const char *sock, const char *user)
{
	if (request(sock, SSPR_ADMIN_PASS_ISSUED, user, discard_line,
	    NULL) != 0)
		fprintf(stderr, "ssprctl: WARNING: the pass stands, but %s "
		    "was not notified of it\n", user);
}

static int
print_line(void *ctx, const char *line)
{
	char **cells = split(line, 2);

	(void)ctx;
	printf("%-15s %s\n", cells[0], cells[1]);
	/* rcodes issue: the lines are recovery codes */
	explicit_bzero(cells[0], strlen(cells[0]));
	explicit_bzero(cells[1], strlen(cells[1]));
	free(cells[0]);
	free(cells[1]);
	free(cells);
	return 0;
}

static int
add_row(void *ctx, const char *line)
{
	struct table *t = ctx;
	char **cells = split(line, 4);
	time_t when;
	struct tm tm;
	char buf[32];

	/* registered: unix seconds -> a date a person reads */
	if (strcmp(cells[2], "-") != 0 && (when = (time_t)atoll(cells[2])) > 0) {
		gmtime_r(&when, &tm);
		strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
		free(cells[2]);
		cells[2] = strdup(buf);
	}
	table_add(t, cells);
	return 0;
}

/* A row of pass list, as passcmd.c made it. */
static void
pass_row(void *ctx, char **cells)
{
	table_add(ctx, cells);
}

/* --- the audit file -------------------------------------------------- */

/* "24h", "7d", "30m", "2026-11-23", "2026-11-23T10:00:00Z" -> unix time */
static long long
parse_since(const char *s)
{
	struct tm tm = { 0 };
	char *end;
	long long n;

	n = strtoll(s, &end, 10);
	if (end != s && *end != '\0' && end[1] == '\0') {
		if (*end == 'm')
			return time(NULL) - n * 60;
		if (*end == 'h')
			return time(NULL) - n * 3600;
		if (*end == 'd')
			return time(NULL) - n * 86400;
	}
	if ((n = act_parse_time(s)) >= 0)
		return n;
	if ((end = strptime(s, "%Y-%m-%d", &tm)) != NULL && *end == '\0')
		return timegm(&tm);
	return -1;
}

/* The activity table's columns, and which record field each shows. */
static const char *const act_cols[] = { "time", "server", "host", "event",
    "result", "reason", "user", "source", "service", "caller" };
static const int act_from[] = { ACT_TIME, ACT_SERVER, ACT_HOST, ACT_EVENT,
    ACT_RESULT, ACT_REASON, ACT_USER, ACT_SOURCE, ACT_SERVICE, ACT_CALLER };
#define ACT_COLS	((int)(sizeof(act_cols) / sizeof(act_cols[0])))

static void
act_table(struct table *t)
{
	int c;

	t->ncols = ACT_COLS;
	for (c = 0; c < ACT_COLS; c++)
		t->head[c] = act_cols[c];
}

/* This host's audit file: the records to pass over, then the table's. */
struct act_local {
	struct table	*t;
	size_t		 seen, skip;
};

static void
act_count(void *ctx, const struct act_row *row)
{
	(void)row;
	((struct act_local *)ctx)->seen++;
}

static void
act_local_row(void *ctx, const struct act_row *row)
{
	struct act_local *al = ctx;
	char **cells;
	int c;

	if (al->seen++ < al->skip)
		return;
	if ((cells = calloc(ACT_COLS, sizeof(*cells))) == NULL)
		exit(1);
	for (c = 0; c < ACT_COLS; c++)
		if ((cells[c] = strdup(row->f[act_from[c]])) == NULL)
			exit(1);
	table_add(al->t, cells);
}

/*
 * The newest MAX_ROWS records since from, as a server keeps its newest
 * (a busy host's oldest are the least wanted): counted first, then read.
 * The older left out in *older; -1 (errno) when the file cannot be read.
 */
static int
activity_local(const char *file, long long from, struct table *t,
    size_t *older)
{
	struct act_local al = { .t = t };

	if (act_read(file, from, act_count, &al) != 0)
		return -1;
	al.skip = *older = al.seen > MAX_ROWS ? al.seen - MAX_ROWS : 0;
	al.seen = 0;
	return act_read(file, from, act_local_row, &al);
}

struct act_remote {
	struct table	*t;
	const char	*server;
	size_t		 n;
	int		 cut;		/* sent more than ROWS_PER_SERVER */
};

/*
 * A record a reset server sent: its fields as auditread.h orders them,
 * decoded and cleaned (split); the server column is the one asked, not
 * what it says of itself.  A time that is none shows as '?'; past
 * ROWS_PER_SERVER the server is read no more, however much it sends.
 */
static int
act_remote_row(void *ctx, const char *line)
{
	struct act_remote *ar = ctx;
	char **f, **cells, when_text[32];
	long long when;
	int c, i;

	if (ar->n == ROWS_PER_SERVER) {
		ar->cut = 1;
		return 1;
	}
	ar->n++;
	f = split(line, ACT_NFIELDS);
	if ((cells = calloc(ACT_COLS, sizeof(*cells))) == NULL)
		exit(1);
	for (c = 0; c < ACT_COLS; c++) {
		i = act_from[c];
		cells[c] = f[i];
		f[i] = NULL;
	}
	free(cells[1]);
	cells[1] = strdup(ar->server);
	/* as a time sorts as text: strptime also takes " 2026-1-3T..." */
	if ((when = act_parse_time(cells[0])) >= 0)
		act_time_text(when, when_text, sizeof(when_text));
	else
		snprintf(when_text, sizeof(when_text), "?");
	free(cells[0]);
	cells[0] = strdup(when_text);
	if (cells[0] == NULL || cells[1] == NULL)
		exit(1);
	for (i = 0; i < ACT_NFIELDS; i++)
		free(f[i]);
	free(f);
	table_add(ar->t, cells);
	return 0;
}

/*
 * Oldest first; among the same second, the order they came in (each
 * server's file order, the servers in the order given): a merge sort,
 * as qsort is not stable.  The time cells sort as text (ISO 8601).
 */
static void
rows_sort(char ***rows, char ***tmp, size_t n)
{
	size_t h = n / 2, i = 0, j = h, o = 0;

	if (n < 2)
		return;
	rows_sort(rows, tmp, h);
	rows_sort(rows + h, tmp, n - h);
	while (i < h || j < n)
		tmp[o++] = j >= n || (i < h && strcmp(rows[i][0],
		    rows[j][0]) <= 0) ? rows[i++] : rows[j++];
	memcpy(rows, tmp, n * sizeof(*rows));
}

static int request(const char *, uint16_t, const char *,
    int (*)(void *, const char *), void *);

/*
 * Every reset server's records since from, merged; a server that cannot
 * be asked is said on stderr and the others shown (status 1).
 */
static int
activity_fleet(long long from, struct table *t)
{
	struct act_remote ar = { .t = t };
	char arg[32], ***tmp;
	int i, r = 0;

	snprintf(arg, sizeof(arg), "%lld", from);
	for (i = 0; i < nremotes; i++) {
		remote = ar.server = remotes[i];
		ar.n = 0;
		ar.cut = 0;
		if (request(NULL, SSPR_ADMIN_ACTIVITY, arg, act_remote_row,
		    &ar) == 0)
			;
		else if (ar.n == 0) {
			fprintf(stderr, "ssprctl: %s: no activity from this "
			    "server\n", remotes[i]);
			r = 1;
		} else {
			/* what came is shown; that it is not all is said */
			fprintf(stderr, "ssprctl: %s: its answer broke off: "
			    "%zu records shown, the rest missing\n",
			    remotes[i], ar.n);
			r = 1;
		}
		if (ar.cut)
			fprintf(stderr, "ssprctl: %s: sent more than %d "
			    "records; the first %d shown, the rest not read\n",
			    remotes[i], ROWS_PER_SERVER, ROWS_PER_SERVER);
	}
	if (t->n > 1) {
		if ((tmp = malloc(t->n * sizeof(*tmp))) == NULL)
			exit(1);
		rows_sort(t->rows, tmp, t->n);
		free(tmp);
	}
	return r;
}

static int
activity(const char *file, const char *since, enum format f)
{
	struct table t = { 0 };
	long long from = since ? parse_since(since) : 0;
	size_t older = 0;
	int r = 0;

	if (from < 0) {
		fprintf(stderr, "ssprctl: --since %s: not a time (24h, 7d, 30m, "
		    "2026-11-23 or 2026-11-23T10:00:00Z)\n", since);
		return 2;
	}
	act_table(&t);
	if (nremotes > 0)
		r = activity_fleet(from, &t);
	else if (*file == '\0') {
		fprintf(stderr, "ssprctl: no audit file: set [audit] file in "
		    "the daemon's configuration\n");
		return 2;
	} else if (activity_local(file, from, &t, &older) != 0) {
		fprintf(stderr, "ssprctl: %s: %s\n", file, strerror(errno));
		return 1;
	}
	table_print(&t, f);
	if (older > 0)
		fprintf(stderr, "ssprctl: the newest %d records; %zu older left "
		    "out (narrow --since)\n", MAX_ROWS, older);
	if (t.dropped > 0)
		fprintf(stderr, "ssprctl: %zu more records left out (at most "
		    "%d shown)\n", t.dropped, MAX_ROWS);
	table_free(&t);
	return r;
}

/* --- main -------------------------------------------------------------- */

/* --server NAME:PORT[,NAME:PORT...], given once or more. */
static int
add_servers(char *list)
{
	char *p, *save = NULL;

	for (p = strtok_r(list, ", ", &save); p != NULL;
	    p = strtok_r(NULL, ", ", &save)) {
		if (nremotes == MAX_SERVERS) {
			fprintf(stderr, "ssprctl: --server: at most %d\n",
			    MAX_SERVERS);
			return -1;
		}
		remotes[nremotes++] = p;
	}
	if (nremotes == 0) {
		fprintf(stderr, "ssprctl: --server needs NAME:PORT\n");
		return -1;
	}
	remote = remotes[0];
	return 0;
}

/*
 * A request of status, unblock or reload to each --server in turn, each
 * answer under its server's name; or to the one daemon.  The worst
 * status.
 */
static int
each_server(const char *sock, uint16_t op, const char *arg)
{
	int i, r, worst = 0;

	if (nremotes <= 1)
		return request(sock, op, arg, print_line, NULL);
	for (i = 0; i < nremotes; i++) {
		remote = remotes[i];
		printf("%s%s:\n", i ? "\n" : "", remote);
		fflush(stdout);
		if ((r = request(sock, op, arg, print_line, NULL)) > worst)
			worst = r;
	}
	return worst;
}

static struct cfg *
read_config(const char *path)
{
	char err[1024], *text;
	struct cfg *c;
	ssize_t n;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 ||
	    (text = malloc(65536)) == NULL) {
		fprintf(stderr, "ssprctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	while ((n = read(fd, text + len, 65535 - len)) > 0)
		len += (size_t)n;
	close(fd);
	c = cfg_parse(path, text, len, err, sizeof(err));
	free(text);
	if (c == NULL)
		fprintf(stderr, "ssprctl: %s\n", err);
	return c;
}

static char	outbuf[BUFSIZ];

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "socket", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "since", required_argument, NULL, 'S' },
		{ "file", required_argument, NULL, 'F' },
		{ "lifetime", required_argument, NULL, 'L' },
		{ "as", required_argument, NULL, 'A' },
		{ "password-fd", required_argument, NULL, 'P' },
		{ "server", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config = DEFAULT_CONFIG, *sock = NULL, *since = NULL;
	const char *file = NULL, *cmd;
	struct table t = { .ncols = 4, .head = { "user", "methods",
	    "registered", "dn" } };
	struct table pt = { .ncols = 5, .head = { "user", "until", "state",
	    "issuer", "dn" } };
	char *end;
	long fdl;
	struct pass_opts po = { .password_fd = -1, .row = pass_row, .ctx = &pt };
	enum format fmt = F_TABLE;
	struct cfg *c;
	int ch, r;

	/*
	 * stdout's buffer is ours, to be wiped: stdio's own would keep the
	 * codes of rcodes issue and the pass of pass issue.  Static: exit()
	 * flushes after main has returned.  The usual buffering otherwise.
	 */
	setvbuf(stdout, outbuf, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF,
	    sizeof(outbuf));
	while ((ch = getopt_long(argc, argv, "c:s:f:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': config = optarg; break;
		case 's': sock = optarg; break;
		case 'S': since = optarg; break;
		case 'F': file = optarg; break;
		case 'L': po.lifetime = optarg; break;
		case 'A': po.as = optarg; break;
		case 'P':
			/* not cut to an int: 4294967296 would be stdin */
			fdl = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || fdl < 0 ||
			    fdl > INT_MAX) {
				usage(stderr);
				return 2;
			}
			po.password_fd = (int)fdl;
			break;
		case 'R':
			if (add_servers(optarg) != 0)
				return 2;
			break;
		case 'f':
			if (strcmp(optarg, "table") == 0)
				fmt = F_TABLE;
			else if (strcmp(optarg, "csv") == 0)
				fmt = F_CSV;
			else if (strcmp(optarg, "json") == 0)
				fmt = F_JSON;
			else {
				usage(stderr);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if ((c = read_config(config)) == NULL)
		return 2;
	if (sock == NULL)
		sock = c->socket;
	remote_cfg = c;
	if (file == NULL)
		file = c->audit_file;
	cmd = argv[optind];
	if (nremotes > 1 && strcmp(cmd, "status") != 0 &&
	    strcmp(cmd, "reload") != 0 && strcmp(cmd, "unblock") != 0 &&
	    strcmp(cmd, "report") != 0) {
		fprintf(stderr, "ssprctl: %s: one --server only (several are for "
		    "status, unblock, reload and report activity)\n", cmd);
		r = 2;
	} else if (nremotes > 1 && strcmp(cmd, "report") == 0 &&
	    optind + 2 == argc && strcmp(argv[optind + 1], "activity") != 0) {
		fprintf(stderr, "ssprctl: report %s: one --server only (the "
		    "servers share the directory)\n", argv[optind + 1]);
		r = 2;
	} else if (strcmp(cmd, "status") == 0 && optind + 1 == argc)
		r = each_server(sock, SSPR_ADMIN_STATUS, NULL);
	else if (strcmp(cmd, "reload") == 0 && optind + 1 == argc)
		r = each_server(sock, SSPR_ADMIN_RELOAD, NULL);
	else if (strcmp(cmd, "unblock") == 0 && optind + 2 == argc)
		r = each_server(sock, SSPR_ADMIN_UNBLOCK, argv[optind + 1]);
	else if (strcmp(cmd, "rcodes") == 0 && optind + 3 == argc &&
	    strcmp(argv[optind + 1], "issue") == 0)
		r = request(sock, SSPR_ADMIN_RCODES, argv[optind + 2],
		    print_line, NULL);
	else if (strcmp(cmd, "test-mail") == 0 && optind + 2 == argc)
		r = request(sock, SSPR_ADMIN_TEST_MAIL, argv[optind + 1],
		    print_line, NULL);
	else if (strcmp(cmd, "report") == 0 && optind + 2 == argc &&
	    strcmp(argv[optind + 1], "registration") == 0) {
		r = request(sock, SSPR_ADMIN_REPORT, NULL, add_row, &t);
		if (r == 0)
			table_print(&t, fmt);
		table_free(&t);
	} else if (strcmp(cmd, "report") == 0 && optind + 2 == argc &&
	    strcmp(argv[optind + 1], "activity") == 0)
		r = activity(file, since, fmt);
	else if (strcmp(cmd, "pass") == 0 && optind + 3 == argc &&
	    (strcmp(argv[optind + 1], "issue") == 0 ||
	    strcmp(argv[optind + 1], "revoke") == 0)) {
		po.verb = argv[optind + 1];
		po.user = argv[optind + 2];
		r = pass_command(c, &po);
		if (r == 0 && strcmp(po.verb, "issue") == 0)
			pass_notice(sock, po.user);
	} else if (strcmp(cmd, "pass") == 0 && optind + 2 == argc &&
	    strcmp(argv[optind + 1], "list") == 0) {
		po.verb = "list";
		if ((r = pass_command(c, &po)) == 0)
			table_print(&pt, fmt);
		table_free(&pt);
	} else {
		usage(stderr);
		r = 2;
	}
	cfg_unref(c);
	/* out goes the only copy of a new recovery code or pass in stdio */
	fflush(stdout);
	explicit_bzero(outbuf, sizeof(outbuf));
	return r;
}
