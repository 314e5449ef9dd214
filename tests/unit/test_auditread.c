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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_odd_lines),
		cmocka_unit_test(test_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
