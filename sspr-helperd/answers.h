/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * answers.h: answers to security questions.  Normalized so that small
 * differences in typing do not matter, then kept only as a salted scrypt
 * hash whose parameters travel with it:
 *
 *	$scrypt$ln=15,r=8,p=3$SALT$HASH
 *
 * (SALT 16 bytes and HASH 32 bytes in base64, padded).  The directory's
 * ssprQuestionAnswer value is "QUESTION-NUMBER:" followed by that text.
 */
#ifndef SSPR_ANSWERS_H
#define SSPR_ANSWERS_H

#include <stddef.h>

#include "secret.h"

#define ANSWER_MAX		128	/* bytes, after normalization */
#define ANSWER_SALT_LEN		16
#define ANSWER_HASH_LEN		32
#define ANSWER_STORED_MAX	128

/* scrypt cost: N = 2^ln, block size r, parallelism p. */
struct answer_params {
	int	ln, r, p;
};

/* OWASP's scrypt setting for 32 MiB: N = 2^15, r = 8, p = 3. */
#define ANSWER_PARAMS_DEFAULT	{ 15, 8, 3 }

int	answer_normalize(const struct secret *, int, struct secret *);
int	answer_hash(const struct secret *, const struct answer_params *, char *,
	    size_t);
int	answer_parse(const char *, struct answer_params *, unsigned char *,
	    unsigned char *);
int	answer_verify(const struct secret *, const char *);
int	answer_number(const char *, int);

#endif
