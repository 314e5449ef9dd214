/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_flow: whole flows through the engine (flow.c) and its families
 * (reset, registration, account, ssprctl), without sockets or servers.
 * tests/flowfake is the connection and the worker pools, so the test
 * decides what the directory and the mail server answer, and when.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "flowfake.h"
#include "method.h"

/* The oldest job of kind comes back with r (fails the test if none). */
static void
complete(enum work_kind kind, struct work_result *r)
{
	int i = ff_find(kind);

	if (i < 0)
		fail_msg("no work of kind %d was asked for", (int)kind);
	ff_complete_at(i, r);
}

static void
complete_status(enum work_kind kind, int status)
{
	struct work_result r = { .kind = kind };

	r.res.status = status;
	complete(kind, &r);
}

static void
complete_lookup_found(const char *name, const char *mail)
{
	struct work_result r = { .kind = W_LOOKUP };

	ff_found(&r, name, mail);
	complete(W_LOOKUP, &r);
}

#define pending		ff_pending
#define sent_code	ff_code
#define sends		ff_sends
#define probes		ff_probes
#define notifies	ff_notifies
#define mail_down	ff_mail_down
#define njobs		ff_njobs

/* --- driving a flow ------------------------------------------------------- */

static struct cfg	*cfg;

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
	ff_reset();
	cfg = ff_cfg();
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
	/* the counters start afresh before DONE: a flow after it finds them so */
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	assert_false(c.ended);
	assert_int_equal(notifies, 1);
	complete_status(W_CLEAR, DIR_OK);
	assert_int_equal(c.last.type, SSPR_MSG_DONE);
	assert_int_equal(c.last.u.outcome, SSPR_DONE_PASSWORD_SET);
	assert_true(c.ended);
	hang_up(&c, f);
}

/* A clear slower than a directory call: DONE all the same, once. */
static void
reset_clear_slow(void **state)
{
	struct conn c;
	struct flow *f = new_flow(&c, 0);
	struct work_result r = { 0 };
	int n;

	(void)state;
	hello(f);
	start(f, "alice", SSPR_PURPOSE_RESET);
	complete_lookup_found("alice", "alice@example.org");
	flow_send_result(f, 1, NULL);
	answer(f, sent_code);
	complete(W_CHECK, &r);
	new_password(f, "Fresh-Passw0rd-1");
	complete_status(W_SET_PASSWORD, DIR_OK);
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	assert_int_equal(flow_timeout(f), 1);	/* the deadline passed */
	assert_int_equal(c.last.type, SSPR_MSG_DONE);
	assert_int_equal(c.last.u.outcome, SSPR_DONE_PASSWORD_SET);
	assert_true(c.ended);
	n = c.n;
	complete_status(W_CLEAR, DIR_OK);
	assert_int_equal(c.n, n);		/* nothing more */
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

/* --- the method table: one and two methods, administrators --------------- */

/* Every method a test can run without keys: email, SMS and questions. */
static struct cfg *
methods_cfg_with(const char *names, int required, int admin_required)
{
	char text[1200], err[512];
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
	    "methods_required = %d\n"
	    "admin_methods_required = %d\n"
	    "[sms]\n"
	    "url = https://sms.example.org/send\n"
	    "body = to={to}&text={text}\n"
	    "[questions]\n"
	    "list = First pet?; Town of birth?; First school?\n"
	    "required = 1\n"
	    "[totp]\n"
	    "issuer = Example\n"
	    "key_file = /etc/sspr/totp.key\n"
	    "[register]\n"
	    "enabled = yes\n", names, required, admin_required);
	if ((c = cfg_parse("methods.conf", text, strlen(text), err,
	    sizeof(err))) == NULL)
		fail_msg("%s", err);
	return c;
}

static struct cfg *
methods_cfg(int required, int admin_required)
{
	return methods_cfg_with("email sms questions", required,
	    admin_required);
}

/*
 * The table: one name each, the one [policy] methods takes (cfg.c keeps
 * its own list, below the table); ids, actions and bits all its own.  A
 * method the person chooses at START (the helpdesk pass) is never
 * registered: no action, no bit, checked on a worker.
 */
