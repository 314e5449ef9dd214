/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cfg.c: sspr-helperd.conf -> struct cfg.  One table names every key, its
 * type, default and range; anything else in the file is an error, and
 * every error says FILE:LINE: [section] key: what is wrong.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "cfg.h"
#include "keys.h"
#include "totp.h"
#include "wire.h"

#define CFG_FILE_MAX	(64 * 1024)
#define CFG_LINE_MAX	1024

enum ktype { K_STR, K_PATH, K_INT, K_BOOL, K_UIDS, K_URIS, K_ENUM, K_DNS,
    K_WORDS, K_LINES };

struct kenum {
	const char	*name;
	int		 value;
};

static const struct kenum dir_types[] = {
	{ "openldap", DIR_OPENLDAP }, { "ad", DIR_AD }, { "auto", DIR_AUTO },
	{ "389ds", DIR_389 },
	{ NULL, 0 }
};
static const struct kenum enabled_modes[] = {
	{ "none", POLICY_NONE }, { "group", POLICY_GROUP }, { "all", POLICY_ALL },
	{ NULL, 0 }
};
static const struct kenum stores[] = {
	{ "directory", STORE_DIRECTORY }, { "file", STORE_FILE },
	{ "auto", STORE_AUTO }, { NULL, 0 }
};
static const struct kenum sms_methods[] = {
	{ "post", SMS_POST }, { "get", SMS_GET }, { NULL, 0 }
};
static const struct kenum mail_tls_modes[] = {
	{ "starttls", MAIL_TLS_STARTTLS }, { "implicit", MAIL_TLS_IMPLICIT },
	{ "none", MAIL_TLS_NONE }, { NULL, 0 }
};
static const struct kenum roles[] = {
	{ "local", ROLE_LOCAL }, { "relay", ROLE_RELAY },
	{ "reset-server", ROLE_SERVER }, { NULL, 0 }
};

struct key {
	const char		*section;
	const char		*name;
	enum ktype		 type;
	size_t			 off;
	const char		*def;	/* NULL: required */
	long			 min, max;
	const struct kenum	*enums;
};

#define O(f)	offsetof(struct cfg, f)

