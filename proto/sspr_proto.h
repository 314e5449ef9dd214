/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sspr_proto.h: the wire protocol between pam_sspr.so and sspr-helperd.
 * The single source of truth for message types, field caps and reason
 * codes; PROTOCOL.md explains the flow.  Both sides build from this file.
 */
#ifndef SSPR_PROTO_H
#define SSPR_PROTO_H

#include <stdint.h>

/*
 * Versions this build speaks.  A layout never changes within a version;
 * a change is a new version, and the daemon keeps decoding the previous
 * one for a release so a module loaded after an upgrade and a daemon not
 * yet restarted (or the other way round) still talk.
 */
#define SSPR_PROTO_MIN		1
#define SSPR_PROTO_CUR		1

/*
 * Frame: u32 len | u16 type | body, integers big-endian.  len counts the
 * type and the body.  The cap is checked before anything is allocated.
 */
#define SSPR_FRAME_HDR		6
#define SSPR_FRAME_MAX		4096

/* Field caps in bytes (strings are UTF-8, no NUL, not NUL-terminated). */
#define SSPR_SERVICE_MAX	64
#define SSPR_TTY_MAX		64
#define SSPR_RHOST_MAX		255
#define SSPR_USER_MAX		256	/* also ruser */
#define SSPR_LANG_MAX		35	/* BCP 47 / POSIX locale name */
#define SSPR_DEST_MAX		128	/* masked destination */
#define SSPR_DETAIL_MAX		512	/* directory's own text */
#define SSPR_SECRET_MAX		512	/* PAM_MAX_RESP_SIZE */
#define SSPR_ARG_MAX		512	/* an admin request's argument */
#define SSPR_LINE_MAX		3000	/* one line of an admin answer */
#define SSPR_VALUE_MAX		256	/* REGISTER_STEP: an address or number */
#define SSPR_KEYS_MAX		3000	/* START: the keys sshd accepted */

/* Requests, module -> daemon. */
enum sspr_req {
	SSPR_MSG_HELLO = 0x0001,	/* u16 version, str service, str tty,
					   str rhost, str ruser, str lang */
	SSPR_MSG_START = 0x0002,	/* u8 purpose, str user
					   [, str keys: SSPR_FEAT_SSHKEY] */
	SSPR_MSG_ANSWER = 0x0003,	/* secret answer (the code) */
	SSPR_MSG_NEW_PASSWORD = 0x0004,	/* secret password */
	SSPR_MSG_CANCEL = 0x0005,	/* (empty) */
	SSPR_MSG_CHANGE = 0x0006,	/* str user, secret old, secret new */
	SSPR_MSG_STATUS = 0x0007,	/* str user: what should a login do? */
	SSPR_MSG_REGISTER_STEP = 0x0008,/* u8 action, str value */
	SSPR_MSG_ADMIN = 0x0010,	/* u16 op, str arg; root only */
	SSPR_MSG_HOST = 0x0020,		/* relay -> reset server, first of
					   each flow on a TLS connection
					   only: u8 caller, u32 uid, str
					   user (see PROTOCOL.md) */
};

/* HOST: the local caller as the relay's SO_PEERCRED saw it. */
enum sspr_host_caller {
	SSPR_CALLER_ROOT = 1,		/* uid 0 */
	SSPR_CALLER_ALLOWED = 2,	/* in the relay's allowed_uids */
	SSPR_CALLER_SELF = 3,		/* self_callers: acts only as user */
};