static void
methods_table(void **state)
{
	struct cfg *all;
	unsigned bits = 0;
	int i;

	(void)state;
	all = methods_cfg_with("email totp sms questions pass rcodes sshkey", 1, 2);
	for (i = 0; methods[i] != NULL; i++) {
		const struct method *m = methods[i];

		assert_true(cfg_method(all, m->name));
		assert_ptr_equal(method_by_id(m->id), m);
		assert_string_equal(method_name(m->id), m->name);
		if (m->purpose != 0) {
			assert_ptr_equal(method_chosen(m->purpose), m);
			assert_int_equal(m->action, 0);
			assert_int_equal(m->reg_bit, 0);
			assert_true(m->channel == CH_NONE &&
			    m->check_job != NULL && m->feature != 0);
			continue;
		}
		assert_ptr_equal(method_by_action(m->action), m);
		assert_int_equal(bits & m->reg_bit, 0);
		bits |= m->reg_bit;
		/* it sends, or is answered, or is proved with START */
		assert_true(m->channel != CH_NONE ? m->send_to != NULL &&
		    m->value != NULL && m->mask != NULL : m->proven != NULL ?
		    m->start != NULL : m->check_job != NULL &&
		    (m->enrol_ask != NULL) == (m->enrol_answer != NULL));
	}
	assert_int_equal(i, 7);
	assert_true(methods[0]->channel != CH_NONE);	/* what a fake shows */
	assert_string_equal(method_name(0), "email");	/* before any */
	assert_null(method_by_id(SSPR_METHOD_HUMAN));	/* a gate, not one */
	cfg_unref(all);
}

/* alice with mail, a phone and one answered question; an admin or not. */
static void
lookup_all_methods(int admin)
{
	struct work_result r = { .kind = W_LOOKUP };

	ff_found(&r, "alice", "alice@example.org");
	r.acct.phone = strdup("+31612345678");
	r.acct.answers = calloc(2, sizeof(char *));
	assert_non_null(r.acct.answers);
	r.acct.answers[0] = strdup("2:$scrypt$ln=15,r=8,p=3$x$y");
	r.acct.admin = admin;
	complete(W_LOOKUP, &r);
}

/* A sent code, answered right: the challenge's method, then W_CHECK. */
static void
pass_code(struct conn *c, struct flow *f, int method)
{
	struct work_result r = { 0 };

	assert_int_equal(c->last.type, SSPR_MSG_CHALLENGE);
	assert_int_equal(c->last.u.challenge.method, method);
	flow_send_result(f, 1, NULL);
	answer(f, sent_code);
	complete(W_CHECK, &r);
}

/* --- the SSH key: proved with START, only by sshd -------------------------- */

#define KEY_A	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICzrAPDiWMd7DrR6ZjN2Do8li9Txnz5c13NVJCIzDOz8"
#define KEY_B	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGKWGzsqSS25DZzjPOSD6IlJfLb1ZLqC0pOac8TlhEgJ"
/* A certificate of A by the CA B, for alice (test_sshkey.c: CERT_OK) */
#define CERT_A	"ssh-ed25519-cert-v01@openssh.com " \
	"AAAAIHNzaC1lZDI1NTE5LWNlcnQtdjAxQG9wZW5zc2guY29tAAAAIK7iSJXU" \
	"NbXNp7AWr+nluTFsDh+qcYLEunLpbPyROwv9AAAAICzrAPDiWMd7DrR6ZjN2" \
	"Do8li9Txnz5c13NVJCIzDOz8AAAAAAAAAAAAAAABAAAAGmlkO3B1YmxpY2tl" \
	"eSBzc2gtZWQyNTUxOSB4AAAAEwAAAAVhbGljZQAAAAZhbGljZTIAAAAAAAAA" \
	"AP//////////AAAAAAAAAIIAAAAVcGVybWl0LVgxMS1mb3J3YXJkaW5nAAAA" \
	"AAAAABdwZXJtaXQtYWdlbnQtZm9yd2FyZGluZwAAAAAAAAAWcGVybWl0LXBv" \
	"cnQtZm9yd2FyZGluZwAAAAAAAAAKcGVybWl0LXB0eQAAAAAAAAAOcGVybWl0" \
	"LXVzZXItcmMAAAAAAAAAAAAAADMAAAALc3NoLWVkMjU1MTkAAAAgYpYbOypJ" \
	"LbkNnOM85IPoiUl8tvVkuoLSk5pzxOWESAkAAABTAAAAC3NzaC1lZDI1NTE5" \
	"AAAAQPjnUAysmZH3FbrAw2EBAmqyYguwgeSoaF/wrr3W1OtfHtCwEEVkC8uE" \
	"RPL4qz1UyXjIYegMXuqO19rxYPz27Qo="
