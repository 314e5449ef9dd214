/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * method_sms.c: a code by text message to the registered number
 * (ssprRecoveryPhone), through the [sms] gateway.  Loop thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "method.h"
#include "sms.h"

static int
sms_enabled(const struct cfg *c)
{
	return cfg_method(c, "sms");
}

static int
sms_usable(const struct cfg *c, const struct account *a)
{
	(void)c;
	return a->phone != NULL && sms_phone_valid(a->phone);
}

static int
sms_shown(const struct cfg *c, const struct account *a,
    struct msg_methods *mm)
{
	(void)c;
	return a->phone != NULL && sms_phone_mask(a->phone, mm->phone,
	    sizeof(mm->phone)) == 0;
}

static const char *
sms_send_to(const struct cfg *c, const struct account *a)
{
	(void)c;
	return a->phone;
}

static void
sms_remember(struct flow *f)
{
	free(f->acct.phone);
	f->acct.phone = strdup(f->send_to);
}

const struct method method_sms = {
	.id = SSPR_METHOD_SMS,
	.name = "sms",
	.action = SSPR_ACT_SMS,
	.reg_bit = SSPR_REG_SMS,
	.channel = CH_SMS,
	.for_admins = 1,
	.noun = "code",
	.enabled = sms_enabled,
	.usable = sms_usable,
	.shown = sms_shown,
	.remember = sms_remember,
	.send_to = sms_send_to,
	.value = sms_phone_normalize,
	.mask = sms_phone_mask,
};
