/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * flowfake.c: see flowfake.h.  The connection (conn_ops), the families
 * and server_reload, shared by both harnesses: with flowfake_work.c (the
 * test is the work layer) it links with every daemon object but work.o
 * and server.o; with flowreal.c (the real jobs, on the directory fake and
 * pools the test runs) with every object but pool.o and server.o.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "flowfake.h"
#include "server.h"

static void
fake_send(struct conn *c, const struct msg *m)
{
	if (c->ended)
		c->after_end++;
	if (c->n < FF_SENT_MAX)
		c->type[c->n++] = m->type;
	if (m->type == SSPR_MSG_VERIFIED)
		c->verified = 1;
	if (m->type == SSPR_MSG_DONE && m->u.outcome == SSPR_DONE_PASSWORD_SET)
		c->done_set = 1;
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

void
ff_init(void)
{
	reset_family_init();
	register_family_init();
	account_family_init();
	admin_family_init();
	flow_engine_init(&ops);
}

/* A minimal configuration; no file of it is read (no secrets here). */
struct cfg *
ff_cfg(void)
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

	return cfg_parse("test.conf", text, strlen(text), err, sizeof(err));
}

int
server_reload(char *why, size_t size)
{
	snprintf(why, size, "not in this test");
	return -1;
}
