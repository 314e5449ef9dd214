/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * passcmd.c: ssprctl pass issue|revoke|list, the helpdesk's one-time pass
 * (sspr-helperd/pass.h).  Unlike the rest of ssprctl this talks to the
 * directory itself, bound as the person at the helpdesk (their own DN
 * and password, the password from the terminal or a file descriptor,
 * never from argv): the directory's ACL decides who may issue, and its
 * log, the stored value and syslog name who did.  The daemon and its
 * service account take no part in issuing.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <ldap.h>

#include "cfg.h"
#include "pass.h"
#include "passcmd.h"
#include "wire.h"

#define PASS_ATTR	"ssprHelpdeskPass"
#define MIN_LIFETIME	300

static const char *const name_attrs[] = { "uid", "sAMAccountName", NULL };

/* --- the issuer's password ------------------------------------------- */

static int
read_line(int fd, struct secret *out)
{
	unsigned char ch;
	ssize_t n;

	out->len = 0;
	while ((n = read(fd, &ch, 1)) == 1 && ch != '\n') {
		if (out->len == SSPR_SECRET_MAX) {
			secret_wipe(out);
			return -1;
		}
		out->buf[out->len++] = ch;
	}
	if (n < 0) {
		secret_wipe(out);
		return -1;
	}
	if (out->len > 0 && out->buf[out->len - 1] == '\r')
		out->len--;
	out->buf[out->len] = '\0';
	return 0;
}

/* From --password-fd, else asked on the terminal without echo. */
static int
read_password(int fd, const char *who, struct secret *pw)
{
	struct termios old, quiet;
	int tty, r;

	if (fd >= 0)
		return read_line(fd, pw);
	if ((tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0) {
		fprintf(stderr, "ssprctl: no terminal to ask the password on; "
		    "use --password-fd\n");
		return -1;
	}
	dprintf(tty, "Directory password for %s: ", who);
	if (tcgetattr(tty, &old) != 0) {
		close(tty);
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	(void)tcsetattr(tty, TCSAFLUSH, &quiet);
	r = read_line(tty, pw);
	(void)tcsetattr(tty, TCSAFLUSH, &old);
	dprintf(tty, "\n");
	close(tty);
	return r;
}

/* --- the directory ----------------------------------------------------- */

static void
say_ldap(const char *what, LDAP *ld, int rc)
{
	char *diag = NULL;

	ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
	fprintf(stderr, "ssprctl: %s: %s%s%s%s\n", what, ldap_err2string(rc),
	    diag && *diag ? " (" : "", diag && *diag ? diag : "",
	    diag && *diag ? ")" : "");
	ldap_memfree(diag);
}

/* The first server of [directory] uri that answers, over TLS. */
static LDAP *
dial_dir(const struct cfg *c)
{
	struct timeval tv = { c->dir_timeout, 0 };
	int v3 = LDAP_VERSION3, demand = LDAP_OPT_X_TLS_DEMAND, zero = 0;
	LDAP *ld;
	int i, rc;

	for (i = 0; i < c->n_uris; i++) {
		if (ldap_initialize(&ld, c->uris[i]) != LDAP_SUCCESS)
			continue;
		if (ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3) ||
		    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) ||
		    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv) ||
		    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv) ||
		    ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) ||
		    (*c->dir_ca_file != '\0' && ldap_set_option(ld,
		    LDAP_OPT_X_TLS_CACERTFILE, c->dir_ca_file)) ||
		    ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &zero)) {
			ldap_unbind_ext_s(ld, NULL, NULL);
			continue;
		}
		/* a password is never sent in clear text */
		if (strncmp(c->uris[i], "ldap://", 7) == 0 &&
		    (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
			say_ldap(c->uris[i], ld, rc);
			ldap_unbind_ext_s(ld, NULL, NULL);
			continue;
		}
		return ld;
	}
	fprintf(stderr, "ssprctl: no directory server of [directory] uri "
	    "could be reached over TLS\n");
	return NULL;
}

/* [directory] user_filter with name, escaped, for its %s. */
static int
user_filter(const struct cfg *c, const char *name, char *out, size_t size)
{
	struct berval in = { strlen(name), (char *)name }, esc = { 0, NULL };
	const char *p;
	size_t o = 0, n;

	if (*name == '\0' || strlen(name) > SSPR_USER_MAX ||
	    ldap_bv2escaped_filter_value(&in, &esc) != 0)
		return -1;
	for (p = c->user_filter; *p != '\0'; p++) {
		if (p[0] == '%' && (p[1] == 's' || p[1] == '%')) {
			n = p[1] == 's' ? esc.bv_len : 1;
			if (o + n >= size)
				break;
			memcpy(out + o, p[1] == 's' ? esc.bv_val : "%", n);
			o += n;
			p++;
			continue;
		}
		if (o + 1 >= size)
			break;
		out[o++] = *p;
	}
	ber_memfree(esc.bv_val);
	if (*p != '\0')
		return -1;
	out[o] = '\0';
	return 0;
}

