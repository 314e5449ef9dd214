/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * recover.c: the "Can't access your account?" path: what the person
 * needs (reset or unlock), the human check when the daemon asks for one,
 * the code, and the new password.  Also the proof of the recovery
 * address alone, which a forced change can demand first (verify_first).
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "conv.h"
#include "frame.h"
#include "hostcache.h"
#include "peer.h"
#include "recover.h"
#include "text.h"

#define PASSWORD_MISMATCHES	3
#define PICTURE_MAX		4096
#define INFO_MAX		8192

static void show_rows(struct session *, const char *);

/* The person gave up: the daemon is told, the person too. */
void
recover_cancel(struct session *s, int registering)
{
	struct msg req = { .type = SSPR_MSG_CANCEL };

	(void)frame_send_msg(s->fd, &req, 1000);
	conv_info(s->pamh, "%s", registering ? _("Registration cancelled. "
	    "You will be asked again at your next login.") :
	    _("Password reset cancelled."));
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
	int mismatches = 0, r;

	for (;;) {
		r = conv_new_password(s->pamh, newpw);
		if (r == PAM_SUCCESS && newpw->len == 0) {
			recover_cancel(s, 0);
			return PAM_AUTH_ERR;
		}
		if (r == PAM_TRY_AGAIN) {
			if (++mismatches == PASSWORD_MISMATCHES)
				return PAM_AUTH_ERR;
			continue;
		}
		if (r != PAM_SUCCESS)
			return r;
		req.type = SSPR_MSG_NEW_PASSWORD;
		req.u.secret = *newpw;
		r = session_call(s, &req, &ans);
		msg_wipe(&req);
		if (r != 0)
			return PAM_AUTHINFO_UNAVAIL;
		if (ans.type == SSPR_MSG_DONE)
			return PAM_SUCCESS;
		if (ans.type == SSPR_MSG_FAIL)
			return session_fail(s, ans.u.reason);
		if (ans.type != SSPR_MSG_REJECTED)
			return session_fail(s, SSPR_R_PROTOCOL);
		session_rejected(s, &ans.u.rejected);
		if (ans.u.rejected.tries_left == 0) {
			conv_error(s->pamh, "%s", _("Too many refused "
			    "passwords. Please start again."));
			session_helpdesk(s);
			return PAM_AUTH_ERR;
		}
	}
}

/*
 * INFO lines as they come, joined by newlines into buf, until the first
 * message that is not one, left in *ans.  From the first line that does
 * not fit on, nothing more is kept: a QR code with rows missing from its
 * middle would scan as something else.
 */
static int
collect_info(struct session *s, struct msg *ans, char *buf, size_t size)
{
	size_t n = strlen(buf), len;
	int full = 0;

	while (ans->type == SSPR_MSG_INFO) {
		if (strcmp(ans->u.line, SSPR_INFO_SSHKEY) == 0)
			snprintf(ans->u.line, sizeof(ans->u.line), "%s",
			    _("Your SSH key counts as one verification."));
		len = strlen(ans->u.line);
		if (n + len + 2 >= size)
			full = 1;
		if (!full) {
			if (n > 0)
				buf[n++] = '\n';
			memcpy(buf + n, ans->u.line, len);
			n += len;
			buf[n] = '\0';
		}
		if (session_call(s, NULL, ans) != 0)
			return -1;
	}
	return 0;
}

/*
 * The human check: the daemon draws characters as INFO lines and asks
 * for them with a CHALLENGE; a wrong answer brings a new picture.  Ends
 * with *ans holding the first message that is neither (the code
 * challenge, or FAIL), before which nobody was looked up.
 */
