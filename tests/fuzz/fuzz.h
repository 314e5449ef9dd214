/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz.h: what every fuzz target shares.  A target is one
 * LLVMFuzzerTestOneInput; it is linked either with libFuzzer (make fuzz)
 * or with replay.c (make check, which runs its corpus once).  A broken
 * property aborts, which both drivers report as a failure.
 */
#ifndef SSPR_FUZZ_H
#define SSPR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static inline void __attribute__((noreturn))
fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "# %s:%d: property broken: %s\n", file, line, what);
	abort();
}

#define FUZZ_ASSERT(cond) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, #cond); \
	} while (0)

#endif
