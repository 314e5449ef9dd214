/* SPDX-License-Identifier: BSD-2-Clause */
/* args.h: pam_sspr's module arguments (see pam_sspr(8)). */
#ifndef SSPR_ARGS_H
#define SSPR_ARGS_H

#define SSPR_DEFAULT_SOCKET	"/run/sspr/helperd.sock"
#define SSPR_DEFAULT_DAEMON_USER "_sspr"
#define SSPR_DEFAULT_TIMEOUT	90	/* seconds per daemon answer */

struct sspr_args {
	const char	*socket;
	const char	*daemon_user;
	const char	*helpdesk;
	int		 timeout;
	int		 debug;
	int		 handoff;
	int		 reset_only;	/* kiosk: no password prompt */
	int		 verify_first;	/* forced change: prove the address */
	int		 use_authtok;	/* password stage: the new one given */
	int		 no_register;	/* register=no: no registration step */
	const char	*lang;		/* language when the login has none */
	const char	*bad;		/* first argument not understood */
};

void	args_parse(struct sspr_args *, int, const char **);
int	args_locale_ok(const char *);

#endif
