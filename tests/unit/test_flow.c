/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_flow: whole flows through the engine (flow.c) and its families
 * (reset, registration, account, ssprctl), without sockets or servers.
 * The test is the connection (conn_ops that record every answer) and the
 * worker pools: work.c is replaced by a fake that records each piece of
 * work asked for, so the test decides what the directory and the mail
 * server answer, and when.  It links every other object of the daemon.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cfg.h"
#include "families.h"
#include "flow.h"
#include "flowint.h"
#include "server.h"

/* --- the connection: every answer recorded ------------------------------ */

#define MAX_SENT	64

struct conn {
	uint16_t	 type[MAX_SENT];
	struct msg	 last;		/* the newest answer, whole */
	int		 n;
	int		 ended;
	long long	 deadline;
};

static void
fake_send(struct conn *c, const struct msg *m)
{
	if (c->n < MAX_SENT)
		c->type[c->n++] = m->type;
	c->last = *m;
}

static void
fake_end(struct conn *c)
{
	c->ended = 1;
}

static void
fake_deadline(struct conn *c, long long ms)
{
	c->deadline = ms;
}

static const struct conn_ops ops = { fake_send, fake_end, fake_deadline };

/* --- the pools: work recorded, answered by the test ---------------------- */

#define MAX_JOBS	16

struct job_rec {
	struct flow	*f;
	enum work_kind	 kind;
	work_fn		 fn;
};

static struct job_rec	 jobs[MAX_JOBS];
static int		 njobs;
static char		 sent_code[16];	/* the code work_send was given */
static int		 sends, probes, notifies, mail_down;

static void
record(struct flow *f, enum work_kind kind, work_fn fn)
{
	assert_true(njobs < MAX_JOBS);
	flow_ref(f);
	jobs[njobs++] = (struct job_rec){ f, kind, fn };
}

void
work_dir(struct flow *f, enum work_kind kind, const struct secret *pw)
{
	(void)pw;
	record(f, kind, NULL);
}

void
work_dir_fn(struct flow *f, enum work_kind kind, const struct secret *pw,
    work_fn fn)
{
	(void)pw;
	record(f, kind, fn);
}

void
work_change(struct flow *f, const struct secret *old, const struct secret *pw)
{
	(void)old;
	(void)pw;
	record(f, W_CHANGE, NULL);
}

void
work_send(struct flow *f, const struct secret *code)
{
	if (f->fake) {
		probes++;
		return;
	}
	sends++;
	snprintf(sent_code, sizeof(sent_code), "%.*s", (int)code->len,
	    (const char *)code->buf);
}

void
work_notify(struct flow *f, const char *tmpl, const char *owner)
{
	(void)f;
	(void)tmpl;
	(void)owner;
	notifies++;
}

int
work_mail_down(const struct cfg *c)
{
	(void)c;
	return mail_down;
}

void
work_send_report(const struct cfg *c, struct send_report *r)
{
	(void)c;
	memset(r, 0, sizeof(*r));
}

void
work_pools(struct pool **dir, struct pool **mail)
{
	*dir = *mail = NULL;
}

void
work_set_pools(struct pool *dir, struct pool *mail)
{
	(void)dir;
	(void)mail;
}

int
server_reload(char *why, size_t size)
{
	snprintf(why, size, "not in this test");
	return -1;
}

/* The oldest job of kind, taken off the list (fails the test if none). */
static struct job_rec
take(enum work_kind kind)
{
	struct job_rec j;
	int i;

	for (i = 0; i < njobs; i++)
		if (jobs[i].kind == kind)
			break;
	if (i == njobs)
		fail_msg("no work of kind %d was asked for", (int)kind);
	j = jobs[i];
	memmove(&jobs[i], &jobs[i + 1], (size_t)(njobs - i - 1) *
	    sizeof(jobs[0]));
	njobs--;
	return j;
}

static int
pending(enum work_kind kind)
{
	int i, n = 0;

	for (i = 0; i < njobs; i++)
		n += jobs[i].kind == kind;
	return n;
}

