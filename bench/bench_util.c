/* SPDX-License-Identifier: MIT */
/* Timing and statistics shared by every benchmark (see bench.h). */
#include <stdlib.h>
#include <time.h>

#include "bench.h"

double bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec * 1e-3;
}

static int cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void bench_summarize(struct bench_stat *st, double *v, size_t n)
{
	if (n == 0)
		return;
	qsort(v, n, sizeof(*v), cmp_double);
	st->min = v[0];
	st->max = v[n - 1];
	st->median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
	/* Nearest rank: the smallest value with at least 99 % of the samples at or below it. */
	size_t rank = (99 * n + 99) / 100;
	st->p99 = v[(rank ? rank : 1) - 1];
}
