/* SPDX-License-Identifier: MIT */
/* Benchmarks that run CLI commands in-process (they need the CLI, so they live here, not in bench/). */
#ifndef VOCANA_CLI_BENCH_FILE_H
#define VOCANA_CLI_BENCH_FILE_H

#include "bench.h"

int bench_denoise_file(bench_emit_fn emit, void *ctx, int quick);

#endif
