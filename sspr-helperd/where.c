/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * where.c: may a person register recovery methods from here?  Registering
 * is the weakest moment of the whole scheme (whoever knows the password
 * could add their own phone), so a site may allow it only through some
 * PAM services and from some places ([register] services, sources).  An
 * empty list allows everything: the rule is off by default.
 *
 * A source word is one of
 *   tty         no remote host named (PAM_RHOST empty): the console, a
 *               display manager, su on this machine
 *   tty:NAME    that terminal ("/dev/" ignored on both sides); a final
 *               '*' matches any rest: tty:tty* is every virtual console
 *   ADDRESS     an IPv4 or IPv6 address, or a network in CIDR form, that
 *               PAM_RHOST must hold literally (::ffff:a.b.c.d is a.b.c.d)
 *   NAME        a host name, equal to PAM_RHOST (case ignored).  A name
 *               is never resolved: whoever runs the DNS of the remote
 *               side would choose the answer.  A PAM_RHOST that is a
 *               name matches only a NAME written here, never a network.
 *
 * Only a caller in allowed_uids is believed about its service and
 * source; any other (self_callers) set them itself, so with a rule in
 * force it is refused.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfg.h"
#include "where.h"

#define WHERE_WORD_MAX	255

struct net {
	int		 family;
	unsigned char	 addr[16];
	int		 bits;
};

/* "10.0.0.0/8", "::1", "192.0.2.7": 0 and the network; -1 if not one. */
static int
net_parse(const char *s, struct net *n)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long bits;
	size_t len = strlen(s);

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len + 1);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash++ = '\0';
	memset(n, 0, sizeof(*n));
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->family = AF_INET;
		n->bits = 32;
	} else if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->family = AF_INET6;
		n->bits = 128;
	} else
		return -1;
	if (slash == NULL)
		return 0;
	if (!isdigit((unsigned char)*slash))
		return -1;
	bits = strtol(slash, &end, 10);
	if (*end != '\0' || bits < 0 || bits > n->bits)
		return -1;
	n->bits = (int)bits;
	return 0;
}

/*
 * An IPv4 address that came as ::ffff:a.b.c.d is that IPv4 address, and
 * a network written ::ffff:a.b.c.d/96+N is a.b.c.d/N.
 */
static void
net_unmap(struct net *n)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };

	if (n->family != AF_INET6 || n->bits < 96 ||
	    memcmp(n->addr, mapped, sizeof(mapped)) != 0)
		return;
	memmove(n->addr, n->addr + 12, 4);
	memset(n->addr + 4, 0, 12);
	n->family = AF_INET;
	n->bits -= 96;
}

static int
net_contains(const struct net *net, const struct net *host)
{
	int full = net->bits / 8, rest = net->bits % 8;
	unsigned char mask;

	if (net->family != host->family)
		return 0;
	if (memcmp(net->addr, host->addr, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (unsigned char)(0xff << (8 - rest));
	return (net->addr[full] & mask) == (host->addr[full] & mask);
}

/* Letters, digits, '-' and '.', as a host name has; not all digits. */
static int
host_name_ok(const char *s)
{
	int alpha = 0;

	if (*s == '\0' || strlen(s) > WHERE_WORD_MAX || *s == '.' || *s == '-')
		return 0;
	for (; *s != '\0'; s++) {
		if (isalpha((unsigned char)*s))
			alpha = 1;
		else if (!isdigit((unsigned char)*s) && *s != '-' && *s != '.')
			return 0;
	}
	return alpha;
}

static const char *
no_dev(const char *tty)
{
	return strncmp(tty, "/dev/", 5) == 0 ? tty + 5 : tty;
}

static int
tty_matches(const char *pattern, const char *tty)
{
	size_t n;

	pattern = no_dev(pattern);
	tty = no_dev(tty);
	if (*tty == '\0')
		return 0;
	n = strlen(pattern);
	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(pattern, tty, n - 1) == 0;
	return strcmp(pattern, tty) == 0;
}

/* The configuration's check of one word of [register] sources. */
int
where_source_valid(const char *w)
{
	struct net n;

	if (strcmp(w, "tty") == 0)
		return 1;
	if (strncmp(w, "tty:", 4) == 0) {
		w = no_dev(w + 4);
		/* '*' only at the end: a pattern, not a glob */
		return *w != '\0' && strlen(w) <= WHERE_WORD_MAX &&
		    (strchr(w, '*') == NULL || strchr(w, '*') == w +
		    strlen(w) - 1);
	}
	if (net_parse(w, &n) == 0)
		return 1;
	/* what looks like an address or a network must be a right one */
	if (strchr(w, '/') != NULL || strchr(w, ':') != NULL)
		return 0;
	return host_name_ok(w);
}

static int
source_matches(const char *w, const struct place *p)
{
	struct net net, host;
	int remote = *p->rhost != '\0';

	if (strcmp(w, "tty") == 0)
		return !remote;
	if (strncmp(w, "tty:", 4) == 0)
		return !remote && tty_matches(w + 4, p->tty);
	if (!remote)
		return 0;
	if (net_parse(w, &net) == 0) {
		/* a name in PAM_RHOST is no address: only NAME words match */
		if (strchr(p->rhost, '/') != NULL ||
		    net_parse(p->rhost, &host) != 0)
			return 0;
		net_unmap(&host);
		net_unmap(&net);
		return net_contains(&net, &host);
	}
	return strcasecmp(w, p->rhost) == 0;
}

static int
source_listed(const struct cfglist *l, const struct place *p)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (source_matches(l->item[i], p))
			return 1;
	return 0;
}

/*
 * 1 when p may register under these lists; an empty list does not limit.
 */
int
where_allowed(const struct cfglist *services, const struct cfglist *sources,
    const struct place *p)
{
	if (services->n == 0 && sources->n == 0)
		return 1;
	if (!p->vouched)
		return 0;
	if (services->n > 0 && !cfglist_has(services, p->service))
		return 0;
	if (sources->n > 0 && !source_listed(sources, p))
		return 0;
	return 1;
}
