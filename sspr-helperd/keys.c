/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keys.c: reads the TOTP keyring when [policy] methods includes totp, at
 * start, for --check, and on every reload (a reload with a key file that
 * cannot be read is refused, and the running keys stay).  The keys live
 * in locked memory that is left out of core dumps, and are wiped when the
 * last flow using that configuration ends (cfg_unref).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "keys.h"
#include "totp.h"

int
keys_load(struct cfg *c, char *err, size_t errsize)
{
	struct totp_keyring *kr;
	char why[512];

	if (!cfg_method(c, "totp") || c->totp_keys != NULL)
		return 0;
	if ((kr = calloc(1, sizeof(*kr))) == NULL) {
		snprintf(err, errsize, "%s: out of memory", c->path);
		return -1;
	}
	(void)mlock(kr, sizeof(*kr));
	(void)madvise(kr, sizeof(*kr), MADV_DONTDUMP);
	if (totp_keyring_load(kr, c->totp_key_file,
	    (const char *const *)c->totp_old_key_files.item,
	    c->totp_old_key_files.n, why, sizeof(why)) != 0) {
		snprintf(err, errsize, "%s: [totp] key_file: %s", c->path, why);
		explicit_bzero(kr, sizeof(*kr));
		munlock(kr, sizeof(*kr));
		free(kr);
		return -1;
	}
	c->totp_keys = kr;
	return 0;
}
