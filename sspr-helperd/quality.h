/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * quality.h: the daemon's own check of a new password, before the
 * directory's: length in code points, an administrator's banned words,
 * and libpwquality (character classes, cracklib's dictionary, the user
 * name, the old password).  Each refusal is one reason code.
 */
#ifndef SSPR_QUALITY_H
#define SSPR_QUALITY_H

#include "cfg.h"
#include "secret.h"

int	quality_check(const struct cfg *, const char *, const struct secret *,
	    const struct secret *);
size_t	quality_codepoints(const unsigned char *, size_t);

#endif
