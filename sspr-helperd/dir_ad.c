/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dir_ad.c: Active Directory (and Samba AD).  A reset is ONE modify that
 * replaces unicodePwd (MS-ADTS 3.1.1.3.1.5.1: the password in double
 * quotes, UTF-16LE) and, in the same atomic operation, clears a lockout
 * and the must-change flag when configured.  AD refuses unicodePwd on an
 * unencrypted connection, and so do we: dir.c only binds over TLS.
 */
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>

#include "dir_ldap.h"
#include "log.h"

#define UF_ACCOUNTDISABLE	0x00000002
#define UF_LOCKOUT		0x00000010	/* msDS-User-Account-Control-Computed */
#define UF_PASSWORD_EXPIRED	0x00800000	/* msDS-User-Account-Control-Computed */
#define IN_CHAIN		"1.2.840.113556.1.4.1941"

/*
 * The unicodePwd value: '"' password '"' as UTF-16LE, no BOM, no NUL.
 * Characters outside the BMP become surrogate pairs, as AD expects.
 * out must hold 2 * (pw->len + 2) bytes.  Returns the length or -1.
 */
int
ad_encode_password(const struct secret *pw, unsigned char *out, size_t size)
{
	char in[SSPR_SECRET_MAX + 2], *ip = in, *op = (char *)out;
	size_t inleft = pw->len + 2, outleft = size;
	iconv_t cd;
	int r = -1;

	if (pw->len > SSPR_SECRET_MAX || size < 2 * (pw->len + 2))
		return -1;
	in[0] = '"';
	memcpy(in + 1, pw->buf, pw->len);
	in[pw->len + 1] = '"';
	if ((cd = iconv_open("UTF-16LE", "UTF-8")) == (iconv_t)-1)
		goto out;
	if (iconv(cd, &ip, &inleft, &op, &outleft) != (size_t)-1 &&
	    inleft == 0)
		r = (int)(size - outleft);
	iconv_close(cd);
out:
	explicit_bzero(in, sizeof(in));
	return r;
}

/*
 * AD puts a Win32 error in hex at the start of the diagnostic message
 * ("0000052D: Constraint violation - check_password_restrictions: ...").
 * 0x52D (ERROR_PASSWORD_RESTRICTION) is a policy refusal the person can
 * fix by choosing another password; Samba says which rule in words,
 * Windows does not.  Everything else is a configuration problem.
 * Returns a DIR_* status and sets *reason for DIR_POLICY.
 */
int
ad_classify(const char *diag, int *reason)
{
	unsigned long code;
	char *end;

	*reason = 0;
	if (diag == NULL)
		return DIR_REFUSED;
	code = strtoul(diag, &end, 16);
	if (end != diag + 8 || *end != ':')
		return DIR_REFUSED;
	if (code != 0x52d)
		return DIR_REFUSED;
	if (strstr(diag, "too short") != NULL)
		*reason = SSPR_R_POLICY_TOO_SHORT;
	else if (strstr(diag, "too long") != NULL)
		*reason = SSPR_R_POLICY_TOO_LONG;
	else if (strstr(diag, "history") != NULL)
		*reason = SSPR_R_POLICY_HISTORY;
	else if (strstr(diag, "complexity") != NULL)
		*reason = SSPR_R_POLICY_QUALITY;
	else if (strstr(diag, "too young") != NULL ||
	    strstr(diag, "minimum password age") != NULL)
		*reason = SSPR_R_POLICY_TOO_YOUNG;
	else
		*reason = SSPR_R_POLICY_DOMAIN;
	return DIR_POLICY;
}