/* Is one of the entry's names (as the daemon reads them) excluded? */
static int
name_excluded(LDAP *ld, LDAPMessage *e, const struct cfglist *l)
{
	static const char *const names[] = { "uid", "sAMAccountName",
	    "userPrincipalName", NULL };
	struct berval **bv;
	int i, j, k, hit = 0;

	for (i = 0; names[i] != NULL && !hit; i++) {
		if ((bv = ldap_get_values_len(ld, e, names[i])) == NULL)
			continue;
		for (j = 0; bv[j] != NULL && !hit; j++)
			for (k = 0; k < l->n && !hit; k++)
				hit = strlen(l->item[k]) == bv[j]->bv_len &&
				    strncasecmp(l->item[k], bv[j]->bv_val,
				    bv[j]->bv_len) == 0;
		ldap_value_free_len(bv);
	}
	return hit;
}

/*
 * The one entry of user name (its DN in *dn, to free), or -1 having said
 * why.  adm, when not NULL, is set when AD marks the account protected
 * or one of its names is in [policy] exclude_users.
 */
static int
find_user(LDAP *ld, const struct cfg *c, const char *name, char **dn, int *adm)
{
	char filter[1024], *attrs[] = { "adminCount", "uid", "sAMAccountName",
	    "userPrincipalName", NULL };
	struct berval **bv;
	LDAPMessage *msg = NULL, *e;
	int rc, n;

	*dn = NULL;
	if (user_filter(c, name, filter, sizeof(filter)) != 0) {
		fprintf(stderr, "ssprctl: %s: not a user name\n", name);
		return -1;
	}
	rc = ldap_search_ext_s(ld, c->base, LDAP_SCOPE_SUBTREE, filter, attrs,
	    0, NULL, NULL, NULL, 2, &msg);
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
		say_ldap("search", ld, rc);
		ldap_msgfree(msg);
		return -1;
	}
	if ((n = ldap_count_entries(ld, msg)) != 1) {
		fprintf(stderr, "ssprctl: %s: %s\n", name, n == 0 ? "no such "
		    "account (or not one you may see)" : "more than one "
		    "account; refusing");
		ldap_msgfree(msg);
		return -1;
	}
	e = ldap_first_entry(ld, msg);
	*dn = ldap_get_dn(ld, e);
	if (adm != NULL && (bv = ldap_get_values_len(ld, e, "adminCount"))) {
		*adm = bv[0] != NULL && bv[0]->bv_len == 1 &&
		    bv[0]->bv_val[0] == '1';
		ldap_value_free_len(bv);
	}
	if (adm != NULL && name_excluded(ld, e, &c->exclude_users))
		*adm = 1;
	ldap_msgfree(msg);
	return *dn != NULL ? 0 : -1;
}

/*
 * The value is IA5 (ASCII): a DN's other bytes become RFC 4514 hex pairs
 * (cn=J\c3\bcrgen), which name the same entry.  -1 if it does not fit.
 */
static int
ascii_dn(char *dn, size_t size)
{
	char out[PASS_ISSUER_MAX + 1];
	const unsigned char *p;
	size_t o = 0;

	for (p = (const unsigned char *)dn; *p != '\0'; p++) {
		if (*p >= 0x20 && *p <= 0x7e) {
			if (o + 1 >= sizeof(out))
				return -1;
			out[o++] = (char)*p;
			continue;
		}
		if (o + 3 >= sizeof(out))
			return -1;
		o += (size_t)snprintf(out + o, sizeof(out) - o, "\\%02x", *p);
	}
	out[o] = '\0';
	if (o + 1 > size)
		return -1;
	memcpy(dn, out, o + 1);
	return 0;
}

/*
 * Simple bind as the person at the helpdesk.  as: a DN, a user@domain
 * (AD), or a user name looked up with user_filter (anonymously, so only
 * where the directory lets anonymous search).  The DN the directory says
 * we are (Who am I?) goes into issuer.
 */
