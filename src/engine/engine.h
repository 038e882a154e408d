/* SPDX-License-Identifier: MIT */
/*
 * The real-time engine: what runs between a PipeWire graph cycle and the denoiser.
 *
 * The audio thread calls engine_process() once per graph cycle with the cycle's n samples
 * (any n up to engine_config.max_block, varying between cycles as the quantum changes) at 48 kHz;
 * resampling for other graph rates happens outside. It never allocates, locks, logs or blocks.
 *
 * Two modes:
 *  - ENGINE_INLINE: engine_process() is the public denoiser on the cycle's block (lowest latency);
 *    enable/disable is its bypass.
 *  - ENGINE_WORKER: the same denoiser's hop runs on a high-priority ML worker thread, fed exact
 *    480-sample frames through two lock-free rings of frame records. Every frame has a deadline:
 *    if its denoised version is not back in time, the delayed dry frame is output instead,
 *    crossfaded (graceful degradation), and the miss is counted. After ENGINE_BREAKER_MISSES consecutive
 *    misses a circuit breaker bypasses the model for a while, then retries.
 *    Adaptive buffering: the output FIFO's safety margin grows one step (one frame) when misses
 *    or xruns are seen and shrinks back one step after a stable period, so latency stays bounded
 *    and comes back down. The current added latency is in engine_stats.
 *
 * Latency (engine_stats.latency_samples): inline L + 479 samples, L the model's algorithmic delay
 * (120 for the embedded model: 599 samples = 12.5 ms) and 479 the FIFO alignment for cycles of
 * any size; worker L + 479 + 480 * margin_frames, margin_frames >= ceil((n + 128) / 480)
 * for cycles of n samples (1 for n <= 352, i.e. 30 ms at a 256 quantum). Design and timeline:
 * src/engine/engine_internal.h. The only system call on the audio thread is the worker's
 * non-blocking wake-up (sem_post), at most once per cycle; in inline mode, none.
 *
 * Control functions (set_*, get_stats) may be called from any thread at any time; they use
 * atomics only. Creation warms the model up (a few frames of silence) so the first real frame
 * is not slow. All constants live in src/engine/engine_constants.h.
 */
#ifndef VOCANA_ENGINE_ENGINE_H
#define VOCANA_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/telemetry.h"
#include "vocana/vocana.h"

struct engine; /* opaque */
struct engine_tuning;

enum engine_mode {
	ENGINE_INLINE = 0,
	ENGINE_WORKER = 1,
};

struct engine_config {
	enum engine_mode mode;
	uint32_t max_block;              /* largest n engine_process() will see (e.g. 8192) */
	const struct vocana_model *model;/* NULL = embedded default; must outlive the engine */
	int strength;                    /* 0..100 */
	bool enabled;                    /* false = bypass (dry, same latency) */
	int worker_priority;             /* SCHED_FIFO priority for the worker, 0 = don't ask */
	const struct engine_tuning *tuning; /* NULL = the defaults of engine_constants.h; tests only */
};

/*
 * Test-only overrides of the worker mode's timing constants (engine_constants.h), so a test can
 * watch a breaker trip, half-open and close, and the margin grow and shrink, within seconds.
 * Every field: 0 = the default. Counts are in 480-sample frames of audio, never wall-clock time.
 */
struct engine_tuning {
	uint32_t breaker_misses;         /* ENGINE_BREAKER_MISSES */
	uint32_t breaker_hold_frames;    /* ENGINE_BREAKER_HOLD_FRAMES */
	uint32_t stable_frames;          /* ENGINE_MARGIN_STABLE_FRAMES */
	uint32_t shrink_max_wait_frames; /* ENGINE_MARGIN_SHRINK_MAX_WAIT_FRAMES */
	uint32_t margin_extra_max;       /* ENGINE_MARGIN_EXTRA_MAX_FRAMES */
	uint32_t initial_margin;         /* worker margin before the first cycle (default: 1) */
};

enum engine_breaker_state {
	ENGINE_BREAKER_CLOSED = 0,       /* model in use */
	ENGINE_BREAKER_OPEN = 1,         /* model bypassed after repeated misses */
	ENGINE_BREAKER_HALF_OPEN = 2,    /* retrying the model */
};

