/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dirstore.h: the directory in the flow's terms.  A job (jobs.c and the
 * families' worker files) asks a back end for an account, a password
 * write, the throttle counters, a method stored, a TOTP step swapped,
 * the report's rows; never for an LDAP attribute.  The back end in use
 * is LDAP (dir_store.c, on dir.c and its dialects) unless a test sets
 * another (tests/dirfake: in memory, with failures and delays to
 * inject).  Every operation runs on a directory worker with that
 * worker's context (for LDAP its struct dconn) and blocks at most
 * [directory] timeout per server tried.
 */
#ifndef SSPR_DIRSTORE_H
#define SSPR_DIRSTORE_H

#include <stddef.h>

#include "dir.h"

/* What registration stores (one method, the confirmation, or a skip). */
enum dir_store_what {
	DS_MAIL,		/* value: the verified address */
	DS_PHONE,		/* value: the verified number (E.164) */
	DS_TOTP,		/* value: the sealed secret; step: its step */
	DS_ANSWERS,		/* answers: "N:$scrypt$...", NULL-ended */
	DS_CONFIRM,		/* step: the time; the skips start again */
	DS_SKIP,		/* step: the new count of skips */
	DS_RCODES,		/* answers: a set's values, replacing all */
};

struct dir_store_rec {
	enum dir_store_what	 what;
	const char		*value;
	long long		 step;
	char			**answers;
};

/* Single-use values a method deletes as it accepts one (value_consume). */
enum dir_value {
	DV_HELPDESK_PASS,	/* the helpdesk's pass (pass.h) */
	DV_RCODE,		/* a recovery code's value (rcodes.h) */
};

struct dir_backend {
	const char	*name;
	/* the account user names (group membership, policy included) */
	int	(*lookup)(void *, struct cfg *, const char *,
		    struct account *, struct dir_result *);
	int	(*set_password)(void *, struct cfg *, const struct account *,
		    const struct secret *, struct dir_result *);
	int	(*change_password)(void *, struct cfg *,
		    const struct account *, const struct secret *,
		    const struct secret *, struct dir_result *);
	int	(*unlock)(void *, struct cfg *, const struct account *,
		    struct dir_result *);
	/* the throttle counters kept on the entry: read (into the
	 * account), one event added (fail: a wrong code, else a send; the
	 * value added comes back), all cleared */
	int	(*counters_read)(void *, struct cfg *, struct account *,
		    struct dir_result *);
	int	(*counter_add)(void *, struct cfg *, struct account *, int,
		    char *, size_t, struct dir_result *);
	int	(*counters_clear)(void *, struct cfg *,
		    const struct account *, struct dir_result *);
	int	(*method_store)(void *, struct cfg *, const struct account *,
		    const struct dir_store_rec *, struct dir_result *);
	/* the app code's step: old (as read, NULL: none) to step, or
	 * nothing if another took a step meanwhile (compare-and-swap) */
	int	(*totp_step_swap)(void *, struct cfg *, const struct account *,
		    const char *, long long, struct dir_result *);
	int	(*totp_reseal)(void *, struct cfg *, const struct account *,
		    const char *, struct dir_result *);
	/* single use: deletes that exact value; 0 only for the one caller
	 * whose delete took it (of two flows on any hosts), else -1 with
	 * DIR_NOT_FOUND (gone already, or never there) or the directory's
	 * failure */
	int	(*value_consume)(void *, struct cfg *, const struct account *,
		    enum dir_value, const char *, struct dir_result *);
	int	(*report)(void *, struct cfg *,
		    void (*)(void *, const char **, int), void *, char *,
		    size_t);
};

/* Set before the first worker starts (main.c leaves LDAP's), read-only
 * after. */
const struct dir_backend *dir_backend(void);
void	dir_backend_set(const struct dir_backend *);

#endif
