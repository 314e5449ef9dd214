/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dir.c: lookups and password writes, dispatched to the dialect of the
 * server in use (dir_openldap.c, dir_ad.c, dir_389.c), on the connection
 * ldapconn.c keeps.  What the daemon keeps on the entry is
 * dir_store.c's, the report dir_report.c's.  Runs on directory workers
 * (and once at start-up, for --check).  No file-scope state.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "dir_ldap.h"
#include "log.h"
#include "sshkey.h"
#include "sspr_attrs.h"
#include "timer.h"

/*
 * Searches for the one entry user_filter finds for user, with the value
 * escaped by libldap per RFC 4515.  Returns 0 and the entry's message
 * (for the caller to read and free), or -1 with res set.  Zero or
 * several entries are DIR_NOT_FOUND: an ambiguous name is never guessed.
 */
int
dir_search_user(struct dconn *dc, const char *user, char **attrs,
    LDAPMessage **out, struct dir_result *res)
{
	const struct cfg *c = dc->cfg;
	struct berval in = { strlen(user), (char *)user }, esc = { 0, NULL };
	struct timeval tv = { c->dir_timeout, 0 };
	char filter[2048];
	LDAPMessage *msg = NULL;
	int rc, n;

	*out = NULL;
	if (ldap_bv2escaped_filter_value(&in, &esc) != 0) {
		dir_result_set(res, DIR_INTERNAL, 0, "out of memory");
		return -1;
	}
	n = snprintf(filter, sizeof(filter), c->user_filter, esc.bv_val);
	ber_memfree(esc.bv_val);
	if (n < 0 || (size_t)n >= sizeof(filter)) {
		dir_result_set(res, DIR_NOT_FOUND, 0, "filter too long");
		return -1;
	}
	rc = ldap_search_ext_s(dc->ld, c->base, LDAP_SCOPE_SUBTREE, filter,
	    attrs, 0, NULL, NULL, &tv, 2, &msg);
	if (dconn_lost(rc)) {
		ldap_msgfree(msg);
		dir_result_set(res, DIR_UNAVAILABLE, 0, ldap_err2string(rc));
		res->lost = 1;
		return -1;
	}
	/*
	 * A refused search says nothing about the person: the service
	 * account may not search (389 and ppolicy refuse every search of
	 * an account that must change its own password first).  Taking it
	 * for "no such account" would turn everyone away unseen.
	 */
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED &&
	    rc != LDAP_NO_SUCH_OBJECT) {
		ldap_msgfree(msg);
		log_msg(LOG_ERR, "search under %s as %s refused: %s (may the "
		    "service account search, and is it itself in a password "
		    "must-change state?)", c->base, c->bind_dn,
		    ldap_err2string(rc));
		dir_result_set(res, DIR_UNAVAILABLE, 0, "the service account "
		    "cannot search");
		return -1;
	}
	n = msg ? ldap_count_entries(dc->ld, msg) : 0;
	if (rc != LDAP_SUCCESS || n != 1) {
		if (n > 1 || rc == LDAP_SIZELIMIT_EXCEEDED)
			log_msg(LOG_WARNING, "user_filter matches more than "
			    "one entry for a user ID; refusing it");
		ldap_msgfree(msg);
		dir_result_set(res, DIR_NOT_FOUND, 0, NULL);
		return -1;
	}
	*out = msg;
	return 0;
}

/*
 * [policy]: who may reset at all, who is excluded, who is an
 * administrator.  When membership cannot be read, the answer is the safe
 * one: not in scope, excluded, an administrator.
 */
static void
apply_policy(struct dconn *dc, const char *typed, struct account *a)
{
	const struct cfg *c = dc->cfg;
	/* posixGroup's memberUid matches case-exactly: the stored name */
	const char *user = account_name(a, typed);

	if (dc->ops->member_of(dc, a->dn, user, &c->exclude_groups) != 0)
		a->excluded = 1;
	if (c->enabled == POLICY_ALL)
		a->in_scope = 1;
	else if (c->enabled == POLICY_GROUP)
		a->in_scope = dc->ops->member_of(dc, a->dn, user,
		    &c->groups) == 1;
	a->admin = dc->ops->member_of(dc, a->dn, user, &c->admin_groups) != 0;
}

