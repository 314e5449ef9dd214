/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * change.c: a change by someone who knows the password, and the account
 * step that demands one when the directory does (OpenLDAP pwdReset, AD
 * pwdLastSet = 0).
 *
 * Accounts that are not in the directory are not ours: every path here
 * answers PAM_IGNORE for them, and when the daemon cannot be reached, so
 * pam_unix or pam_sss beside us decide as if we were not stacked.  The
 * daemon checks the old password by binding as the user and changes it
 * as the user, so the directory applies its rules for users' own changes
 * (minimum age, history); the module only asks and relays.
 */
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include "change.h"
#include "conv.h"
#include "recover.h"
#include "register.h"
#include "text.h"

#define CHANGE_TRIES	3
#define DATA_KNOWN	"pam_sspr_directory_account"

/* STATUS: is the user a directory account, must it change its password? */
static int
status(struct session *s, struct msg_account *acct)
{
	struct msg req = { .type = SSPR_MSG_STATUS }, ans;

	memset(acct, 0, sizeof(*acct));
	if (!(s->features & SSPR_FEAT_CHANGE))
		return -1;
	session_field(req.u.user, sizeof(req.u.user), s->user);
	if (session_call(s, &req, &ans) != 0 ||
	    ans.type != SSPR_MSG_ACCOUNT)
		return -1;
	*acct = ans.u.account;
	return 0;
}

/* A quiet session for one STATUS: the login must not wait or hear of us. */
static int
ask_status(pam_handle_t *pamh, const struct sspr_args *args,
    const char *user, const char *lang, struct msg_account *acct)
{
	struct session s;
	int r;

	session_init(&s, pamh, args, user, lang);
	s.quiet = 1;
	if (session_open(&s) != PAM_SUCCESS)
		return -1;
	r = status(&s, acct);
	session_close(&s);
	return r;
}

/* verify_first: the recovery address proved before the first change. */
static int
verify_address(pam_handle_t *pamh, const struct sspr_args *args,
    const char *user, const char *lang)
{
	struct session s;
	int r;

	session_init(&s, pamh, args, user, lang);
	if ((r = session_open(&s)) != PAM_SUCCESS)
		return PAM_PERM_DENIED;
	conv_info(pamh, "%s", _("Before you choose a password, confirm your "
	    "recovery email address."));
	r = recover_verify_address(&s);
	session_close(&s);
	return r == PAM_SUCCESS ? PAM_SUCCESS : PAM_PERM_DENIED;
}

int
change_account(pam_handle_t *pamh, const struct sspr_args *args,
    struct text_lang *lang)
{
	struct msg_account acct;
	const char *user = NULL;
	int r;

	if ((r = session_get_user(pamh, &user)) != PAM_SUCCESS)
		return r;
	/*
	 * The daemon never takes root for a directory account (work.c,
	 * is_system_account), so asking would only cost every cron job and
	 * su to root a round trip.
	 */
	if (strcmp(user, "root") == 0)
		return PAM_IGNORE;
	if (ask_status(pamh, args, user, lang->tag, &acct) != 0 ||
	    !acct.known)
		return PAM_IGNORE;
	if (!acct.must_change) {
		/* never blocks the login, whatever happens in it */
		if (acct.register_due && !args->no_register) {
			text_switch(lang);
			register_methods(pamh, args, user, lang->tag);
		}
		return PAM_IGNORE;
	}
	text_switch(lang);
	pam_syslog(pamh, LOG_NOTICE, "the directory demands a new password "
	    "for %s", user);
	conv_info(pamh, "%s", _("You must choose a new password now: your "
	    "administrator set this one or it has expired."));
	if (args->verify_first &&
	    (r = verify_address(pamh, args, user, lang->tag)) != PAM_SUCCESS)
		return r;
	return PAM_NEW_AUTHTOK_REQD;
}

/* The old password: from a module before us, else asked. */
static int
old_password(pam_handle_t *pamh, struct secret *old)
{
	const void *tok = NULL;

	if (pam_get_item(pamh, PAM_OLDAUTHTOK, &tok) == PAM_SUCCESS &&
	    tok != NULL)
		return secret_set(old, tok, strlen(tok)) == 0 ? PAM_SUCCESS :
		    PAM_AUTHTOK_ERR;
	return conv_ask(pamh, PAM_PROMPT_ECHO_OFF, _("Current password: "),
	    old);
}

/*
 * The new password: with use_authtok, the one a module before us asked
 * for (no retry then), else asked twice here.
 */
static int
new_password(pam_handle_t *pamh, const struct sspr_args *args,
    struct secret *pw)
{
	const void *tok = NULL;
	int r;

	if (args->use_authtok)
		return pam_get_item(pamh, PAM_AUTHTOK, &tok) == PAM_SUCCESS &&
		    tok != NULL && secret_set(pw, tok, strlen(tok)) == 0 ?
		    PAM_SUCCESS : PAM_AUTHTOK_ERR;
	r = conv_new_password(pamh, pw);
	if (r == PAM_SUCCESS && pw->len == 0) {
		conv_info(pamh, "%s", _("Password change cancelled."));
		return PAM_AUTHTOK_ERR;
	}
	return r;
}

/*
 * One CHANGE on its own connection (the request carries everything).
 * PAM_TRY_AGAIN: the directory refused the new password; ask another.
 */
