/* SPDX-License-Identifier: BSD-2-Clause */
/* human.h: the human check ([policy] human_check), see human.c. */
#ifndef SSPR_HUMAN_H
#define SSPR_HUMAN_H

#include <stddef.h>

#define HUMAN_LEN	5
#define HUMAN_ROWS	8
#define HUMAN_LINE_MAX	(HUMAN_LEN * (5 * 6 + 3) + 1)

struct human {
	char	answer[HUMAN_LEN + 1];
	int	glyph[HUMAN_LEN];
	int	shift[HUMAN_LEN];
	char	lines[HUMAN_ROWS][HUMAN_LINE_MAX];
};

int	human_new(struct human *);
int	human_match(const struct human *, const unsigned char *, size_t);

#endif
