/* SPDX-License-Identifier: MIT */
/*
 * The mic service's figures: one table, one line per figure, that drives the control socket's
 * 'status' and 'stats' replies, the Prometheus exposition (/metrics) and `vocana monitor`. A new
 * figure is one new line; its key, unit and help text then reach all three.
 *
 * Columns of STATS_TABLE_STATUS / STATS_TABLE_STATS (status: the first list; stats: both):
 *  key         the reply's key, written as a C name: it also names the figure's id (STAT_key), so
 *              the two can never disagree. Keys are only ever added, never renamed (scripts and
 *              older monitors read them).
 *  type        COUNT   whole number that only grows (a Prometheus counter);
 *              NUMBER  measured value, never below zero (a gauge; the service writes -1 when it
 *                      cannot measure it, and /metrics leaves it out);
 *              LEVEL   measured value that may be below zero (dBFS; a gauge);
 *              FLAG    yes or no (a gauge, 1 or 0);
 *              STATE   one of the names listed in the unit column, '|' between them (a gauge: the
 *                      name's position, 0 first);
 *              TEXT    free text (in /metrics: a label of the info metric named, value always 1);
 *              HIST    a telemetry histogram (core/telemetry.h), "lower_us:count,..." in the reply
 *                      (a Prometheus histogram in seconds).
 *  decimals    digits after the point in the reply (numbers only).
 *  unit        ms, us, s, KiB, dBFS, Hz, %, samples, frames, cycles... ("" for none). /metrics
 *              converts ms, us and KiB to the base units its names carry (seconds, bytes).
 *  prometheus  the metric name, or "" for figures /metrics does not serve.
 *  value       how the service computes it: a C expression over `m` (struct mic *) and `r`
 *              (struct mic_report *, src/pw/mic_private.h). Only src/pw/mic_stats.c expands this
 *              column, so the CLI, which includes this header too, never sees PipeWire types.
 *  help        one sentence; the Prometheus HELP text and the figure's documentation.
 *
 * Lines are long on purpose: one figure, one line.
 */
#ifndef VOCANA_SERVICE_STATS_TABLE_H
#define VOCANA_SERVICE_STATS_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/telemetry.h"

