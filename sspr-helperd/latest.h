/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * latest.h: which flow holds the newest code for an account.  Issuing a
 * code for an account makes every older code for it useless (one
 * outstanding code per account).  Loop thread only; no locks.
 */
#ifndef SSPR_LATEST_H
#define SSPR_LATEST_H

#include <stddef.h>

struct latest;

struct latest *latest_issue(const char *, unsigned *);
int	latest_is_current(const struct latest *, unsigned);
void	latest_release(struct latest *);
void	latest_forget(struct latest *);
size_t	latest_count(void);

#endif
