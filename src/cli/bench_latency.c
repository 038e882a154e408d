/* SPDX-License-Identifier: MIT */
/*
 * The PipeWire benchmark groups: bench/latency.sh ('pipeline') and bench/load.sh ('load'), both
 * against a private PipeWire (tests/pw/pw-env.sh) with the real 'vocana mic' service, run through
 * bench_script.c (which finds them in the source tree or the installation).
 */
#include "cli/bench_latency.h"
#include "cli/bench_script.h"

int bench_latency(bench_emit_fn emit, void *ctx, int quick)
{
	return bench_run_script("latency.sh", emit, ctx, quick);
}

int bench_load(bench_emit_fn emit, void *ctx, int quick)
{
	return bench_run_script("load.sh", emit, ctx, quick);
}