/* Every key, once.  conf/sspr-helperd.conf documents each of them. */
static const struct key keys[] = {
	{ "daemon", "socket", K_PATH, O(socket), "/run/sspr/helperd.sock", 0, 0, NULL },
	{ "daemon", "allowed_uids", K_UIDS, 0, "0", 0, 0, NULL },
	{ "daemon", "self_callers", K_BOOL, O(self_callers), "no", 0, 0, NULL },
	{ "daemon", "max_flows", K_INT, O(max_flows), "1024", 1, 100000, NULL },
	{ "daemon", "max_flows_per_uid", K_INT, O(max_flows_per_uid), "64", 1, 100000, NULL },
	{ "daemon", "idle_timeout", K_INT, O(idle_timeout), "300", 1, 3600, NULL },
	{ "daemon", "status_timeout", K_INT, O(status_timeout), "2", 1, 30, NULL },
	{ "daemon", "status_cache", K_INT, O(status_cache), "300", 0, 86400, NULL },
	{ "daemon", "debug", K_BOOL, O(debug), "no", 0, 0, NULL },

	{ "directory", "type", K_ENUM, O(dir_type), "openldap", 0, 0, dir_types },
	{ "directory", "uri", K_URIS, 0, NULL, 0, 0, NULL },
	{ "directory", "start_tls", K_BOOL, O(start_tls), "no", 0, 0, NULL },
	{ "directory", "tls_ca_file", K_PATH, O(dir_ca_file), "", 0, 0, NULL },
	{ "directory", "base", K_STR, O(base), NULL, 0, 0, NULL },
	{ "directory", "bind_dn", K_STR, O(bind_dn), NULL, 0, 0, NULL },
	{ "directory", "bind_password_file", K_PATH, O(bind_password_file), NULL, 0, 0, NULL },
	{ "directory", "user_filter", K_STR, O(user_filter), "", 0, 0, NULL },
	{ "directory", "recovery_mail_attribute", K_STR, O(mail_attr), "mail", 0, 0, NULL },
	{ "directory", "timeout", K_INT, O(dir_timeout), "10", 1, 300, NULL },
	{ "directory", "connections", K_INT, O(dir_connections), "4", 1, 64, NULL },
	{ "directory", "idle_timeout", K_INT, O(dir_idle_timeout), "300", 0, 86400, NULL },
	{ "directory", "unlock_on_reset", K_BOOL, O(unlock_on_reset), "yes", 0, 0, NULL },
	{ "directory", "clear_must_change", K_BOOL, O(clear_must_change), "yes", 0, 0, NULL },
	{ "directory", "enforce_history", K_BOOL, O(enforce_history), "yes", 0, 0, NULL },

	{ "mail", "smtp_url", K_STR, O(smtp_url), NULL, 0, 0, NULL },
	{ "mail", "tls", K_ENUM, O(mail_tls), "starttls", 0, 0, mail_tls_modes },
	{ "mail", "tls_ca_file", K_PATH, O(mail_ca_file), "", 0, 0, NULL },
	{ "mail", "username", K_STR, O(mail_username), "", 0, 0, NULL },
	{ "mail", "password_file", K_PATH, O(mail_password_file), "", 0, 0, NULL },
	{ "mail", "from", K_STR, O(mail_from), NULL, 0, 0, NULL },
	{ "mail", "template_dir", K_PATH, O(template_dir), "/etc/sspr/mail", 0, 0, NULL },
	{ "mail", "organisation", K_STR, O(mail_organisation), "", 0, 0, NULL },
	{ "mail", "helpdesk", K_STR, O(mail_helpdesk), "", 0, 0, NULL },
	{ "mail", "timeout", K_INT, O(mail_timeout), "30", 1, 300, NULL },
	{ "mail", "workers", K_INT, O(mail_workers), "4", 1, 64, NULL },
	{ "mail", "reuse_seconds", K_INT, O(mail_reuse_seconds), "30", 0, 300, NULL },
	{ "mail", "reuse_messages", K_INT, O(mail_reuse_messages), "100", 0, 10000, NULL },

	{ "code", "length", K_INT, O(code_length), "8", 6, 10, NULL },
	{ "code", "lifetime", K_INT, O(code_lifetime), "600", 10, 86400, NULL },
	{ "code", "max_attempts", K_INT, O(code_max_attempts), "5", 1, 10, NULL },

	{ "password", "tries", K_INT, O(password_tries), "3", 1, 10, NULL },
	{ "password", "min_length", K_INT, O(min_length), "8", 0, 256, NULL },
	{ "password", "max_length", K_INT, O(max_length), "256", 8, 512, NULL },
	{ "password", "pwquality", K_BOOL, O(pwquality), "yes", 0, 0, NULL },
	{ "password", "pwquality_conf", K_PATH, O(pwquality_conf), "", 0, 0, NULL },
	{ "password", "banned_words_file", K_PATH, O(banned_words_file), "", 0, 0, NULL },

	{ "throttle", "store", K_ENUM, O(throttle_store), "auto", 0, 0, stores },
	{ "throttle", "state_file", K_PATH, O(state_file), "/var/lib/sspr/throttle.state", 0, 0, NULL },
	{ "throttle", "codes_per_window", K_INT, O(codes_per_window), "10", 1, 50, NULL },
	{ "throttle", "code_window", K_INT, O(code_window), "600", 60, 86400, NULL },
	{ "throttle", "failures_per_window", K_INT, O(failures_per_window), "5", 1, 50, NULL },
	{ "throttle", "failure_window", K_INT, O(failure_window), "3600", 60, 86400, NULL },
	{ "throttle", "block_time", K_INT, O(block_time), "86400", 60, 604800, NULL },
	{ "throttle", "source_flows", K_INT, O(source_flows), "30", 1, 60, NULL },
	{ "throttle", "source_failures", K_INT, O(source_failures), "30", 1, 60, NULL },
	{ "throttle", "source_window", K_INT, O(source_window), "600", 60, 86400, NULL },

	{ "policy", "enabled", K_ENUM, O(enabled), "all", 0, 0, enabled_modes },
	{ "policy", "group", K_DNS, O(groups), "", 0, 0, NULL },
	{ "policy", "admin_group", K_DNS, O(admin_groups), "", 0, 0, NULL },
	{ "policy", "exclude_groups", K_DNS, O(exclude_groups), "", 0, 0, NULL },
	{ "policy", "exclude_users", K_WORDS, O(exclude_users), "", 0, 0, NULL },
	{ "policy", "min_uid", K_INT, O(min_uid), "1000", 0, 1000000, NULL },
	{ "policy", "methods_required", K_INT, O(methods_required), "1", 1, 2, NULL },
	{ "policy", "admin_methods_required", K_INT, O(admin_methods_required), "2", 1, 2, NULL },
	{ "policy", "allow_unlock", K_BOOL, O(allow_unlock), "yes", 0, 0, NULL },
	{ "policy", "human_check", K_WORDS, O(human_check), "kiosk remote", 0, 0, NULL },
	{ "policy", "kiosk_service", K_STR, O(kiosk_service), "sspr", 0, 0, NULL },
	{ "policy", "methods", K_WORDS, O(methods), "email", 0, 0, NULL },

	{ "notify", "enabled", K_BOOL, O(notify), "yes", 0, 0, NULL },
	{ "notify", "admin_address", K_STR, O(admin_address), "", 0, 0, NULL },

	{ "audit", "file", K_PATH, O(audit_file), "", 0, 0, NULL },

	{ "totp", "issuer", K_STR, O(totp_issuer), "", 0, 0, NULL },
	{ "totp", "window", K_INT, O(totp_window), "1", 0, 2, NULL },
	{ "totp", "key_file", K_PATH, O(totp_key_file), "/etc/sspr/totp.key", 0, 0, NULL },
	{ "totp", "old_key_files", K_WORDS, O(totp_old_key_files), "", 0, 0, NULL },

	{ "sms", "url", K_STR, O(sms_url), "", 0, 0, NULL },
	{ "sms", "method", K_ENUM, O(sms_method), "post", 0, 0, sms_methods },
	{ "sms", "content_type", K_STR, O(sms_content_type), "application/x-www-form-urlencoded", 0, 0, NULL },
	{ "sms", "body", K_STR, O(sms_body), "", 0, 0, NULL },
	{ "sms", "text", K_STR, O(sms_text), "Your password reset code is {code}. It is valid for {minutes} minutes.", 0, 0, NULL },
	{ "sms", "auth_header_file", K_PATH, O(sms_auth_header_file), "", 0, 0, NULL },
	{ "sms", "timeout", K_INT, O(sms_timeout), "10", 1, 60, NULL },
	{ "sms", "ca_file", K_PATH, O(sms_ca_file), "", 0, 0, NULL },
	{ "sms", "insecure", K_BOOL, O(sms_insecure), "no", 0, 0, NULL },

	{ "questions", "list", K_LINES, O(questions), "", 0, 0, NULL },
	{ "questions", "required", K_INT, O(questions_required), "3", 1, 10, NULL },
	{ "questions", "min_answer_length", K_INT, O(min_answer_length), "3", 1, 128, NULL },

	{ "register", "enabled", K_BOOL, O(reg_enabled), "no", 0, 0, NULL },
	{ "register", "reconfirm_days", K_INT, O(reconfirm_days), "365", 0, 3650, NULL },
	{ "register", "max_skips", K_INT, O(max_skips), "3", 0, 10, NULL },
	{ "register", "directory_mail", K_BOOL, O(directory_mail), "yes", 0, 0, NULL },

	{ "fleet", "role", K_ENUM, O(role), "local", 0, 0, roles },
	{ "fleet", "listen", K_STR, O(fleet_listen), "0.0.0.0:7477", 0, 0, NULL },
	{ "fleet", "servers", K_WORDS, O(fleet_servers), "", 0, 0, NULL },
	{ "fleet", "cert_file", K_PATH, O(fleet_cert), "", 0, 0, NULL },
	{ "fleet", "key_file", K_PATH, O(fleet_key), "", 0, 0, NULL },
	{ "fleet", "ca_file", K_PATH, O(fleet_ca), "", 0, 0, NULL },
	{ "fleet", "crl_file", K_PATH, O(fleet_crl), "", 0, 0, NULL },
	{ "fleet", "max_per_host", K_INT, O(fleet_max_per_host), "32", 1, 10000, NULL },
	{ "fleet", "max_connections", K_INT, O(fleet_max_conns), "1024", 1, 100000, NULL },
	{ "fleet", "host_flows", K_INT, O(fleet_host_flows), "60", 0, 60, NULL },
	{ "fleet", "admin_hosts", K_WORDS, O(fleet_admin_hosts), "", 0, 0, NULL },
	{ "fleet", "timeout", K_INT, O(fleet_timeout), "5", 1, 60, NULL },
};