static int
bind_issuer(LDAP *ld, const struct cfg *c, const char *as, int fd,
    char *issuer, size_t size)
{
	struct berval cred, *authz = NULL;
	struct secret pw;
	char *dn = NULL;
	const char *name = as;
	int rc;

	if (as == NULL || *as == '\0') {
		fprintf(stderr, "ssprctl: say who you are: --as DN (or your "
		    "user name, or user@domain on AD)\n");
		return -1;
	}
	if (strchr(as, '=') == NULL && strchr(as, '@') == NULL) {
		if (find_user(ld, c, as, &dn, NULL) != 0) {
			fprintf(stderr, "ssprctl: cannot find %s to bind as; "
			    "give your DN with --as\n", as);
			return -1;
		}
		name = dn;
	}
	if (read_password(fd, name, &pw) != 0 || pw.len == 0) {
		fprintf(stderr, "ssprctl: no password\n");
		secret_wipe(&pw);
		ldap_memfree(dn);
		return -1;
	}
	cred.bv_val = (char *)pw.buf;
	cred.bv_len = pw.len;
	rc = ldap_sasl_bind_s(ld, name, LDAP_SASL_SIMPLE, &cred, NULL, NULL,
	    NULL);
	secret_wipe(&pw);
	if (rc != LDAP_SUCCESS) {
		say_ldap(rc == LDAP_INVALID_CREDENTIALS ? "the directory did "
		    "not accept your name or password" : "bind", ld, rc);
		ldap_memfree(dn);
		return -1;
	}
	snprintf(issuer, size, "%s", name);
	if (ldap_whoami_s(ld, &authz, NULL, NULL) == LDAP_SUCCESS &&
	    authz != NULL && authz->bv_len > 3 && authz->bv_len - 3 < size &&
	    strncmp(authz->bv_val, "dn:", 3) == 0) {
		memcpy(issuer, authz->bv_val + 3, authz->bv_len - 3);
		issuer[authz->bv_len - 3] = '\0';
	}
	ber_bvfree(authz);
	ldap_memfree(dn);
	if (ascii_dn(issuer, size) != 0) {
		fprintf(stderr, "ssprctl: your DN is too long to be recorded "
		    "with a pass\n");
		return -1;
	}
	return 0;
}

/*
 * Is the account one a pass must not be issued for ([pass] for_admins =
 * no): exclude_users, AD's protected accounts, admin_group and
 * exclude_groups (direct members; nested ones on AD).  1 yes, 0 no, -1
 * cannot tell (a group the issuer may not read): treated as yes.
 */
static int
is_admin(LDAP *ld, const struct cfg *c, const char *user, const char *dn,
    int adm)
{
	const struct cfglist *lists[] = { &c->admin_groups, &c->exclude_groups };
	struct berval in, edn = { 0, NULL }, eu = { 0, NULL };
	char filter[4096], *attrs[] = { "1.1", NULL };
	LDAPMessage *msg;
	int i, j, rc, n, found = 0;

	for (i = 0; i < c->exclude_users.n; i++)
		if (strcasecmp(c->exclude_users.item[i], user) == 0)
			return 1;
	/* AD's adminCount, or one of the entry's names excluded */
	if (adm)
		return 1;
	in.bv_val = (char *)dn;
	in.bv_len = strlen(dn);
	if (ldap_bv2escaped_filter_value(&in, &edn) != 0)
		return -1;
	in.bv_val = (char *)user;
	in.bv_len = strlen(user);
	if (ldap_bv2escaped_filter_value(&in, &eu) != 0) {
		ber_memfree(edn.bv_val);
		return -1;
	}
	if (c->dir_type == DIR_AD)
		n = snprintf(filter, sizeof(filter),
		    "(member:1.2.840.113556.1.4.1941:=%s)", edn.bv_val);
	else
		n = snprintf(filter, sizeof(filter), "(|(member=%s)"
		    "(uniqueMember=%s)(memberUid=%s))", edn.bv_val, edn.bv_val,
		    eu.bv_val);
	ber_memfree(edn.bv_val);
	ber_memfree(eu.bv_val);
	if (n < 0 || (size_t)n >= sizeof(filter))
		return -1;
	for (j = 0; j < 2 && !found; j++)
		for (i = 0; i < lists[j]->n && !found; i++) {
			msg = NULL;
			rc = ldap_search_ext_s(ld, lists[j]->item[i],
			    LDAP_SCOPE_BASE, filter, attrs, 0, NULL, NULL,
			    NULL, 1, &msg);
			if (rc == LDAP_SUCCESS)
				found = ldap_count_entries(ld, msg) > 0;
			ldap_msgfree(msg);
			/* as the daemon: a group that is not there has none */
			if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT) {
				fprintf(stderr, "ssprctl: group %s: %s\n",
				    lists[j]->item[i], ldap_err2string(rc));
				return -1;
			}
		}
	return found;
}

