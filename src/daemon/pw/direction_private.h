/* SPDX-License-Identifier: MIT */
/* The direction object, shared by direction.c (main thread: engines, streams, targets, stats)
 * and direction_rt.c (the data thread's callbacks and the swaps it receives). See direction.h. */
#ifndef VOCANA_PW_DIRECTION_PRIVATE_H
#define VOCANA_PW_DIRECTION_PRIVATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <pipewire/pipewire.h>
#include <spa/param/latency-utils.h>

#include "core/telemetry.h"
#include "engine/engine.h"
#include "pw/direction.h"
#include "pw/handoff.h"
#include "pw/rate_adapter.h"

#define DIRECTION_NAME_MAX 256
/* Digital silence this long (ms) and the engines have nothing left to say: idle (direction_rt.c). */
#define DIRECTION_IDLE_AFTER_MS 200
/* How long a device stream back from parking may take to run before the node starts without
 * it (device_ready() in direction.c): far longer than linking to a running device takes. */
#define DIRECTION_UNPARK_WAIT_NS 500000000ull
/* Cycles after the node is (re)activated in which position jumps are start-up, not gaps
 * (track_position() in direction_rt.c): 8 quanta, 21 ms at quantum 128. */
#define DIRECTION_SETTLE_CYCLES 8

/* The channels' paths and, when they are linked, the mid's. */
#define DIRECTION_MAX_PATHS (DIRECTION_MAX_CHANNELS + 1)

/* One channel's path: hand-off -> (rate adapter) -> engine. The mid path of linked channels
 * (struct direction's `linked`) has the adapter and the engine only. */
struct direction_channel {
	struct handoff *handoff;    /* 64-byte aligned; only the data thread touches it after create */
	struct engine *engine;      /* owned, lives as long as the direction */
	struct rate_adapter *ra;    /* main thread's copy (NULL at 48 kHz) */
	/* What the data thread uses: written only by invoke callbacks on the data thread. */
	struct engine *engine_rt;   /* NULL: no engine in the path (pass-through) */
	struct rate_adapter *ra_rt;
};

struct direction {
	enum direction_kind kind;
	uint32_t channels;
	char node_name[DIRECTION_NAME_MAX];
	char description[DIRECTION_NAME_MAX];
	char group[DIRECTION_NAME_MAX];
	struct engine_config engine_cfg;
	uint32_t test_slow_model_us;
	/* The channels, then, when linked, the mid path: its engine runs the network on the mean of
	 * the channels and every channel's engine applies that output to its own signal (engine_link()):
	 * one network for the stream instead of one per channel. Inline engines with 2+ channels. */
	struct direction_channel ch[DIRECTION_MAX_PATHS];
	uint32_t n_paths;           /* channels, + 1 when linked: the engines and adapters */
	bool linked;
	float *mid_buf;             /* linked: DIRECTION_MAX_BLOCK samples of the mid signal */
	struct telemetry *cycle_times; /* out callback time per cycle; writer: the data thread */

	/* Main thread. */
	struct pw_core *core;
	struct pw_loop *data_loop;
	const struct direction_events *events;
	void *data;
	struct pw_stream *node;     /* what applications see */
	struct spa_hook node_listener;
	struct pw_stream *device;   /* on the real device; NULL without a target */
	struct spa_hook device_listener;
	char target[DIRECTION_NAME_MAX];
	bool has_target;
	bool monitor;               /* the target is a sink whose monitor the mic captures */
	bool active;                /* the node has consumers (direction_set_active()) */
	bool node_on;               /* the node is active: consumers, and the device stream linked */
	bool parked;                /* the device stream is destroyed while idle (update_activity) */
	uint64_t unparked_ns;       /* CLOCK_MONOTONIC when it came back from parking, 0 if not */
	bool rate_unusable;         /* graph rate with no adapter: engines out of the path */
	bool reordering;            /* the node is being restarted: its state changes are not news */
	bool device_armed;          /* the device stream is trigger_target_rt (the speaker) */
	bool device_closing;        /* destroy_device(): the old stream's last events are not news */
	uint32_t reorder_wait_s;    /* seconds of out-first cycles before the next restart */
	uint32_t out_first_seen_s;  /* consecutive checks that saw the out stream run first */
	struct spa_latency_info device_latency; /* what the device stream was told, zero if not */
	uint32_t published_latency; /* our own part of what the node announces (graph samples),
				     * UINT32_MAX: nothing announced yet */

