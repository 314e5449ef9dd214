/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keys.h: the keys that seal authenticator app secrets ([totp] key_file
 * and old_key_files), read into a configuration after its file.
 */
#ifndef SSPR_KEYS_H
#define SSPR_KEYS_H

#include <stddef.h>
#include <unistd.h>

#include "cfg.h"
#include "totp.h"

/*
 * The keyring has pages of its own (mmap), so that mlock and
 * MADV_DONTDUMP apply to it and to nothing else: both need whole pages.
 */
static inline size_t
keys_map_size(void)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	return (sizeof(struct totp_keyring) + pg - 1) / pg * pg;
}

int	keys_load(struct cfg *, char *, size_t);

#endif