/* Is dn in one of groups, nested groups included?  -1: cannot tell. */
static int
ad_member_of(struct dconn *dc, const char *dn, const char *user,
    const struct cfglist *groups)
{
	const struct cfg *c = dc->cfg;
	struct timeval tv = { c->dir_timeout, 0 };
	char filter[8192], *attrs[] = { "1.1", NULL };
	struct berval in, esc = { 0, NULL };
	LDAPMessage *msg = NULL;
	size_t len = 0;
	int i, n, rc, found;

	(void)user;
	if (groups->n == 0)
		return 0;
	len = (size_t)snprintf(filter, sizeof(filter), "(|");
	for (i = 0; i < groups->n; i++) {
		in.bv_val = groups->item[i];
		in.bv_len = strlen(in.bv_val);
		if (ldap_bv2escaped_filter_value(&in, &esc) != 0)
			return -1;
		n = snprintf(filter + len, sizeof(filter) - len,
		    "(memberOf:" IN_CHAIN ":=%s)", esc.bv_val);
		ber_memfree(esc.bv_val);
		if (n < 0 || (size_t)n >= sizeof(filter) - len)
			return -1;
		len += (size_t)n;
	}
	if (len + 2 > sizeof(filter))
		return -1;
	strcpy(filter + len, ")");
	rc = ldap_search_ext_s(dc->ld, dn, LDAP_SCOPE_BASE, filter, attrs, 0,
	    NULL, NULL, &tv, 1, &msg);
	found = rc == LDAP_SUCCESS ? ldap_count_entries(dc->ld, msg) > 0 : -1;
	ldap_msgfree(msg);
	return found;
}

static long
get_long(LDAP *ld, LDAPMessage *e, const char *attr)
{
	char *v = dir_get_one(ld, e, attr, NULL);
	long n = v ? strtol(v, NULL, 10) : 0;

	free(v);
	return n;
}

static const char *const ad_attrs[] = { "userAccountControl", "adminCount",
    "msDS-User-Account-Control-Computed", NULL };
static const char *const ad_names[] = { "sAMAccountName",
    "userPrincipalName", "uid", NULL };

/* Disabled, protected, locked out, must change (pwdLastSet, read already). */
static void
ad_read_entry(struct dconn *dc, LDAPMessage *e, struct account *acct)
{
	long computed;

	acct->disabled = (get_long(dc->ld, e, "userAccountControl") &
	    UF_ACCOUNTDISABLE) != 0;
	/* AdminSDHolder-protected accounts are never reset by mail */
	acct->excluded = get_long(dc->ld, e, "adminCount") != 0;
	/* lockoutTime may stay set after the lockout expired: ask AD */
	computed = get_long(dc->ld, e, "msDS-User-Account-Control-Computed");
	acct->locked = (computed & UF_LOCKOUT) != 0;
	acct->must_change = (acct->changed != NULL &&
	    strcmp(acct->changed, "0") == 0) ||
	    (computed & UF_PASSWORD_EXPIRED) != 0;
}

/* One modify; returns the LDAP result code, the diagnostic in *diag. */
static int
modify(struct dconn *dc, const char *dn, LDAPMod **mods, LDAPControl **ctrls,
    char **diag)
{
	struct timeval tv = { dc->cfg->dir_timeout, 0 };
	LDAPMessage *msg = NULL;
	int msgid, rc, err = LDAP_OTHER;

	*diag = NULL;
	rc = ldap_modify_ext(dc->ld, dn, mods, ctrls, NULL, &msgid);
	if (rc != LDAP_SUCCESS)
		return dconn_lost(rc) ? LDAP_SERVER_DOWN : rc;
	if (ldap_result(dc->ld, msgid, LDAP_MSG_ALL, &tv, &msg) <= 0) {
		ldap_msgfree(msg);
		return LDAP_SERVER_DOWN;
	}
	if (ldap_parse_result(dc->ld, msg, &err, NULL, diag, NULL, NULL, 1) !=
	    LDAP_SUCCESS)
		err = LDAP_OTHER;
	return err;
}

/*
 * LDAP_SERVER_POLICY_HINTS: PolicyHintsRequestValue ::= SEQUENCE {
 * Flags INTEGER } with flag 1, "enforce password history on a set".
 */
static const char hints_value[] = { 0x30, 0x03, 0x02, 0x01, 0x01 };

