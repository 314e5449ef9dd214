/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_jobs: the jobs a flow's work becomes (jobs.c, reset_work.c,
 * register_work.c) run as the directory workers run them, on the
 * directory fake (tests/dirfake): what each job asks the back end and
 * what it makes of the answer, a failure injected at each step, and two
 * flows for one account.  No flow is involved: a job is a value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "dir_fake.h"
#include "jobs.h"
#include "pass.h"

static struct cfg *cfg;

static struct cfg *
test_cfg(void)
{
	static const char text[] =
	    "[directory]\n"
	    "uri = ldaps://dc1.example.org\n"
	    "base = dc=example,dc=org\n"
	    "bind_dn = cn=sspr,dc=example,dc=org\n"
	    "bind_password_file = /etc/sspr/bindpw\n"
	    "[mail]\n"
	    "smtp_url = smtp://mail.example.org:587\n"
	    "from = sspr@example.org\n"
	    "[policy]\n"
	    "human_check = none\n";
	char err[512];
	struct cfg *c = cfg_parse("test.conf", text, strlen(text), err,
	    sizeof(err));

	if (c == NULL)
		fail_msg("%s", err);
	c->throttle_store = STORE_DIRECTORY;
	c->pwquality = 0;	/* the daemon's own rules; no dictionaries */
	c->min_uid = 1000;
	/* three questions configured: only their number matters here */
	c->questions.n = 3;
	return c;
}

