/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cfgkeys.h: the table of configuration keys (cfgkeys.c), for the files
 * that read a configuration (cfgparse.c) and free or print one (cfg.c,
 * cfgkeys.c).  Nothing outside sspr-helperd/cfg*.c includes this.
 */
#ifndef SSPR_CFGKEYS_H
#define SSPR_CFGKEYS_H

#include <stddef.h>

#include "cfg.h"

/* Room for the table: the parser keeps a line number per key. */
#define CFG_KEYS_MAX	192

enum ktype { K_STR, K_PATH, K_INT, K_BOOL, K_UIDS, K_URIS, K_ENUM, K_DNS,
    K_WORDS, K_LINES };

struct kenum {
	const char	*name;
	int		 value;
};

struct key {
	const char		*section;
	const char		*name;
	enum ktype		 type;
	size_t			 off;
	const char		*def;	/* NULL: required */
	long			 min, max;
	const struct kenum	*enums;
};

extern const struct key	cfg_keys[];
extern const size_t	cfg_nkeys;

int	cfg_key_index(const char *, const char *);
int	cfg_section_known(const char *);
void	cfg_list_free(struct cfglist *);
void	cfg_keys_free(struct cfg *);

static inline char **
cfg_str_field(struct cfg *c, const struct key *k)
{
	return (char **)((char *)c + k->off);
}

static inline int *
cfg_int_field(struct cfg *c, const struct key *k)
{
	return (int *)((char *)c + k->off);
}

static inline struct cfglist *
cfg_list_field(struct cfg *c, const struct key *k)
{
	return (struct cfglist *)((char *)c + k->off);
}

#endif