/* clang-format off */
#define STATS_TABLE_STATUS(X) \
	X(running,               FLAG,   0, "",        "",                             true, "Always yes: the service answered.") \
	X(pid,                   NUMBER, 0, "",        "",                             getpid(), "Process id of the service.") \
	X(version,               TEXT,   0, "",        "vocana_build_info",            VOCANA_VERSION_STRING, "Version of the running service.") \
	X(connected,             FLAG,   0, "",        "vocana_connected",             m->connected, "1 (yes) while connected to PipeWire.") \
	X(node,                  TEXT,   0, "",        "",                             m->node_name, "node.name of the Vocana Microphone source.") \
	X(description,           TEXT,   0, "",        "",                             m->description, "node.description of the source: the name apps show.") \
	X(input,                 TEXT,   0, "",        "",                             r->input, "node.name of the microphone captured, or (none).") \
	X(input_follows_default, FLAG,   0, "",        "",                             m->opts.input == NULL, "yes: the input is the default source, followed when it changes (no --input).") \
	X(input_wanted,          TEXT,   0, "",        "",                             m->opts.input ? m->opts.input : "(default)", "node.name of the input asked for (--input, 'set input'), or (default) when following the default source.") \
	X(input_missing,         FLAG,   0, "",        "vocana_input_missing",         m->input_missing, "1 (yes) while the input asked for by name is not in the PipeWire graph: the source outputs silence until it appears.") \
	X(input_active,          FLAG,   0, "",        "",                             r->ss.capturing, "yes: the capture stream exists and is streaming.") \
	X(input_state,           TEXT,   0, "",        "",                             r->input_state, "State of the capture stream (unconnected, connecting, paused, streaming, error).") \
	X(recording,             FLAG,   0, "",        "vocana_recording",             r->ss.streaming, "1 (yes) while an application records the source.") \
	X(mode,                  TEXT,   0, "",        "vocana_build_info",            r->mode, "Engine mode: inline or worker.") \
	X(rate,                  NUMBER, 0, "Hz",      "",                             r->ss.rate, "Graph sample rate (0 before the first cycle).") \
	X(quantum,               NUMBER, 0, "samples", "",                             r->ss.quantum, "Samples per graph cycle.") \
	X(latency_samples,       NUMBER, 0, "samples", "",                             r->latency_samples, "Added latency at the graph rate: engine, hand-off and rate adapter.") \
	X(latency_ms,            NUMBER, 2, "ms",      "vocana_latency_seconds",       1000.0 * r->latency_samples / r->rate, "Delay the service adds to the microphone signal.") \
	X(resampling,            TEXT,   0, "",        "",                             r->resampling, "yes when the graph rate is not 48 kHz (resampled around the engine), no, or unsupported (pass-through).") \
	X(cpu_percent,           NUMBER, 2, "%",       "",                             m->cpu_percent, "CPU use of the whole service over the last second, % of one core.") \
	X(dsp_load_percent,      NUMBER, 2, "%",       "",                             m->dsp_load_percent, "Time in the audio callback over the audio time it produced, last second.") \
	X(process_max_us,        NUMBER, 0, "us",      "",                             r->ss.process_ns_max / 1000, "Longest audio callback so far.") \
	X(cycles,                COUNT,  0, "cycles",  "vocana_cycles_total",          r->ss.cycles, "Audio callbacks that produced output (since the last reconnect).") \
	X(cycles_without_input,  COUNT,  0, "cycles",  "",                             r->ss.cycles_no_capture, "Output callbacks without capture data (silence or zero-padded).") \
	X(capture_cycles,        COUNT,  0, "cycles",  "",                             r->ss.capture_cycles, "Capture callbacks.") \
	X(handoff_delay,         NUMBER, 0, "samples", "",                             r->ss.handoff_delay, "Samples the capture-to-output hand-off adds: 0, or one quantum.") \
	X(handoff_switches,      COUNT,  0, "",        "",                             r->ss.handoff_switches, "Times the callbacks' order flipped in a recording (the hand-off fell back to one quantum).") \
	X(handoff_recoveries,    COUNT,  0, "",        "",                             r->ss.handoff_recoveries, "Returns to the same-cycle hand-off after such flips.") \
	X(no_output_buffer,      COUNT,  0, "cycles",  "",                             r->ss.no_output_buffer, "Output callbacks that found no buffer to fill.") \
	X(frames,                COUNT,  0, "frames",  "vocana_frames_total",          r->es.frames, "10 ms frames output by the engine.") \
	X(frames_denoised,       COUNT,  0, "frames",  "vocana_frames_denoised_total", r->es.frames_denoised, "Frames output that carried the model's output.") \
	X(misses,                COUNT,  0, "frames",  "vocana_deadline_misses_total", r->es.deadline_misses, "Worker mode: frames whose model output came back too late (played dry).") \
	X(xruns,                 COUNT,  0, "cycles",  "vocana_xruns_total",           r->ss.xruns, "Graph cycles the service's audio callback missed (since the last reconnect).") \
	X(breaker,               STATE,  0, "closed|open|half-open", "vocana_breaker_state", r->es.breaker, "Circuit breaker: closed (model in use), open (bypassed after repeated misses), half-open (trying the model again).") \
	X(breaker_trips,         COUNT,  0, "",        "vocana_breaker_trips_total",   r->es.breaker_trips, "Times the circuit breaker bypassed the model after repeated misses.") \
	X(model_p99_us,          NUMBER, 0, "us",      "",                             telemetry_percentile_us(&r->model_times, 99.0), "Model time per frame, 99th percentile (the older name of model_time_p99_us).") \
	X(input_peak,            NUMBER, 4, "",        "",                             r->ss.input_peak, "Peak of the last cycle's input, linear (1 = full scale).") \
	X(output_peak,           NUMBER, 4, "",        "",                             r->ss.output_peak, "Peak of the last cycle's output, linear (1 = full scale).") \
	X(strength,              NUMBER, 0, "",        "vocana_strength",              m->settings.strength, "Denoising strength, 0..100.") \
	X(enabled,               FLAG,   0, "",        "vocana_enabled",               m->settings.enabled, "1 (yes) when denoising is on, 0 (no) in bypass.") \
	X(rss_kib,               NUMBER, 0, "KiB",     "process_resident_memory_bytes", r->rss_kib, "Resident memory of the service.") \
	X(uptime_s,              NUMBER, 1, "s",       "vocana_uptime_seconds",        r->uptime_s, "Time since the service started.") \
	X(connects,              COUNT,  0, "",        "",                             m->n_connects, "Connections made to PipeWire (the first one and every reconnect).") \
	X(settings,              TEXT,   0, "",        "",                             m->config_path[0] ? m->config_path : "(none)", "The settings file, or (none).")