#define NKEYS	(sizeof(keys) / sizeof(keys[0]))

static char *trim(char *);

struct parser {
	const char	*path;
	struct cfg	*cfg;
	int		 line[NKEYS];	/* where each key was set; 0 = default */
	char		*err;
	size_t		 errsize;
};

static int
fail(struct parser *ps, int lnr, const struct key *k, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
fail(struct parser *ps, int lnr, const struct key *k, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (k != NULL && lnr > 0)
		snprintf(ps->err, ps->errsize, "%s:%d: [%s] %s: %s", ps->path,
		    lnr, k->section, k->name, what);
	else if (k != NULL)
		snprintf(ps->err, ps->errsize, "%s: [%s] %s: %s", ps->path,
		    k->section, k->name, what);
	else
		snprintf(ps->err, ps->errsize, "%s:%d: %s", ps->path, lnr, what);
	return -1;
}

static char **
str_field(struct cfg *c, const struct key *k)
{
	return (char **)((char *)c + k->off);
}

static int *
int_field(struct cfg *c, const struct key *k)
{
	return (int *)((char *)c + k->off);
}

static int
parse_long(const char *v, long min, long max, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static int
set_uids(struct parser *ps, int lnr, const struct key *k, const char *v)
{
	char buf[CFG_LINE_MAX], *tok, *save = NULL;
	struct cfg *c = ps->cfg;
	struct passwd *pw;
	long n;

	snprintf(buf, sizeof(buf), "%s", v);
	c->n_allowed_uids = 0;
	for (tok = strtok_r(buf, " ,", &save); tok != NULL;
	    tok = strtok_r(NULL, " ,", &save)) {
		if (c->n_allowed_uids == CFG_MAX_UIDS)
			return fail(ps, lnr, k, "more than %d entries",
			    CFG_MAX_UIDS);
		if (parse_long(tok, 0, INT_MAX, &n) == 0)
			c->allowed_uids[c->n_allowed_uids++] = (uid_t)n;
		else if ((pw = getpwnam(tok)) != NULL)
			c->allowed_uids[c->n_allowed_uids++] = pw->pw_uid;
		else
			return fail(ps, lnr, k, "'%s' is neither a uid nor a "
			    "known user", tok);
	}
	if (c->n_allowed_uids == 0)
		return fail(ps, lnr, k, "empty list");
	return 0;
}

static int
set_uris(struct parser *ps, int lnr, const struct key *k, const char *v)
{
	char buf[CFG_LINE_MAX], *tok, *save = NULL;
	struct cfg *c = ps->cfg;

	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	    tok = strtok_r(NULL, " ", &save)) {
		if (c->n_uris == CFG_MAX_URIS)
			return fail(ps, lnr, k, "more than %d URIs",
			    CFG_MAX_URIS);
		if (strncmp(tok, "ldap://", 7) != 0 &&
		    strncmp(tok, "ldaps://", 8) != 0 &&
		    strncmp(tok, "ldapi://", 8) != 0)
			return fail(ps, lnr, k, "'%s' is not an ldap://, "
			    "ldaps:// or ldapi:// URI", tok);
		if ((c->uris[c->n_uris++] = strdup(tok)) == NULL)
			return fail(ps, lnr, k, "out of memory");
	}
	if (c->n_uris == 0)
		return fail(ps, lnr, k, "no URI given");
	return 0;
}

static struct cfglist *
list_field(struct cfg *c, const struct key *k)
{
	return (struct cfglist *)((char *)c + k->off);
}

static void
list_free(struct cfglist *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->item[i]);
	free(l->text);
	memset(l, 0, sizeof(*l));
}

/*
 * A line of text a person will read: what the wire carries (UTF-8 without
 * control, C1 or bidi characters) and not too long.
 */
static int
text_line_ok(const char *s)
{
	size_t n = strlen(s);

	return n <= CFG_QUESTION_MAX &&
	    wire_text_ok((const unsigned char *)s, n);
}

/*
 * K_DNS: DNs separated by ';' (a DN may hold spaces and commas).
 * K_WORDS: words separated by spaces or commas.
 * K_LINES: sentences separated by ';', or an absolute path: a file that
 * cfg_load reads, one per line.
 */
static int
set_list(struct parser *ps, int lnr, const struct key *k, const char *v)
{
	struct cfglist *l = list_field(ps->cfg, k);
	const char *sep = k->type == K_WORDS ? " ," : ";";
	char *copy, *tok, *save = NULL, *item;
	int r = 0;

	list_free(l);
	if ((l->text = strdup(v)) == NULL)
		return fail(ps, lnr, k, "out of memory");
	if (k->type == K_LINES && *v == '/')
		return 0;
	if ((copy = strdup(v)) == NULL)
		return fail(ps, lnr, k, "out of memory");
	for (tok = strtok_r(copy, sep, &save); tok != NULL && r == 0;
	    tok = strtok_r(NULL, sep, &save)) {
		item = trim(tok);
		if (*item == '\0')
			continue;
		if (l->n == (k->type == K_DNS ? CFG_MAX_GROUPS : CFG_MAX_WORDS))
			r = fail(ps, lnr, k, "too many entries");
		else if (k->type == K_DNS && strchr(item, '=') == NULL)
			r = fail(ps, lnr, k, "'%s' is not a DN", item);
		else if (k->type == K_LINES && !text_line_ok(item))
			r = fail(ps, lnr, k, "'%.40s...' is longer than %d "
			    "bytes, holds a control character or is not "
			    "UTF-8", item, CFG_QUESTION_MAX);
		else if ((l->item[l->n] = strdup(item)) == NULL)
			r = fail(ps, lnr, k, "out of memory");
		else
			l->n++;
	}
	free(copy);
	return r;
}

