/* SPDX-License-Identifier: BSD-2-Clause */
/* passcmd.h: ssprctl pass issue|revoke|list (passcmd.c). */
#ifndef SSPR_PASSCMD_H
#define SSPR_PASSCMD_H

struct cfg;

struct pass_opts {
	const char	*verb;		/* issue, revoke, list */
	const char	*user;		/* issue, revoke */
	const char	*lifetime;	/* issue: "1h", NULL for [pass] lifetime */
	const char	*as;		/* the issuer's DN, user@domain or name */
	int		 password_fd;	/* -1: ask on the terminal */
	/* list: each row (user, until, state, issuer, dn), cells malloc'd */
	void		(*row)(void *, char **);
	void		*ctx;
};

int	pass_command(const struct cfg *, const struct pass_opts *);

#endif