/* Answers, daemon -> module. */
enum sspr_ans {
	SSPR_MSG_HELLO_OK = 0x8001,	/* u16 version, u32 features */
	SSPR_MSG_CHALLENGE = 0x8002,	/* u8 method, str destination,
					   u32 lifetime_s, u8 answer_len */
	SSPR_MSG_ANSWER_BAD = 0x8003,	/* u8 attempts_left */
	SSPR_MSG_VERIFIED = 0x8004,	/* (empty): send NEW_PASSWORD */
	SSPR_MSG_REJECTED = 0x8005,	/* u16 reason, u8 tries_left,
					   str detail */
	SSPR_MSG_DONE = 0x8006,		/* u16 outcome */
	SSPR_MSG_ACCOUNT = 0x8007,	/* u8 known, u8 must_change,
					   u8 register_due */
	SSPR_MSG_INFO = 0x8008,		/* str line: text to show before the
					   next CHALLENGE (a picture) */
	SSPR_MSG_METHODS = 0x8009,	/* u8 registered, u8 offered, str mail,
					   str phone, u32 confirmed,
					   u8 skips_left */
	SSPR_MSG_ADMIN_LINE = 0x8010,	/* str line: one line of output */
	SSPR_MSG_ADMIN_END = 0x8011,	/* u16 status (0 ok), str message */
	SSPR_MSG_FAIL = 0x80ff,		/* u16 reason; the daemon closes */
};

/* ADMIN requests (ssprctl). */
enum sspr_admin_op {
	SSPR_ADMIN_STATUS = 1,		/* health: directory, mail, flows */
	SSPR_ADMIN_UNBLOCK = 2,		/* arg: user ID; clear its counters */
	SSPR_ADMIN_TEST_MAIL = 3,	/* arg: address */
	SSPR_ADMIN_RELOAD = 4,		/* re-read the configuration */
	SSPR_ADMIN_REPORT = 5,		/* registration report, one line each */
	SSPR_ADMIN_RCODES = 6,		/* arg: user ID; a new set of recovery
					   codes, one ADMIN_LINE each */
	SSPR_ADMIN_PASS_ISSUED = 7,	/* arg: user ID; a helpdesk pass was
					   issued: tell its recovery addresses */
	SSPR_ADMIN_ACTIVITY = 8,	/* arg: unix seconds; the audit file's
					   records since then, one ADMIN_LINE
					   each (auditread.h's fields) */
};

/* What the user wants when a flow starts. */
enum sspr_purpose {
	SSPR_PURPOSE_RESET = 1,
	SSPR_PURPOSE_UNLOCK = 2,
	SSPR_PURPOSE_VERIFY = 3,	/* prove the recovery address only */
	SSPR_PURPOSE_REGISTER = 4,	/* after a login: recovery methods */
	SSPR_PURPOSE_PASS = 5,		/* a reset with a helpdesk pass */
};

/* METHODS bit masks: registered and offered recovery methods. */
#define SSPR_REG_EMAIL		0x01
#define SSPR_REG_TOTP		0x02
#define SSPR_REG_SMS		0x04
#define SSPR_REG_QUESTIONS	0x08
#define SSPR_REG_RCODES		0x20

/* REGISTER_STEP actions. */
enum sspr_reg_action {
	SSPR_ACT_EMAIL = 1,		/* value: the new address */
	SSPR_ACT_TOTP = 2,		/* enrol an authenticator app */
	SSPR_ACT_SMS = 3,		/* value: the phone number */
	SSPR_ACT_QUESTIONS = 4,		/* answer the security questions */
	SSPR_ACT_RCODES = 6,		/* new recovery codes: INFO, METHODS */
	SSPR_ACT_CONFIRM = 10,		/* "looks good" */
	SSPR_ACT_SKIP = 11,		/* not now */
};

/* How a challenge is answered. */
enum sspr_method {
	SSPR_METHOD_EMAIL = 1,
	SSPR_METHOD_HUMAN = 2,		/* type the characters shown (INFO) */
	SSPR_METHOD_TOTP = 3,		/* a code from the authenticator app */
	SSPR_METHOD_SMS = 4,		/* a code by text message */
	SSPR_METHOD_QUESTION = 5,	/* the question came as INFO */
	SSPR_METHOD_PASS = 6,		/* a one-time pass (the helpdesk) */
	SSPR_METHOD_RCODE = 7,		/* one of the person's recovery codes */
	SSPR_METHOD_SSHKEY = 8,		/* never asked: the key sshd accepted
					   (START's keys) counted */
};

/*
 * The INFO line before METHODS at a registration's start when two or
 * fewer recovery codes are left; the module shows it in its language.
 */
#define SSPR_INFO_RCODES_LOW	"Few recovery codes left."