/* "1h", "30m", "2d", "3600" -> seconds; -1 if not one. */
static long
parse_lifetime(const char *s)
{
	char *end;
	long n;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || n <= 0 || n > 10000000)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return n;
	if (strcmp(end, "m") == 0)
		return n * 60;
	if (strcmp(end, "h") == 0)
		return n * 3600;
	if (strcmp(end, "d") == 0)
		return n * 86400;
	return -1;
}

static void
utc(long long t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%d %H:%M UTC", &tm) == 0)
		snprintf(out, size, "%lld", t);
}

static int
modify(LDAP *ld, const char *dn, int op, const char *value, int add_class)
{
	char *vals[] = { (char *)value, NULL }, *cls[] = { "ssprAccount", NULL };
	LDAPMod mod = { .mod_op = op, .mod_type = PASS_ATTR,
	    .mod_values = value ? vals : NULL };
	LDAPMod oc = { .mod_op = LDAP_MOD_ADD, .mod_type = "objectClass",
	    .mod_values = cls };
	LDAPMod *mods[3] = { &mod, NULL, NULL };

	if (add_class) {
		mods[0] = &oc;
		mods[1] = &mod;
	}
	return ldap_modify_ext_s(ld, dn, mods, NULL, NULL);
}

static void
refused(const char *issuer, const char *what, const char *dn)
{
	fprintf(stderr, "ssprctl: the directory refused: %s may not %s "
	    "ssprHelpdeskPass of %s (the helpdesk's right: see "
	    "ldap-schema/README.md)\n", issuer, what, dn);
}

static int
pass_issue(LDAP *ld, const struct cfg *c, const struct pass_opts *o,
    const char *issuer)
{
	char *dn = NULL, text[PASS_TEXT_MAX], value[PASS_STORED_MAX + 1];
	char until[64];
	struct secret s;
	long life = c->pass_lifetime;
	long long expiry;
	int adm = 0, rc, r = 1;

	if (o->lifetime != NULL && ((life = parse_lifetime(o->lifetime)) <
	    MIN_LIFETIME || life > c->pass_max_lifetime)) {
		fprintf(stderr, "ssprctl: --lifetime %s: from 5m to [pass] "
		    "max_lifetime (%ds)\n", o->lifetime, c->pass_max_lifetime);
		return 2;
	}
	if (find_user(ld, c, o->user, &dn, &adm) != 0)
		return 1;
	if (!c->pass_for_admins) {
		switch (is_admin(ld, c, o->user, dn, adm)) {
		case 0:
			break;
		case 1:
			fprintf(stderr, "ssprctl: %s is an administrator or "
			    "excluded ([policy]); passes for them are off "
			    "([pass] for_admins = no)\n", o->user);
			goto out;
		default:
			fprintf(stderr, "ssprctl: cannot tell whether %s is "
			    "an administrator; refusing\n", o->user);
			goto out;
		}
	}
	expiry = (long long)time(NULL) + life;
	if (pass_new(text, sizeof(text)) != 0 || secret_set(&s, text,
	    strlen(text)) != 0 || pass_store(&s, expiry, issuer, value,
	    sizeof(value)) != 0) {
		fprintf(stderr, "ssprctl: could not make a pass\n");
		goto out;
	}
	rc = modify(ld, dn, LDAP_MOD_REPLACE, value, 0);
	/* an entry that never had a counter has no ssprAccount class yet */
	if (rc == LDAP_OBJECT_CLASS_VIOLATION)
		rc = modify(ld, dn, LDAP_MOD_REPLACE, value, 1);
	if (rc == LDAP_INSUFFICIENT_ACCESS)
		refused(issuer, "write", dn);
	else if (rc != LDAP_SUCCESS)
		say_ldap("write", ld, rc);
	else {
		utc(expiry, until, sizeof(until));
		printf("One-time pass for %s, valid once until %s:\n\n"
		    "    %s\n\nTell it to the person; it is not stored and "
		    "cannot be shown again.\n", o->user, until, text);
		syslog(LOG_AUTHPRIV | LOG_NOTICE, "pass issued for %s by %s, "
		    "valid until %s", dn, issuer, until);
		r = 0;
	}
out:
	explicit_bzero(text, sizeof(text));
	explicit_bzero(&s, sizeof(s));
	ldap_memfree(dn);
	return r;
}

