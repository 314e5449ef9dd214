/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * method_questions.c: answers to the [questions] list.  At a registration
 * [questions] required of them are asked in the list's order, normalized
 * and stored as salted scrypt hashes "N:$scrypt$..." (ssprQuestionAnswer);
 * at a reset as many of the answered ones (all of them when fewer) in
 * random order, each checked on a worker (W_ANSWER_CHECK).  Never a
 * method for an administrator.  Loop thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "answers.h"
#include "method.h"

static int
questions_enabled(const struct cfg *c)
{
	return cfg_method(c, "questions");
}

static int
questions_usable(const struct cfg *c, const struct account *a)
{
	int i;

	for (i = 0; a->answers != NULL && a->answers[i] != NULL; i++)
		if (answer_number(a->answers[i], c->questions.n) != 0)
			return 1;
	return 0;
}

static int
questions_shown(const struct cfg *c, const struct account *a,
    struct msg_methods *mm)
{
	(void)c;
	(void)mm;
	return a->answers != NULL && a->answers[0] != NULL;
}

/*
 * At a reset: [questions] required of the answered ones (all of them
 * when fewer), in random order.  A question the entry holds two values
 * for (written by hand or by a tool) is one question, asked once.
 */
static void
questions_prepare(struct flow *f)
{
	int have[MAX_QUESTIONS], n = 0, i, j, t;
	unsigned char rnd[MAX_QUESTIONS];

	for (i = 0; f->acct.answers != NULL && f->acct.answers[i] != NULL &&
	    n < MAX_QUESTIONS; i++) {
		if ((t = answer_number(f->acct.answers[i],
		    f->cfg->questions.n)) == 0)
			continue;
		for (j = 0; j < n && have[j] != t; j++)
			;
		if (j == n)
			have[n++] = t;
	}
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		memset(rnd, 0, sizeof(rnd));
	for (i = n - 1; i > 0; i--) {	/* Fisher-Yates */
		j = rnd[i] % (i + 1);
		t = have[i];
		have[i] = have[j];
		have[j] = t;
	}
	f->n_q = n < f->cfg->questions_required ? n :
	    f->cfg->questions_required;
	memcpy(f->q_pick, have, sizeof(have));
	f->q_pos = 0;
}

static void
questions_prompt(struct flow *f)
{
	flow_info(f, f->cfg->questions.item[f->q_pick[f->q_pos] - 1]);
}

static int
questions_again(struct flow *f)
{
	return ++f->q_pos < f->n_q;
}

static int
questions_enrol(struct flow *f)
{
	if (f->cfg->questions.n == 0)
		return 1;
	if (f->reg_answers == NULL && (f->reg_answers = calloc(MAX_QUESTIONS,
	    sizeof(*f->reg_answers))) == NULL)
		return -1;
	f->n_q = f->cfg->questions_required < f->cfg->questions.n ?
	    f->cfg->questions_required : f->cfg->questions.n;
	f->q_pos = 0;
	f->attempts_left = f->cfg->code_max_attempts;
	return 0;
}

/* Question q_pos (the list's questions in order). */
static int
questions_enrol_ask(struct flow *f, struct msg *m)
{
	char line[CFG_QUESTION_MAX + 64];

	(void)m;
	snprintf(line, sizeof(line), "Question %d of %d: %s", f->q_pos + 1,
	    f->n_q, f->cfg->questions.item[f->q_pos]);
	flow_info(f, line);
	return 0;
}

static enum enrol_outcome
questions_enrol_answer(struct flow *f, const struct secret *typed)
{
	if (answer_normalize(typed, f->cfg->min_answer_length,
	    &f->reg_answers[f->q_pos]) != 0)
		return ENROL_INVALID;
	return ++f->q_pos < f->n_q ? ENROL_NEXT : ENROL_DONE;
}

/* Only the numbers: the hashes stay in the directory. */
static void
questions_remember(struct flow *f)
{
	struct account *a = &f->acct;
	char v[32];
	int i;

	for (i = 0; a->answers != NULL && a->answers[i] != NULL; i++)
		free(a->answers[i]);
	free(a->answers);
	a->answers = calloc((size_t)f->n_q + 1, sizeof(*a->answers));
	for (i = 0; a->answers != NULL && i < f->n_q; i++) {
		snprintf(v, sizeof(v), "%d:", i + 1);
		a->answers[i] = strdup(v);
	}
}

const struct method method_questions = {
	.id = SSPR_METHOD_QUESTION,
	.name = "questions",
	.action = SSPR_ACT_QUESTIONS,
	.reg_bit = SSPR_REG_QUESTIONS,
	.channel = CH_NONE,
	.for_admins = 0,
	.noun = "answer",
	.enabled = questions_enabled,
	.usable = questions_usable,
	.shown = questions_shown,
	.remember = questions_remember,
	.check = W_ANSWER_CHECK,
	.check_job = reset_answer_work,
	.answer_len = 0,
	.prepare = questions_prepare,
	.prompt = questions_prompt,
	.again = questions_again,
	.enrol = questions_enrol,
	.enrol_ask = questions_enrol_ask,
	.enrol_answer = questions_enrol_answer,
};
