/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * method.c: the verification methods' one name each (config, logs, the
 * audit), and where a reset's email code goes.  Pure: no flow, no I/O.
 */
#include "flowint.h"

const char *
method_name(int m)
{
	switch (m) {
	case SSPR_METHOD_HUMAN:		return "human";
	case SSPR_METHOD_TOTP:		return "totp";
	case SSPR_METHOD_SMS:		return "sms";
	case SSPR_METHOD_QUESTION:	return "questions";
	default:			return "email";
	}
}

/* The address a reset's code goes to: the registered one, else mail. */
const char *
account_reset_mail(const struct cfg *c, const struct account *a)
{
	if (a->reg_mail != NULL)
		return a->reg_mail;
	return c->directory_mail ? a->mail : NULL;
}
