/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * method_pass.c: a one-time pass from the helpdesk (pass.h), issued by
 * ssprctl pass after the helpdesk checked who is asking by its own
 * means.  Never registered by the person.  The person chooses it at the
 * login ("I have a pass from the helpdesk": START purpose PASS, offered
 * to every name alike when [policy] methods has pass); it is then the
 * first challenge, of a fake flow too.  The check is on a worker
 * (reset_pass_work: scrypt, then the value deleted from the entry, which
 * only one flow on any host can do).  After the reset the recovery
 * address and the directory's mail are told, with its own template.
 * Loop thread only.
 */
#include "method.h"

static int
pass_enabled(const struct cfg *c)
{
	return cfg_method(c, "pass");
}

/* A pass on the entry, and the account may use one ([pass] for_admins:
 * the daemon's own lookup, the check that counts). */
static int
pass_usable(const struct cfg *c, const struct account *a)
{
	return a->pass != NULL && (c->pass_for_admins ||
	    (!a->admin && !a->excluded));
}

/* Not a registration: the account step never shows it. */
static int
pass_shown(const struct cfg *c, const struct account *a,
    struct msg_methods *mm)
{
	(void)c;
	(void)a;
	(void)mm;
	return 0;
}

static int
pass_counts(const struct cfg *c)
{
	return c->pass_counts_as;
}

const struct method method_pass = {
	.id = SSPR_METHOD_PASS,
	.name = "pass",
	.channel = CH_NONE,
	.for_admins = 1,	/* as [pass] for_admins says: pass_usable */
	.noun = "pass",
	.enabled = pass_enabled,
	.usable = pass_usable,
	.shown = pass_shown,
	.check = W_PASS_CHECK,
	.check_job = reset_pass_work,
	.purpose = SSPR_PURPOSE_PASS,
	.feature = SSPR_FEAT_PASS,
	.counts = pass_counts,
	.notify = "notify-pass",
};