static int
human_check(struct session *s, struct msg *ans)
{
	struct msg req;
	char picture[PICTURE_MAX];
	int tries = 0, r;

	picture[0] = '\0';
	for (;;) {
		if (collect_info(s, ans, picture, sizeof(picture)) != 0)
			return PAM_AUTHINFO_UNAVAIL;
		if (ans->type != SSPR_MSG_CHALLENGE ||
		    ans->u.challenge.method != SSPR_METHOD_HUMAN) {
			/* after the lookup: what the daemon said of it */
			show_rows(s, picture);
			return PAM_SUCCESS;
		}
		if (tries++ > 0)
			conv_error(s->pamh, "%s", _("Those characters are not "
			    "right. Here is a new picture."));
		conv_info(s->pamh, "%s\n%s", _("To show that a person is at "
		    "the keyboard, type the characters in this picture:"),
		    picture);
		picture[0] = '\0';
		memset(&req, 0, sizeof(req));
		req.type = SSPR_MSG_ANSWER;
		r = conv_ask(s->pamh, PAM_PROMPT_ECHO_ON, _("Characters "
		    "(empty to cancel): "), &req.u.secret);
		if (r != PAM_SUCCESS)
			return r;
		if (req.u.secret.len == 0) {
			recover_cancel(s, 0);
			return PAM_AUTH_ERR;
		}
		r = session_call(s, &req, ans);
		msg_wipe(&req);
		if (r != 0)
			return PAM_AUTHINFO_UNAVAIL;
	}
}

/*
 * INFO rows, verbatim, in messages under the conversation's 1024 bytes,
 * cut between rows (a QR code is a few thousand bytes).
 */
static void
show_rows(struct session *s, const char *rows)
{
	char chunk[1000];
	const char *p = rows, *nl;
	size_t n = 0, len;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (len >= sizeof(chunk) - 1)
			len = sizeof(chunk) - 2;
		if (n > 0 && n + len + 2 > sizeof(chunk)) {
			chunk[n] = '\0';
			conv_show_secret(s->pamh, chunk);
			n = 0;
		}
		if (n > 0)
			chunk[n++] = '\n';
		memcpy(chunk + n, p, len);
		n += len;
		p = nl != NULL ? nl + 1 : p + strlen(p);
	}
	if (n > 0) {
		chunk[n] = '\0';
		conv_show_secret(s->pamh, chunk);
	}
	explicit_bzero(chunk, sizeof(chunk));	/* a new app's secret */
}

/* What the person reads before a challenge's prompt. */
static void
introduce(struct session *s, const struct msg_challenge *ch,
    const char *info, int registering)
{
	unsigned minutes = (ch->lifetime + 59) / 60;

	switch (ch->method) {
	case SSPR_METHOD_SMS:
		conv_info(s->pamh, _("A code has been sent to %s by text "
		    "message."), ch->destination);
		break;
	case SSPR_METHOD_TOTP:
		if (registering && *info != '\0')
			conv_info(s->pamh, "%s", _("Scan this QR code with "
			    "your authenticator app, or type the secret into "
			    "it:"));
		show_rows(s, info);
		break;
	case SSPR_METHOD_QUESTION:
		show_rows(s, info);
		break;
	case SSPR_METHOD_RCODE:
		conv_info(s->pamh, "%s", _("Type one of your recovery codes. "
		    "Each works once."));
		break;
	case SSPR_METHOD_PASS:
		conv_info(s->pamh, "%s", _("Type the one-time pass the "
		    "helpdesk gave you."));
		break;
	default:
		show_rows(s, info);
		conv_info(s->pamh, _("A verification code has been sent to %s. "
		    "It is valid for %u minutes."), ch->destination, minutes);
		break;
	}
}

static const char *
prompt_of(int method)
{
	switch (method) {
	case SSPR_METHOD_TOTP:
		return _("Code from your authenticator app: ");
	case SSPR_METHOD_QUESTION:
		return _("Answer: ");
	case SSPR_METHOD_RCODE:
		return _("Recovery code (empty to cancel): ");
	case SSPR_METHOD_PASS:
		return _("Pass from the helpdesk (empty to cancel): ");
	default:
		return _("Verification code (empty to cancel): ");
	}
}

/*
 * One-time codes and passes are echoed (people read them off another
 * screen or a note and mistype them); security answers are long-lived
 * secrets and are not, like anything else asked here.
 */
static int
echo_of(int method)
{
	return method == SSPR_METHOD_TOTP || method == SSPR_METHOD_EMAIL ||
	    method == SSPR_METHOD_SMS || method == SSPR_METHOD_PASS ||
	    method == SSPR_METHOD_RCODE ?
	    PAM_PROMPT_ECHO_ON :
	    PAM_PROMPT_ECHO_OFF;
}

