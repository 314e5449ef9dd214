/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * register.c: right after a login, when the daemon says the account is
 * due (ACCOUNT.register_due), the person sees the recovery methods that
 * are registered and when they were last confirmed, and may add or change
 * methods, confirm ("looks good") or skip.  The daemon does everything
 * (codes, QR code, storing); this relays.  Whatever happens here, the
 * login goes on: the account step answers PAM_IGNORE, and a daemon that
 * cannot be reached is not mentioned at all.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <security/pam_ext.h>

#include "conv.h"
#include "frame.h"
#include "recover.h"
#include "register.h"
#include "text.h"
#include "wire.h"

#define MENU_MAX	8

struct entry {
	int		 action;
	const char	*text;
};

static void
show(struct session *s, const struct msg_methods *m)
{
	char when[32], buf[1024];
	size_t n = 0;
	struct tm tm;
	time_t t = (time_t)m->confirmed;

	buf[0] = '\0';
#define ADD(...) do { \
	int k_ = snprintf(buf + n, sizeof(buf) - n, __VA_ARGS__); \
	if (k_ > 0 && (size_t)k_ < sizeof(buf) - n) n += (size_t)k_; \
} while (0)
	ADD("%s", _("Your account recovery methods:"));
	if (m->registered & SSPR_REG_EMAIL)
		ADD("\n  %s %s", _("Email:"), m->mail);
	if (m->registered & SSPR_REG_TOTP)
		ADD("\n  %s", _("Authenticator app: set up"));
	if (m->registered & SSPR_REG_SMS)
		ADD("\n  %s %s", _("Phone (text messages):"), m->phone);
	if (m->registered & SSPR_REG_QUESTIONS)
		ADD("\n  %s", _("Security questions: answered"));
	if (m->registered & SSPR_REG_RCODES)
		ADD("\n  %s", _("Recovery codes: taken"));
	if (m->registered == 0)
		ADD("\n  %s", _("None registered yet."));
	if (m->confirmed != 0 && gmtime_r(&t, &tm) != NULL &&
	    strftime(when, sizeof(when), "%Y-%m-%d", &tm) > 0)
		ADD("\n%s %s", _("Last confirmed:"), when);
	else
		ADD("\n%s", _("Never confirmed."));
#undef ADD
	conv_info(s->pamh, "%s", buf);
}

/* The numbered menu of what may be done now; returns its length. */
static int
menu(struct session *s, const struct msg_methods *m, struct entry *e)
{
	char buf[1024];
	size_t n = 0;
	int k = 0, i, w;

	if (m->offered & SSPR_REG_EMAIL)
		e[k++] = (struct entry){ SSPR_ACT_EMAIL, (m->registered &
		    SSPR_REG_EMAIL) ? _("Change your recovery email address") :
		    _("Add a recovery email address") };
	if (m->offered & SSPR_REG_TOTP)
		e[k++] = (struct entry){ SSPR_ACT_TOTP, (m->registered &
		    SSPR_REG_TOTP) ? _("Set up a new authenticator app") :
		    _("Set up an authenticator app") };
	if (m->offered & SSPR_REG_SMS)
		e[k++] = (struct entry){ SSPR_ACT_SMS, (m->registered &
		    SSPR_REG_SMS) ? _("Change your phone number") :
		    _("Add a phone number for text messages") };
	if (m->offered & SSPR_REG_QUESTIONS)
		e[k++] = (struct entry){ SSPR_ACT_QUESTIONS,
		    _("Answer security questions") };
	if (m->offered & SSPR_REG_RCODES)
		e[k++] = (struct entry){ SSPR_ACT_RCODES, (m->registered &
		    SSPR_REG_RCODES) ? _("Get new recovery codes (the old ones "
		    "stop working)") : _("Get recovery codes to print") };
	if (m->registered != 0)
		e[k++] = (struct entry){ SSPR_ACT_CONFIRM,
		    _("Looks good: confirm these methods") };
	if (m->skips_left > 0)
		e[k++] = (struct entry){ SSPR_ACT_SKIP, _("Skip for now") };
	buf[0] = '\0';
	for (i = 0; i < k; i++) {
		w = snprintf(buf + n, sizeof(buf) - n, "%s  %d  %s", i ? "\n" :
		    "", i + 1, e[i].text);
		if (w > 0 && (size_t)w < sizeof(buf) - n)
			n += (size_t)w;
	}
	if (m->skips_left > 0) {
		w = snprintf(buf + n, sizeof(buf) - n, "\n%s", _("(You may skip "
		    "this a limited number of times.)"));
		if (w > 0 && (size_t)w < sizeof(buf) - n)
			n += (size_t)w;
	}
	conv_info(s->pamh, "%s", buf);
	return k;
}

