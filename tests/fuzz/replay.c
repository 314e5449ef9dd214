/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay: runs a fuzz target once over every file of its corpus, built
 * with the normal compiler and flags, so `make check` keeps every seed
 * and every past crash passing.  Prints TAP.
 *
 *   test_fuzz_NAME [FILE|DIR...]
 *
 * Without arguments it reads $SRC/tests/fuzz/corpus/NAME (SRC defaults
 * to "."), NAME coming from the program's own name.  A file that breaks
 * a property ends the run with "not ok N - FILE (crashed)".
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#define INPUT_MAX	(1024 * 1024)

static int ntests;

/* Written by a crash handler, so formatted before each input runs. */
static char crash_line[4200];
static size_t crash_len;

/* In sanitizer builds: called before the report ends the process. */
void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

static void
say_crashed(void)
{
	if (crash_len > 0 && write(STDOUT_FILENO, crash_line, crash_len) < 0)
		crash_len = 0;
}

static void
on_signal(int sig)
{
	say_crashed();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
run_file(const char *path)
{
	static uint8_t buf[INPUT_MAX];
	size_t n;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL) {
		printf("not ok %d - %s: %s\n", ++ntests, path, strerror(errno));
		return -1;
	}
	n = fread(buf, 1, sizeof(buf), fp);
	if (ferror(fp) || !feof(fp)) {
		fclose(fp);
		printf("not ok %d - %s: unreadable or over %d bytes\n",
		    ++ntests, path, INPUT_MAX);
		return -1;
	}
	fclose(fp);
	snprintf(crash_line, sizeof(crash_line), "not ok %d - %s (crashed)\n",
	    ntests + 1, path);
	crash_len = strlen(crash_line);
	fflush(stdout);
	LLVMFuzzerTestOneInput(buf, n);
	crash_len = 0;
	printf("ok %d - %s\n", ++ntests, path);
	return 0;
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
run_dir(const char *dir)
{
	struct dirent **ents;
	char path[4096];
	int i, n, bad = 0;

	if ((n = scandir(dir, &ents, NULL, by_name)) < 0) {
		printf("not ok %d - %s: %s\n", ++ntests, dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir,
			    ents[i]->d_name);
			if (run_file(path) != 0)
				bad = 1;
		}
		free(ents[i]);
	}
	free(ents);
	return bad ? -1 : 0;
}

static int
run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return run_dir(path);
	return run_file(path);
}

int
main(int argc, char **argv)
{
	const char *me = strrchr(argv[0], '/'), *src = getenv("SRC");
	char dir[4096];
	int i, bad = 0;

	if (__sanitizer_set_death_callback != NULL)
		__sanitizer_set_death_callback(say_crashed);
	signal(SIGABRT, on_signal);
	signal(SIGSEGV, on_signal);
	signal(SIGBUS, on_signal);
	signal(SIGFPE, on_signal);
	signal(SIGILL, on_signal);
	me = me ? me + 1 : argv[0];
	if (strncmp(me, "test_fuzz_", 10) == 0)
		me += 10;
	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (run_path(argv[i]) != 0)
				bad = 1;
	} else {
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s",
		    src ? src : ".", me);
		if (run_dir(dir) != 0)
			bad = 1;
	}
	if (ntests == 0) {
		printf("not ok 1 - an empty corpus tests nothing\n");
		ntests = 1;
		bad = 1;
	}
	printf("1..%d\n", ntests);
	return bad;
}
