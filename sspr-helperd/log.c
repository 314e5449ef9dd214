/* SPDX-License-Identifier: BSD-2-Clause */
/* log.c: stderr or syslog, one line per call, control characters escaped. */
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
	debug_on = debug;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

void
log_set_debug(int on)
{
	debug_on = on;
}

int
log_to_stderr(void)
{
	return to_stderr;
}

int
log_debug_enabled(void)
{
	return debug_on;
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

void
log_msg(int prio, const char *fmt, ...)
{
	char raw[1024], line[1024];
	va_list ap;

	if (prio == LOG_DEBUG && !debug_on)
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