/* Asks for a number of the menu; 0 when the person cancels. */
static int
choose(struct session *s, const struct entry *e, int k, int *action)
{
	struct secret a;
	int r, i;

	for (;;) {
		r = conv_ask(s->pamh, PAM_PROMPT_ECHO_ON, _("Choose a number "
		    "(empty to cancel): "), &a);
		if (r != PAM_SUCCESS)
			return r;
		if (a.len == 0) {
			*action = 0;
			return PAM_SUCCESS;
		}
		for (i = 0; i < k; i++) {
			char num[8];

			snprintf(num, sizeof(num), "%d", i + 1);
			if (strcmp(secret_str(&a), num) == 0) {
				*action = e[i].action;
				secret_wipe(&a);
				return PAM_SUCCESS;
			}
		}
		secret_wipe(&a);
	}
}

/* The value an action needs: an address, a phone number. */
static int
ask_value(struct session *s, int action, char *out, size_t size)
{
	struct secret a;
	int r;

	out[0] = '\0';
	if (action != SSPR_ACT_EMAIL && action != SSPR_ACT_SMS)
		return PAM_SUCCESS;
	r = conv_ask(s->pamh, PAM_PROMPT_ECHO_ON, action == SSPR_ACT_EMAIL ?
	    _("New recovery email address: ") : _("Phone number in "
	    "international format (for example +31612345678): "), &a);
	if (r != PAM_SUCCESS)
		return r;
	if (a.len >= size || !wire_text_ok(a.buf, a.len)) {
		conv_error(s->pamh, "%s", _("That is too long, or holds "
		    "characters that cannot be used."));
		a.len = 0;
	}
	memcpy(out, a.buf, a.len);
	out[a.len] = '\0';
	secret_wipe(&a);
	return PAM_SUCCESS;
}

/*
 * New recovery codes, INFO lines before METHODS: shown once, all in one
 * PAM_TEXT_INFO from a buffer of ours (libpam's formatting copy would
 * not be wiped), and not kept.
 */
static int
show_codes(struct session *s, struct msg *ans)
{
	char buf[1536];
	size_t n, len;
	int r = 0;

	n = (size_t)snprintf(buf, sizeof(buf), "%s", _("Your recovery codes. "
	    "Each works once, in place of a code sent to you. Write them down "
	    "or print them now and keep them safe: they are not shown "
	    "again."));
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	while (ans->type == SSPR_MSG_INFO) {
		len = strlen(ans->u.line);
		if (n + len + 6 < sizeof(buf))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			    "\n    %s", ans->u.line);
		explicit_bzero(ans->u.line, len);
		if ((r = session_call(s, NULL, ans)) != 0)
			break;
	}
	if (r == 0) {
		snprintf(buf + n, sizeof(buf) - n, "\n%s", _("Any earlier "
		    "recovery codes no longer work."));
		conv_show_secret(s->pamh, buf);
	}
	explicit_bzero(buf, sizeof(buf));
	return r;
}

/*
 * One step: returns 1 to show the methods and the menu again, 2 for the
 * menu alone (the value was refused), 0 when done, -1 failed.
 */
