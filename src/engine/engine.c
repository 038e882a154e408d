/* SPDX-License-Identifier: MIT */
/*
 * The engine object: creation (every buffer allocated, touched and locked here), destruction,
 * the thread-safe controls and stats, and engine_process(). Inline mode is the denoiser on the
 * callback's block; worker mode's input side and worker thread are engine_worker.c, its output
 * side engine_output.c (engine_internal.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "denoiser_internal.h"
#include "dsp/fade.h"
#include "dsp/sanitize.h"
#include "engine/engine_internal.h"

#define FRAME ENGINE_FRAME_SAMPLES

static uint32_t next_pow2(uint32_t v)
{
	uint32_t p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

static size_t round64(size_t bytes)
{
	return (bytes + 63) & ~(size_t)63;
}

/* A tuning field: 0 means the default. */
static uint32_t or_default(uint32_t v, uint32_t def)
{
	return v ? v : def;
}

/* Slots: every frame from the dry frame of the oldest position the output can play (the delay
 * at its largest margin, plus a splice's jump back, which the margin bound already includes) to
 * the frame a full-size cycle is filling, plus the next frame the fades look at. */
static uint32_t slots_needed(uint32_t max_block, uint32_t margin_cap)
{
	uint64_t span = (uint64_t)ENGINE_ALIGN_SAMPLES + (uint64_t)margin_cap * FRAME + max_block;
	return next_pow2((uint32_t)(span / FRAME) + 6);
}

static int alloc_buffers(struct engine *e)
{
	const size_t frame_bytes = round64(FRAME * sizeof(float));
	const size_t slot_bytes = round64((size_t)e->n_slots * sizeof(struct engine_slot));
	e->arena_bytes = slot_bytes + (size_t)e->n_slots * 2 * frame_bytes + frame_bytes +
			 round64(ENGINE_XFADE_SAMPLES * sizeof(float));
	e->arena = aligned_alloc(64, e->arena_bytes);
	if (!e->arena)
		return -ENOMEM;
	memset(e->arena, 0, e->arena_bytes); /* touch every page now, not on the audio thread */
	char *p = e->arena;
	e->slots = (struct engine_slot *)(void *)p;
	p += slot_bytes;
	for (uint32_t k = 0; k < e->n_slots; k++) {
		e->slots[k].seq = -1;
		e->slots[k].wet = (float *)(void *)p;
		p += frame_bytes;
		e->slots[k].dry = (float *)(void *)p;
		p += frame_bytes;
	}
	e->zero = (float *)(void *)p;
	p += frame_bytes;
	e->xf_scratch = (float *)(void *)p;
	return 0;
}

/* Run a few hops of silence through the model, then forget them (ENGINE_WARMUP_FRAMES). Only the
 * hop: the stream and its counters start untouched. */
static void warm_up(struct engine *e)
{
	static const float silence[ENGINE_FRAME_SAMPLES];
	float wet[ENGINE_FRAME_SAMPLES];
	for (int k = 0; k < ENGINE_WARMUP_FRAMES; k++)
		denoiser_run_hop(e->den, silence, wet);
	denoiser_reset_hop(e->den);
}

/* Pages the audio thread uses must not be paged out under memory pressure: the denoiser (whose
 * stream holds the audio path's buffers) and, in worker mode, the frame slots. Without the
 * privilege (RLIMIT_MEMLOCK) this fails and the engine runs anyway: stats say which. */
static bool lock_memory(struct engine *e)
{
	bool ok = mlock(e->den, sizeof(*e->den)) == 0;
	if (e->arena)
		ok = mlock(e->arena, e->arena_bytes) == 0 && ok;
	return ok;
}

static void unlock_memory(struct engine *e)
{
	munlock(e->den, sizeof(*e->den));
	if (e->arena)
		munlock(e->arena, e->arena_bytes);
}

