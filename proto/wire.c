/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wire.c: the only code that turns protocol bytes into values and back.
 * It never allocates: strings land in the caller's fixed buffers.
 */
#include <string.h>

#include "wire.h"

void
wire_rd_init(struct wire_rd *rd, const void *p, size_t len)
{
	rd->p = p;
	rd->len = len;
	rd->off = 0;
	rd->bad = 0;
}

static const unsigned char *
take(struct wire_rd *rd, size_t n)
{
	const unsigned char *q;

	if (rd->bad || n > rd->len - rd->off) {
		rd->bad = 1;
		return NULL;
	}
	q = rd->p + rd->off;
	rd->off += n;
	return q;
}

uint8_t
wire_get_u8(struct wire_rd *rd)
{
	const unsigned char *q = take(rd, 1);

	return q ? q[0] : 0;
}

uint16_t
wire_get_u16(struct wire_rd *rd)
{
	const unsigned char *q = take(rd, 2);

	return q ? (uint16_t)(q[0] << 8 | q[1]) : 0;
}

uint32_t
wire_get_u32(struct wire_rd *rd)
{
	const unsigned char *q = take(rd, 4);

	if (q == NULL)
		return 0;
	return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 |
	    (uint32_t)q[2] << 8 | q[3];
}

/*
 * The length of the UTF-8 character at s (at most n bytes), or 0 when it
 * is not valid UTF-8 (RFC 3629: shortest form, no surrogates, <= U+10FFFF);
 * *ok says whether it is text a terminal may show: no C0 control, DEL, C1
 * control (U+0085 among them), line or paragraph separator (U+2028,
 * U+2029), bidi mark, embedding, override or isolate (U+061C, U+200E,
 * U+200F, U+202A..U+202E, U+2066..U+2069).  These strings reach log
 * lines and terminals, where the first would start a forged line and the
 * others would show it reordered.
 */
static size_t
text_char(const unsigned char *s, size_t n, int *ok)
{
	size_t k, need;
	uint32_t cp, min;
	unsigned char c = s[0];

	*ok = 0;
	if (c < 0x80) {
		*ok = c >= 0x20 && c != 0x7f;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		need = 1; cp = c & 0x1f; min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		need = 2; cp = c & 0x0f; min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		need = 3; cp = c & 0x07; min = 0x10000;
	} else
		return 0;
	if (need > n - 1)
		return 0;
	for (k = 1; k <= need; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[k] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*ok = !(cp <= 0x9f || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069));
	return need + 1;
}

/*
 * Valid UTF-8 that a terminal may show (text_char).  Tabs and newlines
 * are refused too: no field of this protocol is multi-line, and these
 * strings end up in LDAP filters, log lines and mail headers.
 */
int
wire_text_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, len;
	int ok;

	while (i < n) {
		if ((len = text_char(s + i, n - i, &ok)) == 0 || !ok)
			return 0;
		i += len;
	}
	return 1;
}

/*
 * For text bound for a terminal that did not come through the wire (PAM
 * messages of other modules, decoded directory values): every character
 * wire_text_ok would refuse, and every byte that is not UTF-8, becomes
 * '?', in place.  Newlines stay when keep_newlines is set.
 */
void
wire_text_clean(char *s, int keep_newlines)
{
	unsigned char *u = (unsigned char *)s;
	size_t i = 0, o = 0, n = strlen(s), len;
	int ok;

	while (i < n) {
		len = text_char(u + i, n - i, &ok);
		if (len > 0 && (ok || (keep_newlines && u[i] == '\n'))) {
			memmove(u + o, u + i, len);
			o += len;
			i += len;
		} else {
			u[o++] = '?';
			i += len > 0 ? len : 1;
		}
	}
	u[o] = '\0';
}

/* Copies a str field into buf (cap + 1 bytes), NUL-terminated. */
void
wire_get_str(struct wire_rd *rd, char *buf, size_t size)
{
	uint16_t n = wire_get_u16(rd);
	const unsigned char *q;

	buf[0] = '\0';
	if (rd->bad)
		return;
	if (n >= size) {
		rd->bad = 1;
		return;
	}
	q = take(rd, n);
	if (q == NULL)
		return;
	if (!wire_text_ok(q, n)) {
		rd->bad = 1;
		return;
	}
	memcpy(buf, q, n);
	buf[n] = '\0';
}