static int
set_value(struct parser *ps, int lnr, const struct key *k, const char *v)
{
	const struct kenum *e;
	long n;

	switch (k->type) {
	case K_PATH:
		if (*v != '\0' && *v != '/')
			return fail(ps, lnr, k, "must be an absolute path");
		/* FALLTHROUGH */
	case K_STR:
		free(*str_field(ps->cfg, k));
		if ((*str_field(ps->cfg, k) = strdup(v)) == NULL)
			return fail(ps, lnr, k, "out of memory");
		return 0;
	case K_INT:
		if (parse_long(v, k->min, k->max, &n) != 0)
			return fail(ps, lnr, k, "'%s' is not a number from "
			    "%ld to %ld", v, k->min, k->max);
		*int_field(ps->cfg, k) = (int)n;
		return 0;
	case K_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
			*int_field(ps->cfg, k) = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
			*int_field(ps->cfg, k) = 0;
		else
			return fail(ps, lnr, k, "'%s' is not yes or no", v);
		return 0;
	case K_ENUM:
		for (e = k->enums; e->name != NULL; e++)
			if (strcmp(v, e->name) == 0) {
				*int_field(ps->cfg, k) = e->value;
				return 0;
			}
		return fail(ps, lnr, k, "'%s' is not a known value", v);
	case K_UIDS:
		return set_uids(ps, lnr, k, v);
	case K_URIS:
		return set_uris(ps, lnr, k, v);
	case K_DNS:
	case K_WORDS:
	case K_LINES:
		return set_list(ps, lnr, k, v);
	}
	return fail(ps, lnr, k, "internal error");
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
parse_line(struct parser *ps, int lnr, char *line, char *section, size_t ssize)
{
	char *s = trim(line), *eq, *name, *value;
	size_t i;

	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *end = strchr(s, ']');

		if (end == NULL || end[1] != '\0')
			return fail(ps, lnr, NULL, "malformed section header");
		*end = '\0';
		for (i = 0; i < NKEYS; i++)
			if (strcmp(keys[i].section, s + 1) == 0)
				break;
		if (i == NKEYS)
			return fail(ps, lnr, NULL, "unknown section [%s]",
			    s + 1);
		snprintf(section, ssize, "%s", s + 1);
		return 0;
	}
	if ((eq = strchr(s, '=')) == NULL)
		return fail(ps, lnr, NULL, "expected 'key = value'");
	*eq = '\0';
	name = trim(s);
	value = trim(eq + 1);
	if (*section == '\0')
		return fail(ps, lnr, NULL, "'%s' outside any section", name);
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0)
			break;
	if (i == NKEYS)
		return fail(ps, lnr, NULL, "[%s] %s: unknown key", section,
		    name);
	if (ps->line[i] != 0)
		return fail(ps, lnr, &keys[i], "already set on line %d",
		    ps->line[i]);
	ps->line[i] = lnr;
	return set_value(ps, lnr, &keys[i], value);
}

static const struct key *
key_named(const char *section, const char *name, int *idx)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0) {
			*idx = (int)i;
			return &keys[i];
		}
	return NULL;
}

/* Fails at the line of section/name, or at its default. */
static int
fail_at(struct parser *ps, const char *section, const char *name,
    const char *what)
{
	int i = 0;
	const struct key *k = key_named(section, name, &i);

	return fail(ps, ps->line[i], k, "%s", what);
}

/* localhost, [::1] or an address in 127.0.0.0/8, and nothing else. */
int
cfg_loopback_url(const char *url)
{
	const char *h = strstr(url, "://");
	struct in_addr a;
	char host[64];
	size_t n;

	if (h == NULL)
		return 0;
	h += 3;
	if (strncmp(h, "[::1]", 5) == 0)
		return h[5] == '\0' || h[5] == ':' || h[5] == '/';
	n = strcspn(h, ":/");
	if (n >= sizeof(host))
		return 0;
	memcpy(host, h, n);
	host[n] = '\0';
	if (strcmp(host, "localhost") == 0)
		return 1;
	return inet_pton(AF_INET, host, &a) == 1 &&
	    (ntohl(a.s_addr) >> 24) == 127;
}

/*
 * Has url a user name or password in it (scheme://user:pw@host/)?  URLs
 * are logged and printed (start-up, --check, ssprctl status), and the
 * configuration file need not be secret: credentials go in their files.
 */
static int
url_userinfo(const char *url)
{
	const char *h = strstr(url, "://");

	if (h == NULL)
		return 0;
	h += 3;
	return memchr(h, '@', strcspn(h, "/?#")) != NULL;
}

static int
user_filter_ok(const char *f)
{
	int n = 0;

	for (; *f != '\0'; f++) {
		if (*f != '%')
			continue;
		if (f[1] == 's')
			n++;
		else if (f[1] != '%')
			return 0;
		f++;
	}
	return n == 1;
}

/* Is name one of the words of [policy] methods? */
int
cfg_method(const struct cfg *c, const char *name)
{
	int i;

	for (i = 0; i < c->methods.n; i++)
		if (strcmp(c->methods.item[i], name) == 0)
			return 1;
	return 0;
}

/*
 * How [sms] body values are escaped, from the media type of
 * content_type (parameters such as "; charset=utf-8" are allowed): JSON
 * string escaping or form (percent) encoding; -1 for any other type.
 */