/* Appends the NULL-terminated list add to attrs (n used of max). */
static int
attrs_add(char **attrs, int n, int max, const char *const *add)
{
	for (; add != NULL && *add != NULL && n < max; add++)
		attrs[n++] = (char *)*add;
	return n;
}

/* The SSH keys' attribute, asked for only when the method is on. */
static const char *
ssh_keys_attr(const struct cfg *c)
{
	return cfg_method(c, "sshkey") ? c->sshkey_attr : NULL;
}

/* The SSH keys (method_sshkey.c): a bounded number of bounded values. */
static char **
get_keys(LDAP *ld, LDAPMessage *e, const char *attr)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);
	int n = ldap_count_values_len(v), i, k = 0;
	char **out;

	if (n > SSHKEY_VALUES_MAX)
		n = SSHKEY_VALUES_MAX;
	if (n <= 0 || (out = calloc((size_t)n + 1, sizeof(*out))) == NULL) {
		ldap_value_free_len(v);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (v[i]->bv_len < SSHKEY_VALUE_MAX &&
		    memchr(v[i]->bv_val, '\0', v[i]->bv_len) == NULL &&
		    (out[k] = strndup(v[i]->bv_val, v[i]->bv_len)) != NULL)
			k++;
	ldap_value_free_len(v);
	return out;
}

/*
 * The one entry user_filter finds for user, read: what every directory
 * has (dir_read_common: DN, names, uidNumber, address, counters,
 * registration; the change time), then what the dialect reads itself.
 */
static int
lookup_entry(struct dconn *dc, const char *user, struct account *acct,
    struct dir_result *res)
{
	static const char *const sspr[] = { DIR_SSPR_ATTRS, NULL };
	const struct dir_ops *o = dc->ops;
	char fattr[128], *attrs[40];
	const char *common[] = { dc->cfg->mail_attr, o->changed_attr,
	    "uidNumber", fattr, ssh_keys_attr(dc->cfg), NULL };
	const int max = (int)(sizeof(attrs) / sizeof(attrs[0])) - 1;
	LDAPMessage *msg, *e;
	int n, r;

	dir_filter_attribute(dc->cfg, fattr, sizeof(fattr));
	n = attrs_add(attrs, 0, max, common);
	n = attrs_add(attrs, n, max, o->names);
	n = attrs_add(attrs, n, max, o->entry_attrs);
	n = attrs_add(attrs, n, max, sspr);
	attrs[n] = NULL;
	if (dir_search_user(dc, user, attrs, &msg, res) != 0)
		return -1;
	e = ldap_first_entry(dc->ld, msg);
	r = dir_read_common(dc, e, acct, o->names);
	acct->changed = dir_get_one(dc->ld, e, o->changed_attr, NULL);
	if (ssh_keys_attr(dc->cfg) != NULL)
		acct->ssh_keys = get_keys(dc->ld, e, ssh_keys_attr(dc->cfg));
	o->read_entry(dc, e, acct);
	ldap_msgfree(msg);
	if (r != 0) {
		dir_result_set(res, DIR_INTERNAL, 0, "out of memory");
		return -1;
	}
	return 0;
}

/*
 * A lookup on a bound connection; if the server went away, drop it and
 * try the next server once.  Reads only: a write whose result is unknown
 * is never simply repeated (see dir_write_outcome).
 */
int
dir_lookup(struct dconn *dc, struct cfg *c, const char *user,
    struct account *acct, struct dir_result *res)
{
	int attempt;

	memset(acct, 0, sizeof(*acct));
	for (attempt = 0; attempt < 2; attempt++) {
		memset(res, 0, sizeof(*res));
		if (dconn_open(dc, c, res) != 0)
			return -1;
		if (lookup_entry(dc, user, acct, res) == 0) {
			apply_policy(dc, user, acct);
			return 0;
		}
		account_clear(acct);
		/* a server that answered (refused) is not lost */
		if (res->status != DIR_UNAVAILABLE || !res->lost)
			return -1;
		log_msg(LOG_WARNING, "directory %s: lost during lookup: %s",
		    c->uris[dc->uri], res->detail);
		dconn_drop(dc, 1);
	}
	return -1;
}

