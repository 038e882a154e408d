/* SPDX-License-Identifier: MIT */
/*
 * Internals of the engine, shared by its files (not installed, not exported):
 *   engine.c          create/destroy, control and stats, engine_process(); inline mode
 *   engine_worker.c   worker mode: the input side, the ML worker thread and the frame hand-off
 *   engine_output.c   worker mode: the output side: frame decisions, fades, delay splices
 *   engine_policy.c   worker mode: circuit breaker and adaptive margin
 *
 * Inline mode is the public denoiser on the callback's block and nothing else: framing, the dry
 * path, sanitising and the enable/disable crossfade (the denoiser's bypass) are the denoiser's.
 *
 * Worker mode is a scheduler around the same denoiser, feeding its hop one exact frame at a time
 * on another thread (denoiser_internal.h). Design (timeline and symbols as in engine_constants.h):
 *  - Input. engine_process() first gives the whole cycle's input to the denoiser's stream, which
 *    frames and sanitises it. Each completed frame k is copied into a record of the worker's input
 *    ring (sem_post wakes the worker), and slot k keeps the frame's DRY signal, aligned with the
 *    wet output: the input delayed by the model's delay L (denoiser_dry()). Reading all input
 *    before writing any output makes in == out safe. The worker runs the denoiser's hop on the
 *    frame and sends the wet frame back; the audio thread copies it into slot k's `wet`.
 *  - Output. The output plays "source frames" j at position 480 j + D. Each source frame is WET
 *    (the model's frame j, through the denoiser's bypass crossfade) or DRY (slot j's `dry`), and
 *    that decision is made X = ENGINE_XFADE_SAMPLES samples before the frame starts: if it is DRY
 *    after a WET frame, the fade from wet to dry has to run over the end of the previous frame,
 *    the last wet audio there is. A WET frame after a DRY one fades in over its own first X
 *    samples. The fades use the one curve (dsp/fade.h): wet and dry are the same signal with and
 *    without the noise, so a sum-to-one mix is right and the output never steps.
 *  - Deadline. The decision point of frame j is its deadline: if the worker has not returned wet
 *    frame j by then, frame j is played dry and counted as a miss; when the wet frame arrives
 *    later it is dropped. The worker itself skips frames decided a while ago (their result would
 *    be dropped): that keeps a slow worker from falling ever further behind.
 *    A frame whose input completes in cycle c can only be needed from cycle c + 1 on when
 *    480 * margin >= n + X (engine_margin_base()): the worker always has at least one graph
 *    period, and every extra frame of margin adds 10 ms.
 *  - Margin changes are delay splices, crossfaded over X samples between the stream as it was and
 *    the stream shifted by whole frames. Growing repeats audio (it is done at a decision point,
 *    before the undecided frame is needed, so the frame gets 10 ms more); shrinking skips 10 ms (at
 *    a frame start, preferably in a pause, and only when the next frame is already back). A splice
 *    never needs audio the engine does not have: both streams are already decided there.
 *
 * Threads: the audio thread owns the slots, the output state, the breaker, the margin and the
 * denoiser's stream; in worker mode the worker owns the denoiser's hop (in inline mode the audio
 * thread runs both). Everything read by other threads is an atomic.
 */
#ifndef VOCANA_ENGINE_ENGINE_INTERNAL_H
#define VOCANA_ENGINE_ENGINE_INTERNAL_H

#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/telemetry.h"
#include "engine/engine.h"
#include "engine/engine_constants.h"

/* How a frame went to the worker (audio thread's view). */
enum engine_sub {
	ENGINE_SUB_NONE = 0,   /* inline mode, or still being filled */
	ENGINE_SUB_SENT,       /* submitted to the worker */
	ENGINE_SUB_HELD,       /* deliberately not sent (breaker open) */
	ENGINE_SUB_FAILED,     /* could not be sent (no free block): a miss */
};

enum engine_decision {
	ENGINE_UNDECIDED = 0,
	ENGINE_WET,
	ENGINE_DRY,
};

