/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * addr.h: recovery mail addresses: is one safe to put in an SMTP
 * envelope, and how is it shown masked to the person at the prompt.
 */
#ifndef SSPR_ADDR_H
#define SSPR_ADDR_H

#include <stddef.h>

#define ADDR_MAX	254	/* RFC 5321 4.5.3.1.3 */
#define ADDR_LOCAL_MAX	64	/* RFC 5321 4.5.3.1.1 */
#define ADDR_NAME_MAX	128	/* bytes of a From display name */

int	addr_valid(const char *);
int	addr_from_split(const char *, char *, size_t, char *, size_t);
int	addr_mask(const char *, char *, size_t);
int	addr_mask_fake(const char *, const char *, unsigned, char *, size_t);

#endif
