/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * register_work.c: the registration family's own work, on a directory
 * worker (the thread of jobs.c): store what was proved (a sealed app
 * secret, scrypt hashes of the answers, an address, a number, the
 * confirmation or a skip).  Sees only the job.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "answers.h"
#include "jobs.h"
#include "totp.h"

void
register_write_work(void *ctx, struct job_spec *s, struct work_result *r)
{
	const struct answer_params ap = ANSWER_PARAMS_DEFAULT;
	char one[64], two[32], sealed[TOTP_SEALED_MAX];
	char ans[JOB_ANSWERS_MAX][ANSWER_STORED_MAX + 8];
	char *v1[] = { one, NULL }, *v2[] = { two, NULL };
	char *va[JOB_ANSWERS_MAX + 1] = { NULL };
	struct dir_mod m[2];
	int n = 0, i;

	dir_result_set(&r->res, DIR_OK, 0, NULL);
	switch (s->action) {
	case SSPR_ACT_EMAIL:
	case SSPR_ACT_SMS:
		v1[0] = s->value;
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE, s->action ==
		    SSPR_ACT_EMAIL ? "ssprRecoveryMail" : "ssprRecoveryPhone",
		    v1 };
		break;
	case SSPR_ACT_TOTP:
		if (totp_seal(s->cfg->totp_keys, s->acct.dn, &s->reg_secret,
		    sealed, sizeof(sealed)) != 0) {
			dir_result_set(&r->res, DIR_INTERNAL, 0,
			    "cannot seal the secret");
			return;
		}
		v1[0] = sealed;
		snprintf(two, sizeof(two), "%lld", (long long)s->step);
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE, "ssprTotpSecret",
		    v1 };
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE, "ssprTotpLastStep",
		    v2 };
		break;
	case SSPR_ACT_QUESTIONS:
		for (i = 0; i < s->n_answers && i < JOB_ANSWERS_MAX; i++) {
			int k = snprintf(ans[i], sizeof(ans[i]), "%d:", i + 1);

			if (answer_hash(&s->answers[i], &ap, ans[i] + k,
			    sizeof(ans[i]) - (size_t)k) != 0) {
				dir_result_set(&r->res, DIR_INTERNAL, 0,
				    "cannot hash an answer");
				return;
			}
			secret_wipe(&s->answers[i]);
			va[i] = ans[i];
		}
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE,
		    "ssprQuestionAnswer", va };
		break;
	case SSPR_ACT_CONFIRM:
		snprintf(one, sizeof(one), "%lld", (long long)time(NULL));
		snprintf(two, sizeof(two), "0");
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE, "ssprRegisteredTime",
		    v1 };
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE,
		    "ssprRegistrationSkips", v2 };
		break;
	case SSPR_ACT_SKIP:
		snprintf(two, sizeof(two), "%d", s->acct.skips + 1);
		m[n++] = (struct dir_mod){ DIR_MOD_REPLACE,
		    "ssprRegistrationSkips", v2 };
		break;
	default:
		dir_result_set(&r->res, DIR_INTERNAL, 0, "no such step");
		return;
	}
	dir_modify(ctx, s->cfg, &s->acct, m, n, 0, &r->res);
	explicit_bzero(sealed, sizeof(sealed));
	explicit_bzero(ans, sizeof(ans));
}
