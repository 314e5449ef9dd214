/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conv.c: one prompt per conversation call (sshd's keyboard-interactive
 * relays them one by one), and every odd answer (an error, a NULL
 * response, an over-long answer) is a failure, never an empty success.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_ext.h>

#include "conv.h"

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
	r = pam_prompt(pamh, style, &resp, "%s", prompt);
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

static void
say(pam_handle_t *pamh, int style, const char *fmt, va_list ap)
{
	char text[1024];

	vsnprintf(text, sizeof(text), fmt, ap);
	if (style == PAM_ERROR_MSG)
		pam_error(pamh, "%s", text);
	else
		pam_info(pamh, "%s", text);
}

void
conv_info(pam_handle_t *pamh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(pamh, PAM_TEXT_INFO, fmt, ap);
	va_end(ap);
}

void
conv_error(pam_handle_t *pamh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(pamh, PAM_ERROR_MSG, fmt, ap);
	va_end(ap);
}
