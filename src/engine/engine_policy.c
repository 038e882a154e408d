/* SPDX-License-Identifier: MIT */
/*
 * Worker mode's reactions to how frames come back: the circuit breaker and the adaptive margin.
 * Audio thread only; every count is in frames of audio (engine_constants.h).
 *
 * Breaker:
 *  - CLOSED: a miss adds to a run of consecutive misses, a frame back in time ends the run. The
 *    breaker_misses-th miss in a row trips it.
 *  - OPEN: no frames go to the worker (engine_policy_may_submit()): the model is evidently not
 *    keeping up, and feeding it would only lengthen its backlog and keep a core busy for output
 *    that is played dry anyway. Frames still in flight are ignored. After breaker_hold_frames
 *    frames of audio it half-opens.
 *  - HALF_OPEN: frames go to the worker again. It sees the gap and resets the denoiser; the first
 *    ENGINE_RESYNC_FRAMES outputs are played dry. The first frame after them is the trial: back
 *    in time closes the breaker, late trips it again.
 * Why not keep submitting while open so the model state stays current: the state is cheap to
 * rebuild (a reset plus 40 ms of resync), and what an overloaded machine needs is less work.
 *
 * Margin: grows by one frame on a miss or an xrun (at most margin_extra_max above the minimum for
 * the current quantum, engine_margin_base()), and at once by as much as a larger quantum needs;
 * shrinks by one frame after stable_needed frames without a miss, xrun or splice, down to
 * the minimum for the largest quantum of that period (a period that ends with nothing to shrink
 * starts a new one, so a quantum that has gone down again stops counting after one period).
 * stable_needed is stable_frames_needed, doubled (up to ENGINE_MARGIN_BACKOFF_MAX times) each
 * time a shrink is followed by a miss or an xrun within one period (request_grow()). The splices
 * themselves are in engine_output.c.
 */
#include "engine/engine_internal.h"

uint32_t engine_margin_base(uint32_t n)
{
	uint32_t m = (n + ENGINE_XFADE_SAMPLES + ENGINE_FRAME_SAMPLES - 1) / ENGINE_FRAME_SAMPLES;
	return m ? m : 1;
}

uint32_t engine_latency_for(const struct engine *e, uint32_t margin)
{
	return e->model_delay + ENGINE_ALIGN_SAMPLES + margin * ENGINE_FRAME_SAMPLES;
}

/* Largest margin allowed while cycles of n samples run. */
static uint32_t margin_limit(const struct engine *e, uint32_t n)
{
	uint32_t lim = engine_margin_base(n) + e->margin_extra_max;
	return lim < e->margin_cap ? lim : e->margin_cap;
}

static void restart_stable_period(struct engine *e)
{
	e->stable_frames = 0;
	e->stable_max_n = e->cycle_n;
	e->shrink_wanted = false;
	e->shrink_wait = 0;
}

/* A miss or an xrun: one more frame of margin. If the last shrink has not yet survived one
 * stable period, it was premature: wait twice as long before the next one (backoff), so a margin
 * that is one frame too small is not tried again every period, each try costing two splices and
 * a dry frame. */
static void request_grow(struct engine *e)
{
	if (e->margin + e->pending_grow < margin_limit(e, e->cycle_n))
		e->pending_grow += ENGINE_MARGIN_STEP_FRAMES;
	if (e->frames_since_shrink < e->stable_needed) {
		uint32_t max = e->stable_frames_needed * ENGINE_MARGIN_BACKOFF_MAX;
		e->stable_needed = e->stable_needed < max / 2 ? 2 * e->stable_needed : max;
	}
	e->frames_since_shrink = UINT32_MAX; /* no shrink on trial any more */
	restart_stable_period(e);
}

static void set_breaker(struct engine *e, enum engine_breaker_state s)
{
	e->breaker = s;
	atomic_store_explicit(&e->st_breaker, (int)s, memory_order_relaxed);
}

static void trip(struct engine *e)
{
	set_breaker(e, ENGINE_BREAKER_OPEN);
	e->hold_left = e->breaker_hold_frames;
	e->consecutive_misses = 0;
	engine_bump(&e->st_trips, 1);
}

void engine_policy_cycle(struct engine *e, uint32_t n)
{
	e->cycle_n = n;
	if (e->mode != ENGINE_WORKER)
		return;
	if (n > e->stable_max_n)
		e->stable_max_n = n;
	/* A larger quantum: every frame it completes must still be needed only in a later cycle.
	 * Applied at the next decision point, before any frame is needed under the old margin. */
	uint32_t need = engine_margin_base(n);
	if (need > e->margin_cap)
		need = e->margin_cap;
	if (need > e->margin + e->pending_grow) {
		e->pending_grow = need - e->margin;
		restart_stable_period(e);
	}
	uint64_t x = atomic_load_explicit(&e->xruns, memory_order_relaxed);
	if (x != e->xruns_seen) {
		e->xruns_seen = x;
		request_grow(e); /* once per cycle, however many were reported */
	}
}

void engine_policy_miss(struct engine *e)
{
	if (e->breaker == ENGINE_BREAKER_OPEN)
		return; /* frames sent before the trip: already accounted for */
	request_grow(e);
	e->consecutive_misses++;
	if (e->breaker == ENGINE_BREAKER_HALF_OPEN || e->consecutive_misses >= e->breaker_misses)
		trip(e);
}

void engine_policy_success(struct engine *e)
{
	if (e->breaker == ENGINE_BREAKER_OPEN)
		return;
	e->consecutive_misses = 0;
	if (e->breaker == ENGINE_BREAKER_HALF_OPEN)
		set_breaker(e, ENGINE_BREAKER_CLOSED);
}

void engine_policy_frame_decided(struct engine *e, bool counts_as_stable)
{
	if (e->frames_since_shrink < UINT32_MAX && ++e->frames_since_shrink == e->stable_needed) {
		/* The last shrink survived a whole period: it was right, the backoff is over. */
		e->stable_needed = e->stable_frames_needed;
		e->frames_since_shrink = UINT32_MAX;
	}
	if (e->breaker == ENGINE_BREAKER_OPEN) {
		if (e->hold_left > 0)
			e->hold_left--;
		if (e->hold_left == 0) {
			set_breaker(e, ENGINE_BREAKER_HALF_OPEN);
			e->consecutive_misses = 0;
		}
		return;
	}
	if (!counts_as_stable || e->breaker != ENGINE_BREAKER_CLOSED)
		return;
	if (e->stable_frames < UINT32_MAX)
		e->stable_frames++;
	if (e->stable_frames < e->stable_needed || e->pending_grow || e->shrink_wanted)
		return;
	if (e->margin > engine_margin_base(e->stable_max_n))
		e->shrink_wanted = true;
	else
		restart_stable_period(e); /* nothing to shrink: watch the quanta of a fresh period */
}

void engine_policy_spliced(struct engine *e, bool shrink)
{
	if (shrink)
		e->frames_since_shrink = 0;
	engine_bump(&e->st_margin_changes, 1);
	atomic_store_explicit(&e->st_margin, e->margin, memory_order_relaxed);
	atomic_store_explicit(&e->st_latency, engine_latency_for(e, e->margin), memory_order_relaxed);
	restart_stable_period(e);
}

bool engine_policy_may_submit(const struct engine *e)
{
	return e->breaker != ENGINE_BREAKER_OPEN;
}
