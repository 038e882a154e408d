/* SPDX-License-Identifier: MIT */
/*
 * The results of one 'vocana bench' run: every figure the benchmarks emitted, judged against the
 * performance targets (src/daemon/service/targets.h) and compared with a baseline run, and written as
 * the JSON document of --json and of baseline files.
 */
#ifndef VOCANA_CLI_BENCH_RESULTS_H
#define VOCANA_CLI_BENCH_RESULTS_H

#include <stdbool.h>
#include <stdio.h>

#include "bench.h"
#include "service/targets.h"

struct bench_result {
	char *name, *unit; /* owned copies: a benchmark's strings may be temporary */
	double median, p99, min, max; /* NaN: not measured */
	unsigned repeats;
	int target;                /* enum target_id this figure is judged by, or -1 */
	enum target_status status; /* TARGET_UNKNOWN when not judged or not measured */
	double baseline;           /* the baseline run's median; NaN without one */
	double ratio;              /* median / baseline; NaN when not compared */
	bool regression;           /* ratio above the allowed ratio */
};

/* A baseline: figure names and medians of an earlier run (bench_baseline.h reads them). */
struct bench_baseline_entry {
	char *name, *unit;
	double median;
};

struct bench_baseline {
	struct bench_baseline_entry *v;
	size_t n;
};

struct bench_results {
	struct bench_result *v;
	size_t n, cap;
	struct targets targets;
	const struct bench_baseline *baseline; /* NULL: no comparison */
	double regress_ratio;                  /* e.g. 1.25 */
};

/* The target a figure is judged by, or -1: pipeline.latency.q256 -> added latency, the denoiser's
 * figures for the kernel set a real caller gets (vocana_dev_isa_name()) -> time per frame and
 * real-time factor, denoiser.algo_latency, service.cpu.idle/active, service.rss and
 * load.xruns_per_hour. */
int bench_target_of(const char *name);

/* Whether a figure of this unit is a lower-is-better time, CPU or memory figure that a baseline
 * comparison judges (counts and rates of rare events are not: a ratio of 0 xruns means nothing). */
bool bench_unit_is_compared(const char *unit);

/* Add a figure: copy it, judge it, compare it with the baseline. The stored result, or NULL (out
 * of memory). */
const struct bench_result *bench_results_add(struct bench_results *r, const struct bench_stat *s);

/* Whether a measured figure was judged by target id. */
bool bench_results_measured(const struct bench_results *r, int target);

void bench_results_free(struct bench_results *r);

/* One JSON string with escapes. */
void bench_json_string(FILE *f, const char *s);

/* A number, or null for NaN and infinities (JSON has neither). */
void bench_json_number(FILE *f, double v);

/* The results as a JSON array, one object per figure: name, unit, median, p99, min, max, repeats,
 * target (the limit, null if not judged), alert, status ("met", "missed", "alert", "n/a"), and
 * with a baseline: baseline, ratio, regression. */
void bench_results_write_json(const struct bench_results *r, FILE *f);

#endif
