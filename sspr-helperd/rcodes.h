/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rcodes.h: recovery codes.  At registration (or by an administrator) a
 * person takes a set of ten, shown once; each works once, as one method.
 * A code is 10 symbols of the pass alphabet (pass.h) in two groups,
 * K7PXQ-M2RT9, about 49 bits.  The entry keeps one value per code left
 * (multi-valued ssprRecoveryCode), all of a set sharing one salt, so a
 * typed code costs one scrypt whichever of the ten it is:
 *
 *	v1$scrypt$LN$R$P$SALT$HASH$ISSUED
 *
 * ISSUED (unix seconds) names the set.  A new set replaces every value
 * (the old set is revoked).  Using a code is deleting its value (an LDAP
 * delete of that value: only one of several hosts can win), counted only
 * when the delete succeeded.  With RCODE_WARN_AT or fewer left, the
 * account step warns and offers a new set.
 */
#ifndef SSPR_RCODES_H
#define SSPR_RCODES_H

#include <stddef.h>

#include "pass.h"

#define RCODE_COUNT	10
#define RCODE_SYMBOLS	10
#define RCODE_TEXT_MAX	(RCODE_SYMBOLS + 2)	/* "XXXXX-XXXXX" + NUL */
#define RCODE_STORED_MAX 160
#define RCODE_MAX_VALUES 32	/* more on an entry: not read at all */
#define RCODE_WARN_AT	2

struct rcode_set {
	long long	 issued;
	char		 text[RCODE_COUNT][RCODE_TEXT_MAX];
	char		 stored[RCODE_COUNT][RCODE_STORED_MAX + 1];
};

int	rcode_new_set(struct rcode_set *, long long);
void	rcode_set_wipe(struct rcode_set *);
int	rcode_match(const char *const *, int, const struct secret *);
int	rcode_low(int);

#endif
