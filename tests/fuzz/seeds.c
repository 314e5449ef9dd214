/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seeds: writes the protocol seed corpora with the real encoder, so the
 * seeds follow the protocol when it changes (`make fuzz-seeds`).
 *
 *   seeds MSGDIR FRAMEDIR
 *
 * MSGDIR gets one frame per message type as msg_decode sees it (type and
 * body), plus bodies that must be refused at each limit; FRAMEDIR gets
 * whole streams as a module or a daemon would send them, and broken ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "wire.h"

static const char *msgdir, *framedir;

static void
write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "wb")) == NULL || fwrite(p, 1, n, fp) != n ||
	    fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

/* Encodes m as a whole frame into out; returns its length. */
static size_t
encode(const struct msg *m, unsigned char *out)
{
	struct wire_wr wr;

	if (msg_encode(m, &wr) != 0) {
		fprintf(stderr, "cannot encode a %s\n", msg_name(m->type));
		exit(1);
	}
	memcpy(out, wr.buf, wr.len);
	return wr.len;
}

/* One message: its body into MSGDIR, the whole frame into *stream. */
static void
seed(const char *name, const struct msg *m, unsigned char *stream,
    size_t *slen)
{
	unsigned char buf[SSPR_FRAME_HDR + SSPR_FRAME_MAX];
	size_t n = encode(m, buf);

	write_file(msgdir, name, buf + 4, n - 4);
	if (stream != NULL) {
		memcpy(stream + *slen, buf, n);
		*slen += n;
	}
}

static void
fill(char *s, size_t n, char c)
{
	memset(s, c, n);
	s[n] = '\0';
}

static void
hellos(unsigned char *st, size_t *sl)
{
	struct msg m = { .type = SSPR_MSG_HELLO };

	m.u.hello.version = SSPR_PROTO_CUR;
	strcpy(m.u.hello.service, "login");
	strcpy(m.u.hello.tty, "tty1");
	strcpy(m.u.hello.lang, "de_DE.UTF-8");
	seed("hello-login", &m, st, sl);
	strcpy(m.u.hello.service, "sshd");
	strcpy(m.u.hello.tty, "ssh");
	strcpy(m.u.hello.rhost, "2001:db8::7");
	strcpy(m.u.hello.ruser, "j\xc3\xbcrgen");
	strcpy(m.u.hello.lang, "");
	seed("hello-sshd", &m, NULL, NULL);
	fill(m.u.hello.service, SSPR_SERVICE_MAX, 's');
	fill(m.u.hello.tty, SSPR_TTY_MAX, 't');
	fill(m.u.hello.rhost, SSPR_RHOST_MAX, 'r');
	fill(m.u.hello.ruser, SSPR_USER_MAX, 'u');
	fill(m.u.hello.lang, SSPR_LANG_MAX, 'l');
	m.u.hello.version = 0xffff;
	seed("hello-caps", &m, NULL, NULL);
}

