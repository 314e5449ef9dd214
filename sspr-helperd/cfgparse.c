/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cfgparse.c: the text of sspr-helperd.conf, line by line: comments,
 * [section] headers, key = value, each value read by its type from
 * cfgkeys.c's table, then the defaults of the keys not set.  Every error
 * says FILE:LINE: [section] key: what is wrong.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "cfgkeys.h"
#include "cfgparse.h"
#include "wire.h"

int
cfg_fail(struct parser *ps, int lnr, const struct key *k, const char *fmt, ...)
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

int
cfg_parse_long(const char *v, long min, long max, long *out)
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
			return cfg_fail(ps, lnr, k, "more than %d entries",
			    CFG_MAX_UIDS);
		if (cfg_parse_long(tok, 0, INT_MAX, &n) == 0)
			c->allowed_uids[c->n_allowed_uids++] = (uid_t)n;
		else if ((pw = getpwnam(tok)) != NULL)
			c->allowed_uids[c->n_allowed_uids++] = pw->pw_uid;
		else
			return cfg_fail(ps, lnr, k, "'%s' is neither a uid nor "
			    "a known user", tok);
	}
	if (c->n_allowed_uids == 0)
		return cfg_fail(ps, lnr, k, "empty list");
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
			return cfg_fail(ps, lnr, k, "more than %d URIs",
			    CFG_MAX_URIS);
		if (strncmp(tok, "ldap://", 7) != 0 &&
		    strncmp(tok, "ldaps://", 8) != 0 &&
		    strncmp(tok, "ldapi://", 8) != 0)
			return cfg_fail(ps, lnr, k, "'%s' is not an ldap://, "
			    "ldaps:// or ldapi:// URI", tok);
		if ((c->uris[c->n_uris++] = strdup(tok)) == NULL)
			return cfg_fail(ps, lnr, k, "out of memory");
	}
	if (c->n_uris == 0)
		return cfg_fail(ps, lnr, k, "no URI given");
	return 0;
}

/*
 * A line of text a person will read: what the wire carries (UTF-8 without
 * control, C1 or bidi characters) and not too long.
 */
int
cfg_text_line_ok(const char *s)
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
	struct cfglist *l = cfg_list_field(ps->cfg, k);
	const char *sep = k->type == K_WORDS ? " ," : ";";
	char *copy, *tok, *save = NULL, *item;
	int r = 0;

	cfg_list_free(l);
	if ((l->text = strdup(v)) == NULL)
		return cfg_fail(ps, lnr, k, "out of memory");
	if (k->type == K_LINES && *v == '/')
		return 0;
	if ((copy = strdup(v)) == NULL)
		return cfg_fail(ps, lnr, k, "out of memory");
	for (tok = strtok_r(copy, sep, &save); tok != NULL && r == 0;
	    tok = strtok_r(NULL, sep, &save)) {
		item = cfg_trim(tok);
		if (*item == '\0')
			continue;
		if (l->n == (k->type == K_DNS ? CFG_MAX_GROUPS : CFG_MAX_WORDS))
			r = cfg_fail(ps, lnr, k, "too many entries");
		else if (k->type == K_DNS && strchr(item, '=') == NULL)
			r = cfg_fail(ps, lnr, k, "'%s' is not a DN", item);
		else if (k->type == K_LINES && !cfg_text_line_ok(item))
			r = cfg_fail(ps, lnr, k, "'%.40s...' is longer than %d "
			    "bytes, holds a control character or is not "
			    "UTF-8", item, CFG_QUESTION_MAX);
		else if ((l->item[l->n] = strdup(item)) == NULL)
			r = cfg_fail(ps, lnr, k, "out of memory");
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
			return cfg_fail(ps, lnr, k, "must be an absolute path");
		/* FALLTHROUGH */
	case K_STR:
		free(*cfg_str_field(ps->cfg, k));
		if ((*cfg_str_field(ps->cfg, k) = strdup(v)) == NULL)
			return cfg_fail(ps, lnr, k, "out of memory");
		return 0;
	case K_INT:
		if (cfg_parse_long(v, k->min, k->max, &n) != 0)
			return cfg_fail(ps, lnr, k, "'%s' is not a number from "
			    "%ld to %ld", v, k->min, k->max);
		*cfg_int_field(ps->cfg, k) = (int)n;
		return 0;
	case K_BOOL:
		if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
			*cfg_int_field(ps->cfg, k) = 1;
		else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
			*cfg_int_field(ps->cfg, k) = 0;
		else
			return cfg_fail(ps, lnr, k, "'%s' is not yes or no", v);
		return 0;
	case K_ENUM:
		for (e = k->enums; e->name != NULL; e++)
			if (strcmp(v, e->name) == 0) {
				*cfg_int_field(ps->cfg, k) = e->value;
				return 0;
			}
		return cfg_fail(ps, lnr, k, "'%s' is not a known value", v);
	case K_UIDS:
		return set_uids(ps, lnr, k, v);
	case K_URIS:
		return set_uris(ps, lnr, k, v);
	case K_DNS:
	case K_WORDS:
	case K_LINES:
		return set_list(ps, lnr, k, v);
	}
	return cfg_fail(ps, lnr, k, "internal error");
}