int engine_create(const struct engine_config *cfg, struct engine **out)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!cfg || (cfg->mode != ENGINE_INLINE && cfg->mode != ENGINE_WORKER) || cfg->max_block == 0 ||
	    cfg->max_block > ENGINE_MAX_BLOCK_LIMIT || cfg->strength < 0 || cfg->strength > 100 ||
	    cfg->worker_priority < 0)
		return -EINVAL;

	struct engine *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	int res;
	e->mode = cfg->mode;
	e->max_block = cfg->max_block;
	static const struct engine_tuning defaults; /* all 0: every default */
	const struct engine_tuning *t = cfg->tuning ? cfg->tuning : &defaults;
	e->breaker_misses = or_default(t->breaker_misses, ENGINE_BREAKER_MISSES);
	e->breaker_hold_frames = or_default(t->breaker_hold_frames, ENGINE_BREAKER_HOLD_FRAMES);
	e->stable_frames_needed = or_default(t->stable_frames, ENGINE_MARGIN_STABLE_FRAMES);
	e->shrink_max_wait_frames =
		or_default(t->shrink_max_wait_frames, ENGINE_MARGIN_SHRINK_MAX_WAIT_FRAMES);
	e->margin_extra_max = or_default(t->margin_extra_max, ENGINE_MARGIN_EXTRA_MAX_FRAMES);
	e->stable_needed = e->stable_frames_needed;
	e->frames_since_shrink = UINT32_MAX;
	e->worker_priority = cfg->worker_priority;
	if (e->mode == ENGINE_WORKER) {
		e->margin_cap = engine_margin_base(e->max_block) + e->margin_extra_max;
		e->margin0 = or_default(t->initial_margin, 1);
		if (e->margin0 > e->margin_cap)
			e->margin0 = e->margin_cap;
		e->n_slots = slots_needed(e->max_block, e->margin_cap);
		e->slot_mask = e->n_slots - 1;
		fade_curve(e->ramp, ENGINE_XFADE_SAMPLES);
		if ((res = alloc_buffers(e)) < 0)
			goto error;
	}
	if ((res = telemetry_create(&e->tel)) < 0)
		goto error;
	/* For blocks of any size: the latency is the model's delay plus the alignment
	 * (vocana.h), which is the inline engine's latency. */
	if ((res = vocana_denoiser_create(cfg->model, 0, &e->den)) < 0)
		goto error;
	e->model_delay = vocana_denoiser_latency_samples(e->den) - ENGINE_ALIGN_SAMPLES;
	if ((res = vocana_denoiser_set_strength(e->den, cfg->strength)) < 0)
		goto error;
	warm_up(e);
	vocana_denoiser_set_bypass(e->den, !cfg->enabled);
	vocana_denoiser_reset(e->den); /* starts wet or dry as enabled says, without a fade */
	if (e->mode == ENGINE_INLINE)
		denoiser_time_hops(e->den, e->tel); /* the worker times its frames itself */
	e->memory_locked = lock_memory(e);

	atomic_init(&e->strength, cfg->strength);
	atomic_init(&e->enabled, cfg->enabled);
	atomic_init(&e->xruns, 0);
	atomic_init(&e->run_hop, engine_run_hop);
	atomic_init(&e->test_slow_us, 0);
	e->applied_strength = cfg->strength;
	e->breaker = ENGINE_BREAKER_CLOSED;
	e->cycle_n = 0;
	engine_output_init(e, e->margin0);

	if (e->mode == ENGINE_WORKER && (res = engine_worker_start(e, cfg->worker_priority)) < 0)
		goto error;
	*out = e;
	return 0;

error:
	engine_destroy(e);
	return res;
}

void engine_destroy(struct engine *e)
{
	if (!e)
		return;
	engine_worker_stop(e); /* first: the worker uses the denoiser and the telemetry */
	if (e->memory_locked)
		unlock_memory(e);
	vocana_denoiser_destroy(e->den);
	telemetry_destroy(e->tel);
	free(e->arena);
	free(e);
}

int engine_link(struct engine *follower, struct engine *leader)
{
	if (!follower || !leader || follower->mode != ENGINE_INLINE || leader->mode != ENGINE_INLINE)
		return -EINVAL;
	return denoiser_link(follower->den, leader->den);
}

/* Audio-thread state back to what engine_create() leaves (the arena's pages stay touched and
 * locked: only their contents change). */
