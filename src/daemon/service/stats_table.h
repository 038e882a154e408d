/* SPDX-License-Identifier: MIT */
/*
 * The service's figures: one table, one line per figure, that drives the control socket's
 * 'status' and 'stats' replies, the Prometheus exposition (/metrics) and `vocana monitor`. A new
 * figure is one new line; its key, unit and help text then reach all three, for each direction
 * (the Vocana Microphone and the Vocana Speaker) when its scope is DIR.
 *
 * Columns of STATS_TABLE_STATUS / STATS_TABLE_STATS (status: the first list; stats: both):
 *  key         the reply's key, written as a C name: it also names the figure's id (STAT_key), so
 *              the two can never disagree. Keys are only ever added, never renamed (scripts and
 *              older monitors read them).
 *  scope       SVC  the service as a whole (one figure);
 *              DIR  every direction: the mic's under the key (as before the speaker existed), the
 *                   speaker's under "speaker." + key (id STAT_speaker_key), one Prometheus metric
 *                   for both, the speaker's sample labelled direction="speaker";
 *              MIC  the mic only (its keys from before the speaker, e.g. input, recording);
 *              SPK  the speaker only, under "speaker." + key.
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
 *              (struct mic_report *, src/daemon/pw/mic_private.h), and for a direction's figures over
 *              `d` (that direction's struct dir_report). Only src/daemon/pw/mic_stats.c expands this
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
	X(running,               SVC, FLAG,   0, "",        "",                             true, "Always yes: the service answered.") \
	X(pid,                   SVC, NUMBER, 0, "",        "",                             getpid(), "Process id of the service.") \
	X(version,               SVC, TEXT,   0, "",        "vocana_build_info",            VOCANA_VERSION_STRING, "Version of the running service.") \
	X(connected,             SVC, FLAG,   0, "",        "vocana_connected",             m->connected, "1 (yes) while connected to PipeWire.") \
	X(mic,                   SVC, FLAG,   0, "",        "vocana_mic_on",                r->dir[DIRECTION_MIC].on, "1 (yes) while the service publishes the Vocana Microphone.") \
	X(speaker,               SVC, FLAG,   0, "",        "vocana_speaker_on",            r->dir[DIRECTION_SPEAKER].on, "1 (yes) while the service publishes the Vocana Speaker.") \
	X(node,                  DIR, TEXT,   0, "",        "",                             d->node, "node.name of the direction's node (the Vocana source or sink).") \
	X(description,           DIR, TEXT,   0, "",        "",                             d->description, "node.description of the node: the name apps show.") \
	X(input,                 MIC, TEXT,   0, "",        "",                             d->device, "node.name of the microphone captured, or (none).") \
	X(input_follows_default, MIC, FLAG,   0, "",        "",                             d->follows_default, "yes: the input is the default source, followed when it changes (no --input).") \
	X(input_wanted,          MIC, TEXT,   0, "",        "",                             d->wanted, "node.name of the input asked for (--input, 'set input'), or (default) when following the default source.") \
	X(input_missing,         MIC, FLAG,   0, "",        "vocana_input_missing",         d->device_missing, "1 (yes) while the input asked for by name is not in the PipeWire graph: the source outputs silence until it appears.") \
	X(input_active,          MIC, FLAG,   0, "",        "",                             d->ds.device_streaming, "yes: the capture stream exists and is streaming.") \
	X(input_state,           MIC, TEXT,   0, "",        "",                             d->device_state, "State of the capture stream (unconnected, connecting, paused, streaming, error; parked: idle while the device runs for another application).") \
	X(output,                SPK, TEXT,   0, "",        "",                             d->device, "node.name of the sink the speaker plays into, or (none).") \
	X(output_follows_default, SPK, FLAG,  0, "",        "",                             d->follows_default, "yes: the output is the default sink, followed when it changes (no --speaker-output).") \
	X(output_wanted,         SPK, TEXT,   0, "",        "",                             d->wanted, "node.name of the output asked for (--speaker-output, 'set speaker.output'), or (default) when following the default sink.") \
	X(output_missing,        SPK, FLAG,   0, "",        "vocana_output_missing",        d->device_missing, "1 (yes) while the output asked for by name is not in the PipeWire graph: the speaker plays nowhere until it appears.") \
	X(output_active,         SPK, FLAG,   0, "",        "",                             d->ds.device_streaming, "yes: the playback stream exists and is streaming.") \
	X(output_state,          SPK, TEXT,   0, "",        "",                             d->device_state, "State of the playback stream (unconnected, connecting, paused, streaming, error; parked: idle while the sink runs for another application).") \
	X(recording,             MIC, FLAG,   0, "",        "vocana_recording",             d->ds.streaming, "1 (yes) while an application records the source.") \
	X(playing,               SPK, FLAG,   0, "",        "vocana_playing",               d->ds.streaming, "1 (yes) while an application plays into the speaker.") \
	X(mode,                  SVC, TEXT,   0, "",        "vocana_build_info",            r->mode, "Engine mode: inline or worker.") \
	X(channels,              DIR, NUMBER, 0, "",        "",                             d->ds.channels, "Audio channels, each with its own denoiser state.") \
	X(channels_linked,       DIR, FLAG,   0, "",        "",                             d->ds.linked, "yes: the channels share one network, run on their mid signal (2+ channels, inline mode); no: one network per channel.") \
	X(network_fallbacks,     DIR, COUNT,  0, "frames",  "",                             d->ds.es.own_network_hops, "Linked channels: frames a channel ran its own network for, the mid's output not being there (0 in a healthy run).") \
	X(rate,                  DIR, NUMBER, 0, "Hz",      "",                             d->ds.rate, "Graph sample rate (0 before the first cycle).") \
	X(quantum,               DIR, NUMBER, 0, "samples", "",                             d->ds.quantum, "Samples per graph cycle.") \
	X(latency_samples,       DIR, NUMBER, 0, "samples", "",                             d->latency_samples, "Added latency at the graph rate: engine, hand-off and rate adapter.") \
	X(latency_ms,            DIR, NUMBER, 2, "ms",      "vocana_latency_seconds",       1000.0 * d->latency_samples / d->rate, "Delay the service adds to the signal.") \
	X(resampling,            DIR, TEXT,   0, "",        "",                             d->resampling, "yes when the graph rate is not 48 kHz (resampled around the engine), no, or unsupported (pass-through).") \
	X(cpu_percent,           SVC, NUMBER, 2, "%",       "",                             m->cpu_percent, "CPU use of the whole service over the last second, % of one core.") \
	X(dsp_load_percent,      DIR, NUMBER, 2, "%",       "",                             d->dsp_load_percent, "Time in the audio callback over the audio time it produced, last second.") \
	X(process_max_us,        DIR, NUMBER, 0, "us",      "",                             d->ds.process_ns_max / 1000, "Longest audio callback so far.") \
	X(cycles,                DIR, COUNT,  0, "cycles",  "vocana_cycles_total",          d->ds.cycles, "Audio callbacks that produced output (since the last reconnect).") \
	X(cycles_without_input,  DIR, COUNT,  0, "cycles",  "",                             d->ds.cycles_no_input, "Output callbacks without input data (silence or zero-padded).") \
	X(capture_cycles,        DIR, COUNT,  0, "cycles",  "",                             d->ds.in_cycles, "Callbacks of the input side (the mic's capture, the speaker's sink).") \
	X(handoff_delay,         DIR, NUMBER, 0, "samples", "",                             d->ds.handoff_delay, "Samples the input-to-output hand-off adds: 0, or one quantum.") \
	X(handoff_switches,      DIR, COUNT,  0, "",        "",                             d->ds.handoff_switches, "Times the callbacks' order flipped in a session (the hand-off fell back to one quantum).") \
	X(handoff_recoveries,    DIR, COUNT,  0, "",        "",                             d->ds.handoff_recoveries, "Returns to the same-cycle hand-off after such flips.") \
	X(reorders,              DIR, COUNT,  0, "",        "vocana_reorders_total",        d->ds.reorders, "Restarts of the node that put the callbacks back in order (after a device came back mid-session).") \
	X(no_output_buffer,      DIR, COUNT,  0, "cycles",  "",                             d->ds.no_output_buffer, "Output callbacks that found no buffer to fill.") \
	X(stale_buffers,         DIR, COUNT,  0, "cycles",  "",                             d->ds.stale_buffers, "Output callbacks that found an earlier buffer of theirs still queued, not yet taken by the graph.") \
	X(silent_cycles,         DIR, COUNT,  0, "cycles",  "vocana_silent_cycles_total",   d->ds.silent_cycles, "Cycles of long digital silence the engines idled through (the speaker: a paused player).") \
	X(frames,                DIR, COUNT,  0, "frames",  "vocana_frames_total",          d->ds.es.frames, "10 ms frames output by the engines (every channel's).") \
	X(frames_denoised,       DIR, COUNT,  0, "frames",  "vocana_frames_denoised_total", d->ds.es.frames_denoised, "Frames output that carried the model's output.") \
	X(misses,                DIR, COUNT,  0, "frames",  "vocana_deadline_misses_total", d->ds.es.deadline_misses, "Worker mode: frames whose model output came back too late (played dry).") \
	X(xruns,                 DIR, COUNT,  0, "cycles",  "vocana_xruns_total",           d->ds.xruns, "Gaps in the graph's cycles the audio callback did not run for, whatever their length (since the service started).") \
	X(xrun_lost_ms,          DIR, COUNT,  0, "ms",      "vocana_xrun_lost_seconds_total", d->ds.xrun_lost_us / 1000, "Audio those gaps skipped, in total.") \
	X(xrun_max_ms,           DIR, NUMBER, 1, "ms",      "vocana_xrun_max_seconds",      d->ds.xrun_max_us / 1000.0, "The longest gap.") \
	X(breaker,               DIR, STATE,  0, "closed|open|half-open", "vocana_breaker_state", d->ds.es.breaker, "Circuit breaker: closed (model in use), open (bypassed after repeated misses), half-open (trying the model again).") \
	X(breaker_trips,         DIR, COUNT,  0, "",        "vocana_breaker_trips_total",   d->ds.es.breaker_trips, "Times the circuit breaker bypassed the model after repeated misses.") \
	X(model_p99_us,          MIC, NUMBER, 0, "us",      "",                             telemetry_percentile_us(&d->ds.model_times, 99.0), "Model time per frame, 99th percentile (the older name of model_time_p99_us).") \
	X(input_peak,            DIR, NUMBER, 4, "",        "",                             d->ds.input_peak, "Peak of the last cycle's input, linear (1 = full scale).") \
	X(output_peak,           DIR, NUMBER, 4, "",        "",                             d->ds.output_peak, "Peak of the last cycle's output, linear (1 = full scale).") \
	X(strength,              DIR, NUMBER, 0, "",        "vocana_strength",              d->strength, "Denoising strength, 0..100.") \
	X(enabled,               MIC, FLAG,   0, "",        "vocana_enabled",               d->enabled, "1 (yes) when denoising is on, 0 (no) in bypass.") \
	X(rss_kib,               SVC, NUMBER, 0, "KiB",     "process_resident_memory_bytes", r->rss_kib, "Resident memory of the service.") \
	X(uptime_s,              SVC, NUMBER, 1, "s",       "vocana_uptime_seconds",        r->uptime_s, "Time since the service started.") \
	X(connects,              SVC, COUNT,  0, "",        "",                             m->n_connects, "Connections made to PipeWire (the first one and every reconnect).") \
	X(settings,              SVC, TEXT,   0, "",        "",                             m->config_path[0] ? m->config_path : "(none)", "The settings file, or (none).")

#define STATS_TABLE_STATS(X) \
	X(model,                 SVC, TEXT,   0, "",        "",                             m->opts.model_path ? m->opts.model_path : "embedded", "The model file, or embedded.") \
	X(overflows,             DIR, COUNT,  0, "frames",  "vocana_overflows_total",       d->ds.es.late_frames_dropped + d->ds.es.submit_failures, "Model frames dropped: late results discarded, or no free buffer for the worker.") \
	X(late_frames_dropped,   DIR, COUNT,  0, "frames",  "",                             d->ds.es.late_frames_dropped, "Worker mode: model results discarded because they came back after their slot.") \
	X(submit_failures,       DIR, COUNT,  0, "frames",  "",                             d->ds.es.submit_failures, "Worker mode: frames not sent to the model because every buffer was in flight.") \
	X(block_violations,      DIR, COUNT,  0, "calls",   "vocana_block_violations_total", d->ds.es.block_violations, "Engine calls with a block larger than the engine was made for (clamped) or without buffers: a bug if ever above 0.") \
	X(fifo_fill_samples,     DIR, NUMBER, 0, "samples", "vocana_fifo_fill_samples",     d->ds.es.fifo_fill_samples, "Samples in the engine's frame FIFO after the last cycle (taken in, not played yet; 48 kHz).") \
	X(margin_frames,         DIR, NUMBER, 0, "frames",  "vocana_margin_frames",         d->ds.es.margin_frames, "Worker mode: current adaptive safety margin.") \
	X(margin_changes,        DIR, COUNT,  0, "",        "",                             d->ds.es.margin_changes, "Worker mode: glitch-free splices that grew or shrank the margin.") \
	X(input_dbfs,            DIR, LEVEL,  1, "dBFS",    "vocana_input_level_dbfs",      metrics_dbfs(d->ds.input_peak), "Peak level of the last cycle's input (-120 = silence).") \
	X(output_dbfs,           DIR, LEVEL,  1, "dBFS",    "vocana_output_level_dbfs",     metrics_dbfs(d->ds.output_peak), "Peak level of the last cycle's output (-120 = silence).") \
	X(vad,                   DIR, NUMBER, 3, "",        "vocana_vad",                   d->ds.es.vad, "Voice activity of the last frame, 0..1.") \
	X(model_time_p50_us,     DIR, NUMBER, 0, "us",      "",                             telemetry_percentile_us(&d->ds.model_times, 50.0), "Model time per 10 ms frame, median.") \
	X(model_time_p99_us,     DIR, NUMBER, 0, "us",      "",                             telemetry_percentile_us(&d->ds.model_times, 99.0), "Model time per 10 ms frame, 99th percentile.") \
	X(model_time_max_us,     DIR, NUMBER, 0, "us",      "",                             d->ds.model_times.max_us, "Model time per 10 ms frame, maximum.") \
	X(model_time_mean_us,    DIR, NUMBER, 1, "us",      "",                             telemetry_mean_us(&d->ds.model_times), "Model time per 10 ms frame, mean.") \
	X(model_time_count,      DIR, COUNT,  0, "frames",  "",                             d->ds.model_times.count, "Model frames timed.") \
	X(model_time_hist,       DIR, HIST,   0, "us",      "vocana_model_frame_seconds",   &d->ds.model_times, "Time the model took per 10 ms frame.") \
	X(cycle_time_p50_us,     DIR, NUMBER, 0, "us",      "",                             telemetry_percentile_us(&d->ds.cycle_times, 50.0), "Time in the audio output callback per cycle, median.") \
	X(cycle_time_p99_us,     DIR, NUMBER, 0, "us",      "",                             telemetry_percentile_us(&d->ds.cycle_times, 99.0), "Time in the audio output callback per cycle, 99th percentile.") \
	X(cycle_time_max_us,     DIR, NUMBER, 0, "us",      "",                             d->ds.cycle_times.max_us, "Time in the audio output callback per cycle, maximum.") \
	X(cycle_time_mean_us,    DIR, NUMBER, 1, "us",      "",                             telemetry_mean_us(&d->ds.cycle_times), "Time in the audio output callback per cycle, mean.") \
	X(cycle_time_count,      DIR, COUNT,  0, "cycles",  "",                             d->ds.cycle_times.count, "Audio output callbacks timed.") \
	X(cycle_time_hist,       DIR, HIST,   0, "us",      "vocana_cycle_seconds",         &d->ds.cycle_times, "Time spent in the PipeWire audio callback per graph cycle.") \
	X(cpu_time_ms,           SVC, COUNT,  0, "ms",      "process_cpu_seconds_total",    r->cpu_time_ms, "User and system CPU time the service has used.") \
	X(worker_realtime,       DIR, FLAG,   0, "",        "",                             d->ds.es.worker_realtime, "Worker mode: the model's thread got real-time priority (SCHED_FIFO).") \
	X(memory_locked,         DIR, FLAG,   0, "",        "",                             d->ds.es.memory_locked, "The engine's buffers are locked in RAM (mlock), so they are never paged out.") \
	X(clients_dropped,       SVC, COUNT,  0, "",        "vocana_clients_dropped_total", mic_clients_dropped(m), "Control-socket and /metrics connections closed without an answer: silent past the timeout, evicted for a newer one, or turned away.") \
	X(test_slow_model_us,    SVC, NUMBER, 0, "us",      "",                             m->test_slow_model_us, "Test hook VOCANA_TEST_SLOW_MODEL_US: least model time per frame (0 = off).")
/* clang-format on */

