/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reset_work.c: the reset family's own work, on a directory worker (the
 * thread of jobs.c): is an app code right, its time step not used before
 * on any host (the step is stored with a compare-and-swap), or is a
 * security question's answer right (scrypt)?  Is a recovery code one of
 * the account's, and did this worker's delete of its value win?  Is a
 * helpdesk pass right (scrypt), and was that very value deleted from the
 * entry by this flow (single use on any host)?  Sees only the job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answers.h"
#include "dirstore.h"
#include "jobs.h"
#include "log.h"
#include "pass.h"
#include "rcodes.h"
#include "totp.h"

void
reset_answer_work(void *ctx, struct job_spec *s, struct work_result *r)
{
	const struct account *a = &s->acct;
	int i;

	(void)ctx;
	dir_result_set(&r->res, DIR_OK, 0, NULL);
	r->right = 0;
	for (i = 0; a->answers != NULL && a->answers[i] != NULL; i++)
		if (answer_number(a->answers[i], s->cfg->questions.n) ==
		    s->question) {
			r->right = answer_verify(&s->pw,
			    strchr(a->answers[i], ':') + 1) == 1;
			break;
		}
}

void
reset_totp_work(void *ctx, struct job_spec *s, struct work_result *r)
{
	const struct account *a = &s->acct;
	const struct dir_backend *be = dir_backend();
	struct secret sec = { 0 };
	char sealed[TOTP_SEALED_MAX];
	int64_t matched, last;
	int stale = 0, i;

	dir_result_set(&r->res, DIR_OK, 0, NULL);
	r->right = 0;
	if (s->cfg->totp_keys == NULL || totp_open(s->cfg->totp_keys, a->dn,
	    a->totp, &sec, &stale) != 0) {
		job_log(s, LOG_ERR, "the authenticator app secret does not "
		    "open with the [totp] keys");
		return;
	}
	last = a->totp_last != NULL ? atoll(a->totp_last) : -1;
	i = totp_verify(&sec, &s->pw, time(NULL), s->cfg->totp_window, last,
	    &matched);
	if (i == TOTP_REPLAY)
		job_log(s, LOG_NOTICE, "an app code whose time step was "
		    "already used; refused");
	if (i != TOTP_OK) {
		secret_wipe(&sec);
		return;
	}
	/* the step as read: on any host, only one swap from it succeeds */
	if (be->totp_step_swap(ctx, s->cfg, a, a->totp_last,
	    (long long)matched, &r->res) != 0) {
		job_log(s, LOG_NOTICE, "the app code's step could not be "
		    "stored (used meanwhile elsewhere?): %s", r->res.detail);
		secret_wipe(&sec);
		if (r->res.status != DIR_UNAVAILABLE)
			dir_result_set(&r->res, DIR_OK, 0, NULL);
		return;
	}
	r->right = 1;
	/* sealed with an old key: seal again with the current one */
	if (stale && totp_seal(s->cfg->totp_keys, a->dn, &sec, sealed,
	    sizeof(sealed)) == 0) {
		struct dir_result res2;

		if (be->totp_reseal(ctx, s->cfg, a, sealed, &res2) == 0)
			job_log(s, LOG_INFO, "app secret sealed again with the "
			    "current key");
	}
	explicit_bzero(sealed, sizeof(sealed));
	secret_wipe(&sec);
}

/*
 * A recovery code: right only if it matches a value the lookup read and
 * this delete of that value is the one that took it (another host, or
 * another flow, using the same code meanwhile finds it gone: wrong, like
 * any wrong or used code).  The code is never logged.
 */
void
reset_rcode_work(void *ctx, struct job_spec *s, struct work_result *r)
{
	const struct account *a = &s->acct;
	int n = 0, i;

	dir_result_set(&r->res, DIR_OK, 0, NULL);
	r->right = 0;
	while (a->rcodes != NULL && a->rcodes[n] != NULL)
		n++;
	if ((i = rcode_match((const char *const *)a->rcodes, n, &s->pw)) < 0)
		return;
	if (dir_backend()->value_consume(ctx, s->cfg, a, DV_RCODE,
	    a->rcodes[i], &r->res) == 0) {
		r->right = 1;
		job_log(s, LOG_NOTICE, "a recovery code was used; %d left",
		    n - 1);
		return;
	}
	if (r->res.status == DIR_NOT_FOUND) {
		job_log(s, LOG_NOTICE, "a recovery code that was used "
		    "meanwhile (by another flow or host); refused");
		dir_result_set(&r->res, DIR_OK, 0, NULL);
		return;
	}
	/* a lost answer may have taken the code: it is not accepted */
	job_log(s, LOG_ERR, "cannot use the recovery code: %s",
	    r->res.detail);
	if (r->res.status != DIR_UNAVAILABLE)
		dir_result_set(&r->res, DIR_UNAVAILABLE, 0, r->res.detail);
}

/*
 * A helpdesk pass: the same scrypt for every flow (a fake one, an
 * account without a pass, an expired or unreadable pass: pass_check does
 * the same work and says no).  A right pass counts only once this flow
 * deleted that very value: of two flows on any hosts only one can.  Used
 * or expired looks like wrong; only a directory that cannot be reached
 * is said.
 */
void
reset_pass_work(void *ctx, struct job_spec *s, struct work_result *r)
{
	const struct account *a = &s->acct;
	const char *stored = s->fake ? NULL : a->pass;
	struct pass_info pi;

	dir_result_set(&r->res, DIR_OK, 0, NULL);
	r->right = 0;
	if (!pass_check(stored, &s->pw, (long long)time(NULL)))
		return;
	/* ssprctl checked this as far as the issuer could read; this is
	 * the daemon's own lookup, the check that counts */
	if ((a->admin || a->excluded) && !s->cfg->pass_for_admins) {
		job_log(s, LOG_WARNING, "a right helpdesk pass for an "
		    "administrator or excluded account, refused ([pass] "
		    "for_admins = no); it stays on the entry");
		return;
	}
	if (dir_backend()->value_consume(ctx, s->cfg, a, DV_HELPDESK_PASS,
	    stored, &r->res) != 0) {
		job_log(s, LOG_NOTICE, "a right helpdesk pass that could not "
		    "be deleted (used meanwhile elsewhere?): %s",
		    r->res.detail);
		if (r->res.status != DIR_UNAVAILABLE)
			dir_result_set(&r->res, DIR_OK, 0, NULL);
		return;
	}
	r->right = 1;
	if (pass_parse(stored, &pi) == 0)
		snprintf(r->vouched, sizeof(r->vouched), "%s", pi.issuer);
	explicit_bzero(&pi, sizeof(pi));
}
