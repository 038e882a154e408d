/* SPDX-License-Identifier: MIT */
/* The 'pipeline' benchmark group: the Vocana Microphone through a real, private PipeWire. */
#ifndef VOCANA_CLI_BENCH_LATENCY_H
#define VOCANA_CLI_BENCH_LATENCY_H

#include "bench.h"

/* Runs bench/latency.sh from the source tree against this vocana program and the PipeWire test
 * clients of its build directory, and emits its figures: pipeline.latency.qN (ms added at graph
 * quantum N; NaN with repeats 0 where no glitch-free recording could be made), service.cpu.idle,
 * service.cpu.active (% of one core) and service.rss (MiB). Returns 0, or -ENOTSUP when PipeWire,
 * the test clients or the script are missing (an installed vocana), or -EIO if the script failed. */
int bench_latency(bench_emit_fn emit, void *ctx, int quick);

#endif
