/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * humancheck.c: the human check of a reset ([policy] human_check), asked
 * before any lookup, so it is the same for every name.  Not a
 * verification method: it proves nothing about the account and is never
 * registered; it only slows down scripts (the picture is human.c's).
 * Wrong answers count against the source, like wrong codes.  Loop thread.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flowint.h"
#include "human.h"
#include "state.h"

#define HUMAN_TRIES	3

static int
checks(const struct cfglist *l, const char *word)
{
	return cfglist_has(l, word) || cfglist_has(l, "all");
}

/* [policy] human_check for this caller: kiosk, remote (SSH) or local. */
int
human_needed(const struct flow *f)
{
	const struct cfglist *l = &f->cfg->human_check;

	if (strcmp(f->service, f->cfg->kiosk_service) == 0)
		return checks(l, "kiosk");
	return checks(l, f->remote ? "remote" : "local");
}

/* A new picture: INFO lines, then a CHALLENGE naming the check. */
static void
ask(struct flow *f)
{
	struct msg m = { .type = SSPR_MSG_CHALLENGE };
	int i;

	if ((f->human == NULL && (f->human = malloc(sizeof(*f->human))) ==
	    NULL) || human_new(f->human) != 0) {
		flow_fail(f, SSPR_R_INTERNAL);
		return;
	}
	for (i = 0; i < HUMAN_ROWS; i++)
		flow_info(f, f->human->lines[i]);
	m.u.challenge.method = SSPR_METHOD_HUMAN;
	m.u.challenge.lifetime = (uint32_t)f->cfg->idle_timeout;
	m.u.challenge.answer_len = HUMAN_LEN;
	flow_wait(f, F_HUMAN, f->cfg->idle_timeout * 1000LL);
	flow_answer(f, &m);
}

void
human_ask(struct flow *f)
{
	f->human_tries = HUMAN_TRIES;
	ask(f);
}

/*
 * 1: right, the flow may look someone up.  0: wrong, and asked again or
 * (too many) the flow has ended.
 */
int
human_answered(struct flow *f, const struct secret *typed)
{
	char key[SSPR_RHOST_MAX + 8];

	if (human_match(f->human, typed->buf, typed->len))
		return 1;
	source_key(f, key, sizeof(key));
	state_event(key, STATE_FAIL, time(NULL), NULL);
	faudit(f, "human_check", "refused", "wrong");
	if (--f->human_tries <= 0) {
		flow_fail(f, SSPR_R_TOO_MANY);
		return 0;
	}
	ask(f);
	return 0;
}
