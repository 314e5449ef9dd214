/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditread.c: see auditread.h.  The file is ours (audit.c writes one
 * flat JSON object a line), but it is read as untrusted text all the
 * same: a line too long is skipped whole, every field is bounded and
 * cleaned of what a terminal would obey.  No file-scope state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auditread.h"
#include "wire.h"

#define LINE_MAX_READ	4096	/* audit.c writes at most 2 KiB a line */

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
	int skip = 0, more, i;
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
	 */
	line[sizeof(line) - 1] = 'x';
	while (fgets(line, sizeof(line), fp) != NULL) {
		more = line[sizeof(line) - 1] == '\0' &&
		    line[sizeof(line) - 2] != '\n';
		line[sizeof(line) - 1] = 'x';
		len = strlen(line);
		/* a line too long to be ours, or with a NUL: not a record */
		if (skip || len == 0 || line[len - 1] != '\n') {
			skip = more;
			continue;
		}
		for (i = 0; i < ACT_NFIELDS; i++)
			json_get(line, act_keys[i], row->f[i],
			    sizeof(row->f[i]));
		if ((row->when = act_parse_time(row->f[ACT_TIME])) < 0 ||
		    row->when < since)
			continue;
		act_time_text(row->when, row->f[ACT_TIME],
		    sizeof(row->f[ACT_TIME]));
		fn(ctx, row);
	}
	fclose(fp);
	free(row);
	return 0;
}
