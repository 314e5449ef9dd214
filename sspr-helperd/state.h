/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * state.h: throttle counters kept on this host, in memory and in a state
 * file rewritten atomically (temp file, fsync, rename, fsync of the
 * directory) at most once a second, or at once for state_sync().  Sources
 * (hosts, terminals) always live here; accounts too when [throttle]
 * store = file.  A full table forgets the least harmful source, never an
 * account.  Thread-safe.
 */
#ifndef SSPR_STATE_H
#define SSPR_STATE_H

#include "throttle.h"

#define STATE_ACCOUNT_KEY_LEN	(2 + 64 + 1)

int	state_open(const char *, long long, char *, size_t);
void	state_set_horizon(long long);
void	state_close(void);
void	state_get(const char *, struct tstate *);
int	state_event(const char *, int, long long, struct tstate *);
void	state_block(const char *, long long);
void	state_clear(const char *);
int	state_healthy(void);
int	state_sync(long long);
void	state_set_max_entries(size_t);

#define STATE_SENT	0
#define STATE_FAIL	1

void	state_account_key(const char *, char [STATE_ACCOUNT_KEY_LEN]);

#endif