#define KEY_LIE	"ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAICzrAPDiWMd7DrR6ZjN2Do8li9Txnz5c13NVJCIzDOz8"		/* A, with a type that lies */

/*
 * [policy] methods = email sshkey; sshd is this test program (the flow's
 * pid is ours), or /usr/sbin/sshd (then the caller is not it).
 */
static struct cfg *
sshkey_cfg_ca(int required, int we_are_sshd, const char *ca)
{
	char text[1400], err[512], self[512];
	ssize_t n;
	struct cfg *c;

	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(n > 0);
	self[n] = '\0';
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
	    "methods = email sshkey\n"
	    "methods_required = %d\n"
	    "[sshkey]\n"
	    "sshd_paths = %s\n"
	    "cert_authority = %s\n", required, we_are_sshd ? self :
	    "/usr/sbin/sshd", ca);
	if ((c = cfg_parse("sshkey.conf", text, strlen(text), err,
	    sizeof(err))) == NULL)
		fail_msg("%s", err);
	return c;
}

static struct cfg *
sshkey_cfg(int required, int we_are_sshd)
{
	return sshkey_cfg_ca(required, we_are_sshd, "");
}

/*
 * HELLO from service svc, START with keys, as root with our pid; host
 * non-empty: as a relay forwards it (root there, no local pid).
 */
static struct flow *
ssh_flow_at(struct conn *c, const char *svc, const char *keys,
    const char *host)
{
	struct msg m = { .type = SSPR_MSG_HELLO };
	struct flow *f;

	memset(c, 0, sizeof(*c));
	assert_non_null(f = flow_new(c, cfg, 0, *host ? 0 : getpid(), 0));
	if (*host != '\0')
		flow_set_host(f, host, "");
	m.u.hello.version = SSPR_PROTO_CUR;
	snprintf(m.u.hello.service, sizeof(m.u.hello.service), "%s", svc);
	snprintf(m.u.hello.rhost, sizeof(m.u.hello.rhost), "192.0.2.7");
	say(f, &m);
	/* announced only where the caller can be seen (not relayed) */
	assert_int_equal(!!(c->last.u.hello_ok.features & SSPR_FEAT_SSHKEY),
	    *host == '\0');
	m.type = SSPR_MSG_START;
	m.u.start.purpose = SSPR_PURPOSE_RESET;
	snprintf(m.u.start.user, sizeof(m.u.start.user), "alice");
	snprintf(m.u.start.keys, sizeof(m.u.start.keys), "%s", keys);
	say(f, &m);
	return f;
}

static struct flow *
ssh_flow(struct conn *c, const char *svc, const char *keys)
{
	return ssh_flow_at(c, svc, keys, "");
}

/* alice with a mail address (or none) and key A in the directory. */
static void
lookup_with_key(const char *mail)
{
	struct work_result r = { .kind = W_LOOKUP };

	ff_found(&r, "alice", mail);
	r.acct.ssh_keys = calloc(2, sizeof(char *));
	assert_non_null(r.acct.ssh_keys);
	r.acct.ssh_keys[0] = strdup("restrict " KEY_A " alice@laptop");
	complete(W_LOOKUP, &r);
}

static int
sent_info(const struct conn *c)
{
	int i;

	for (i = 0; i < c->n && i < FF_SENT_MAX; i++)
		if (c->type[i] == SSPR_MSG_INFO)
			return 1;
	return 0;
}

