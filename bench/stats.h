/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stats.h: what the benchmark programs share: a monotonic clock, latency
 * samples with percentiles, and the one-line JSON records bench/report.py
 * reads.  Not part of the daemon or the module.
 */
#ifndef SSPR_BENCH_STATS_H
#define SSPR_BENCH_STATS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Microseconds on the monotonic clock. */
int64_t	now_us(void);
void	sleep_ms(long);

/* Latency samples in microseconds; safe to add from several threads. */
struct lat {
	pthread_mutex_t	 lock;
	uint32_t	*v;
	size_t		 n, cap;
};

void	lat_init(struct lat *);
void	lat_free(struct lat *);
void	lat_add(struct lat *, int64_t);
void	lat_merge(struct lat *, const struct lat *);
double	lat_ms(struct lat *, double);	/* percentile (0..100) in ms */

/* JSON: "name":{"n":..,"p50":..,"p99":..} (ms), no leading comma. */
void	json_lat(FILE *, const char *, struct lat *);

/* User + system CPU of a getrusage result, in milliseconds. */
struct rusage;
double	cpu_ms(const struct rusage *);

/* Reads the first line of a file into buf (newline stripped); 0 or -1. */
int	read_line_file(const char *, char *, size_t);

#endif
