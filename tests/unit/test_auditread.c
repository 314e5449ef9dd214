/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sspr-helperd/auditread.c: what audit.c writes reads back
 * field for field; what it would never write (a line too long, a broken
 * last line, a time that is none, control bytes) does no harm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit.h"
#include "auditread.h"

struct got {
	int		n;
	struct act_row	row[4];
};

static void
keep(void *ctx, const struct act_row *r)
{
	struct got *g = ctx;

	if (g->n < 4)
		g->row[g->n] = *r;
	g->n++;
}

static FILE *
tmpfile_named(char *path)
{
	int fd;

	strcpy(path, "/tmp/test_auditread.XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	return fdopen(fd, "w");
}

static void
test_round_trip(void **state)
{
	struct audit_rec r = { .event = "reset", .result = "ok",
	    .user = "al\"ice", .source = "relay-a.test/pts/1",
	    .service = "sshd", .method = "email", .host = "relay-a.test",
	    .flow = 42, .caller = 1000 };
	struct audit_rec rel = { .event = "relay", .result = "done",
	    .server = "sspr1.example.org:7477", .caller = 0 };
	char path[64], line[2048], big[6000];
	struct got *g = calloc(1, sizeof(*g));
	FILE *fp = tmpfile_named(path);

	(void)state;
	/* too old for since */
	assert_true(audit_format_json(&r, 1000000000, line, sizeof(line)) > 0);
	fprintf(fp, "%s\n", line);
	assert_true(audit_format_json(&r, 1800000000, line, sizeof(line)) > 0);
	fprintf(fp, "%s\n", line);
	/* a line longer than any audit.c writes: skipped whole */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "{\"time\":\"2027-01-01T00:00:00Z\",\"event\":\"", 40);
	fprintf(fp, "%s\"}\n", big);
	fprintf(fp, "{\"time\":\"yesterday\",\"event\":\"reset\"}\n");
	fprintf(fp, "{\"time\":\"2027-01-01T00:00:00Z\",\"event\":\"a\x1b[2Jb\"}\n");
	assert_true(audit_format_json(&rel, 1800000001, line, sizeof(line)) > 0);
	fprintf(fp, "%s\n", line);
	fprintf(fp, "{\"time\":\"2027-01-01T00:00:00Z\",\"event\":\"half");
	fclose(fp);

	assert_int_equal(act_read(path, 1500000000, keep, g), 0);
	assert_int_equal(g->n, 3);
	assert_int_equal(g->row[0].when, 1800000000);
	assert_string_equal(g->row[0].f[ACT_TIME], "2027-01-15T08:00:00Z");
	assert_string_equal(g->row[0].f[ACT_EVENT], "reset");
	assert_string_equal(g->row[0].f[ACT_USER], "al\"ice");
	assert_string_equal(g->row[0].f[ACT_HOST], "relay-a.test");
	assert_string_equal(g->row[0].f[ACT_SOURCE], "relay-a.test/pts/1");
	assert_string_equal(g->row[0].f[ACT_CALLER], "1000");
	assert_string_equal(g->row[0].f[ACT_REASON], "");
	assert_string_equal(g->row[0].f[ACT_SERVER], "");
	assert_string_equal(g->row[1].f[ACT_EVENT], "a?[2Jb");
	assert_string_equal(g->row[2].f[ACT_EVENT], "relay");
	assert_string_equal(g->row[2].f[ACT_SERVER], "sspr1.example.org:7477");
	assert_string_equal(g->row[2].f[ACT_CALLER], "0");
	assert_string_equal(g->row[2].f[ACT_HOST], "");
	unlink(path);
	free(g);
}

/*
 * A NUL byte (a file's tail after a crash can be zeros) ends that line
 * only, not the next one too; a time strptime takes but that is not as
 * audit.c writes it is shown, and sorted, as audit.c would write it.
 */
