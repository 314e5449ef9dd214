/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h: the daemon's only way to say something.  Lines go to stderr in
 * the foreground, to syslog (LOG_AUTHPRIV) otherwise.  Nothing here takes
 * a struct secret, so a code or password cannot be logged by mistake.
 */
#ifndef SSPR_LOG_H
#define SSPR_LOG_H

#include <stddef.h>
#include <syslog.h>

void	log_init(const char *, int, int);
void	log_set_debug(int);
int	log_debug_enabled(void);
int	log_to_stderr(void);
void	log_msg(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
const char *log_field(char *, size_t, const char *);

#endif
