/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sspr-helperd/qr.c: the text lines are read back into
 * modules; their size, the quiet zone and the three finder patterns are
 * checked, and (when zbarimg is installed) the picture they make decodes
 * to the text that went in.
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

#include "qr.h"

#define URI "otpauth://totp/Example%20Corp:alice?secret=" \
	"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Example%20Corp" \
	"&algorithm=SHA1&digits=6&period=30"
#define MAXN QR_MAX_COLUMNS

/* dark[y][x] of the padded square, read back from the lines */
static int dark[MAXN + 1][MAXN];

static void
read_back(const char *s, int dark_on_light, int cols, int rows)
{
	int x, y = 0;

	memset(dark, 0, sizeof(dark));
	while (*s != '\0') {
		for (x = 0; *s != '\n'; x++) {
			int top = 0, bot = 0;

			assert_true(x < cols);
			if (strncmp(s, "\xe2\x96\x88", 3) == 0)
				top = bot = 1, s += 3;
			else if (strncmp(s, "\xe2\x96\x80", 3) == 0)
				top = 1, bot = 0, s += 3;
			else if (strncmp(s, "\xe2\x96\x84", 3) == 0)
				top = 0, bot = 1, s += 3;
			else if (*s == ' ')
				top = bot = 0, s++;
			else
				fail_msg("unexpected byte 0x%02x", (unsigned char)*s);
			/* a block is light paper unless dark_on_light */
			dark[2 * y][x] = top == dark_on_light;
			dark[2 * y + 1][x] = bot == dark_on_light;
		}
		assert_int_equal(x, cols);
		s++;
		y++;
	}
	assert_int_equal(y, rows);
}

/* 7x7: dark ring, light ring, dark 3x3 core */
static int
is_finder(int x0, int y0)
{
	int x, y, ring;

	for (y = 0; y < 7; y++)
		for (x = 0; x < 7; x++) {
			ring = x < y ? (x < 6 - y ? x : 6 - y) :
			    (y < 6 - x ? y : 6 - x);
			if (dark[y0 + y][x0 + x] != (ring != 1))
				return 0;
		}
	return 1;
}

static void
check_structure(const char *s, int dark_on_light, int cols, int rows)
{
	int n = cols, w = n - 2 * QR_QUIET, i;

	read_back(s, dark_on_light, cols, rows);
	assert_int_equal(rows, (n + 1) / 2);
	assert_int_equal((w - 17) % 4, 0);	/* 4 * version + 17 */
	for (i = 0; i < n; i++) {
		/* the quiet zone is light all round */
		assert_false(dark[0][i] | dark[1][i] | dark[n - 1][i] |
		    dark[n - 2][i]);
		assert_false(dark[i][0] | dark[i][1] | dark[i][n - 1] |
		    dark[i][n - 2]);
	}
	assert_true(is_finder(QR_QUIET, QR_QUIET));
	assert_true(is_finder(n - QR_QUIET - 7, QR_QUIET));
	assert_true(is_finder(QR_QUIET, n - QR_QUIET - 7));
	/* and none in the fourth corner */
	assert_false(is_finder(n - QR_QUIET - 7, n - QR_QUIET - 7));
}

static void
test_structure(void **state)
{
	char err[200], *s;
	int cols, rows, inv;

	(void)state;
	for (inv = 0; inv <= 1; inv++) {
		s = qr_render(URI, inv, &cols, &rows, err, sizeof(err));
		if (s == NULL)
			fail_msg("%s", err);
		check_structure(s, inv, cols, rows);
		free(s);
	}
	s = qr_render("x", 0, &cols, &rows, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(cols, 21 + 2 * QR_QUIET);	/* version 1 */
	check_structure(s, 0, cols, rows);
	free(s);
}

static void
test_refusals(void **state)
{
	char err[200], big[2000];
	int cols, rows;

	(void)state;
	assert_null(qr_render("", 0, &cols, &rows, err, sizeof(err)));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_null(qr_render(big, 0, &cols, &rows, err, sizeof(err)));
	assert_non_null(strstr(err, "wider than 80"));
}

/* Writes the modules as a PBM, 4 pixels a module, and asks zbarimg. */
static void
test_decodes(void **state)
{
	char err[200], pbm[] = "/tmp/sspr-unit-qr.XXXXXX", cmd[300], got[512];
	int cols, rows, x, y, fd;
	char *s;
	FILE *fp;

	(void)state;
	if (system("command -v zbarimg >/dev/null 2>&1") != 0)
		skip();
	s = qr_render(URI, 0, &cols, &rows, err, sizeof(err));
	assert_non_null(s);
	read_back(s, 0, cols, rows);
	free(s);
	fd = mkstemp(pbm);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fprintf(fp, "P1\n%d %d\n", cols * 4, cols * 4);
	for (y = 0; y < cols * 4; y++) {
		for (x = 0; x < cols * 4; x++)
			fputs(dark[y / 4][x / 4] ? "1 " : "0 ", fp);
		fputc('\n', fp);
	}
	assert_int_equal(fclose(fp), 0);
	snprintf(cmd, sizeof(cmd), "zbarimg --quiet --raw 'PBM:%s' 2>/dev/null", pbm);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	got[0] = '\0';
	if (fgets(got, sizeof(got), fp) == NULL)
		got[0] = '\0';
	pclose(fp);
	unlink(pbm);
	got[strcspn(got, "\n")] = '\0';
	assert_string_equal(got, URI);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_decodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
