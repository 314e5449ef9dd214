/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * code.h: one-time codes.  Generated from the OpenSSL CSPRNG, kept only as
 * HMAC-SHA-256(key, flow id || code) under a key made at start-up, and
 * compared in constant time.
 */
#ifndef SSPR_CODE_H
#define SSPR_CODE_H

#include <stddef.h>
#include <stdint.h>

#include "secret.h"

#define CODE_DIGITS_MAX	10
#define CODE_HASH_LEN	32
#define CODE_KEY_LEN	32

int	code_generate(int, struct secret *);
int	code_hash(uint64_t, const struct secret *, unsigned char *);
int	code_normalize(const struct secret *, int, struct secret *);
int	code_hash_equal(const unsigned char *, const unsigned char *);
int	code_tag(const struct secret *, const char *, const char *,
	    unsigned char *);

#endif
