/* SPDX-License-Identifier: BSD-2-Clause */
/* timer.c: the heap behind timer.h.  Statics: loop thread only. */
#include <stdlib.h>
#include <time.h>

#include "timer.h"

static struct timer	**heap;
static size_t		  len, cap;

long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
place(size_t i, struct timer *t)
{
	heap[i] = t;
	t->idx = i + 1;
}

static void
up(size_t i)
{
	struct timer *t = heap[i];

	while (i > 0 && heap[(i - 1) / 2]->when > t->when) {
		place(i, heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	place(i, t);
}

static void
down(size_t i)
{
	struct timer *t = heap[i];
	size_t c;

	while ((c = 2 * i + 1) < len) {
		if (c + 1 < len && heap[c + 1]->when < heap[c]->when)
			c++;
		if (heap[c]->when >= t->when)
			break;
		place(i, heap[c]);
		i = c;
	}
	place(i, t);
}

/* Arms or moves t to fire at when; -1 only when out of memory. */
int
timer_set(struct timer *t, long long when)
{
	struct timer **n;

	if (t->idx == 0) {
		if (len == cap) {
			cap = cap ? cap * 2 : 256;
			if ((n = realloc(heap, cap * sizeof(*heap))) == NULL)
				return -1;
			heap = n;
		}
		t->when = when;
		place(len++, t);
		up(len - 1);
		return 0;
	}
	t->when = when;
	up(t->idx - 1);
	down(t->idx - 1);
	return 0;
}

void
timer_cancel(struct timer *t)
{
	struct timer *last;
	size_t i;

	if (t->idx == 0)
		return;
	i = t->idx - 1;
	t->idx = 0;
	if (i == --len)
		return;
	last = heap[len];
	place(i, last);
	up(i);
	down(last->idx - 1);
}

struct timer *
timer_first(void)
{
	return len ? heap[0] : NULL;
}
