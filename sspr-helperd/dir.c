/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dir.c: connections (TLS required, failover across the configured URIs,
 * a failed server set aside for a while) and the dispatch to the back end
 * of the configured directory type.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "addr.h"
#include "dir_ldap.h"
#include "log.h"
#include "sshkey.h"
#include "timer.h"

#define SERVER_HOLDOFF_MS	30000	/* as SSSD's failover retry */
#define AD_CAP_OID		"1.2.840.113556.1.4.800"
#define AD_HINTS_OID		"1.2.840.113556.1.4.2239"
#define AD_HINTS_OLD_OID	"1.2.840.113556.1.4.2066"

/*
 * The dialects (dir_openldap.c, dir_ad.c) register themselves at start-up
 * (main.c), so this file names none of them: they build on it, not it on
 * them.  Written before the first thread starts, read-only after.
 */
static const struct dir_ops	*dialects[4];
static int			 ndialects;

void
dir_dialect_add(const struct dir_ops *ops)
{
	if (ndialects < (int)(sizeof(dialects) / sizeof(dialects[0])))
		dialects[ndialects++] = ops;
}

/* The dialect named name; the first registered if there is none. */
const struct dir_ops *
dir_dialect(const char *name)
{
	int i;

	for (i = 0; i < ndialects; i++)
		if (strcmp(dialects[i]->name, name) == 0)
			return dialects[i];
	return ndialects > 0 ? dialects[0] : NULL;
}

/*
 * Servers that failed recently, shared by all workers, so that one dead
 * server costs one timeout, not one per worker.
 */
static struct {
	char		uri[256];
	long long	until;
} downs[CFG_MAX_URIS * 2];
static pthread_mutex_t downs_lock = PTHREAD_MUTEX_INITIALIZER;

static void
set_down(const char *uri, int down)
{
	size_t i, slot = 0;
	long long oldest = -1;

	pthread_mutex_lock(&downs_lock);
	for (i = 0; i < sizeof(downs) / sizeof(downs[0]); i++) {
		if (strcmp(downs[i].uri, uri) == 0) {
			slot = i;
			break;
		}
		if (oldest < 0 || downs[i].until < oldest) {
			oldest = downs[i].until;
			slot = i;
		}
	}
	snprintf(downs[slot].uri, sizeof(downs[slot].uri), "%s", uri);
	downs[slot].until = down ? now_ms() + SERVER_HOLDOFF_MS : 0;
	pthread_mutex_unlock(&downs_lock);
}

static int
is_down(const char *uri)
{
	long long now = now_ms();
	size_t i;
	int down = 0;

	pthread_mutex_lock(&downs_lock);
	for (i = 0; i < sizeof(downs) / sizeof(downs[0]); i++)
		if (strcmp(downs[i].uri, uri) == 0 && downs[i].until > now)
			down = 1;
	pthread_mutex_unlock(&downs_lock);
	return down;
}

struct dconn *
dconn_new(void)
{
	return calloc(1, sizeof(struct dconn));
}

void
dconn_free(struct dconn *dc)
{
	if (dc == NULL)
		return;
	dconn_drop(dc, 0);
	free(dc);
}

/*
 * Between jobs (pool.h): a connection unused for [directory] idle_timeout
 * is unbound, so that thousands of quiet hosts do not each hold the
 * directory's sockets open; the next job opens a new one.
 */
int
dconn_idle(struct dconn *dc, int idle)
{
	int limit;

	if (dc->ld == NULL || (limit = dc->cfg->dir_idle_timeout) == 0)
		return 0;
	if (idle < limit)
		return limit;
	log_msg(LOG_DEBUG, "directory %s: closing the connection, unused for "
	    "%d s", dc->cfg->uris[dc->uri], idle);
	dconn_drop(dc, 0);
	return 0;
}

/* Forgets the connection; mark_down sets its server aside for a while. */
void
dconn_drop(struct dconn *dc, int mark_down)
{
	if (dc->ld != NULL)
		ldap_unbind_ext_s(dc->ld, NULL, NULL);
	dc->ld = NULL;
	if (mark_down && dc->cfg != NULL)
		set_down(dc->cfg->uris[dc->uri], 1);
	if (dc->cfg != NULL)
		cfg_unref(dc->cfg);
	dc->cfg = NULL;
}

/* Result codes after which the connection cannot be trusted any more. */
int
dconn_lost(int rc)
{
	return rc == LDAP_SERVER_DOWN || rc == LDAP_TIMEOUT ||
	    rc == LDAP_CONNECT_ERROR || rc == LDAP_UNAVAILABLE ||
	    rc == LDAP_BUSY;
}