/* Work comes back with result r, as dir_done would bring it. */
static void
complete(enum work_kind kind, struct work_result *r)
{
	struct job_rec j = take(kind);

	r->kind = kind;
	flow_work_done(j.f, r);
	account_clear(&r->acct);
	flow_unref(j.f);
}

static void
complete_status(enum work_kind kind, int status)
{
	struct work_result r = { .kind = kind };

	r.res.status = status;
	complete(kind, &r);
}

/* A lookup that found a real account with one recovery address. */
static void
complete_lookup_found(const char *name, const char *mail)
{
	struct work_result r = { .kind = W_LOOKUP };

	r.res.status = DIR_OK;
	r.acct.dn = strdup("uid=x,ou=people,dc=example,dc=org");
	r.acct.mail = strdup(mail);
	r.acct.names = calloc(2, sizeof(char *));
	r.acct.names[0] = strdup(name);
	r.acct.uid_number = 10001;
	r.acct.in_scope = 1;
	complete(W_LOOKUP, &r);
}

/* --- driving a flow ------------------------------------------------------- */

static struct cfg	*cfg;

/* A minimal configuration; no file of it is read (no secrets here). */
static struct cfg *
parse(void)
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
	return c;
}

static struct flow *
new_flow(struct conn *c, int self_only)
{
	struct flow *f;

	memset(c, 0, sizeof(*c));
	f = flow_new(c, cfg, self_only ? 4242 : 0, 100, self_only);
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
start(struct flow *f, const char *user, int purpose)
{
	struct msg m = { .type = SSPR_MSG_START };

	m.u.start.purpose = (uint8_t)purpose;
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

/* The connection's side is gone: what server.c does on close. */
static void
hang_up(struct conn *c, struct flow *f)
{
	(void)c;
	flow_closed(f);
}

static int
setup(void **state)
{
	(void)state;
	njobs = sends = probes = notifies = mail_down = 0;
	sent_code[0] = '\0';
	cfg = parse();
	assert_non_null(cfg);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(njobs, 0);
	cfg_unref(cfg);
	return 0;
}

/* --- the tests -------------------------------------------------------------- */

/* A whole reset: every step in order, and what follows a success. */
static void
reset_whole(void **state)
{
	struct conn c;
	struct flow *f = new_flow(&c, 0);
	struct work_result r = { 0 };

	(void)state;
	hello(f);
	assert_int_equal(c.type[0], SSPR_MSG_HELLO_OK);
	start(f, "alice", SSPR_PURPOSE_RESET);
	assert_int_equal(pending(W_LOOKUP), 1);
	complete_lookup_found("alice", "alice@example.org");
	assert_int_equal(c.last.type, SSPR_MSG_CHALLENGE);
	assert_int_equal(sends, 1);
	assert_int_equal(strlen(sent_code), 8);
	flow_send_result(f, 1, NULL);
	answer(f, sent_code);
	complete(W_CHECK, &r);
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	new_password(f, "Fresh-Passw0rd-1");
	complete_status(W_SET_PASSWORD, DIR_OK);
	assert_int_equal(c.last.type, SSPR_MSG_DONE);
	assert_int_equal(c.last.u.outcome, SSPR_DONE_PASSWORD_SET);
	assert_true(c.ended);
	assert_int_equal(notifies, 1);
	complete_status(W_CLEAR, DIR_OK);	/* counters start afresh */
	hang_up(&c, f);
}

/* The accept table: a message out of its state ends the flow. */
static void
out_of_order(void **state)
{
	static const uint16_t early[] = { SSPR_MSG_START, SSPR_MSG_ANSWER,
	    SSPR_MSG_NEW_PASSWORD, SSPR_MSG_REGISTER_STEP, SSPR_MSG_STATUS };
	struct conn c;
	struct flow *f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(early) / sizeof(early[0]); i++) {
		struct msg m = { .type = early[i] };

		f = new_flow(&c, 0);
		say(f, &m);	/* before HELLO */
		assert_int_equal(c.last.type, SSPR_MSG_FAIL);
		assert_int_equal(c.last.u.reason, SSPR_R_PROTOCOL);
		assert_true(c.ended);
		hang_up(&c, f);
	}
	/* a password before the code */
	f = new_flow(&c, 0);
	hello(f);
	start(f, "alice", SSPR_PURPOSE_RESET);
	complete_lookup_found("alice", "alice@example.org");
	flow_send_result(f, 1, NULL);
	new_password(f, "Too-Early-Passw0rd");
	assert_int_equal(c.last.u.reason, SSPR_R_PROTOCOL);
	assert_int_equal(pending(W_SET_PASSWORD), 0);
	hang_up(&c, f);
}

/* What the person sees is the same for an unknown name, wrong codes. */
static void
unknown_like_real(void **state)
{
	struct conn real, unk;
	struct flow *fr = new_flow(&real, 0), *fu = new_flow(&unk, 0);
	struct work_result r = { 0 };
	int i;

	(void)state;
	hello(fr);
	hello(fu);
	start(fr, "alice", SSPR_PURPOSE_RESET);
	complete_lookup_found("alice", "alice@example.org");
	start(fu, "nosuch", SSPR_PURPOSE_RESET);
	complete_status(W_LOOKUP, DIR_NOT_FOUND);
	assert_int_equal(sends, 1);	/* only the real account's code */
	assert_int_equal(probes, 1);	/* the unknown name probes the mail */
	flow_send_result(fr, 1, NULL);
	flow_send_result(fu, 1, NULL);
	for (i = 0; i < 5; i++) {
		answer(fr, "00000000");
		memset(&r, 0, sizeof(r));
		if (pending(W_RECORD_FAIL))
			complete(W_RECORD_FAIL, &r);
		answer(fu, "00000000");
	}
	assert_int_equal(real.n, unk.n);
	assert_memory_equal(real.type, unk.type, sizeof(real.type[0]) *
	    (size_t)real.n);
	assert_int_equal(real.last.u.reason, SSPR_R_TOO_MANY);
	assert_int_equal(unk.last.u.reason, SSPR_R_TOO_MANY);
	hang_up(&real, fr);
	hang_up(&unk, fu);
}

/* The wrong code that blocks the account is answered as any other. */
static void
block_tells_nothing(void **state)
{
	struct conn c;
	struct flow *f = new_flow(&c, 0);
	struct work_result r = { 0 };

	(void)state;
	hello(f);
	start(f, "alice", SSPR_PURPOSE_RESET);
	complete_lookup_found("alice", "alice@example.org");
	flow_send_result(f, 1, NULL);
	answer(f, "00000000");
	r.blocked = 1;
	complete(W_RECORD_FAIL, &r);
	assert_int_equal(c.last.type, SSPR_MSG_ANSWER_BAD);
	assert_false(c.ended);
	answer(f, sent_code);	/* even the right code: blocked */
	assert_int_equal(pending(W_CHECK), 0);
	assert_int_equal(c.last.type, SSPR_MSG_ANSWER_BAD);
	hang_up(&c, f);
}

/* Work that comes back after the caller left, or timed out, is dropped. */
static void
late_results(void **state)
{
	struct conn c;
	struct flow *f = new_flow(&c, 0);
	int n;

	(void)state;
	hello(f);
	start(f, "alice", SSPR_PURPOSE_RESET);
	hang_up(&c, f);		/* the lookup still holds the flow */
	n = c.n;
	complete_lookup_found("alice", "alice@example.org");
	assert_int_equal(c.n, n);	/* nothing sent */
	assert_int_equal(sends, 0);

	f = new_flow(&c, 0);
	hello(f);
	start(f, "alice", SSPR_PURPOSE_RESET);
	assert_int_equal(flow_timeout(f), 0);	/* the deadline passed */
	n = c.n;
	complete_lookup_found("alice", "alice@example.org");
	assert_int_equal(c.n, n);
	hang_up(&c, f);
}

/* The directory's failures at each step, as the person reads them. */
static void
directory_failures(void **state)
{
	static const struct { enum work_kind kind; int status, reason; } t[] = {
		{ W_SET_PASSWORD, DIR_UNAVAILABLE, SSPR_R_UNAVAILABLE },
		{ W_SET_PASSWORD, DIR_UNKNOWN, SSPR_R_OUTCOME_UNKNOWN },
		{ W_SET_PASSWORD, DIR_REFUSED, SSPR_R_WRITE_FAILED },
	};
	struct conn c;
	struct flow *f;
	struct work_result r = { 0 };
	size_t i;

	(void)state;
	f = new_flow(&c, 0);
	hello(f);
	start(f, "alice", SSPR_PURPOSE_RESET);
	complete_status(W_LOOKUP, DIR_UNAVAILABLE);
	assert_int_equal(c.last.u.reason, SSPR_R_UNAVAILABLE);
	assert_int_equal(sends + probes, 0);	/* nothing sent */
	hang_up(&c, f);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		f = new_flow(&c, 0);
		hello(f);
		start(f, "alice", SSPR_PURPOSE_RESET);
		complete_lookup_found("alice", "alice@example.org");
		flow_send_result(f, 1, NULL);
		answer(f, sent_code);
		memset(&r, 0, sizeof(r));
		complete(W_CHECK, &r);
		new_password(f, "Fresh-Passw0rd-1");
		complete_status(t[i].kind, t[i].status);
		assert_int_equal(c.last.type, SSPR_MSG_FAIL);
		assert_int_equal(c.last.u.reason, t[i].reason);
		assert_int_equal(notifies, 0);	/* no "your password was reset" */
		hang_up(&c, f);
	}
}

