/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_flowjobs: whole flows through the engine, its families and the
 * real work layer (work.c, jobs.c, the families' worker files) down to
 * the directory back end, which is the in-memory fake (tests/dirfake).
 * The test runs the pools (tests/flowfake/flowreal.c): it decides when a
 * job runs and whether a mail goes out; the directory answers as the
 * fake holds it, failures and all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "dir_fake.h"
#include "flowfake.h"
#include "pass.h"

static struct cfg	*cfg;

static struct flow *
new_flow(struct conn *c)
{
	struct flow *f;

	memset(c, 0, sizeof(*c));
	f = flow_new(c, cfg, 0, 100, 0);
	assert_non_null(f);
	return f;
}

static void
say(struct flow *f, struct msg *m)
{
	flow_message(f, m);
	msg_wipe(m);
}

static void
hello(struct flow *f)
{
	struct msg m = { .type = SSPR_MSG_HELLO };

	m.u.hello.version = SSPR_PROTO_CUR;
	snprintf(m.u.hello.service, sizeof(m.u.hello.service), "login");
	snprintf(m.u.hello.tty, sizeof(m.u.hello.tty), "tty%d", rand() % 1000);
	say(f, &m);
}

static void
start_for(struct flow *f, const char *user, int purpose)
{
	struct msg m = { .type = SSPR_MSG_START };

	m.u.start.purpose = (uint8_t)purpose;
	snprintf(m.u.start.user, sizeof(m.u.start.user), "%s", user);
	say(f, &m);
}

static void
start(struct flow *f, const char *user)
{
	struct msg m = { .type = SSPR_MSG_START };

	m.u.start.purpose = SSPR_PURPOSE_RESET;
	snprintf(m.u.start.user, sizeof(m.u.start.user), "%s", user);
	say(f, &m);
}

static void
answer(struct flow *f, const char *code)
{
	struct msg m = { .type = SSPR_MSG_ANSWER };

	secret_set(&m.u.secret, code, strlen(code));
	say(f, &m);
}

static void
new_password(struct flow *f, const char *pw)
{
	struct msg m = { .type = SSPR_MSG_NEW_PASSWORD };

	secret_set(&m.u.secret, pw, strlen(pw));
	say(f, &m);
}

/* Every directory job there is, in order, and those they bring. */
static int
run_dir(void)
{
	int n = 0;

	while (fr_run_dir())
		n++;
	return n;
}

static int
setup(void **state)
{
	(void)state;
	df_reset();
	fr_code[0] = fr_to[0] = '\0';
	fr_notices = fr_probes = 0;
	cfg = ff_cfg();
	assert_non_null(cfg);
	cfg->throttle_store = STORE_DIRECTORY;
	cfg->pwquality = 0;	/* the daemon's own rules; no dictionaries */
	assert_int_equal(df_add("alice", "alice@example.org", "Old-pass-1234"),
	    0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	while (fr_mail(1))
		;
	assert_int_equal(fr_pending_dir(), 0);
	assert_int_equal(flow_count(), 0);
	cfg_unref(cfg);
	df_reset();
	return 0;
}

/* Up to the challenge: the lookup, the send counted, the mail out. */
static void
to_challenge(struct conn *c, struct flow *f, const char *user)
{
	hello(f);
	start(f, user);
	assert_true(run_dir() >= 1);
	assert_int_equal(fr_mail(1), 1);
	assert_int_equal(c->last.type, SSPR_MSG_CHALLENGE);
}

/* --- the cases ------------------------------------------------------------- */

/* A whole reset, every step a real job on the fake directory. */
static void
reset_whole(void **state)
{
	struct conn c;
	struct flow *f = new_flow(&c);

	(void)state;
	to_challenge(&c, f, "alice");
	assert_string_equal(fr_to, "alice@example.org");
	assert_int_equal(strlen(fr_code), 8);
	/* the send was counted on the entry before the mail went */
	assert_int_equal(df_entry("alice")->counters.n_sent, 1);
	answer(f, fr_code);
	assert_int_equal(run_dir(), 1);		/* the check */
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	new_password(f, "Fresh-Passw0rd-1");
	assert_int_equal(run_dir(), 2);		/* the write, then clear */
	assert_int_equal(c.last.type, SSPR_MSG_DONE);
	assert_int_equal(c.last.u.outcome, SSPR_DONE_PASSWORD_SET);
	assert_string_equal(df_password("alice"), "Fresh-Passw0rd-1");
	assert_int_equal(df_entry("alice")->counters.n_sent, 0);
	while (fr_mail(1))
		;
	assert_int_equal(fr_notices, 1);	/* the owner is told */
	flow_closed(f);
}

/* An unknown name goes the same way, as far as the caller can see. */
static void
unknown_like_real(void **state)
{
	struct conn c[2];
	struct flow *f[2];
	int i;

	(void)state;
	f[0] = new_flow(&c[0]);
	f[1] = new_flow(&c[1]);
	to_challenge(&c[0], f[0], "alice");
	to_challenge(&c[1], f[1], "mallory");
	assert_int_equal(c[0].n, c[1].n);
	for (i = 0; i < c[0].n; i++)
		assert_int_equal(c[0].type[i], c[1].type[i]);
	assert_int_equal(fr_probes, 1);	/* mallory's: a probe, no code */
	answer(f[1], fr_code);		/* alice's code, not mallory's */
	run_dir();
	assert_int_not_equal(c[1].last.type, SSPR_MSG_VERIFIED);
	flow_closed(f[0]);
	flow_closed(f[1]);
	run_dir();
}

/*
 * Two flows for one account: the second code sent makes the first one
 * stale, fleet-wide (the directory orders the sends); the newest works.
 */
static void
two_flows_one_account(void **state)
{
	struct conn c[2];
	struct flow *f[2];
	char first[16];

	(void)state;
	f[0] = new_flow(&c[0]);
	f[1] = new_flow(&c[1]);
	to_challenge(&c[0], f[0], "alice");
	snprintf(first, sizeof(first), "%s", fr_code);
	to_challenge(&c[1], f[1], "alice");
	assert_string_not_equal(first, fr_code);
	assert_int_equal(df_entry("alice")->counters.n_sent, 2);
	answer(f[0], first);
	run_dir();
	assert_int_not_equal(c[0].last.type, SSPR_MSG_VERIFIED);
	answer(f[1], fr_code);
	run_dir();
	assert_int_equal(c[1].last.type, SSPR_MSG_VERIFIED);
	flow_closed(f[0]);
	flow_closed(f[1]);
	run_dir();
}

/*
 * The directory fails at a step: the caller hears so, in the answer that
 * step owes, and nothing is written.  fr_code is cleared so that a code
 * from before cannot pass for this flow's.
 */
static void
directory_fails(void **state)
{
	static const struct {
		enum df_op	 op;
		uint16_t	 last;	/* what the caller hears last */
		uint16_t	 reason;
	} steps[] = {
		{ DF_LOOKUP,		SSPR_MSG_FAIL,	SSPR_R_UNAVAILABLE },
		{ DF_COUNTER_ADD,	SSPR_MSG_FAIL,	SSPR_R_SEND_FAILED },
		{ DF_COUNTERS_READ,	SSPR_MSG_FAIL,	SSPR_R_UNAVAILABLE },
		{ DF_SET_PASSWORD,	SSPR_MSG_FAIL,	SSPR_R_UNAVAILABLE },
	};
	struct conn c;
	struct flow *f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		f = new_flow(&c);
		df_fail(steps[i].op, DIR_UNAVAILABLE, 1);
		fr_code[0] = '\0';
		hello(f);
		start(f, "alice");
		run_dir();
		(void)fr_mail(1);
		if (c.last.type == SSPR_MSG_CHALLENGE) {
			answer(f, fr_code[0] ? fr_code : "00000000");
			run_dir();
		}
		if (c.last.type == SSPR_MSG_VERIFIED) {
			new_password(f, "Fresh-Passw0rd-1");
			run_dir();
		}
		if (c.last.type != steps[i].last ||
		    c.last.u.reason != steps[i].reason)
			fail_msg("step %zu: 0x%x reason %u", i, c.last.type,
			    c.last.u.reason);
		assert_false(c.done_set);
		flow_closed(f);
		run_dir();
		while (fr_mail(1))
			;
	}
	assert_string_equal(df_password("alice"), "Old-pass-1234");
}

/* --- recovery codes --------------------------------------------------- */

/* ff_cfg's, with [policy] methods and methods_required as given. */
static struct cfg *
rcodes_cfg(const char *methods, int required)
{
	char text[1024], err[512];
	struct cfg *c;

	snprintf(text, sizeof(text),
	    "[directory]\n"
	    "uri = ldaps://dc1.example.org\n"
	    "base = dc=example,dc=org\n"
	    "bind_dn = cn=sspr,dc=example,dc=org\n"
	    "bind_password_file = /etc/sspr/bindpw\n"
	    "[mail]\n"
	    "smtp_url = smtp://mail.example.org:587\n"
	    "from = sspr@example.org\n"
	    "[policy]\n"
	    "human_check = none\n"
	    "methods = %s\n"
	    "methods_required = %d\n", methods, required);
	if ((c = cfg_parse("rcodes.conf", text, strlen(text), err,
	    sizeof(err))) == NULL)
		fail_msg("%s", err);
	c->throttle_store = STORE_DIRECTORY;
	c->pwquality = 0;
	return c;
}

/* A set of recovery codes for user, as registration's job stores it. */
static void
rcodes_for(const char *user, char codes[10][16])
{
	struct job_spec *s = job_new(W_REG_WRITE, cfg);
	struct work_result r;
	int i;

	assert_non_null(s);
	assert_int_equal(account_copy(&s->acct, df_entry(user)), 0);
	s->fn = register_write_work;
	s->action = SSPR_ACT_RCODES;
	memset(&r, 0, sizeof(r));
	job_run(s, &r, dir_fake_ctx);
	assert_int_equal(r.res.status, DIR_OK);
	for (i = 0; i < 10; i++) {
		memcpy(codes[i], r.shown.buf + 12 * i, 11);
		codes[i][11] = '\0';
	}
	job_free(s);
}

/*
 * An account with only recovery codes is shown what an unknown name is
 * (the fake email challenge; a probe, no code sent), up to the answer;
 * then one of its codes verifies it, once.
 */
static void
rcodes_only_like_unknown(void **state)
{
	struct conn c[2];
	struct flow *f[2];
	char codes[10][16];
	int i;

	(void)state;
	cfg_unref(cfg);
	cfg = rcodes_cfg("email rcodes", 1);
	assert_int_equal(df_add("rita", NULL, "Old-pass-1234"), 0);
	rcodes_for("rita", codes);
	f[0] = new_flow(&c[0]);
	f[1] = new_flow(&c[1]);
	to_challenge(&c[0], f[0], "rita");
	to_challenge(&c[1], f[1], "rosa");
	assert_int_equal(fr_probes, 2);		/* nothing was sent */
	assert_int_equal(c[0].n, c[1].n);
	for (i = 0; i < c[0].n; i++)
		assert_int_equal(c[0].type[i], c[1].type[i]);
	assert_int_equal(c[0].last.u.challenge.method, SSPR_METHOD_EMAIL);
	assert_int_equal(c[1].last.u.challenge.method, SSPR_METHOD_EMAIL);
	assert_int_equal(c[0].last.u.challenge.lifetime,
	    c[1].last.u.challenge.lifetime);
	assert_int_equal(c[0].last.u.challenge.answer_len,
	    c[1].last.u.challenge.answer_len);
	assert_int_equal(strlen(c[0].last.u.challenge.destination),
	    strlen(c[1].last.u.challenge.destination));
	/* a wrong code: the same answer for both */
	answer(f[0], "AAAAA-AAAAA");
	answer(f[1], "AAAAA-AAAAA");
	run_dir();
	assert_int_equal(c[0].last.type, SSPR_MSG_ANSWER_BAD);
	assert_int_equal(c[1].last.type, SSPR_MSG_ANSWER_BAD);
	assert_int_equal(c[0].last.u.attempts_left,
	    c[1].last.u.attempts_left);
	assert_int_equal(df_entry("rita")->counters.n_fails, 1);
	answer(f[0], codes[2]);
	run_dir();
	assert_int_equal(c[0].last.type, SSPR_MSG_VERIFIED);
	flow_closed(f[0]);
	flow_closed(f[1]);
	run_dir();

	/* used: the same code looks wrong in a new flow */
	f[0] = new_flow(&c[0]);
	to_challenge(&c[0], f[0], "rita");
	answer(f[0], codes[2]);
	run_dir();
	assert_int_equal(c[0].last.type, SSPR_MSG_ANSWER_BAD);
	flow_closed(f[0]);
	run_dir();
}

/* Two methods required: the mailed code, then a recovery code. */
static void
rcodes_second_method(void **state)
{
	struct conn c;
	struct flow *f;
	char codes[10][16];

	(void)state;
	cfg_unref(cfg);
	cfg = rcodes_cfg("email rcodes", 2);
	rcodes_for("alice", codes);
	f = new_flow(&c);
	to_challenge(&c, f, "alice");
	assert_int_equal(c.last.u.challenge.method, SSPR_METHOD_EMAIL);
	answer(f, fr_code);
	run_dir();
	assert_int_equal(c.last.type, SSPR_MSG_CHALLENGE);
	assert_int_equal(c.last.u.challenge.method, SSPR_METHOD_RCODE);
	answer(f, "AAAAA-AAAAA");
	run_dir();
	assert_int_equal(c.last.type, SSPR_MSG_ANSWER_BAD);
	answer(f, codes[9]);
	run_dir();
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	new_password(f, "Fresh-Passw0rd-1");
	run_dir();
	assert_int_equal(c.last.type, SSPR_MSG_DONE);
	assert_string_equal(df_password("alice"), "Fresh-Passw0rd-1");
	flow_closed(f);
	run_dir();
}

/* Work that comes back after the caller left is dropped in one place. */
static void
late_result(void **state)
{
	struct conn c;
	struct flow *f = new_flow(&c);

	(void)state;
	hello(f);
	start(f, "alice");
	assert_int_equal(fr_pending_dir(), 1);
	flow_closed(f);
	assert_int_equal(flow_count(), 1);	/* held by its job */
	run_dir();
	assert_int_equal(c.after_end, 0);
	assert_int_equal(c.n, 1);		/* HELLO_OK only */
	assert_int_equal(df_entry("alice")->counters.n_sent, 0);
}

/* --- the helpdesk pass --------------------------------------------------- */

#define HELEN	"uid=helen,ou=people,dc=example,dc=org"

static char	pass_text[PASS_TEXT_MAX];

/*
 * [policy] methods has pass; methods_required as given; with_key: sshkey
 * too, from the PAM service "login", sshd being this test program.
 */
static int
setup_pass_key(int required, int counts_as, int with_key)
{
	char text[1400], err[512], self[512] = "", key[700] = "";
	ssize_t n;

	df_reset();
	fr_code[0] = fr_to[0] = '\0';
	fr_notices = fr_probes = 0;
	if (with_key) {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		assert_true(n > 0);
		self[n] = '\0';
		snprintf(key, sizeof(key), "[sshkey]\nservices = login\n"
		    "sshd_paths = %s\n", self);
	}
	snprintf(text, sizeof(text),
	    "[directory]\n"
	    "uri = ldaps://dc1.example.org\n"
	    "base = dc=example,dc=org\n"
	    "bind_dn = cn=sspr,dc=example,dc=org\n"
	    "bind_password_file = /etc/sspr/bindpw\n"
	    "[mail]\n"
	    "smtp_url = smtp://mail.example.org:587\n"
	    "from = sspr@example.org\n"
	    "[policy]\n"
	    "human_check = none\n"
	    "methods = email pass%s\n"
	    "methods_required = %d\n"
	    "[pass]\n"
	    "counts_as = %d\n%s", with_key ? " sshkey" : "", required,
	    counts_as, key);
	cfg = cfg_parse("test.conf", text, strlen(text), err, sizeof(err));
	if (cfg == NULL)
		fail_msg("%s", err);
	cfg->throttle_store = STORE_DIRECTORY;
	cfg->pwquality = 0;
	assert_int_equal(df_add("alice", "alice@example.org", "Old-pass-1234"),
	    0);
	assert_int_equal(df_add("bob", "bob@example.org", "Bobs-old-5678"), 0);
	return 0;
}

static int
setup_pass_n(int required, int counts_as)
{
	return setup_pass_key(required, counts_as, 0);
}

static int
setup_pass(void **state)
{
	(void)state;
	return setup_pass_n(1, 1);
}

/* A pass for user as ssprctl issues it, expiring at now + ttl. */
static void
give_pass(const char *user, long long ttl)
{
	char stored[PASS_STORED_MAX];
	struct secret t;

	assert_int_equal(pass_new(pass_text, sizeof(pass_text)), 0);
	secret_set(&t, pass_text, strlen(pass_text));
	assert_int_equal(pass_store(&t, (long long)time(NULL) + ttl, HELEN,
	    stored, sizeof(stored)), 0);
	secret_wipe(&t);
	free(df_entry(user)->pass);
	df_entry(user)->pass = strdup(stored);
}

/* Up to the pass's challenge: the lookup; nothing is sent. */
static void
to_pass_challenge(struct conn *c, struct flow *f, const char *user)
{
	hello(f);
	assert_true(c->last.u.hello_ok.features & SSPR_FEAT_PASS);
	start_for(f, user, SSPR_PURPOSE_PASS);
	assert_int_equal(run_dir(), 1);
	assert_int_equal(fr_pending_mail(), 0);
	assert_int_equal(c->last.type, SSPR_MSG_CHALLENGE);
	assert_int_equal(c->last.u.challenge.method, SSPR_METHOD_PASS);
	assert_string_equal(c->last.u.challenge.destination, "");
}

/* The right pass: verified, the value gone from the entry, the reset
 * done and the owner told, at the recovery address and the mail. */
static void
pass_right(void **state)
{
	struct conn c;
	struct flow *f = new_flow(&c);

	(void)state;
	give_pass("alice", 3600);
	df_entry("alice")->reg_mail = strdup("alice@example.net");
	to_pass_challenge(&c, f, "alice");
	answer(f, pass_text);
	assert_int_equal(run_dir(), 2);	/* the pass, the counters */
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	assert_null(df_entry("alice")->pass);
	assert_int_equal(df_calls(DF_VALUE_CONSUME), 1);
	new_password(f, "Fresh-Passw0rd-1");
	assert_int_equal(run_dir(), 2);
	assert_int_equal(c.last.type, SSPR_MSG_DONE);
	assert_string_equal(df_password("alice"), "Fresh-Passw0rd-1");
	while (fr_mail(1))
		;
	assert_int_equal(fr_notices, 2);
	assert_string_equal(fr_notice, "notify-pass");
	flow_closed(f);
}

/* Wrong, expired, used: the same answer as a wrong code, counted as one. */
static void
pass_wrong_expired_used(void **state)
{
	static const char *const how[] = { "wrong", "expired", "used" };
	struct conn c;
	struct flow *f;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		give_pass("alice", i == 1 ? -10 : 3600);
		f = new_flow(&c);
		to_pass_challenge(&c, f, "alice");
		if (i == 2)	/* used meanwhile, by another host */
			df_entry("alice")->pass[0] = 'x';
		answer(f, i == 0 ? "22222-33333-44444" : pass_text);
		run_dir();
		if (c.last.type != SSPR_MSG_ANSWER_BAD)
			fail_msg("%s pass: 0x%x", how[i], c.last.type);
		assert_int_equal(c.last.u.attempts_left, 4);
		assert_int_equal(df_entry("alice")->counters.n_fails,
		    (int)i + 1);
		assert_non_null(df_entry("alice")->pass);
		flow_closed(f);
		run_dir();
	}
	assert_int_equal(df_calls(DF_VALUE_CONSUME), 1);	/* "used" */
	assert_string_equal(df_password("alice"), "Old-pass-1234");
}

