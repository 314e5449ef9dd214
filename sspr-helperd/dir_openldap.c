/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dir_openldap.c: OpenLDAP with the ppolicy overlay.  The password is set
 * with the RFC 3062 Password Modify extended operation by the service
 * account, in clear text over TLS, so that slapd hashes it and applies
 * its password policy (quality, length, history) itself; ppolicy also
 * lifts a lock set by failed logins and clears pwdReset on that change.
 */
#include <stdlib.h>
#include <string.h>

#include "dir_ldap.h"
#include "log.h"

/* draft-behera: pwdAccountLockedTime of an administrator's lock. */
#define PERMANENT_LOCK	"000001010000Z"

/*
 * Is the entry (dn, user ID user) a member of one of groups?  Groups are
 * groupOfNames, groupOfUniqueNames or posixGroup (not nested: OpenLDAP has
 * no in-chain matching rule).  -1 if we cannot tell.
 */
static int
openldap_member_of(struct dconn *dc, const char *dn, const char *user,
    const struct cfglist *groups)
{
	const struct cfg *c = dc->cfg;
	struct berval in, edn = { 0, NULL }, euser = { 0, NULL };
	struct timeval tv = { c->dir_timeout, 0 };
	char filter[4096], *attrs[] = { "1.1", NULL };
	LDAPMessage *msg;
	int i, rc, n, found = 0;

	if (groups->n == 0)
		return 0;
	in.bv_val = (char *)dn;
	in.bv_len = strlen(dn);
	if (ldap_bv2escaped_filter_value(&in, &edn) != 0)
		return -1;
	in.bv_val = (char *)user;
	in.bv_len = strlen(user);
	if (ldap_bv2escaped_filter_value(&in, &euser) != 0) {
		ber_memfree(edn.bv_val);
		return -1;
	}
	n = snprintf(filter, sizeof(filter), "(|(member=%s)(uniqueMember=%s)"
	    "(memberUid=%s))", edn.bv_val, edn.bv_val, euser.bv_val);
	ber_memfree(edn.bv_val);
	ber_memfree(euser.bv_val);
	if (n < 0 || (size_t)n >= sizeof(filter))
		return -1;
	for (i = 0; i < groups->n && !found; i++) {
		msg = NULL;
		rc = ldap_search_ext_s(dc->ld, groups->item[i], LDAP_SCOPE_BASE,
		    filter, attrs, 0, NULL, NULL, &tv, 1, &msg);
		if (rc == LDAP_SUCCESS)
			found = ldap_count_entries(dc->ld, msg) > 0;
		ldap_msgfree(msg);
		if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT) {
			log_msg(LOG_WARNING, "group %s: %s", groups->item[i],
			    ldap_err2string(rc));
			return -1;
		}
	}
	return found;
}

static const char *const openldap_attrs[] = { "pwdAccountLockedTime",
    "pwdReset", NULL };
static const char *const openldap_names[] = { "uid", NULL };

/* ppolicy's lock (an administrator's, or by failed logins), pwdReset. */
static void
openldap_read_entry(struct dconn *dc, LDAPMessage *e, struct account *acct)
{
	char *v;

	if ((v = dir_get_one(dc->ld, e, "pwdAccountLockedTime", NULL))) {
		acct->admin_locked = strcmp(v, PERMANENT_LOCK) == 0;
		acct->locked = !acct->admin_locked;
		acct->lock = v;
	}
	if ((v = dir_get_one(dc->ld, e, "pwdReset", NULL))) {
		acct->must_change = strcmp(v, "TRUE") == 0;
		free(v);
	}
}

/* ppolicy's error -> what the user is told (draft-behera 8.2.2). */
static int
policy_reason(LDAPPasswordPolicyError pperr)
{
	switch (pperr) {
	case PP_passwordTooShort:		return SSPR_R_POLICY_TOO_SHORT;
	case PP_passwordTooLong:		return SSPR_R_POLICY_TOO_LONG;
	case PP_passwordInHistory:		return SSPR_R_POLICY_HISTORY;
	case PP_insufficientPasswordQuality:	return SSPR_R_POLICY_QUALITY;
	case PP_passwordTooYoung:		return SSPR_R_POLICY_TOO_YOUNG;
	default:				return 0;
	}
}

static void
parse_write_result(LDAP *ld, LDAPMessage *msg, struct dir_result *res)
{
	LDAPPasswordPolicyError pperr = PP_noError;
	LDAPControl **ctrls = NULL, *pp;
	char *text = NULL;
	int err = LDAP_OTHER, expire, grace;

	if (ldap_parse_result(ld, msg, &err, NULL, &text, NULL, &ctrls, 0) !=
	    LDAP_SUCCESS)
		err = LDAP_OTHER;
	pp = ldap_control_find(LDAP_CONTROL_PASSWORDPOLICYRESPONSE, ctrls,
	    NULL);
	if (pp != NULL)
		ldap_parse_passwordpolicy_control(ld, pp, &expire, &grace,
		    &pperr);
	/* RFC 3062 success with a ppolicy error is still a failure. */
	if (err == LDAP_SUCCESS && pperr == PP_noError)
		dir_result_set(res, DIR_OK, 0, NULL);
	else if (policy_reason(pperr) != 0)
		dir_result_set(res, DIR_POLICY, policy_reason(pperr), text);
	else if (err == LDAP_CONSTRAINT_VIOLATION)
		dir_result_set(res, DIR_POLICY, SSPR_R_POLICY_OTHER, text);
	else
		dir_result_set(res, DIR_REFUSED, 0, text && *text ? text :
		    ldap_err2string(err));
	ldap_memfree(text);
	ldap_controls_free(ctrls);
}

