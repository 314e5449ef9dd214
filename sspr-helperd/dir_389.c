/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dir_389.c: 389 Directory Server (Red Hat Directory Server).  What 389
 * does was found by trying it (tests/lib/DS389.md).  The password is set
 * with an LDAP Modify of userPassword by the delegated service account,
 * in clear text over TLS: 389 hashes it and applies its password syntax
 * and history checks, but, unlike a Password Modify extended operation by
 * the same account, does not mark the password as reset
 * (passwordMustChange), so the person is not made to change it again.
 * The user's own change is the RFC 3062 operation bound as the user, as
 * on OpenLDAP.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dir_ldap.h"
#include "log.h"

/* passwordExpirationTime of a password that must be changed at login. */
#define MUST_CHANGE	"19700101000000Z"
/* accountUnlockTime of a lock that lasts until someone lifts it. */
#define LOCKED_FOREVER	"19700101000000Z"

/* Is an accountUnlockTime value still in force (generalized time, UTC)? */
static int
lock_active(const char *v)
{
	char now[32];
	struct tm tm;
	time_t t = time(NULL);

	if (strcmp(v, LOCKED_FOREVER) == 0)
		return 1;
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(now, sizeof(now), "%Y%m%d%H%M%SZ", &tm) == 0)
		return 1;
	/* same fixed format: compares as text */
	return strlen(v) == strlen(now) && strcmp(v, now) > 0;
}

/*
 * 389 locks after passwordMaxFailure failed binds by setting
 * accountUnlockTime; a password set by someone else zeroes
 * passwordRetryCount and ends the lock but leaves accountUnlockTime
 * behind.  So the lock is in force while its time has not come and
 * failures are counted.  nsAccountLock is an administrator's
 * inactivation, never lifted here.
 */
static void
read_locks(LDAP *ld, LDAPMessage *e, struct account *acct)
{
	char *v, *count;

	if ((v = dir_get_one(ld, e, "nsAccountLock", NULL)) != NULL) {
		acct->admin_locked = strcasecmp(v, "true") == 0;
		free(v);
	}
	if ((v = dir_get_one(ld, e, "accountUnlockTime", NULL)) == NULL)
		return;
	count = dir_get_one(ld, e, "passwordRetryCount", NULL);
	if (lock_active(v) && count != NULL && atoi(count) > 0) {
		acct->locked = 1;
		acct->lock = v;
		v = NULL;
	}
	free(count);
	free(v);
}

static const char *const ds389_attrs[] = { "accountUnlockTime",
    "passwordRetryCount", "nsAccountLock", "passwordExpirationTime", NULL };
static const char *const ds389_names[] = { "uid", NULL };

/* 389's locks, and the forced change its bind enforces. */
static void
ds389_read_entry(struct dconn *dc, LDAPMessage *e, struct account *acct)
{
	char *v;

	read_locks(dc->ld, e, acct);
	/* what 389's bind compares; pwdReset alone is not enforced */
	if ((v = dir_get_one(dc->ld, e, "passwordExpirationTime", NULL))) {
		acct->must_change = strcmp(v, MUST_CHANGE) == 0;
		free(v);
	}
}

/*
 * 389's texts for a refused userPassword (its ppolicy response control
 * says "quality" for every syntax rule alike).
 */
static int
policy_reason(const char *text)
{
	if (text == NULL)
		return SSPR_R_POLICY_OTHER;
	if (strstr(text, "password in history") != NULL)
		return SSPR_R_POLICY_HISTORY;
	if (strstr(text, "minimum age") != NULL)
		return SSPR_R_POLICY_TOO_YOUNG;
	if (strstr(text, "characters long") != NULL)
		return SSPR_R_POLICY_TOO_SHORT;
	if (strstr(text, "character categories") != NULL ||
	    strstr(text, "at least") != NULL)
		return SSPR_R_POLICY_CLASSES;
	if (strstr(text, "invalid password syntax") != NULL)
		return SSPR_R_POLICY_QUALITY;
	return SSPR_R_POLICY_OTHER;
}

static int
ds389_set_password(struct dconn *dc, const struct account *acct,
    const struct secret *pw, struct dir_result *res)
{
	struct berval newpw = { pw->len, (char *)pw->buf };
	struct berval *pwv[] = { &newpw, NULL };
	LDAPMod m = { LDAP_MOD_REPLACE | LDAP_MOD_BVALUES, "userPassword",
	    { .modv_bvals = pwv } };
	LDAPMod *mods[] = { &m, NULL };
	char *text = NULL;
	int rc;

	rc = ldap_modify_ext_s(dc->ld, acct->dn, mods, NULL, NULL);
	if (dconn_lost(rc))
		return dir_write_outcome(dc, acct, "pwdUpdateTime", res);
	if (rc == LDAP_SUCCESS) {
		dir_result_set(res, DIR_OK, 0, NULL);
		return 0;
	}
	ldap_get_option(dc->ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &text);
	if (rc == LDAP_CONSTRAINT_VIOLATION)
		dir_result_set(res, DIR_POLICY, policy_reason(text), text);
	else
		dir_result_set(res, DIR_REFUSED, 0, text && *text ? text :
		    ldap_err2string(rc));
	ldap_memfree(text);
	return -1;
}

/*
 * Lifts a lock set by failed binds: deletes exactly the accountUnlockTime
 * read at lookup (a newer lock has another value, and the modify fails
 * instead) and zeroes the failure count, or the next wrong password
 * would lock again at once.
 */
static int
ds389_unlock(struct dconn *dc, const struct account *acct,
    struct dir_result *res)
{
	char *lockv[2] = { acct->lock, NULL }, *zero[] = { "0", NULL };
	LDAPMod lock = { LDAP_MOD_DELETE, "accountUnlockTime",
	    { .modv_strvals = lockv } };
	LDAPMod count = { LDAP_MOD_REPLACE, "passwordRetryCount",
	    { .modv_strvals = zero } };
	LDAPMod *mods[] = { &lock, &count, NULL };

	return dir_unlock_write(dc, acct, mods, res);
}

/* Groups and the user's own change work as on OpenLDAP. */
static int
ds389_member_of(struct dconn *dc, const char *dn, const char *user,
    const struct cfglist *groups)
{
	return dir_dialect("openldap")->member_of(dc, dn, user, groups);
}

static int
ds389_change_password(struct dconn *dc, const struct account *acct,
    const struct secret *old, const struct secret *pw, struct dir_result *res)
{
	return dir_dialect("openldap")->change_password(dc, acct, old, pw, res);
}

static const struct dir_ops ds389_ops = {
	.name = "389ds",
	.add_aux_class = 1,
	.entry_attrs = ds389_attrs,
	.names = ds389_names,
	.read_entry = ds389_read_entry,
	.set_password = ds389_set_password,
	.unlock = ds389_unlock,
	.member_of = ds389_member_of,
	.change_password = ds389_change_password,
	/* only with passwordTrackUpdateTime: on (see dir_write_outcome) */
	.changed_attr = "pwdUpdateTime",
};

void
ds389_dialect_init(void)
{
	dir_dialect_add(&ds389_ops);
}