int
dir_set_password(struct dconn *dc, struct cfg *c, const struct account *acct,
    const struct secret *pw, struct dir_result *res)
{
	memset(res, 0, sizeof(*res));
	if (dconn_open(dc, c, res) != 0)
		return -1;
	return dc->ops->set_password(dc, acct, pw, res);
}

/* A change by someone who knows the old password: as the user's own. */
int
dir_change_password(struct dconn *dc, struct cfg *c, const struct account *acct,
    const struct secret *old, const struct secret *pw, struct dir_result *res)
{
	memset(res, 0, sizeof(*res));
	if (dconn_open(dc, c, res) != 0)
		return -1;
	return dc->ops->change_password(dc, acct, old, pw, res);
}

int
dir_unlock(struct dconn *dc, struct cfg *c, const struct account *acct,
    struct dir_result *res)
{
	memset(res, 0, sizeof(*res));
	if (dconn_open(dc, c, res) != 0)
		return -1;
	return dc->ops->unlock(dc, acct, res);
}

/*
 * An unlock: mods lift the lock read at lookup (the exact value, so a
 * lock set since makes the modify fail rather than be lifted).  Lifted,
 * refused, or sent with its answer lost: then nobody knows, and the
 * connection goes.
 */
int
dir_unlock_write(struct dconn *dc, const struct account *acct, LDAPMod **mods,
    struct dir_result *res)
{
	int rc;

	res->unlocked = 0;
	if (!acct->locked || acct->lock == NULL) {
		dir_result_set(res, DIR_OK, 0, NULL);
		return 0;
	}
	rc = ldap_modify_ext_s(dc->ld, acct->dn, mods, NULL, NULL);
	if (dconn_lost(rc)) {
		dconn_drop(dc, 0);
		dir_result_set(res, DIR_UNKNOWN, 0, ldap_err2string(rc));
		return -1;
	}
	if (rc != LDAP_SUCCESS) {
		dir_result_set(res, DIR_REFUSED, 0, ldap_err2string(rc));
		return -1;
	}
	dir_result_set(res, DIR_OK, 0, NULL);
	res->unlocked = 1;
	return 0;
}

/* One attribute of one entry, on dc's current connection. */
int
dir_read_back(struct dconn *dc, const char *dn, const char *attr, char **out)
{
	struct timeval tv = { dc->cfg->dir_timeout, 0 };
	char *attrs[] = { (char *)attr, NULL };
	LDAPMessage *msg = NULL;
	int rc;

	*out = NULL;
	rc = ldap_search_ext_s(dc->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, &tv, 1, &msg);
	if (rc == LDAP_SUCCESS && ldap_count_entries(dc->ld, msg) == 1)
		*out = dir_get_one(dc->ld, ldap_first_entry(dc->ld, msg), attr,
		    NULL);
	ldap_msgfree(msg);
	return rc == LDAP_SUCCESS ? 0 : -1;
}

/*
 * After a password write whose answer never came: did it happen?  The
 * change time (attr: pwdChangedTime, pwdLastSet) moves on every change,
 * so compare it, on a fresh connection, with the value read before the
 * write.  Never write again.  When the read back fails too, the write
 * may still be queued at the server: that is DIR_UNKNOWN, never
 * DIR_UNAVAILABLE, which promises nothing was written.
 */
int
dir_write_outcome(struct dconn *dc, const struct account *acct,
    const char *attr, struct dir_result *res)
{
	struct cfg *c = cfg_ref(dc->cfg);
	char *now = NULL;
	int changed = -1;

	log_msg(LOG_WARNING, "%s: no answer to the password change; reading "
	    "%s back", acct->dn, attr);
	dconn_drop(dc, 0);
	/* ppolicy and AD set it on every change: none now is no change */
	if (dconn_open(dc, c, res) == 0 &&
	    dir_read_back(dc, acct->dn, attr, &now) == 0)
		changed = now != NULL && (acct->changed == NULL ||
		    strcmp(now, acct->changed) != 0);
	/* 389 keeps it only with passwordTrackUpdateTime: none says nothing */
	if (changed == 0 && acct->changed == NULL &&
	    strcmp(attr, "pwdUpdateTime") == 0)
		changed = -1;
	free(now);
	cfg_unref(c);
	if (changed == 1) {
		dir_result_set(res, DIR_OK, 0, NULL);
		return 0;
	}
	if (changed == 0)
		dir_result_set(res, DIR_UNAVAILABLE, 0, "not changed");
	else
		dir_result_set(res, DIR_UNKNOWN, 0, "cannot read back");
	return -1;
}

