/* SPDX-License-Identifier: MIT */
/* Benchmarks: each measures for real and reports through an emit callback; the CLI formats the
 * results (human table or JSON). Figures are medians over repeats, with p99/min/max. */
#ifndef VOCANA_BENCH_H
#define VOCANA_BENCH_H

#include <stddef.h>

struct bench_stat {
	const char *name; /* e.g. "ring.single_thread" */
	const char *unit; /* e.g. "ns/sample", "us/frame" */
	double median, p99, min, max;
	unsigned repeats;
};

typedef void (*bench_emit_fn)(void *ctx, const struct bench_stat *stat);

/* Monotonic clock in microseconds. */
double bench_now_us(void);

/* Sort v[0..n) and set st's median, p99 (nearest rank), min and max from it. */
void bench_summarize(struct bench_stat *st, double *v, size_t n);

/* Each returns 0, or a negative errno if it could not run. quick != 0 shortens the run (for tests). */
int bench_ring(bench_emit_fn emit, void *ctx, int quick);
int bench_stft(bench_emit_fn emit, void *ctx, int quick);
int bench_model(bench_emit_fn emit, void *ctx, int quick);   /* network only, per kernel set */
int bench_denoise(bench_emit_fn emit, void *ctx, int quick); /* whole denoiser, frame + RTF */
int bench_algo_latency(bench_emit_fn emit, void *ctx, int quick); /* the denoiser's delay, ms */

#endif
