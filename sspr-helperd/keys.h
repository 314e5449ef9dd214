/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keys.h: the keys that seal authenticator app secrets ([totp] key_file
 * and old_key_files), read into a configuration after its file.
 */
#ifndef SSPR_KEYS_H
#define SSPR_KEYS_H

#include <stddef.h>

#include "cfg.h"

int	keys_load(struct cfg *, char *, size_t);

#endif