void
dir_result_set(struct dir_result *res, int status, int reason,
    const char *detail)
{
	res->status = status;
	res->reason = reason;
	snprintf(res->detail, sizeof(res->detail), "%s", detail ? detail : "");
}

static int
set_options(LDAP *ld, const struct cfg *c)
{
	struct timeval tv = { c->dir_timeout, 0 };
	int v3 = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, zero = 0;

	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand))
		return -1;
	if (*c->dir_ca_file != '\0' &&
	    ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, c->dir_ca_file))
		return -1;
	return ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) ? -1 : 0;
}

/*
 * A connection to server i of c, TLS on (ldaps:// or StartTLS), unbound.
 * Returns 0, or the LDAP result code with why saying what failed (the
 * server's or libldap's own text too: the preflight names the cause).
 */
int
dir_connect_tls(LDAP **out, const struct cfg *c, int i, char *why,
    size_t whysize)
{
	LDAP *ld = NULL;
	char *diag = NULL;
	int rc;

	rc = ldap_initialize(&ld, c->uris[i]);
	if (rc != LDAP_SUCCESS || set_options(ld, c) != 0) {
		snprintf(why, whysize, "cannot set up: %s", ldap_err2string(rc));
		rc = rc != LDAP_SUCCESS ? rc : LDAP_OTHER;
		goto fail;
	}
	if (strncmp(c->uris[i], "ldap://", 7) == 0) {
		rc = ldap_start_tls_s(ld, NULL, NULL);
		if (rc != LDAP_SUCCESS) {
			ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
			/* libldap's own text may come in parentheses */
			snprintf(why, whysize, "StartTLS failed: %s%s%s%s",
			    ldap_err2string(rc), diag && *diag ? (*diag == '(' ?
			    " " : " (") : "", diag && *diag ? diag : "",
			    diag && *diag && *diag != '(' ? ")" : "");
			ldap_memfree(diag);
			goto fail;
		}
	}
	*out = ld;
	return 0;
fail:
	if (ld != NULL)
		ldap_unbind_ext_s(ld, NULL, NULL);
	return rc;
}

/* A simple bind; never with an empty password (RFC 4513 5.1.2). */
int
dir_bind_as(LDAP *ld, const char *dn, const char *pw, size_t len, int secs,
    char **diag)
{
	struct berval cred = { len, (char *)pw };
	struct timeval tv = { secs, 0 };
	LDAPMessage *res = NULL;
	int msgid, rc, err = LDAP_OTHER;

	if (diag != NULL)
		*diag = NULL;
	if (len == 0)
		return LDAP_INVALID_CREDENTIALS;
	rc = ldap_sasl_bind(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, &msgid);
	if (rc != LDAP_SUCCESS)
		return rc;
	if (ldap_result(ld, msgid, LDAP_MSG_ALL, &tv, &res) <= 0)
		return LDAP_SERVER_DOWN;
	if (ldap_parse_result(ld, res, &err, NULL, diag, NULL, NULL, 1) !=
	    LDAP_SUCCESS)
		err = LDAP_OTHER;
	return err;
}

/*
 * One server: TLS, then a simple bind as the service account.  A plain
 * ldap:// connection never carries the bind: cfg.c refuses ldap://
 * without start_tls, and a failed StartTLS ends here.
 */
static int
open_one(LDAP **out, const struct cfg *c, int i, char *why, size_t whysize)
{
	LDAP *ld = NULL;
	int rc;

	if (dir_connect_tls(&ld, c, i, why, whysize) != 0)
		return -1;
	rc = dir_bind_as(ld, c->bind_dn, secret_str(&c->bind_password),
	    c->bind_password.len, c->dir_timeout, NULL);
	if (rc != LDAP_SUCCESS) {
		snprintf(why, whysize, "bind as %s failed: %s", c->bind_dn,
		    ldap_err2string(rc));
		ldap_unbind_ext_s(ld, NULL, NULL);
		return -1;
	}
	*out = ld;
	return 0;
}

/*
 * A second connection, to the server dc uses, bound as dn with pw: for a
 * change the directory must see as the user's own.  Returns the bind's
 * result code; *diag gets the server's text (AD puts "data 773" there).
 */
int
dconn_open_as(struct dconn *dc, const char *dn, const struct secret *pw,
    LDAP **out, char **diag)
{
	char why[512];
	LDAP *ld = NULL;
	int rc;

	*out = NULL;
	*diag = NULL;
	if (dir_connect_tls(&ld, dc->cfg, dc->uri, why, sizeof(why)) != 0)
		return LDAP_SERVER_DOWN;
	rc = dir_bind_as(ld, dn, secret_str(pw), pw->len, dc->cfg->dir_timeout, diag);
	if (rc != LDAP_SUCCESS) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		return rc;
	}
	*out = ld;
	return LDAP_SUCCESS;
}