static int
setup(void **state)
{
	(void)state;
	df_reset();
	dir_backend_set(&dir_fake);
	cfg = test_cfg();
	assert_int_equal(df_add("alice", "alice@example.org", "Old-pass-1234"),
	    0);
	assert_int_equal(df_add("bob", "bob@example.org", "Bobs-old-5678"), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	dir_backend_set(NULL);
	df_reset();
	cfg->questions.n = 0;	/* none was parsed */
	cfg_unref(cfg);
	return 0;
}

/* A job as work.c makes it for a flow of user's that looked up acct. */
static struct job_spec *
job(enum work_kind kind, const char *user)
{
	struct job_spec *s = job_new(kind, cfg);
	struct account *e = df_entry(user);

	assert_non_null(s);
	snprintf(s->tag, sizeof(s->tag), "flow=test user=%s", user);
	snprintf(s->user, sizeof(s->user), "%s", user);
	if (e != NULL && kind != W_LOOKUP && kind != W_STATUS &&
	    kind != W_CHANGE)
		assert_int_equal(account_copy(&s->acct, e), 0);
	return s;
}

/* Runs s on "a worker" and keeps the result; frees the job. */
static void
run(struct job_spec *s, struct work_result *r)
{
	memset(r, 0, sizeof(*r));
	job_run(s, r, dir_fake_ctx);
}

static void
done(struct job_spec *s, struct work_result *r)
{
	account_clear(&r->acct);
	free(r->seen);
	r->seen = NULL;
	job_free(s);
}

static void
secret_of(struct secret *s, const char *v)
{
	assert_int_equal(secret_set(s, v, strlen(v)), 0);
}

/* --- the cases ------------------------------------------------------------- */

static void
lookup_known_unknown(void **state)
{
	struct job_spec *s;
	struct work_result r;

	(void)state;
	s = job(W_LOOKUP, "alice");
	run(s, &r);
	assert_int_equal(r.res.status, DIR_OK);
	assert_string_equal(r.acct.mail, "alice@example.org");
	assert_false(r.system);
	done(s, &r);

	s = job(W_LOOKUP, "mallory");
	run(s, &r);
	assert_int_equal(r.res.status, DIR_NOT_FOUND);
	assert_null(r.acct.dn);
	done(s, &r);

	/* root never, whatever the directory says: asked of it all the same */
	assert_int_equal(df_add("root", "root@example.org", "x"), 0);
	s = job(W_LOOKUP, "root");
	run(s, &r);
	assert_true(r.system);
	done(s, &r);
}

static void
self_caller_other(void **state)
{
	struct job_spec *s;
	struct work_result r;

	(void)state;
	s = job(W_LOOKUP, "alice");
	s->self_only = 1;
	s->uid = 0;		/* root's name is not alice */
	run(s, &r);
	assert_true(r.not_self);
	/* refused before the directory is asked: nothing to enumerate */
	assert_int_equal(df_calls(DF_LOOKUP), 0);
	done(s, &r);
}

static void
set_password_written(void **state)
{
	struct job_spec *s;
	struct work_result r;

	(void)state;
	s = job(W_SET_PASSWORD, "alice");
	secret_of(&s->pw, "Correct-horse-battery-42");
	run(s, &r);
	assert_int_equal(r.res.status, DIR_OK);
	assert_string_equal(df_password("alice"), "Correct-horse-battery-42");
	/* the worker wiped its copy of the password */
	assert_int_equal(s->pw.len, 0);
	done(s, &r);

	/* refused by the daemon's rules: the directory is not asked */
	s = job(W_SET_PASSWORD, "alice");
	secret_of(&s->pw, "x");
	run(s, &r);
	assert_int_equal(r.res.status, DIR_POLICY);
	assert_int_equal(df_calls(DF_SET_PASSWORD), 1);
	done(s, &r);
}

/*
 * The directory fails at each step a flow takes: the job says so, and
 * nothing is half-written (the stored password, counters, methods stay).
 */
static void
failure_at_each_step(void **state)
{
	static const struct {
		enum work_kind	 kind;
		enum df_op	 op;
	} steps[] = {
		{ W_LOOKUP,		DF_LOOKUP },
		{ W_STATUS,		DF_LOOKUP },
		{ W_SET_PASSWORD,	DF_SET_PASSWORD },
		{ W_UNLOCK,		DF_UNLOCK },
		{ W_RECORD_SENT,	DF_COUNTER_ADD },
		{ W_RECORD_FAIL,	DF_COUNTER_ADD },
		{ W_CHECK,		DF_COUNTERS_READ },
		{ W_CLEAR,		DF_COUNTERS_CLEAR },
		{ W_REG_WRITE,		DF_METHOD_STORE },
	};
	struct job_spec *s;
	struct work_result r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		df_fail(steps[i].op, DIR_UNAVAILABLE, 1);
		s = job(steps[i].kind, "alice");
		secret_of(&s->pw, "Correct-horse-battery-42");
		if (steps[i].kind == W_REG_WRITE) {
			s->fn = register_write_work;
			s->action = SSPR_ACT_EMAIL;
			snprintf(s->value, sizeof(s->value), "new@example.org");
		}
		run(s, &r);
		if (r.res.status != DIR_UNAVAILABLE)
			fail_msg("step %zu: status %d", i, r.res.status);
		done(s, &r);
	}
	assert_string_equal(df_password("alice"), "Old-pass-1234");
	assert_int_equal(df_entry("alice")->counters.n_sent, 0);
	assert_int_equal(df_entry("alice")->counters.n_fails, 0);
	assert_null(df_entry("alice")->reg_mail);
}

/* A write that lands but whose answer is lost is never called done. */
static void
write_answer_lost(void **state)
{
	struct job_spec *s;
	struct work_result r;

	(void)state;
	df_fail(DF_SET_PASSWORD, DIR_UNKNOWN, 1);
	s = job(W_SET_PASSWORD, "alice");
	secret_of(&s->pw, "Correct-horse-battery-42");
	run(s, &r);
	assert_int_equal(r.res.status, DIR_UNKNOWN);
	done(s, &r);
}

/*
 * Two flows for one account: each counts its send on the entry; the
 * first one's code is then no longer the newest (a check says
 * superseded), the second's is.
 */