static void reset_audio_state(struct engine *e, int strength)
{
	for (uint32_t k = 0; k < e->n_slots; k++) {
		struct engine_slot *s = &e->slots[k];
		memset(s->wet, 0, FRAME * sizeof(float));
		memset(s->dry, 0, FRAME * sizeof(float));
		s->seq = -1;
		s->peak = 0.0f;
		s->vad = 0.0f;
		s->sub = ENGINE_SUB_NONE;
		s->decision = ENGINE_UNDECIDED;
		s->ready = false;
		s->warming = false;
	}
	if (e->xf_scratch)
		memset(e->xf_scratch, 0, ENGINE_XFADE_SAMPLES * sizeof(float));
	e->in_frame = 0;
	e->in_pos = 0;
	e->applied_strength = strength;
	e->cycle_n = 0;
	e->breaker = ENGINE_BREAKER_CLOSED;
	e->consecutive_misses = 0;
	e->hold_left = 0;
	e->pending_grow = 0;
	e->shrink_wanted = false;
	e->shrink_wait = 0;
	e->stable_frames = 0;
	e->stable_needed = e->stable_frames_needed;
	e->frames_since_shrink = UINT32_MAX;
	e->stable_max_n = 0;
	/* The xrun counter is cumulative: only xruns after the reset are news to the policy. */
	e->xruns_seen = atomic_load_explicit(&e->xruns, memory_order_relaxed);
	atomic_store_explicit(&e->st_breaker, ENGINE_BREAKER_CLOSED, memory_order_relaxed);
	atomic_store_explicit(&e->st_in_peak, 0.0f, memory_order_relaxed);
	atomic_store_explicit(&e->st_out_peak, 0.0f, memory_order_relaxed);
	atomic_store_explicit(&e->st_vad, 0.0f, memory_order_relaxed);
	atomic_store_explicit(&e->st_fifo_fill, 0, memory_order_relaxed);
	engine_output_init(e, e->margin0);
}

/* What both resets share: the denoiser and every piece of audio state, memsets only. */
static void reset_engine_state(struct engine *e)
{
	const int strength = atomic_load_explicit(&e->strength, memory_order_relaxed);
	vocana_denoiser_set_strength(e->den, strength);
	vocana_denoiser_set_bypass(e->den, !atomic_load_explicit(&e->enabled, memory_order_relaxed));
	vocana_denoiser_reset(e->den); /* as after the warm-up: mix and bypass jump to the target */
	reset_audio_state(e, strength);
}

int engine_reset(struct engine *e)
{
	if (!e)
		return -EINVAL;
	/* Joining the worker makes everything it wrote (denoiser, telemetry) visible here, and
	 * nothing touches the denoiser until the new worker starts. */
	engine_worker_stop(e);
	reset_engine_state(e);
	if (e->mode == ENGINE_WORKER)
		return engine_worker_start(e, e->worker_priority);
	return 0;
}

int engine_reset_inline(struct engine *e)
{
	if (!e || e->mode != ENGINE_INLINE)
		return -EINVAL;
	reset_engine_state(e);
	return 0;
}

/* Peak of the input as the denoiser sees it (sanitised: NaN and Inf are silence). */
static float input_peak(const float *x, uint32_t n)
{
	float p = 0.0f;
	for (uint32_t k = 0; k < n; k++)
		p = fmaxf(p, fabsf(vc_sanitize(x[k], VC_SAMPLE_MAX)));
	return p;
}

/* Inline mode: the denoiser on the block, nothing else. Its setters are real-time safe (it stores
 * targets and crossfades itself), but strength is only passed on when it changed. */
static void process_inline(struct engine *e, const float *in, float *out, uint32_t n)
{
	const int strength = atomic_load_explicit(&e->strength, memory_order_relaxed);
	if (strength != e->applied_strength) {
		vocana_denoiser_set_strength(e->den, strength);
		e->applied_strength = strength;
	}
	vocana_denoiser_set_bypass(e->den, !atomic_load_explicit(&e->enabled, memory_order_relaxed));
	vocana_denoiser_process(e->den, in, out, n);
	atomic_store_explicit(&e->st_vad, vocana_denoiser_vad(e->den), memory_order_relaxed);
	atomic_store_explicit(&e->st_own_network, e->den->own_network_hops, memory_order_relaxed);
	/* Taken in, not played yet, beyond the model's delay: the alignment, for every cycle. */
	atomic_store_explicit(&e->st_fifo_fill, ENGINE_ALIGN_SAMPLES, memory_order_relaxed);
}

/* Worker mode: hand completed frames to the worker, play the output timeline. */
static void process_worker(struct engine *e, const float *in, float *out, uint32_t n)
{
	engine_worker_collect(e);
	engine_policy_cycle(e, n);
	engine_worker_take_input(e, in, n); /* all of it before any output: in == out is allowed */
	engine_worker_kick(e);
	engine_output_run(e, out, n);
	const int64_t fill = e->in_pos - e->play_pos;
	atomic_store_explicit(&e->st_fifo_fill,
			      fill <= 0 ? 0u : fill >= UINT32_MAX ? UINT32_MAX : (uint32_t)fill,
			      memory_order_relaxed);
}

