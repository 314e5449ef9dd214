/* SPDX-License-Identifier: BSD-2-Clause */
/* qr.c: text -> QR code (libqrencode, level M, 8-bit) -> UTF-8 lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "qr.h"

#define UPPER	"\xe2\x96\x80"	/* U+2580 UPPER HALF BLOCK */
#define LOWER	"\xe2\x96\x84"	/* U+2584 LOWER HALF BLOCK */
#define FULL	"\xe2\x96\x88"	/* U+2588 FULL BLOCK */

/* Is the module at (x, y) of the padded square dark?  Outside: light. */
static int
dark(const QRcode *q, int x, int y)
{
	x -= QR_QUIET;
	y -= QR_QUIET;
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return 0;
	return q->data[y * q->width + x] & 1;
}

/*
 * Renders text as a malloc'd string of *rows lines of *cols characters
 * each, every line ending in '\n'.  The text is encoded as it is (it
 * may hold a secret, as an otpauth:// URI does: wipe and free the result
 * after use).  NULL with err set on failure.
 */
char *
qr_render(const char *text, int dark_on_light, int *cols, int *rows,
    char *err, size_t errsize)
{
	QRcode *q;
	char *out, *p;
	int n, x, y;

	if (*text == '\0') {
		snprintf(err, errsize, "nothing to encode");
		return NULL;
	}
	if ((q = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M)) == NULL) {
		snprintf(err, errsize, "QR encoding failed: %s",
		    errno == ERANGE ? "text too long" : strerror(errno));
		return NULL;
	}
	n = q->width + 2 * QR_QUIET;
	if (n > QR_MAX_COLUMNS) {
		snprintf(err, errsize, "QR code of %d columns is wider than %d",
		    n, QR_MAX_COLUMNS);
		QRcode_free(q);
		return NULL;
	}
	*cols = n;
	*rows = (n + 1) / 2;
	/* at most 3 bytes a character, and a newline a line */
	if ((out = malloc((size_t)*rows * (size_t)(3 * n + 1) + 1)) == NULL) {
		snprintf(err, errsize, "out of memory");
		QRcode_free(q);
		return NULL;
	}
	p = out;
	for (y = 0; y < n; y += 2) {
		for (x = 0; x < n; x++) {
			int top = dark(q, x, y) == dark_on_light;
			int bot = y + 1 < n ? dark(q, x, y + 1) == dark_on_light :
			    !dark_on_light;
			const char *c = top && bot ? FULL : top ? UPPER : bot ?
			    LOWER : " ";

			memcpy(p, c, strlen(c));
			p += strlen(c);
		}
		*p++ = '\n';
	}
	*p = '\0';
	explicit_bzero(q->data, (size_t)q->width * (size_t)q->width);
	QRcode_free(q);
	return out;
}