static int
ad_set_password(struct dconn *dc, const struct account *acct,
    const struct secret *pw, struct dir_result *res)
{
	unsigned char enc[2 * (SSPR_SECRET_MAX + 2)];
	struct berval pwval, *pwvals[2] = { &pwval, NULL };
	char *zero[] = { "0", NULL }, *minus1[] = { "-1", NULL }, *diag = NULL;
	LDAPMod mpw = { LDAP_MOD_REPLACE | LDAP_MOD_BVALUES, "unicodePwd",
	    { .modv_bvals = pwvals } };
	LDAPMod mlock = { LDAP_MOD_REPLACE, "lockoutTime",
	    { .modv_strvals = zero } };
	LDAPMod mlast = { LDAP_MOD_REPLACE, "pwdLastSet",
	    { .modv_strvals = minus1 } };
	LDAPMod *mods[4];
	LDAPControl hints, *ctrls[2] = { NULL, NULL };
	const struct cfg *c = dc->cfg;
	int n, rc, nm = 0, status, reason;

	if ((n = ad_encode_password(pw, enc, sizeof(enc))) < 0) {
		explicit_bzero(enc, sizeof(enc));
		dir_result_set(res, DIR_POLICY, SSPR_R_POLICY_INVALID, NULL);
		return -1;
	}
	pwval.bv_val = (char *)enc;
	pwval.bv_len = (ber_len_t)n;
	mods[nm++] = &mpw;
	if (c->unlock_on_reset && acct->locked)
		mods[nm++] = &mlock;
	if (c->clear_must_change)
		mods[nm++] = &mlast;
	mods[nm] = NULL;
	if (c->enforce_history && dc->hints_oid != NULL) {
		hints.ldctl_oid = (char *)dc->hints_oid;
		hints.ldctl_value.bv_val = (char *)hints_value;
		hints.ldctl_value.bv_len = sizeof(hints_value);
		hints.ldctl_iscritical = 1;
		ctrls[0] = &hints;
	}
	rc = modify(dc, acct->dn, mods, ctrls, &diag);
	if (rc == LDAP_INSUFFICIENT_ACCESS && mods[nm - 1] == &mlast) {
		/*
		 * Without the right to unexpire, AD sets pwdLastSet to 0
		 * itself: the person must change the password at the next
		 * logon.  Better that than no reset: nothing was written.
		 */
		log_msg(LOG_WARNING, "%s: the service account may not write "
		    "pwdLastSet (Unexpire-Password right); the new password "
		    "must be changed at the next logon", acct->dn);
		ldap_memfree(diag);
		mods[nm - 1] = NULL;
		rc = modify(dc, acct->dn, mods, ctrls, &diag);
	}
	explicit_bzero(enc, sizeof(enc));
	if (rc == LDAP_SERVER_DOWN) {
		ldap_memfree(diag);
		return dir_write_outcome(dc, acct, "pwdLastSet", res);
	}
	if (rc == LDAP_SUCCESS) {
		dir_result_set(res, DIR_OK, 0, NULL);
	} else {
		status = ad_classify(diag, &reason);
		dir_result_set(res, status, reason, diag && *diag ? diag :
		    ldap_err2string(rc));
	}
	ldap_memfree(diag);
	return res->status == DIR_OK ? 0 : -1;
}

/*
 * A change by the user: one modify deleting the old unicodePwd and adding
 * the new (MS-ADTS: the change form, so AD checks the old password and
 * applies minimum age and history).  Bound as the user where AD lets the
 * user bind; a user who must change first (data 773) or whose password
 * expired (532) cannot bind, so the same modify goes over the service
 * connection: the old value in it is still the proof.
 */
