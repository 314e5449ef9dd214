/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditread.h: the [audit] file read back, for `ssprctl report activity`
 * on this host and for a reset server's answer to ssprctl --server
 * (ADMIN ACTIVITY).  Both see the same fields, in this order, which is
 * also the order of an activity ADMIN_LINE.
 */
#ifndef SSPR_AUDITREAD_H
#define SSPR_AUDITREAD_H

#include <stddef.h>

enum act_field {
	ACT_TIME, ACT_HOST, ACT_EVENT, ACT_RESULT, ACT_REASON, ACT_USER,
	ACT_SOURCE, ACT_SERVICE, ACT_SERVER, ACT_CALLER, ACT_NFIELDS
};

#define ACT_FIELD_MAX	300	/* bytes of one field; more is cut */
/* how a server's ADMIN_END begins when it left older records out */
#define ACT_CUT_NOTE	"the newest"

struct act_row {
	long long	 when;		/* unix seconds */
	char		 f[ACT_NFIELDS][ACT_FIELD_MAX + 1];
};

extern const char *const act_keys[ACT_NFIELDS];

long long	act_parse_time(const char *);
void		act_time_text(long long, char *, size_t);
int		act_read(const char *, long long,
		    void (*)(void *, const struct act_row *), void *);
int		act_read_back(const char *, long long,
		    int (*)(void *, const struct act_row *), void *);

#endif
