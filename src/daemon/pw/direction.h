/* SPDX-License-Identifier: MIT */
/*
 * One denoised direction of the service: a node that applications see, a stream on the user's
 * real device, and between them, per channel, the hand-off (handoff.h), a rate adapter when the
 * graph is not at 48 kHz (rate_adapter.h) and an engine (engine/engine.h). The service runs two:
 *
 *   DIRECTION_MIC      device stream: capture of the real microphone (a source, or a sink's
 *                      monitor)  ->  node: "Vocana Microphone", an Audio/Source apps record from.
 *   DIRECTION_SPEAKER  node: "Vocana Speaker", an Audio/Sink apps play into  ->  device stream:
 *                      playback into the real output (the default sink).
 *
 * The design is PipeWire's module-loopback: two pw_streams in one process, sharing node.group and
 * node.link-group (one driver; WirePlumber never links them to each other). The "in" stream
 * (mic: the capture; speaker: the node) files every block under its graph position in the
 * hand-off; the "out" stream (mic: the node; speaker: the playback) takes the samples of its
 * cycle, runs the engines and queues them. Both callbacks run on PipeWire's data thread.
 *
 * Channels: one engine per channel (its own denoiser state), all built from the one model the
 * service loaded (engine_config.model, shared, never copied). The mic is mono; the speaker has as
 * many channels as it was configured for (F32 planar, standard positions), and PipeWire's adapter
 * converts whatever an application plays into that layout.
 *
 * Scheduling (docs/reliability.md):
 *  - The node follows its consumers (the links to it, which the owner counts in the registry and
 *    passes to direction_set_active()): inactive while it has none, so nothing of ours runs
 *    while nobody uses it, even when the device is busy for another application (the device
 *    stream's passive link would otherwise drag both streams along). The device stream itself is
 *    parked (destroyed) while idle if its device runs for someone else (update_activity() in
 *    direction.c says why not just inactive).
 *  - The mic's out stream (the node) is scheduled by the graph like any source, so the order of
 *    the two callbacks in a cycle is the driver's: the hand-off pairs them by position and adds
 *    a quantum when the out stream runs first. When that lasts (a device re-created during a
 *    session joins the driver after the node), direction_check_order() restarts the node so it
 *    joins the driver after the device stream again.
 *  - The speaker's out stream (the playback) has PW_STREAM_FLAG_TRIGGER: the node's callback
 *    triggers it, so the playback always runs after the node in the same cycle. (The mic cannot
 *    do this: PipeWire 0.3.65 counts the trigger once more at every property update of the node,
 *    which stalls an Audio/Source for good; the speaker's triggered stream is a plain
 *    Stream/Output/Audio whose properties nobody updates.)
 *
 * Everything the data thread uses is swapped in with a blocking pw_loop_invoke() on the data
 * loop, so it never sees a half-replaced engine, adapter or stream, and the main thread frees the
 * old one only after the swap returns. The playback the node triggers is swapped in only while
 * PipeWire runs it (streaming): pw_stream_trigger_process() goes around the graph, into an
 * adapter PipeWire may be setting up or taking apart (arm_trigger() in direction.c). A stream
 * going away leaves the graph (pw_stream_disconnect()) before our listener is removed and it is
 * destroyed. All functions run on the main thread.
 */
#ifndef VOCANA_PW_DIRECTION_H
#define VOCANA_PW_DIRECTION_H

#include <stdbool.h>
#include <stdint.h>

#include "core/telemetry.h"
#include "engine/engine.h"

struct pw_core;

#define DIRECTION_MAX_BLOCK 8192  /* samples per engine_process(): PipeWire's default quantum limit */
#define DIRECTION_MAX_CHANNELS 8  /* 7.1 */

enum direction_kind {
	DIRECTION_MIC = 0,
	DIRECTION_SPEAKER = 1,
};
#define DIRECTION_N 2

struct direction_config {
	enum direction_kind kind;
	const char *node_name;    /* e.g. "vocana_mic" */
	const char *description;  /* e.g. "Vocana Microphone" */
	const char *group;        /* node.group and node.link-group; unique per direction */
	uint32_t channels;        /* 1 .. DIRECTION_MAX_CHANNELS */
	bool separate_channels;   /* one network per channel, never linked (direction_private.h) */
	struct engine_config engine; /* for every channel's engine; max_block is set here */
	uint32_t test_slow_model_us; /* test hook (-Dtest_hooks=true builds), 0 = off */
};

