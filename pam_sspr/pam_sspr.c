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
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

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
 * The config file into args->text, if it may be trusted: a regular file
 * of root's that nobody else may write, of bounded size (as pam_faillock
 * and pam_u2f check theirs).  0: read, or the default file is absent
 * (no settings); -1: refused or unreadable, logged.
 */
static int
read_conf(pam_handle_t *pamh, struct sspr_args *args)
{
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd, r = -1;

	fd = open(args->conf, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && !args->conf_given)
			return 0;
		pam_syslog(pamh, LOG_ERR, "cannot open %s: %m", args->conf);
		return -1;
	}
	/* fstatat serves as fstat: one import less (Makefile, MOD_LDFLAGS) */
	if (fstatat(fd, "", &st, AT_EMPTY_PATH) != 0 || !S_ISREG(st.st_mode))
		pam_syslog(pamh, LOG_ERR, "%s: not a regular file", args->conf);
	else if (st.st_uid != 0)
		pam_syslog(pamh, LOG_ERR, "%s: refused: owned by uid %u, not "
		    "root", args->conf, (unsigned)st.st_uid);
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		pam_syslog(pamh, LOG_ERR, "%s: refused: writable by group or "
		    "others (mode %03o)", args->conf,
		    (unsigned)st.st_mode & 0777);
	else
		r = 0;
	/* one byte more than allowed tells an over-long file */
	while (r == 0 && len <= SSPR_CONF_MAX) {
		n = read(fd, args->text + len, SSPR_CONF_MAX + 1 - len);
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pam_syslog(pamh, LOG_ERR, "%s: %m", args->conf);
			r = -1;
		} else if ((len += (size_t)n) > SSPR_CONF_MAX) {
			pam_syslog(pamh, LOG_ERR, "%s: refused: larger than "
			    "%d bytes", args->conf, SSPR_CONF_MAX);
			r = -1;
		}
	}
	close(fd);
	args->text[r == 0 ? len : 0] = '\0';
	if (r == 0 && memchr(args->text, '\0', len) != NULL) {
		pam_syslog(pamh, LOG_ERR, "%s: refused: a NUL byte", args->conf);
		r = -1;
	}
	return r;
}

/*
 * What every entry point does first: its settings (the config file, then
 * the module line, which wins) and the language (chosen, not yet switched
 * to: text_switch before the first sentence).  Whatever is wrong with
 * either switches the daemon's paths off, never the typed password.
 */
static void
begin(pam_handle_t *pamh, int argc, const char **argv,
    struct sspr_args *args, struct text_lang *lang)
{
	const void *service = NULL;

	args_init(args, argc, argv);
	(void)pam_get_item(pamh, PAM_SERVICE, &service);
	if (read_conf(pamh, args) != 0)
		args->bad = args->conf;
	else if (args_conf(args, service) != 0)
		pam_syslog(pamh, LOG_ERR, "%s:%d: unknown or malformed setting "
		    "'%s': the daemon's services are switched off", args->conf,
		    args->bad_line, args->bad);
	args_argv(args, argc, argv);
	if (args->bad != NULL && args->bad_line == 0 && args->bad != args->conf)
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