/* Which figures each part of the table has: the first part (plain keys) has the service's, the
 * mic's and the ones every direction has (the mic's copy); the speaker's part ("speaker." + key)
 * has the speaker's and its copy of the ones every direction has. STATS_KEEP_<part>_<scope>(...)
 * is its arguments for a figure of that scope the part has, nothing otherwise. */
#define STATS_KEEP_MIC_SVC(...) __VA_ARGS__
#define STATS_KEEP_MIC_DIR(...) __VA_ARGS__
#define STATS_KEEP_MIC_MIC(...) __VA_ARGS__
#define STATS_KEEP_MIC_SPK(...)
#define STATS_KEEP_SPK_SVC(...)
#define STATS_KEEP_SPK_DIR(...) __VA_ARGS__
#define STATS_KEEP_SPK_MIC(...)
#define STATS_KEEP_SPK_SPK(...) __VA_ARGS__

/* Every figure in order: the status figures (first part, speaker's part), then the stats ones
 * (the same two parts). PART(X) runs X over one list; X sees the same columns as the table. */
#define STATS_TABLE(MIC_STATUS, SPK_STATUS, MIC_STATS, SPK_STATS)                                 \
	STATS_TABLE_STATUS(MIC_STATUS) STATS_TABLE_STATUS(SPK_STATUS)                              \
	STATS_TABLE_STATS(MIC_STATS) STATS_TABLE_STATS(SPK_STATS)

