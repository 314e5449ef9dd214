/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dir_probe.c: what the preflight asks of the directory (each server's
 * TLS and bind, the search, the schema, the service account's rights on
 * a probe user's entry), and whether ldap-schema/ is loaded, for
 * [throttle] store = auto.
 *
 * Rights are proved without changing anyone's entry.  slapd's back-mdb
 * honours the No-Op control (LDAP_CONTROL_NOOP): the modify is checked
 * against the ACLs and the schema, then not made, and answered
 * noOperation; a server without it answers unavailableCriticalExtension.
 * slapd has no effective-rights control by default, and a dedicated
 * account whose password the preflight resets would prove the right on
 * that entry only, not on the people's.
 * Active Directory names the attributes the bound account may write in
 * the probe user's allowedAttributesEffective.
 *
 * Runs on the main thread: before the loop starts (--check, start-up)
 * and, for dir_store_resolve, on a reload (the loop waits on it).  No
 * file-scope state.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dir_ldap.h"
#include "log.h"
#include "preflight.h"
#include "sspr_attrs.h"


/* What the directory store writes; ssprAccount is the class. */
static const char *const store_names[] = { SA_ACCOUNT, SA_CODE_SENT,
    SA_CODE_FAILURE, SA_BLOCKED_UNTIL, NULL };
static const char *const reg_names[] = { SA_RECOVERY_MAIL,
    SA_RECOVERY_PHONE, SA_TOTP_SECRET, SA_TOTP_LAST_STEP,
    SA_QUESTION_ANSWER, SA_REGISTERED_TIME, SA_REGISTRATION_SKIPS,
    SA_RECOVERY_CODE, NULL };
static const char *const pass_names[] = { SA_HELPDESK_PASS, NULL };

struct say {
	pf_line	*line;
	void	*arg;
};

static void
say(struct say *s, int level, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
say(struct say *s, int level, const char *fix, const char *fmt, ...)
{
	char what[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	s->line(s->arg, level, what, fix);
}

/* The server's own text for the last operation on ld, or "". */
static void
diag_of(LDAP *ld, char *out, size_t size)
{
	char *d = NULL;

	*out = '\0';
	if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &d) ==
	    LDAP_OPT_SUCCESS && d != NULL && *d != '\0')
		snprintf(out, size, " (%s)", d);
	ldap_memfree(d);
}

/* Does a subschema value (an attributeTypes or objectClasses one) name n? */
static int
names(const char *def, size_t len, const char *n)
{
	size_t nl = strlen(n), i;

	for (i = 0; i + nl + 2 <= len; i++)
		if (def[i] == '\'' && def[i + nl + 1] == '\'' &&
		    strncasecmp(def + i + 1, n, nl) == 0)
			return 1;
	return 0;
}

/*
 * Which names of each list in want[] the server's subschema defines: bit
 * i of found[k] for want[k][i].  One read of the subschema for all the
 * lists (AD's is megabytes).  -1 when the subschema cannot be read.
 */
static int
schema_read(LDAP *ld, int secs, const char *const *const *want, long *found)
{
	char *rattrs[] = { "subschemaSubentry", NULL }, *sattrs[] = {
	    "attributeTypes", "objectClasses", NULL }, *sub = NULL;
	struct timeval tv = { secs, 0 };
	LDAPMessage *msg = NULL, *e;
	struct berval **v;
	int i, j, k, l;

	if (ldap_search_ext_s(ld, "", LDAP_SCOPE_BASE, "(objectClass=*)",
	    rattrs, 0, NULL, NULL, &tv, 1, &msg) != LDAP_SUCCESS ||
	    (e = ldap_first_entry(ld, msg)) == NULL ||
	    (sub = dir_get_one(ld, e, "subschemaSubentry", NULL)) == NULL) {
		ldap_msgfree(msg);
		return -1;
	}
	ldap_msgfree(msg);
	msg = NULL;
	if (ldap_search_ext_s(ld, sub, LDAP_SCOPE_BASE,
	    "(objectClass=subschema)", sattrs, 0, NULL, NULL, &tv, 1, &msg) !=
	    LDAP_SUCCESS || (e = ldap_first_entry(ld, msg)) == NULL) {
		ldap_msgfree(msg);
		free(sub);
		return -1;
	}
	for (l = 0; want[l] != NULL; l++)
		found[l] = 0;
	for (k = 0; sattrs[k] != NULL; k++) {
		v = ldap_get_values_len(ld, e, sattrs[k]);
		for (i = 0; v != NULL && v[i] != NULL; i++)
			for (l = 0; want[l] != NULL; l++)
				for (j = 0; want[l][j] != NULL; j++)
					if (names(v[i]->bv_val, v[i]->bv_len,
					    want[l][j]))
						found[l] |= 1L << j;
		ldap_value_free_len(v);
	}
	ldap_msgfree(msg);
	free(sub);
	return 0;
}

/* Which of want[] the subschema defines: bit i for want[i]; -1. */
static long
schema_has(LDAP *ld, int secs, const char *const *want)
{
	const char *const *lists[] = { want, NULL };
	long found;

	return schema_read(ld, secs, lists, &found) == 0 ? found : -1;
}

/* The names of want[] whose bit is not in found, comma separated. */
static void
missing(const char *const *want, long found, char *out, size_t size)
{
	size_t o = 0;
	int i;

	*out = '\0';
	for (i = 0; want[i] != NULL && o < size; i++)
		if (!(found & (1L << i)))
			o += (size_t)snprintf(out + o, size - o, "%s%s",
			    o ? ", " : "", want[i]);
}

/*
 * [throttle] store = auto: STORE_DIRECTORY when the directory's schema
 * has ldap-schema/'s counters, STORE_FILE when it has not, -1 when no
 * server answered (why says which).  Each server is tried once, not
 * twice as dconn_open does: this runs before the daemon is ready.
 */
int
dir_store_auto(struct cfg *c, char *why, size_t whysize)
{
	char miss[256];
	LDAP *ld = NULL;
	long found = -1;
	int i;

	snprintf(why, whysize, "no server configured");
	for (i = 0; i < c->n_uris && ld == NULL; i++) {
		if (dir_connect_tls(&ld, c, i, why, whysize) != 0)
			continue;
		if (dir_bind_as(ld, c->bind_dn, secret_str(&c->bind_password),
		    c->bind_password.len, c->dir_timeout, NULL) !=
		    LDAP_SUCCESS) {
			snprintf(why, whysize, "the bind as %s failed",
			    c->bind_dn);
			ldap_unbind_ext_s(ld, NULL, NULL);
			ld = NULL;
		}
	}
	if (ld == NULL) {
		snprintf(miss, sizeof(miss), "%s", why);
		snprintf(why, whysize, "the directory did not answer (%s)",
		    miss);
		return -1;
	}
	found = schema_has(ld, c->dir_timeout, store_names);
	ldap_unbind_ext_s(ld, NULL, NULL);
	if (found < 0) {
		snprintf(why, whysize, "the directory's schema cannot be read");
		return -1;
	}
	if (found == (1L << 4) - 1) {
		snprintf(why, whysize, "ldap-schema/ is loaded");
		return STORE_DIRECTORY;
	}
	missing(store_names, found, miss, sizeof(miss));
	snprintf(why, whysize, "ldap-schema/ is not loaded (%s missing)", miss);
	return STORE_FILE;
}

/* What to do about a server that TLS or the bind failed on. */
static const char *
connect_fix(const struct cfg *c, int i, int rc)
{
	int starttls = strncmp(c->uris[i], "ldap://", 7) == 0;

	if (rc == LDAP_SERVER_DOWN && !starttls)
		return "nothing answers there, or its certificate is not "
		    "trusted: check the host and port, and that [directory] "
		    "tls_ca_file names the CA that signed the server's "
		    "certificate (and the URI's host name is in it)";
	if (rc == LDAP_SERVER_DOWN)
		return "nothing answers there: check the host and port in "
		    "[directory] uri, and that the server runs";
	if (rc == LDAP_CONNECT_ERROR)
		return "the TLS handshake failed: [directory] tls_ca_file "
		    "must name the CA that signed the server's certificate, "
		    "and the URI's host name must be in that certificate";
	if (starttls && rc > 0)
		return "the server refused StartTLS: configure TLS on the "
		    "server (OpenLDAP: olcTLSCertificateFile and "
		    "olcTLSCertificateKeyFile), or use an ldaps:// URI";
	return "see the error; the server's log says more";
}

/*
 * Each server on its own: TLS, then the bind as the service account.
 * Returns how many passed.
 */
static int
servers(struct cfg *c, struct say *s)
{
	char why[512], *diag = NULL;
	LDAP *ld;
	int i, rc, good = 0;

	for (i = 0; i < c->n_uris; i++) {
		ld = NULL;
		rc = dir_connect_tls(&ld, c, i, why, sizeof(why));
		if (rc == 0) {
			rc = dir_bind_as(ld, c->bind_dn,
			    secret_str(&c->bind_password),
			    c->bind_password.len, c->dir_timeout, &diag);
			if (rc == LDAP_INVALID_CREDENTIALS)
				say(s, PF_FAIL, "the password in [directory] "
				    "bind_password_file is not bind_dn's, or "
				    "bind_dn names no entry: set the file to "
				    "the service account's password (one line)",
				    "directory %s: bind as %s refused: %s",
				    c->uris[i], c->bind_dn,
				    ldap_err2string(rc));
			else if (rc == LDAP_SERVER_DOWN ||
			    rc == LDAP_CONNECT_ERROR) {
				/* ldaps://: libldap connects at the bind */
				say(s, PF_FAIL, connect_fix(c, i, rc),
				    "directory %s: TLS or connection failed: "
				    "%s", c->uris[i], ldap_err2string(rc));
			} else if (rc != LDAP_SUCCESS)
				say(s, PF_FAIL, "the server's log says why",
				    "directory %s: bind as %s failed: %s%s%s",
				    c->uris[i], c->bind_dn, ldap_err2string(rc),
				    diag ? ": " : "", diag ? diag : "");
			else {
				say(s, PF_OK, NULL, "directory %s: %s, bound "
				    "as %s", c->uris[i], strncmp(c->uris[i],
				    "ldap://", 7) == 0 ? "StartTLS" : "TLS",
				    c->bind_dn);
				good++;
			}
			ldap_memfree(diag);
			diag = NULL;
			ldap_unbind_ext_s(ld, NULL, NULL);
			continue;
		}
		say(s, PF_FAIL, connect_fix(c, i, rc), "directory %s: %s",
		    c->uris[i], why);
	}
	return good;
}

/* May the service account search under base at all? */
static int
base_search(struct dconn *dc, struct say *s)
{
	const struct cfg *c = dc->cfg;
	char *attrs[] = { "1.1", NULL }, diag[300];
	struct timeval tv = { c->dir_timeout, 0 };
	LDAPMessage *msg = NULL;
	int rc;

	rc = ldap_search_ext_s(dc->ld, c->base, LDAP_SCOPE_BASE,
	    "(objectClass=*)", attrs, 0, NULL, NULL, &tv, 1, &msg);
	ldap_msgfree(msg);
	diag_of(dc->ld, diag, sizeof(diag));
	if (rc == LDAP_SUCCESS) {
		say(s, PF_OK, NULL, "search: base %s found", c->base);
		return 0;
	}
	if (rc == LDAP_UNWILLING_TO_PERFORM ||
	    rc == LDAP_INSUFFICIENT_ACCESS)
		say(s, PF_FAIL, "allow bind_dn to search and read the people's "
		    "entries under [directory] base (OpenLDAP: an olcAccess "
		    "rule 'by dn.exact=\"BIND_DN\" read' on them, and no "
		    "olcRestrict or olcRequires that refuses its searches)",
		    "search: the directory refuses the service account's "
		    "searches: %s%s", ldap_err2string(rc), diag);
	else if (rc == LDAP_NO_SUCH_OBJECT)
		say(s, PF_FAIL, "set [directory] base to an entry that exists, "
		    "and let bind_dn read it", "search: base %s does not exist "
		    "or the service account may not see it", c->base);
	else
		say(s, PF_FAIL, "the server's log says why", "search under %s "
		    "failed: %s%s", c->base, ldap_err2string(rc), diag);
	return -1;
}

/* ldap-schema/ in the subschema, against what the configuration uses. */
static long
schema(struct dconn *dc, struct say *s)
{
	struct cfg *c = dc->cfg;
	char miss[512];
	const char *const *lists[] = { store_names, reg_names, pass_names,
	    NULL };
	long f[3], found, reg, pass;

	if (schema_read(dc->ld, c->dir_timeout, lists, f) != 0)
		f[0] = f[1] = f[2] = -1;
	found = f[0];
	reg = f[1];
	pass = f[2];
	if (found < 0) {
		say(s, PF_WARN, "let bind_dn read the rootDSE and the "
		    "subschema entry", "schema: the directory's schema cannot "
		    "be read");
		return -1;
	}
	missing(store_names, found, miss, sizeof(miss));
	if (*miss == '\0')
		say(s, PF_OK, NULL, "schema: ldap-schema/'s counters are "
		    "there (" SA_ACCOUNT ", " SA_CODE_SENT ", " SA_CODE_FAILURE ", "
		    SA_BLOCKED_UNTIL ")");
	else if (c->throttle_store == STORE_DIRECTORY && !c->store_auto)
		say(s, PF_FAIL, "load ldap-schema/ (see ldap-schema/README.md) "
		    "or set [throttle] store = file (or auto)", "schema: "
		    "[throttle] store = directory, and the directory lacks %s",
		    miss);
	else
		say(s, PF_WARN, "load ldap-schema/ (see ldap-schema/README.md) "
		    "so that every host shares the counters", "schema: the "
		    "directory lacks %s: store = auto keeps the counters in "
		    "this host's state file", miss);
	missing(reg_names, reg, miss, sizeof(miss));
	if (*miss != '\0' && (c->reg_enabled || cfg_method(c, "totp") ||
	    cfg_method(c, "sms") || cfg_method(c, "questions")))
		say(s, PF_FAIL, "load ldap-schema/ (see ldap-schema/README.md)",
		    "schema: registration and the methods configured need "
		    "%s, which the directory lacks", miss);
	missing(pass_names, pass, miss, sizeof(miss));
	if (*miss != '\0' && cfg_method(c, "pass"))
		say(s, PF_FAIL, "load ldap-schema/ (see ldap-schema/README.md)",
		    "schema: [policy] methods has pass, which needs %s; the "
		    "directory lacks it", miss);
	return found;
}

/* A modify under the No-Op control: proves a right, changes nothing. */
static int
noop_modify(struct dconn *dc, const char *dn, LDAPMod **mods, char *diag,
    size_t size)
{
	LDAPControl noop = { LDAP_CONTROL_NOOP, { 0, NULL }, 1 };
	LDAPControl perm = { LDAP_CONTROL_X_PERMISSIVE_MODIFY, { 0, NULL }, 0 };
	LDAPControl *ctrls[] = { &noop, &perm, NULL };
	int rc;

	rc = ldap_modify_ext_s(dc->ld, dn, mods, ctrls, NULL);
	diag_of(dc->ld, diag, size);
	return rc;
}

static void
right(struct say *s, int rc, const char *diag, const char *what,
    const char *fix)
{
	if (rc == LDAP_X_NO_OPERATION)
		say(s, PF_OK, NULL, "rights: the service account may write %s "
		    "(proved by a No-Op modify: nothing changed)", what);
	else if (rc == LDAP_INSUFFICIENT_ACCESS)
		say(s, PF_FAIL, fix, "rights: the service account may not "
		    "write %s: %s%s", what, ldap_err2string(rc), diag);
	else if (rc == LDAP_UNAVAILABLE_CRITICAL_EXTENSION)
		say(s, PF_WARN, "check the ACLs by hand, or reset the probe "
		    "user's password once as a test", "rights: the server "
		    "does not offer the No-Op control, so the right to write "
		    "%s cannot be proved without a change", what);
	else
		say(s, PF_FAIL, fix, "rights: a test write of %s was "
		    "refused: %s%s", what, ldap_err2string(rc), diag);
}

/*
 * OpenLDAP: the writes a reset makes, each under No-Op: a send counted
 * (as dir_counter_event writes it), the password replaced, a lock lifted.
 */
static void
openldap_rights(struct dconn *dc, const char *dn, long schema_found,
    struct say *s)
{
	const struct cfg *c = dc->cfg;
	char mark[] = "1.000000000000", pw[64], diag[300];
	char *ocv[] = { SA_ACCOUNT, NULL }, *sentv[] = { mark, NULL };
	char *pwv[] = { pw, NULL };
	LDAPMod oc = { LDAP_MOD_ADD, "objectClass", { .modv_strvals = ocv } };
	LDAPMod sent = { LDAP_MOD_ADD, SA_CODE_SENT,
	    { .modv_strvals = sentv } };
	LDAPMod pass = { LDAP_MOD_REPLACE, "userPassword",
	    { .modv_strvals = pwv } };
	LDAPMod lock = { LDAP_MOD_DELETE, "pwdAccountLockedTime",
	    { .modv_strvals = NULL } };
	LDAPMod *cmods[] = { &oc, &sent, NULL }, *pmods[] = { &pass, NULL };
	LDAPMod *lmods[] = { &lock, NULL };
	int rc;

	if (c->throttle_store == STORE_DIRECTORY && schema_found ==
	    (1L << 4) - 1) {
		rc = noop_modify(dc, dn, cmods, diag, sizeof(diag));
		right(s, rc, diag, "the counters (" SA_CODE_SENT ", objectClass "
		    SA_ACCOUNT ")", "grant bind_dn write on " SA_CODE_SENT ", "
		    SA_CODE_FAILURE ", " SA_BLOCKED_UNTIL " and on objectClass "
		    "val=" SA_ACCOUNT " (the olcAccess rules in "
		    "ldap-schema/README.md)");
	}
	/* a value no policy refuses for being short or simple: never set */
	snprintf(pw, sizeof(pw), "Preflight-%08lx-%08lx!x", random(),
	    random());
	rc = noop_modify(dc, dn, pmods, diag, sizeof(diag));
	explicit_bzero(pw, sizeof(pw));
	if (rc == LDAP_CONSTRAINT_VIOLATION)
		say(s, PF_WARN, "check the password policy and the ACLs by "
		    "hand", "rights: the password policy refused the test "
		    "password before its access was checked%s", diag);
	else
		right(s, rc, diag, "userPassword", "grant bind_dn write on "
		    "userPassword (olcAccess: to attrs=userPassword by "
		    "dn.exact=\"BIND_DN\" write)");
	if (!c->unlock_on_reset && !c->allow_unlock)
		return;
	rc = noop_modify(dc, dn, lmods, diag, sizeof(diag));
	right(s, rc == LDAP_NO_SUCH_ATTRIBUTE ? LDAP_X_NO_OPERATION : rc, diag,
	    "pwdAccountLockedTime (unlock)", "grant bind_dn write on "
	    "pwdAccountLockedTime, or set [directory] unlock_on_reset = no "
	    "and [policy] allow_unlock = no");
}

/* Active Directory: allowedAttributesEffective on the probe user. */
static void
ad_rights(struct dconn *dc, const char *dn, struct say *s)
{
	const struct cfg *c = dc->cfg;
	static const char *const need[] = { "pwdLastSet", "lockoutTime",
	    SA_CODE_SENT, SA_CODE_FAILURE, SA_BLOCKED_UNTIL, NULL };
	char *attrs[] = { "allowedAttributesEffective", NULL }, miss[300];
	struct timeval tv = { c->dir_timeout, 0 };
	LDAPMessage *msg = NULL, *e;
	struct berval **v;
	long found = 0;
	int i, j, n, pw = 0;

	n = c->throttle_store == STORE_DIRECTORY ? 5 : 2;
	if (ldap_search_ext_s(dc->ld, dn, LDAP_SCOPE_BASE, "(objectClass=*)",
	    attrs, 0, NULL, NULL, &tv, 1, &msg) != LDAP_SUCCESS ||
	    (e = ldap_first_entry(dc->ld, msg)) == NULL) {
		ldap_msgfree(msg);
		say(s, PF_WARN, "check the delegation by hand", "rights: "
		    "allowedAttributesEffective cannot be read");
		return;
	}
	v = ldap_get_values_len(dc->ld, e, "allowedAttributesEffective");
	for (i = 0; v != NULL && v[i] != NULL; i++) {
		for (j = 0; j < n; j++)
			if (v[i]->bv_len == strlen(need[j]) && strncasecmp(
			    v[i]->bv_val, need[j], v[i]->bv_len) == 0)
				found |= 1L << j;
		if (v[i]->bv_len == 9 && strncasecmp(v[i]->bv_val,
		    "unicodePwd", 9) == 0)
			pw = 1;
	}
	ldap_value_free_len(v);
	ldap_msgfree(msg);
	miss[0] = '\0';
	for (i = 0, j = 0; i < n; i++)
		if (!(found & (1L << i)))
			j += snprintf(miss + j, sizeof(miss) - (size_t)j,
			    "%s%s", j ? ", " : "", need[i]);
	if (*miss != '\0')
		say(s, PF_FAIL, "delegate to bind_dn, on the users' container: "
		    "Reset password, and Write on pwdLastSet, lockoutTime and "
		    "the sspr attributes (see README.md, Active Directory)",
		    "rights: the service account may not write %s", miss);
	else
		say(s, PF_OK, NULL, "rights: the service account may write "
		    "pwdLastSet, lockoutTime%s (allowedAttributesEffective)",
		    n > 2 ? " and the counters" : "");
	/* a reset is the Reset Password extended right, which this omits */
	if (!pw)
		say(s, PF_WARN, "make sure bind_dn has the Reset password "
		    "right on the users' container", "rights: unicodePwd is "
		    "not among the attributes it may write; a reset needs "
		    "the Reset password right, which that list does not show");
}

/* The probe user: found, with an address, and the rights on its entry. */
static void
probe(struct dconn *dc, const char *user, long schema_found, struct say *s)
{
	struct cfg *c = dc->cfg;
	struct dir_result res = { 0 };
	struct account acct = { 0 };

	if (dir_lookup(dc, c, user, &acct, &res) != 0) {
		if (res.status == DIR_UNAVAILABLE)
			say(s, PF_FAIL, "see the directory lines above",
			    "probe user %s: the directory did not answer: %s",
			    user, res.detail);
		else
			say(s, PF_FAIL, "check the name, [directory] base and "
			    "user_filter; if the entry exists, bind_dn may not "
			    "search or read it: grant it read on the people's "
			    "entries", "probe user %s: no entry matches "
			    "user_filter %s under %s", user, c->user_filter,
			    c->base);
		account_clear(&acct);
		return;
	}
	say(s, PF_OK, NULL, "probe user %s: %s", user, acct.dn);
	if (acct.mail != NULL || acct.reg_mail != NULL)
		say(s, PF_OK, NULL, "probe user %s: recovery address %s (%s)",
		    user, acct.reg_mail ? acct.reg_mail : acct.mail,
		    acct.reg_mail ? SA_RECOVERY_MAIL : c->mail_attr);
	else
		say(s, PF_FAIL, "give the account one address in [directory] "
		    "mail_attr, or let it register one", "probe user %s: no "
		    "recovery address (%s is missing, repeated or malformed)",
		    user, c->mail_attr);
	if (acct.excluded || !acct.in_scope)
		say(s, PF_WARN, "choose an ordinary account for --probe-user",
		    "probe user %s: [policy] keeps it from resetting (%s)",
		    user, acct.excluded ? "excluded" : "not in scope");
	if (strcmp(dc->ops->name, "ad") == 0)
		ad_rights(dc, acct.dn, s);
	else
		openldap_rights(dc, acct.dn, schema_found, s);
	account_clear(&acct);
}

/*
 * The directory's part of the preflight.  Every server is tried on its
 * own; the rest runs on the first that answers, as the daemon would.
 */
void
dir_preflight(struct cfg *c, const char *probe_user, pf_line *line,
    void *arg)
{
	struct say s = { line, arg };
	struct dir_result res = { 0 };
	struct dconn dc = { 0 };
	long found;

	/* no second bind with a wrong password: ppolicy may lock it out */
	if (servers(c, &s) == 0 || dconn_open(&dc, c, &res) != 0)
		return;
	say(&s, PF_OK, NULL, "directory: %s is %s", c->uris[dc.uri],
	    strcmp(dc.ops->name, "ad") == 0 ? "Active Directory" : "OpenLDAP");
	/* type = openldap: preflight.c said so already, offline */
	if (c->dir_type == DIR_AUTO && strcmp(dc.ops->name, "ad") != 0 &&
	    c->admin_groups.n == 0 && c->exclude_groups.n == 0)
		say(&s, PF_WARN, "set [policy] admin_group to the group of the "
		    "directory's administrators (they then need "
		    "admin_methods_required methods), or exclude_groups",
		    "policy: no admin rule on OpenLDAP: a directory "
		    "administrator can reset their password with one code");
	if (base_search(&dc, &s) != 0) {
		dconn_drop(&dc, 0);
		return;
	}
	found = schema(&dc, &s);
	if (probe_user == NULL || *probe_user == '\0')
		say(&s, PF_WARN, "run again with --probe-user NAME (an "
		    "ordinary account)", "probe user: none given: the user search, the "
		    "recovery address and the service account's rights were "
		    "not checked");
	else
		probe(&dc, probe_user, found, &s);
	dconn_drop(&dc, 0);
}

/*
 * [throttle] store = auto, at start and on every reload, before c is in
 * use: the directory store when the schema is there, else this host's
 * state file, said loudly.  A directory that does not answer now gets
 * the file too (the daemon starts while the directory is down, as with
 * any store); a reload checks again.
 */
void
dir_store_resolve(struct cfg *c)
{
	char why[400];
	int r;

	if (c->throttle_store != STORE_AUTO)
		return;
	c->store_auto = 1;
	r = dir_store_auto(c, why, sizeof(why));
	c->throttle_store = r == STORE_DIRECTORY ? STORE_DIRECTORY : STORE_FILE;
	if (r == STORE_DIRECTORY)
		snprintf(c->store_note, sizeof(c->store_note), "directory (%s)",
		    why);
	else
		snprintf(c->store_note, sizeof(c->store_note), "file, this "
		    "host only: %s; %s", why, r < 0 ? "a reload checks again" :
		    "load it, or set [throttle] store = file to silence this");
	log_msg(r == STORE_DIRECTORY ? LOG_INFO : LOG_WARNING,
	    "[throttle] store = auto: %s", c->store_note);
}
