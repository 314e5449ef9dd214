/* SPDX-License-Identifier: BSD-2-Clause */
/* recover.h: the "Can't access your account?" path. */
#ifndef SSPR_RECOVER_H
#define SSPR_RECOVER_H

#include "session.h"

int	recover(pam_handle_t *, const struct sspr_args *, const char *,
	    const char *);
int	recover_verify_address(struct session *);
void	recover_cancel(struct session *, int);
int	recover_relay(struct session *, struct msg *, int);

#endif