/*
 * The attribute user_filter matches the user ID with: "(uid=%s)" -> uid,
 * for a lookup to read too (its values are login names as well).
 */
void
dir_filter_attribute(const struct cfg *c, char *out, size_t size)
{
	if (dir_user_attribute(c->user_filter, out, size) != 0)
		snprintf(out, size, "uid");
}

/* Connect and bind once, for --check and start-up diagnostics. */
int
dir_check(struct cfg *c, char *err, size_t errsize)
{
	struct dir_result res = { 0 };
	struct dconn dc = { 0 };
	int r;

	r = dconn_open(&dc, c, &res);
	if (r != 0)
		snprintf(err, errsize, "%s", res.detail);
	dconn_drop(&dc, 0);
	return r;
}

/*
 * Connect, bind, and search base once as the service account: for
 * health checks (ssprctl status, a preflight).  A bind that works while
 * every search is refused (the account must change its own password
 * first, or lacks the rights) is as bad as no directory.
 */
int
dir_probe_search(struct cfg *c, char *err, size_t errsize)
{
	struct timeval tv = { c->dir_timeout, 0 };
	struct dir_result res = { 0 };
	struct dconn dc = { 0 };
	char *attrs[] = { "1.1", NULL };
	LDAPMessage *msg = NULL;
	int rc;

	if (dconn_open(&dc, c, &res) != 0) {
		snprintf(err, errsize, "%s", res.detail);
		return -1;
	}
	rc = ldap_search_ext_s(dc.ld, c->base, LDAP_SCOPE_BASE,
	    "(objectClass=*)", attrs, 0, NULL, NULL, &tv, 1, &msg);
	ldap_msgfree(msg);
	dconn_drop(&dc, 0);
	if (rc == LDAP_SUCCESS)
		return 0;
	snprintf(err, errsize, "the service account %s cannot search %s: %s",
	    c->bind_dn, c->base, ldap_err2string(rc));
	return -1;
}

#define NAMES_MAX	8	/* login names kept per entry */


/*
 * The entry's login names: every value of name_attrs (and of the
 * attribute user_filter matches), as stored.  Values that could not be a
 * user ID are passed over.
 */
static void
read_names(struct dconn *dc, LDAPMessage *e, const char *const *name_attrs,
    struct account *acct)
{
	char fattr[128];
	const char *attrs[8];
	struct berval **v;
	int n = 0, k = 0, i, j;

