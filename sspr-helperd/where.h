/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * where.h: [register] services and sources, the places from which a
 * person may register or change recovery methods.
 */
#ifndef SSPR_WHERE_H
#define SSPR_WHERE_H

struct cfglist;
struct flow;

/* Where a request comes from, as the caller's HELLO named it. */
struct place {
	const char	*service;	/* PAM_SERVICE */
	const char	*rhost;		/* PAM_RHOST, "" when none */
	const char	*tty;		/* PAM_TTY, "" when none */
	int		 vouched;	/* the caller is in allowed_uids */
};

int	where_source_valid(const char *);
int	where_allowed(const struct cfglist *, const struct cfglist *,
	    const struct place *);
int	where_register_ok(struct flow *);	/* register_where.c */

#endif
