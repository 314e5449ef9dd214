/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * register_where.c: the [register] services/sources rule at the START of a
 * registration (where.c decides).  The daemon decides, never the module:
 * the module only shows the reason.
 */
#include "flowint.h"
#include "log.h"
#include "where.h"

/*
 * At the START of a registration: refused with a reason the person reads,
 * a log line for the admin and an audit record.  The HELLO gave the flow
 * its source: PAM_RHOST when named, else PAM_TTY.
 */
int
where_register_ok(struct flow *f)
{
	struct place p = {
		.service = f->service,
		.rhost = f->remote ? f->source : "",
		.tty = f->remote ? "" : f->source,
		.vouched = !f->self_only,
	};

	if (where_allowed(&f->cfg->reg_services, &f->cfg->reg_sources, &p))
		return 1;
	flog(f, LOG_NOTICE, "registration refused: this service or source "
	    "is not in [register] services/sources%s",
	    f->self_only ? " (a caller outside allowed_uids)" : "");
	faudit(f, "register", "refused", "where");
	flow_fail(f, SSPR_R_NOT_HERE);
	return 0;
}