/* A self caller naming another account: refused, whatever the name. */
static void
self_caller(void **state)
{
	struct conn c;
	struct flow *f = new_flow(&c, 1);
	struct work_result r = { 0 };

	(void)state;
	hello(f);
	start(f, "alice", SSPR_PURPOSE_RESET);
	r.not_self = 1;
	complete(W_LOOKUP, &r);
	assert_int_equal(c.last.u.reason, SSPR_R_NOT_ALLOWED);
	assert_int_equal(sends + probes, 0);
	hang_up(&c, f);
}

/* An administrator with fewer methods than admin_methods_required. */
static void
admin_one_method(void **state)
{
	struct conn c;
	struct flow *f = new_flow(&c, 0);
	struct work_result r = { .kind = W_LOOKUP };

	(void)state;
	hello(f);
	start(f, "carol", SSPR_PURPOSE_RESET);
	r.res.status = DIR_OK;
	r.acct.dn = strdup("uid=carol,ou=people,dc=example,dc=org");
	r.acct.mail = strdup("carol@example.org");
	r.acct.uid_number = 10003;
	r.acct.in_scope = 1;
	r.acct.admin = 1;
	complete(W_LOOKUP, &r);
	assert_int_equal(c.last.type, SSPR_MSG_CHALLENGE);	/* looks the same */
	assert_int_equal(sends, 0);	/* but nothing that could match */
	assert_int_equal(probes, 1);
	hang_up(&c, f);
}

/* The mail server known down: every name told at once, before a lookup. */
static void
mail_known_down(void **state)
{
	struct conn c;
	struct flow *f = new_flow(&c, 0);

	(void)state;
	mail_down = 1;
	hello(f);
	start(f, "alice", SSPR_PURPOSE_RESET);
	assert_int_equal(c.last.u.reason, SSPR_R_SEND_FAILED);
	assert_int_equal(pending(W_LOOKUP), 0);
	hang_up(&c, f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reset_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(out_of_order, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_like_real, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(block_tells_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(late_results, setup, teardown),
		cmocka_unit_test_setup_teardown(directory_failures, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(self_caller, setup, teardown),
		cmocka_unit_test_setup_teardown(admin_one_method, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(mail_known_down, setup,
		    teardown),
	};

	reset_family_init();
	register_family_init();
	account_family_init();
	admin_family_init();
	flow_engine_init(&ops);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