	/* What the data thread uses: written only by invoke callbacks running on the data thread. */
	struct pw_stream *in_rt, *out_rt; /* mic: device, node; speaker: node, device */
	bool hold_rt;               /* the engines are being reset: leave them alone, output silence */
	bool trigger_rt;            /* the in callback triggers the out stream (the speaker) */
	/* The stream the in callback triggers: the out stream, only while PipeWire runs it (its
	 * state is streaming), else NULL. pw_stream_trigger_process() bypasses the graph's own
	 * scheduling: it runs the stream's adapter and converter whatever their state, and PipeWire
	 * sets those up and tears them down on the main thread around the Start and Pause/Suspend
	 * commands (direction_device_state() says when it is safe). */
	struct pw_stream *trigger_target_rt;
	bool idle_on_silence_rt;    /* skip the engines on long digital silence (the speaker) */
	_Atomic(struct spa_io_position *) in_position, out_position;
	atomic_bool reset_session;  /* main -> data: a new session (hand-off and position tracking) */
	atomic_bool restart_tracking; /* main -> data: the node restarts; its next jump is no gap */
	atomic_bool recover_now;    /* main -> data: the order is fixed; recover at the next chance */

	/* Data thread only. */
	uint64_t last_position, last_duration;
	uint32_t settle_cycles;     /* start-up cycles left whose jumps are no gaps */
	uint32_t last_clock_id;
	uint64_t silent_samples;    /* of digital silence in a row, up to the idle threshold */

	/* Data thread writes, anyone reads. */
	atomic_uint_fast64_t cycles, cycles_no_input, in_cycles, xruns, xrun_lost_us,
		no_output_buffer, process_ns, handoff_switches, handoff_recoveries, reorders,
		silent_cycles, stale_buffers;
	atomic_uint process_ns_max, xrun_max_us, quantum, rate, adapter_latency, handoff_delay,
		out_first_samples;
	_Atomic float input_peak, output_peak;
	atomic_bool device_streaming, node_streaming, rate_unsupported;
	atomic_int device_state;    /* enum pw_stream_state; UNCONNECTED without a device stream */
};

/* direction_rt.c: the streams' events (the data-thread callbacks and the main-thread state
 * changes that go with them). */
extern const struct pw_stream_events direction_mic_device_events;
extern const struct pw_stream_events direction_mic_node_events;
extern const struct pw_stream_events direction_speaker_node_events;
extern const struct pw_stream_events direction_speaker_device_events;

/* What the data thread can be handed (main thread, blocking: when this returns the data thread
 * no longer uses what it held before). */
enum direction_swap {
	DIRECTION_SWAP_IN,          /* ptr: the in stream */
	DIRECTION_SWAP_OUT,         /* ptr: the out stream */
	DIRECTION_SWAP_TRIGGER,     /* ptr: the stream the in callback triggers, or NULL */
	DIRECTION_SWAP_ENGINES,     /* ptr: non-NULL = every channel's engine in, NULL = out */
	DIRECTION_SWAP_ADAPTERS,    /* ptr: struct rate_adapter *[channels] */
	DIRECTION_SWAP_HOLD,        /* ptr: non-NULL = hold */
	DIRECTION_SWAP_RESET_INLINE, /* ptr: int *, engine_reset_inline() of every channel */
};
void direction_swap_rt(struct direction *d, enum direction_swap what, void *ptr);

/* direction.c: state changes of the streams, from direction_rt.c's event tables. */
void direction_node_state(struct direction *d, enum pw_stream_state old,
			  enum pw_stream_state state, const char *error);
void direction_device_state(struct direction *d, enum pw_stream_state old,
			    enum pw_stream_state state, const char *error);
void direction_format(struct direction *d, uint32_t rate);
void direction_device_latency(struct direction *d, const struct spa_pod *param);

#endif /* VOCANA_PW_DIRECTION_PRIVATE_H */
