/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * args.c: module arguments.  An argument that is not understood is
 * remembered, not fatal: the caller logs it and switches the reset path
 * off, while the ordinary password path keeps working (a typo in a PAM
 * file must not lock everyone out).
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

void
args_parse(struct sspr_args *a, int argc, const char **argv)
{
	const char *v;
	int i;

	memset(a, 0, sizeof(*a));
	a->socket = SSPR_DEFAULT_SOCKET;
	a->daemon_user = SSPR_DEFAULT_DAEMON_USER;
	a->timeout = SSPR_DEFAULT_TIMEOUT;
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i];

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
		else if ((v = value_of(arg, "register")) != NULL &&
		    (strcmp(v, "no") == 0 || strcmp(v, "yes") == 0))
			a->no_register = strcmp(v, "no") == 0;
		else if ((v = value_of(arg, "lang")) != NULL &&
		    args_locale_ok(v))
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
		else if (a->bad == NULL)
			a->bad = arg;
	}
}