/*
 * 389 (and Red Hat) Directory Server: a netscapemdsuffix in the rootDSE,
 * or 389's vendorName.
 */
static int
is_389(LDAP *ld, LDAPMessage *e)
{
	struct berval **v;
	int r;

	if ((v = ldap_get_values_len(ld, e, "netscapemdsuffix")) != NULL) {
		ldap_value_free_len(v);
		return 1;
	}
	v = ldap_get_values_len(ld, e, "vendorName");
	r = v != NULL && v[0] != NULL && v[0]->bv_len >= 11 &&
	    memcmp(v[0]->bv_val, "389 Project", 11) == 0;
	ldap_value_free_len(v);
	return r;
}

/*
 * Reads the rootDSE once per connection: is this Active Directory or 389
 * (type auto), and which password policy hints control does it offer?
 */
static int
probe_root(struct dconn *dc)
{
	char *attrs[] = { "supportedControl", "supportedCapabilities",
	    "vendorName", "netscapemdsuffix", NULL };
	struct timeval tv = { dc->cfg->dir_timeout, 0 };
	struct berval **v;
	LDAPMessage *msg = NULL, *e;
	int ad = 0, ds389, rc, i;

	dc->hints_oid = NULL;
	rc = ldap_search_ext_s(dc->ld, "", LDAP_SCOPE_BASE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, &tv, 1, &msg);
	if (rc != LDAP_SUCCESS || (e = ldap_first_entry(dc->ld, msg)) == NULL) {
		ldap_msgfree(msg);
		return dc->cfg->dir_type == DIR_AUTO ? -1 : 0;
	}
	v = ldap_get_values_len(dc->ld, e, "supportedCapabilities");
	for (i = 0; v != NULL && v[i] != NULL; i++)
		if (v[i]->bv_len == sizeof(AD_CAP_OID) - 1 &&
		    memcmp(v[i]->bv_val, AD_CAP_OID, v[i]->bv_len) == 0)
			ad = 1;
	ldap_value_free_len(v);
	v = ldap_get_values_len(dc->ld, e, "supportedControl");
	for (i = 0; v != NULL && v[i] != NULL; i++) {
		if (v[i]->bv_len == sizeof(AD_HINTS_OID) - 1 &&
		    memcmp(v[i]->bv_val, AD_HINTS_OID, v[i]->bv_len) == 0)
			dc->hints_oid = AD_HINTS_OID;
		else if (dc->hints_oid == NULL &&
		    v[i]->bv_len == sizeof(AD_HINTS_OLD_OID) - 1 &&
		    memcmp(v[i]->bv_val, AD_HINTS_OLD_OID, v[i]->bv_len) == 0)
			dc->hints_oid = AD_HINTS_OLD_OID;
	}
	ldap_value_free_len(v);
	ds389 = is_389(dc->ld, e);
	ldap_msgfree(msg);
	if (dc->cfg->dir_type == DIR_AUTO)
		dc->ops = dir_dialect(ad ? "ad" : ds389 ? "389ds" : "openldap");
	return 0;
}

/*
 * Makes sure dc holds a bound connection made with cfg c, trying the
 * servers in order (servers set aside recently last).  On failure
 * res says DIR_UNAVAILABLE.
 */
/*
 * Is the connection kept for reuse still the one we opened?  Once libldap
 * has closed a dead connection it opens a new one by itself for the next
 * request: unbound, and on ldap:// without our StartTLS.  Nothing may be
 * sent on that one.
 */
static int
dconn_usable(const struct dconn *dc)
{
	int fd = -1;

	if (ldap_get_option(dc->ld, LDAP_OPT_DESC, &fd) != LDAP_OPT_SUCCESS ||
	    fd < 0)
		return 0;
	return strncmp(dc->cfg->uris[dc->uri], "ldap://", 7) != 0 ||
	    ldap_tls_inplace(dc->ld);
}

