/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.c: connect, say HELLO (who is asking, from where, in which
 * language), exchange messages, and turn the daemon's refusals into a
 * sentence for the person and a PAM result for the application.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "client.h"
#include "conv.h"
#include "session.h"
#include "text.h"

#define QUIET_TIMEOUT_MS	5000	/* per answer, in the account step */

void
session_init(struct session *s, pam_handle_t *pamh,
    const struct sspr_args *args, const char *user, const char *lang)
{
	memset(s, 0, sizeof(*s));
	s->pamh = pamh;
	s->args = args;
	s->user = user;
	s->lang = lang;
	s->fd = -1;
}

void
session_debug(const struct session *s, const char *fmt, const char *arg)
{
	if (s->args->debug)
		pam_syslog(s->pamh, LOG_DEBUG, fmt, arg);
}

void
session_helpdesk(const struct session *s)
{
	if (!s->quiet && s->args->helpdesk != NULL &&
	    *s->args->helpdesk != '\0')
		conv_info(s->pamh, "%s", s->args->helpdesk);
}

static const char *
item(pam_handle_t *pamh, int type)
{
	const void *v = NULL;

	if (pam_get_item(pamh, type, &v) != PAM_SUCCESS || v == NULL)
		return "";
	return v;
}

/*
 * The user name PAM holds.  One longer than the protocol carries is not a
 * name the daemon could serve (cut, it would name another account): the
 * module steps aside.
 */
int
session_get_user(pam_handle_t *pamh, const char **user)
{
	int r = pam_get_user(pamh, user, NULL);

	if (r != PAM_SUCCESS || *user == NULL || **user == '\0')
		return r == PAM_SUCCESS ? PAM_USER_UNKNOWN : r;
	return strlen(*user) <= SSPR_USER_MAX ? PAM_SUCCESS : PAM_IGNORE;
}

/* Copies s into a fixed field, cut at the cap (the daemon rejects more). */
void
session_field(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void
unavailable(const struct session *s)
{
	if (s->quiet)
		return;
	conv_error(s->pamh, "%s", text_reason(SSPR_R_INTERNAL));
	session_helpdesk(s);
}

/* One request, one answer (req NULL: the next answer); failures logged. */
int
session_call(struct session *s, const struct msg *req, struct msg *ans)
{
	char why[256];

	/* a quiet session serves the account step: a login must not wait */
	if (client_call(s->fd, s->quiet ? QUIET_TIMEOUT_MS :
	    s->args->timeout * 1000, req, ans, why, sizeof(why)) == 0)
		return 0;
	pam_syslog(s->pamh, LOG_ERR, "sspr-helperd: %s", why);
	if (!s->quiet) {
		conv_error(s->pamh, "%s", _("The password reset service "
		    "stopped answering. Please try again later."));
		session_helpdesk(s);
	}
	return -1;
}

/* A new password the daemon or the directory refused, in a sentence. */
void
session_rejected(const struct session *s, const struct msg_rejected *rej)
{
	conv_error(s->pamh, "%s", text_reason(rej->reason));
	if (rej->reason == SSPR_R_POLICY_OTHER && rej->detail[0] != '\0')
		conv_error(s->pamh, "(%s)", rej->detail);
}

/* The daemon's reason for the person, and the PAM result it maps to. */
int
session_fail(const struct session *s, int reason)
{
	if (!s->quiet) {
		conv_error(s->pamh, "%s", text_reason(reason));
		if (reason != SSPR_R_POLICY_TOO_SHORT)
			session_helpdesk(s);
	}
	switch (reason) {
	case SSPR_R_UNAVAILABLE:
	case SSPR_R_OUTCOME_UNKNOWN:
	case SSPR_R_SEND_FAILED:
	case SSPR_R_BUSY:
	case SSPR_R_INTERNAL:
	case SSPR_R_VERSION:
	case SSPR_R_NOT_ALLOWED:
	case SSPR_R_PROTOCOL:
		return PAM_AUTHINFO_UNAVAIL;
	default:
		return PAM_AUTH_ERR;
	}
}

static int
hello(struct session *s)
{
	struct msg req = { .type = SSPR_MSG_HELLO }, ans;
	struct msg_hello *h = &req.u.hello;

	h->version = SSPR_PROTO_CUR;
	session_field(h->service, sizeof(h->service), item(s->pamh,
	    PAM_SERVICE));
	session_field(h->tty, sizeof(h->tty), item(s->pamh, PAM_TTY));
	session_field(h->rhost, sizeof(h->rhost), item(s->pamh, PAM_RHOST));
	session_field(h->ruser, sizeof(h->ruser), item(s->pamh, PAM_RUSER));
	session_field(h->lang, sizeof(h->lang), s->lang);
	if (session_call(s, &req, &ans) != 0)
		return PAM_AUTHINFO_UNAVAIL;
	if (ans.type == SSPR_MSG_FAIL)
		return session_fail(s, ans.u.reason);
	if (ans.type != SSPR_MSG_HELLO_OK || ans.u.hello_ok.version <
	    SSPR_PROTO_MIN || ans.u.hello_ok.version > SSPR_PROTO_CUR) {
		pam_syslog(s->pamh, LOG_ERR, "sspr-helperd answered HELLO "
		    "with %s", msg_name(ans.type));
		return session_fail(s, SSPR_R_PROTOCOL);
	}
	s->features = ans.u.hello_ok.features;
	return PAM_SUCCESS;
}

/*
 * Connects and says HELLO.  A module argument we did not understand stops
 * here, so a typo in a PAM file switches the daemon paths off, nothing
 * else.
 */
int
session_open(struct session *s)
{
	char why[256];
	int r;

	if (s->args->bad != NULL) {
		unavailable(s);
		return PAM_AUTHINFO_UNAVAIL;
	}
	if ((s->fd = client_open(s->args, why, sizeof(why))) < 0) {
		pam_syslog(s->pamh, s->quiet ? LOG_WARNING : LOG_ERR,
		    "cannot reach sspr-helperd: %s", why);
		unavailable(s);
		return PAM_AUTHINFO_UNAVAIL;
	}
	if ((r = hello(s)) != PAM_SUCCESS)
		session_close(s);
	return r;
}

void
session_close(struct session *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