/*
 * An unknown name, an account without a pass and one with a pass get the
 * same answers up to the proof: the same challenge, and a wrong answer
 * the same ANSWER_BAD after the same slow check on a worker.
 */
static void
pass_unknown_like_real(void **state)
{
	static const char *const who[] = { "alice", "bob", "mallory" };
	struct conn c[3];
	struct flow *f[3];
	int i, k;

	(void)state;
	give_pass("alice", 3600);
	for (i = 0; i < 3; i++) {
		f[i] = new_flow(&c[i]);
		to_pass_challenge(&c[i], f[i], who[i]);
		answer(f[i], "22222-33333-44444");
		assert_true(run_dir() >= 1);
		assert_int_equal(c[i].last.type, SSPR_MSG_ANSWER_BAD);
	}
	for (i = 1; i < 3; i++) {
		assert_int_equal(c[i].n, c[0].n);
		for (k = 0; k < c[0].n; k++)
			assert_int_equal(c[i].type[k], c[0].type[k]);
	}
	/* mallory's right answer cannot exist; bob typing alice's neither */
	answer(f[1], pass_text);
	run_dir();
	assert_int_equal(c[1].last.type, SSPR_MSG_ANSWER_BAD);
	assert_non_null(df_entry("alice")->pass);
	for (i = 0; i < 3; i++)
		flow_closed(f[i]);
	run_dir();
}

