/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sspr-helperd/state.c's table when it is full: a new
 * source is still counted (the least harmful source is forgotten), a
 * source with failures or a block outlives quiet ones, accounts are never
 * forgotten; and of throttle.c's source keys (IPv6 by /64).  Also prints
 * what filling the table costs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "state.h"
#include "throttle.h"

#define HORIZON		86400

static char	dir[] = "/tmp/test_state.XXXXXX";
static char	file[64];

static void
source(char *key, size_t size, const char *tag, int i)
{
	snprintf(key, size, "s:%s-%d", tag, i);
}

static int
present(const char *key)
{
	struct tstate t;

	state_get(key, &t);
	return t.n_sent + t.n_fails > 0 || t.blocked_until > 0;
}

/*
 * Empties the table between tests: with a horizon of 0 every event is
 * old, and the next write drops entries with nothing left in them.
 */
static int
empty_table(void **st)
{
	(void)st;
	state_set_horizon(0);
	state_event("s:flush", STATE_SENT, time(NULL), NULL);
	assert_int_equal(state_sync(5000), 0);
	state_set_horizon(HORIZON);
	return 0;
}

static void
test_full_table_counts_new_source(void **st)
{
	long long now = time(NULL);
	struct tstate t;
	char key[64];
	int i;

	(void)st;
	state_set_max_entries(1000);
	for (i = 0; i < 1000; i++) {
		source(key, sizeof(key), "full", i);
		assert_int_equal(state_event(key, STATE_SENT, now, NULL), 0);
	}
	assert_int_equal(state_event("s:newcomer", STATE_SENT, now, &t), 0);
	assert_int_equal(t.n_sent, 1);
	assert_true(present("s:newcomer"));
	/* and so on: every new source is counted, never refused */
	for (i = 0; i < 5000; i++) {
		source(key, sizeof(key), "more", i);
		assert_int_equal(state_event(key, STATE_SENT, now, NULL), 0);
	}
}

static void
test_harmful_sources_kept(void **st)
{
	long long now = time(NULL);
	char key[64];
	int i;

	(void)st;
	state_set_max_entries(200);
	/* oldest of all: idleness alone does not make them go first */
	for (i = 0; i < 3; i++)
		state_event("s:guesser", STATE_FAIL, now - 3000, NULL);
	state_block("s:blocked", now + 3600);
	for (i = 0; i < 198; i++) {
		source(key, sizeof(key), "quiet", i);
		state_event(key, STATE_SENT, now - 2000 + i, NULL);
	}
	for (i = 0; i < 1000; i++) {
		source(key, sizeof(key), "flood", i);
		assert_int_equal(state_event(key, STATE_SENT, now, NULL), 0);
	}
	assert_true(present("s:guesser"));
	assert_true(present("s:blocked"));
	/* the quiet ones idle longest went before the flood's own */
	source(key, sizeof(key), "quiet", 0);
	assert_false(present(key));
	source(key, sizeof(key), "flood", 999);
	assert_true(present(key));
	state_clear("s:blocked");	/* a block outlives empty_table */
}

static void
test_accounts_never_evicted(void **st)
{
	char key[64], acct[STATE_ACCOUNT_KEY_LEN], dn[64];
	long long now = time(NULL);
	int i;

	(void)st;
	state_set_max_entries(100);
	for (i = 0; i < 60; i++) {
		snprintf(dn, sizeof(dn), "uid=u%d,ou=people", i);
		state_account_key(dn, acct);
		assert_int_equal(state_event(acct, STATE_SENT, now - 5000, NULL),
		    0);
	}
	for (i = 0; i < 2000; i++) {
		source(key, sizeof(key), "src", i);
		assert_int_equal(state_event(key, STATE_SENT, now, NULL), 0);
	}
	/* new accounts make room by forgetting sources */
	for (i = 60; i < 100; i++) {
		snprintf(dn, sizeof(dn), "uid=u%d,ou=people", i);
		state_account_key(dn, acct);
		assert_int_equal(state_event(acct, STATE_SENT, now, NULL), 0);
	}
	/* a table of accounts only: nothing may go, so nothing new comes */
	assert_int_equal(state_event("s:late", STATE_SENT, now, NULL), -1);
	state_account_key("uid=late,ou=people", acct);
	assert_int_equal(state_event(acct, STATE_SENT, now, NULL), -1);
	for (i = 0; i < 100; i++) {
		snprintf(dn, sizeof(dn), "uid=u%d,ou=people", i);
		state_account_key(dn, acct);
		assert_true(present(acct));
	}
}

