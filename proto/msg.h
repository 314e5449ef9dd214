/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * msg.h: every protocol message as a C struct, and the one encoder and
 * one decoder both sides use.  A decoded message owns no heap memory.
 */
#ifndef SSPR_MSG_H
#define SSPR_MSG_H

#include <stdint.h>

#include "secret.h"
#include "sspr_proto.h"

struct wire_wr;

struct msg_hello {
	uint16_t	version;
	char		service[SSPR_SERVICE_MAX + 1];
	char		tty[SSPR_TTY_MAX + 1];
	char		rhost[SSPR_RHOST_MAX + 1];
	char		ruser[SSPR_USER_MAX + 1];
	char		lang[SSPR_LANG_MAX + 1];
};

struct msg_hello_ok {
	uint16_t	version;
	uint32_t	features;
};

struct msg_start {
	uint8_t		purpose;
	char		user[SSPR_USER_MAX + 1];
};

struct msg_challenge {
	uint8_t		method;
	char		destination[SSPR_DEST_MAX + 1];
	uint32_t	lifetime;
	uint8_t		answer_len;
};

struct msg_rejected {
	uint16_t	reason;
	uint8_t		tries_left;
	char		detail[SSPR_DETAIL_MAX + 1];
};

struct msg_change {
	char		user[SSPR_USER_MAX + 1];
	struct secret	old;
	struct secret	new_;
};

struct msg_account {
	uint8_t		known;
	uint8_t		must_change;
	uint8_t		register_due;
};

struct msg_methods {
	uint8_t		registered;	/* SSPR_REG_* */
	uint8_t		offered;
	char		mail[SSPR_DEST_MAX + 1];	/* masked */
	char		phone[SSPR_DEST_MAX + 1];	/* masked */
	uint32_t	confirmed;	/* unix time, 0 never */
	uint8_t		skips_left;
};

struct msg_register_step {
	uint8_t		action;		/* SSPR_ACT_* */
	char		value[SSPR_VALUE_MAX + 1];
};

struct msg_admin {
	uint16_t	op;
	char		arg[SSPR_ARG_MAX + 1];
};

struct msg_admin_end {
	uint16_t	status;
	char		message[SSPR_DETAIL_MAX + 1];
};

struct msg_host {
	uint8_t		caller;		/* SSPR_CALLER_* */
	uint32_t	uid;
	char		user[SSPR_USER_MAX + 1];	/* SELF: its name */
};

struct msg {
	uint16_t	type;
	union {
		struct msg_hello	hello;
		struct msg_hello_ok	hello_ok;
		struct msg_start	start;
		struct secret		secret;		/* ANSWER, NEW_PASSWORD */
		struct msg_challenge	challenge;
		uint8_t			attempts_left;	/* ANSWER_BAD */
		struct msg_rejected	rejected;
		uint16_t		outcome;	/* DONE */
		uint16_t		reason;		/* FAIL */
		struct msg_admin	admin;
		struct msg_change	change;
		char			user[SSPR_USER_MAX + 1];	/* STATUS */
		struct msg_account	account;
		char			line[SSPR_LINE_MAX + 1];
		struct msg_admin_end	admin_end;
		struct msg_methods	methods;
		struct msg_register_step step;
		struct msg_host		host;
	} u;
};

int	msg_decode(struct msg *, const unsigned char *, size_t);
int	msg_encode(const struct msg *, struct wire_wr *);
void	msg_wipe(struct msg *);
const char *msg_name(uint16_t);

#endif
