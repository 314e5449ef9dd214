/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conv.c: one prompt per conversation call (sshd's keyboard-interactive
 * relays them one by one), and every odd answer (an error, a NULL
 * response, an over-long answer) is a failure, never an empty success.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_ext.h>

#include "conv.h"
#include "text.h"

/* pam_prompt by way of pam_vprompt, which conv_info needs anyway. */
static int __attribute__((format(printf, 4, 5)))
ask(pam_handle_t *pamh, int style, char **resp, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = pam_vprompt(pamh, style, resp, fmt, ap);
	va_end(ap);
	return r;
}

/*
 * Asks one question (style PAM_PROMPT_ECHO_ON or _OFF).  Returns
 * PAM_SUCCESS with the answer in out, or PAM_CONV_ERR.
 */
int
conv_ask(pam_handle_t *pamh, int style, const char *prompt, struct secret *out)
{
	char *resp = NULL;
	size_t n;
	int r;

	secret_wipe(out);
	r = ask(pamh, style, &resp, "%s", prompt);
	if (r != PAM_SUCCESS || resp == NULL) {
		free(resp);
		return PAM_CONV_ERR;
	}
	n = strlen(resp);
	r = secret_set(out, resp, n) == 0 ? PAM_SUCCESS : PAM_CONV_ERR;
	explicit_bzero(resp, n);
	free(resp);
	return r;
}

/*
 * A new password, typed twice.  PAM_SUCCESS with pw->len == 0: the person
 * left it empty (cancels); PAM_TRY_AGAIN: the two differ (said so).
 */
int
conv_new_password(pam_handle_t *pamh, struct secret *pw)
{
	struct secret again;
	int r;

	if ((r = conv_ask(pamh, PAM_PROMPT_ECHO_OFF, _("New password: "),
	    pw)) != PAM_SUCCESS || pw->len == 0)
		return r;
	if ((r = conv_ask(pamh, PAM_PROMPT_ECHO_OFF, _("Retype new password: "),
	    &again)) != PAM_SUCCESS) {
		secret_wipe(pw);
		return r;
	}
	r = secret_equal(pw, &again);
	secret_wipe(&again);
	if (r)
		return PAM_SUCCESS;
	secret_wipe(pw);
	conv_error(pamh, "%s", _("The passwords do not match."));
	return PAM_TRY_AGAIN;
}

/*
 * Text that is itself a secret (a new authenticator app's secret and its
 * QR code), shown as it is: straight to the application's conversation,
 * so that no copy is left unwiped in the buffers libpam formats into.
 */
void
conv_show_secret(pam_handle_t *pamh, const char *text)
{
	struct pam_message m = { .msg_style = PAM_TEXT_INFO, .msg = text };
	const struct pam_message *mp = &m;
	struct pam_response *resp = NULL;
	const struct pam_conv *conv = NULL;

	if (pam_get_item(pamh, PAM_CONV, (const void **)&conv) != PAM_SUCCESS ||
	    conv == NULL || conv->conv == NULL)
		return;
	(void)conv->conv(1, &mp, &resp, conv->appdata_ptr);
	if (resp != NULL) {
		if (resp->resp != NULL) {
			explicit_bzero(resp->resp, strlen(resp->resp));
			free(resp->resp);
		}
		free(resp);
	}
}

/* Shown whole: libpam formats it (no buffer of ours to cut a QR code). */
void
conv_info(pam_handle_t *pamh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)pam_vinfo(pamh, fmt, ap);
	va_end(ap);
}

void
conv_error(pam_handle_t *pamh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)pam_verror(pamh, fmt, ap);
	va_end(ap);
}
