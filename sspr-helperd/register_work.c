/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * register_work.c: the registration family's own work, on a directory
 * worker (the thread of jobs.c): store what was proved (a sealed app
 * secret, scrypt hashes of the answers, an address, a number, the
 * confirmation or a skip), or make a new set of recovery codes and
 * store their hashes.  Sees only the job.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answers.h"
#include "dirstore.h"
#include "jobs.h"
#include "rcodes.h"
#include "totp.h"

/*
 * Ten new recovery codes: their values replace every old one in one
 * modify (the old set is revoked), and only then do the codes go into
 * shown, one a line, to be shown once.  Never logged.
 */
int
rcodes_issue(void *ctx, struct cfg *c, const struct account *a,
    struct secret *shown, struct dir_result *res)
{
	struct rcode_set *set = calloc(1, sizeof(*set));
	char *va[RCODE_COUNT + 1] = { NULL };
	struct dir_store_rec rec = { .what = DS_RCODES, .answers = va };
	size_t n = 0;
	int i, r = -1;

	secret_wipe(shown);
	if (set == NULL || rcode_new_set(set, (long long)time(NULL)) != 0) {
		dir_result_set(res, DIR_INTERNAL, 0, "cannot make the codes");
		goto out;
	}
	for (i = 0; i < RCODE_COUNT; i++)
		va[i] = set->stored[i];
	if (dir_backend()->method_store(ctx, c, a, &rec, res) != 0)
		goto out;
	for (i = 0; i < RCODE_COUNT; i++) {
		size_t len = strlen(set->text[i]);

		if (n + len + 1 >= sizeof(shown->buf))
			break;
		if (i > 0)
			shown->buf[n++] = '\n';
		memcpy(shown->buf + n, set->text[i], len);
		n += len;
	}
	shown->buf[n] = '\0';
	shown->len = n;
	r = 0;
out:
	if (set != NULL) {
		rcode_set_wipe(set);
		free(set);
	}
	return r;
}

void
register_write_work(void *ctx, struct job_spec *s, struct work_result *r)
{
	const struct answer_params ap = ANSWER_PARAMS_DEFAULT;
	char sealed[TOTP_SEALED_MAX];
	char ans[JOB_ANSWERS_MAX][ANSWER_STORED_MAX + 8];
	char *va[JOB_ANSWERS_MAX + 1] = { NULL };
	struct dir_store_rec rec = { .value = s->value, .answers = va };
	int i;

	dir_result_set(&r->res, DIR_OK, 0, NULL);
	switch (s->action) {
	case SSPR_ACT_EMAIL:
		rec.what = DS_MAIL;
		break;
	case SSPR_ACT_SMS:
		rec.what = DS_PHONE;
		break;
	case SSPR_ACT_TOTP:
		if (totp_seal(s->cfg->totp_keys, s->acct.dn, &s->reg_secret,
		    sealed, sizeof(sealed)) != 0) {
			dir_result_set(&r->res, DIR_INTERNAL, 0,
			    "cannot seal the secret");
			return;
		}
		rec.what = DS_TOTP;
		rec.value = sealed;
		rec.step = (long long)s->step;
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
		rec.what = DS_ANSWERS;
		break;
	case SSPR_ACT_CONFIRM:
		rec.what = DS_CONFIRM;
		rec.step = (long long)time(NULL);
		break;
	case SSPR_ACT_SKIP:
		rec.what = DS_SKIP;
		rec.step = s->acct.skips + 1;
		break;
	case SSPR_ACT_RCODES:
		(void)rcodes_issue(ctx, s->cfg, &s->acct, &r->shown, &r->res);
		return;
	default:
		dir_result_set(&r->res, DIR_INTERNAL, 0, "no such step");
		return;
	}
	dir_backend()->method_store(ctx, s->cfg, &s->acct, &rec, &r->res);
	explicit_bzero(sealed, sizeof(sealed));
	explicit_bzero(ans, sizeof(ans));
}
