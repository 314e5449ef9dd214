/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * msg.c: the single parser and serialiser of protocol messages.  A body
 * must hold exactly the fields of its type: a missing field, an extra
 * byte, an over-long or non-UTF-8 string all make the whole frame bad.
 */
#include <string.h>

#include "msg.h"
#include "wire.h"

/*
 * Decodes one frame (type + body, as counted by the frame length) into m.
 * Returns 0, or -1 for an unknown type or a malformed body.
 */
int
msg_decode(struct msg *m, const unsigned char *frame, size_t len)
{
	struct wire_rd rd;

	memset(m, 0, sizeof(*m));
	wire_rd_init(&rd, frame, len);
	m->type = wire_get_u16(&rd);
	switch (m->type) {
	case SSPR_MSG_HELLO:
		m->u.hello.version = wire_get_u16(&rd);
		wire_get_str(&rd, m->u.hello.service, sizeof(m->u.hello.service));
		wire_get_str(&rd, m->u.hello.tty, sizeof(m->u.hello.tty));
		wire_get_str(&rd, m->u.hello.rhost, sizeof(m->u.hello.rhost));
		wire_get_str(&rd, m->u.hello.ruser, sizeof(m->u.hello.ruser));
		wire_get_str(&rd, m->u.hello.lang, sizeof(m->u.hello.lang));
		break;
	case SSPR_MSG_START:
		m->u.start.purpose = wire_get_u8(&rd);
		wire_get_str(&rd, m->u.start.user, sizeof(m->u.start.user));
		break;
	case SSPR_MSG_ANSWER:
	case SSPR_MSG_NEW_PASSWORD:
		wire_get_secret(&rd, &m->u.secret);
		break;
	case SSPR_MSG_CANCEL:
	case SSPR_MSG_VERIFIED:
		break;
	case SSPR_MSG_HELLO_OK:
		m->u.hello_ok.version = wire_get_u16(&rd);
		m->u.hello_ok.features = wire_get_u32(&rd);
		break;
	case SSPR_MSG_CHALLENGE:
		m->u.challenge.method = wire_get_u8(&rd);
		wire_get_str(&rd, m->u.challenge.destination,
		    sizeof(m->u.challenge.destination));
		m->u.challenge.lifetime = wire_get_u32(&rd);
		m->u.challenge.answer_len = wire_get_u8(&rd);
		break;
	case SSPR_MSG_ANSWER_BAD:
		m->u.attempts_left = wire_get_u8(&rd);
		break;
	case SSPR_MSG_REJECTED:
		m->u.rejected.reason = wire_get_u16(&rd);
		m->u.rejected.tries_left = wire_get_u8(&rd);
		wire_get_str(&rd, m->u.rejected.detail,
		    sizeof(m->u.rejected.detail));
		break;
	case SSPR_MSG_DONE:
		m->u.outcome = wire_get_u16(&rd);
		break;
	case SSPR_MSG_FAIL:
		m->u.reason = wire_get_u16(&rd);
		break;
	case SSPR_MSG_ADMIN:
		m->u.admin.op = wire_get_u16(&rd);
		wire_get_str(&rd, m->u.admin.arg, sizeof(m->u.admin.arg));
		break;
	case SSPR_MSG_ADMIN_LINE:
	case SSPR_MSG_INFO:
		wire_get_str(&rd, m->u.line, sizeof(m->u.line));
		break;
	case SSPR_MSG_CHANGE:
		wire_get_str(&rd, m->u.change.user, sizeof(m->u.change.user));
		wire_get_secret(&rd, &m->u.change.old);
		wire_get_secret(&rd, &m->u.change.new_);
		break;
	case SSPR_MSG_STATUS:
		wire_get_str(&rd, m->u.user, sizeof(m->u.user));
		break;
	case SSPR_MSG_ACCOUNT:
		m->u.account.known = wire_get_u8(&rd);
		m->u.account.must_change = wire_get_u8(&rd);
		m->u.account.register_due = wire_get_u8(&rd);
		break;
	case SSPR_MSG_REGISTER_STEP:
		m->u.step.action = wire_get_u8(&rd);
		wire_get_str(&rd, m->u.step.value, sizeof(m->u.step.value));
		break;
	case SSPR_MSG_METHODS:
		m->u.methods.registered = wire_get_u8(&rd);
		m->u.methods.offered = wire_get_u8(&rd);
		wire_get_str(&rd, m->u.methods.mail, sizeof(m->u.methods.mail));
		wire_get_str(&rd, m->u.methods.phone,
		    sizeof(m->u.methods.phone));
		m->u.methods.confirmed = wire_get_u32(&rd);
		m->u.methods.skips_left = wire_get_u8(&rd);
		break;
	case SSPR_MSG_ADMIN_END:
		m->u.admin_end.status = wire_get_u16(&rd);
		wire_get_str(&rd, m->u.admin_end.message,
		    sizeof(m->u.admin_end.message));
		break;
	case SSPR_MSG_HOST:
		m->u.host.caller = wire_get_u8(&rd);
		m->u.host.uid = wire_get_u32(&rd);
		wire_get_str(&rd, m->u.host.user, sizeof(m->u.host.user));
		break;
	default:
		return -1;
	}
	if (wire_end(&rd) != 0) {
		msg_wipe(m);
		return -1;
	}
	return 0;
}

