/* SPDX-License-Identifier: BSD-2-Clause */
/* args.h: pam_sspr's module arguments (see pam_sspr(8)). */
#ifndef SSPR_ARGS_H
#define SSPR_ARGS_H

#define SSPR_DEFAULT_SOCKET	"/run/sspr/helperd.sock"
#define SSPR_DEFAULT_DAEMON_USER "_sspr"
#define SSPR_DEFAULT_TIMEOUT	90	/* seconds per daemon answer */
#define SSPR_DEFAULT_CONF	"/etc/security/pam_sspr.conf"
#define SSPR_DEFAULT_SSHD	"/usr/sbin/sshd"
#define SSPR_CONF_MAX		4096	/* bytes of the config file */
#define SSPR_CONF_LINE		1024	/* bytes of one of its lines */
#define SSPR_CONF_WORDS		64	/* settings in it */

struct sspr_args {
	const char	*socket;
	const char	*daemon_user;
	const char	*helpdesk;
	const char	*sshd;		/* the program whose keys are passed on */
	int		 timeout;
	int		 debug;
	int		 handoff;
	int		 reset_only;	/* kiosk: no password prompt */
	int		 verify_first;	/* forced change: prove the address */
	int		 use_authtok;	/* password stage: the new one given */
	int		 ask_new;	/* password stage: ask it for others too */
	int		 no_register;	/* register=no: no registration step */
	const char	*lang;		/* language when the login has none */
	const char	*conf;		/* the config file */
	int		 conf_given;	/* named by conf=: it must exist */
	const char	*bad;		/* first setting not understood */
	int		 bad_line;	/* its line in the file; 0: module line */
	char		 text[SSPR_CONF_MAX + 1]; /* the file, cut into words */
};

void	args_init(struct sspr_args *, int, const char **);
int	args_conf(struct sspr_args *, const char *);
void	args_argv(struct sspr_args *, int, const char **);
void	args_parse(struct sspr_args *, int, const char **);
int	args_locale_ok(const char *);

#endif
