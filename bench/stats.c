/* SPDX-License-Identifier: BSD-2-Clause */
/* stats.c: clock, latency samples and percentiles for the benchmark. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "stats.h"

int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

void
lat_init(struct lat *l)
{
	memset(l, 0, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
}

void
lat_free(struct lat *l)
{
	free(l->v);
	pthread_mutex_destroy(&l->lock);
	memset(l, 0, sizeof(*l));
}

/* A sample that cannot be stored is dropped: a benchmark, not a ledger. */
void
lat_add(struct lat *l, int64_t us)
{
	uint32_t *n;

	if (us < 0)
		us = 0;
	pthread_mutex_lock(&l->lock);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 1024;

		if ((n = realloc(l->v, cap * sizeof(*n))) == NULL) {
			pthread_mutex_unlock(&l->lock);
			return;
		}
		l->v = n;
		l->cap = cap;
	}
	l->v[l->n++] = us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
	pthread_mutex_unlock(&l->lock);
}

void
lat_merge(struct lat *dst, const struct lat *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		lat_add(dst, src->v[i]);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile, in milliseconds; 0 without samples. */
double
lat_ms(struct lat *l, double pct)
{
	size_t k;
	double r;

	pthread_mutex_lock(&l->lock);
	if (l->n == 0) {
		pthread_mutex_unlock(&l->lock);
		return 0;
	}
	qsort(l->v, l->n, sizeof(*l->v), cmp_u32);
	k = (size_t)(pct / 100.0 * (double)l->n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > l->n)
		k = l->n;
	r = l->v[k - 1] / 1000.0;
	pthread_mutex_unlock(&l->lock);
	return r;
}

void
json_lat(FILE *fp, const char *name, struct lat *l)
{
	fprintf(fp, "\"%s\":{\"n\":%zu,\"p50\":%.3f,\"p99\":%.3f}", name,
	    l->n, lat_ms(l, 50), lat_ms(l, 99));
}

int
read_line_file(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return -1;
	if (fgets(buf, (int)size, fp) == NULL) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

double
cpu_ms(const struct rusage *ru)
{
	return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) * 1000.0 +
	    (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1000.0;
}
