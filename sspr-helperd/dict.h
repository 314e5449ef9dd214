/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dict.h: cracklib's dictionary check, with the dictionary opened once and
 * held in memory rather than opened and searched on disk for every
 * password.  Not thread-safe (cracklib mangles in static buffers): the
 * caller serializes.  cracklib opens one dictionary per process, so while
 * this one is open its FascistCheck() fails with "error loading
 * dictionary": the daemon checks against the dictionary here only.
 */
#ifndef SSPR_DICT_H
#define SSPR_DICT_H

/*
 * NULL when the password passes; otherwise cracklib's sentence ("it is
 * based on a dictionary word", "error loading dictionary", ...).  path is
 * the dictionary's prefix, NULL or "" for cracklib's default; user is the
 * account's name, which the password must not be built from.
 */
const char	*dict_look(const char *path, const char *password,
		    const char *user);
void		 dict_close(void);
/* Overwrites what cracklib kept of the last password. */
void		 dict_scrub(void);
/* 1 when the dictionary open now is the in-memory copy (tests, log). */
int		 dict_in_memory(void);
/* 1 when its words are looked up in a table made once (tests). */
int		 dict_word_table(void);

#endif