/* Two flows, one pass, both right: only the one whose delete won. */
static void
pass_race(void **state)
{
	struct conn c[2];
	struct flow *f[2];
	int i;

	(void)state;
	give_pass("alice", 3600);
	f[0] = new_flow(&c[0]);
	f[1] = new_flow(&c[1]);
	to_pass_challenge(&c[0], f[0], "alice");
	to_pass_challenge(&c[1], f[1], "alice");
	answer(f[0], pass_text);
	answer(f[1], pass_text);
	run_dir();
	assert_int_equal(df_calls(DF_VALUE_CONSUME), 2);
	assert_true((c[0].last.type == SSPR_MSG_VERIFIED) !=
	    (c[1].last.type == SSPR_MSG_VERIFIED));
	i = c[0].last.type == SSPR_MSG_VERIFIED ? 1 : 0;
	assert_int_equal(c[i].last.type, SSPR_MSG_ANSWER_BAD);
	assert_null(df_entry("alice")->pass);
	flow_closed(f[0]);
	flow_closed(f[1]);
	run_dir();
}

/* An administrator's pass is refused with for_admins = no (the daemon's
 * own lookup), like a wrong one; accepted with yes. */
static void
pass_admin(void **state)
{
	struct conn c;
	struct flow *f;

	(void)state;
	give_pass("alice", 3600);
	df_entry("alice")->admin = 1;
	cfg->admin_methods_required = 1;
	f = new_flow(&c);
	to_pass_challenge(&c, f, "alice");
	answer(f, pass_text);
	run_dir();
	assert_int_equal(c.last.type, SSPR_MSG_ANSWER_BAD);
	assert_non_null(df_entry("alice")->pass);
	assert_int_equal(df_calls(DF_VALUE_CONSUME), 0);
	flow_closed(f);
	run_dir();
	cfg->pass_for_admins = 1;
	f = new_flow(&c);
	to_pass_challenge(&c, f, "alice");
	answer(f, pass_text);
	run_dir();
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	assert_null(df_entry("alice")->pass);
	flow_closed(f);
	run_dir();
}