/*
 * Relays challenges: INFO lines (shown verbatim, all at once, before the
 * prompt: a QR code, a question), the prompt for each CHALLENGE, and the
 * person's answers, until the daemon answers with something else (then
 * in *ans).  After a right answer the daemon may ask the next method: a
 * new CHALLENGE.  An empty answer cancels.
 */
int
recover_relay(struct session *s, struct msg *ans, int registering)
{
	struct msg req;
	struct msg_challenge ch;
	char info[INFO_MAX];
	int r;

	info[0] = '\0';
	memset(&ch, 0, sizeof(ch));
	for (;;) {
		if (collect_info(s, ans, info, sizeof(info)) != 0) {
			r = PAM_AUTHINFO_UNAVAIL;
			break;
		}
		if (ans->type == SSPR_MSG_CHALLENGE &&
		    ans->u.challenge.method != SSPR_METHOD_HUMAN) {
			ch = ans->u.challenge;
			introduce(s, &ch, info, registering);
			/* a new app's secret was in it */
			explicit_bzero(info, sizeof(info));
		} else if (ans->type == SSPR_MSG_ANSWER_BAD && ch.method != 0) {
			if (ch.method == SSPR_METHOD_QUESTION && registering)
				conv_error(s->pamh, _("That answer is too "
				    "short. Attempts left: %u."),
				    ans->u.attempts_left);
			else if (ch.method == SSPR_METHOD_QUESTION)
				conv_error(s->pamh, _("That answer is not "
				    "right. Attempts left: %u."),
				    ans->u.attempts_left);
			else if (ch.method == SSPR_METHOD_PASS)
				conv_error(s->pamh, _("That pass is not right. "
				    "Attempts left: %u."),
				    ans->u.attempts_left);
			else
				conv_error(s->pamh, _("That code is not right. "
				    "Attempts left: %u."), ans->u.attempts_left);
		} else {
			r = PAM_SUCCESS;
			break;
		}
		memset(&req, 0, sizeof(req));
		req.type = SSPR_MSG_ANSWER;
		r = conv_ask(s->pamh, echo_of(ch.method), prompt_of(ch.method),
		    &req.u.secret);
		if (r != PAM_SUCCESS)
			break;
		if (req.u.secret.len == 0) {
			recover_cancel(s, registering);
			r = PAM_AUTH_ERR;
			break;
		}
		r = session_call(s, &req, ans);
		msg_wipe(&req);
		if (r != 0) {
			r = PAM_AUTHINFO_UNAVAIL;
			break;
		}
	}
	explicit_bzero(info, sizeof(info));
	return r;
}

/*
 * Shows the challenges and relays codes until the daemon is satisfied.
 * For an unlock or a proof of address the daemon acts on the right code
 * at once: *outcome gets DONE's outcome then, else 0.
 */
static int
verify(struct session *s, struct msg *ans, int *outcome)
{
	int r;

	if ((r = recover_relay(s, ans, 0)) != PAM_SUCCESS)
		return r;
	if (ans->type == SSPR_MSG_VERIFIED)
		return PAM_SUCCESS;
	if (ans->type == SSPR_MSG_DONE) {
		*outcome = ans->u.outcome;
		return PAM_SUCCESS;
	}
	if (ans->type == SSPR_MSG_FAIL &&
	    ans->u.reason == SSPR_R_OUTCOME_UNKNOWN && !s->quiet) {
		/* at this step only an unlock writes: no password to try */
		conv_error(s->pamh, "%s", _("The directory did not confirm "
		    "the unlock: your account may be unlocked. Try to log in "
		    "with your password."));
		session_helpdesk(s);
		return PAM_AUTHINFO_UNAVAIL;
	}
	if (ans->type == SSPR_MSG_FAIL)
		return session_fail(s, ans->u.reason);
	return session_fail(s, SSPR_R_PROTOCOL);
}

/*
 * With unlock or the helpdesk pass offered (the daemon's features: the
 * same for every name), the person says what they need: 1 reset, then
 * unlock, then the pass, numbered as offered.  *purpose is 0 when they
 * cancel (an empty answer).
 */
