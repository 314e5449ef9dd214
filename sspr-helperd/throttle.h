/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * throttle.h: how many codes and wrong codes an account (or a source: a
 * remote host or a terminal) has had lately, and what that allows.  Pure
 * logic over timestamps; where they are kept is dir.c (on the account's
 * entry) or state.c (a local file).
 */
#ifndef SSPR_THROTTLE_H
#define SSPR_THROTTLE_H

#include "cfg.h"

#define TS_MAX		64	/* events kept per kind: above any limit */

struct tstate {
	long long	 sent[TS_MAX];		/* unix seconds */
	int		 n_sent;
	long long	 fails[TS_MAX];
	int		 n_fails;
	long long	 blocked_until;
};

enum tverdict {
	T_OK = 0,
	T_SEND_LIMIT,		/* too many codes sent in the window */
	T_BLOCKED,		/* too many wrong codes: blocked a while */
};

int	throttle_account(const struct cfg *, const struct tstate *, long long);
int	throttle_source(const struct cfg *, const struct tstate *, long long);
int	throttle_count(const long long *, int, long long, long long);
int	throttle_must_block(const struct cfg *, const struct tstate *,
	    long long);
const char *throttle_name(int);
long long throttle_horizon(const struct cfg *);
void	throttle_source_key(char *, size_t, const char *, int);

int	tvalue_parse(const char *, long long *);
void	tvalue_make(long long, char *, size_t);
void	tstate_add(long long *, int *, long long);

#endif