static void
two_flows_one_account(void **state)
{
	struct job_spec *s;
	struct work_result r;
	char mark[2][64];
	uint64_t *seen[2];
	int n_seen[2], i;

	(void)state;
	for (i = 0; i < 2; i++) {
		s = job(W_RECORD_SENT, "alice");
		run(s, &r);
		assert_int_equal(r.res.status, DIR_OK);
		assert_false(r.blocked);
		assert_int_equal(s->acct.counters.n_sent, i + 1);
		snprintf(mark[i], sizeof(mark[i]), "%s", r.mark);
		seen[i] = r.seen;
		n_seen[i] = r.n_seen;
		r.seen = NULL;
		done(s, &r);
	}
	assert_string_not_equal(mark[0], mark[1]);
	for (i = 0; i < 2; i++) {
		s = job(W_CHECK, "alice");
		memcpy(s->sent_mark, mark[i], sizeof(s->sent_mark));
		s->seen = seen[i];
		s->n_seen = n_seen[i];
		run(s, &r);
		assert_int_equal(r.res.status, DIR_OK);
		assert_int_equal(r.superseded, i == 0);
		done(s, &r);
	}
	/* a success clears them, for every flow */
	s = job(W_CLEAR, "alice");
	run(s, &r);
	assert_int_equal(r.res.status, DIR_OK);
	done(s, &r);
	assert_int_equal(df_entry("alice")->counters.n_sent, 0);
	/* bob's account was never touched */
	assert_null(df_entry("bob")->raw_sent);
}

/* Wrong codes, from any flow, block the account once there are enough. */
static void
wrong_codes_block(void **state)
{
	struct job_spec *s;
	struct work_result r;
	int i, blocked = 0;

	(void)state;
	for (i = 0; i < 50 && !blocked; i++) {
		s = job(W_RECORD_FAIL, i % 2 ? "alice" : "ALICE");
		run(s, &r);
		assert_int_equal(r.res.status, DIR_OK);
		blocked = r.blocked;
		done(s, &r);
	}
	assert_true(blocked);
	assert_true(i > 1);
	assert_true(df_entry("alice")->counters.blocked_until > 0);
	s = job(W_CHECK, "alice");
	run(s, &r);
	assert_true(r.blocked);
	done(s, &r);
}

/* Registration stores what was proved; a lookup then brings it back. */
static void
registration_stored(void **state)
{
	struct job_spec *s;
	struct work_result r;

	(void)state;
	s = job(W_REG_WRITE, "bob");
	s->fn = register_write_work;
	s->action = SSPR_ACT_SMS;
	snprintf(s->value, sizeof(s->value), "+15551234567");
	run(s, &r);
	assert_int_equal(r.res.status, DIR_OK);
	done(s, &r);

	s = job(W_REG_WRITE, "bob");
	s->fn = register_write_work;
	s->action = SSPR_ACT_SKIP;
	run(s, &r);
	done(s, &r);

	s = job(W_LOOKUP, "bob");
	run(s, &r);
	assert_string_equal(r.acct.phone, "+15551234567");
	assert_int_equal(r.acct.skips, 1);
	done(s, &r);
}

/* An answer is checked against the stored hash, by question number. */
static void
answers_checked(void **state)
{
	struct job_spec *s;
	struct work_result r;

	(void)state;
	s = job(W_REG_WRITE, "alice");
	s->fn = register_write_work;
	s->action = SSPR_ACT_QUESTIONS;
	secret_of(&s->answers[0], "rex");
	secret_of(&s->answers[1], "paris");
	s->n_answers = 2;
	run(s, &r);
	assert_int_equal(r.res.status, DIR_OK);
	/* the worker wiped the answers once hashed */
	assert_int_equal(s->answers[0].len, 0);
	done(s, &r);
	assert_non_null(df_entry("alice")->answers);

	s = job(W_ANSWER_CHECK, "alice");
	s->fn = reset_answer_work;
	s->question = 2;
	secret_of(&s->pw, "paris");
	run(s, &r);
	assert_true(r.right);
	done(s, &r);

	s = job(W_ANSWER_CHECK, "alice");
	s->fn = reset_answer_work;
	s->question = 1;
	secret_of(&s->pw, "paris");
	run(s, &r);
	assert_false(r.right);
	done(s, &r);
}

