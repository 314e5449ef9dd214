/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * peer.c: which program a process runs (peer.h).  The pid of a peer is
 * SO_PEERCRED's, taken when it connected: the answer holds while that
 * process lives, so it is asked of a connection still open.  A pid taken
 * over by another process after the caller exited could pass; the SSH
 * key method asks only of a root peer, and root can forge anything
 * anyway (SECURITY.md, "The SSH key").
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "peer.h"

static enum peer_prog
program_of(const char *proc, const char *const *paths, int n)
{
	struct stat exe, st;
	int i;

	/* fstatat as stat: the PAM module's one import for all three */
	if (fstatat(AT_FDCWD, proc, &exe, 0) != 0)
		return PEER_UNSEEN;
	for (i = 0; i < n; i++)
		if (paths[i] != NULL &&
		    fstatat(AT_FDCWD, paths[i], &st, 0) == 0 &&
		    st.st_dev == exe.st_dev && st.st_ino == exe.st_ino)
			return PEER_RUNS;
	return PEER_OTHER;
}

enum peer_prog
peer_program(pid_t pid, const char *const *paths, int n)
{
	char proc[64];

	if (pid <= 0)
		return PEER_OTHER;
	snprintf(proc, sizeof(proc), "/proc/%ld/exe", (long)pid);
	return program_of(proc, paths, n);
}

enum peer_prog
self_program(const char *const *paths, int n)
{
	return program_of("/proc/self/exe", paths, n);
}
