/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * throttle.c: the limits of [throttle], applied to lists of event times.
 * Microsoft's defaults: 10 codes per 10 minutes; 5 wrong codes per hour,
 * then 24 hours blocked.  A new code never resets the failure count
 * (NIST SP 800-63B 3.1.3.2); only a successful reset clears it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "throttle.h"

/* Events in (now - window, now]. */
int
throttle_count(const long long *t, int n, long long now, long long window)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		if (t[i] > now - window && t[i] <= now)
			c++;
	return c;
}

/* After a new wrong code: has the account reached its failure limit? */
int
throttle_must_block(const struct cfg *c, const struct tstate *t,
    long long now)
{
	return throttle_count(t->fails, t->n_fails, now, c->failure_window) >=
	    c->failures_per_window;
}

int
throttle_account(const struct cfg *c, const struct tstate *t, long long now)
{
	if (t->blocked_until > now || throttle_must_block(c, t, now))
		return T_BLOCKED;
	if (throttle_count(t->sent, t->n_sent, now, c->code_window) >=
	    c->codes_per_window)
		return T_SEND_LIMIT;
	return T_OK;
}

/* A source: flows started and wrong codes, in one window. */
int
throttle_source(const struct cfg *c, const struct tstate *t, long long now)
{
	if (throttle_count(t->sent, t->n_sent, now, c->source_window) >=
	    c->source_flows ||
	    throttle_count(t->fails, t->n_fails, now, c->source_window) >=
	    c->source_failures)
		return T_SEND_LIMIT;
	return T_OK;
}

const char *
throttle_name(int v)
{
	switch (v) {
	case T_OK:		return "ok";
	case T_SEND_LIMIT:	return "too many codes sent";
	case T_BLOCKED:		return "blocked after wrong codes";
	default:		return "?";
	}
}

/*
 * A stored event: "<unix seconds>.<12 hex digits>".  The random part
 * keeps values unique, so two hosts adding an event in the same second
 * add two values, not one.
 */
void
tvalue_make(long long when, char *buf, size_t size)
{
	unsigned char r[6] = { 0 };

	(void)RAND_bytes(r, sizeof(r));
	snprintf(buf, size, "%lld.%02x%02x%02x%02x%02x%02x", when, r[0], r[1],
	    r[2], r[3], r[4], r[5]);
}

/* 0 and the time, or -1 for anything that is not such a value. */
int
tvalue_parse(const char *v, long long *when)
{
	char *end;
	long long t;

	t = strtoll(v, &end, 10);
	if (end == v || (*end != '\0' && *end != '.') || t <= 0 ||
	    strlen(v) > 40)
		return -1;
	*when = t;
	return 0;
}

/* Adds an event, dropping the oldest when the list is full. */
void
tstate_add(long long *t, int *n, long long when)
{
	int i, oldest = 0;

	if (*n < TS_MAX) {
		t[(*n)++] = when;
		return;
	}
	for (i = 1; i < *n; i++)
		if (t[i] < t[oldest])
			oldest = i;
	t[oldest] = when;
}

/* The longest window: events older than this count nowhere. */
long long
throttle_horizon(const struct cfg *c)
{
	long long w = c->code_window;

	if (c->failure_window > w)
		w = c->failure_window;
	if (c->source_window > w)
		w = c->source_window;
	return w;
}

/*
 * A source's key in the state file: "s:" and the terminal, or the remote
 * host.  An IPv6 host counts by its /64, the least a site or a customer
 * line is given, so one attacker cannot be a million sources; an IPv4
 * address (mapped ones too) or a host name counts as it is.
 */
void
throttle_source_key(char *key, size_t size, const char *source, int remote)
{
	struct in6_addr a;
	char buf[INET6_ADDRSTRLEN];

	if (*source == '\0')
		source = "-";
	if (!remote || inet_pton(AF_INET6, source, &a) != 1) {
		snprintf(key, size, "s:%s", source);
		return;
	}
	if (IN6_IS_ADDR_V4MAPPED(&a)) {
		inet_ntop(AF_INET, &a.s6_addr[12], buf, sizeof(buf));
		snprintf(key, size, "s:%s", buf);
		return;
	}
	memset(&a.s6_addr[8], 0, 8);
	inet_ntop(AF_INET6, &a, buf, sizeof(buf));
	snprintf(key, size, "s:%s/64", buf);
}