/* --- recovery codes --------------------------------------------------- */

/* A new set for user through registration's job: its ten codes. */
static void
rcodes_take(const char *user, char codes[10][16])
{
	struct job_spec *s = job(W_REG_WRITE, user);
	struct work_result r;
	char *p, *nl;
	int n = 0;

	s->fn = register_write_work;
	s->action = SSPR_ACT_RCODES;
	run(s, &r);
	assert_int_equal(r.res.status, DIR_OK);
	for (p = (char *)r.shown.buf; n < 10; p = nl + 1, n++) {
		nl = strchr(p, '\n');
		assert_int_equal(nl != NULL ? (int)(nl - p) : (int)strlen(p),
		    11);
		memcpy(codes[n], p, 11);
		codes[n][11] = '\0';
		if (nl == NULL)
			break;
	}
	assert_int_equal(n, 9);	/* ten lines */
	done(s, &r);
}

/* A reset's check of a typed code, as the flow's job runs it. */
static int
rcode_try(const char *user, const char *code, int *status)
{
	struct job_spec *s = job(W_ANSWER_CHECK, user);
	struct work_result r;
	int right;

	s->fn = reset_rcode_work;
	secret_of(&s->pw, code);
	run(s, &r);
	right = r.right;
	if (status != NULL)
		*status = r.res.status;
	done(s, &r);
	return right;
}

static int
rcodes_left(const char *user)
{
	char **v = df_entry(user)->rcodes;
	int n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

/*
 * Ten codes, the entry holds hashes only; a right code verifies once and
 * its value is gone; the same code again looks wrong, as a wrong one.
 */
static void
rcodes_used_once(void **state)
{
	char codes[10][16];
	char **v;
	int i, j, st;

	(void)state;
	rcodes_take("alice", codes);
	assert_int_equal(rcodes_left("alice"), 10);
	v = df_entry("alice")->rcodes;
	for (i = 0; i < 10; i++)
		for (j = 0; j < 10; j++)
			assert_null(strstr(v[i], codes[j]));
	assert_true(rcode_try("alice", codes[3], &st));
	assert_int_equal(rcodes_left("alice"), 9);
	assert_false(rcode_try("alice", codes[3], &st));
	assert_int_equal(st, DIR_OK);
	assert_false(rcode_try("alice", "AAAAA-AAAAA", &st));
	assert_int_equal(st, DIR_OK);
	assert_int_equal(rcodes_left("alice"), 9);
	/* typed as people do: lower case, no dash */
	for (i = 0; codes[5][i] != '\0'; i++)
		codes[5][i] = (char)(codes[5][i] >= 'A' && codes[5][i] <= 'Z' ?
		    codes[5][i] + 32 : codes[5][i]);
	assert_true(rcode_try("alice", codes[5], NULL));
	assert_int_equal(rcodes_left("alice"), 8);
	/* another account's code is not this one's */
	assert_false(rcode_try("bob", codes[0], NULL));
}

/* A new set revokes the old one (one replace). */
static void
rcodes_new_set_revokes(void **state)
{
	char old[10][16], fresh[10][16];

	(void)state;
	rcodes_take("alice", old);
	assert_true(rcode_try("alice", old[0], NULL));
	rcodes_take("alice", fresh);
	assert_int_equal(rcodes_left("alice"), 10);
	assert_false(rcode_try("alice", old[1], NULL));
	assert_true(rcode_try("alice", fresh[1], NULL));
}

/*
 * Two flows (or hosts) both looked the account up, then both type the
 * same code: only the delete that took the value counts.  Once in turn,
 * then at once on two threads.
 */
struct racer {
	struct job_spec	*s;
	struct work_result r;
};

static void *
race_run(void *arg)
{
	struct racer *x = arg;

	job_run(x->s, &x->r, dir_fake_ctx);
	return NULL;
}

static void
rcodes_race(void **state)
{
	char codes[10][16];
	struct racer x[2];
	pthread_t t[2];
	int i, k;

	(void)state;
	rcodes_take("alice", codes);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 2; i++) {
			memset(&x[i], 0, sizeof(x[i]));
			x[i].s = job(W_ANSWER_CHECK, "alice");
			x[i].s->fn = reset_rcode_work;
			secret_of(&x[i].s->pw, codes[k]);
		}
		if (k == 0) {
			race_run(&x[0]);
			race_run(&x[1]);
		} else {
			df_delay(DF_VALUE_CONSUME, 50);
			for (i = 0; i < 2; i++)
				assert_int_equal(pthread_create(&t[i], NULL,
				    race_run, &x[i]), 0);
			for (i = 0; i < 2; i++)
				pthread_join(t[i], NULL);
		}
		assert_int_equal(x[0].r.right + x[1].r.right, 1);
		assert_int_equal(x[0].r.res.status, DIR_OK);
		assert_int_equal(x[1].r.res.status, DIR_OK);
		for (i = 0; i < 2; i++)
			done(x[i].s, &x[i].r);
	}
	assert_int_equal(rcodes_left("alice"), 8);
}