/* One frame of audio-thread state (worker mode). Slot k & slot_mask holds frame k. */
struct engine_slot {
	int64_t seq;        /* frame index held, -1 before first use */
	float *wet;         /* ENGINE_FRAME_SAMPLES model output */
	float *dry;         /* ENGINE_FRAME_SAMPLES input aligned with wet (set when the input
			     * frame completes) */
	float peak;         /* of the input frame */
	float vad;
	uint8_t sub;        /* enum engine_sub */
	uint8_t decision;   /* enum engine_decision */
	bool ready;         /* wet holds the model's output for this frame */
	bool warming;       /* first outputs after a model reset: not usable */
};

struct engine_worker; /* engine_worker.c */
struct engine;

/* Worker thread: the model on one frame, frame -> wet (engine_run_hop(), or a test's version). */
typedef void (*engine_hop_fn)(struct engine *e, const float *frame, float *wet);

struct engine {
	/* Immutable after create. */
	enum engine_mode mode;
	uint32_t max_block;
	uint32_t breaker_misses, breaker_hold_frames;
	uint32_t stable_frames_needed, shrink_max_wait_frames, margin_extra_max;
	uint32_t margin_cap;            /* largest margin the slots are sized for */
	uint32_t n_slots, slot_mask;    /* worker mode; 0 in inline mode */
	struct engine_slot *slots;
	void *arena;                    /* worker mode: the slots' buffers, one allocation */
	size_t arena_bytes;
	float *zero;                    /* ENGINE_FRAME_SAMPLES zeros: frames before the start */
	float *xf_scratch;              /* ENGINE_XFADE_SAMPLES: the fading-out stream of a splice */
	float ramp[ENGINE_XFADE_SAMPLES]; /* fade-in weights, 0 -> 1 (dsp/fade.h) */
	struct telemetry *tel;          /* model time per frame; writer: whoever runs the model */
	struct vocana_denoiser *den;    /* stream: audio thread; hop: audio thread or worker */
	struct engine_worker *worker;   /* NULL in inline mode */
	bool memory_locked;
	uint32_t margin0;               /* worker margin at the start (engine_reset() restores it) */
	int worker_priority;            /* as configured, for restarting the worker */

	/* Audio thread: input side. */
	int64_t in_frame;               /* frame being filled */
	int64_t in_pos;                 /* samples taken in */
	uint32_t model_delay;           /* the denoiser's algorithmic delay L, samples (<= 480) */
	int applied_strength;           /* inline: strength last given to den */

	/* Audio thread: output side. */
	int64_t play_pos;               /* source position of the next output sample */
	int64_t decided_upto;           /* frames <= this are decided */
	int64_t xf_old_pos;             /* splice: source position of the fading-out stream */
	uint32_t xf_left;               /* splice: samples of fade left, 0 = none */
	uint32_t cycle_n;               /* size of the current cycle */

	/* Audio thread: breaker and margin (engine_policy.c). */
	enum engine_breaker_state breaker;
	uint32_t consecutive_misses;
	uint32_t hold_left;
	uint32_t margin;                /* frames of delay above the alignment */
	uint32_t pending_grow;          /* frames to add at the next decision point */
	bool shrink_wanted;
	uint32_t shrink_wait;           /* frame starts waited for a quiet splice point */
	uint32_t stable_frames;         /* frames decided since the last miss, xrun or splice */
	uint32_t stable_needed;         /* stable frames before a shrink (with backoff) */
	uint32_t frames_since_shrink;   /* UINT32_MAX: no shrink on trial */
	uint32_t stable_max_n;          /* largest cycle in that period */
	uint64_t xruns_seen;

	/* Control: any thread. */
	_Atomic int strength;
	_Atomic bool enabled;
	_Atomic uint64_t xruns;
	_Atomic(engine_hop_fn) run_hop;  /* how the worker runs the model (engine_test.h may swap it) */
	_Atomic uint32_t test_slow_us;   /* engine_test_slow_model()'s; nothing else reads it */