static int
ad_change_password(struct dconn *dc, const struct account *acct,
    const struct secret *old, const struct secret *pw, struct dir_result *res)
{
	unsigned char eo[2 * (SSPR_SECRET_MAX + 2)], en[2 * (SSPR_SECRET_MAX + 2)];
	struct berval bo, bn, *vo[2] = { &bo, NULL }, *vn[2] = { &bn, NULL };
	LDAPMod del = { LDAP_MOD_DELETE | LDAP_MOD_BVALUES, "unicodePwd",
	    { .modv_bvals = vo } };
	LDAPMod add = { LDAP_MOD_ADD | LDAP_MOD_BVALUES, "unicodePwd",
	    { .modv_bvals = vn } };
	LDAPMod *mods[] = { &del, &add, NULL };
	LDAP *user_ld = NULL, *ld;
	char *diag = NULL;
	int no, nn, rc, status, reason, lost = 0;

	no = ad_encode_password(old, eo, sizeof(eo));
	nn = ad_encode_password(pw, en, sizeof(en));
	if (no < 0 || nn < 0) {
		dir_result_set(res, DIR_POLICY, SSPR_R_POLICY_INVALID, NULL);
		goto out;
	}
	bo.bv_val = (char *)eo;
	bo.bv_len = (ber_len_t)no;
	bn.bv_val = (char *)en;
	bn.bv_len = (ber_len_t)nn;
	rc = dconn_open_as(dc, acct->dn, old, &user_ld, &diag);
	if (rc == LDAP_INVALID_CREDENTIALS && diag != NULL &&
	    (strstr(diag, "data 773") != NULL ||
	    strstr(diag, "data 532") != NULL))
		rc = LDAP_SUCCESS;	/* must change / expired: see above */
	else if (rc != LDAP_SUCCESS) {
		dir_result_set(res, rc == LDAP_INVALID_CREDENTIALS ?
		    DIR_BAD_PASSWORD : dconn_lost(rc) ? DIR_UNAVAILABLE :
		    DIR_REFUSED, 0, ldap_err2string(rc));
		goto out;
	}
	ldap_memfree(diag);
	diag = NULL;
	ld = user_ld != NULL ? user_ld : dc->ld;
	rc = ldap_modify_ext_s(ld, acct->dn, mods, NULL, NULL);
	if (rc == LDAP_SUCCESS) {
		dir_result_set(res, DIR_OK, 0, NULL);
		goto out;
	}
	if (dconn_lost(rc)) {
		lost = 1;	/* sent, perhaps: see below */
		goto out;
	}
	ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	if (diag != NULL && strncmp(diag, "00000056", 8) == 0)
		dir_result_set(res, DIR_BAD_PASSWORD, 0, diag);
	else {
		status = ad_classify(diag, &reason);
		dir_result_set(res, status, reason, diag && *diag ? diag :
		    ldap_err2string(rc));
	}
out:
	ldap_memfree(diag);
	if (user_ld != NULL)
		ldap_unbind_ext_s(user_ld, NULL, NULL);
	explicit_bzero(eo, sizeof(eo));
	explicit_bzero(en, sizeof(en));
	/* the Modify may have been sent: only pwdLastSet can say */
	if (lost)
		return dir_write_outcome(dc, acct, "pwdLastSet", res);
	return res->status == DIR_OK ? 0 : -1;
}

static int
ad_unlock(struct dconn *dc, const struct account *acct,
    struct dir_result *res)
{
	char *zero[] = { "0", NULL }, *diag = NULL;
	LDAPMod mlock = { LDAP_MOD_REPLACE, "lockoutTime",
	    { .modv_strvals = zero } };
	LDAPMod *mods[] = { &mlock, NULL };
	int rc;

	res->unlocked = 0;
	if (!acct->locked) {
		dir_result_set(res, DIR_OK, 0, NULL);
		return 0;
	}
	rc = modify(dc, acct->dn, mods, NULL, &diag);
	if (rc == LDAP_SUCCESS)
		dir_result_set(res, DIR_OK, 0, NULL);
	else if (rc == LDAP_SERVER_DOWN) {
		/* the Modify may have been sent: lifted or not, nobody knows */
		dconn_drop(dc, 0);
		dir_result_set(res, DIR_UNKNOWN, 0, "no answer");
	} else
		dir_result_set(res, DIR_REFUSED, 0, diag && *diag ? diag :
		    ldap_err2string(rc));
	ldap_memfree(diag);
	res->unlocked = rc == LDAP_SUCCESS;
	return rc == LDAP_SUCCESS ? 0 : -1;
}

static const struct dir_ops ad_ops = {
	.name = "ad",
	.add_aux_class = 0,
	.entry_attrs = ad_attrs,
	.names = ad_names,
	.read_entry = ad_read_entry,
	.set_password = ad_set_password,
	.unlock = ad_unlock,
	.member_of = ad_member_of,
	.change_password = ad_change_password,
	.changed_attr = "pwdLastSet",
};

void
ad_dialect_init(void)
{
	dir_dialect_add(&ad_ops);
}