int
cfg_sms_escape(const char *content_type)
{
	size_t n = strcspn(content_type, ";");
	const char *p;

	for (p = content_type; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return -1;
	while (n > 0 && content_type[n - 1] == ' ')
		n--;
	if (n == 16 && strncasecmp(content_type, "application/json", n) == 0)
		return SMS_ESC_JSON;
	if (n == 33 && strncasecmp(content_type,
	    "application/x-www-form-urlencoded", n) == 0)
		return SMS_ESC_FORM;
	return -1;
}

static int
validate_methods(struct parser *ps)
{
	static const char *const known[] = { "email", "totp", "sms",
	    "questions", NULL };
	struct cfg *c = ps->cfg;
	char what[200];
	int i, j, k;

	for (i = 0; i < c->methods.n; i++) {
		for (k = 0; known[k] != NULL; k++)
			if (strcmp(c->methods.item[i], known[k]) == 0)
				break;
		if (known[k] == NULL) {
			snprintf(what, sizeof(what), "'%.40s' is not a method: "
			    "email, totp, sms or questions", c->methods.item[i]);
			return fail_at(ps, "policy", "methods", what);
		}
		for (j = 0; j < i; j++)
			if (strcmp(c->methods.item[i], c->methods.item[j]) == 0) {
				snprintf(what, sizeof(what), "'%s' is listed "
				    "twice", c->methods.item[i]);
				return fail_at(ps, "policy", "methods", what);
			}
	}
	if (c->methods.n == 0)
		return fail_at(ps, "policy", "methods", "name at least one "
		    "method");
	if (c->methods_required > c->methods.n)
		return fail_at(ps, "policy", "methods_required", "is more than "
		    "the number of methods [policy] methods allows");
	if (cfg_method(c, "totp") && *c->totp_issuer == '\0')
		return fail_at(ps, "totp", "issuer", "methods includes totp: "
		    "set the name authenticator apps show (e.g. Example Corp)");
	if (!text_line_ok(c->totp_issuer))
		return fail_at(ps, "totp", "issuer", "holds a control character "
		    "or is too long");
	if (cfg_method(c, "totp") && *c->totp_key_file == '\0')
		return fail_at(ps, "totp", "key_file", "methods includes totp: "
		    "a key file is needed to seal the secrets");
	for (i = 0; i < c->totp_old_key_files.n; i++)
		if (c->totp_old_key_files.item[i][0] != '/')
			return fail_at(ps, "totp", "old_key_files", "must be "
			    "absolute paths");
	if (c->totp_old_key_files.n > 7)
		return fail_at(ps, "totp", "old_key_files", "at most 7 old keys");
	if (cfg_method(c, "questions") && *c->questions.text == '\0')
		return fail_at(ps, "questions", "list", "methods includes "
		    "questions: list the questions");
	if (cfg_method(c, "questions") && *c->questions.text != '/' &&
	    c->questions.n < c->questions_required)
		return fail_at(ps, "questions", "list", "fewer questions than "
		    "[questions] required");
	return 0;
}

static int
validate_sms(struct parser *ps)
{
	struct cfg *c = ps->cfg;
	int http = strncmp(c->sms_url, "http://", 7) == 0;

	if (cfg_method(c, "sms") && *c->sms_url == '\0')
		return fail_at(ps, "sms", "url", "methods includes sms: set the "
		    "gateway's URL");
	if (*c->sms_url == '\0')
		return 0;
	if (!http && strncmp(c->sms_url, "https://", 8) != 0)
		return fail_at(ps, "sms", "url", "must start with https://");
	if (!text_line_ok(c->sms_url) || strchr(c->sms_url, ' ') != NULL)
		return fail_at(ps, "sms", "url", "holds a space or a control "
		    "character");
	if (url_userinfo(c->sms_url))
		return fail_at(ps, "sms", "url", "holds a user name or password: "
		    "put the credential in auth_header_file");
	if (http && !cfg_loopback_url(c->sms_url))
		return fail_at(ps, "sms", "url", "http:// is allowed only to a "
		    "loopback address (codes would cross the network in clear "
		    "text)");
	if (http && !c->sms_insecure)
		return fail_at(ps, "sms", "url", "http:// needs insecure = yes "
		    "(and a loopback address)");
	if (!http && c->sms_insecure)
		return fail_at(ps, "sms", "insecure", "is only for an http:// "
		    "URL on a loopback address");
	if (http && *c->sms_ca_file != '\0')
		return fail_at(ps, "sms", "ca_file", "needs an https:// URL");
	if (cfg_sms_escape(c->sms_content_type) < 0)
		return fail_at(ps, "sms", "content_type", "must be "
		    "application/x-www-form-urlencoded or application/json");
	if (c->sms_method == SMS_POST && *c->sms_body == '\0')
		return fail_at(ps, "sms", "body", "method = post needs a body "
		    "template");
	if (c->sms_method == SMS_GET && *c->sms_body != '\0')
		return fail_at(ps, "sms", "body", "method = get sends no body: "
		    "leave it empty and put {to} and {text} in the url");
	if (strstr(c->sms_url, "{to}") == NULL &&
	    strstr(c->sms_body, "{to}") == NULL)
		return fail_at(ps, "sms", c->sms_method == SMS_GET ? "url" :
		    "body", "{to} (the phone number) appears nowhere");
	if (strstr(c->sms_url, "{text}") == NULL &&
	    strstr(c->sms_body, "{text}") == NULL)
		return fail_at(ps, "sms", c->sms_method == SMS_GET ? "url" :
		    "body", "{text} (the message) appears nowhere");
	if (strstr(c->sms_text, "{code}") == NULL)
		return fail_at(ps, "sms", "text", "must contain {code}");
	if (!text_line_ok(c->sms_text))
		return fail_at(ps, "sms", "text", "holds a control character "
		    "or is longer than 200 bytes");
	return 0;
}

/* Rules that tie keys together; run after the whole file is read. */
static int
validate(struct parser *ps)
{
	struct cfg *c = ps->cfg;
	char name[ADDR_NAME_MAX + 1];
	int i;

	if (*c->user_filter == '\0') {
		if (c->dir_type == DIR_AUTO)
			return fail_at(ps, "directory", "user_filter", "with "
			    "type = auto, set user_filter explicitly");
		free(c->user_filter);
		c->user_filter = strdup(c->dir_type == DIR_AD ?
		    "(&(objectClass=user)(sAMAccountName=%s))" :
		    "(&(objectClass=posixAccount)(uid=%s))");
		if (c->user_filter == NULL)
			return fail_at(ps, "directory", "user_filter",
			    "out of memory");
	}
	for (i = 0; i < c->n_uris; i++)
		if (strncmp(c->uris[i], "ldap://", 7) == 0 && !c->start_tls)
			return fail_at(ps, "directory", "uri", "ldap:// needs "
			    "start_tls = yes: passwords are never sent in "
			    "clear text");
	if (!user_filter_ok(c->user_filter))
		return fail_at(ps, "directory", "user_filter", "must contain "
		    "%s exactly once (write %% as %%%%)");
	if (strncmp(c->smtp_url, "smtp://", 7) != 0 &&
	    strncmp(c->smtp_url, "smtps://", 8) != 0)
		return fail_at(ps, "mail", "smtp_url", "must start with "
		    "smtp:// or smtps://");
	if (url_userinfo(c->smtp_url))
		return fail_at(ps, "mail", "smtp_url", "holds a user name or "
		    "password: use username and password_file");
	if (c->mail_tls == MAIL_TLS_IMPLICIT &&
	    strncmp(c->smtp_url, "smtps://", 8) != 0)
		return fail_at(ps, "mail", "tls", "implicit TLS needs an "
		    "smtps:// URL");
	if (c->mail_tls != MAIL_TLS_IMPLICIT &&
	    strncmp(c->smtp_url, "smtps://", 8) == 0)
		return fail_at(ps, "mail", "tls", "an smtps:// URL needs "
		    "tls = implicit");
	if (c->mail_tls == MAIL_TLS_NONE && !cfg_loopback_url(c->smtp_url))
		return fail_at(ps, "mail", "tls", "none is allowed only to a "
		    "loopback address (codes would cross the network in "
		    "clear text)");
	if (*c->mail_username != '\0' && *c->mail_password_file == '\0')
		return fail_at(ps, "mail", "username", "needs password_file");
	if (*c->mail_password_file != '\0' && *c->mail_username == '\0')
		return fail_at(ps, "mail", "password_file", "needs username");
	if (*c->mail_username != '\0' && c->mail_tls == MAIL_TLS_NONE)
		return fail_at(ps, "mail", "username", "SMTP authentication "
		    "needs TLS");
	if (addr_from_split(c->mail_from, name, sizeof(name), c->mail_from_addr,
	    sizeof(c->mail_from_addr)) != 0)
		return fail_at(ps, "mail", "from", "must be an address such as "
		    "sspr@example.org, or Display Name <sspr@example.org> "
		    "(the name without control characters, quotes, "
		    "backslashes or angle brackets, at most 128 bytes)");
	for (i = 0; i < c->human_check.n; i++)
		if (strcmp(c->human_check.item[i], "none") != 0 &&
		    strcmp(c->human_check.item[i], "kiosk") != 0 &&
		    strcmp(c->human_check.item[i], "remote") != 0 &&
		    strcmp(c->human_check.item[i], "local") != 0 &&
		    strcmp(c->human_check.item[i], "all") != 0)
			return fail_at(ps, "policy", "human_check", "words are "
			    "none, kiosk, remote, local or all");
	if (c->enabled == POLICY_GROUP && c->groups.n == 0)
		return fail_at(ps, "policy", "group", "enabled = group needs "
		    "the group's DN here");
	if (*c->admin_address != '\0' && !addr_valid(c->admin_address))
		return fail_at(ps, "notify", "admin_address", "must be one "
		    "plain address");
	if (c->min_length > c->max_length)
		return fail_at(ps, "password", "min_length", "is above "
		    "max_length");
	if (*c->mail_attr == '\0' || strpbrk(c->mail_attr, " ()=*") != NULL)
		return fail_at(ps, "directory", "recovery_mail_attribute",
		    "must be an attribute name");
	if (validate_methods(ps) != 0 || validate_sms(ps) != 0)
		return -1;
	return 0;
}

/* What a relay's file may hold: its socket and callers, and [fleet]. */
static int
relay_key(const struct key *k)
{
	return strcmp(k->section, "fleet") == 0 ||
	    strcmp(k->section, "daemon") == 0;
}

static int
is_relay(struct parser *ps)
{
	int i = 0;

	return key_named("fleet", "role", &i) != NULL && ps->line[i] != 0 &&
	    ps->cfg->role == ROLE_RELAY;
}

/* host:port or [v6]:port, the port 1..65535. */
static int
hostport_ok(const char *s)
{
	const char *colon = strrchr(s, ':');
	long port;

	if (colon == NULL || colon == s || strlen(s) > 300 ||
	    parse_long(colon + 1, 1, 65535, &port) != 0)
		return 0;
	return *s != '[' || colon[-1] == ']';
}

static int
validate_fleet(struct parser *ps)
{
	struct cfg *c = ps->cfg;
	int i;

	if (c->role == ROLE_LOCAL)
		return 0;
	if (*c->fleet_cert == '\0' || *c->fleet_key == '\0')
		return fail_at(ps, "fleet", "cert_file", "a relay and a reset "
		    "server need cert_file and key_file");
	if (*c->fleet_ca == '\0')
		return fail_at(ps, "fleet", "ca_file", "a relay and a reset "
		    "server need the fleet CA (peers are verified both ways)");
	if (c->role == ROLE_SERVER && !hostport_ok(c->fleet_listen))
		return fail_at(ps, "fleet", "listen", "must be ADDRESS:PORT");
	if (c->role == ROLE_RELAY && c->fleet_servers.n == 0)
		return fail_at(ps, "fleet", "servers", "a relay needs at least "
		    "one reset server (NAME:PORT)");
	for (i = 0; i < c->fleet_servers.n; i++)
		if (!hostport_ok(c->fleet_servers.item[i]))
			return fail_at(ps, "fleet", "servers", "each server is "
			    "NAME:PORT");
	return 0;
}

static int
parse_text(struct parser *ps, const char *text, size_t len)
{
	char line[CFG_LINE_MAX + 2], section[64] = "";
	size_t i, pos = 0, n;
	int lnr = 0, relay;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);

		n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		lnr++;
		if (n > CFG_LINE_MAX)
			return fail(ps, lnr, NULL, "line longer than %d bytes",
			    CFG_LINE_MAX);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (strlen(line) != n)
			return fail(ps, lnr, NULL, "NUL byte in line");
		pos += n + (nl != NULL);
		if (parse_line(ps, lnr, line, section, sizeof(section)) != 0)
			return -1;
	}
	relay = is_relay(ps);
	for (i = 0; i < NKEYS; i++) {
		if (ps->line[i] != 0 && relay && !relay_key(&keys[i]))
			return fail(ps, ps->line[i], &keys[i], "role = relay "
			    "holds no directory credential and sends no mail: "
			    "this key belongs in the reset servers' "
			    "configuration");
		if (ps->line[i] != 0)
			continue;
		if (keys[i].def == NULL && !relay)
			return fail(ps, 0, &keys[i], "required, but not set");
		if (keys[i].def == NULL && keys[i].type == K_URIS)
			continue;
		if (set_value(ps, 0, &keys[i], keys[i].def ? keys[i].def :
		    "") != 0)
			return -1;
	}
	if (validate_fleet(ps) != 0)
		return -1;
	return relay ? 0 : validate(ps);
}

