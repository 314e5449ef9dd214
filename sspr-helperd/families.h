/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * families.h: the families of requests the engine (flow.c) serves, each
 * registered once at start-up (main.c), before the first connection.
 */
#ifndef SSPR_FAMILIES_H
#define SSPR_FAMILIES_H

void	reset_family_init(void);	/* reset.c: START 1..3 */
void	register_family_init(void);	/* register.c: START 4 */
void	account_family_init(void);	/* account.c: STATUS, CHANGE */
void	admin_family_init(void);	/* admin.c: ADMIN (ssprctl) */

#endif
