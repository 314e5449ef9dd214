/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * peer.h: which program a process runs, beyond what SO_PEERCRED says.
 * The daemon asks it of a connection's peer (is the caller sshd?), the
 * module of its own process; meant for any check of the same kind (the
 * relay).
 */
#ifndef SSPR_PEER_H
#define SSPR_PEER_H

#include <sys/types.h>

enum peer_prog { PEER_OTHER = 0, PEER_RUNS = 1, PEER_UNSEEN = -1 };

/*
 * Is process pid running one of the programs in paths (n of them)?
 * /proc/PID/exe is compared with each path by device and inode, so a
 * symlink in a path is followed and a program replaced since the process
 * started (an upgrade) is not the same.  PEER_UNSEEN: this process may
 * not look (another user's process, hidden by hidepid or ProtectProc, or
 * gone).  No pid (0: SO_PEERCRED's for a peer in another PID namespace)
 * is PEER_OTHER: a process that cannot be named is not the program.
 */
enum peer_prog peer_program(pid_t pid, const char *const *paths, int n);
/* The same question of this very process. */
enum peer_prog self_program(const char *const *paths, int n);

#endif
