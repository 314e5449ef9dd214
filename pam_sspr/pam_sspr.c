/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pam_sspr.c: the PAM entry points.  The module only converses: it asks
 * the person, relays the answers to sspr-helperd and shows what comes
 * back.  It holds no directory or mail credentials, computes nothing
 * secret and keeps no state between calls.
 *
 * The ordinary login is untouched: a typed password is handed to the
 * next module as PAM_AUTHTOK without any daemon round trip.  Only an
 * empty answer opens the reset path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "args.h"
#include "client.h"
#include "conv.h"
#include "frame.h"
#include "msg.h"
#include "text.h"

#define PASSWORD_MISMATCHES	3

struct session {
	pam_handle_t		*pamh;
	const struct sspr_args	*args;
	const char		*user;
	const char		*lang;
	int			 fd;
	uint32_t		 features;
};

static void
debug(const struct session *s, const char *fmt, const char *arg)
{
	if (s->args->debug)
		pam_syslog(s->pamh, LOG_DEBUG, fmt, arg);
}

static void
helpdesk(const struct session *s)
{
	if (s->args->helpdesk != NULL && *s->args->helpdesk != '\0')
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

/* Copies s into a fixed field, cut at the cap (the daemon rejects more). */
static void
field(char *dst, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n >= size)
		n = size - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* One request, one answer; on failure the person is told, and why logged. */
static int
call(struct session *s, const struct msg *req, struct msg *ans)
{
	char why[256];

	if (client_call(s->fd, s->args, req, ans, why, sizeof(why)) == 0)
		return 0;
	pam_syslog(s->pamh, LOG_ERR, "sspr-helperd: %s", why);
	conv_error(s->pamh, "%s", _("The password reset service stopped "
	    "answering. Please try again later."));
	helpdesk(s);
	return -1;
}

static int
fail_rc(const struct session *s, int reason)
{
	conv_error(s->pamh, "%s", text_reason(reason));
	if (reason != SSPR_R_POLICY_TOO_SHORT)
		helpdesk(s);
	switch (reason) {
	case SSPR_R_UNAVAILABLE:
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
	field(h->service, sizeof(h->service), item(s->pamh, PAM_SERVICE));
	field(h->tty, sizeof(h->tty), item(s->pamh, PAM_TTY));
	field(h->rhost, sizeof(h->rhost), item(s->pamh, PAM_RHOST));
	field(h->ruser, sizeof(h->ruser), item(s->pamh, PAM_RUSER));
	field(h->lang, sizeof(h->lang), s->lang);
	if (call(s, &req, &ans) != 0)
		return PAM_AUTHINFO_UNAVAIL;
	if (ans.type == SSPR_MSG_FAIL)
		return fail_rc(s, ans.u.reason);
	if (ans.type != SSPR_MSG_HELLO_OK || ans.u.hello_ok.version <
	    SSPR_PROTO_MIN || ans.u.hello_ok.version > SSPR_PROTO_CUR) {
		pam_syslog(s->pamh, LOG_ERR, "sspr-helperd answered HELLO "
		    "with %s", msg_name(ans.type));
		return fail_rc(s, SSPR_R_PROTOCOL);
	}
	s->features = ans.u.hello_ok.features;
	if (!(s->features & SSPR_FEAT_RESET)) {
		conv_error(s->pamh, "%s", _("Self-service password reset is "
		    "not enabled here."));
		helpdesk(s);
		return PAM_AUTH_ERR;
	}
	return PAM_SUCCESS;
}

/*
 * Asks for the new password twice and sends it; repeats while the
 * directory refuses it and tries are left.  On success *newpw holds it
 * (for the handoff option).
 */
static int
set_password(struct session *s, struct secret *newpw)
{
	struct msg req = { .type = SSPR_MSG_NEW_PASSWORD }, ans;
	struct secret again;
	int mismatches = 0, r;

	for (;;) {
		r = conv_ask(s->pamh, PAM_PROMPT_ECHO_OFF, _("New password: "),
		    newpw);
		if (r == PAM_SUCCESS && newpw->len == 0) {
			conv_info(s->pamh, "%s", _("Password reset "
			    "cancelled."));
			return PAM_AUTH_ERR;
		}
		if (r == PAM_SUCCESS)
			r = conv_ask(s->pamh, PAM_PROMPT_ECHO_OFF,
			    _("Retype new password: "), &again);
		if (r != PAM_SUCCESS)
			return r;
		r = secret_equal(newpw, &again);
		secret_wipe(&again);
		if (!r) {
			conv_error(s->pamh, "%s", _("The passwords do not "
			    "match."));
			if (++mismatches == PASSWORD_MISMATCHES)
				return PAM_AUTH_ERR;
			continue;
		}
		req.type = SSPR_MSG_NEW_PASSWORD;
		req.u.secret = *newpw;
		r = call(s, &req, &ans);
		msg_wipe(&req);
		if (r != 0)
			return PAM_AUTHINFO_UNAVAIL;
		if (ans.type == SSPR_MSG_DONE)
			return PAM_SUCCESS;
		if (ans.type == SSPR_MSG_FAIL)
			return fail_rc(s, ans.u.reason);
		if (ans.type != SSPR_MSG_REJECTED)
			return fail_rc(s, SSPR_R_PROTOCOL);
		conv_error(s->pamh, "%s", text_reason(ans.u.rejected.reason));
		if (ans.u.rejected.reason == SSPR_R_POLICY_OTHER &&
		    ans.u.rejected.detail[0] != '\0')
			conv_error(s->pamh, "(%s)", ans.u.rejected.detail);
		if (ans.u.rejected.tries_left == 0) {
			conv_error(s->pamh, "%s", _("Too many refused "
			    "passwords. Please start again."));
			helpdesk(s);
			return PAM_AUTH_ERR;
		}
	}
}

/*
 * Shows the challenge and relays codes until one is accepted.  For an
 * unlock the daemon acts on the right code at once: *outcome gets DONE's
 * outcome then, else 0.
 */
static int
verify(struct session *s, const struct msg_challenge *ch, int *outcome)
{
	struct msg req = { .type = SSPR_MSG_ANSWER }, ans;
	unsigned minutes = (ch->lifetime + 59) / 60;
	int r;

	conv_info(s->pamh, _("A verification code has been sent to %s. It "
	    "is valid for %u minutes."), ch->destination, minutes);
	for (;;) {
		r = conv_ask(s->pamh, PAM_PROMPT_ECHO_ON, _("Verification code "
		    "(empty to cancel): "), &req.u.secret);
		if (r != PAM_SUCCESS)
			return r;
		if (req.u.secret.len == 0) {
			req.type = SSPR_MSG_CANCEL;
			(void)frame_send_msg(s->fd, &req, 1000);
			conv_info(s->pamh, "%s", _("Password reset "
			    "cancelled."));
			return PAM_AUTH_ERR;
		}
		r = call(s, &req, &ans);
		msg_wipe(&req);
		req.type = SSPR_MSG_ANSWER;
		if (r != 0)
			return PAM_AUTHINFO_UNAVAIL;
		if (ans.type == SSPR_MSG_VERIFIED)
			return PAM_SUCCESS;
		if (ans.type == SSPR_MSG_DONE) {
			*outcome = ans.u.outcome;
			return PAM_SUCCESS;
		}
		if (ans.type == SSPR_MSG_FAIL)
			return fail_rc(s, ans.u.reason);
		if (ans.type != SSPR_MSG_ANSWER_BAD)
			return fail_rc(s, SSPR_R_PROTOCOL);
		conv_error(s->pamh, _("That code is not right. Attempts left: "
		    "%u."), ans.u.attempts_left);
	}
}

/*
 * With unlock enabled, the person says what they need.  Returns the
 * purpose, or 0 when they cancel (an empty answer).
 */
static int
choose(struct session *s, int *purpose)
{
	struct secret a;
	int r;

	*purpose = SSPR_PURPOSE_RESET;
	if (!(s->features & SSPR_FEAT_UNLOCK))
		return PAM_SUCCESS;
	for (;;) {
		conv_info(s->pamh, "%s", _("  1  Reset my password\n"
		    "  2  Unlock my account (I know my password)"));
		r = conv_ask(s->pamh, PAM_PROMPT_ECHO_ON, _("Choose 1 or 2 "
		    "(empty to cancel): "), &a);
		if (r != PAM_SUCCESS)
			return r;
		if (a.len == 0) {
			*purpose = 0;
			return PAM_SUCCESS;
		}
		if (a.len == 1 && (a.buf[0] == '1' || a.buf[0] == '2')) {
			*purpose = a.buf[0] == '1' ? SSPR_PURPOSE_RESET :
			    SSPR_PURPOSE_UNLOCK;
			return PAM_SUCCESS;
		}
		secret_wipe(&a);
	}
}

/*
 * START, the code, then (for a reset) the new password.  *outcome says
 * what was done.
 */
static int
run_flow(struct session *s, int purpose, struct secret *newpw, int *outcome)
{
	struct msg req = { .type = SSPR_MSG_START }, ans;
	int r;

	*outcome = 0;
	req.u.start.purpose = (uint8_t)purpose;
	field(req.u.start.user, sizeof(req.u.start.user), s->user);
	if (call(s, &req, &ans) != 0)
		return PAM_AUTHINFO_UNAVAIL;
	if (ans.type == SSPR_MSG_FAIL)
		return fail_rc(s, ans.u.reason);
	if (ans.type != SSPR_MSG_CHALLENGE)
		return fail_rc(s, SSPR_R_PROTOCOL);
	if ((r = verify(s, &ans.u.challenge, outcome)) != PAM_SUCCESS)
		return r;
	if (purpose == SSPR_PURPOSE_UNLOCK)
		return *outcome != 0 ? PAM_SUCCESS : fail_rc(s,
		    SSPR_R_PROTOCOL);
	if ((r = set_password(s, newpw)) == PAM_SUCCESS)
		*outcome = SSPR_DONE_PASSWORD_SET;
	return r;
}

/*
 * The "Can't access your account?" path.  Returns PAM_AUTH_ERR after a
 * successful reset (the login asks again, with the new password) unless
 * handoff is set; never PAM_SUCCESS.
 */
static int
recover(pam_handle_t *pamh, const struct sspr_args *args, const char *user,
    const char *lang)
{
	struct session s = { .pamh = pamh, .args = args, .user = user,
	    .lang = lang, .fd = -1 };
	struct secret newpw = { 0 };
	int r, purpose = 0, outcome = 0;
	char why[256];

	if (args->bad != NULL) {
		conv_error(pamh, "%s", text_reason(SSPR_R_INTERNAL));
		helpdesk(&s);
		return PAM_AUTHINFO_UNAVAIL;
	}
	if ((s.fd = client_open(args, why, sizeof(why))) < 0) {
		pam_syslog(pamh, LOG_ERR, "cannot reach sspr-helperd: %s", why);
		conv_error(pamh, "%s", text_reason(SSPR_R_INTERNAL));
		helpdesk(&s);
		return PAM_AUTHINFO_UNAVAIL;
	}
	debug(&s, "reset flow started for %s", user);
	r = hello(&s);
	if (r == PAM_SUCCESS) {
		conv_info(pamh, "%s", _("Can't access your account? You can "
		    "get back in with a code sent to your recovery email "
		    "address."));
		r = choose(&s, &purpose);
	}
	if (r == PAM_SUCCESS && purpose == 0) {
		conv_info(pamh, "%s", _("Password reset cancelled."));
		r = PAM_AUTH_ERR;
	}
	if (r == PAM_SUCCESS)
		r = run_flow(&s, purpose, &newpw, &outcome);
	close(s.fd);
	if (r != PAM_SUCCESS) {
		secret_wipe(&newpw);
		return r;
	}
	if (outcome != SSPR_DONE_PASSWORD_SET) {
		pam_syslog(pamh, LOG_NOTICE, "unlock of %s through "
		    "sspr-helperd: %s", user, outcome == SSPR_DONE_UNLOCKED ?
		    "unlocked" : "was not locked");
		conv_info(pamh, "%s", outcome == SSPR_DONE_UNLOCKED ?
		    _("Your account has been unlocked. Log in with your "
		    "password.") : _("Your account was not locked. If your "
		    "password does not work, reset it instead."));
		return PAM_AUTH_ERR;
	}
	pam_syslog(pamh, LOG_NOTICE, "password of %s reset through "
	    "sspr-helperd", user);
	pam_putenv(pamh, "SSPR_PASSWORD_RESET=1");
	conv_info(pamh, "%s", _("Your password has been changed."));
	if (args->handoff) {
		r = pam_set_item(pamh, PAM_AUTHTOK, secret_str(&newpw));
		secret_wipe(&newpw);
		return r == PAM_SUCCESS ? PAM_IGNORE : PAM_AUTH_ERR;
	}
	secret_wipe(&newpw);
	conv_info(pamh, "%s", _("Log in again with your new password."));
	return PAM_AUTH_ERR;
}

/*
 * The password prompt; an empty answer (or reset_only, on a kiosk) opens
 * the reset path.
 */
static int
authenticate(pam_handle_t *pamh, const struct sspr_args *args,
    const char *lang)
{
	struct secret pw = { 0 };
	const void *tok = NULL;
	const char *user = NULL;
	int r;

	r = pam_get_user(pamh, &user, NULL);
	if (r != PAM_SUCCESS || user == NULL || *user == '\0')
		return r == PAM_SUCCESS ? PAM_USER_UNKNOWN : r;
	if (args->reset_only)
		return recover(pamh, args, user, lang);
	/* a module before us already asked: not our business */
	if (pam_get_item(pamh, PAM_AUTHTOK, &tok) == PAM_SUCCESS && tok != NULL)
		return PAM_IGNORE;
	r = conv_ask(pamh, PAM_PROMPT_ECHO_OFF, _("Password (press Enter if "
	    "you can't access your account): "), &pw);
	if (r != PAM_SUCCESS)
		return r;
	if (pw.len > 0) {
		r = pam_set_item(pamh, PAM_AUTHTOK, secret_str(&pw));
		secret_wipe(&pw);
		return r == PAM_SUCCESS ? PAM_IGNORE : r;
	}
	return recover(pamh, args, user, lang);
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct sspr_args args;
	struct text_lang lang;
	int r;

	(void)flags;
	args_parse(&args, argc, argv);
	if (args.bad != NULL)
		pam_syslog(pamh, LOG_ERR, "unknown or malformed argument '%s': "
		    "password reset is switched off", args.bad);
	text_begin(&lang, pam_getenv(pamh, "LANG"), args.lang);
	r = authenticate(pamh, &args, lang.tag);
	text_end(&lang);
	return r;
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}