static void
test_odd_lines(void **state)
{
	char path[64];
	struct got *g = calloc(1, sizeof(*g));
	FILE *fp = tmpfile_named(path);

	(void)state;
	fputs("{\"time\":\"2027-01-01T00:00:00Z\",\"event\":\"ze", fp);
	fputc('\0', fp);
	fputs("ros\"}\n", fp);
	fputs("{\"time\":\"2027-01-01T00:00:01Z\",\"event\":\"next\"}\n", fp);
	fputs("{\"time\":\" 2027-1-2T3:4:5Z\",\"event\":\"loose\"}\n", fp);
	fclose(fp);

	assert_int_equal(act_read(path, 0, keep, g), 0);
	assert_int_equal(g->n, 2);
	assert_string_equal(g->row[0].f[ACT_EVENT], "next");
	assert_string_equal(g->row[1].f[ACT_EVENT], "loose");
	assert_string_equal(g->row[1].f[ACT_TIME], "2027-01-02T03:04:05Z");
	unlink(path);
	free(g);
}

static void
test_missing(void **state)
{
	struct got g = { 0 };

	(void)state;
	assert_int_equal(act_read("/nonexistent/audit.jsonl", 0, keep, &g), -1);
	assert_int_equal(g.n, 0);
	assert_true(act_parse_time("2026-11-23T10:00:00Z") == 1795428000LL);
	assert_true(act_parse_time("2026-11-23T10:00:00Zjunk") < 0);
	assert_true(act_parse_time("") < 0);
}

/* --- act_read_back: the file from its end ------------------------------ */

struct list {
	size_t		 n, stop;	/* stop after that many (0: never) */
	long long	 when[8192];
	char		 event[8192][16];
};

static void
list_fwd(void *ctx, const struct act_row *r)
{
	struct list *l = ctx;

	assert_true(l->n < 8192);
	l->when[l->n] = r->when;
	snprintf(l->event[l->n], sizeof(l->event[0]), "%.15s",
	    r->f[ACT_EVENT]);
	l->n++;
}

static int
list_back(void *ctx, const struct act_row *r)
{
	struct list *l = ctx;

	list_fwd(ctx, r);
	return l->stop != 0 && l->n == l->stop;
}

/* What act_read_back gave is what act_read gives, in reverse. */
static void
same_reversed(const struct list *fwd, const struct list *back)
{
	size_t i;

	assert_int_equal(back->n, fwd->n);
	for (i = 0; i < fwd->n; i++) {
		assert_true(back->when[i] == fwd->when[fwd->n - 1 - i]);
		assert_string_equal(back->event[i], fwd->event[fwd->n - 1 - i]);
	}
}

static void
put_rec(FILE *fp, long long when, const char *event, size_t pad)
{
	struct audit_rec r = { .event = event, .result = "ok",
	    .user = "u", .caller = 0 };
	char line[2048];

	assert_true(audit_format_json(&r, when, line, sizeof(line)) > 0);
	if (pad == 0) {
		fprintf(fp, "%s\n", line);
		return;
	}
	/* as long as asked, newline included: a field no reader looks at */
	line[strlen(line) - 1] = '\0';
	fprintf(fp, "%s,\"pad\":\"", line);
	assert_true(pad > strlen(line) + 11);
	for (pad -= strlen(line) + 11; pad > 0; pad--)
		fputc('p', fp);
	fputs("\"}\n", fp);
}

/*
 * Lines across the 64 KiB pieces it reads: records, lines too long
 * (one longer than a piece), the longest line taken and one byte more,
 * NUL bytes, a time that is none: the same records as act_read, newest
 * first.  A broken last line is no record.
 */