struct engine_stats {
	uint64_t cycles;                 /* engine_process() calls */
	uint64_t frames;                 /* 480-sample frames output */
	uint64_t frames_denoised;        /* ... of which carried the model's output */
	uint64_t deadline_misses;        /* worker mode: frames that came back too late */
	uint64_t xruns;                  /* reported by the caller through engine_note_xrun() */
	uint64_t breaker_trips;
	enum engine_breaker_state breaker;
	uint32_t latency_samples;        /* current added latency of engine_process() */
	uint32_t margin_frames;          /* worker mode: current adaptive safety margin */
	float input_peak, output_peak;   /* of the last cycle, linear */
	float vad;                       /* of the last frame, 0..1 */
	int strength;
	bool enabled;
	uint32_t frame_time_p50_us, frame_time_p99_us, frame_time_max_us; /* model time per frame */
	uint64_t block_violations;       /* calls with n > max_block (clamped) or NULL buffers */
	uint64_t late_frames_dropped;    /* worker mode: wet frames that came back after their slot */
	uint64_t margin_changes;         /* worker mode: glitch-free delay splices (grow or shrink) */
	bool worker_realtime;            /* worker mode: the SCHED_FIFO request was granted */
	bool memory_locked;              /* the engine's buffers are mlock()ed */
	uint64_t submit_failures;        /* worker mode: frames not sent (every queue record in flight) */
	uint64_t own_network_hops;       /* linked follower (engine_link()): hops it ran its own
					  * network for, its leader's output not being there */
	uint32_t fifo_fill_samples;      /* samples in the frame FIFO (taken in, not played yet; the
					  * model's own 480-sample delay not included) after a cycle */
};

/* Allocates everything, starts the worker (worker mode) and warms the model up. */
int engine_create(const struct engine_config *cfg, struct engine **out);

/* Stops the worker and frees everything. NULL is a no-op. Not from the audio thread. */
void engine_destroy(struct engine *e);

/*
 * Linked channels: follower's denoiser applies the network output of leader's, hop for hop,
 * instead of running its own network (denoiser_internal.h, "Linked channels"). For the channels
 * of one stream: the caller runs the leader on their mid signal and then each channel on its
 * own, every cycle with the same n, and resets them together. Inline mode only (-EINVAL
 * otherwise); not real-time safe. Destroy followers before their leader.
 */
int engine_link(struct engine *follower, struct engine *leader);

/*
 * Return the audio path to the state engine_create() leaves it in (denoiser state, frame slots,
 * output timeline, breaker, margin), without allocating: a new recording starts from a fresh
 * denoiser without the memory churn of destroying and creating an engine. In worker mode the
 * worker is stopped and restarted (its queues are the only allocations, the same sizes every
 * time). Counters, the model-time histogram, strength, enabled and a test's slow model are kept
 * (they are cumulative / settings). Not from the audio thread, and never while engine_process()
 * may run on another thread: the caller must have taken the engine out of the audio path.
 */
int engine_reset(struct engine *e);

/*
 * Inline mode only (-EINVAL otherwise): the same reset without any thread to stop, so it is
 * real-time safe (memsets only) and is meant to run ON the audio thread between two
 * engine_process() calls: not one input sample is lost and the output continues with the fresh
 * engine's constant latency, as if it had just been created.
 */
int engine_reset_inline(struct engine *e);

/* Audio thread: n samples in, n samples out (in == out allowed), 1 <= n <= max_block. */
void engine_process(struct engine *e, const float *in, float *out, uint32_t n);

/* Any thread. */
int engine_set_strength(struct engine *e, int strength);
void engine_set_enabled(struct engine *e, bool enabled);
void engine_note_xrun(struct engine *e);
void engine_get_stats(const struct engine *e, struct engine_stats *out);

/* Any thread: consistent copy of the model time per frame histogram (microseconds, cumulative
 * since creation; see core/telemetry.h). 0, or a negative errno (out is then zeroed). */
int engine_get_model_times(const struct engine *e, struct telemetry_snapshot *out);

/* Any thread, for tests and benchmarks: frames submitted to the worker that have not come back
 * yet (0 in inline mode). */
uint32_t engine_frames_in_flight(const struct engine *e);

#endif