void engine_process(struct engine *e, const float *in, float *out, uint32_t n)
{
	if (!e)
		return;
	if (!in || !out) {
		engine_bump(&e->st_violations, 1);
		return;
	}
	if (n == 0)
		return;
	uint32_t n_run = n;
	if (n > e->max_block) { /* the caller broke its promise: never run unbounded work */
		engine_bump(&e->st_violations, 1);
		n_run = e->max_block;
	}
	engine_bump(&e->st_cycles, 1);
	const float in_peak = input_peak(in, n_run); /* before out, which may be in, is written */
	if (e->mode == ENGINE_INLINE)
		process_inline(e, in, out, n_run);
	else
		process_worker(e, in, out, n_run);
	if (n_run < n) /* the part we refused to process: silence, never stale samples */
		memset(out + n_run, 0, (size_t)(n - n_run) * sizeof(float));

	atomic_store_explicit(&e->st_in_peak, in_peak, memory_order_relaxed);
	atomic_store_explicit(&e->st_out_peak, engine_peak(out, n_run), memory_order_relaxed);
	uint64_t hops, wet_hops;
	denoiser_hops_out(e->den, &hops, &wet_hops);
	atomic_store_explicit(&e->st_frames, hops, memory_order_relaxed);
	atomic_store_explicit(&e->st_denoised, wet_hops, memory_order_relaxed);
}

int engine_set_strength(struct engine *e, int strength)
{
	if (!e || strength < 0 || strength > 100)
		return -EINVAL;
	atomic_store_explicit(&e->strength, strength, memory_order_relaxed);
	return 0;
}

void engine_set_enabled(struct engine *e, bool enabled)
{
	if (e)
		atomic_store_explicit(&e->enabled, enabled, memory_order_relaxed);
}

void engine_note_xrun(struct engine *e)
{
	if (e)
		atomic_fetch_add_explicit(&e->xruns, 1, memory_order_relaxed);
}

uint32_t engine_frames_in_flight(const struct engine *e)
{
	return e ? engine_worker_in_flight(e) : 0;
}

static uint32_t percentile_us(const struct telemetry_snapshot *s, double p)
{
	double v = telemetry_percentile_us(s, p);
	return v >= (double)UINT32_MAX ? UINT32_MAX : (uint32_t)lround(v);
}

void engine_get_stats(const struct engine *e, struct engine_stats *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!e)
		return;
#define LOAD(f) atomic_load_explicit(&e->f, memory_order_relaxed)
	out->cycles = LOAD(st_cycles);
	out->frames = LOAD(st_frames);
	out->frames_denoised = LOAD(st_denoised);
	out->deadline_misses = LOAD(st_misses);
	out->xruns = LOAD(xruns);
	out->breaker_trips = LOAD(st_trips);
	out->breaker = (enum engine_breaker_state)LOAD(st_breaker);
	out->latency_samples = LOAD(st_latency);
	out->margin_frames = LOAD(st_margin);
	out->input_peak = LOAD(st_in_peak);
	out->output_peak = LOAD(st_out_peak);
	out->vad = LOAD(st_vad);
	out->strength = LOAD(strength);
	out->enabled = LOAD(enabled);
	out->block_violations = LOAD(st_violations);
	out->late_frames_dropped = LOAD(st_late_dropped);
	out->margin_changes = LOAD(st_margin_changes);
	out->submit_failures = LOAD(st_submit_failed);
	out->fifo_fill_samples = LOAD(st_fifo_fill);
	out->own_network_hops = LOAD(st_own_network);
#undef LOAD
	out->worker_realtime = engine_worker_realtime(e);
	out->memory_locked = e->memory_locked;

	struct telemetry_snapshot snap;
	if (telemetry_snapshot(e->tel, &snap) == 0 && snap.count > 0) {
		out->frame_time_p50_us = percentile_us(&snap, 50.0);
		out->frame_time_p99_us = percentile_us(&snap, 99.0);
		out->frame_time_max_us = snap.max_us;
	}
}

int engine_get_model_times(const struct engine *e, struct telemetry_snapshot *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (!e)
		return -EINVAL;
	int res = telemetry_snapshot(e->tel, out);
	if (res < 0)
		memset(out, 0, sizeof(*out));
	return res;
}
