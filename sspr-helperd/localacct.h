/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * localacct.h: what this host's NSS says about a name, remembered for
 * [policy] local_account_cache seconds.  Thread-safe (the directory
 * workers ask at once); localacct_forget() at a reload.
 */
#ifndef SSPR_LOCALACCT_H
#define SSPR_LOCALACCT_H

#include <sys/types.h>

int	localacct_uid(const char *, int, uid_t *);
void	localacct_forget(void);

#endif
