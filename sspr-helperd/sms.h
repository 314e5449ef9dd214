/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sms.h: codes by text message, through the HTTP API of an SMS gateway
 * ([sms] in the configuration), with libcurl.  Runs in a worker.
 *
 * Templates: [sms] text may hold {code} and {minutes}; [sms] url and
 * body may hold {to} (the number, E.164) and {text} (the rendered text).
 * Only these exact placeholders are replaced; every other character,
 * braces included, is copied as it is.  Values are escaped for where
 * they land: percent-encoded in the url; in the body, JSON string escaped
 * when content_type is application/json (the template writes the
 * quotes: {"to":"{to}"}), percent-encoded for
 * application/x-www-form-urlencoded.
 */
#ifndef SSPR_SMS_H
#define SSPR_SMS_H

#include <stddef.h>

#include "cfg.h"

#define SMS_PHONE_MAX	16	/* "+" and at most 15 digits */
#define SMS_TEXT_MAX	1024
#define SMS_REQUEST_MAX	4096	/* the expanded url or body */

int	sms_phone_valid(const char *);
int	sms_phone_normalize(const char *, char *, size_t);
int	sms_phone_mask(const char *, char *, size_t);
int	sms_render_text(const char *, const char *, int, char *, size_t);
int	sms_expand(const char *, int, const char *, const char *, char *,
	    size_t);
int	sms_url_allowed(const char *, int, char *, size_t);
int	sms_probe(const struct cfg *, char *, size_t);
int	sms_send(const struct cfg *, const char *, const char *, int, char *,
	    size_t);

/* sms_expand: how values are escaped (the body: cfg_sms_escape). */
#define SMS_ESC_URL	0

#endif
