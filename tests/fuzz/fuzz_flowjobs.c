/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_flowjobs: sequences of messages, directory failures, mail
 * outcomes, deadlines and hang-ups, for up to four flows at once, through
 * the engine, its families and the real work layer (work.c, jobs.c, the
 * families' worker files) down to the directory fake (tests/dirfake);
 * the harness runs the pools (tests/flowfake/flowreal.c).  One byte per
 * action, and what it reads:
 *
 *   0 LEN(2) BYTES   a frame body (u16 type + fields) to the current flow
 *   1 OP STATUS      the next call of the fake's operation OP fails with
 *                    STATUS (DIR_*; DIR_UNKNOWN: written, answer lost)
 *   2                the oldest directory job runs and comes back
 *   3 OK             the oldest mail goes out (or fails)
 *   4                the current flow answers with the newest code mailed
 *   5                the current flow's deadline passes
 *   6                the current flow's caller hangs up
 *   7 N              flow N % 4 becomes the current one
 *
 * Properties: no crash or sanitizer report; nothing is sent on a
 * connection after its last answer; VERIFIED only after the flow's own
 * code was answered; DONE(PASSWORD_SET) only after VERIFIED (or a
 * CHANGE); the stored password changes only if some flow was VERIFIED or
 * sent a CHANGE; when every caller has gone and every job has run, no
 * flow is left.
 */
#include <string.h>

#include "dir_fake.h"
#include "flowfake.h"
#include "fuzz.h"

#define SLOTS	4
#define OLD_PW	"Old-pass-1234"

struct slot {
	struct conn	 c;
	struct flow	*f;	/* NULL: empty, or the caller hung up */
	int		 answered_own;	/* op 4 with this flow's own code */
	int		 changed;	/* a CHANGE came */
};

static struct slot	 slots[SLOTS];
static struct cfg	*cfg;
static int		 any_verified, any_changed;

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
	any_changed |= s->changed;
	flow_message(s->f, &m);
	msg_wipe(&m);
}

static void
answer_own(struct slot *s)
{
	struct msg m = { .type = SSPR_MSG_ANSWER };

	if (s->f == NULL || fr_code[0] == '\0')
		return;
	secret_set(&m.u.secret, fr_code, strlen(fr_code));
	if (code_right(s->f, &m.u.secret))
		s->answered_own = 1;
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

static int
step(struct slot **cur, const uint8_t *data, size_t size, size_t *i)
{
	uint8_t op = data[(*i)++] % 8;
	size_t len;

	switch (op) {
	case 0:
		if (size - *i < 2)
			return -1;
		len = (size_t)data[*i] << 8 | data[*i + 1];
		*i += 2;
		if (len > size - *i)
			len = size - *i;
		deliver(*cur, data + *i, len);
		*i += len;
		break;
	case 1:
		if (size - *i < 2)
			return -1;
		df_fail(data[*i] % DF_NOPS, data[*i + 1] % 8,
		    data[*i + 1] % 8 != 0);
		*i += 2;
		break;
	case 2:
		(void)fr_run_dir();
		break;
	case 3:
		if (*i >= size)
			return -1;
		(void)fr_mail(data[(*i)++] & 1);
		break;
	case 4:
		answer_own(*cur);
		break;
	case 5:
		deadline(*cur);
		break;
	case 6:
		hang_up(*cur);
		break;
	default:
		if (*i >= size)
			return -1;
		*cur = pick(data[(*i)++]);
		break;
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct slot *cur;
	size_t i = 0;
	int k;

	if (!ready) {
		ff_init();
		fr_init();
		if ((cfg = ff_cfg()) == NULL)
			abort();
		cfg->throttle_store = STORE_DIRECTORY;
		cfg->pwquality = 0;
		ready = 1;
	}
	df_reset();
	if (df_add("alice", "alice@example.org", OLD_PW) != 0)
		abort();
	fr_code[0] = '\0';
	any_verified = any_changed = 0;
	memset(slots, 0, sizeof(slots));
	cur = pick(0);
	while (i < size && step(&cur, data, size, &i) == 0)
		for (k = 0; k < SLOTS; k++) {
			check(&slots[k]);
			any_verified |= slots[k].c.verified;
			/* server.c closes a connection once its last answer
			 * is written: nothing more reaches that flow */
			if (slots[k].c.ended)
				hang_up(&slots[k]);
		}
	for (k = 0; k < SLOTS; k++)
		hang_up(&slots[k]);
	for (k = 0; k < DF_NOPS; k++)
		df_fail(k, 0, 0);
	while (fr_run_dir() || fr_mail(1))
		;
	for (k = 0; k < SLOTS; k++)
		check(&slots[k]);
	FUZZ_ASSERT(strcmp(df_password("alice"), OLD_PW) == 0 ||
	    any_verified || any_changed);
	FUZZ_ASSERT(flow_count() == 0);
	return 0;
}