/* HELLO_OK feature bits: optional daemon capabilities. */
#define SSPR_FEAT_UNLOCK	0x00000001u
#define SSPR_FEAT_RESET		0x00000002u	/* [policy] enabled != none */
#define SSPR_FEAT_CHANGE	0x00000004u	/* CHANGE and STATUS served */
#define SSPR_FEAT_REGISTER	0x00000008u	/* [register] enabled */
#define SSPR_FEAT_PASS		0x00000010u	/* PURPOSE_PASS offered:
						   [policy] methods has pass */
#define SSPR_FEAT_SSHKEY	0x00000020u	/* START may carry keys */

/*
 * The INFO line a reset sends when the key sshd accepted counted as one
 * method; the module shows it in the person's language.
 */
#define SSPR_INFO_SSHKEY	"Your SSH key counts as one verification."

/* DONE outcomes. */
enum sspr_outcome {
	SSPR_DONE_PASSWORD_SET = 1,
	SSPR_DONE_UNLOCKED = 2,
	SSPR_DONE_NOT_LOCKED = 3,
	SSPR_DONE_VERIFIED = 4,		/* PURPOSE_VERIFY: the address works */
	SSPR_DONE_REGISTERED = 5,	/* PURPOSE_REGISTER: confirmed */
	SSPR_DONE_SKIPPED = 6,		/* PURPOSE_REGISTER: skipped */
};

/*
 * Reason codes carried by FAIL and REJECTED.  The module turns them into
 * sentences in the user's language; they never say whether an account
 * exists.
 */
enum sspr_reason {
	SSPR_R_PROTOCOL = 1,		/* malformed or out-of-order message */
	SSPR_R_VERSION = 2,		/* no common protocol version */
	SSPR_R_NOT_ALLOWED = 3,		/* caller uid not allowed */
	SSPR_R_UNAVAILABLE = 4,		/* directory unreachable: nothing
					   was written */
	SSPR_R_SEND_FAILED = 5,		/* the code could not be sent */
	SSPR_R_EXPIRED = 6,		/* the code has expired */
	SSPR_R_TOO_MANY = 7,		/* too many wrong codes */
	SSPR_R_TIMEOUT = 8,		/* the flow was idle too long */
	SSPR_R_BUSY = 9,		/* too many flows at once */
	SSPR_R_INTERNAL = 10,		/* daemon-side error */
	SSPR_R_DISABLED = 11,		/* the purpose is switched off */
	SSPR_R_WRITE_FAILED = 12,	/* directory refused the write */
	SSPR_R_THROTTLED = 13,		/* this terminal or host: too many */
	SSPR_R_BAD_PASSWORD = 14,	/* CHANGE: the old password is wrong */
	SSPR_R_NOT_MINE = 15,		/* CHANGE: not a directory account */
	SSPR_R_OUTCOME_UNKNOWN = 16,	/* the write was sent, its answer
					   lost: it may have been made */
	SSPR_R_NOT_HERE = 17,		/* REGISTER: not from this service
					   or source ([register] sources) */

	/* password policy (REJECTED): the user may try another password */
	SSPR_R_POLICY_TOO_SHORT = 32,
	SSPR_R_POLICY_TOO_LONG = 33,
	SSPR_R_POLICY_HISTORY = 34,
	SSPR_R_POLICY_QUALITY = 35,
	SSPR_R_POLICY_TOO_YOUNG = 36,
	SSPR_R_POLICY_INVALID = 37,	/* empty, not UTF-8, control chars */
	SSPR_R_POLICY_OTHER = 38,	/* see detail */
	SSPR_R_POLICY_DOMAIN = 39,	/* AD: length, complexity or history */
	SSPR_R_POLICY_CLASSES = 40,	/* needs more kinds of characters */
	SSPR_R_POLICY_DICTIONARY = 41,	/* based on a dictionary word */
	SSPR_R_POLICY_PERSONAL = 42,	/* contains the user name */
	SSPR_R_POLICY_BANNED = 43,	/* contains a word the site bans */
	SSPR_R_POLICY_SIMPLE = 44,	/* repeats, sequences, palindrome */
};

#endif