char *
cfg_trim(char *s)
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
	char *s = cfg_trim(line), *eq, *name, *value;
	int i;

	if (*s == '\0' || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *end = strchr(s, ']');

		if (end == NULL || end[1] != '\0')
			return cfg_fail(ps, lnr, NULL, "malformed section "
			    "header");
		*end = '\0';
		if (!cfg_section_known(s + 1))
			return cfg_fail(ps, lnr, NULL, "unknown section [%s]",
			    s + 1);
		snprintf(section, ssize, "%s", s + 1);
		return 0;
	}
	if ((eq = strchr(s, '=')) == NULL)
		return cfg_fail(ps, lnr, NULL, "expected 'key = value'");
	*eq = '\0';
	name = cfg_trim(s);
	value = cfg_trim(eq + 1);
	if (*section == '\0')
		return cfg_fail(ps, lnr, NULL, "'%s' outside any section",
		    name);
	if ((i = cfg_key_index(section, name)) < 0)
		return cfg_fail(ps, lnr, NULL, "[%s] %s: unknown key", section,
		    name);
	if (ps->line[i] != 0)
		return cfg_fail(ps, lnr, &cfg_keys[i], "already set on line %d",
		    ps->line[i]);
	ps->line[i] = lnr;
	return set_value(ps, lnr, &cfg_keys[i], value);
}

/* Fails at the line of section/name, or at its default. */
int
cfg_fail_at(struct parser *ps, const char *section, const char *name,
    const char *what)
{
	int i = cfg_key_index(section, name);

	if (i < 0)
		return cfg_fail(ps, 0, NULL, "%s", what);
	return cfg_fail(ps, ps->line[i], &cfg_keys[i], "%s", what);
}

/*
 * What a relay's file may hold: its socket and callers, [fleet], and
 * [audit] (what it forwarded, for ssprctl report activity on the host).
 */
static int
relay_key(const struct key *k)
{
	return strcmp(k->section, "fleet") == 0 ||
	    strcmp(k->section, "daemon") == 0 ||
	    strcmp(k->section, "audit") == 0;
}

static int
is_relay(const struct parser *ps)
{
	int i = cfg_key_index("fleet", "role");

	return i >= 0 && ps->line[i] != 0 && ps->cfg->role == ROLE_RELAY;
}

/*
 * The lines of text, then the default of every key the text left out.
 * A relay's file holds only [daemon] and [fleet]: any other key is
 * refused, and the required ones are not required.
 */
int
cfg_parse_text(struct parser *ps, const char *text, size_t len)
{
	char line[CFG_LINE_MAX + 2], section[64] = "";
	size_t i, pos = 0, n;
	int lnr = 0, relay;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);

		n = nl ? (size_t)(nl - (text + pos)) : len - pos;
		lnr++;
		if (n > CFG_LINE_MAX)
			return cfg_fail(ps, lnr, NULL, "line longer than %d "
			    "bytes", CFG_LINE_MAX);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (strlen(line) != n)
			return cfg_fail(ps, lnr, NULL, "NUL byte in line");
		pos += n + (nl != NULL);
		if (parse_line(ps, lnr, line, section, sizeof(section)) != 0)
			return -1;
	}
	relay = is_relay(ps);
	for (i = 0; i < cfg_nkeys; i++) {
		if (ps->line[i] != 0 && relay && !relay_key(&cfg_keys[i]))
			return cfg_fail(ps, ps->line[i], &cfg_keys[i], "role = "
			    "relay holds no directory credential and sends no "
			    "mail: this key belongs in the reset servers' "
			    "configuration");
		if (ps->line[i] != 0)
			continue;
		if (cfg_keys[i].def == NULL && !relay)
			return cfg_fail(ps, 0, &cfg_keys[i], "required, but "
			    "not set");
		if (cfg_keys[i].def == NULL && cfg_keys[i].type == K_URIS)
			continue;
		if (set_value(ps, 0, &cfg_keys[i], cfg_keys[i].def ?
		    cfg_keys[i].def : "") != 0)
			return -1;
	}
	return 0;
}
