/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * outbuf.h: text appended to a fixed buffer, always NUL-terminated; what
 * does not fit marks the buffer bad instead of being cut (a mail or an
 * SMS request half written is never sent).
 */
#ifndef SSPR_OUTBUF_H
#define SSPR_OUTBUF_H

#include <string.h>

struct outbuf {
	char	*p;
	size_t	 size, len;
	int	 bad;
};

static inline void
outbuf_put(struct outbuf *o, const char *s, size_t n)
{
	if (o->bad || n >= o->size - o->len) {
		o->bad = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static inline void
outbuf_puts(struct outbuf *o, const char *s)
{
	outbuf_put(o, s, strlen(s));
}

#endif
