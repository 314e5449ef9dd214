/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Unit tests of sspr-helperd/dict.c: the dictionary held in memory, its
 * words looked up in dict.c's table rather than decompressed by
 * cracklib's GetPW(), gives the answer cracklib's own FascistCheckUser()
 * gives (on its own handle, so through cracklib's GetPW()), password for
 * password, on the system's dictionary (cracklib-runtime); a dictionary
 * rebuilt while the daemon runs is picked up; a missing one says so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <crack.h>

#include "dict.h"

#define WORDLIST	"/usr/share/dict/cracklib-small"
#define MAXPW		4000

struct probe {
	char		 pw[600];
	const char	*user;
	const char	*theirs;
};

static struct probe	probes[MAXPW];
static size_t		nprobes;

static void
add(const char *pw, const char *user)
{
	if (nprobes == MAXPW)
		return;
	snprintf(probes[nprobes].pw, sizeof(probes[0].pw), "%s", pw);
	probes[nprobes++].user = user;
}

/*
 * cracklib opens one dictionary per process: its own answers are taken
 * first, with ours closed, then ours with the dictionary held open across
 * all the checks, as in the daemon.
 */
static void
test_same_as_cracklib(void **state)
{
	static const char *fixed[] = {
		"password", "Password1", "drowssap", "p@ssw0rd", "harbor77",
		"Encyclopedias9", "Abcdefghij12!", "Kx9-quiet-harbor",
		"Fern-New-Passw0rd", "frank1234", "knarf-2026", "Über-Strång-97x",
		"abc", "aaaaaaaa", "      x", "Zebra!", "correct horse battery",
	};
	char line[128], pw[600], *nl;
	size_t i, refused = 0, passed = 0, n = 0;
	const char *mine;
	FILE *fp;

	(void)state;
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		add(fixed[i], "frank");
	/* longer than cracklib's 255-byte cut, and no user at all */
	memset(pw, 'q', sizeof(pw) - 1);
	pw[sizeof(pw) - 1] = '\0';
	add(pw, "frank");
	add("Kx9-quiet-harbor", NULL);
	/* words of the list, as they are and as people dress them up */
	if ((fp = fopen(WORDLIST, "r")) == NULL)
		skip();
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (n++ % 97 != 0)
			continue;
		if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		add(line, "frank");
		snprintf(pw, sizeof(pw), "%s%zu!", line, n % 100);
		add(pw, "frank");
		snprintf(pw, sizeof(pw), "Q7%s-Vw%zu", line, n);
		add(pw, "frank");
	}
	fclose(fp);

	dict_close();
	for (i = 0; i < nprobes; i++)
		probes[i].theirs = FascistCheckUser(probes[i].pw, NULL,
		    probes[i].user, NULL);
	for (i = 0; i < nprobes; i++) {
		mine = dict_look(NULL, probes[i].pw, probes[i].user);
		if ((mine == NULL) != (probes[i].theirs == NULL) ||
		    (mine != NULL && strcmp(mine, probes[i].theirs) != 0))
			fail_msg("\"%s\": held in memory \"%s\", cracklib "
			    "\"%s\"", probes[i].pw, mine ? mine : "(passes)",
			    probes[i].theirs ? probes[i].theirs : "(passes)");
		assert_true(dict_in_memory());
		assert_true(dict_word_table());
		if (mine == NULL)
			passed++;
		else
			refused++;
	}
	dict_close();
	/* both answers occurred many times: the comparison compared */
	assert_true(nprobes > 1000);
	assert_true(passed > 100);
	assert_true(refused > 100);
}

static int
pack(const char *prefix, const char *words)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "printf '%s' | /usr/sbin/cracklib-packer "
	    "%s >/dev/null", words, prefix);
	return system(cmd);
}

static void
test_rebuilt(void **state)
{
	char dir[] = "/tmp/sspr-dict.XXXXXX", prefix[64], cmd[128];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(prefix, sizeof(prefix), "%s/d", dir);
	assert_int_equal(pack(prefix, "quokka\\nzebrafish\\n"), 0);
	assert_non_null(dict_look(prefix, "zebrafish", "frank"));
	assert_true(dict_in_memory());
	assert_true(dict_word_table());
	assert_null(dict_look(prefix, "wombatshire", "frank"));

	/* update-cracklib rewrites the files: the next check sees the change */
	usleep(20000);
	assert_int_equal(pack(prefix, "aardvarks\\nwombatshire\\n"), 0);
	assert_non_null(dict_look(prefix, "wombatshire", "frank"));
	assert_null(dict_look(prefix, "zebrafish", "frank"));

	/* gone: an error sentence, and back on the system's one after */
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_string_equal(dict_look(prefix, "zebrafish", "frank"),
	    "error loading dictionary");
	assert_non_null(dict_look(NULL, "password", "frank"));
	dict_close();
}

/*
 * How many times s is in cracklib's writable memory (its data and the
 * anonymous mapping after them, its bss).  Only there: the heap has
 * sanitizers' red zones, and their shadow is terabytes.
 */
static int
in_cracklib(const char *s)
{
	char line[512], perm[8], path[256];
	unsigned long lo, hi, i;
	size_t n = strlen(s), k;
	int hits = 0, after_crack = 0, crack;
	FILE *fp = fopen("/proc/self/maps", "r");

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %255s", &lo, &hi, perm,
		    path) < 3)
			continue;
		crack = strstr(path, "libcrack") != NULL;
		if ((crack || (after_crack && path[0] == '\0')) &&
		    perm[0] == 'r' && perm[1] == 'w')
			for (i = lo; i + n <= hi; i++) {
				for (k = 0; k < n &&
				    ((const volatile char *)i)[k] == s[k]; k++)
					;
				hits += k == n;
			}
		after_crack = crack;
	}
	fclose(fp);
	return hits;
}

/*
 * cracklib keeps the last password, lowercased and reversed, in static
 * buffers; dict_scrub overwrites them.  The strings searched for are
 * built at run time on this stack, which the search leaves out, so only
 * cracklib's copies can match.
 */
static void
test_scrub(void **state)
{
	char pw[32], low[32], rev[32];
	size_t i, n;

	(void)state;
	snprintf(pw, sizeof(pw), "%s-%s-%d", "Zebra", "Quokka", 91);
	n = strlen(pw);
	for (i = 0; i < n; i++) {
		low[i] = (char)(pw[i] >= 'A' && pw[i] <= 'Z' ? pw[i] + 32 :
		    pw[i]);
		rev[n - 1 - i] = low[i];
	}
	low[n] = rev[n] = '\0';
	(void)dict_look(NULL, pw, "frank");
	explicit_bzero(pw, sizeof(pw));
	/* control: cracklib did keep them, where the search looks */
	assert_true(in_cracklib(low) + in_cracklib(rev) > 0);
	dict_scrub();
	assert_int_equal(in_cracklib(low) + in_cracklib(rev), 0);
	dict_close();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_cracklib),
		cmocka_unit_test(test_rebuilt),
		cmocka_unit_test(test_scrub),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
