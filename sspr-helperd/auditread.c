/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditread.c: see auditread.h.  The file is ours (audit.c writes one
 * flat JSON object a line), but it is read as untrusted text all the
 * same: a line too long is skipped whole, every field is bounded and
 * cleaned of what a terminal would obey.  No file-scope state.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auditread.h"
#include "wire.h"

#define LINE_MAX_READ	4096	/* audit.c writes at most 2 KiB a line */
#define BACK_CHUNK	(64 * 1024)	/* read at a time from the end */
/*
 * audit.c takes a record's time before it waits for the file's lock, so
 * two threads' records may be written out of time order by a moment:
 * reading back, a record this much older than since ends the read, not
 * the first one older.
 */
#define ORDER_SLACK_S	60

const char *const act_keys[ACT_NFIELDS] = {
	"time", "host", "event", "result", "reason", "user", "source",
	"service", "server", "caller"
};

/* "2026-11-23T10:00:00Z" -> unix seconds, or -1. */
long long
act_parse_time(const char *s)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);

	return end != NULL && *end == '\0' ? (long long)timegm(&tm) : -1;
}

/*
 * Unix seconds -> "2026-11-23T10:00:00Z" in out (at least 21 bytes): as
 * audit.c writes it, whatever strptime took (" 2026-1-2T3:4:5Z"), so
 * that the text sorts as the time does.
 */
void
act_time_text(long long when, char *out, size_t size)
{
	time_t t = (time_t)when;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, size, "?");
}

/*
 * The value of "key" in one of our flat JSON lines into out ("" when
 * absent): a string, or a number (caller).
 */
static void
json_get(const char *line, const char *key, char *out, size_t size)
{
	char pat[64];
	const char *p;
	size_t o = 0;

	out[0] = '\0';
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	if ((p = strstr(line, pat)) == NULL)
		return;
	p += strlen(pat);
	if (*p != '"') {
		while (*p >= '0' && *p <= '9' && o + 1 < size)
			out[o++] = *p++;
		out[o] = '\0';
		return;
	}
	for (p++; *p != '\0' && *p != '"' && o + 1 < size; p++) {
		if (*p == '\\' && p[1] != '\0')
			p++;
		out[o++] = *p;
	}
	out[o] = '\0';
	wire_text_clean(out, 0);	/* it goes to a terminal */
}

/* One line (with its newline) into row: 0, or -1 when it is no record. */
static int
row_parse(const char *line, struct act_row *row)
{
	int i;

	for (i = 0; i < ACT_NFIELDS; i++)
		json_get(line, act_keys[i], row->f[i], sizeof(row->f[i]));
	if ((row->when = act_parse_time(row->f[ACT_TIME])) < 0)
		return -1;
	act_time_text(row->when, row->f[ACT_TIME], sizeof(row->f[ACT_TIME]));
	return 0;
}

/*
 * Each record of path at or after since, in the file's order, to fn.
 * 0, or -1 (errno) when the file cannot be opened.
 */
int
act_read(const char *path, long long since,
    void (*fn)(void *, const struct act_row *), void *ctx)
{
	char line[LINE_MAX_READ];
	struct act_row *row;
	size_t len;
	int skip = 0, more;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	if ((row = malloc(sizeof(*row))) == NULL) {
		fclose(fp);
		return -1;
	}
	/*
	 * fgets fills the last byte only when it stops short of the line's
	 * end: strlen cannot tell, as a NUL byte in a line ends it early.
	 * The mark is set before each read, never over a line being parsed
	 * (a full line's terminating NUL is that byte).
	 */
	for (;;) {
		line[sizeof(line) - 1] = 'x';
		if (fgets(line, sizeof(line), fp) == NULL)
			break;
		more = line[sizeof(line) - 1] == '\0' &&
		    line[sizeof(line) - 2] != '\n';
		len = strlen(line);
		/* a line too long to be ours, or with a NUL: not a record */
		if (skip || len == 0 || line[len - 1] != '\n') {
			skip = more;
			continue;
		}
		if (row_parse(line, row) == 0 && row->when >= since)
			fn(ctx, row);
	}
	fclose(fp);
	free(row);
	return 0;
}