static void
requests(unsigned char *st, size_t *sl)
{
	struct msg m = { .type = SSPR_MSG_START };

	m.u.start.purpose = SSPR_PURPOSE_RESET;
	strcpy(m.u.start.user, "alice");
	seed("start-reset", &m, st, sl);
	m.u.start.purpose = SSPR_PURPOSE_UNLOCK;
	strcpy(m.u.start.user, "\xe5\xb1\xb1\xe7\x94\xb0");
	seed("start-unlock", &m, NULL, NULL);
	fill(m.u.start.user, SSPR_USER_MAX, 'x');
	seed("start-cap", &m, NULL, NULL);

	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_ANSWER;
	secret_set(&m.u.secret, "12345678", 8);
	seed("answer", &m, st, sl);
	m.type = SSPR_MSG_NEW_PASSWORD;
	secret_set(&m.u.secret, "S3cret p\xc3\xa4ss\twort!", 19);
	seed("new-password", &m, st, sl);
	memset(m.u.secret.buf, 'p', SSPR_SECRET_MAX);
	m.u.secret.len = SSPR_SECRET_MAX;
	seed("new-password-cap", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_CANCEL;
	seed("cancel", &m, st, sl);

	/* the stateless requests, and the administrator's */
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_STATUS;
	strcpy(m.u.user, "dave");
	seed("status", &m, NULL, NULL);
	m.type = SSPR_MSG_CHANGE;
	strcpy(m.u.change.user, "alice");
	secret_set(&m.u.change.old, "Old-Passw0rd", 12);
	secret_set(&m.u.change.new_, "N\xc3\xa9w-Passw0rd", 13);
	seed("change", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_ADMIN;
	m.u.admin.op = SSPR_ADMIN_UNBLOCK;
	strcpy(m.u.admin.arg, "alice");
	seed("admin-unblock", &m, NULL, NULL);
}

static void
answers(unsigned char *st, size_t *sl)
{
	struct msg m = { .type = SSPR_MSG_HELLO_OK };

	m.u.hello_ok.version = SSPR_PROTO_CUR;
	m.u.hello_ok.features = SSPR_FEAT_UNLOCK;
	seed("hello-ok", &m, st, sl);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_CHALLENGE;
	m.u.challenge.method = SSPR_METHOD_EMAIL;
	strcpy(m.u.challenge.destination, "a***@e***.test");
	m.u.challenge.lifetime = 600;
	m.u.challenge.answer_len = 8;
	seed("challenge", &m, st, sl);
	fill(m.u.challenge.destination, SSPR_DEST_MAX, '*');
	seed("challenge-cap", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_ANSWER_BAD;
	m.u.attempts_left = 4;
	seed("answer-bad", &m, st, sl);
	m.type = SSPR_MSG_VERIFIED;
	seed("verified", &m, st, sl);
	m.type = SSPR_MSG_REJECTED;
	m.u.rejected.reason = SSPR_R_POLICY_QUALITY;
	m.u.rejected.tries_left = 2;
	strcpy(m.u.rejected.detail, "Password fails quality checking policy");
	seed("rejected", &m, st, sl);
	fill(m.u.rejected.detail, SSPR_DETAIL_MAX, 'd');
	seed("rejected-cap", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_DONE;
	m.u.outcome = SSPR_DONE_PASSWORD_SET;
	seed("done", &m, st, sl);
	m.type = SSPR_MSG_FAIL;
	m.u.reason = SSPR_R_TOO_MANY;
	seed("fail", &m, NULL, NULL);

	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_ACCOUNT;
	m.u.account.known = 1;
	m.u.account.must_change = 1;
	seed("account", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_INFO;
	strcpy(m.u.line, "\xe2\x96\x88\xe2\x96\x88  \xe2\x96\x88\xe2\x96\x88");
	seed("info", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_CHALLENGE;
	m.u.challenge.method = SSPR_METHOD_HUMAN;
	m.u.challenge.lifetime = 300;
	m.u.challenge.answer_len = 5;
	seed("challenge-human", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_ADMIN_LINE;
	strcpy(m.u.line, "alice email 1795000000 uid%3Dalice%2Cou%3Dpeople");
	seed("admin-line", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_ADMIN_END;
	strcpy(m.u.admin_end.message, "done");
	seed("admin-end", &m, NULL, NULL);

	/* registration (purpose 4) and the methods beyond email */
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_START;
	m.u.start.purpose = SSPR_PURPOSE_REGISTER;
	strcpy(m.u.start.user, "alice");
	seed("start-register", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_METHODS;
	m.u.methods.registered = SSPR_REG_EMAIL | SSPR_REG_TOTP;
	m.u.methods.offered = SSPR_REG_EMAIL | SSPR_REG_TOTP | SSPR_REG_SMS |
	    SSPR_REG_QUESTIONS;
	strcpy(m.u.methods.mail, "a***@e***.test");
	strcpy(m.u.methods.phone, "+31*******78");
	m.u.methods.confirmed = 1767225600;
	m.u.methods.skips_left = 3;
	seed("methods", &m, NULL, NULL);
	fill(m.u.methods.mail, SSPR_DEST_MAX, 'm');
	fill(m.u.methods.phone, SSPR_DEST_MAX, 'p');
	seed("methods-cap", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_REGISTER_STEP;
	m.u.step.action = SSPR_ACT_EMAIL;
	strcpy(m.u.step.value, "alice.private@example.org");
	seed("register-step-email", &m, NULL, NULL);
	fill(m.u.step.value, SSPR_VALUE_MAX, 'v');
	seed("register-step-cap", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_REGISTER_STEP;
	m.u.step.action = SSPR_ACT_CONFIRM;
	seed("register-step-confirm", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_HOST;
	m.u.host.caller = SSPR_CALLER_SELF;
	m.u.host.uid = 1000;
	strcpy(m.u.host.user, "alice");
	seed("host-self", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_CHALLENGE;
	m.u.challenge.method = SSPR_METHOD_TOTP;
	m.u.challenge.lifetime = 300;
	m.u.challenge.answer_len = 6;
	seed("challenge-totp", &m, NULL, NULL);
	m.u.challenge.method = SSPR_METHOD_SMS;
	strcpy(m.u.challenge.destination, "+31*******78");
	seed("challenge-sms", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_CHALLENGE;
	m.u.challenge.method = SSPR_METHOD_QUESTION;
	m.u.challenge.lifetime = 300;
	seed("challenge-question", &m, NULL, NULL);
	memset(&m, 0, sizeof(m));
	m.type = SSPR_MSG_DONE;
	m.u.outcome = SSPR_DONE_REGISTERED;
	seed("done-registered", &m, NULL, NULL);
}

/*
 * A message whose one string field is cap + 1 bytes, all present: the
 * fixed-size buffer it would land in holds cap bytes and a NUL.
 */
static void
over_cap(const char *name, uint16_t type, size_t zeroes, size_t cap)
{
	unsigned char buf[SSPR_FRAME_MAX];
	size_t n = 0;

	buf[n++] = type >> 8;
	buf[n++] = type & 0xff;
	memset(buf + n, 1, zeroes);	/* the fixed fields before it */
	n += zeroes;
	buf[n++] = (cap + 1) >> 8;
	buf[n++] = (cap + 1) & 0xff;
	memset(buf + n, 'x', cap + 1);
	n += cap + 1;
	write_file(msgdir, name, buf, n);
}

/* Bodies the decoder must refuse, one limit each. */
static void
refused(void)
{
	static const struct {
		const char	*name;
		const char	*bytes;
		size_t		 len;
	} bad[] = {
#define B(name, s)	{ name, s, sizeof(s) - 1 }
		B("bad-type", "\x00\x06"),
		B("bad-short", "\x80\x01\x00\x01\x00"),
		B("bad-trailing", "\x80\x05\x00\x20\x01\x00\x00\x00"),
		B("bad-ctrl", "\x00\x02\x01\x00\x03\x61\x0a\x62"),
		B("bad-overlong", "\x00\x02\x01\x00\x02\xc0\xaf"),
		B("bad-surrogate", "\x00\x02\x01\x00\x03\xed\xa0\x80"),
		B("bad-secret-nul", "\x00\x03\x00\x03\x31\x00\x32"),
		B("bad-str-len", "\x00\x02\x01\x01\x01\x61"),
#undef B
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		write_file(msgdir, bad[i].name, bad[i].bytes, bad[i].len);
	over_cap("bad-user-over-cap", SSPR_MSG_START, 1, SSPR_USER_MAX);
	over_cap("bad-secret-over-cap", SSPR_MSG_ANSWER, 0, SSPR_SECRET_MAX);
	over_cap("bad-detail-over-cap", SSPR_MSG_REJECTED, 3, SSPR_DETAIL_MAX);
	over_cap("bad-value-over-cap", SSPR_MSG_REGISTER_STEP, 1,
	    SSPR_VALUE_MAX);
	over_cap("bad-mail-over-cap", SSPR_MSG_METHODS, 2, SSPR_DEST_MAX);
}

/* Streams that end or break where the framing rules bite. */
static void
broken_streams(const unsigned char *st, size_t sl)
{
	static const unsigned char len0[] = { 0, 0, 0, 0 },
	    len1[] = { 0, 0, 0, 1, 0x80 },
	    toolong[] = { 0, 0, 0x10, 0x01, 0, 1 },
	    short_hdr[] = { 0, 0, 0 };

	write_file(framedir, "cut-body", st, sl - 1);
	write_file(framedir, "len-0", len0, sizeof(len0));
	write_file(framedir, "len-1", len1, sizeof(len1));
	write_file(framedir, "len-over-cap", toolong, sizeof(toolong));
	write_file(framedir, "short-header", short_hdr, sizeof(short_hdr));
}

int
main(int argc, char **argv)
{
	unsigned char module[8192], daemon[8192];
	size_t ml = 0, dl = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: seeds MSGDIR FRAMEDIR\n");
		return 2;
	}
	msgdir = argv[1];
	framedir = argv[2];
	hellos(module, &ml);
	requests(module, &ml);
	answers(daemon, &dl);
	refused();
	write_file(framedir, "module-stream", module, ml);
	write_file(framedir, "daemon-stream", daemon, dl);
	broken_streams(module, ml);
	return 0;
}
