/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * method_email.c: a code by mail, to the registered recovery address
 * (ssprRecoveryMail) or else, when [directory] mail allows it, to the
 * account's mail.  The only method that proves an address (the address
 * check, PURPOSE_VERIFY), and the one every unknown account pretends.
 * Loop thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "method.h"

static int
email_enabled(const struct cfg *c)
{
	return cfg_method(c, "email");
}

static int
email_usable(const struct cfg *c, const struct account *a)
{
	return account_reset_mail(c, a) != NULL;
}

static int
email_shown(const struct cfg *c, const struct account *a,
    struct msg_methods *mm)
{
	const char *mail = account_reset_mail(c, a);

	return mail != NULL && addr_mask(mail, mm->mail, sizeof(mm->mail)) == 0;
}

static int
email_value(const char *in, char *out, size_t size)
{
	if (!addr_valid(in) || strlen(in) >= size)
		return -1;
	memcpy(out, in, strlen(in) + 1);
	return 0;
}

static void
email_remember(struct flow *f)
{
	free(f->acct.reg_mail);
	f->acct.reg_mail = strdup(f->send_to);
}

const struct method method_email = {
	.id = SSPR_METHOD_EMAIL,
	.name = "email",
	.action = SSPR_ACT_EMAIL,
	.reg_bit = SSPR_REG_EMAIL,
	.channel = CH_MAIL,
	.for_admins = 1,
	.proves_address = 1,
	.noun = "code",
	.enabled = email_enabled,
	.usable = email_usable,
	.shown = email_shown,
	.remember = email_remember,
	.send_to = account_reset_mail,
	.value = email_value,
	.mask = addr_mask,
};