#define STATS_TABLE_STATS(X) \
	X(model,                 TEXT,   0, "",        "",                             m->opts.model_path ? m->opts.model_path : "embedded", "The model file, or embedded.") \
	X(overflows,             COUNT,  0, "frames",  "vocana_overflows_total",       r->es.late_frames_dropped + r->es.submit_failures, "Model frames dropped: late results discarded, or no free buffer for the worker.") \
	X(late_frames_dropped,   COUNT,  0, "frames",  "",                             r->es.late_frames_dropped, "Worker mode: model results discarded because they came back after their slot.") \
	X(submit_failures,       COUNT,  0, "frames",  "",                             r->es.submit_failures, "Worker mode: frames not sent to the model because every buffer was in flight.") \
	X(block_violations,      COUNT,  0, "calls",   "vocana_block_violations_total", r->es.block_violations, "Engine calls with a block larger than the engine was made for (clamped) or without buffers: a bug if ever above 0.") \
	X(fifo_fill_samples,     NUMBER, 0, "samples", "vocana_fifo_fill_samples",     r->es.fifo_fill_samples, "Samples in the engine's frame FIFO after the last cycle (taken in, not played yet; 48 kHz).") \
	X(margin_frames,         NUMBER, 0, "frames",  "vocana_margin_frames",         r->es.margin_frames, "Worker mode: current adaptive safety margin.") \
	X(margin_changes,        COUNT,  0, "",        "",                             r->es.margin_changes, "Worker mode: glitch-free splices that grew or shrank the margin.") \
	X(input_dbfs,            LEVEL,  1, "dBFS",    "vocana_input_level_dbfs",      metrics_dbfs(r->ss.input_peak), "Peak level of the last cycle's input (-120 = silence).") \
	X(output_dbfs,           LEVEL,  1, "dBFS",    "vocana_output_level_dbfs",     metrics_dbfs(r->ss.output_peak), "Peak level of the last cycle's output (-120 = silence).") \
	X(vad,                   NUMBER, 3, "",        "vocana_vad",                   r->es.vad, "Voice activity of the last frame, 0..1.") \
	X(model_time_p50_us,     NUMBER, 0, "us",      "",                             telemetry_percentile_us(&r->model_times, 50.0), "Model time per 10 ms frame, median.") \
	X(model_time_p99_us,     NUMBER, 0, "us",      "",                             telemetry_percentile_us(&r->model_times, 99.0), "Model time per 10 ms frame, 99th percentile.") \
	X(model_time_max_us,     NUMBER, 0, "us",      "",                             r->model_times.max_us, "Model time per 10 ms frame, maximum.") \
	X(model_time_mean_us,    NUMBER, 1, "us",      "",                             telemetry_mean_us(&r->model_times), "Model time per 10 ms frame, mean.") \
	X(model_time_count,      COUNT,  0, "frames",  "",                             r->model_times.count, "Model frames timed.") \
	X(model_time_hist,       HIST,   0, "us",      "vocana_model_frame_seconds",   &r->model_times, "Time the model took per 10 ms frame.") \
	X(cycle_time_p50_us,     NUMBER, 0, "us",      "",                             telemetry_percentile_us(&r->cycle_times, 50.0), "Time in the audio output callback per cycle, median.") \
	X(cycle_time_p99_us,     NUMBER, 0, "us",      "",                             telemetry_percentile_us(&r->cycle_times, 99.0), "Time in the audio output callback per cycle, 99th percentile.") \
	X(cycle_time_max_us,     NUMBER, 0, "us",      "",                             r->cycle_times.max_us, "Time in the audio output callback per cycle, maximum.") \
	X(cycle_time_mean_us,    NUMBER, 1, "us",      "",                             telemetry_mean_us(&r->cycle_times), "Time in the audio output callback per cycle, mean.") \
	X(cycle_time_count,      COUNT,  0, "cycles",  "",                             r->cycle_times.count, "Audio output callbacks timed.") \
	X(cycle_time_hist,       HIST,   0, "us",      "vocana_cycle_seconds",         &r->cycle_times, "Time spent in the PipeWire audio callback per graph cycle.") \
	X(cpu_time_ms,           COUNT,  0, "ms",      "process_cpu_seconds_total",    r->cpu_time_ms, "User and system CPU time the service has used.") \
	X(worker_realtime,       FLAG,   0, "",        "",                             r->es.worker_realtime, "Worker mode: the model's thread got real-time priority (SCHED_FIFO).") \
	X(memory_locked,         FLAG,   0, "",        "",                             r->es.memory_locked, "The engine's buffers are locked in RAM (mlock), so they are never paged out.") \
	X(clients_dropped,       COUNT,  0, "",        "vocana_clients_dropped_total", mic_clients_dropped(m), "Control-socket and /metrics connections closed without an answer: silent past the timeout, evicted for a newer one, or turned away.") \
	X(test_slow_model_us,    NUMBER, 0, "us",      "",                             m->test_slow_model_us, "Test hook VOCANA_TEST_SLOW_MODEL_US: least model time per frame (0 = off).")