	for (i = 0; name_attrs[i] != NULL && n < 6; i++)
		attrs[n++] = name_attrs[i];
	if (dir_user_attribute(dc->cfg->user_filter, fattr, sizeof(fattr)) == 0)
		attrs[n++] = fattr;
	if ((acct->names = calloc(NAMES_MAX + 1, sizeof(char *))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		v = ldap_get_values_len(dc->ld, e, attrs[i]);
		for (j = 0; v != NULL && v[j] != NULL && k < NAMES_MAX; j++)
			if (v[j]->bv_len > 0 && v[j]->bv_len <= SSPR_USER_MAX &&
			    memchr(v[j]->bv_val, '\0', v[j]->bv_len) == NULL)
				acct->names[k++] = strndup(v[j]->bv_val,
				    v[j]->bv_len);
		ldap_value_free_len(v);
	}
}

/*
 * What every back end reads from the user's entry the same way: its DN,
 * who it is (login names, uidNumber), the recovery address (one
 * well-formed address, or none), the throttle counters and the
 * registered methods.  -1: out of memory (no DN).
 */
int
dir_read_common(struct dconn *dc, LDAPMessage *e, struct account *acct,
    const char *const *name_attrs)
{
	char *dn = ldap_get_dn(dc->ld, e), *v;
	int n;

	acct->dn = dn ? strdup(dn) : NULL;
	ldap_memfree(dn);
	read_names(dc, e, name_attrs, acct);
	v = dir_get_one(dc->ld, e, "uidNumber", NULL);
	acct->uid_number = v != NULL && *v != '\0' ? strtoll(v, NULL, 10) : -1;
	free(v);
	acct->mail = dir_get_one(dc->ld, e, dc->cfg->mail_attr, &n);
	if (acct->mail != NULL && (n != 1 || !addr_valid(acct->mail))) {
		log_msg(LOG_NOTICE, "%s: %s is not one well-formed address",
		    acct->dn ? acct->dn : "?", dc->cfg->mail_attr);
		free(acct->mail);
		acct->mail = NULL;
	}
	dir_read_counters(dc->ld, e, acct);
	dir_read_registration(dc->ld, e, acct);
	return acct->dn != NULL ? 0 : -1;
}

/* The name to show and match groups by: the entry's first, else typed. */
const char *
account_name(const struct account *a, const char *typed)
{
	return a->names != NULL && a->names[0] != NULL ? a->names[0] : typed;
}

/* Is one of the entry's login names in l (ignoring case, as LDAP does)? */
int
account_named(const struct account *a, const struct cfglist *l)
{
	int i, j;

	for (i = 0; a->names != NULL && a->names[i] != NULL; i++)
		for (j = 0; j < l->n; j++)
			if (strcasecmp(a->names[i], l->item[j]) == 0)
				return 1;
	return 0;
}

/* The address a reset's code goes to: the registered one, else mail. */
const char *
account_reset_mail(const struct cfg *c, const struct account *a)
{
	if (a->reg_mail != NULL)
		return a->reg_mail;
	return c->directory_mail ? a->mail : NULL;
}

/*
 * Whom a notice about a's account goes to: owner, also when it is another
 * address, and for an administrator's account the administrators; to[i]
 * NULL where there is none.
 */
void
account_notify_to(const struct cfg *c, const struct account *a,
    const char *owner, const char *also, const char *to[3])
{
	to[0] = owner;
	to[1] = also != NULL && (owner == NULL || strcasecmp(also, owner) !=
	    0) ? also : NULL;
	to[2] = a->admin && *c->admin_address != '\0' ? c->admin_address :
	    NULL;
}

void
account_clear(struct account *a)
{
	dir_strs_free(a->names);
	dir_strs_free(a->raw_sent);
	dir_strs_free(a->raw_fails);
	free(a->dn);
	free(a->mail);
	free(a->changed);
	free(a->lock);
	free(a->reg_mail);
	free(a->phone);
	if (a->totp != NULL)
		explicit_bzero(a->totp, strlen(a->totp));
	free(a->totp);
	free(a->totp_last);
	dir_strs_free(a->answers);
	dir_strs_free(a->rcodes);
	if (a->pass != NULL)
		explicit_bzero(a->pass, strlen(a->pass));
	free(a->pass);
	dir_strs_free(a->ssh_keys);
	memset(a, 0, sizeof(*a));
}

static int
dup_str(char **s)
{
	return *s == NULL || (*s = strdup(*s)) != NULL ? 0 : -1;
}

static int
dup_strs(char ***v)
{
	char **in = *v, **out;
	size_t n = 0, i;

	if (in == NULL)
		return 0;
	while (in[n] != NULL)
		n++;
	*v = NULL;
	if ((out = calloc(n + 1, sizeof(*out))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if ((out[i] = strdup(in[i])) == NULL) {
			dir_strs_free(out);
			return -1;
		}
	*v = out;
	return 0;
}

/* A deep copy of src, for a job of its own; -1 (dst empty) without memory. */
int
account_copy(struct account *dst, const struct account *src)
{
	*dst = *src;
	if (dup_str(&dst->dn) | dup_str(&dst->mail) | dup_str(&dst->changed) |
	    dup_str(&dst->lock) | dup_str(&dst->reg_mail) |
	    dup_str(&dst->phone) | dup_str(&dst->totp) |
	    dup_str(&dst->totp_last) | dup_strs(&dst->names) |
	    dup_strs(&dst->raw_sent) | dup_strs(&dst->raw_fails) |
	    dup_strs(&dst->answers) | dup_strs(&dst->rcodes) |
	    dup_str(&dst->pass) | dup_strs(&dst->ssh_keys)) {
		account_clear(dst);
		return -1;
	}
	return 0;
}
