/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hostcache.h: after a reset, the host's SSSD cache learns the new
 * password.
 */
#ifndef SSPR_HOSTCACHE_H
#define SSPR_HOSTCACHE_H

#include <security/pam_modules.h>

#define HOSTCACHE_SERVICE	"sspr-sss"
#define HOSTCACHE_PIDFILE	"/run/sssd.pid"

void	hostcache_refresh(pam_handle_t *, const char *, const char *);

#endif
