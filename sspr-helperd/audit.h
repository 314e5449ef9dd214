/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit.h: one record per event of a flow (started, code sent, code
 * failed, throttled, reset, refused, unlock, registration change) with
 * structured fields, for the administrators' log pipeline: journald
 * fields when journald runs, else one syslog line; and optionally a
 * JSON-lines file that `ssprctl report activity` reads (auditread.c).
 * Never a secret.  Any thread (a relay's threads audit their flows).
 */
#ifndef SSPR_AUDIT_H
#define SSPR_AUDIT_H

#include <stdint.h>
#include <sys/types.h>

#include "cfg.h"

struct audit_rec {
	const char	*event;		/* start, code_sent, code_failed, ... */
	const char	*result;	/* ok, refused, ineligible, ... */
	const char	*reason;	/* why, in a word or two; may be NULL */
	const char	*user;		/* as logged: the ID, or #tag if unknown */
	const char	*source;	/* remote host, else tty */
	const char	*service;	/* PAM service */
	const char	*method;	/* email, ... */
	const char	*host;		/* reset server: the relay's certificate
					   name; NULL for a local caller */
	const char	*server;	/* relay: the reset server forwarded to */
	uint64_t	 flow;
	uid_t		 caller;
};

void	audit_configure(const struct cfg *);
void	audit(const struct audit_rec *);
void	audit_close(void);
int	audit_format_json(const struct audit_rec *, long long, char *,
	    size_t);
int	audit_format_journal(const struct audit_rec *, const char *, char *,
	    size_t);

#endif