/*
 * Secrets are bytes the user typed: any UTF-8 is allowed, but not NUL
 * (it would cut the password short in every C API downstream).
 */
void
wire_get_secret(struct wire_rd *rd, struct secret *s)
{
	uint16_t n = wire_get_u16(rd);
	const unsigned char *q;

	secret_wipe(s);
	if (rd->bad)
		return;
	if (n > SSPR_SECRET_MAX) {
		rd->bad = 1;
		return;
	}
	q = take(rd, n);
	if (q == NULL)
		return;
	if (memchr(q, '\0', n) != NULL) {
		rd->bad = 1;
		return;
	}
	secret_set(s, q, n);
}

/* 0 when every byte was consumed and nothing failed. */
int
wire_end(const struct wire_rd *rd)
{
	return rd->bad || rd->off != rd->len ? -1 : 0;
}

void
wire_wr_init(struct wire_wr *wr, uint16_t type)
{
	wr->len = 4;	/* length, filled in by wire_wr_finish */
	wr->bad = 0;
	wire_put_u16(wr, type);
}

static unsigned char *
room(struct wire_wr *wr, size_t n)
{
	unsigned char *q;

	if (wr->bad || n > sizeof(wr->buf) - wr->len) {
		wr->bad = 1;
		return NULL;
	}
	q = wr->buf + wr->len;
	wr->len += n;
	return q;
}

void
wire_put_u8(struct wire_wr *wr, uint8_t v)
{
	unsigned char *q = room(wr, 1);

	if (q)
		q[0] = v;
}

void
wire_put_u16(struct wire_wr *wr, uint16_t v)
{
	unsigned char *q = room(wr, 2);

	if (q) {
		q[0] = v >> 8;
		q[1] = v & 0xff;
	}
}

void
wire_put_u32(struct wire_wr *wr, uint32_t v)
{
	unsigned char *q = room(wr, 4);

	if (q) {
		q[0] = v >> 24;
		q[1] = (v >> 16) & 0xff;
		q[2] = (v >> 8) & 0xff;
		q[3] = v & 0xff;
	}
}

/* Writes at most cap bytes of s; a longer or invalid string fails. */
void
wire_put_str(struct wire_wr *wr, const char *s, size_t cap)
{
	size_t n = s ? strlen(s) : 0;
	unsigned char *q;

	if (n > cap || !wire_text_ok((const unsigned char *)s, n)) {
		wr->bad = 1;
		return;
	}
	wire_put_u16(wr, (uint16_t)n);
	q = room(wr, n);
	if (q && n)
		memcpy(q, s, n);
}

void
wire_put_secret(struct wire_wr *wr, const struct secret *s)
{
	unsigned char *q;

	if (s->len > SSPR_SECRET_MAX) {
		wr->bad = 1;
		return;
	}
	wire_put_u16(wr, (uint16_t)s->len);
	q = room(wr, s->len);
	if (q && s->len)
		memcpy(q, s->buf, s->len);
}

/* Fills in the length; 0 when the frame is complete and within the cap. */
int
wire_wr_finish(struct wire_wr *wr)
{
	uint32_t n = (uint32_t)(wr->len - 4);

	if (wr->bad || n > SSPR_FRAME_MAX)
		return -1;
	wr->buf[0] = n >> 24;
	wr->buf[1] = (n >> 16) & 0xff;
	wr->buf[2] = (n >> 8) & 0xff;
	wr->buf[3] = n & 0xff;
	return 0;
}

void
wire_wr_wipe(struct wire_wr *wr)
{
	explicit_bzero(wr->buf, wr->len);
	wr->len = 0;
}

uint32_t
wire_peek_len(const unsigned char *h)
{
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 |
	    (uint32_t)h[2] << 8 | h[3];
}

uint16_t
wire_peek_type(const unsigned char *h)
{
	return (uint16_t)(h[4] << 8 | h[5]);
}