static struct cfg *
cfg_new(const char *path)
{
	static unsigned long gens;
	struct cfg *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->refs = 1;
	c->gen = __atomic_add_fetch(&gens, 1, __ATOMIC_RELAXED);
	if ((c->path = strdup(path)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

/* Parses text as the file at path, without reading any secret file. */
struct cfg *
cfg_parse(const char *path, const char *text, size_t len, char *err,
    size_t errsize)
{
	struct parser ps = { .path = path, .err = err, .errsize = errsize };

	if ((ps.cfg = cfg_new(path)) == NULL) {
		snprintf(err, errsize, "%s: out of memory", path);
		return NULL;
	}
	if (parse_text(&ps, text, len) != 0) {
		cfg_unref(ps.cfg);
		return NULL;
	}
	return ps.cfg;
}

/*
 * The owner rule for every file the daemon trusts (the configuration,
 * the files it names, every secret): root, the user the daemon runs as,
 * or the packaged daemon user _sspr (so that root may run --check on a
 * host laid out for the unit).  Whoever owns a file can chmod it, so
 * anyone else could read the secret or rewrite the file whatever its
 * mode says now.  0 if st keeps the rule, else -1 with why naming path
 * and the rule.
 */
int
cfg_owner_ok(const char *path, const struct stat *st, char *why,
    size_t size)
{
	struct passwd pw, *res = NULL;
	char buf[1024];

	if (st->st_uid == 0 || st->st_uid == geteuid())
		return 0;
	if (getpwnam_r(SSPR_DAEMON_USER, &pw, buf, sizeof(buf), &res) == 0 &&
	    res != NULL && st->st_uid == pw.pw_uid)
		return 0;
	snprintf(why, size, "%s is owned by uid %u: it must belong to root, "
	    "to %s or to the user the daemon runs as (uid %u)", path,
	    (unsigned)st->st_uid, SSPR_DAEMON_USER, (unsigned)geteuid());
	return -1;
}

/*
 * Reads a secret from a file that only its owner may read: a bind
 * password readable by others is a directory-wide compromise waiting to
 * happen (cf. CVE-2009-1073 in nss_ldap), so the daemon will not start.
 */
static int
read_secret(struct parser *ps, const char *section, const char *name,
    const char *file, struct secret *out)
{
	char buf[SSPR_SECRET_MAX + 2], why[600];
	struct stat st;
	ssize_t n;
	int fd, r = -1;

	fd = open(file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(why, sizeof(why), "cannot open %s: %s", file,
		    strerror(errno));
		return fail_at(ps, section, name, why);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fail_at(ps, section, name, "not a regular file");
		goto out;
	}
	if ((st.st_mode & (S_IRWXO | S_IWGRP)) != 0) {
		fail_at(ps, section, name, "the file is readable or writable "
		    "by others (or writable by its group): chmod 600 it, or "
		    "640 with the daemon's group");
		goto out;
	}
	if (cfg_owner_ok(file, &st, why, sizeof(why)) != 0) {
		fail_at(ps, section, name, why);
		goto out;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0 || n > SSPR_SECRET_MAX) {
		fail_at(ps, section, name, "unreadable or longer than 512 "
		    "bytes");
		goto out;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n == 0 || memchr(buf, '\0', (size_t)n) != NULL ||
	    memchr(buf, '\n', (size_t)n) != NULL) {
		fail_at(ps, section, name, "the file must hold one non-empty "
		    "line");
		goto out;
	}
	secret_set(out, buf, (size_t)n);
	r = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	close(fd);
	return r;
}

static int
file_is_safe(struct parser *ps, int fd)
{
	struct stat st;
	char why[600];

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return fail(ps, 0, NULL, "not a regular file");
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return fail(ps, 0, NULL, "writable by group or others");
	if (cfg_owner_ok(ps->path, &st, why, sizeof(why)) != 0)
		return fail(ps, 0, NULL, "%s", why);
	return 0;
}

/*
 * [sms] auth_header_file: one HTTP header line, "Name: value".  The value
 * is a credential: it is never printed, and neither is this line.
 */
static int
read_auth_header(struct parser *ps)
{
	struct cfg *c = ps->cfg;
	const char *h;
	size_t n, i;

	if (read_secret(ps, "sms", "auth_header_file", c->sms_auth_header_file,
	    &c->sms_auth_header) != 0)
		return -1;
	h = secret_str(&c->sms_auth_header);
	n = strspn(h, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_");
	for (i = 0; i < c->sms_auth_header.len; i++)
		if ((unsigned char)h[i] < 0x20 || h[i] == 0x7f)
			break;
	if (n == 0 || h[n] != ':' || i != c->sms_auth_header.len)
		return fail_at(ps, "sms", "auth_header_file", "the file must "
		    "hold one header line such as 'Authorization: Bearer ...'");
	return 0;
}

/*
 * [questions] list = /path: one question per line; empty lines and lines
 * starting with # are skipped.  The file must not be writable by others.
 */
static int
read_questions(struct parser *ps)
{
	struct cfg *c = ps->cfg;
	struct cfglist *l = &c->questions;
	char *text, *line, *save = NULL, *q, what[600];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd, r = 0;

	fd = open(l->text, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(what, sizeof(what), "cannot open %s: %s", l->text,
		    strerror(errno));
		return fail_at(ps, "questions", "list", what);
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		close(fd);
		return fail_at(ps, "questions", "list", "the file must be a "
		    "regular file not writable by group or others");
	}
	if (cfg_owner_ok(l->text, &st, what, sizeof(what)) != 0) {
		close(fd);
		return fail_at(ps, "questions", "list", what);
	}
	if ((text = malloc(CFG_FILE_MAX)) == NULL) {
		close(fd);
		return fail_at(ps, "questions", "list", "out of memory");
	}
	while ((n = read(fd, text + len, CFG_FILE_MAX - 1 - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0 || len == CFG_FILE_MAX - 1 || memchr(text, '\0', len)) {
		free(text);
		return fail_at(ps, "questions", "list", "the file is "
		    "unreadable, too large or holds a NUL byte");
	}
	text[len] = '\0';
	for (line = strtok_r(text, "\n", &save); line != NULL && r == 0;
	    line = strtok_r(NULL, "\n", &save)) {
		q = trim(line);
		if (*q == '\0' || *q == '#')
			continue;
		if (l->n == CFG_MAX_WORDS)
			r = fail_at(ps, "questions", "list", "more than 64 "
			    "questions in the file");
		else if (!text_line_ok(q))
			r = fail_at(ps, "questions", "list", "a question in the "
			    "file is longer than 200 bytes or holds a control "
			    "character");
		else if ((l->item[l->n] = strdup(q)) == NULL)
			r = fail_at(ps, "questions", "list", "out of memory");
		else
			l->n++;
	}
	free(text);
	if (r == 0 && cfg_method(c, "questions") && l->n < c->questions_required)
		r = fail_at(ps, "questions", "list", "the file holds fewer "
		    "questions than [questions] required");
	return r;
}

/* Excludes the pages holding c's secrets from core dumps. */
static int
madvise_secret(struct cfg *c)
{
	long pg = sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)c & ~((uintptr_t)pg - 1);
	uintptr_t e = ((uintptr_t)(c + 1) + (uintptr_t)pg - 1) &
	    ~((uintptr_t)pg - 1);

	return madvise((void *)a, e - a, MADV_DONTDUMP);
}

/* Loads path, its secret files included.  NULL with err set on failure. */
struct cfg *
cfg_load(const char *path, char *err, size_t errsize)
{
	struct parser ps = { .path = path, .err = err, .errsize = errsize };
	char *text = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errsize, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (file_is_safe(&ps, fd) != 0)
		goto out;
	if ((text = malloc(CFG_FILE_MAX)) == NULL) {
		snprintf(err, errsize, "%s: out of memory", path);
		goto out;
	}
	while ((n = read(fd, text + len, CFG_FILE_MAX - len)) > 0)
		len += (size_t)n;
	if (n < 0 || len == CFG_FILE_MAX) {
		snprintf(err, errsize, "%s: unreadable or larger than %d "
		    "bytes", path, CFG_FILE_MAX);
		goto out;
	}
	if ((ps.cfg = cfg_new(path)) == NULL) {
		snprintf(err, errsize, "%s: out of memory", path);
		goto out;
	}
	/* the service account's password stays in RAM and out of cores */
	(void)mlock(ps.cfg, sizeof(*ps.cfg));
	(void)madvise_secret(ps.cfg);
	if (parse_text(&ps, text, len) != 0 || (ps.cfg->role != ROLE_RELAY &&
	    read_secret(&ps, "directory", "bind_password_file",
	    ps.cfg->bind_password_file, &ps.cfg->bind_password) != 0) ||
	    (*ps.cfg->mail_password_file != '\0' &&
	    read_secret(&ps, "mail", "password_file",
	    ps.cfg->mail_password_file, &ps.cfg->mail_password) != 0) ||
	    (*ps.cfg->sms_auth_header_file != '\0' &&
	    read_auth_header(&ps) != 0) ||
	    (*ps.cfg->questions.text == '/' && read_questions(&ps) != 0)) {
		cfg_unref(ps.cfg);
		ps.cfg = NULL;
	}
out:
	free(text);
	close(fd);
	return ps.cfg;
}

struct cfg *
cfg_ref(struct cfg *c)
{
	__atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
	return c;
}

void
cfg_unref(struct cfg *c)
{
	size_t i;
	int k;

	if (c == NULL || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	for (i = 0; i < NKEYS; i++)
		if (keys[i].type == K_STR || keys[i].type == K_PATH)
			free(*str_field(c, &keys[i]));
		else if (keys[i].type == K_DNS || keys[i].type == K_WORDS ||
		    keys[i].type == K_LINES)
			list_free(list_field(c, &keys[i]));
	for (k = 0; k < c->n_uris; k++)
		free(c->uris[k]);
	free(c->path);
	secret_wipe(&c->bind_password);
	secret_wipe(&c->mail_password);
	secret_wipe(&c->sms_auth_header);
	if (c->totp_keys != NULL) {
		/* keys.c's own pages; see keys_map_size() */
		explicit_bzero(c->totp_keys, keys_map_size());
		munmap(c->totp_keys, keys_map_size());
	}
	free(c);
}

/* The effective configuration, for --check; secrets are never printed. */
void
cfg_print(const struct cfg *c, FILE *fp)
{
	const char *section = "";
	size_t i;
	int k;

	for (i = 0; i < NKEYS; i++) {
		const struct key *key = &keys[i];
		const struct kenum *e;
		int v;

		if (strcmp(section, key->section) != 0) {
			fprintf(fp, "%s[%s]\n", i ? "\n" : "", key->section);
			section = key->section;
		}
		fprintf(fp, "%s = ", key->name);
		switch (key->type) {
		case K_STR:
		case K_PATH:
			fprintf(fp, "%s", *(char *const *)((const char *)c +
			    key->off));
			break;
		case K_DNS:
		case K_WORDS:
		case K_LINES:
			fprintf(fp, "%s", ((const struct cfglist *)((const char *)
			    c + key->off))->text);
			break;
		case K_INT:
		case K_BOOL:
		case K_ENUM:
			v = *(const int *)((const char *)c + key->off);
			if (key->type == K_INT)
				fprintf(fp, "%d", v);
			else if (key->type == K_BOOL)
				fprintf(fp, "%s", v ? "yes" : "no");
			else
				for (e = key->enums; e->name; e++)
					if (e->value == v)
						fprintf(fp, "%s", e->name);
			break;
		case K_UIDS:
			for (k = 0; k < c->n_allowed_uids; k++)
				fprintf(fp, "%s%u", k ? " " : "",
				    (unsigned)c->allowed_uids[k]);
			break;
		case K_URIS:
			for (k = 0; k < c->n_uris; k++)
				fprintf(fp, "%s%s", k ? " " : "", c->uris[k]);
			break;
		}
		fputc('\n', fp);
	}
}
