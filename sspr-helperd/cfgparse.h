/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cfgparse.h: the state of one reading of a configuration, shared by the
 * steps of cfg_load and cfg_parse (cfg.c): the text's lines (cfgparse.c),
 * the rules that tie keys together (cfgcheck.c), and the files the keys
 * name (cfgfiles.c).  Every step fails through cfg_fail or cfg_fail_at,
 * so that every error reads FILE:LINE: [section] key: what is wrong.
 * Nothing outside sspr-helperd/cfg*.c includes this.
 */
#ifndef SSPR_CFGPARSE_H
#define SSPR_CFGPARSE_H

#include <stddef.h>

#include "cfg.h"
#include "cfgkeys.h"

#define CFG_FILE_MAX	(64 * 1024)
#define CFG_LINE_MAX	1024

struct parser {
	const char	*path;
	struct cfg	*cfg;
	int		 line[CFG_KEYS_MAX];	/* where each key was set; 0 = default */
	char		*err;
	size_t		 errsize;
};

/* cfgparse.c */
int	cfg_fail(struct parser *, int, const struct key *, const char *, ...)
	    __attribute__((format(printf, 4, 5)));
int	cfg_fail_at(struct parser *, const char *, const char *, const char *);
int	cfg_parse_text(struct parser *, const char *, size_t);
int	cfg_parse_long(const char *, long, long, long *);
char	*cfg_trim(char *);
int	cfg_text_line_ok(const char *);

/* cfgcheck.c */
int	cfg_check(struct parser *);

/* cfgfiles.c */
int	cfg_file_safe(struct parser *, int);
char	*cfg_read_text(int, size_t *);
int	cfg_read_files(struct parser *);

#endif