/* Called on the main thread. */
struct direction_events {
	/* The node started streaming: a new session (the engines are already fresh). */
	void (*session_started)(void *data);
	/* The device stream failed or was disconnected by the server (its target vanished). */
	void (*device_lost)(void *data);
	/* The node failed; the owner should rebuild the connection. */
	void (*node_failed)(void *data, const char *error);
	/* The device stream's state changed: call direction_set_active() again soon (not from
	 * this callback), with the consumers as they are then. */
	void (*changed)(void *data);
};

/* What the direction has seen since it was created (stream counters restart per connection). */
struct direction_stats {
	uint64_t cycles;            /* out callbacks that produced audio */
	uint64_t cycles_no_input;   /* ... of which had no input (silence or zero-padded) */
	uint64_t in_cycles;         /* in callbacks */
	uint64_t handoff_switches;  /* in/out order flips mid-session (handoff.h) */
	uint64_t handoff_recoveries; /* returns to the same-cycle hand-off after such flips */
	uint32_t handoff_delay;     /* samples the hand-off adds (0, or a quantum) */
	uint64_t reorders;          /* restarts of the node to fix the callbacks' order */
	uint64_t silent_cycles;     /* cycles of digital silence the engines were idle for */
	uint64_t xruns;             /* gaps in the graph position: cycles we did not run */
	uint64_t xrun_lost_us;      /* audio those gaps skipped, in total */
	uint32_t xrun_max_us;       /* the longest gap */
	uint64_t no_output_buffer;  /* out callbacks with no buffer to fill */
	uint64_t stale_buffers;     /* out callbacks that found an earlier buffer still queued */
	uint64_t process_ns;        /* total time in the out callback */
	uint32_t process_ns_max;
	uint32_t quantum;           /* samples per cycle, last seen */
	uint32_t rate;              /* graph rate, Hz, last seen (0 = not running yet) */
	uint32_t adapter_latency;   /* rate adapter delay, graph samples (0 at 48 kHz) */
	float input_peak, output_peak; /* of the last cycle, all channels */
	uint32_t channels;
	bool linked;                   /* one network for all channels (direction_private.h) */
	bool device_streaming;      /* the device stream exists and is streaming */
	const char *device_state;   /* "unconnected", "connecting", "paused" (linked, idle),
				     * "streaming", "error", or "parked" (update_activity()) */
	bool streaming;             /* the node is streaming (it has consumers and runs) */
	bool active;                /* the streams follow consumers: direction_set_active(true) */
	bool rate_unsupported;      /* graph rate cannot be resampled: passing audio through */
	struct engine_stats es;     /* of every channel's engine: counts summed, states the worst */
	struct telemetry_snapshot model_times; /* every channel's model times, together */
	struct telemetry_snapshot cycle_times; /* the out callback's time per cycle */
};

struct direction;

/* Makes the engines (one per channel) and the telemetry; no PipeWire yet. */
int direction_create(const struct direction_config *cfg, struct direction **out);

/* Disconnects and frees everything. NULL is a no-op. */
void direction_destroy(struct direction *d);

/* Publishes the node on core (inactive until direction_set_active()). 0 or a negative errno. */
int direction_connect(struct direction *d, struct pw_core *core,
		      const struct direction_events *events, void *data);

/* Destroys both streams (before the core goes). The engines and counters stay. */
void direction_disconnect(struct direction *d);

/* Point the device stream at a node (node.name), or at nothing (NULL: the mic outputs silence,
 * the speaker's input goes nowhere). monitor: the mic's target is a sink, capture its monitor.
 * Re-targeting destroys the old device stream first. 0 or a negative errno. */
int direction_set_target(struct direction *d, const char *target, bool monitor);

/* Current target (NULL if none). */
const char *direction_target(const struct direction *d);

/* Run (true) while the node has consumers, or stay idle (false). Call it again when `changed`
 * says so, and about once a second (a wait for the device stream may have run out). */
void direction_set_active(struct direction *d, bool active);

/* Call about once a second: announces the node's latency again if ours changed, and restarts
 * the node when its callback has run before the device stream's for a whole second (see above).
 * Returns whether it restarted the node. */
bool direction_check_order(struct direction *d);

/* Fresh engines for a new session (reset in place: no allocation). 0 or a negative errno. */
int direction_renew(struct direction *d);

/* Settings, any time; they apply to every channel. */
void direction_set_strength(struct direction *d, int strength);
void direction_set_enabled(struct direction *d, bool enabled);

void direction_get_stats(const struct direction *d, struct direction_stats *out);

/* Node id of the published node (SPA_ID_INVALID until it is registered, or when disconnected). */
uint32_t direction_node_id(const struct direction *d);

enum direction_kind direction_kind(const struct direction *d);

/* "mic" or "speaker". */
const char *direction_kind_name(enum direction_kind kind);

#endif /* VOCANA_PW_DIRECTION_H */
