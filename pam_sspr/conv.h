/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conv.h: talking to the person through the application's conversation
 * function.  Answers come back in struct secret and the application's
 * copy is wiped at once.
 */
#ifndef SSPR_CONV_H
#define SSPR_CONV_H

#include <security/pam_modules.h>

#include "secret.h"

int	conv_ask(pam_handle_t *, int, const char *, struct secret *);
int	conv_new_password(pam_handle_t *, struct secret *);
void	conv_show_secret(pam_handle_t *, const char *);
void	conv_info(pam_handle_t *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	conv_error(pam_handle_t *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
