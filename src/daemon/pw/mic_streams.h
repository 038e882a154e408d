/* SPDX-License-Identifier: MIT */
/*
 * The audio half of the Vocana Microphone: two pw_streams in one process, the design of
 * PipeWire's module-loopback.
 *
 *   capture stream  Stream/Input/Audio, target.object = the real microphone (or a sink, whose
 *                   monitor is captured), node.passive = true: its link does not keep the graph
 *                   running, so while nobody records from the Vocana source neither stream runs
 *                   and the denoiser costs nothing.
 *   output stream   media.class Audio/Source, node.name/description as configured: what apps see
 *                   and record from. Connected with RT_PROCESS.
 *
 * Both share node.group and node.link-group (one driver; WirePlumber never links the capture to
 * our own output). Format: F32 mono at the graph rate (rate 0 in the offer). Both callbacks run
 * on the data thread: the capture callback files its samples by graph position (handoff.h), the
 * output callback takes the samples for its cycle, runs the engine (through a rate adapter when
 * the graph is not at 48 kHz) and queues the result. Without a capture device it outputs silence.
 *
 * Everything the data thread uses is swapped in with a blocking pw_loop_invoke() on the data
 * loop, so the thread never sees a half-replaced engine, adapter or capture stream, and the main
 * thread frees the old one only after the swap returns. All functions except the events' callers
 * run on the main (PipeWire main loop) thread.
 */
#ifndef VOCANA_PW_MIC_STREAMS_H
#define VOCANA_PW_MIC_STREAMS_H

#include <stdbool.h>
#include <stdint.h>

struct pw_core;
struct engine;
struct telemetry;

#define MIC_MAX_BLOCK 8192 /* samples per engine_process() call: PipeWire's default quantum limit */

struct mic_streams_config {
	const char *node_name;   /* e.g. "vocana_mic" */
	const char *description; /* e.g. "Vocana Microphone" */
	const char *group;       /* node.group and node.link-group; unique per process */
	/* Optional (NULL = none): every output callback records its duration here (microseconds).
	 * Owned by the caller and outliving the streams, so the histogram survives reconnections;
	 * the data thread is its only writer. */
	struct telemetry *cycle_times;
};

/* Called on the main thread. */
struct mic_streams_events {
	/* The output stream started streaming: someone began recording from it. */
	void (*session_started)(void *data);
	/* The capture stream failed or was disconnected by the server (its target vanished). */
	void (*capture_lost)(void *data);
	/* The output stream failed; the owner should rebuild everything. */
	void (*output_failed)(void *data, const char *error);
};

/* Counters from the data thread; monotonic since creation. */
struct mic_streams_stats {
	uint64_t cycles;            /* output process calls that produced audio */
	uint64_t cycles_no_capture; /* ... of which had no capture data (silence or zero-padded) */
	uint64_t capture_cycles;    /* capture process calls */
	uint64_t handoff_switches;  /* capture/output order flips mid-session (handoff.h) */
	uint64_t handoff_recoveries; /* returns to the same-cycle hand-off after such flips */
	uint32_t handoff_delay;     /* samples the hand-off adds (0, or a quantum) */
	uint64_t xruns;             /* graph positions we skipped (cycles we did not run) */
	uint64_t no_output_buffer;  /* output process with no buffer to fill */
	uint64_t process_ns;        /* total time spent in the output callback */
	uint32_t process_ns_max;
	uint32_t quantum;           /* samples per cycle, last seen */
	uint32_t rate;              /* graph rate, Hz, last seen (0 = not running yet) */
	uint32_t adapter_latency;   /* rate adapter delay, graph samples (0 at 48 kHz) */
	float input_peak, output_peak; /* of the last cycle */
	bool capturing;             /* a capture stream exists and is streaming */
	const char *capture_state;  /* "unconnected", "connecting", "paused" (linked, idle), ... */
	bool streaming;             /* the output stream is streaming (someone records) */
	bool rate_unsupported;      /* graph rate cannot be resampled: passing audio through */
};

struct mic_streams;

/* Creates and connects the output stream; engine is used from the first cycle (owned by the
 * caller; replace it with mic_streams_set_engine()). */
int mic_streams_create(struct pw_core *core, const struct mic_streams_config *cfg,
		       struct engine *engine, const struct mic_streams_events *events, void *data,
		       struct mic_streams **out);

/* Disconnects and destroys both streams (and the rate adapter). NULL is a no-op. */
void mic_streams_destroy(struct mic_streams *s);

/* Point the capture stream at a node (node.name), or at nothing (target NULL: silence).
 * capture_sink: the target is a sink and its monitor is captured. Re-targeting destroys the old
 * capture stream first. 0 or a negative errno. */
int mic_streams_set_target(struct mic_streams *s, const char *target, bool capture_sink);

/* Current target (NULL if none). */
const char *mic_streams_target(const struct mic_streams *s);

/* Swap the engine the data thread uses; returns the previous one for the caller to destroy. */
struct engine *mic_streams_set_engine(struct mic_streams *s, struct engine *engine);

/* Hold (true) or release the engine: while held, the data thread does not touch it and outputs
 * silence (not the dry input, whose latency differs). Returns once the data thread has seen the
 * change, so between hold and release the caller may reset the engine. */
void mic_streams_hold_engine(struct mic_streams *s, bool hold);

/* Inline-mode engines: reset the engine on the data thread between two cycles (see
 * engine_reset_inline()), so a new recording starts fresh without losing input. 0, -ENOENT if
 * the data thread has no engine, -EINVAL for a worker-mode engine. */
int mic_streams_reset_engine_inline(struct mic_streams *s);

void mic_streams_get_stats(const struct mic_streams *s, struct mic_streams_stats *out);

/* Node id of the output stream in the graph (SPA_ID_INVALID until it is registered). */
uint32_t mic_streams_output_node_id(const struct mic_streams *s);

#endif /* VOCANA_PW_MIC_STREAMS_H */