/* Serialises m into wr as a complete frame; 0 on success. */
int
msg_encode(const struct msg *m, struct wire_wr *wr)
{
	wire_wr_init(wr, m->type);
	switch (m->type) {
	case SSPR_MSG_HELLO:
		wire_put_u16(wr, m->u.hello.version);
		wire_put_str(wr, m->u.hello.service, SSPR_SERVICE_MAX);
		wire_put_str(wr, m->u.hello.tty, SSPR_TTY_MAX);
		wire_put_str(wr, m->u.hello.rhost, SSPR_RHOST_MAX);
		wire_put_str(wr, m->u.hello.ruser, SSPR_USER_MAX);
		wire_put_str(wr, m->u.hello.lang, SSPR_LANG_MAX);
		break;
	case SSPR_MSG_START:
		wire_put_u8(wr, m->u.start.purpose);
		wire_put_str(wr, m->u.start.user, SSPR_USER_MAX);
		break;
	case SSPR_MSG_ANSWER:
	case SSPR_MSG_NEW_PASSWORD:
		wire_put_secret(wr, &m->u.secret);
		break;
	case SSPR_MSG_CANCEL:
	case SSPR_MSG_VERIFIED:
		break;
	case SSPR_MSG_HELLO_OK:
		wire_put_u16(wr, m->u.hello_ok.version);
		wire_put_u32(wr, m->u.hello_ok.features);
		break;
	case SSPR_MSG_CHALLENGE:
		wire_put_u8(wr, m->u.challenge.method);
		wire_put_str(wr, m->u.challenge.destination, SSPR_DEST_MAX);
		wire_put_u32(wr, m->u.challenge.lifetime);
		wire_put_u8(wr, m->u.challenge.answer_len);
		break;
	case SSPR_MSG_ANSWER_BAD:
		wire_put_u8(wr, m->u.attempts_left);
		break;
	case SSPR_MSG_REJECTED:
		wire_put_u16(wr, m->u.rejected.reason);
		wire_put_u8(wr, m->u.rejected.tries_left);
		wire_put_str(wr, m->u.rejected.detail, SSPR_DETAIL_MAX);
		break;
	case SSPR_MSG_DONE:
		wire_put_u16(wr, m->u.outcome);
		break;
	case SSPR_MSG_FAIL:
		wire_put_u16(wr, m->u.reason);
		break;
	case SSPR_MSG_ADMIN:
		wire_put_u16(wr, m->u.admin.op);
		wire_put_str(wr, m->u.admin.arg, SSPR_ARG_MAX);
		break;
	case SSPR_MSG_ADMIN_LINE:
	case SSPR_MSG_INFO:
		wire_put_str(wr, m->u.line, SSPR_LINE_MAX);
		break;
	case SSPR_MSG_CHANGE:
		wire_put_str(wr, m->u.change.user, SSPR_USER_MAX);
		wire_put_secret(wr, &m->u.change.old);
		wire_put_secret(wr, &m->u.change.new_);
		break;
	case SSPR_MSG_STATUS:
		wire_put_str(wr, m->u.user, SSPR_USER_MAX);
		break;
	case SSPR_MSG_ACCOUNT:
		wire_put_u8(wr, m->u.account.known);
		wire_put_u8(wr, m->u.account.must_change);
		wire_put_u8(wr, m->u.account.register_due);
		break;
	case SSPR_MSG_REGISTER_STEP:
		wire_put_u8(wr, m->u.step.action);
		wire_put_str(wr, m->u.step.value, SSPR_VALUE_MAX);
		break;
	case SSPR_MSG_METHODS:
		wire_put_u8(wr, m->u.methods.registered);
		wire_put_u8(wr, m->u.methods.offered);
		wire_put_str(wr, m->u.methods.mail, SSPR_DEST_MAX);
		wire_put_str(wr, m->u.methods.phone, SSPR_DEST_MAX);
		wire_put_u32(wr, m->u.methods.confirmed);
		wire_put_u8(wr, m->u.methods.skips_left);
		break;
	case SSPR_MSG_ADMIN_END:
		wire_put_u16(wr, m->u.admin_end.status);
		wire_put_str(wr, m->u.admin_end.message, SSPR_DETAIL_MAX);
		break;
	case SSPR_MSG_HOST:
		wire_put_u8(wr, m->u.host.caller);
		wire_put_u32(wr, m->u.host.uid);
		wire_put_str(wr, m->u.host.user, SSPR_USER_MAX);
		break;
	default:
		return -1;
	}
	return wire_wr_finish(wr);
}

