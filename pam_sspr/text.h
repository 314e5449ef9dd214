/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * text.h: every sentence the module shows, in one place, through gettext
 * (domain pam_sspr) so it follows the login's language.
 */
#ifndef SSPR_TEXT_H
#define SSPR_TEXT_H

#include <libintl.h>
#include <locale.h>

#include "sspr_proto.h"

#define SSPR_TEXTDOMAIN	"pam_sspr"
#define _(s)		dgettext(SSPR_TEXTDOMAIN, s)
#define N_(s)		(s)

/* The language of one call into the module. */
struct text_lang {
	locale_t	 loc;		/* ours, while switched to */
	locale_t	 prev;		/* the thread's, to switch back to */
	char		 tag[SSPR_LANG_MAX + 1];	/* for the daemon */
	int		 ready;		/* text_switch done */
};

void	text_choose(struct text_lang *, const char *, const char *);
void	text_switch(struct text_lang *);
void	text_end(struct text_lang *);
const char *text_reason(int);

#endif