/* The directory fails at the delete: not accepted, said as unavailable. */
static void
rcodes_directory_fails(void **state)
{
	char codes[10][16];
	int st;

	(void)state;
	rcodes_take("alice", codes);
	df_fail(DF_VALUE_CONSUME, DIR_UNAVAILABLE, 1);
	assert_false(rcode_try("alice", codes[0], &st));
	assert_int_equal(st, DIR_UNAVAILABLE);
	/* the answer lost: the value may be gone; never accepted */
	df_fail(DF_VALUE_CONSUME, DIR_UNKNOWN, 1);
	assert_false(rcode_try("alice", codes[1], &st));
	assert_int_equal(st, DIR_UNAVAILABLE);
	assert_true(rcode_try("alice", codes[0], NULL));
	/* the store fails: no codes are shown */
	df_fail(DF_METHOD_STORE, DIR_REFUSED, 1);
	{
		struct job_spec *s = job(W_REG_WRITE, "alice");
		struct work_result r;

		s->fn = register_write_work;
		s->action = SSPR_ACT_RCODES;
		run(s, &r);
		assert_int_equal(r.res.status, DIR_REFUSED);
		assert_int_equal(r.shown.len, 0);
		done(s, &r);
	}
	assert_int_equal(rcodes_left("alice"), 8);
}

/* A pass for user as ssprctl stores it; its text in out. */
static void
give_pass(const char *user, long long ttl, char *out, size_t size)
{
	char stored[PASS_STORED_MAX];
	struct secret t;

	assert_int_equal(pass_new(out, size), 0);
	secret_of(&t, out);
	assert_int_equal(pass_store(&t, (long long)time(NULL) + ttl,
	    "cn=Helen Helpdesk,ou=people,dc=example,dc=org", stored,
	    sizeof(stored)), 0);
	secret_wipe(&t);
	free(df_entry(user)->pass);
	df_entry(user)->pass = strdup(stored);
}

static struct job_spec *
pass_job(const char *user, const char *typed)
{
	struct job_spec *s = job(W_PASS_CHECK, user);

	s->fn = reset_pass_work;
	secret_of(&s->pw, typed);
	return s;
}

/*
 * The pass's worker: right means that very value was deleted by this
 * job; a second job that read it too (another flow, another host) loses.
 * Wrong, expired, fake: no, and nothing deleted.
 */