/* methods_required = 2: a pass that counts as 1 is followed by a code;
 * one that counts as 2 is enough alone. */
static void
pass_counts_as(void **state)
{
	struct conn c;
	struct flow *f;
	int n;

	(void)state;
	for (n = 1; n <= 2; n++) {
		if (n == 2) {
			cfg_unref(cfg);
			setup_pass_n(2, 2);
		}
		give_pass("alice", 3600);
		df_entry("alice")->reg_mail = strdup("alice@example.org");
		f = new_flow(&c);
		to_pass_challenge(&c, f, "alice");
		answer(f, pass_text);
		run_dir();
		if (n == 1) {
			assert_int_equal(fr_mail(1), 1);	/* the code */
			assert_int_equal(c.last.type, SSPR_MSG_CHALLENGE);
			assert_int_equal(c.last.u.challenge.method,
			    SSPR_METHOD_EMAIL);
			answer(f, fr_code);
			run_dir();
		}
		assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
		flow_closed(f);
		run_dir();
	}
}

static int
setup_pass2(void **state)
{
	(void)state;
	return setup_pass_n(2, 1);
}

#define KEY_A	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICzrAPDiWMd7DrR6ZjN2Do8li9Txnz5c13NVJCIzDOz8"

static int
setup_pass_sshkey(void **state)
{
	(void)state;
	return setup_pass_key(2, 1, 1);
}

