/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldapconn.c: the LDAP connection a directory worker owns: TLS required,
 * failover across the configured URIs, a failed server set aside for a
 * while, the dialect each server speaks.  Runs on directory workers (and
 * once at start-up, for --check).  File-scope state: the dialects
 * (written before the first thread starts, read-only after) and the
 * set-aside servers (under downs_lock), the shared TLS context (under
 * tls_shared.lock).
 */
#include <sys/stat.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "dir_ldap.h"
#include "log.h"
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

/*
 * One TLS context for every connection made with the same CA file while
 * the file is unchanged.  LDAP_OPT_X_TLS_NEWCTX on each handle made GnuTLS
 * parse the CA file again for every connection: 45 us of CPU for one CA,
 * 6.7 ms for a system bundle of 145, on every reconnection after
 * idle_timeout.  The settings a context is made from are the same for all
 * our connections (set_options), the CA file aside, which is watched: its
 * name, size, time and inode (the system's store when ours is empty).
 * libldap counts a context's references: each handle set to it holds one,
 * and the one kept here is given back with ldap_pvt_tls_ctx_free
 * (exported by libldap, its prototype in the uninstalled ldap_pvt.h) when
 * the file changes.
 */
void	ldap_pvt_tls_ctx_free(void *);

static struct {
	pthread_mutex_t	 lock;
	void		*ctx;
	char		 ca[4096];
	struct stat	 st;
} tls_shared = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int
same_ca(const char *ca, const struct stat *st)
{
	const struct stat *o = &tls_shared.st;

	return strcmp(ca, tls_shared.ca) == 0 && st->st_dev == o->st_dev &&
	    st->st_ino == o->st_ino && st->st_size == o->st_size &&
	    st->st_mtim.tv_sec == o->st_mtim.tv_sec &&
	    st->st_mtim.tv_nsec == o->st_mtim.tv_nsec;
}

/*
 * The CA file (or directory) a context made now would trust: ours, else
 * libldap's default (ldap.conf's TLS_CACERT or TLS_CACERTDIR, what an empty
 * tls_ca_file means), so that a changed system store is read again too.
 * 0, or -1 when there is none to watch.
 */
static int
ca_source(LDAP *ld, const struct cfg *c, char *path, size_t size)
{
	char *v = NULL;
	int n;

	if (*c->dir_ca_file != '\0')
		n = snprintf(path, size, "%s", c->dir_ca_file);
	else if ((ldap_get_option(ld, LDAP_OPT_X_TLS_CACERTFILE, &v) ==
	    LDAP_OPT_SUCCESS && v != NULL) || (ldap_get_option(ld,
	    LDAP_OPT_X_TLS_CACERTDIR, &v) == LDAP_OPT_SUCCESS && v != NULL))
		n = snprintf(path, size, "%s", v);
	else
		n = -1;
	ldap_memfree(v);
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int
tls_context(LDAP *ld, const struct cfg *c)
{
	char ca[sizeof(tls_shared.ca)];
	struct stat st;
	void *ctx = NULL;
	int zero = 0, r = -1;

	/* nothing to watch, or unreadable (libldap says what is wrong) */
	if (ca_source(ld, c, ca, sizeof(ca)) != 0 || stat(ca, &st) != 0)
		return ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) ? -1 : 0;
	pthread_mutex_lock(&tls_shared.lock);
	if (tls_shared.ctx != NULL && same_ca(ca, &st)) {
		r = ldap_set_option(ld, LDAP_OPT_X_TLS_CTX, tls_shared.ctx) ?
		    -1 : 0;
		goto out;
	}
	if (ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero) != 0)
		goto out;
	r = 0;
	if (ldap_get_option(ld, LDAP_OPT_X_TLS_CTX, &ctx) != LDAP_OPT_SUCCESS ||
	    ctx == NULL)
		goto out;
	if (tls_shared.ctx != NULL)
		ldap_pvt_tls_ctx_free(tls_shared.ctx);
	tls_shared.ctx = ctx;
	memcpy(tls_shared.ca, ca, sizeof(ca));
	tls_shared.st = st;
out:
	pthread_mutex_unlock(&tls_shared.lock);
	return r;
}

/*
 * liblber's read-ahead under TLS, over TCP: the TLS layer reads a
 * record's 5-byte header and then its body, each a read(2), and
 * libldap polls before each message; with a buffer below it, one
 * read(2) takes what the server has sent (an entry and its search's
 * result together), and the poll is skipped while it holds a message
 * (the layer answers LBER_SB_OPT_DATA_READY).  It holds only what is on
 * the wire: ciphertext.  Called when the socket has connected, before
 * libldap adds its TCP layer (LBER_SBIOD_LEVEL_PROVIDER) and its TLS
 * layer (TRANSPORT, StartTLS or ldaps://): the level between them puts
 * it between them, whatever the order they come in.
 */
static int
readahead_add(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv, struct sockaddr *addr,
    struct ldap_conncb *ctx)
{
	(void)ld;
	(void)srv;
	(void)addr;
	(void)ctx;
	/* failure leaves the connection as libldap made it */
	(void)ber_sockbuf_add_io(sb, &ber_sockbuf_io_readahead,
	    LBER_SBIOD_LEVEL_PROVIDER + 1, NULL);
	return 0;
}

/* the layer goes with the Sockbuf (ber_int_sb_destroy) */
static void
readahead_del(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx)
{
	(void)ld;
	(void)sb;
	(void)ctx;
}

static const struct ldap_conncb readahead_cb = {
	readahead_add, readahead_del, NULL
};

static int
set_options(LDAP *ld, const struct cfg *c)
{
	struct timeval tv = { c->dir_timeout, 0 };
	int v3 = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND;

	if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) ||
	    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) ||
	    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) ||
	    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) ||
	    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) ||
	    ldap_set_option(ld, LDAP_OPT_CONNECT_CB, &readahead_cb))
		return -1;
	if (*c->dir_ca_file != '\0' &&
	    ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, c->dir_ca_file))
		return -1;
	return tls_context(ld, c);
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

/* The attribute user_filter matches the user ID with: "(uid=%s)" -> uid. */
int
dir_user_attribute(const char *filter, char *out, size_t size)
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

void
dir_strs_free(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}
