/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keys.c: reads the TOTP keyring when [policy] methods includes totp, at
 * start, for --check, and on every reload (a reload with a key file that
 * cannot be read is refused, and the running keys stay).  The keys live
 * in locked memory that is left out of core dumps, and are wiped when the
 * last flow using that configuration ends (cfg_unref).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "keys.h"
#include "log.h"
#include "totp.h"

static void
keys_free(struct totp_keyring *kr)
{
	if (kr == NULL)
		return;
	explicit_bzero(kr, keys_map_size());
	munmap(kr, keys_map_size());
}

int
keys_load(struct cfg *c, char *err, size_t errsize)
{
	struct totp_keyring *kr;
	char why[512];

	if (!cfg_method(c, "totp") || c->totp_keys != NULL)
		return 0;
	kr = mmap(NULL, keys_map_size(), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (kr == MAP_FAILED) {
		snprintf(err, errsize, "%s: out of memory", c->path);
		return -1;
	}
	if (madvise(kr, keys_map_size(), MADV_DONTDUMP) != 0 ||
	    mlock(kr, keys_map_size()) != 0)
		log_msg(LOG_WARNING, "the TOTP keys cannot be kept out of core "
		    "dumps and swap: %s", strerror(errno));
	if (totp_keyring_load(kr, c->totp_key_file,
	    (const char *const *)c->totp_old_key_files.item,
	    c->totp_old_key_files.n, why, sizeof(why)) != 0) {
		snprintf(err, errsize, "%s: [totp] key_file: %s", c->path, why);
		keys_free(kr);
		return -1;
	}
	c->totp_keys = kr;
	return 0;
}