static int
send_change(struct session *s, const struct secret *old,
    const struct secret *pw)
{
	struct msg req = { .type = SSPR_MSG_CHANGE }, ans;
	int r;

	if ((r = session_open(s)) != PAM_SUCCESS)
		return PAM_AUTHTOK_ERR;
	session_field(req.u.change.user, sizeof(req.u.change.user), s->user);
	req.u.change.old = *old;
	req.u.change.new_ = *pw;
	r = session_call(s, &req, &ans);
	msg_wipe(&req);
	session_close(s);
	if (r != 0)
		return PAM_AUTHTOK_ERR;
	switch (ans.type) {
	case SSPR_MSG_DONE:
		return PAM_SUCCESS;
	case SSPR_MSG_REJECTED:
		session_rejected(s, &ans.u.rejected);
		return PAM_TRY_AGAIN;
	case SSPR_MSG_FAIL:
		if (ans.u.reason == SSPR_R_NOT_MINE)
			return PAM_IGNORE;
		if (ans.u.reason == SSPR_R_BAD_PASSWORD) {
			conv_error(s->pamh, "%s", text_reason(ans.u.reason));
			return PAM_AUTH_ERR;
		}
		(void)session_fail(s, ans.u.reason);
		return PAM_AUTHTOK_ERR;
	default:
		(void)session_fail(s, SSPR_R_PROTOCOL);
		return PAM_AUTHTOK_ERR;
	}
}

static int
update(pam_handle_t *pamh, const struct sspr_args *args, const char *user,
    const char *lang)
{
	struct session s;
	struct secret old, pw;
	int r, tries;

	session_init(&s, pamh, args, user, lang);
	conv_info(pamh, _("Changing the directory password of %s."), user);
	if ((r = old_password(pamh, &old)) != PAM_SUCCESS)
		return r;
	for (tries = 0; tries < CHANGE_TRIES; tries++) {
		r = new_password(pamh, args, &pw);
		if (r == PAM_SUCCESS)
			r = send_change(&s, &old, &pw);
		if (r == PAM_SUCCESS)
			r = pam_set_item(pamh, PAM_AUTHTOK, secret_str(&pw));
		secret_wipe(&pw);
		if (r != PAM_TRY_AGAIN || args->use_authtok)
			break;
	}
	secret_wipe(&old);
	if (r == PAM_SUCCESS) {
		pam_syslog(pamh, LOG_NOTICE, "directory password of %s "
		    "changed through sspr-helperd", user);
		conv_info(pamh, "%s", _("Your password has been changed."));
	}
	return r == PAM_TRY_AGAIN ? PAM_AUTHTOK_ERR : r;
}

/*
 * ask_new, for an account that is not ours (or when the daemon is down):
 * ask the new password and hand it to the next module as PAM_AUTHTOK,
 * as pam_pwquality does.  First in the password stack, where
 * pam-auth-update puts us, this is what lets pam_unix's generated line
 * (use_authtok) change a local password; whether it is good enough is
 * still pam_unix's to say.
 */
static int
hand_on(pam_handle_t *pamh, const struct sspr_args *args)
{
	struct secret pw;
	const void *tok = NULL;
	int r, tries;

	if (!args->ask_new || (pam_get_item(pamh, PAM_AUTHTOK, &tok) ==
	    PAM_SUCCESS && tok != NULL))
		return PAM_IGNORE;
	for (tries = 0; tries < CHANGE_TRIES; tries++)
		if ((r = conv_new_password(pamh, &pw)) != PAM_TRY_AGAIN)
			break;
	if (r != PAM_SUCCESS)
		return r == PAM_TRY_AGAIN ? PAM_AUTHTOK_ERR : r;
	if (pw.len == 0) {
		conv_info(pamh, "%s", _("Password change cancelled."));
		return PAM_AUTHTOK_ERR;
	}
	r = pam_set_item(pamh, PAM_AUTHTOK, secret_str(&pw));
	secret_wipe(&pw);
	return r == PAM_SUCCESS ? PAM_IGNORE : r;
}

/*
 * PAM runs the password stage twice: a preliminary pass, in which we
 * only find out whether the account is ours (and remember it), and the
 * update, which asks and changes.
 */
int
change_password(pam_handle_t *pamh, int flags, const struct sspr_args *args,
    const char *lang)
{
	struct msg_account acct;
	const void *known = NULL;
	const char *user = NULL;
	int r;

	if ((r = session_get_user(pamh, &user)) != PAM_SUCCESS)
		return r;
	if (flags & PAM_PRELIM_CHECK) {
		if (ask_status(pamh, args, user, lang, &acct) != 0 ||
		    !acct.known)
			return PAM_IGNORE;
		r = pam_set_data(pamh, DATA_KNOWN, (void *)DATA_KNOWN, NULL);
		return r == PAM_SUCCESS ? PAM_SUCCESS : PAM_SERVICE_ERR;
	}
	if (!(flags & PAM_UPDATE_AUTHTOK))
		return PAM_IGNORE;
	if (pam_get_data(pamh, DATA_KNOWN, &known) != PAM_SUCCESS ||
	    known == NULL)
		return hand_on(pamh, args);
	return update(pamh, args, user, lang);
}