static int
pass_revoke(LDAP *ld, const struct cfg *c, const struct pass_opts *o,
    const char *issuer)
{
	char *dn = NULL;
	int rc, r = 1;

	if (find_user(ld, c, o->user, &dn, NULL) != 0)
		return 1;
	rc = modify(ld, dn, LDAP_MOD_DELETE, NULL, 0);
	if (rc == LDAP_NO_SUCH_ATTRIBUTE) {
		printf("%s has no pass\n", o->user);
		r = 0;
	} else if (rc == LDAP_INSUFFICIENT_ACCESS)
		refused(issuer, "delete", dn);
	else if (rc != LDAP_SUCCESS)
		say_ldap("delete", ld, rc);
	else {
		printf("the pass of %s is revoked\n", o->user);
		syslog(LOG_AUTHPRIV | LOG_NOTICE, "pass of %s revoked by %s",
		    dn, issuer);
		r = 0;
	}
	ldap_memfree(dn);
	return r;
}

static char *
first_value(LDAP *ld, LDAPMessage *e, const char *attr)
{
	struct berval **bv = ldap_get_values_len(ld, e, attr);
	char *s = NULL;

	if (bv != NULL && bv[0] != NULL && bv[0]->bv_len <= PASS_STORED_MAX &&
	    (s = malloc(bv[0]->bv_len + 1)) != NULL) {
		memcpy(s, bv[0]->bv_val, bv[0]->bv_len);
		s[bv[0]->bv_len] = '\0';
		wire_text_clean(s, 0);	/* from the directory to a terminal */
	}
	ldap_value_free_len(bv);
	return s;
}

static char *
dup_or_die(const char *s)
{
	char *d = strdup(s);

	if (d == NULL) {
		perror("ssprctl");
		exit(1);
	}
	return d;
}

/* Who has a pass, until when and from whom; never the value itself. */
static int
pass_list(LDAP *ld, const struct cfg *c, const struct pass_opts *o)
{
	char *attrs[] = { PASS_ATTR, "uid", "sAMAccountName", NULL };
	char *v, *name, *dn, **cells, until[64];
	LDAPMessage *msg = NULL, *e;
	struct pass_info pi;
	long long now = time(NULL);
	int rc, i;

	rc = ldap_search_ext_s(ld, c->base, LDAP_SCOPE_SUBTREE,
	    "(" PASS_ATTR "=*)", attrs, 0, NULL, NULL, NULL, 0, &msg);
	if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
		say_ldap("search", ld, rc);
		ldap_msgfree(msg);
		return 1;
	}
	for (e = ldap_first_entry(ld, msg); e != NULL;
	    e = ldap_next_entry(ld, e)) {
		if ((v = first_value(ld, e, PASS_ATTR)) == NULL)
			continue;
		name = NULL;
		for (i = 0; name_attrs[i] != NULL && name == NULL; i++)
			name = first_value(ld, e, name_attrs[i]);
		dn = ldap_get_dn(ld, e);
		if ((cells = calloc(5, sizeof(*cells))) == NULL) {
			perror("ssprctl");
			exit(1);
		}
		cells[0] = dup_or_die(name ? name : "-");
		if (pass_parse(v, &pi) == 0) {
			utc(pi.expiry, until, sizeof(until));
			cells[1] = dup_or_die(until);
			cells[2] = dup_or_die(pi.expiry > now ? "valid" :
			    "expired");
			wire_text_clean(pi.issuer, 0);
			cells[3] = dup_or_die(pi.issuer);
		} else {
			cells[1] = dup_or_die("-");
			cells[2] = dup_or_die("unreadable");
			cells[3] = dup_or_die("-");
		}
		cells[4] = dup_or_die(dn ? dn : "-");
		wire_text_clean(cells[4], 0);
		o->row(o->ctx, cells);
		explicit_bzero(&pi, sizeof(pi));
		free(v);
		free(name);
		ldap_memfree(dn);
	}
	ldap_msgfree(msg);
	return 0;
}

int
pass_command(const struct cfg *c, const struct pass_opts *o)
{
	char issuer[PASS_ISSUER_MAX + 1];
	LDAP *ld;
	int r;

	openlog("ssprctl", LOG_PID, LOG_AUTHPRIV);
	if ((ld = dial_dir(c)) == NULL)
		return 1;
	if (bind_issuer(ld, c, o->as, o->password_fd, issuer,
	    sizeof(issuer)) != 0) {
		ldap_unbind_ext_s(ld, NULL, NULL);
		return 1;
	}
	if (strcmp(o->verb, "issue") == 0)
		r = pass_issue(ld, c, o, issuer);
	else if (strcmp(o->verb, "revoke") == 0)
		r = pass_revoke(ld, c, o, issuer);
	else
		r = pass_list(ld, c, o);
	ldap_unbind_ext_s(ld, NULL, NULL);
	return r;
}
