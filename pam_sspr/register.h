/* SPDX-License-Identifier: BSD-2-Clause */
/* register.h: registration of recovery methods after a login. */
#ifndef SSPR_REGISTER_H
#define SSPR_REGISTER_H

#include "session.h"

void	register_methods(pam_handle_t *, const struct sspr_args *,
	    const char *, const char *);

#endif
