/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * secret.h: fixed-size holders for codes and passwords.  A secret lives
 * only in one of these, is wiped with explicit_bzero when done, and has
 * no char * member a format string could print by accident.
 */
#ifndef SSPR_SECRET_H
#define SSPR_SECRET_H

#include <stddef.h>

#include "sspr_proto.h"

struct secret {
	size_t		len;
	unsigned char	buf[SSPR_SECRET_MAX + 1];	/* NUL after len */
};

void	secret_wipe(struct secret *);
int	secret_set(struct secret *, const void *, size_t);
int	secret_equal(const struct secret *, const struct secret *);
void	secret_scrub_registers(void);
void	secret_scrub_stack(void);

/* The secret as a C string, for the few APIs that want one. */
static inline const char *
secret_str(const struct secret *s)
{
	return (const char *)s->buf;
}

#endif