/* Key A from sshd, listed: it counts first, then the mailed code. */
static void
sshkey_counts(void **state)
{
	struct conn c;
	struct flow *f;

	(void)state;
	cfg_unref(cfg);
	assert_non_null(cfg = sshkey_cfg(2, 1));
	f = ssh_flow(&c, "sshd", KEY_B ";" KEY_A);
	lookup_with_key("alice@example.org");
	assert_true(sent_info(&c));
	pass_code(&c, f, SSPR_METHOD_EMAIL);
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	assert_int_equal(sends, 1);
	hang_up(&c, f);

	/* one method required: the key alone */
	cfg_unref(cfg);
	assert_non_null(cfg = sshkey_cfg(1, 1));
	f = ssh_flow(&c, "sshd", KEY_A);
	lookup_with_key("alice@example.org");
	assert_true(sent_info(&c));
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	assert_int_equal(sends, 1);
	hang_up(&c, f);
}

/*
 * [sshkey] cert_authority: a certificate of that CA for alice counts
 * without any key listed; without the CA it is not there.
 */
static void
sshkey_certificate(void **state)
{
	struct conn c;
	struct flow *f;
	struct work_result r = { .kind = W_LOOKUP };

	(void)state;
	cfg_unref(cfg);
	assert_non_null(cfg = sshkey_cfg_ca(1, 1, KEY_B));
	f = ssh_flow(&c, "sshd", CERT_A);
	ff_found(&r, "alice", "alice@example.org");
	complete(W_LOOKUP, &r);
	assert_true(sent_info(&c));
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	hang_up(&c, f);

	cfg_unref(cfg);
	assert_non_null(cfg = sshkey_cfg(2, 1));
	f = ssh_flow(&c, "sshd", CERT_A);
	lookup_with_key("alice@example.org");
	assert_false(sent_info(&c));
	assert_true(f->fake);
	hang_up(&c, f);
}

/*
 * A key not listed, from another service, from a program that is not
 * sshd, a type that lies, through a relay (not announced there, and keys
 * sent anyway do not count): the method is not there.  Two required, only
 * email left: a fake flow (a code never sent), as for an unknown name,
 * and nothing says a key was looked at.
 */
static void
sshkey_not_counted(void **state)
{
	static const struct {
		const char	*svc;
		const char	*keys;
		int		 we_are_sshd;
		const char	*host;
	} cases[] = {
		{ "sshd", KEY_B, 1, "" },	/* not alice's */
		{ "login", KEY_A, 1, "" },	/* not [sshkey] services */
		{ "sshd", KEY_A, 0, "" },	/* not sshd's program */
		{ "sshd", KEY_LIE, 1, "" },
		{ "sshd", KEY_A, 1, "web1.example.org" }, /* relayed */
	};
	struct conn c;
	struct flow *f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cfg_unref(cfg);
		assert_non_null(cfg = sshkey_cfg(2, cases[i].we_are_sshd));
		f = ssh_flow_at(&c, cases[i].svc, cases[i].keys,
		    cases[i].host);
		lookup_with_key("alice@example.org");
		assert_false(sent_info(&c));
		assert_int_equal(c.last.type, SSPR_MSG_CHALLENGE);
		assert_int_equal(c.last.u.challenge.method, SSPR_METHOD_EMAIL);
		assert_true(f->fake);
		assert_int_equal(sends, 0);
		hang_up(&c, f);
	}
}

/*
 * An account with only a key, and no key of its brought: the same
 * answers as an unknown name (an email challenge, no INFO, nothing sent).
 */
static void
sshkey_only_looks_unknown(void **state)
{
	struct conn c, u;
	struct flow *f, *g;
	int i;

	(void)state;
	cfg_unref(cfg);
	assert_non_null(cfg = sshkey_cfg(1, 1));
	f = ssh_flow(&c, "sshd", KEY_B);
	lookup_with_key(NULL);
	g = ssh_flow(&u, "sshd", KEY_B);
	complete_status(W_LOOKUP, DIR_NOT_FOUND);
	assert_int_equal(c.n, u.n);
	for (i = 0; i < c.n && i < FF_SENT_MAX; i++)
		assert_int_equal(c.type[i], u.type[i]);
	assert_int_equal(c.last.u.challenge.method, u.last.u.challenge.method);
	assert_true(f->fake && g->fake);
	assert_int_equal(sends, 0);
	hang_up(&c, f);
	hang_up(&u, g);
}