static int
choose(struct session *s, int *purpose)
{
	const int unlock = (s->features & SSPR_FEAT_UNLOCK) != 0;
	const int pass = (s->features & SSPR_FEAT_PASS) != 0;
	const int n = 1 + unlock + pass;
	int purposes[4] = { 0, SSPR_PURPOSE_RESET, 0, 0 };
	char line[200];
	struct secret a;
	int r;

	*purpose = SSPR_PURPOSE_RESET;
	if (n == 1)
		return PAM_SUCCESS;
	if (unlock)
		purposes[2] = SSPR_PURPOSE_UNLOCK;
	if (pass)
		purposes[n] = SSPR_PURPOSE_PASS;
	snprintf(line, sizeof(line), _("  %d  I have a pass from the "
	    "helpdesk"), n);
	for (;;) {
		conv_info(s->pamh, "%s%s%s", unlock ? _("  1  Reset my "
		    "password\n  2  Unlock my account (I know my password)") :
		    _("  1  Reset my password"), pass ? "\n" : "",
		    pass ? line : "");
		r = conv_ask(s->pamh, PAM_PROMPT_ECHO_ON, n == 3 ?
		    _("Choose 1, 2 or 3 (empty to cancel): ") :
		    _("Choose 1 or 2 (empty to cancel): "), &a);
		if (r != PAM_SUCCESS)
			return r;
		if (a.len == 0) {
			*purpose = 0;
			return PAM_SUCCESS;
		}
		if (a.len == 1 && a.buf[0] >= '1' && a.buf[0] <= '0' + n) {
			*purpose = purposes[a.buf[0] - '0'];
			secret_wipe(&a);
			return PAM_SUCCESS;
		}
		secret_wipe(&a);
	}
}

/* Appends "TYPE BASE64" from one "publickey TYPE BASE64[ INFO]" line. */
static void
add_key(const char *line, size_t n, char *out, size_t size)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
	    "vwxyz0123456789+/=";
	size_t tn, bn, used = strlen(out);

	if (n < 10 || strncmp(line, "publickey ", 10) != 0)
		return;
	line += 10;
	n -= 10;
	tn = strspn(line, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789@.-");
	if (tn == 0 || tn >= n || line[tn] != ' ')
		return;
	bn = strspn(line + tn + 1, b64);
	if (bn == 0 || (tn + 1 + bn < n && line[tn + 1 + bn] != ' '))
		return;
	if (used + (used > 0) + tn + 1 + bn >= size)
		return;		/* what does not fit is left out, whole */
	if (used > 0)
		out[used++] = ';';
	memcpy(out + used, line, tn + 1 + bn);
	out[used + tn + 1 + bn] = '\0';
}

/*
 * The keys sshd accepted before PAM ran (AuthenticationMethods
 * publickey,keyboard-interactive puts them in SSH_AUTH_INFO_0), as START
 * carries them: only to a daemon that takes them, only in sshd (this
 * process runs sshd=, pam_sspr(8)), and only for the user sshd
 * authenticated.  The daemon checks the caller again.
 */
static void
ssh_keys(struct session *s, char *out, size_t size)
{
	const char *info, *sshd[1] = { s->args->sshd }, *nl;
	const void *pu = NULL;

	out[0] = '\0';
	if (!(s->features & SSPR_FEAT_SSHKEY) ||
	    (info = pam_getenv(s->pamh, "SSH_AUTH_INFO_0")) == NULL)
		return;
	if (pam_get_item(s->pamh, PAM_USER, &pu) != PAM_SUCCESS ||
	    pu == NULL || strcmp(pu, s->user) != 0)
		return;
	if (self_program(sshd, 1) != PEER_RUNS) {
		session_debug(s, "SSH_AUTH_INFO_0 is set, but this process "
		    "is not %s: not passed on", s->args->sshd);
		return;
	}
	for (; *info != '\0'; info = *nl != '\0' ? nl + 1 : nl) {
		nl = info + strcspn(info, "\n");
		add_key(info, (size_t)(nl - info), out, size);
	}
}

/*
 * START, the human check if asked, the code, then (for a reset) the new
 * password.  *outcome says what was done.
 */
