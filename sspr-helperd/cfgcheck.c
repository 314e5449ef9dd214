/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cfgcheck.c: the rules that tie keys together, run once the whole file
 * is read: what a value means depends on another (tls = implicit needs an
 * smtps:// URL), and the refusals that keep secrets off the network
 * (ldap:// without start_tls, SMTP authentication without TLS, http://
 * for SMS off the loopback), whatever the single values allow.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "addr.h"
#include "cfg.h"
#include "cfgparse.h"
#include "sshkey.h"
#include "where.h"

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
	return cfglist_has(&c->methods, name);
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

/* [sshkey]: an attribute name (RFC 4512 descr), absolute programs. */
static int
validate_sshkey(struct parser *ps)
{
	const struct cfg *c = ps->cfg;
	const char *a = c->sshkey_attr;
	struct sshkey ca;
	int i;

	if (!isalpha((unsigned char)a[0]) || strlen(a) > 64 ||
	    a[strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-")] != '\0')
		return cfg_fail_at(ps, "sshkey", "attribute", "is not an "
		    "attribute name");
	for (i = 0; i < c->sshkey_sshd.n; i++)
		if (c->sshkey_sshd.item[i][0] != '/')
			return cfg_fail_at(ps, "sshkey", "sshd_paths", "must "
			    "be absolute paths");
	if (*c->sshkey_ca != '\0' && (sshkey_parse_authorized(c->sshkey_ca,
	    &ca) != 0 || strcmp(ca.type, "ssh-ed25519") != 0))
		return cfg_fail_at(ps, "sshkey", "cert_authority", "is not an "
		    "ssh-ed25519 public key (\"ssh-ed25519 BASE64\")");
	if (cfg_method(c, "sshkey") && (c->sshkey_sshd.n == 0 ||
	    c->sshkey_services.n == 0))
		return cfg_fail_at(ps, "sshkey", c->sshkey_sshd.n == 0 ?
		    "sshd_paths" : "services", "methods includes sshkey: "
		    "name sshd's program and PAM service");
	return 0;
}

static int
validate_methods(struct parser *ps)
{
	static const char *const known[] = { "email", "totp", "sms",
	    "questions", "pass", "rcodes", "sshkey", NULL };
	struct cfg *c = ps->cfg;
	char what[200];
	int i, j, k;

	for (i = 0; i < c->methods.n; i++) {
		for (k = 0; known[k] != NULL; k++)
			if (strcmp(c->methods.item[i], known[k]) == 0)
				break;
		if (known[k] == NULL) {
			snprintf(what, sizeof(what), "'%.40s' is not a method: "
			    "email, totp, sms, questions, pass, rcodes or sshkey",
			    c->methods.item[i]);
			return cfg_fail_at(ps, "policy", "methods", what);
		}
		for (j = 0; j < i; j++)
			if (strcmp(c->methods.item[i], c->methods.item[j]) == 0) {
				snprintf(what, sizeof(what), "'%s' is listed "
				    "twice", c->methods.item[i]);
				return cfg_fail_at(ps, "policy", "methods",
				    what);
			}
	}
	if (c->methods.n == 0)
		return cfg_fail_at(ps, "policy", "methods", "name at least one "
		    "method");
	if (c->methods_required > c->methods.n)
		return cfg_fail_at(ps, "policy", "methods_required", "is more "
		    "than the number of methods [policy] methods allows");
	if (cfg_method(c, "totp") && *c->totp_issuer == '\0')
		return cfg_fail_at(ps, "totp", "issuer", "methods includes "
		    "totp: set the name authenticator apps show (e.g. Example "
		    "Corp)");
	if (!cfg_text_line_ok(c->totp_issuer))
		return cfg_fail_at(ps, "totp", "issuer", "holds a control "
		    "character or is too long");
	if (cfg_method(c, "totp") && *c->totp_key_file == '\0')
		return cfg_fail_at(ps, "totp", "key_file", "methods includes "
		    "totp: a key file is needed to seal the secrets");
	if (validate_sshkey(ps) != 0)
		return -1;
	for (i = 0; i < c->totp_old_key_files.n; i++)
		if (c->totp_old_key_files.item[i][0] != '/')
			return cfg_fail_at(ps, "totp", "old_key_files", "must "
			    "be absolute paths");
	if (c->totp_old_key_files.n > 7)
		return cfg_fail_at(ps, "totp", "old_key_files", "at most 7 old "
		    "keys");
	if (cfg_method(c, "questions") && *c->questions.text == '\0')
		return cfg_fail_at(ps, "questions", "list", "methods includes "
		    "questions: list the questions");
	if (cfg_method(c, "questions") && *c->questions.text != '/' &&
	    c->questions.n < c->questions_required)
		return cfg_fail_at(ps, "questions", "list", "fewer questions "
		    "than [questions] required");
	return 0;
}

static int
validate_sms(struct parser *ps)
{
	struct cfg *c = ps->cfg;
	int http = strncmp(c->sms_url, "http://", 7) == 0;

	if (cfg_method(c, "sms") && *c->sms_url == '\0')
		return cfg_fail_at(ps, "sms", "url", "methods includes sms: "
		    "set the gateway's URL");
	if (*c->sms_url == '\0')
		return 0;
	if (!http && strncmp(c->sms_url, "https://", 8) != 0)
		return cfg_fail_at(ps, "sms", "url",
		    "must start with https://");
	if (!cfg_text_line_ok(c->sms_url) || strchr(c->sms_url, ' ') != NULL)
		return cfg_fail_at(ps, "sms", "url", "holds a space or a "
		    "control character");
	if (url_userinfo(c->sms_url))
		return cfg_fail_at(ps, "sms", "url", "holds a user name or "
		    "password: put the credential in auth_header_file");
	if (http && !cfg_loopback_url(c->sms_url))
		return cfg_fail_at(ps, "sms", "url", "http:// is allowed only "
		    "to a loopback address (codes would cross the network in "
		    "clear text)");
	if (http && !c->sms_insecure)
		return cfg_fail_at(ps, "sms", "url", "http:// needs insecure = "
		    "yes (and a loopback address)");
	if (!http && c->sms_insecure)
		return cfg_fail_at(ps, "sms", "insecure", "is only for an "
		    "http:// URL on a loopback address");
	if (http && *c->sms_ca_file != '\0')
		return cfg_fail_at(ps, "sms", "ca_file",
		    "needs an https:// URL");
	if (cfg_sms_escape(c->sms_content_type) < 0)
		return cfg_fail_at(ps, "sms", "content_type", "must be "
		    "application/x-www-form-urlencoded or application/json");
	if (c->sms_method == SMS_POST && *c->sms_body == '\0')
		return cfg_fail_at(ps, "sms", "body", "method = post needs a "
		    "body template");
	if (c->sms_method == SMS_GET && *c->sms_body != '\0')
		return cfg_fail_at(ps, "sms", "body", "method = get sends no "
		    "body: leave it empty and put {to} and {text} in the url");
	if (strstr(c->sms_url, "{to}") == NULL &&
	    strstr(c->sms_body, "{to}") == NULL)
		return cfg_fail_at(ps, "sms", c->sms_method == SMS_GET ? "url" :
		    "body", "{to} (the phone number) appears nowhere");
	if (strstr(c->sms_url, "{text}") == NULL &&
	    strstr(c->sms_body, "{text}") == NULL)
		return cfg_fail_at(ps, "sms", c->sms_method == SMS_GET ? "url" :
		    "body", "{text} (the message) appears nowhere");
	if (strstr(c->sms_text, "{code}") == NULL)
		return cfg_fail_at(ps, "sms", "text", "must contain {code}");
	if (!cfg_text_line_ok(c->sms_text))
		return cfg_fail_at(ps, "sms", "text", "holds a control "
		    "character or is longer than 200 bytes");
	return 0;
}

/*
 * NAME:PORT or [v6]:PORT, the port 1..65535: NAME (brackets off) into
 * host, *port at the PORT in s.  0, or -1 when s is not that.
 */
int
cfg_hostport(const char *s, char *host, size_t size, const char **port)
{
	const char *colon = strrchr(s, ':');
	size_t n;
	long p;

	if (colon == NULL || colon == s || strlen(s) > 300 ||
	    cfg_parse_long(colon + 1, 1, 65535, &p) != 0)
		return -1;
	n = (size_t)(colon - s);
	if (*s == '[') {
		if (colon[-1] != ']' || n < 3)
			return -1;
		s++;
		n -= 2;
	}
	if (n >= size)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	*port = colon + 1;
	return 0;
}

static int
hostport_ok(const char *s)
{
	char host[301];
	const char *port;

	return cfg_hostport(s, host, sizeof(host), &port) == 0;
}

static int
validate_fleet(struct parser *ps)
{
	struct cfg *c = ps->cfg;
	int i;

	if (c->role == ROLE_LOCAL)
		return 0;
	if (*c->fleet_cert == '\0' || *c->fleet_key == '\0')
		return cfg_fail_at(ps, "fleet", "cert_file", "a relay and a "
		    "reset server need cert_file and key_file");
	if (*c->fleet_ca == '\0')
		return cfg_fail_at(ps, "fleet", "ca_file", "a relay and a reset "
		    "server need the fleet CA (peers are verified both ways)");
	if (c->role == ROLE_SERVER && !hostport_ok(c->fleet_listen))
		return cfg_fail_at(ps, "fleet", "listen", "must be ADDRESS:PORT");
	if (c->role == ROLE_RELAY && c->fleet_servers.n == 0)
		return cfg_fail_at(ps, "fleet", "servers", "a relay needs at "
		    "least one reset server (NAME:PORT)");
	for (i = 0; i < c->fleet_servers.n; i++)
		if (!hostport_ok(c->fleet_servers.item[i]))
			return cfg_fail_at(ps, "fleet", "servers", "each server "
			    "is NAME:PORT");
	return 0;
}

/*
 * Rules that tie keys together; run after the whole file is read.  A
 * relay has only [daemon] and [fleet] (cfg_parse_text): the rest of the
 * rules are the reset servers'.
 */
int
cfg_check(struct parser *ps)
{
	struct cfg *c = ps->cfg;
	char name[ADDR_NAME_MAX + 1];
	int i;

	if (validate_fleet(ps) != 0)
		return -1;
	if (c->role == ROLE_RELAY)
		return 0;

	if (*c->user_filter == '\0') {
		if (c->dir_type == DIR_AUTO)
			return cfg_fail_at(ps, "directory", "user_filter",
			    "with type = auto, set user_filter explicitly");
		free(c->user_filter);
		c->user_filter = strdup(c->dir_type == DIR_AD ?
		    "(&(objectClass=user)(sAMAccountName=%s))" :
		    "(&(objectClass=posixAccount)(uid=%s))");
		if (c->user_filter == NULL)
			return cfg_fail_at(ps, "directory", "user_filter",
			    "out of memory");
	}
	for (i = 0; i < c->n_uris; i++)
		if (strncmp(c->uris[i], "ldap://", 7) == 0 && !c->start_tls)
			return cfg_fail_at(ps, "directory", "uri", "ldap:// "
			    "needs start_tls = yes: passwords are never sent "
			    "in clear text");
	if (!user_filter_ok(c->user_filter))
		return cfg_fail_at(ps, "directory", "user_filter", "must "
		    "contain %s exactly once (write %% as %%%%)");
	if (strncmp(c->smtp_url, "smtp://", 7) != 0 &&
	    strncmp(c->smtp_url, "smtps://", 8) != 0)
		return cfg_fail_at(ps, "mail", "smtp_url", "must start with "
		    "smtp:// or smtps://");
	if (url_userinfo(c->smtp_url))
		return cfg_fail_at(ps, "mail", "smtp_url", "holds a user name "
		    "or password: use username and password_file");
	if (c->mail_tls == MAIL_TLS_IMPLICIT &&
	    strncmp(c->smtp_url, "smtps://", 8) != 0)
		return cfg_fail_at(ps, "mail", "tls", "implicit TLS needs an "
		    "smtps:// URL");
	if (c->mail_tls != MAIL_TLS_IMPLICIT &&
	    strncmp(c->smtp_url, "smtps://", 8) == 0)
		return cfg_fail_at(ps, "mail", "tls", "an smtps:// URL needs "
		    "tls = implicit");
	if (c->mail_tls == MAIL_TLS_NONE && !cfg_loopback_url(c->smtp_url))
		return cfg_fail_at(ps, "mail", "tls", "none is allowed only to "
		    "a loopback address (codes would cross the network in "
		    "clear text)");
	if (*c->mail_username != '\0' && *c->mail_password_file == '\0')
		return cfg_fail_at(ps, "mail", "username",
		    "needs password_file");
	if (*c->mail_password_file != '\0' && *c->mail_username == '\0')
		return cfg_fail_at(ps, "mail", "password_file",
		    "needs username");
	if (*c->mail_username != '\0' && c->mail_tls == MAIL_TLS_NONE)
		return cfg_fail_at(ps, "mail", "username", "SMTP "
		    "authentication needs TLS");
	if (addr_from_split(c->mail_from, name, sizeof(name), c->mail_from_addr,
	    sizeof(c->mail_from_addr)) != 0)
		return cfg_fail_at(ps, "mail", "from", "must be an address "
		    "such as sspr@example.org, or Display Name "
		    "<sspr@example.org> (the name without control characters, "
		    "quotes, backslashes or angle brackets, at most 128 "
		    "bytes)");
	for (i = 0; i < c->human_check.n; i++)
		if (strcmp(c->human_check.item[i], "none") != 0 &&
		    strcmp(c->human_check.item[i], "kiosk") != 0 &&
		    strcmp(c->human_check.item[i], "remote") != 0 &&
		    strcmp(c->human_check.item[i], "local") != 0 &&
		    strcmp(c->human_check.item[i], "all") != 0)
			return cfg_fail_at(ps, "policy", "human_check", "words "
			    "are none, kiosk, remote, local or all");
	if (c->enabled == POLICY_GROUP && c->groups.n == 0)
		return cfg_fail_at(ps, "policy", "group", "enabled = group "
		    "needs the group's DN here");
	if (*c->admin_address != '\0' && !addr_valid(c->admin_address))
		return cfg_fail_at(ps, "notify", "admin_address", "must be one "
		    "plain address");
	if (c->min_length > c->max_length)
		return cfg_fail_at(ps, "password", "min_length", "is above "
		    "max_length");
	if (*c->mail_attr == '\0' || strpbrk(c->mail_attr, " ()=*") != NULL)
		return cfg_fail_at(ps, "directory", "recovery_mail_attribute",
		    "must be an attribute name");
	if (c->pass_lifetime > c->pass_max_lifetime)
		return cfg_fail_at(ps, "pass", "lifetime", "is above max_lifetime");
	for (i = 0; i < c->reg_sources.n; i++)
		if (!where_source_valid(c->reg_sources.item[i]))
			return cfg_fail_at(ps, "register", "sources", "words are "
			    "tty, tty:NAME, an address, a network "
			    "(10.0.0.0/8) or a host name");
	if (validate_methods(ps) != 0 || validate_sms(ps) != 0)
		return -1;
	return 0;
}