static void
methods_one_required(void **state)
{
	struct conn c;
	struct flow *f;

	(void)state;
	cfg_unref(cfg);
	assert_non_null(cfg = methods_cfg(1, 2));
	f = new_flow(&c, 0);
	hello(f);
	start(f, "alice", SSPR_PURPOSE_RESET);
	lookup_all_methods(0);
	pass_code(&c, f, SSPR_METHOD_EMAIL);	/* the table's first */
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	assert_int_equal(sends, 1);
	hang_up(&c, f);
}

static void
methods_two_required(void **state)
{
	struct conn c;
	struct flow *f;

	(void)state;
	cfg_unref(cfg);
	assert_non_null(cfg = methods_cfg(2, 2));
	f = new_flow(&c, 0);
	hello(f);
	start(f, "alice", SSPR_PURPOSE_RESET);
	lookup_all_methods(0);
	pass_code(&c, f, SSPR_METHOD_EMAIL);
	assert_int_equal(c.last.u.challenge.method, SSPR_METHOD_SMS);
	assert_string_equal(c.last.u.challenge.destination, "+31*******78");
	pass_code(&c, f, SSPR_METHOD_SMS);
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	assert_int_equal(sends, 2);
	hang_up(&c, f);
}

/* Questions, asked after email: INFO with the question, checked on a worker. */
static void
methods_question(void **state)
{
	struct conn c;
	struct flow *f;
	struct work_result r = { 0 };

	(void)state;
	cfg_unref(cfg);
	assert_non_null(cfg = methods_cfg(2, 2));
	f = new_flow(&c, 0);
	hello(f);
	start(f, "alice", SSPR_PURPOSE_RESET);
	ff_found(&r, "alice", "alice@example.org");
	r.acct.answers = calloc(2, sizeof(char *));
	assert_non_null(r.acct.answers);
	r.acct.answers[0] = strdup("2:$scrypt$ln=15,r=8,p=3$x$y");
	complete(W_LOOKUP, &r);
	pass_code(&c, f, SSPR_METHOD_EMAIL);
	assert_int_equal(c.last.type, SSPR_MSG_CHALLENGE);
	assert_int_equal(c.last.u.challenge.method, SSPR_METHOD_QUESTION);
	assert_int_equal(c.type[c.n - 2], SSPR_MSG_INFO);
	answer(f, "Town");
	memset(&r, 0, sizeof(r));
	complete(W_ANSWER_CHECK, &r);	/* wrong */
	assert_int_equal(pending(W_RECORD_FAIL), 1);
	complete(W_RECORD_FAIL, &r);
	assert_int_equal(c.last.type, SSPR_MSG_ANSWER_BAD);
	answer(f, "Utrecht");
	r.right = 1;
	complete(W_ANSWER_CHECK, &r);
	memset(&r, 0, sizeof(r));
	complete(W_CHECK, &r);
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	assert_int_equal(sends, 1);
	hang_up(&c, f);
}

/*
 * Administrators: questions never count, so email and questions are too
 * few for two (a fake flow, as for an unknown name); email and SMS are not.
 */
static void
methods_admin(void **state)
{
	struct conn c;
	struct flow *f;
	struct work_result r = { 0 };

	(void)state;
	cfg_unref(cfg);
	assert_non_null(cfg = methods_cfg(1, 2));
	f = new_flow(&c, 0);
	hello(f);
	start(f, "carol", SSPR_PURPOSE_RESET);
	ff_found(&r, "carol", "carol@example.org");
	r.acct.answers = calloc(2, sizeof(char *));
	assert_non_null(r.acct.answers);
	r.acct.answers[0] = strdup("1:$scrypt$ln=15,r=8,p=3$x$y");
	r.acct.admin = 1;
	complete(W_LOOKUP, &r);
	assert_int_equal(c.last.type, SSPR_MSG_CHALLENGE);
	assert_int_equal(c.last.u.challenge.method, SSPR_METHOD_EMAIL);
	assert_int_equal(sends, 0);
	assert_int_equal(probes, 1);
	hang_up(&c, f);

	f = new_flow(&c, 0);
	hello(f);
	start(f, "alice", SSPR_PURPOSE_RESET);
	lookup_all_methods(1);
	pass_code(&c, f, SSPR_METHOD_EMAIL);
	pass_code(&c, f, SSPR_METHOD_SMS);	/* not the question */
	assert_int_equal(c.last.type, SSPR_MSG_VERIFIED);
	assert_int_equal(sends, 2);
	hang_up(&c, f);
}