void
msg_wipe(struct msg *m)
{
	explicit_bzero(m, sizeof(*m));
}

/* For log lines; never includes a field value. */
const char *
msg_name(uint16_t type)
{
	switch (type) {
	case SSPR_MSG_HELLO:		return "HELLO";
	case SSPR_MSG_START:		return "START";
	case SSPR_MSG_ANSWER:		return "ANSWER";
	case SSPR_MSG_NEW_PASSWORD:	return "NEW_PASSWORD";
	case SSPR_MSG_CANCEL:		return "CANCEL";
	case SSPR_MSG_HELLO_OK:		return "HELLO_OK";
	case SSPR_MSG_CHALLENGE:	return "CHALLENGE";
	case SSPR_MSG_ANSWER_BAD:	return "ANSWER_BAD";
	case SSPR_MSG_VERIFIED:		return "VERIFIED";
	case SSPR_MSG_REJECTED:		return "REJECTED";
	case SSPR_MSG_DONE:		return "DONE";
	case SSPR_MSG_FAIL:		return "FAIL";
	case SSPR_MSG_ADMIN:		return "ADMIN";
	case SSPR_MSG_CHANGE:		return "CHANGE";
	case SSPR_MSG_STATUS:		return "STATUS";
	case SSPR_MSG_ACCOUNT:		return "ACCOUNT";
	case SSPR_MSG_INFO:		return "INFO";
	case SSPR_MSG_ADMIN_LINE:	return "ADMIN_LINE";
	case SSPR_MSG_ADMIN_END:	return "ADMIN_END";
	case SSPR_MSG_REGISTER_STEP:	return "REGISTER_STEP";
	case SSPR_MSG_METHODS:		return "METHODS";
	case SSPR_MSG_HOST:		return "HOST";
	default:			return "unknown";
	}
}