static int
openldap_set_password(struct dconn *dc, const struct account *acct,
    const struct secret *pw, struct dir_result *res)
{
	struct timeval tv = { dc->cfg->dir_timeout, 0 };
	struct berval user = { strlen(acct->dn), acct->dn };
	struct berval newpw = { pw->len, (char *)pw->buf };
	LDAPControl *ppreq = NULL, *sctrls[2] = { NULL, NULL };
	LDAPMessage *msg = NULL;
	int msgid = -1, rc;

	if (ldap_create_passwordpolicy_control(dc->ld, &ppreq) != LDAP_SUCCESS) {
		dir_result_set(res, DIR_INTERNAL, 0, "out of memory");
		return -1;
	}
	sctrls[0] = ppreq;
	rc = ldap_passwd(dc->ld, &user, NULL, &newpw, sctrls, NULL, &msgid);
	if (rc == LDAP_SUCCESS)
		rc = ldap_result(dc->ld, msgid, LDAP_MSG_ALL, &tv, &msg) > 0 ?
		    LDAP_SUCCESS : LDAP_SERVER_DOWN;
	ldap_control_free(ppreq);
	if (rc == LDAP_SUCCESS) {
		parse_write_result(dc->ld, msg, res);
		ldap_msgfree(msg);
		return res->status == DIR_OK ? 0 : -1;
	}
	ldap_msgfree(msg);
	return dir_write_outcome(dc, acct, "pwdChangedTime", res);
}

/*
 * A change by the user: bound as the user with the old password, then
 * Password Modify with the old password too, so that slapd applies what
 * it applies to a user's own change (pwdMinAge, pwdSafeModify, history).
 */
static int
openldap_change_password(struct dconn *dc, const struct account *acct,
    const struct secret *old, const struct secret *pw, struct dir_result *res)
{
	struct timeval tv = { dc->cfg->dir_timeout, 0 };
	struct berval user = { strlen(acct->dn), acct->dn };
	struct berval oldpw = { old->len, (char *)old->buf };
	struct berval newpw = { pw->len, (char *)pw->buf };
	LDAPControl *ppreq = NULL, *sctrls[2] = { NULL, NULL };
	LDAPMessage *msg = NULL;
	char *diag = NULL;
	LDAP *ld = NULL;
	int msgid = -1, rc, lost = 0;

	rc = dconn_open_as(dc, acct->dn, old, &ld, &diag);
	ldap_memfree(diag);
	if (rc != LDAP_SUCCESS) {
		dir_result_set(res, rc == LDAP_INVALID_CREDENTIALS ?
		    DIR_BAD_PASSWORD : dconn_lost(rc) ? DIR_UNAVAILABLE :
		    DIR_REFUSED, 0, ldap_err2string(rc));
		return -1;
	}
	if (ldap_create_passwordpolicy_control(ld, &ppreq) != LDAP_SUCCESS) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		dir_result_set(res, DIR_INTERNAL, 0, "out of memory");
		return -1;
	}
	sctrls[0] = ppreq;
	rc = ldap_passwd(ld, &user, &oldpw, &newpw, sctrls, NULL, &msgid);
	if (rc == LDAP_SUCCESS && ldap_result(ld, msgid, LDAP_MSG_ALL, &tv,
	    &msg) > 0)
		parse_write_result(ld, msg, res);
	else
		lost = 1;
	ldap_msgfree(msg);
	ldap_control_free(ppreq);
	ldap_unbind_ext_s(ld, NULL, NULL);
	/* sent, perhaps: only the change time can say */
	if (lost)
		return dir_write_outcome(dc, acct, dc->ops->changed_attr, res);
	return res->status == DIR_OK ? 0 : -1;
}

/*
 * Lifts a lock set by failed logins: deletes exactly the lock value read
 * at lookup, so a lock an administrator set since then (a different
 * value) makes the delete fail instead of being lifted.  pwdFailureTime
 * is slapd's own (NO-USER-MODIFICATION); the next successful bind clears
 * it.
 */
static int
openldap_unlock(struct dconn *dc, const struct account *acct,
    struct dir_result *res)
{
	char *lockv[2] = { acct->lock, NULL };
	LDAPMod lock = { LDAP_MOD_DELETE, "pwdAccountLockedTime",
	    { .modv_strvals = lockv } };
	LDAPMod *mods[] = { &lock, NULL };

	return dir_unlock_write(dc, acct, mods, res);
}

static const struct dir_ops openldap_ops = {
	.name = "openldap",
	.add_aux_class = 1,
	.entry_attrs = openldap_attrs,
	.names = openldap_names,
	.read_entry = openldap_read_entry,
	.set_password = openldap_set_password,
	.unlock = openldap_unlock,
	.member_of = openldap_member_of,
	.change_password = openldap_change_password,
	.changed_attr = "pwdChangedTime",
};

void
openldap_dialect_init(void)
{
	dir_dialect_add(&openldap_ops);
}