/* The address check is email alone, whatever else the account has. */
static void
methods_verify(void **state)
{
	struct conn c;
	struct flow *f;

	(void)state;
	cfg_unref(cfg);
	assert_non_null(cfg = methods_cfg(2, 2));
	f = new_flow(&c, 0);
	hello(f);
	start(f, "alice", SSPR_PURPOSE_VERIFY);
	lookup_all_methods(0);
	pass_code(&c, f, SSPR_METHOD_EMAIL);
	assert_int_not_equal(c.last.type, SSPR_MSG_DONE);
	complete_status(W_CLEAR, DIR_OK);
	assert_int_equal(c.last.type, SSPR_MSG_DONE);
	assert_int_equal(c.last.u.outcome, SSPR_DONE_VERIFIED);
	hang_up(&c, f);
}

static void
step(struct flow *f, int action, const char *value)
{
	struct msg m = { .type = SSPR_MSG_REGISTER_STEP };

	m.u.step.action = (uint8_t)action;
	snprintf(m.u.step.value, sizeof(m.u.step.value), "%s", value);
	say(f, &m);
}

/* Registration: what is offered and shown comes from the table. */
static void
methods_register(void **state)
{
	struct conn c;
	struct flow *f;

	(void)state;
	cfg_unref(cfg);
	assert_non_null(cfg = methods_cfg(1, 2));
	f = new_flow(&c, 0);
	hello(f);
	start(f, "alice", SSPR_PURPOSE_REGISTER);
	lookup_all_methods(0);
	assert_int_equal(c.last.type, SSPR_MSG_METHODS);
	assert_int_equal(c.last.u.methods.offered, SSPR_REG_EMAIL |
	    SSPR_REG_SMS | SSPR_REG_QUESTIONS);	/* no app: no [totp] keys */
	assert_int_equal(c.last.u.methods.registered, SSPR_REG_EMAIL |
	    SSPR_REG_SMS | SSPR_REG_QUESTIONS);
	assert_string_equal(c.last.u.methods.phone, "+31*******78");
	/* a new number: normalized, a code to it, then stored */
	step(f, SSPR_ACT_SMS, "+31 6 8765-4321");
	assert_int_equal(c.last.type, SSPR_MSG_CHALLENGE);
	assert_int_equal(c.last.u.challenge.method, SSPR_METHOD_SMS);
	assert_string_equal(f->send_to, "+31687654321");
	flow_send_result(f, 1, NULL);
	answer(f, sent_code);
	complete_status(W_REG_WRITE, DIR_OK);
	assert_int_equal(c.last.type, SSPR_MSG_METHODS);
	assert_string_equal(c.last.u.methods.phone, "+31*******21");
	/* not a number: said, and the menu again */
	step(f, SSPR_ACT_SMS, "call me");
	assert_int_equal(c.last.type, SSPR_MSG_REJECTED);
	/* the questions: one (required = 1), then stored */
	step(f, SSPR_ACT_QUESTIONS, "");
	assert_int_equal(c.last.type, SSPR_MSG_CHALLENGE);
	assert_int_equal(c.last.u.challenge.method, SSPR_METHOD_QUESTION);
	answer(f, "x");		/* shorter than min_answer_length */
	assert_int_equal(c.last.type, SSPR_MSG_ANSWER_BAD);
	answer(f, "Fluffy");
	complete_status(W_REG_WRITE, DIR_OK);
	assert_int_equal(c.last.type, SSPR_MSG_METHODS);
	/* the app is not offered here */
	step(f, SSPR_ACT_TOTP, "");
	assert_int_equal(c.last.type, SSPR_MSG_FAIL);
	assert_int_equal(c.last.u.reason, SSPR_R_DISABLED);
	hang_up(&c, f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(reset_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_clear_slow, setup,
		    teardown),
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
		cmocka_unit_test_setup_teardown(sshkey_counts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(sshkey_not_counted, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(sshkey_certificate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(sshkey_only_looks_unknown,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(methods_table, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(methods_one_required, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(methods_two_required, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(methods_question, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(methods_admin, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(methods_verify, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(methods_register, setup,
		    teardown),
	};

	ff_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
