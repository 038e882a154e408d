/* SPDX-License-Identifier: MIT */
/*
 * Baseline files of 'vocana bench --baseline FILE': the JSON document of an earlier run (as
 * --json prints it). Only each result's name, unit and median are read back.
 */
#ifndef VOCANA_CLI_BENCH_BASELINE_H
#define VOCANA_CLI_BENCH_BASELINE_H

#include <stddef.h>

#include "cli/bench/bench_results.h"

#define BENCH_BASELINE_MAX_BYTES (1 << 20) /* a run has tens of figures; far more is not ours */

/* Parse text (len bytes) into b. 0, or -EINVAL with a reason in err (not a bench document, a
 * result without a name or median). */
int bench_baseline_parse(const char *text, size_t len, struct bench_baseline *b, char *err,
			 size_t err_size);

/* Read and parse path: 0, -ENOENT (no file), -EINVAL / -EFBIG (err says why) or a negative errno. */
int bench_baseline_load(const char *path, struct bench_baseline *b, char *err, size_t err_size);

void bench_baseline_free(struct bench_baseline *b);

#endif
