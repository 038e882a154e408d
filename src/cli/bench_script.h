/* SPDX-License-Identifier: MIT */
/* The runner of the benchmark scripts in bench/ (the PipeWire groups, see bench_latency.h). */
#ifndef VOCANA_CLI_BENCH_SCRIPT_H
#define VOCANA_CLI_BENCH_SCRIPT_H

#include "bench.h"

/*
 * Runs the script bench/NAME (the source tree's for a vocana in its build tree, else the
 * installed copy) as: SCRIPT VOCANA PW_PLAY_RECORD PW_ANALYZE [--quick], with this vocana program
 * and the PipeWire test clients (of its build tree, or installed), and emits each line
 *   stat name=NAME unit=UNIT median=M p99=P min=A max=B repeats=N
 * it prints as a result, and each "unmeasured name=NAME [unit=UNIT] reason=WHY" as a NaN row (with
 * a warning). Returns 0, -ENOTSUP when PipeWire, the test clients or the script are missing (a
 * warning says which), or -EIO if the script failed.
 */
int bench_run_script(const char *name, bench_emit_fn emit, void *ctx, int quick);

#endif