static int
step(struct session *s, int action, struct msg *ans)
{
	struct msg req = { .type = SSPR_MSG_REGISTER_STEP };
	int r;

	req.u.step.action = (uint8_t)action;
	if (ask_value(s, action, req.u.step.value, sizeof(req.u.step.value))
	    != PAM_SUCCESS)
		return -1;
	if ((action == SSPR_ACT_EMAIL || action == SSPR_ACT_SMS) &&
	    req.u.step.value[0] == '\0')
		return 1;
	if (session_call(s, &req, ans) != 0)
		return -1;
	if (action == SSPR_ACT_RCODES && ans->type == SSPR_MSG_INFO &&
	    show_codes(s, ans) != 0)
		return -1;
	if (ans->type == SSPR_MSG_REJECTED) {
		conv_error(s->pamh, "%s", action == SSPR_ACT_EMAIL ?
		    _("That is not an email address that can be used.") :
		    _("That is not a phone number that can be used."));
		return 2;
	}
	if (ans->type == SSPR_MSG_INFO || ans->type == SSPR_MSG_CHALLENGE) {
		if ((r = recover_relay(s, ans, 1)) != PAM_SUCCESS)
			return -1;
		if (ans->type == SSPR_MSG_METHODS) {
			conv_info(s->pamh, "%s", _("Saved."));
			return 1;
		}
	}
	switch (ans->type) {
	case SSPR_MSG_METHODS:
		return 1;
	case SSPR_MSG_DONE:
		conv_info(s->pamh, "%s", ans->u.outcome == SSPR_DONE_REGISTERED ?
		    _("Thank you: your recovery methods are confirmed.") :
		    _("Skipped. You will be asked again at your next login."));
		return 0;
	case SSPR_MSG_FAIL:
		if (ans->u.reason == SSPR_R_DISABLED && action == SSPR_ACT_SKIP)
			conv_error(s->pamh, "%s", _("Registration cannot be "
			    "skipped any more. Please register at your next "
			    "login."));
		else
			(void)session_fail(s, ans->u.reason);
		return -1;
	default:
		(void)session_fail(s, SSPR_R_PROTOCOL);
		return -1;
	}
}

void
register_methods(pam_handle_t *pamh, const struct sspr_args *args,
    const char *user, const char *lang)
{
	struct msg req = { .type = SSPR_MSG_START }, ans;
	struct msg_methods last;
	struct entry e[MENU_MAX];
	struct session s;
	int k, action, r, low;

	session_init(&s, pamh, args, user, lang);
	s.quiet = 1;	/* a daemon that is down is not the person's business */
	if (session_open(&s) != PAM_SUCCESS)
		return;
	if (!(s.features & SSPR_FEAT_REGISTER)) {
		session_close(&s);
		return;
	}
	req.u.start.purpose = SSPR_PURPOSE_REGISTER;
	session_field(req.u.start.user, sizeof(req.u.start.user), user);
	if (session_call(&s, &req, &ans) != 0) {
		session_close(&s);
		return;
	}
	/* a notice before the menu: few recovery codes left */
	low = 0;
	while (ans.type == SSPR_MSG_INFO) {
		low |= strcmp(ans.u.line, SSPR_INFO_RCODES_LOW) == 0;
		if (session_call(&s, NULL, &ans) != 0) {
			session_close(&s);
			return;
		}
	}
	if (ans.type != SSPR_MSG_METHODS) {
		/* the one refusal the person can act on: go elsewhere */
		if (ans.type == SSPR_MSG_FAIL &&
		    ans.u.reason == SSPR_R_NOT_HERE)
			conv_info(pamh, "%s", text_reason(SSPR_R_NOT_HERE));
		session_close(&s);
		return;
	}
	s.quiet = 0;
	pam_syslog(pamh, LOG_INFO, "registration of recovery methods for %s",
	    user);
	conv_info(pamh, "%s", _("Please keep your account recovery methods "
	    "up to date: they let you reset your password yourself."));
	if (low)
		conv_info(pamh, "%s", _("You have two or fewer recovery codes "
		    "left. Choose \"Get new recovery codes\" below for a new "
		    "set."));
	last = ans.u.methods;
	for (r = 1; r > 0;) {
		if (r == 1) {
			if (ans.type == SSPR_MSG_METHODS)
				last = ans.u.methods;
			show(&s, &last);
		}
		k = menu(&s, &last, e);
		if (choose(&s, e, k, &action) != PAM_SUCCESS)
			break;
		if (action == 0) {
			recover_cancel(&s, 1);
			break;
		}
		r = step(&s, action, &ans);
	}
	msg_wipe(&ans);
	session_close(&s);
}
