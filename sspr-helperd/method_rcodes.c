/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * method_rcodes.c: recovery codes (rcodes.h).  At a registration the
 * person takes a set of ten: made and hashed on a worker, stored in
 * place of any old set (one replace of ssprRecoveryCode), then shown
 * once as INFO lines; nothing proves more than the login just made.  At
 * a reset one code is one method, checked on a worker (scrypt) and
 * accepted only once the directory deleted its value (reset_work.c's
 * reset_rcode_work: of two hosts, one wins).  Asked first (an account
 * with no other method), it wears the fake flow's email challenge, so
 * such an account looks like an unknown name until the code is typed.
 * With two or fewer left the account step offers registration, which
 * says so.  Loop thread only.
 */
#include <stdlib.h>
#include <string.h>

#include "method.h"
#include "rcodes.h"

static int
left(const struct account *a)
{
	int n = 0;

	while (a->rcodes != NULL && a->rcodes[n] != NULL)
		n++;
	return n;
}

static int
rcodes_enabled(const struct cfg *c)
{
	return cfg_method(c, "rcodes");
}

static int
rcodes_usable(const struct cfg *c, const struct account *a)
{
	(void)c;
	return left(a) > 0;
}

static int
rcodes_shown(const struct cfg *c, const struct account *a,
    struct msg_methods *mm)
{
	(void)c;
	(void)mm;
	return left(a) > 0;
}

/* The codes themselves went to the person only; the flow knows "some". */
static void
rcodes_remember(struct flow *f)
{
	char **v = calloc(2, sizeof(*v));

	if (v != NULL && (v[0] = strdup("new")) == NULL) {
		free(v);
		v = NULL;
	}
	account_clear(&(struct account){ .rcodes = f->acct.rcodes });
	f->acct.rcodes = v;
}

static int
rcodes_due(const struct cfg *c, const struct account *a)
{
	int n = left(a);

	return rcodes_enabled(c) && n > 0 && rcode_low(n);
}

static void
rcodes_notice(struct flow *f)
{
	if (rcodes_due(f->cfg, &f->acct))
		flow_info(f, SSPR_INFO_RCODES_LOW);
}

const struct method method_rcodes = {
	.id = SSPR_METHOD_RCODE,
	.name = "rcodes",
	.action = SSPR_ACT_RCODES,
	.reg_bit = SSPR_REG_RCODES,
	.channel = CH_NONE,
	.for_admins = 1,
	.noun = "recovery code",
	.hidden = 1,
	.enabled = rcodes_enabled,
	.usable = rcodes_usable,
	.shown = rcodes_shown,
	.remember = rcodes_remember,
	.due = rcodes_due,
	.notice = rcodes_notice,
	.check = W_ANSWER_CHECK,
	.check_job = reset_rcode_work,
	.answer_len = 0,
};
