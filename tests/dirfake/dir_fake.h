/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dir_fake.h: a directory back end (dirstore.h) in memory, for tests:
 * accounts a test adds, the counters and recovery methods kept as the
 * LDAP back end keeps them on the entry, and per operation a failure,
 * a delay, or a write that lands without its answer (DIR_UNKNOWN), to
 * inject.  Thread-safe (one mutex), so real pools may run it too.
 */
#ifndef SSPR_DIR_FAKE_H
#define SSPR_DIR_FAKE_H

#include "dirstore.h"

enum df_op {
	DF_LOOKUP, DF_SET_PASSWORD, DF_CHANGE_PASSWORD, DF_UNLOCK,
	DF_COUNTERS_READ, DF_COUNTER_ADD, DF_COUNTERS_CLEAR,
	DF_METHOD_STORE, DF_TOTP_SWAP, DF_TOTP_RESEAL, DF_REPORT,
	DF_VALUE_CONSUME,
	DF_NOPS
};

extern const struct dir_backend dir_fake;
extern char dir_fake_ctx[];	/* a worker context for job_run */

void	df_reset(void);			/* no accounts, nothing injected */
int	df_add(const char *, const char *, const char *);	/* user, mail,
							   password */
struct account *df_entry(const char *);	/* the stored account, or NULL */
const char *df_password(const char *);
/* the next n calls of op fail with status (DIR_UNKNOWN: the write is
 * made, its answer lost) */
void	df_fail(enum df_op, int, int);
void	df_delay(enum df_op, int);	/* ms, every call */
int	df_calls(enum df_op);

#endif
