/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mail.h: render a message from an admin-editable template and hand it
 * to the SMTP server with libcurl, TLS verified.  Runs in mail workers.
 */
#ifndef SSPR_MAIL_H
#define SSPR_MAIL_H

#include <stddef.h>

#include "cfg.h"

#define MAIL_MAX	(16 * 1024)	/* a rendered message, headers included */
#define MAIL_TEMPLATE_MAX (8 * 1024)

struct mail_vars {
	const char	*code;
	int		 minutes;
	const char	*user;
	const char	*service;
	const char	*host;
	const char	*source;
	const char	*organisation;	/* [mail] organisation; may be NULL */
	const char	*helpdesk;	/* [mail] helpdesk; may be NULL */
	const char	*time;		/* when it happened (notifications) */
	const char	*kind;		/* X-SSPR-Message: the template's name */
};

/* Every template the daemon renders; each may have .LANG variants. */
#define MAIL_TEMPLATES	{ "code", "notify-reset", "notify-unlock", \
			    "notify-pass", "notify-pass-issued", NULL }

int	mail_load_template(const char *, const char *, const char *, char *,
	    size_t, char *, size_t);
int	mail_render(const char *, const struct mail_vars *, const char *,
	    const char *, char *, size_t, char *, size_t);
int	mail_send(const struct cfg *, const char *, const char *, size_t,
	    char *, size_t);
int	mail_probe(const struct cfg *, char *, size_t);
int	mail_diagnose(const struct cfg *, char *, size_t, const char **);
int	mail_send_test(const struct cfg *, const char *, char *, size_t);
int	mail_check_templates(const struct cfg *, char *, size_t);

#endif