enum stats_type {
	STATS_TYPE_COUNT,
	STATS_TYPE_NUMBER,
	STATS_TYPE_LEVEL,
	STATS_TYPE_FLAG,
	STATS_TYPE_STATE,
	STATS_TYPE_TEXT,
	STATS_TYPE_HIST,
};

/* Ids: STAT_key for the first part, STAT_speaker_key for the speaker's. */
#define STATS_ID_MIC_(key, scope, type, decimals, unit, prom, value, help)                          \
	STATS_KEEP_MIC_##scope(STAT_##key,)
#define STATS_ID_SPK_(key, scope, type, decimals, unit, prom, value, help)                          \
	STATS_KEEP_SPK_##scope(STAT_speaker_##key,)
enum stat_id {
	STATS_TABLE(STATS_ID_MIC_, STATS_ID_SPK_, STATS_ID_MIC_, STATS_ID_SPK_)
	STATS_N
};
#undef STATS_ID_MIC_
#undef STATS_ID_SPK_

/* How many HIST figures there are (the monitor keeps one parsed histogram each). */
#define STATS_HIST_MIC_(key, scope, type, decimals, unit, prom, value, help)                        \
	STATS_KEEP_MIC_##scope(+(STATS_TYPE_##type == STATS_TYPE_HIST))