static double
ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1e3 + (b.tv_nsec - a->tv_nsec) / 1e6;
}

/* Not a pass/fail check: what a flood of new sources costs. */
static void
test_flood_cost(void **st)
{
	long long now = time(NULL);
	struct timespec t0;
	char key[64];
	int i;

	(void)st;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 20; i++) {
		state_event("a:one", STATE_SENT, now, NULL);
		assert_int_equal(state_sync(5000), 0);
	}
	printf("# one event made durable (state_sync, small table): %.1f ms\n",
	    ms_since(&t0) / 20);
	state_clear("a:one");
	state_set_max_entries(100000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 100000; i++) {
		snprintf(key, sizeof(key), "s:198.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		assert_int_equal(state_event(key, STATE_FAIL, now, NULL), 0);
	}
	printf("# 100000 new sources into an empty table: %.0f ms\n",
	    ms_since(&t0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 10000; i++) {
		snprintf(key, sizeof(key), "s:2001:db8:%x::/64", i);
		assert_int_equal(state_event(key, STATE_FAIL, now, NULL), 0);
	}
	printf("# 10000 more into the full table (each evicts): %.0f ms\n",
	    ms_since(&t0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(state_sync(30000), 0);
	printf("# one write of the full table (state_sync): %.0f ms\n",
	    ms_since(&t0));
}

static void
test_source_key(void **st)
{
	static const struct {
		const char	*in;
		int		 remote;
		const char	*want;
	} cases[] = {
		{ "2001:db8:1:2:3:4:5:6", 1, "s:2001:db8:1:2::/64" },
		{ "2001:DB8:1:2::ff", 1, "s:2001:db8:1:2::/64" },
		{ "2001:db8:0:0:ffff::1", 1, "s:2001:db8::/64" },
		{ "::1", 1, "s:::/64" },
		{ "::ffff:198.51.100.7", 1, "s:198.51.100.7" },
		{ "198.51.100.7", 1, "s:198.51.100.7" },
		{ "host.example.test", 1, "s:host.example.test" },
		{ "fe80::1%eth0", 1, "s:fe80::1%eth0" },
		{ "2001:db8::1", 0, "s:2001:db8::1" },
		{ "pts/3", 0, "s:pts/3" },
		{ "", 0, "s:-" },
	};
	char key[128];
	size_t i;

	(void)st;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		throttle_source_key(key, sizeof(key), cases[i].in,
		    cases[i].remote);
		assert_string_equal(key, cases[i].want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_full_table_counts_new_source,
		    empty_table),
		cmocka_unit_test_setup(test_harmful_sources_kept, empty_table),
		cmocka_unit_test_setup(test_accounts_never_evicted, empty_table),
		cmocka_unit_test_setup(test_flood_cost, empty_table),
		cmocka_unit_test(test_source_key),
	};
	char err[256];
	int r;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(file, sizeof(file), "%s/throttle.state", dir);
	if (state_open(file, HORIZON, err, sizeof(err)) != 0) {
		fprintf(stderr, "state_open: %s\n", err);
		return 1;
	}
	r = cmocka_run_group_tests(tests, NULL, NULL);
	state_close();
	unlink(file);
	rmdir(dir);
	return r;
}
