/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * method_totp.c: a code from an authenticator app (RFC 6238).  At a
 * registration a new secret is shown (a QR code, base32, the URI) and one
 * right code from the app stores it sealed with the [totp] keys
 * (ssprTotpSecret) with the step it matched (ssprTotpLastStep); at a
 * reset the code is checked on a worker, each step usable once on any
 * host (W_TOTP_CHECK).  Loop thread only (the check runs on a worker).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "method.h"
#include "qr.h"
#include "timer.h"
#include "totp.h"

static int
totp_enabled(const struct cfg *c)
{
	return cfg_method(c, "totp") && c->totp_keys != NULL;
}

static int
totp_usable(const struct cfg *c, const struct account *a)
{
	(void)c;
	return a->totp != NULL;
}

static int
totp_shown(const struct cfg *c, const struct account *a,
    struct msg_methods *mm)
{
	(void)c;
	(void)mm;
	return a->totp != NULL;
}

/* The QR code's lines as INFO, each wiped once sent. */
static void
show_qr(struct flow *f, const char *uri)
{
	char err[256], *qr, *p, *nl;
	int cols, rows;

	if ((qr = qr_render(uri, 0, &cols, &rows, err, sizeof(err))) == NULL)
		flog(f, LOG_WARNING, "no QR code: %s", err);
	for (p = qr; p != NULL && *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
		flow_info(f, p);
	}
	if (qr != NULL) {
		explicit_bzero(qr, strlen(qr));
		free(qr);
	}
}

/* A new secret: the QR code, the secret and the URI; one code proves it. */
static int
totp_enrol_ask(struct flow *f, struct msg *m)
{
	char uri[512], b32[TOTP_BASE32_MAX], line[64];
	int r = -1;

	if (totp_secret_new(&f->reg_secret) != 0 ||
	    totp_base32(&f->reg_secret, b32, sizeof(b32)) != 0 ||
	    totp_uri(&f->reg_secret, f->cfg->totp_issuer, f->user, uri,
	    sizeof(uri)) != 0)
		goto out;
	show_qr(f, uri);
	snprintf(line, sizeof(line), "Secret: %s", b32);
	flow_info(f, line);
	flow_info(f, uri);
	f->issued = now_ms();
	f->attempts_left = f->cfg->code_max_attempts;
	f->send = SEND_NONE;
	m->u.challenge.answer_len = TOTP_DIGITS;
	r = 0;
out:
	explicit_bzero(uri, sizeof(uri));
	explicit_bzero(b32, sizeof(b32));
	explicit_bzero(line, sizeof(line));
	return r;
}

static enum enrol_outcome
totp_enrol_answer(struct flow *f, const struct secret *typed)
{
	int64_t step;

	if (totp_verify(&f->reg_secret, typed, time(NULL), f->cfg->totp_window,
	    -1, &step) != TOTP_OK)
		return ENROL_WRONG;
	f->reg_step = step;
	return ENROL_DONE;
}

static void
totp_remember(struct flow *f)
{
	secret_wipe(&f->reg_secret);
	free(f->acct.totp);
	f->acct.totp = strdup("sealed");
}

const struct method method_totp = {
	.id = SSPR_METHOD_TOTP,
	.name = "totp",
	.action = SSPR_ACT_TOTP,
	.reg_bit = SSPR_REG_TOTP,
	.channel = CH_NONE,
	.for_admins = 1,
	.noun = "code",
	.enabled = totp_enabled,
	.usable = totp_usable,
	.shown = totp_shown,
	.remember = totp_remember,
	.check = W_TOTP_CHECK,
	.check_job = reset_totp_work,
	.answer_len = TOTP_DIGITS,
	.enrol_ask = totp_enrol_ask,
	.enrol_answer = totp_enrol_answer,
};
