/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.h: one connection to sspr-helperd, as the module's three paths
 * (recover, change, account) use it.  A quiet session shows the person
 * nothing when the daemon cannot help: the account step runs on every
 * login and must not bother anyone about a service they did not ask for.
 */
#ifndef SSPR_SESSION_H
#define SSPR_SESSION_H

#include <stdint.h>

#include <security/pam_modules.h>

#include "args.h"
#include "msg.h"

struct session {
	pam_handle_t		*pamh;
	const struct sspr_args	*args;
	const char		*user;
	const char		*lang;
	int			 fd;
	int			 quiet;
	uint32_t		 features;
};

void	session_init(struct session *, pam_handle_t *,
	    const struct sspr_args *, const char *, const char *);
int	session_open(struct session *);
void	session_close(struct session *);
int	session_call(struct session *, const struct msg *, struct msg *);
int	session_fail(const struct session *, int);
void	session_rejected(const struct session *, const struct msg_rejected *);
void	session_helpdesk(const struct session *);
void	session_debug(const struct session *, const char *, const char *);
void	session_field(char *, size_t, const char *);
int	session_get_user(pam_handle_t *, const char **);

#endif
