/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * timer.h: deadlines of connections in a binary min-heap, so the loop
 * finds the next one in O(1) and moves one in O(log n) even with tens of
 * thousands of waiting flows.  Times are CLOCK_MONOTONIC milliseconds.
 */
#ifndef SSPR_TIMER_H
#define SSPR_TIMER_H

#include <stddef.h>

struct timer {
	long long	when;
	size_t		idx;	/* position in the heap + 1; 0 = not armed */
};

long long now_ms(void);
int	timer_set(struct timer *, long long);
void	timer_cancel(struct timer *);
struct timer *timer_first(void);

#endif