static void
test_back_chunks(void **state)
{
	struct list *fwd = calloc(1, sizeof(*fwd));
	struct list *back = calloc(1, sizeof(*back));
	char path[64], ev[16];
	FILE *fp = tmpfile_named(path);
	int i;

	(void)state;
	for (i = 0; i < 6000; i++) {
		snprintf(ev, sizeof(ev), "e%d", i);
		put_rec(fp, 1800000000LL + i, ev, 0);
		if (i % 997 == 0) {
			put_rec(fp, 1800000000LL + i, "long", 5000);
			put_rec(fp, 1800000000LL + i, "longest", 4095);
			put_rec(fp, 1800000000LL + i, "toolong", 4096);
			fputs("{\"time\":\"2027-01-01T00:00:00Z\",\"event\":\"z", fp);
			fputc('\0', fp);
			fputs("\"}\n\n{\"time\":\"never\",\"event\":\"x\"}\n", fp);
		}
		if (i == 3000)
			put_rec(fp, 1800000000LL + i, "huge", 100000);
	}
	fputs("{\"time\":\"2027-01-01T00:00:00Z\",\"event\":\"half", fp);
	fclose(fp);

	assert_int_equal(act_read(path, 0, list_fwd, fwd), 0);
	assert_int_equal(fwd->n, 6000 + 7);	/* with the 7 "longest" */
	assert_int_equal(act_read_back(path, 0, list_back, back), 0);
	same_reversed(fwd, back);
	assert_string_equal(back->event[0], "e5999");
	assert_string_equal(back->event[back->n - 1], "e0");

	/* stopped by its caller: the newest only */
	memset(back, 0, sizeof(*back));
	back->stop = 2001;
	assert_int_equal(act_read_back(path, 0, list_back, back), 0);
	assert_int_equal(back->n, 2001);
	assert_string_equal(back->event[2000], fwd->event[fwd->n - 2001]);
	unlink(path);
	free(fwd);
	free(back);
}

/* A file of one broken line, an empty file, no file. */
static void
test_back_broken(void **state)
{
	struct list *l = calloc(1, sizeof(*l));
	char path[64];
	FILE *fp = tmpfile_named(path);

	(void)state;
	fputs("{\"time\":\"2027-01-01T00:00:00Z\",\"event\":\"half\"}", fp);
	fclose(fp);
	assert_int_equal(act_read_back(path, 0, list_back, l), 0);
	assert_int_equal(l->n, 0);
	fp = fopen(path, "w");
	fclose(fp);
	assert_int_equal(act_read_back(path, 0, list_back, l), 0);
	assert_int_equal(l->n, 0);
	unlink(path);
	assert_int_equal(act_read_back(path, 0, list_back, l), -1);
	free(l);
}

/*
 * since in the middle: what act_read sends, from the end; a file of
 * only older records: nothing.  The read ends at the first record more
 * than a minute older than since (a newer one before it is not looked
 * for), not at one just older (audit.c's threads may write a moment
 * out of order).
 */
static void
test_back_since(void **state)
{
	struct list *fwd = calloc(1, sizeof(*fwd));
	struct list *back = calloc(1, sizeof(*back));
	char path[64], ev[16];
	FILE *fp = tmpfile_named(path);
	int i;

	(void)state;
	put_rec(fp, 1900000000LL, "before", 0);
	for (i = 0; i < 4000; i++) {
		snprintf(ev, sizeof(ev), "e%d", i);
		put_rec(fp, 1800000000LL + i * 10, ev, 0);
	}
	put_rec(fp, 1800000000LL + 2005 * 10 - 30, "late", 0);
	put_rec(fp, 1800000000LL + 3999 * 10, "last", 0);
	fclose(fp);

	assert_int_equal(act_read(path, 1800000000LL + 2005 * 10, list_fwd,
	    fwd), 0);
	fwd->n--;			/* all but "before" */
	memmove(fwd->when, fwd->when + 1, fwd->n * sizeof(fwd->when[0]));
	memmove(fwd->event, fwd->event + 1, fwd->n * sizeof(fwd->event[0]));
	assert_int_equal(fwd->n, 4000 - 2005 + 1);
	assert_int_equal(act_read_back(path, 1800000000LL + 2005 * 10,
	    list_back, back), 0);
	same_reversed(fwd, back);
	assert_string_equal(back->event[0], "last");
	assert_string_equal(back->event[back->n - 1], "e2005");

	/* only older records at its end: nothing; "before" is not reached */
	memset(back, 0, sizeof(*back));
	assert_int_equal(act_read_back(path, 1850000000LL, list_back, back), 0);
	assert_int_equal(back->n, 0);
	memset(fwd, 0, sizeof(*fwd));
	assert_int_equal(act_read(path, 1850000000LL, list_fwd, fwd), 0);
	assert_int_equal(fwd->n, 1);
	unlink(path);
	free(fwd);
	free(back);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_odd_lines),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_back_chunks),
		cmocka_unit_test(test_back_broken),
		cmocka_unit_test(test_back_since),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
