/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * text.c: reason codes from the daemon as sentences a person can act on.
 * None of them says whether an account exists.
 */
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "text.h"

#ifndef LOCALEDIR
#define LOCALEDIR "/usr/share/locale"
#endif

static int
is_c_locale(const char *l)
{
	return l == NULL || *l == '\0' || strcmp(l, "C") == 0 ||
	    strcmp(l, "POSIX") == 0;
}

/*
 * Chooses the language of this call: LANG in the PAM environment (put
 * there by the application), else the program's own locale (login and su
 * call setlocale), else the lang= argument (sshd calls no setlocale, and
 * learns the client's locale only after authentication).  Only its tag,
 * for the daemon: nothing is switched until there is something to say
 * (text_switch), which on most logins is never.
 */
void
text_choose(struct text_lang *t, const char *pam_lang, const char *fallback)
{
	const char *cur = setlocale(LC_MESSAGES, NULL), *want;

	t->loc = (locale_t)0;
	t->prev = (locale_t)0;
	t->ready = 0;
	if (!is_c_locale(pam_lang) && args_locale_ok(pam_lang))
		want = pam_lang;
	else if (!is_c_locale(cur) && args_locale_ok(cur))
		want = cur;
	else if (!is_c_locale(fallback))
		want = fallback;
	else
		want = "";
	snprintf(t->tag, sizeof(t->tag), "%s", want);
}

/*
 * Before the first sentence: the message catalogue, and a language other
 * than the program's switched to for this thread only, with uselocale,
 * until text_end (a module must not change its host's locale).  LC_CTYPE
 * comes along so that gettext writes the language's own charset.
 */
void
text_switch(struct text_lang *t)
{
	const char *cur = setlocale(LC_MESSAGES, NULL);
	locale_t base;

	if (t->ready)
		return;
	t->ready = 1;
	bindtextdomain(SSPR_TEXTDOMAIN, LOCALEDIR);
	if (t->tag[0] == '\0' || (cur != NULL && strcmp(t->tag, cur) == 0))
		return;
	if ((base = duplocale(LC_GLOBAL_LOCALE)) == (locale_t)0)
		return;
	t->loc = newlocale(LC_MESSAGES_MASK | LC_CTYPE_MASK, t->tag, base);
	if (t->loc == (locale_t)0) {
		/* not installed here: the sentences stay in English */
		freelocale(base);
		return;
	}
	t->prev = uselocale(t->loc);
}

void
text_end(struct text_lang *t)
{
	if (t->loc == (locale_t)0)
		return;
	uselocale(t->prev);
	freelocale(t->loc);
	t->loc = (locale_t)0;
}

const char *
text_reason(int reason)
{
	switch (reason) {
	case SSPR_R_UNAVAILABLE:
		return _("The directory cannot be reached right now, so your "
		    "password cannot be reset. Please try again later.");
	case SSPR_R_SEND_FAILED:
		return _("The verification code could not be sent. Please try "
		    "again later.");
	case SSPR_R_EXPIRED:
		return _("The verification code has expired. Start again to "
		    "get a new code.");
	case SSPR_R_TOO_MANY:
		return _("Too many wrong answers. If no code arrived, check "
		    "the user name you entered.");
	case SSPR_R_TIMEOUT:
		return _("The password reset took too long and was stopped. "
		    "Please start again.");
	case SSPR_R_BUSY:
		return _("The password reset service is busy. Please try "
		    "again in a moment.");
	case SSPR_R_THROTTLED:
		return _("Too many password reset attempts from here. Please "
		    "wait a while and try again.");
	case SSPR_R_NOT_ALLOWED:
		return _("Password reset is not available from this "
		    "program.");
	case SSPR_R_DISABLED:
		return _("That option is not available.");
	case SSPR_R_NOT_HERE:
		return _("Your account recovery methods cannot be registered "
		    "or changed from here. Please sign in where your "
		    "organisation allows it, for example at a console on "
		    "site, to do so.");
	case SSPR_R_BAD_PASSWORD:
		return _("Your current password is not right, so your "
		    "password was not changed.");
	case SSPR_R_WRITE_FAILED:
		return _("Your new password could not be saved.");
	case SSPR_R_OUTCOME_UNKNOWN:
		return _("The directory did not confirm the change: your "
		    "password may have been changed. Try the new password; if "
		    "it is not accepted, try the old one.");
	case SSPR_R_POLICY_TOO_SHORT:
		return _("That password is too short.");
	case SSPR_R_POLICY_TOO_LONG:
		return _("That password is too long.");
	case SSPR_R_POLICY_HISTORY:
		return _("You have used that password before. Choose one you "
		    "have not used recently.");
	case SSPR_R_POLICY_QUALITY:
		return _("That password is too easy to guess. Choose a longer "
		    "or less common one.");
	case SSPR_R_POLICY_TOO_YOUNG:
		return _("The password was changed too recently to be changed "
		    "again now.");
	case SSPR_R_POLICY_INVALID:
		return _("A password cannot be empty or contain control "
		    "characters.");
	case SSPR_R_POLICY_DOMAIN:
		return _("That password does not meet the domain's rules "
		    "(length, complexity or password history). Choose a "
		    "different one.");
	case SSPR_R_POLICY_CLASSES:
		return _("That password needs more kinds of characters "
		    "(upper and lower case letters, digits, symbols).");
	case SSPR_R_POLICY_DICTIONARY:
		return _("That password is based on a dictionary word.");
	case SSPR_R_POLICY_PERSONAL:
		return _("That password contains your user name or other "
		    "personal information.");
	case SSPR_R_POLICY_BANNED:
		return _("That password contains a word that is not allowed "
		    "here.");
	case SSPR_R_POLICY_SIMPLE:
		return _("That password is too simple: it repeats characters "
		    "or follows a sequence.");
	case SSPR_R_POLICY_OTHER:
		return _("The directory did not accept that password.");
	default:
		return _("Password reset is unavailable right now.");
	}
}