int
dconn_open(struct dconn *dc, struct cfg *c, struct dir_result *res)
{
	char why[512] = "no server configured";
	int pass, i, down;

	if (dc->ld != NULL && dc->cfg == c && dconn_usable(dc))
		return 0;
	if (dc->ld != NULL || dc->cfg != NULL)
		dconn_drop(dc, 0);
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < c->n_uris; i++) {
			down = is_down(c->uris[i]);
			if ((pass == 0) == down)
				continue;
			if (open_one(&dc->ld, c, i, why, sizeof(why)) == 0) {
				dc->uri = i;
				dc->cfg = cfg_ref(c);
				dc->ops = dir_dialect(c->dir_type == DIR_AD ? "ad" :
				    c->dir_type == DIR_389 ? "389ds" : "openldap");
				if (c->dir_type != DIR_OPENLDAP &&
				    probe_root(dc) != 0) {
					snprintf(why, sizeof(why), "cannot read "
					    "the rootDSE to detect the type");
					dconn_drop(dc, 0);
					set_down(c->uris[i], 1);
					continue;
				}
				if (down)
					set_down(c->uris[i], 0);
				return 0;
			}
			log_msg(LOG_WARNING, "directory %s: %s", c->uris[i],
			    why);
			set_down(c->uris[i], 1);
		}
	dir_result_set(res, DIR_UNAVAILABLE, 0, why);
	return -1;
}

/* The first of an attribute's values (a copy), and how many there are. */
char *
dir_get_one(LDAP *ld, LDAPMessage *e, const char *attr, int *count)
{
	struct berval **vals = ldap_get_values_len(ld, e, attr);
	char *v = NULL;
	int n = ldap_count_values_len(vals);

	if (count != NULL)
		*count = n;
	if (n > 0 && memchr(vals[0]->bv_val, '\0', vals[0]->bv_len) == NULL)
		v = strndup(vals[0]->bv_val, vals[0]->bv_len);
	ldap_value_free_len(vals);
	return v;
}

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
static int user_attribute(const char *, char *, size_t);

void
dir_filter_attribute(const struct cfg *c, char *out, size_t size)
{
	if (user_attribute(c->user_filter, out, size) != 0)
		snprintf(out, size, "uid");
}

/* The attribute user_filter matches the user ID with: "(uid=%s)" -> uid. */
static int
user_attribute(const char *filter, char *out, size_t size)
{
	const char *p = strstr(filter, "=%s"), *b;

	if (p == NULL)
		return -1;
	for (b = p; b > filter && b[-1] != '(' && b[-1] != '|' &&
	    b[-1] != '&'; b--)
		;
	if (p == b || (size_t)(p - b) >= size)
		return -1;
	memcpy(out, b, (size_t)(p - b));
	out[p - b] = '\0';
	return 0;
}

static void
report_entry(struct dconn *dc, LDAPMessage *e, const char *uattr,
    void (*emit)(void *, const char **, int), void *arg)
{
	char methods[64] = "", *user, *v, *dn;
	const char *fields[4];
	int n;

	user = uattr[0] ? dir_get_one(dc->ld, e, uattr, NULL) : NULL;
	dn = ldap_get_dn(dc->ld, e);
	if ((v = dir_get_one(dc->ld, e, dc->cfg->mail_attr, &n)) != NULL &&
	    n == 1 && addr_valid(v))
		strcat(methods, "email,");
	free(v);
	if ((v = dir_get_one(dc->ld, e, "ssprRecoveryMail", NULL)) != NULL &&
	    strstr(methods, "email") == NULL)
		strcat(methods, "email,");
	free(v);
	if ((v = dir_get_one(dc->ld, e, "ssprRecoveryPhone", NULL)) != NULL)
		strcat(methods, "sms,");
	free(v);
	if ((v = dir_get_one(dc->ld, e, "ssprTotpSecret", NULL)) != NULL)
		strcat(methods, "totp,");
	free(v);
	if ((v = dir_get_one(dc->ld, e, "ssprQuestionAnswer", NULL)) != NULL)
		strcat(methods, "questions,");
	free(v);
	if (methods[0] != '\0')
		methods[strlen(methods) - 1] = '\0';
	v = dir_get_one(dc->ld, e, "ssprRegisteredTime", NULL);
	fields[0] = user ? user : (dn ? dn : "?");
	fields[1] = methods[0] ? methods : "-";
	fields[2] = v ? v : "-";
	fields[3] = dn ? dn : "?";
	emit(arg, fields, 4);
	free(v);
	free(user);
	ldap_memfree(dn);
}

/*
 * Every account user_filter can match (its %s as *), with the recovery
 * methods it has: four fields each (user, methods, registered, dn).
 * Paged (RFC 2696), so AD's 1000-entry limit does not cut it.
 */
