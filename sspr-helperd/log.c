/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c: stderr or syslog, one line per call, control characters escaped.
 *
 * Statics: to_stderr and ident set by log_init before any thread starts;
 * debug_on also by a reload on the loop thread, read by every thread:
 * atomic.
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static int	to_stderr = 1;
static int	debug_on;
static const char *ident = "sspr-helperd";

void
log_init(const char *name, int foreground, int debug)
{
	ident = name;
	to_stderr = foreground;
	__atomic_store_n(&debug_on, debug, __ATOMIC_RELAXED);
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

void
log_set_debug(int on)
{
	__atomic_store_n(&debug_on, on, __ATOMIC_RELAXED);
}

int
log_to_stderr(void)
{
	return to_stderr;
}

int
log_debug_enabled(void)
{
	return __atomic_load_n(&debug_on, __ATOMIC_RELAXED);
}

/*
 * Anything that came from outside (user names, directory text) may hold
 * control characters; they are shown as \xNN so one event stays one line
 * and cannot forge another.
 */
static void
escape(char *out, size_t size, const char *in)
{
	size_t o = 0;
	const unsigned char *p;

	for (p = (const unsigned char *)in; *p != '\0' && o + 5 < size; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			snprintf(out + o, size - o, "\\x%02x", *p);
			o += 4;
		} else
			out[o++] = (char)*p;
	}
	out[o] = '\0';
}

/* The bytes log_field writes as %XX. */
static int
field_byte_encoded(unsigned char c)
{
	return c <= ' ' || c == 0x7f || c == '%' || c == '=' || c == '"' ||
	    c == '\\';
}

/*
 * One field value of a "key=value key=value: message" line, written so
 * that it cannot pass for more fields or for the message: a remote host
 * "x user=bob: password reset" would otherwise read as a second user=
 * and a forged event.  Controls, space, '%', '=', '"' and '\\' become %XX
 * (as in the admin lines); ':' stays, as "uid:1000" and "::1" read
 * better so, and ": " cannot occur once spaces are encoded.  NULL or "" is "-"; a value cut to fit dst (at
 * least 4 bytes) ends in "...".  Returns dst.
 */
const char *
log_field(char *dst, size_t size, const char *src)
{
	const unsigned char *p;
	size_t o = 0, total = 0, room, need;

	if (src == NULL || *src == '\0') {
		snprintf(dst, size, "-");
		return dst;
	}
	for (p = (const unsigned char *)src; *p != '\0'; p++)
		total += field_byte_encoded(*p) ? 3 : 1;
	/* what does not fit leaves room for "..." */
	room = total < size ? size - 1 : size - 4;
	for (p = (const unsigned char *)src; *p != '\0'; p++) {
		need = field_byte_encoded(*p) ? 3 : 1;
		if (o + need > room)
			break;
		if (need == 3)
			o += (size_t)snprintf(dst + o, size - o, "%%%02X", *p);
		else
			dst[o++] = (char)*p;
	}
	snprintf(dst + o, size - o, "%s", *p != '\0' ? "..." : "");
	return dst;
}

void
log_msg(int prio, const char *fmt, ...)
{
	char raw[1024], line[1024];
	va_list ap;

	if (prio == LOG_DEBUG && !log_debug_enabled())
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	escape(line, sizeof(line), raw);
	if (to_stderr) {
		fprintf(stderr, "%s[%s]: %s\n", ident,
		    prio <= LOG_ERR ? "error" : prio == LOG_WARNING ?
		    "warning" : prio == LOG_DEBUG ? "debug" : "info", line);
		fflush(stderr);
	} else
		syslog(prio, "%s", line);
}