	/* Stats: written by the audio thread (relaxed), read by engine_get_stats(). */
	_Atomic uint64_t st_cycles, st_frames, st_denoised, st_misses, st_trips;
	_Atomic uint64_t st_violations, st_late_dropped, st_margin_changes, st_submit_failed;
	_Atomic uint64_t st_own_network;
	_Atomic uint32_t st_fifo_fill;  /* samples taken in but not played yet, after the cycle */
	_Atomic int st_breaker;
	_Atomic uint32_t st_latency, st_margin;
	_Atomic float st_in_peak, st_out_peak, st_vad;
};

/* Slot of frame k (k >= 0). */
static inline struct engine_slot *engine_slot_of(const struct engine *e, int64_t k)
{
	return &e->slots[(uint64_t)k & e->slot_mask];
}

/* Frame index of a source position (floor division: positions before the start are negative). */
static inline int64_t engine_frame_of(int64_t pos)
{
	return pos >= 0 ? pos / ENGINE_FRAME_SAMPLES
			: -((-pos + ENGINE_FRAME_SAMPLES - 1) / ENGINE_FRAME_SAMPLES);
}

/* Largest magnitude in x[0..n). */
static inline float engine_peak(const float *x, uint32_t n)
{
	float p = 0.0f;
	for (uint32_t k = 0; k < n; k++)
		p = fmaxf(p, fabsf(x[k]));
	return p;
}

/* Relaxed counter bump for a counter only the calling thread writes. */
static inline void engine_bump(_Atomic uint64_t *c, uint64_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + n,
			      memory_order_relaxed);
}

/* ---- engine_output.c ------------------------------------------------------------------- */

/* Reset the output side for a margin of m frames (before the first cycle), with the latency and
 * margin stats (inline mode: margin 0, and only the stats matter). */
void engine_output_init(struct engine *e, uint32_t margin);

/* Write n output samples (n <= max_block), deciding frames and splicing as it goes. */
void engine_output_run(struct engine *e, float *out, uint32_t n);

/* Decide frame j's status now (frames are decided in order). */
void engine_output_decide(struct engine *e, int64_t j);

/* ---- engine_policy.c ------------------------------------------------------------------- */

/* Least margin at which every frame completed in a cycle of n samples is first needed in a
 * later cycle: ceil((n + X) / 480), at least 1. */
uint32_t engine_margin_base(uint32_t n);

/* Added latency for a margin of m frames (inline: m = 0): L + ENGINE_ALIGN_SAMPLES + 480 m. */
uint32_t engine_latency_for(const struct engine *e, uint32_t margin);

/* Start of a cycle of n samples: quantum changes and xruns. */
void engine_policy_cycle(struct engine *e, uint32_t n);

/* A decided frame, as the breaker and the margin see it. */
void engine_policy_miss(struct engine *e);
void engine_policy_success(struct engine *e);
void engine_policy_frame_decided(struct engine *e, bool counts_as_stable);

/* After a delay splice changed e->margin: stats, and a new stable period. */
void engine_policy_spliced(struct engine *e, bool shrink);

/* Whether the input side may send frames to the model now. */
bool engine_policy_may_submit(const struct engine *e);

/* ---- engine_worker.c ------------------------------------------------------------------- */

/* Create the frame queues and start the worker thread (it takes over e->den's hop). */
int engine_worker_start(struct engine *e, int priority);

/* Stop and join the worker, free its resources. NULL-safe on e->worker. */
void engine_worker_stop(struct engine *e);

/* Audio thread: the cycle's n input samples through the denoiser's stream; each completed frame
 * gets its slot (with its dry signal) and goes to the worker unless the breaker is open. */
void engine_worker_take_input(struct engine *e, const float *in, uint32_t n);

/* Audio thread: wake the worker if frames were submitted this cycle. */
void engine_worker_kick(struct engine *e);

/* Audio thread: take every returned wet frame, keep those still undecided. */
void engine_worker_collect(struct engine *e);

/* Tell the worker that frames before `next` are decided (it may skip them). */
void engine_worker_publish_decided(struct engine *e, int64_t next);

bool engine_worker_realtime(const struct engine *e);
uint32_t engine_worker_in_flight(const struct engine *e);

/* The worker's model: the denoiser's hop. */
void engine_run_hop(struct engine *e, const float *frame, float *wet);

#endif /* VOCANA_ENGINE_ENGINE_INTERNAL_H */
