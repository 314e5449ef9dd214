/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pam_sspr.c: the PAM entry points.  The module only converses: it asks
 * the person, relays the answers to sspr-helperd and shows what comes
 * back.  It holds no directory or mail credentials, computes nothing
 * secret and keeps no state between calls.
 *
 *   auth      the password prompt; an empty answer opens the reset path
 *             (recover.c).  A typed password goes to the next module as
 *             PAM_AUTHTOK without any daemon round trip.
 *   account   one STATUS round trip: must this directory account change
 *             its password now?  (change.c)
 *   password  a change with the old password, done by the daemon as the
 *             user (change.c).
 */
#include <stdio.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "args.h"
#include "change.h"
#include "conv.h"
#include "recover.h"
#include "session.h"
#include "text.h"

/*
 * The password prompt; an empty answer (or reset_only, on a kiosk) opens
 * the reset path.
 */
static int
authenticate(pam_handle_t *pamh, const struct sspr_args *args,
    struct text_lang *lang)
{
	struct secret pw = { 0 };
	const void *tok = NULL;
	const char *user = NULL;
	int r;

	if ((r = session_get_user(pamh, &user)) != PAM_SUCCESS)
		return r;
	/* a module before us already asked: not our business */
	if (!args->reset_only && pam_get_item(pamh, PAM_AUTHTOK, &tok) ==
	    PAM_SUCCESS && tok != NULL)
		return PAM_IGNORE;
	text_switch(lang);
	if (args->reset_only)
		return recover(pamh, args, user, lang->tag);
	r = conv_ask(pamh, PAM_PROMPT_ECHO_OFF, _("Password (press Enter if "
	    "you can't access your account): "), &pw);
	if (r != PAM_SUCCESS)
		return r;
	if (pw.len > 0) {
		r = pam_set_item(pamh, PAM_AUTHTOK, secret_str(&pw));
		secret_wipe(&pw);
		return r == PAM_SUCCESS ? PAM_IGNORE : r;
	}
	return recover(pamh, args, user, lang->tag);
}

/*
 * What every entry point does first: its arguments and the language
 * (chosen, not yet switched to: text_switch before the first sentence).
 */
static void
begin(pam_handle_t *pamh, int argc, const char **argv,
    struct sspr_args *args, struct text_lang *lang)
{
	args_parse(args, argc, argv);
	if (args->bad != NULL)
		pam_syslog(pamh, LOG_ERR, "unknown or malformed argument '%s': "
		    "the daemon's services are switched off", args->bad);
	text_choose(lang, pam_getenv(pamh, "LANG"), args->lang);
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct sspr_args args;
	struct text_lang lang;
	int r;

	(void)flags;
	begin(pamh, argc, argv, &args, &lang);
	r = authenticate(pamh, &args, &lang);
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

PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct sspr_args args;
	struct text_lang lang;
	int r;

	(void)flags;
	begin(pamh, argc, argv, &args, &lang);
	r = change_account(pamh, &args, &lang);
	text_end(&lang);
	return r;
}

PAM_EXTERN int
pam_sm_chauthtok(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct sspr_args args;
	struct text_lang lang;
	int r;

	begin(pamh, argc, argv, &args, &lang);
	text_switch(&lang);
	r = change_password(pamh, flags, &args, lang.tag);
	text_end(&lang);
	return r;
}
