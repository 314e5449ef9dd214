/* SPDX-License-Identifier: BSD-2-Clause */
/* remote.h: ssprctl --server (remote.c). */
#ifndef SSPR_REMOTE_H
#define SSPR_REMOTE_H

#include "cfg.h"

int	remote_dial(const struct cfg *, const char *);

#endif
