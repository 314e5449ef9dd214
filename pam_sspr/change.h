/* SPDX-License-Identifier: BSD-2-Clause */
/* change.h: the account step (a change demanded?) and the password stage. */
#ifndef SSPR_CHANGE_H
#define SSPR_CHANGE_H

#include "session.h"
#include "text.h"

int	change_account(pam_handle_t *, const struct sspr_args *,
	    struct text_lang *);
int	change_password(pam_handle_t *, int, const struct sspr_args *,
	    const char *);

#endif
