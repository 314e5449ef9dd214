/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * args.c: module arguments, from the module line and from the config
 * file (/etc/security/pam_sspr.conf: the same words, one per line, so a
 * setting survives pam-auth-update and package upgrades).  The module
 * line wins.  A setting that is not understood is remembered, not fatal:
 * the caller logs it and switches the reset path off, while the ordinary
 * password path keeps working (a typo in a PAM file must not lock
 * everyone out).  Reading the file, and deciding whether to trust it, is
 * the caller's; this file only parses, so the unit test covers it all.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "sspr_proto.h"

static const char *
value_of(const char *arg, const char *key)
{
	size_t n = strlen(key);

	return strncmp(arg, key, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

static int
parse_seconds(const char *v, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || end == v || *end != '\0' || n < 5 || n > 3600)
		return -1;
	*out = (int)n;
	return 0;
}

/* A locale name such as nl_NL.UTF-8 or de_DE@euro, nothing that names a path. */
int
args_locale_ok(const char *v)
{
	size_t n = strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789_.@-");

	return n > 0 && v[n] == '\0' && n <= SSPR_LANG_MAX && v[0] != '.';
}

/* One setting; -1 when it is not understood. */
static int
set(struct sspr_args *a, const char *arg)
{
	const char *v;

	if (strcmp(arg, "debug") == 0)
		a->debug = 1;
	else if (strcmp(arg, "handoff") == 0)
		a->handoff = 1;
	else if (strcmp(arg, "reset_only") == 0)
		a->reset_only = 1;
	else if (strcmp(arg, "verify_first") == 0)
		a->verify_first = 1;
	else if (strcmp(arg, "use_authtok") == 0)
		a->use_authtok = 1;
	else if (strcmp(arg, "ask_new") == 0)
		a->ask_new = 1;
	else if ((v = value_of(arg, "register")) != NULL &&
	    (strcmp(v, "no") == 0 || strcmp(v, "yes") == 0))
		a->no_register = strcmp(v, "no") == 0;
	else if ((v = value_of(arg, "lang")) != NULL && args_locale_ok(v))
		a->lang = v;
	else if ((v = value_of(arg, "socket")) != NULL && *v == '/')
		a->socket = v;
	else if ((v = value_of(arg, "daemon_user")) != NULL && *v)
		a->daemon_user = v;
	else if ((v = value_of(arg, "helpdesk")) != NULL)
		a->helpdesk = v;
	else if ((v = value_of(arg, "timeout")) != NULL &&
	    parse_seconds(v, &a->timeout) == 0)
		;
	else
		return -1;
	return 0;
}

static void
remember_bad(struct sspr_args *a, const char *arg, int line)
{
	if (a->bad != NULL)
		return;
	a->bad = arg;
	a->bad_line = line;
}

/* The defaults, and which config file to read (conf=, else the default). */
void
args_init(struct sspr_args *a, int argc, const char **argv)
{
	const char *v;
	int i;

	memset(a, 0, sizeof(*a));
	a->socket = SSPR_DEFAULT_SOCKET;
	a->daemon_user = SSPR_DEFAULT_DAEMON_USER;
	a->timeout = SSPR_DEFAULT_TIMEOUT;
	a->conf = SSPR_DEFAULT_CONF;
	for (i = 0; i < argc; i++)
		if ((v = value_of(argv[i], "conf")) != NULL && *v == '/') {
			a->conf = v;
			a->conf_given = 1;
		}
}

/* The module line, after the file: what it says wins. */
void
args_argv(struct sspr_args *a, int argc, const char **argv)
{
	const char *v;
	int i;

	for (i = 0; i < argc; i++) {
		if ((v = value_of(argv[i], "conf")) != NULL && *v == '/')
			continue;
		if (set(a, argv[i]) != 0)
			remember_bad(a, argv[i], 0);
	}
}

void
args_parse(struct sspr_args *a, int argc, const char **argv)
{
	args_init(a, argc, argv);
	args_argv(a, argc, argv);
}

static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

/* "key = value" as admins write it becomes "key=value", in place. */
static void
join_equals(char *w)
{
	char *eq = strchr(w, '='), *k, *v;

	if (eq == NULL)
		return;
	for (k = eq; k > w && (k[-1] == ' ' || k[-1] == '\t'); k--)
		;
	for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
		;
	*k++ = '=';
	memmove(k, v, strlen(v) + 1);
}

/* [SERVICE]: the settings below apply to that PAM service only. */
static int
section(char *w, const char **name)
{
	size_t n = strlen(w);

	if (w[0] != '[')
		return 0;
	if (n < 3 || w[n - 1] != ']' || strcspn(w + 1, "[] \t") != n - 2)
		return -1;
	w[n - 1] = '\0';
	*name = w + 1;
	return 1;
}

/*
 * The config file, which the caller has read into a->text: one setting
 * per line, '#' comments, "[SERVICE]" sections.  The words end up
 * pointing into a->text.  -1 (and a->bad set) when any line is not
 * understood, also one of another service's section: a typo is found
 * wherever it is.
 */
int
args_conf(struct sspr_args *a, const char *service)
{
	struct sspr_args scratch;
	const char *sect = NULL;
	char *line, *next, *w;
	int lnr = 0, words = 0, r;

	memset(&scratch, 0, sizeof(scratch));
	for (line = a->text; line != NULL && *line != '\0'; line = next) {
		lnr++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strlen(line) > SSPR_CONF_LINE) {
			remember_bad(a, "(line too long)", lnr);
			continue;
		}
		for (w = line; *w != '\0'; w++)
			if (((unsigned char)*w < 0x20 || *w == 0x7f) &&
			    *w != '\t')
				break;
		if (*w != '\0') {
			remember_bad(a, "(control character)", lnr);
			continue;
		}
		w = trim(line);
		if (*w == '\0' || *w == '#')
			continue;
		if ((r = section(w, &sect)) != 0) {
			if (r < 0)
				remember_bad(a, w, lnr);
			continue;
		}
		join_equals(w);
		if (++words > SSPR_CONF_WORDS) {
			remember_bad(a, "(too many settings)", lnr);
			break;
		}
		if (value_of(w, "conf") != NULL)
			r = -1;
		else if (sect == NULL || (service != NULL &&
		    strcmp(sect, service) == 0))
			r = set(a, w);
		else
			r = set(&scratch, w);
		if (r != 0)
			remember_bad(a, w, lnr);
	}
	return a->bad != NULL ? -1 : 0;
}
