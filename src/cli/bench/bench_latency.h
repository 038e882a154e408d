/* SPDX-License-Identifier: MIT */
/* The PipeWire benchmark groups: the Vocana Microphone through a real, private PipeWire. */
#ifndef VOCANA_CLI_BENCH_LATENCY_H
#define VOCANA_CLI_BENCH_LATENCY_H

#include "bench.h"

/* 'pipeline': bench/latency.sh. Figures: pipeline.latency.qN (ms added at graph quantum N; NaN
 * with repeats 0 where no glitch-free recording could be made), service.cpu.idle,
 * service.cpu.active (% of one core) and service.rss (MiB). Returns as bench_run_script(). */
int bench_latency(bench_emit_fn emit, void *ctx, int quick);

/* 'load': bench/load.sh, recording from the Vocana Microphone at quantum 256 for 60 s (10 s with
 * quick) while every core is kept busy. Figures: load.xruns and load.misses (the service's xruns
 * and late model frames over the run), load.xruns_per_hour (their sum per hour of recording),
 * load.client_xruns (the test player's own, which does not pass through Vocana: how much the
 * loaded graph itself glitched) and load.cpu (the service's CPU, % of one core). */
int bench_load(bench_emit_fn emit, void *ctx, int quick);

#endif
