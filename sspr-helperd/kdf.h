/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kdf.h: scrypt through OpenSSL, for every hash the daemon stores, and
 * the padded base64 the stored values carry.
 */
#ifndef SSPR_KDF_H
#define SSPR_KDF_H

#include <stddef.h>

int	kdf_params_ok(int, int, int, int);
int	kdf_scrypt(const void *, size_t, const unsigned char *, size_t, int,
	    int, int, unsigned char *, size_t);
int	kdf_b64_exact(const char *, size_t, unsigned char *, size_t);

#endif