#define STATS_HIST_SPK_(key, scope, type, decimals, unit, prom, value, help)                        \
	STATS_KEEP_SPK_##scope(+(STATS_TYPE_##type == STATS_TYPE_HIST))
enum { STATS_N_HIST = 0 STATS_TABLE(STATS_HIST_MIC_, STATS_HIST_SPK_, STATS_HIST_MIC_,
				     STATS_HIST_SPK_) };
#undef STATS_HIST_MIC_
#undef STATS_HIST_SPK_

/* The key of the speaker's copy of a figure: "speaker." + its key. */
#define STATS_SPEAKER_PREFIX "speaker."

struct stats_figure {
	const char *key;
	enum stats_type type;
	unsigned decimals;
	const char *unit;
	const char *prometheus; /* "" = not served */
	const char *help;
	bool in_status;         /* also in the 'status' reply */
	bool speaker;           /* the speaker's part: its metric carries direction="speaker" */
};

/* The figure of an id (id < STATS_N), or NULL. */
const struct stats_figure *stats_figure(enum stat_id id);

/* The id of a key, or -1. */
int stats_find(const char *key);

/* The speaker's copy of a figure of the first part (its DIR figures), or -1. */
int stats_speaker_twin(enum stat_id id);

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
 * figures as histograms. A NUMBER or COUNT below zero means "not measured" and is left out.
 * A direction figure's speaker sample follows the mic's, labelled direction="speaker" (one
 * metric family is one group of lines); the mic's sample keeps its unlabelled series. The
 * speaker's samples are only there while `speaker` (the direction is on) is yes. */
void stats_prometheus(struct text_buf *b, const struct stats_values *v);

#endif /* VOCANA_SERVICE_STATS_TABLE_H */