/*
 * Both kinds of method that are not registered: the pass chosen at
 * START, then the key sshd accepted (START's keys, listed for alice),
 * counted without a challenge; two required, no code mailed.
 */
static void
pass_then_sshkey(void **state)
{
	struct msg m = { .type = SSPR_MSG_START };
	struct conn c;
	struct flow *f;
	int i, info = 0;

	(void)state;
	give_pass("alice", 3600);
	df_entry("alice")->ssh_keys = calloc(2, sizeof(char *));
	assert_non_null(df_entry("alice")->ssh_keys);
	df_entry("alice")->ssh_keys[0] = strdup(KEY_A " alice@laptop");
	memset(&c, 0, sizeof(c));
	assert_non_null(f = flow_new(&c, cfg, 0, getpid(), 0));
	hello(f);
	assert_true(c.last.u.hello_ok.features & SSPR_FEAT_PASS);
	assert_true(c.last.u.hello_ok.features & SSPR_FEAT_SSHKEY);
	m.u.start.purpose = SSPR_PURPOSE_PASS;
	snprintf(m.u.start.user, sizeof(m.u.start.user), "alice");
	snprintf(m.u.start.keys, sizeof(m.u.start.keys), "%s", KEY_A);
	say(f, &m);
	assert_int_equal(run_dir(), 1);
	assert_int_equal(c.last.type, SSPR_MSG_CHALLENGE);
	assert_int_equal(c.last.u.challenge.method, SSPR_METHOD_PASS);
	answer(f, pass_text);
	run_dir();
	for (i = 0; i < c.n && i < FF_SENT_MAX; i++)
		info |= c.type[i] == SSPR_MSG_INFO;
	assert_true(info);		/* "Your SSH key counts ..." */
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	assert_int_equal(fr_pending_mail(), 0);
	assert_null(df_entry("alice")->pass);
	flow_closed(f);
	run_dir();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reset_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_like_real, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(two_flows_one_account, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(directory_fails, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(late_result, setup, teardown),
		cmocka_unit_test_setup_teardown(rcodes_only_like_unknown, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(rcodes_second_method, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(pass_right, setup_pass,
		    teardown),
		cmocka_unit_test_setup_teardown(pass_wrong_expired_used,
		    setup_pass, teardown),
		cmocka_unit_test_setup_teardown(pass_unknown_like_real,
		    setup_pass, teardown),
		cmocka_unit_test_setup_teardown(pass_race, setup_pass,
		    teardown),
		cmocka_unit_test_setup_teardown(pass_admin, setup_pass,
		    teardown),
		cmocka_unit_test_setup_teardown(pass_counts_as, setup_pass2,
		    teardown),
		cmocka_unit_test_setup_teardown(pass_then_sshkey,
		    setup_pass_sshkey, teardown),
	};

	ff_init();
	fr_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