static int
run_flow(struct session *s, int purpose, struct secret *newpw, int *outcome)
{
	struct msg req = { .type = SSPR_MSG_START }, ans;
	int r;

	*outcome = 0;
	req.u.start.purpose = (uint8_t)purpose;
	session_field(req.u.start.user, sizeof(req.u.start.user), s->user);
	if (purpose != SSPR_PURPOSE_VERIFY)
		ssh_keys(s, req.u.start.keys, sizeof(req.u.start.keys));
	if (session_call(s, &req, &ans) != 0)
		return PAM_AUTHINFO_UNAVAIL;
	if ((r = human_check(s, &ans)) != PAM_SUCCESS)
		return r;
	if (ans.type == SSPR_MSG_FAIL)
		return session_fail(s, ans.u.reason);
	/* a key that counted may have been all that was needed */
	if (ans.type != SSPR_MSG_CHALLENGE && !(req.u.start.keys[0] != '\0' &&
	    (ans.type == SSPR_MSG_VERIFIED || ans.type == SSPR_MSG_DONE)))
		return session_fail(s, SSPR_R_PROTOCOL);
	if ((r = verify(s, &ans, outcome)) != PAM_SUCCESS)
		return r;
	if (purpose != SSPR_PURPOSE_RESET && purpose != SSPR_PURPOSE_PASS)
		return *outcome != 0 ? PAM_SUCCESS : session_fail(s,
		    SSPR_R_PROTOCOL);
	if ((r = set_password(s, newpw)) == PAM_SUCCESS)
		*outcome = SSPR_DONE_PASSWORD_SET;
	return r;
}

/* The person proves the recovery address with a code, nothing more. */
int
recover_verify_address(struct session *s)
{
	int r, outcome = 0;

	if ((r = run_flow(s, SSPR_PURPOSE_VERIFY, NULL, &outcome)) !=
	    PAM_SUCCESS)
		return r;
	if (outcome != SSPR_DONE_VERIFIED)
		return session_fail(s, SSPR_R_PROTOCOL);
	conv_info(s->pamh, "%s", _("Your recovery email address is "
	    "confirmed."));
	return PAM_SUCCESS;
}

static int
finish(struct session *s, int outcome, struct secret *newpw)
{
	int r;

	if (outcome != SSPR_DONE_PASSWORD_SET) {
		pam_syslog(s->pamh, LOG_NOTICE, "unlock of %s through "
		    "sspr-helperd: %s", s->user, outcome == SSPR_DONE_UNLOCKED ?
		    "unlocked" : "was not locked");
		conv_info(s->pamh, "%s", outcome == SSPR_DONE_UNLOCKED ?
		    _("Your account has been unlocked. Log in with your "
		    "password.") : _("Your account was not locked. If your "
		    "password does not work, reset it instead."));
		return PAM_AUTH_ERR;
	}
	pam_syslog(s->pamh, LOG_NOTICE, "password of %s reset through "
	    "sspr-helperd", s->user);
	pam_putenv(s->pamh, "SSPR_PASSWORD_RESET=1");
	hostcache_refresh(s->pamh, s->user, secret_str(newpw));
	conv_info(s->pamh, "%s", _("Your password has been changed."));
	if (s->args->handoff) {
		r = pam_set_item(s->pamh, PAM_AUTHTOK, secret_str(newpw));
		return r == PAM_SUCCESS ? PAM_IGNORE : PAM_AUTH_ERR;
	}
	conv_info(s->pamh, "%s", _("Log in again with your new password."));
	return PAM_AUTH_ERR;
}

/*
 * Returns PAM_AUTH_ERR after a successful reset (the login asks again,
 * with the new password) unless handoff is set; never PAM_SUCCESS.
 */
int
recover(pam_handle_t *pamh, const struct sspr_args *args, const char *user,
    const char *lang)
{
	struct session s;
	struct secret newpw = { 0 };
	int r, purpose = 0, outcome = 0;

	session_init(&s, pamh, args, user, lang);
	if ((r = session_open(&s)) != PAM_SUCCESS)
		return r;
	session_debug(&s, "reset flow started for %s", user);
	if (!(s.features & SSPR_FEAT_RESET)) {
		conv_error(pamh, "%s", _("Self-service password reset is "
		    "not enabled here."));
		session_helpdesk(&s);
		r = PAM_AUTH_ERR;
	}
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
	session_close(&s);
	if (r == PAM_SUCCESS)
		r = finish(&s, outcome, &newpw);
	secret_wipe(&newpw);
	return r;
}