static void
pass_checked(void **state)
{
	struct job_spec *s, *s2;
	struct work_result r;
	char text[PASS_TEXT_MAX];

	(void)state;
	give_pass("alice", 3600, text, sizeof(text));
	s = pass_job("alice", "22222-33333-44444");
	run(s, &r);
	assert_false(r.right);
	assert_int_equal(r.res.status, DIR_OK);
	done(s, &r);
	s = pass_job("alice", text);
	s->fake = 1;		/* a flow that pretends: nothing matches */
	run(s, &r);
	assert_false(r.right);
	done(s, &r);
	assert_int_equal(df_calls(DF_VALUE_CONSUME), 0);
	assert_non_null(df_entry("alice")->pass);

	s = pass_job("alice", text);
	s2 = pass_job("alice", text);	/* read before s was used */
	run(s, &r);
	assert_true(r.right);
	assert_string_equal(r.vouched,
	    "cn=Helen Helpdesk,ou=people,dc=example,dc=org");
	done(s, &r);
	assert_null(df_entry("alice")->pass);
	run(s2, &r);
	assert_false(r.right);
	assert_int_equal(r.res.status, DIR_OK);	/* said like wrong */
	assert_string_equal(r.vouched, "");
	done(s2, &r);
	assert_int_equal(df_calls(DF_VALUE_CONSUME), 2);

	give_pass("alice", -1, text, sizeof(text));
	s = pass_job("alice", text);
	run(s, &r);
	assert_false(r.right);
	done(s, &r);
	assert_non_null(df_entry("alice")->pass);

	/* a directory that cannot be reached is said, not "wrong" */
	give_pass("alice", 3600, text, sizeof(text));
	df_fail(DF_VALUE_CONSUME, DIR_UNAVAILABLE, 1);
	s = pass_job("alice", text);
	run(s, &r);
	assert_false(r.right);
	assert_int_equal(r.res.status, DIR_UNAVAILABLE);
	done(s, &r);
	assert_non_null(df_entry("alice")->pass);
}

/* for_admins = no is checked again by the worker on the daemon's own
 * lookup (a.admin, a.excluded): the pass stays, the answer is no. */
static void
pass_admin_refused(void **state)
{
	struct job_spec *s;
	struct work_result r;
	char text[PASS_TEXT_MAX];

	(void)state;
	give_pass("alice", 3600, text, sizeof(text));
	df_entry("alice")->excluded = 1;
	s = pass_job("alice", text);
	run(s, &r);
	assert_false(r.right);
	done(s, &r);
	assert_non_null(df_entry("alice")->pass);
	df_entry("alice")->excluded = 0;
	df_entry("alice")->admin = 1;
	cfg->pass_for_admins = 1;
	s = pass_job("alice", text);
	run(s, &r);
	assert_true(r.right);
	done(s, &r);
	cfg->pass_for_admins = 0;
	assert_null(df_entry("alice")->pass);
}

/* A slow directory is waited for (the flow's deadline is the limit). */
static void
slow_directory(void **state)
{
	struct job_spec *s;
	struct work_result r;
	struct timespec a, b;

	(void)state;
	df_delay(DF_LOOKUP, 120);
	clock_gettime(CLOCK_MONOTONIC, &a);
	s = job(W_LOOKUP, "alice");
	run(s, &r);
	clock_gettime(CLOCK_MONOTONIC, &b);
	assert_int_equal(r.res.status, DIR_OK);
	assert_true((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) /
	    1000000 >= 120);
	done(s, &r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(lookup_known_unknown, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(self_caller_other, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(set_password_written, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(failure_at_each_step, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(write_answer_lost, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(two_flows_one_account, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(wrong_codes_block, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(registration_stored, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(answers_checked, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(pass_checked, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(pass_admin_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(slow_directory, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(rcodes_used_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(rcodes_new_set_revokes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(rcodes_race, setup, teardown),
		cmocka_unit_test_setup_teardown(rcodes_directory_fails, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
