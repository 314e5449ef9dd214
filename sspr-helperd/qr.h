/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qr.h: a QR code as lines of text for a terminal (libqrencode), drawn
 * by the daemon so that pam_sspr.so keeps linking only libpam and libc:
 * the module shows the lines like any other message.
 *
 * Two module rows per text line with the half blocks U+2580 (upper),
 * U+2584 (lower), U+2588 (full) and space, around a quiet zone of
 * QR_QUIET modules.  A block is drawn where the module is light: on the
 * usual light-on-dark terminal the blocks are the white paper and the
 * unlit cells the black modules (as qrencode -t UTF8 does).  With
 * dark_on_light the blocks are the dark modules instead, for terminals
 * with dark text on a light background.
 */
#ifndef SSPR_QR_H
#define SSPR_QR_H

#include <stddef.h>

#define QR_QUIET	2
#define QR_MAX_COLUMNS	80	/* wider codes are refused */

char	*qr_render(const char *, int, int *, int *, char *, size_t);

#endif
