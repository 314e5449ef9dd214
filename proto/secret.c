/* SPDX-License-Identifier: BSD-2-Clause */
/* secret.c: set, compare and wipe struct secret. */
#include <string.h>

#include "secret.h"

void
secret_wipe(struct secret *s)
{
	explicit_bzero(s, sizeof(*s));
}

/* Copies n bytes; refuses (and leaves the holder empty) if they do not fit. */
int
secret_set(struct secret *s, const void *p, size_t n)
{
	secret_wipe(s);
	if (n > SSPR_SECRET_MAX)
		return -1;
	memcpy(s->buf, p, n);
	s->len = n;
	return 0;
}

/*
 * Constant time in the length of the longer buffer's cap, so the time
 * says nothing about where two secrets first differ.
 */
int
secret_equal(const struct secret *a, const struct secret *b)
{
	volatile unsigned char diff = 0;
	size_t i;

	for (i = 0; i < SSPR_SECRET_MAX; i++)
		diff |= a->buf[i] ^ b->buf[i];
	return diff == 0 && a->len == b->len;
}

/*
 * glibc's string functions move data through vector registers, and a
 * thread keeps the last values there until it uses them again: the tail
 * of a password or a mail body would sit in the thread's register state,
 * where a core file or a debugger shows it.  Running the same functions
 * over zeros overwrites those registers.
 */
void
secret_scrub_registers(void)
{
	static const unsigned char zero[4096];
	unsigned char buf[4096];
	volatile size_t sink;

	memcpy(buf, zero, sizeof(buf));
	sink = strlen((const char *)buf) +
	    (memchr(buf, 1, sizeof(buf)) != NULL);
	memmove(buf + 1, buf, sizeof(buf) - 1);
	explicit_bzero(buf, sizeof(buf));
	(void)sink;
}

/*
 * Libraries that see a secret (cracklib, libpwquality) leave copies of it
 * in their stack frames, below their caller's, which later calls do not
 * always reach: a frame this deep, zeroed, overwrites them.  Called from
 * the frame that called the library.
 */
__attribute__((noinline)) void
secret_scrub_stack(void)
{
	unsigned char buf[32768];

	explicit_bzero(buf, sizeof(buf));
	__asm__ __volatile__("" : : "r"(buf) : "memory");
}