int
dir_report(struct dconn *dc, struct cfg *c,
    void (*emit)(void *, const char **, int), void *arg, char *err,
    size_t errsize)
{
	char filter[2048], uattr[64] = "", *attrs[10];
	struct timeval tv = { c->dir_timeout * 6, 0 };
	struct berval *cookie = NULL;
	LDAPControl *page = NULL, *ctrls[2] = { NULL, NULL }, **rctrls = NULL;
	LDAPMessage *msg = NULL, *e;
	struct dir_result res;
	int rc = LDAP_SUCCESS, n = 0, err_rc;
	ber_int_t total;
	const char *p;
	size_t o = 0;

	if (dconn_open(dc, c, &res) != 0) {
		snprintf(err, errsize, "%s", res.detail);
		return -1;
	}
	for (p = c->user_filter; *p != '\0' && o + 2 < sizeof(filter); p++) {
		if (p[0] == '%' && p[1] == 's') {
			filter[o++] = '*';
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			filter[o++] = '%';
			p++;
		} else
			filter[o++] = *p;
	}
	filter[o] = '\0';
	(void)user_attribute(c->user_filter, uattr, sizeof(uattr));
	attrs[n++] = uattr[0] ? uattr : "1.1";
	attrs[n++] = c->mail_attr;
	attrs[n++] = "ssprRecoveryMail";
	attrs[n++] = "ssprRecoveryPhone";
	attrs[n++] = "ssprTotpSecret";
	attrs[n++] = "ssprQuestionAnswer";
	attrs[n++] = "ssprRegisteredTime";
	attrs[n] = NULL;
	do {
		if (ldap_create_page_control(dc->ld, 500, cookie, 0, &page) !=
		    LDAP_SUCCESS)
			break;
		ctrls[0] = page;
		rc = ldap_search_ext_s(dc->ld, c->base, LDAP_SCOPE_SUBTREE,
		    filter, attrs, 0, ctrls, NULL, &tv, 0, &msg);
		ldap_control_free(page);
		page = NULL;
		if (rc != LDAP_SUCCESS)
			break;
		for (e = ldap_first_entry(dc->ld, msg); e != NULL;
		    e = ldap_next_entry(dc->ld, e))
			report_entry(dc, e, uattr, emit, arg);
		ber_bvfree(cookie);
		cookie = NULL;
		if (ldap_parse_result(dc->ld, msg, &err_rc, NULL, NULL, NULL,
		    &rctrls, 0) == LDAP_SUCCESS && rctrls != NULL) {
			LDAPControl *pr = ldap_control_find(
			    LDAP_CONTROL_PAGEDRESULTS, rctrls, NULL);
			struct berval ck = { 0, NULL };

			if (pr != NULL && ldap_parse_pageresponse_control(dc->ld,
			    pr, &total, &ck) == LDAP_SUCCESS && ck.bv_len > 0)
				cookie = ber_bvdup(&ck);
			ber_memfree(ck.bv_val);
			ldap_controls_free(rctrls);
			rctrls = NULL;
		}
		ldap_msgfree(msg);
		msg = NULL;
	} while (cookie != NULL);
	ldap_msgfree(msg);
	ber_bvfree(cookie);
	if (rc != LDAP_SUCCESS) {
		snprintf(err, errsize, "search: %s", ldap_err2string(rc));
		return -1;
	}
	return 0;
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

/* --- throttle counters on the account's entry (ldap-schema/) ------------ */

/* draft-ietf-ldapext-ldap-permissive-modify, honoured by slapd and AD. */
#define PERMISSIVE_MODIFY_OID	"1.2.840.113556.1.4.1413"

static void
free_strs(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static char **
get_strs(LDAP *ld, LDAPMessage *e, const char *attr)
{
	struct berval **v = ldap_get_values_len(ld, e, attr);
	int n = ldap_count_values_len(v), i, k = 0;
	char **out;

	if (n > 4 * TS_MAX)	/* a hostile or broken entry: use a part */
		n = 4 * TS_MAX;
	if ((out = calloc((size_t)n + 1, sizeof(*out))) == NULL) {
		ldap_value_free_len(v);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (v[i]->bv_len < 64 &&
		    memchr(v[i]->bv_val, '\0', v[i]->bv_len) == NULL)
			out[k++] = strndup(v[i]->bv_val, v[i]->bv_len);
	ldap_value_free_len(v);
	return out;
}

static void
parse_times(char **raw, long long *t, int *n)
{
	long long when;
	size_t i;

	*n = 0;
	for (i = 0; raw != NULL && raw[i] != NULL; i++)
		if (tvalue_parse(raw[i], &when) == 0)
			tstate_add(t, n, when);
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
	if (user_attribute(dc->cfg->user_filter, fattr, sizeof(fattr)) == 0)
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

/* The counters in a looked-up entry. */
void
dir_read_counters(LDAP *ld, LDAPMessage *e, struct account *a)
{
	char *v;

	free_strs(a->raw_sent);
	free_strs(a->raw_fails);
	a->raw_sent = get_strs(ld, e, "ssprCodeSent");
	a->raw_fails = get_strs(ld, e, "ssprCodeFailure");
	parse_times(a->raw_sent, a->counters.sent, &a->counters.n_sent);
	parse_times(a->raw_fails, a->counters.fails, &a->counters.n_fails);
	v = dir_get_one(ld, e, "ssprBlockedUntil", NULL);
	a->counters.blocked_until = v ? atoll(v) : 0;
	free(v);
}

/*
 * A counter write, tried again once on a fresh connection if the old one
 * turned out dead.  Should the first write have landed after all, an
 * event is counted twice: the error is on the strict side.
 */
static int
counter_modify(struct dconn *dc, const char *dn, LDAPMod **mods)
{
	LDAPControl perm = { PERMISSIVE_MODIFY_OID, { 0, NULL }, 0 };
	LDAPControl *ctrls[] = { &perm, NULL };
	struct dir_result res;
	struct cfg *c;
	int rc;

	rc = ldap_modify_ext_s(dc->ld, dn, mods, ctrls, NULL);
	if (!dconn_lost(rc))
		return rc;
	c = cfg_ref(dc->cfg);
	dconn_drop(dc, 1);
	rc = dconn_open(dc, c, &res) == 0 ?
	    ldap_modify_ext_s(dc->ld, dn, mods, ctrls, NULL) : LDAP_SERVER_DOWN;
	cfg_unref(c);
	return rc;
}

/* Stored values older than every window, or malformed: to be deleted. */
static int
stale_values(const struct cfg *c, char **raw, char **out, int max)
{
	long long keep = c->failure_window > c->code_window ?
	    c->failure_window : c->code_window, horizon, when;

	/* a send stays while its code may be answered: "newest code only" */
	if (keep < c->code_lifetime + 60LL)
		keep = c->code_lifetime + 60LL;
	horizon = time(NULL) - keep;
	int i, n = 0;

	for (i = 0; raw != NULL && raw[i] != NULL && n < max; i++)
		if (tvalue_parse(raw[i], &when) != 0 || when <= horizon)
			out[n++] = raw[i];
	out[n] = NULL;
	return n;
}

/*
 * Re-reads the counters of acct from its entry (after our write, so the
 * other hosts' events are in it too).
 */
int
dir_counters_read(struct dconn *dc, struct cfg *c, struct account *acct,
    struct dir_result *res)
{
	struct timeval tv = { c->dir_timeout, 0 };
	LDAPMessage *msg = NULL;
	int rc;

	memset(res, 0, sizeof(*res));
	if (dconn_open(dc, c, res) != 0)
		return -1;
	rc = ldap_search_ext_s(dc->ld, acct->dn, LDAP_SCOPE_BASE,
	    "(objectClass=*)", dir_counter_attrs, 0, NULL, NULL, &tv, 1, &msg);
	if (dconn_lost(rc)) {
		ldap_msgfree(msg);
		msg = NULL;
		dconn_drop(dc, 1);
		if (dconn_open(dc, c, res) != 0)
			return -1;
		rc = ldap_search_ext_s(dc->ld, acct->dn, LDAP_SCOPE_BASE,
		    "(objectClass=*)", dir_counter_attrs, 0, NULL, NULL, &tv, 1,
		    &msg);
	}
	if (rc != LDAP_SUCCESS || ldap_count_entries(dc->ld, msg) != 1) {
		ldap_msgfree(msg);
		if (dconn_lost(rc))
			dconn_drop(dc, 1);
		dir_result_set(res, DIR_UNAVAILABLE, 0, ldap_err2string(rc));
		return -1;
	}
	dir_read_counters(dc->ld, ldap_first_entry(dc->ld, msg), acct);
	ldap_msgfree(msg);
	dir_result_set(res, DIR_OK, 0, NULL);
	return 0;
}

char *dir_counter_attrs[] = { "ssprCodeSent", "ssprCodeFailure",
    "ssprBlockedUntil", NULL };

/*
 * Records one event (STATE_SENT / STATE_FAIL semantics: 0 sent, 1 fail)
 * by adding one unique value (a copy in added, if not NULL), pruning old
 * ones, then reads the counters back.  An add needs no read-modify-write,
 * so hosts writing at once do not lose each other's events.  When wrong codes reach the limit, the
 * block is written too.
 */
int
dir_counter_event(struct dconn *dc, struct cfg *c, struct account *acct,
    int fail, char *added, size_t addedsize, struct dir_result *res)
{
	char value[64], *addv[] = { value, NULL }, *ocv[] = { "ssprAccount",
	    NULL }, *stale[TS_MAX + 1], until[32], *untilv[] = { until, NULL };
	const char *attr = fail ? "ssprCodeFailure" : "ssprCodeSent";
	LDAPMod oc = { LDAP_MOD_ADD, "objectClass", { .modv_strvals = ocv } };
	LDAPMod add = { LDAP_MOD_ADD, (char *)attr, { .modv_strvals = addv } };
	LDAPMod del = { LDAP_MOD_DELETE, (char *)attr,
	    { .modv_strvals = stale } };
	LDAPMod blk = { LDAP_MOD_REPLACE, "ssprBlockedUntil",
	    { .modv_strvals = untilv } };
	LDAPMod *mods[4], *bmods[] = { &blk, NULL };
	long long now = time(NULL);
	int rc, n = 0;

	memset(res, 0, sizeof(*res));
	if (dconn_open(dc, c, res) != 0)
		return -1;
	tvalue_make(now, value, sizeof(value));
	if (dc->ops->add_aux_class)
		mods[n++] = &oc;
	mods[n++] = &add;
	if (stale_values(c, fail ? acct->raw_fails : acct->raw_sent, stale,
	    TS_MAX) > 0)
		mods[n++] = &del;
	mods[n] = NULL;
	rc = counter_modify(dc, acct->dn, mods);
	/*
	 * 389 ignores the permissive modify control: the class is already
	 * there, or another host pruned the same stale value first.  The
	 * event itself must still be counted; pruning waits for the next.
	 */
	if ((rc == LDAP_TYPE_OR_VALUE_EXISTS || rc == LDAP_NO_SUCH_ATTRIBUTE) &&
	    n > 1) {
		mods[0] = &add;
		mods[1] = NULL;
		rc = counter_modify(dc, acct->dn, mods);
	}
	if (rc == LDAP_SUCCESS && added != NULL)
		snprintf(added, addedsize, "%s", value);
	if (rc != LDAP_SUCCESS) {
		log_msg(LOG_ERR, "%s: cannot record a throttle event: %s (is "
		    "ldap-schema/ loaded and may the service account write "
		    "%s?)", acct->dn, ldap_err2string(rc), attr);
		dir_result_set(res, dconn_lost(rc) ? DIR_UNAVAILABLE :
		    DIR_REFUSED, 0, ldap_err2string(rc));
		return -1;
	}
	if (dir_counters_read(dc, c, acct, res) != 0)
		return -1;
	if (fail && throttle_must_block(c, &acct->counters, now)) {
		snprintf(until, sizeof(until), "%lld", now + c->block_time);
		rc = counter_modify(dc, acct->dn, bmods);
		if (rc != LDAP_SUCCESS)
			log_msg(LOG_ERR, "%s: cannot record the block: %s",
			    acct->dn, ldap_err2string(rc));
		acct->counters.blocked_until = now + c->block_time;
	}
	return 0;
}

/*
 * A count kept on the entry, 0 to 1000.  Anything else (a negative count
 * would give endless skips) counts as 0, or 1000 above it.
 */
static int
entry_count(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end != '\0' || v < 0)
		return 0;
	return v > 1000 ? 1000 : (int)v;
}

/* The registered recovery methods in a looked-up entry. */
void
dir_read_registration(LDAP *ld, LDAPMessage *e, struct account *a)
{
	struct berval **v;
	char *s;
	int n, i, k = 0;

	a->reg_mail = dir_get_one(ld, e, "ssprRecoveryMail", &n);
	if (a->reg_mail != NULL && (n != 1 || !addr_valid(a->reg_mail))) {
		free(a->reg_mail);
		a->reg_mail = NULL;
	}
	a->phone = dir_get_one(ld, e, "ssprRecoveryPhone", NULL);
	a->totp = dir_get_one(ld, e, "ssprTotpSecret", NULL);
	a->totp_last = dir_get_one(ld, e, "ssprTotpLastStep", NULL);
	if ((s = dir_get_one(ld, e, "ssprRegisteredTime", NULL)) != NULL)
		a->registered = atoll(s);
	free(s);
	if ((s = dir_get_one(ld, e, "ssprRegistrationSkips", NULL)) != NULL)
		a->skips = entry_count(s);
	free(s);
	v = ldap_get_values_len(ld, e, "ssprQuestionAnswer");
	n = ldap_count_values_len(v);
	if (n > 10)	/* [questions] required is at most 10 */
		n = 10;
	if (n > 0 && (a->answers = calloc((size_t)n + 1,
	    sizeof(*a->answers))) != NULL)
		for (i = 0; i < n; i++)
			if (v[i]->bv_len < 256 &&
			    memchr(v[i]->bv_val, '\0', v[i]->bv_len) == NULL)
				a->answers[k++] = strndup(v[i]->bv_val,
				    v[i]->bv_len);
	ldap_value_free_len(v);
}

/*
 * Changes attributes of the account's entry as the service account
 * (registration).  Not strict: with the permissive modify control, and
 * objectClass ssprAccount added where the directory needs it.  Strict
 * (a compare-and-swap such as "delete this value, add that one"): the
 * modify fails as a whole if a value to delete is not there.  Never
 * repeated: a lost connection is DIR_UNAVAILABLE.
 */
int
dir_modify(struct dconn *dc, struct cfg *c, const struct account *acct,
    const struct dir_mod *m, int n, int strict, struct dir_result *res)
{
	LDAPControl perm = { PERMISSIVE_MODIFY_OID, { 0, NULL }, 0 };
	LDAPControl *ctrls[] = { &perm, NULL };
	char *ocv[] = { "ssprAccount", NULL };
	LDAPMod oc = { LDAP_MOD_ADD, "objectClass", { .modv_strvals = ocv } };
	LDAPMod mods[8], *mp[10];
	int i, k = 0, rc;

	memset(res, 0, sizeof(*res));
	if (n > 8 || dconn_open(dc, c, res) != 0) {
		if (res->status == 0)
			dir_result_set(res, DIR_INTERNAL, 0, "too many changes");
		return -1;
	}
	if (!strict && dc->ops->add_aux_class)
		mp[k++] = &oc;
	for (i = 0; i < n; i++) {
		mods[i].mod_op = m[i].op == DIR_MOD_ADD ? LDAP_MOD_ADD :
		    m[i].op == DIR_MOD_DELETE ? LDAP_MOD_DELETE :
		    LDAP_MOD_REPLACE;
		mods[i].mod_type = (char *)m[i].attr;
		mods[i].mod_vals.modv_strvals = m[i].values;
		mp[k++] = &mods[i];
	}
	mp[k] = NULL;
	rc = ldap_modify_ext_s(dc->ld, acct->dn, mp, strict ? NULL : ctrls,
	    NULL);
	/* 389 ignores permissive modify: the class was there already */
	if (rc == LDAP_TYPE_OR_VALUE_EXISTS && !strict &&
	    dc->ops->add_aux_class)
		rc = ldap_modify_ext_s(dc->ld, acct->dn, mp + 1, ctrls, NULL);
	if (rc == LDAP_SUCCESS) {
		dir_result_set(res, DIR_OK, 0, NULL);
		return 0;
	}
	if (dconn_lost(rc))
		dconn_drop(dc, 1);
	if (!strict)
		log_msg(LOG_ERR, "%s: cannot store recovery methods: %s (is "
		    "ldap-schema/ loaded and may the service account write "
		    "them?)", acct->dn, ldap_err2string(rc));
	dir_result_set(res, dconn_lost(rc) ? DIR_UNAVAILABLE : DIR_REFUSED, 0,
	    ldap_err2string(rc));
	return -1;
}

/* After a successful reset or unlock: start afresh. */
int
dir_counters_clear(struct dconn *dc, struct cfg *c, const struct account *acct,
    struct dir_result *res)
{
	LDAPMod d1 = { LDAP_MOD_DELETE, "ssprCodeSent", { NULL } };
	LDAPMod d2 = { LDAP_MOD_DELETE, "ssprCodeFailure", { NULL } };
	LDAPMod d3 = { LDAP_MOD_DELETE, "ssprBlockedUntil", { NULL } };
	LDAPMod *mods[] = { &d1, &d2, &d3, NULL }, *one[2] = { NULL, NULL };
	int rc, i;

	memset(res, 0, sizeof(*res));
	if (dconn_open(dc, c, res) != 0)
		return -1;
	rc = counter_modify(dc, acct->dn, mods);
	/* without permissive modify (389), one absent attribute fails all */
	if (rc == LDAP_NO_SUCH_ATTRIBUTE)
		for (i = 0, rc = LDAP_SUCCESS; mods[i] != NULL &&
		    rc == LDAP_SUCCESS; i++) {
			one[0] = mods[i];
			rc = counter_modify(dc, acct->dn, one);
			if (rc == LDAP_NO_SUCH_ATTRIBUTE)
				rc = LDAP_SUCCESS;
		}
	if (rc != LDAP_SUCCESS) {
		log_msg(LOG_WARNING, "%s: cannot clear the throttle counters: "
		    "%s", acct->dn, ldap_err2string(rc));
		dir_result_set(res, DIR_REFUSED, 0, ldap_err2string(rc));
		return -1;
	}
	return 0;
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

void
account_clear(struct account *a)
{
	free_strs(a->names);
	free_strs(a->raw_sent);
	free_strs(a->raw_fails);
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
	free_strs(a->answers);
	free_strs(a->ssh_keys);
	memset(a, 0, sizeof(*a));
}
