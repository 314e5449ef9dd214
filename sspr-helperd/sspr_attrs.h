/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sspr_attrs.h: the names of ldap-schema/'s attributes and class, the
 * only place the daemon spells them.  The flow and its jobs never name
 * them: they ask the directory back end (dirstore.h) in their own terms
 * (counters, a method stored, a TOTP step swapped); the LDAP side
 * (dir_store.c, dir_report.c, dir_probe.c) uses these.
 */
#ifndef SSPR_ATTRS_H
#define SSPR_ATTRS_H

#define SA_ACCOUNT		"ssprAccount"	/* the auxiliary class */
/* the throttle counters ([throttle] store = directory) */
#define SA_CODE_SENT		"ssprCodeSent"
#define SA_CODE_FAILURE		"ssprCodeFailure"
#define SA_BLOCKED_UNTIL	"ssprBlockedUntil"
/* the registered recovery methods */
#define SA_RECOVERY_MAIL	"ssprRecoveryMail"
#define SA_RECOVERY_PHONE	"ssprRecoveryPhone"
#define SA_TOTP_SECRET		"ssprTotpSecret"
#define SA_TOTP_LAST_STEP	"ssprTotpLastStep"
#define SA_QUESTION_ANSWER	"ssprQuestionAnswer"
#define SA_REGISTERED_TIME	"ssprRegisteredTime"
#define SA_REGISTRATION_SKIPS	"ssprRegistrationSkips"
#define SA_RECOVERY_CODE	"ssprRecoveryCode"	/* one per code left */
/* the helpdesk's one-time pass (pass.h), issued by ssprctl pass */
#define SA_HELPDESK_PASS	"ssprHelpdeskPass"

/* What a lookup reads, whatever the directory. */
#define DIR_SSPR_ATTRS	SA_CODE_SENT, SA_CODE_FAILURE, SA_BLOCKED_UNTIL, \
	SA_RECOVERY_MAIL, SA_RECOVERY_PHONE, SA_TOTP_SECRET, \
	SA_TOTP_LAST_STEP, SA_QUESTION_ANSWER, SA_REGISTERED_TIME, \
	SA_REGISTRATION_SKIPS, SA_RECOVERY_CODE, SA_HELPDESK_PASS

#endif