/* clang-format on */

#define STATS_TABLE(X) STATS_TABLE_STATUS(X) STATS_TABLE_STATS(X)

enum stats_type {
	STATS_TYPE_COUNT,
	STATS_TYPE_NUMBER,
	STATS_TYPE_LEVEL,
	STATS_TYPE_FLAG,
	STATS_TYPE_STATE,
	STATS_TYPE_TEXT,
	STATS_TYPE_HIST,
};

#define STATS_ID_(key, type, decimals, unit, prom, value, help) STAT_##key,
enum stat_id { STATS_TABLE(STATS_ID_) STATS_N };
#undef STATS_ID_

/* How many HIST figures there are (the monitor keeps one parsed histogram each). */
#define STATS_HIST_1_(key, type, decimals, unit, prom, value, help) +(STATS_TYPE_##type == STATS_TYPE_HIST)
enum { STATS_N_HIST = 0 STATS_TABLE(STATS_HIST_1_) };
#undef STATS_HIST_1_

struct stats_figure {
	const char *key;
	enum stats_type type;
	unsigned decimals;
	const char *unit;
	const char *prometheus; /* "" = not served */
	const char *help;
	bool in_status;         /* also in the 'status' reply */
};

/* The figure of an id (id < STATS_N), or NULL. */
const struct stats_figure *stats_figure(enum stat_id id);

/* The id of a key, or -1. */
int stats_find(const char *key);

/* A HIST figure's position among the HIST figures (0 .. STATS_N_HIST - 1), or -1. */
int stats_hist_slot(enum stat_id id);

/* The name at index of a STATE figure's list into buf ("" when out of range). Returns buf. */
const char *stats_state_name(const struct stats_figure *f, int index, char *buf, size_t size);

/* The index of name in a STATE figure's list, or -1. */
int stats_state_index(const struct stats_figure *f, const char *name);

/* Factor from the figure's unit to the Prometheus base unit its name carries: 1e-3 for ms, 1e-6
 * for us, 1024 for KiB, else 1. */
double stats_unit_to_base(const char *unit);

/* ---- Values ------------------------------------------------------------------------------ */

/* One figure's value: num for COUNT, NUMBER, LEVEL, FLAG (1 or 0) and STATE (its index); text for
 * TEXT; hist for HIST. The pointers are borrowed: valid while the caller's report is. */
struct stats_value {
	double num;
	const char *text;
	const struct telemetry_snapshot *hist;
};

struct stats_values {
	struct stats_value v[STATS_N];
};

/* A value of a given type, for filling stats_values from the table's value column. */
#define STATS_VALUE_COUNT(x)  ((struct stats_value){ .num = (double)(x) })
#define STATS_VALUE_NUMBER(x) ((struct stats_value){ .num = (double)(x) })
#define STATS_VALUE_LEVEL(x)  ((struct stats_value){ .num = (double)(x) })
#define STATS_VALUE_FLAG(x)   ((struct stats_value){ .num = (x) ? 1.0 : 0.0 })
#define STATS_VALUE_STATE(x)  ((struct stats_value){ .num = (double)(x) })
#define STATS_VALUE_TEXT(x)   ((struct stats_value){ .text = (x) })
#define STATS_VALUE_HIST(x)   ((struct stats_value){ .hist = (x) })

/* ---- The renderings ------------------------------------------------------------------- */

struct control_reply;
struct text_buf;

/* stats_table.c: append the key=value lines of every figure (stats) or of the status figures
 * (status only) to a control reply, in table order. */
void stats_reply_add(struct control_reply *r, const struct stats_values *v, bool status_only);

/* stats_prom.c: every figure that has a Prometheus name, in table order, as exposition text:
 * counters and gauges in base units, TEXT figures as the labels of their info metric, HIST
 * figures as histograms. A NUMBER or COUNT below zero means "not measured" and is left out. */
void stats_prometheus(struct text_buf *b, const struct stats_values *v);

#endif /* VOCANA_SERVICE_STATS_TABLE_H */
