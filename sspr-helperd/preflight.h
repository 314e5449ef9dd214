/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * preflight.h: sspr-helperd --check, and with --online the proof that
 * everything a reset needs answers: each finding one OK, WARN or FAIL
 * line, a FAIL or WARN with the fix in words.
 */
#ifndef SSPR_PREFLIGHT_H
#define SSPR_PREFLIGHT_H

#include "cfg.h"

enum pf_level { PF_OK, PF_WARN, PF_FAIL };

/* One finding: what was checked and found; fix NULL when there is none. */
typedef void pf_line(void *, int, const char *, const char *);

struct preflight {
	int		 online;	/* connect to the servers */
	const char	*probe_user;	/* --probe-user: an ordinary account */
	const char	*test_mail;	/* --test-mail: one message there */
};

int	preflight_run(struct cfg *, const struct preflight *);

/* dir_probe.c: the directory's part, and [throttle] store = auto. */
void	dir_preflight(struct cfg *, const char *, pf_line *, void *);
int	dir_store_auto(struct cfg *, char *, size_t);
void	dir_store_resolve(struct cfg *);

#endif