/* The file read backwards: its bytes [lo, lo + n) in buf. */
struct back {
	int		 fd;
	char		*buf;		/* BACK_CHUNK bytes */
	off_t		 lo, hi;	/* [0, hi) is still to be read */
	size_t		 n;
};

/* buf holds the BACK_CHUNK bytes (or fewer, at the start) before pos. */
static int
back_fill(struct back *b, off_t pos)
{
	ssize_t got;
	size_t o = 0;

	b->lo = pos > BACK_CHUNK ? pos - BACK_CHUNK : 0;
	b->n = (size_t)(pos - b->lo);
	while (o < b->n) {
		got = pread(b->fd, b->buf + o, b->n - o, b->lo + (off_t)o);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			/* cut short while read: not what was measured */
			if (got == 0)
				errno = EIO;
			return -1;
		}
		o += (size_t)got;
	}
	return 0;
}

/*
 * The line that ends at b->hi, as act_read takes lines: 1 with a line
 * that may be a record in *line (out's, with its newline), 0 for one
 * that is none (too long, a NUL in it, or the file's broken last line),
 * -1 at the file's start, -2 (errno) when it cannot be read.  out has
 * LINE_MAX_READ bytes; a line's bytes are kept only while they fit.
 */
static int
back_line(struct back *b, char *out, const char **line)
{
	const size_t cap = LINE_MAX_READ - 1;
	off_t pos = b->hi;
	size_t len = 0, look, from, part;
	const char *nl = NULL;
	int whole = 0, first = 1;

	if (pos == 0)
		return -1;
	while (pos > 0 && nl == NULL) {
		if (pos <= b->lo || pos > b->lo + (off_t)b->n)
			if (back_fill(b, pos) != 0)
				return -2;
		look = (size_t)(pos - b->lo);
		if (first)
			whole = b->buf[look - 1] == '\n';
		/* a line's own newline does not start it */
		nl = memrchr(b->buf, '\n', look - first);
		from = nl != NULL ? (size_t)(nl - b->buf) + 1 : 0;
		part = look - from;
		if (len + part <= cap)
			memcpy(out + cap - len - part, b->buf + from, part);
		len += part;
		pos = b->lo + (off_t)from;
		first = 0;
	}
	b->hi = pos;
	if (!whole || len > cap || memchr(out + cap - len, '\0', len) != NULL)
		return 0;
	out[cap] = '\0';
	*line = out + cap - len;
	return 1;
}

/*
 * The records of path at or after since, newest first, to fn until it
 * answers nonzero; read from the end in BACK_CHUNK pieces, so what it
 * costs is what is sent, not the file's size.  The read also ends at a
 * record ORDER_SLACK_S older than since: the file is in time order (but
 * for that moment), so nothing before it is wanted.  Lines are taken as
 * act_read takes them.  0, or -1 (errno) when the file cannot be read.
 */
int
act_read_back(const char *path, long long since,
    int (*fn)(void *, const struct act_row *), void *ctx)
{
	struct back b = { .buf = NULL };
	struct act_row *row = NULL;
	char out[LINE_MAX_READ];
	const char *line = NULL;
	struct stat st;
	int got = -2, err;

	if ((b.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(b.fd, &st) != 0 || (b.buf = malloc(BACK_CHUNK)) == NULL ||
	    (row = malloc(sizeof(*row))) == NULL)
		goto out;
	b.lo = b.hi = st.st_size;
	while ((got = back_line(&b, out, &line)) >= 0) {
		if (got == 0 || row_parse(line, row) != 0)
			continue;
		if (row->when < since - ORDER_SLACK_S)
			break;
		if (row->when >= since && fn(ctx, row) != 0)
			break;
	}
out:
	err = errno;
	close(b.fd);
	free(b.buf);
	free(row);
	errno = err;
	return got == -2 ? -1 : 0;
}
