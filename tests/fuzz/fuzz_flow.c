/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_flow: sequences of messages, directory and mail outcomes, deadlines
 * and hang-ups, for up to four flows at once, through the daemon's engine
 * and its families (tests/flowfake is the connection and the pools).  The
 * input is a list of actions, one byte each plus what it reads:
 *
 *   0 LEN(2) BYTES   a frame body (u16 type + fields) to the current flow
 *   1 I STATUS FLAGS pending work I comes back (DIR_* status; flags:
 *                    account found with an address, admin, blocked,
 *                    superseded, not self, right)
 *   2 OK             the code's sending went (or failed)
 *   3                the current flow answers with the code it was sent
 *   4                the current flow's deadline passes
 *   5                the current flow's caller hangs up
 *   6, 7 N           flow N % 4 becomes the current one (a new one if
 *                    that slot is empty)
 *
 * Properties: no crash or sanitizer report; an answer is never sent on a
 * connection after its last one; VERIFIED only after the flow's own code
 * was answered; DONE(PASSWORD_SET) only after VERIFIED (or a CHANGE, which
 * the directory checked with the old password); when every caller
 * has gone and all work has come back, no flow is left.
 */
#include <string.h>

#include "flowfake.h"
#include "fuzz.h"

#define SLOTS	4

struct slot {
	struct conn	 c;
	struct flow	*f;	/* NULL: empty, or the caller hung up */
	int		 answered_own;	/* op 3 with this flow's code */
	int		 changed;	/* a CHANGE (the old password) came */
};

static struct slot	 slots[SLOTS];
static struct cfg	*cfg;

static void
hang_up(struct slot *s)
{
	if (s->f == NULL)
		return;
	flow_closed(s->f);
	s->f = NULL;
}

static void
check(const struct slot *s)
{
	FUZZ_ASSERT(s->c.after_end == 0);
	FUZZ_ASSERT(!s->c.verified || s->answered_own);
	FUZZ_ASSERT(!s->c.done_set || s->c.verified || s->changed);
}

static void
deliver(struct slot *s, const uint8_t *p, size_t len)
{
	struct msg m;

	if (s->f == NULL || msg_decode(&m, p, len) != 0)
		return;
	s->changed |= m.type == SSPR_MSG_CHANGE;
	flow_message(s->f, &m);
	msg_wipe(&m);
}

static void
come_back(const uint8_t *p)
{
	struct work_result r = { 0 };
	int i;

	if (ff_njobs == 0)
		return;
	i = p[0] % ff_njobs;
	if (ff_jobs[i].kind == W_LOOKUP && (p[2] & 1) && p[1] % 7 == DIR_OK)
		ff_found(&r, "alice", (p[2] & 2) ? "alice@example.org" : NULL);
	r.res.status = p[1] % 7;
	r.acct.admin = (p[2] & 4) != 0;
	r.blocked = (p[2] & 8) != 0;
	r.superseded = (p[2] & 16) != 0;
	r.not_self = (p[2] & 32) != 0;
	r.right = (p[2] & 64) != 0;
	ff_complete_at(i, &r);
}

static void
answer_own(struct slot *s)
{
	struct msg m = { .type = SSPR_MSG_ANSWER };

	if (s->f == NULL || ff_code_flow != s->f || ff_code[0] == '\0')
		return;
	s->answered_own = 1;
	secret_set(&m.u.secret, ff_code, strlen(ff_code));
	flow_message(s->f, &m);
	msg_wipe(&m);
}

static void
deadline(struct slot *s)
{
	if (s->f != NULL && !flow_timeout(s->f))
		hang_up(s);	/* server.c answers TIMEOUT and closes */
}

static struct slot *
pick(unsigned n)
{
	struct slot *s = &slots[n % SLOTS];

	if (s->f == NULL) {
		memset(&s->c, 0, sizeof(s->c));
		s->answered_own = s->changed = 0;
		s->f = flow_new(&s->c, cfg, 0, 1, 0);
	}
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct slot *cur;
	size_t i = 0, len;
	int k;

	if (!ready) {
		ff_init();
		if ((cfg = ff_cfg()) == NULL)
			abort();
		ready = 1;
	}
	ff_reset();
	memset(slots, 0, sizeof(slots));
	cur = pick(0);
	while (i < size) {
		uint8_t op = data[i++] % 8;

		switch (op) {
		case 0:
			if (size - i < 2)
				goto out;
			len = (size_t)data[i] << 8 | data[i + 1];
			i += 2;
			if (len > size - i)
				len = size - i;
			deliver(cur, data + i, len);
			i += len;
			break;
		case 1:
			if (size - i < 3)
				goto out;
			come_back(data + i);
			i += 3;
			break;
		case 2:
			if (i >= size)
				goto out;
			if (cur->f != NULL)
				flow_send_result(cur->f, data[i] & 1, "fuzz");
			i++;
			break;
		case 3:
			answer_own(cur);
			break;
		case 4:
			deadline(cur);
			break;
		case 5:
			hang_up(cur);
			break;
		default:
			if (i >= size)
				goto out;
			cur = pick(data[i++]);
			break;
		}
		for (k = 0; k < SLOTS; k++) {
			check(&slots[k]);
			/* server.c closes a connection once its last answer
			 * is written: nothing more reaches that flow */
			if (slots[k].c.ended)
				hang_up(&slots[k]);
		}
	}
out:
	for (k = 0; k < SLOTS; k++)
		hang_up(&slots[k]);
	while (ff_njobs > 0) {
		struct work_result r = { 0 };

		r.res.status = DIR_UNAVAILABLE;
		ff_complete_at(0, &r);
	}
	for (k = 0; k < SLOTS; k++)
		check(&slots[k]);
	FUZZ_ASSERT(flow_count() == 0);
	return 0;
}
