/* SPDX-License-Identifier: MIT */
/*
 * The output side of worker mode: plays source frames at a delay of D samples, decides for each
 * frame whether it is WET (the model's output, through the denoiser's bypass crossfade) or DRY
 * (the equally delayed input) by its deadline, fades between the two around late frames and
 * splices the delay when the margin changes. Design: engine_internal.h. Audio thread only; work
 * per call is bounded by n plus one frame's decision per 480 samples.
 */
#include <string.h>

#include "denoiser_internal.h"
#include "dsp/fade.h"
#include "engine/engine_internal.h"

#define FRAME ENGINE_FRAME_SAMPLES
#define XF ENGINE_XFADE_SAMPLES

void engine_output_init(struct engine *e, uint32_t margin)
{
	e->margin = margin;
	/* Output sample 0 plays source position -D: frames before 0 are silence, treated as WET so
	 * the first real frame does not fade in from anything. */
	e->play_pos = -(int64_t)(ENGINE_ALIGN_SAMPLES + (uint64_t)margin * FRAME);
	e->decided_upto = -1;
	e->xf_left = 0;
	e->xf_old_pos = 0;
	atomic_store_explicit(&e->st_margin, margin, memory_order_relaxed);
	atomic_store_explicit(&e->st_latency, engine_latency_for(e, margin), memory_order_relaxed);
}

/* Decision of frame j as stored (frames before the start count as WET). */
static uint8_t decision_of(const struct engine *e, int64_t j)
{
	if (j < 0)
		return ENGINE_WET;
	const struct engine_slot *s = engine_slot_of(e, j);
	return s->seq == j ? s->decision : (uint8_t)ENGINE_DRY;
}

static const float *wet_of(const struct engine *e, int64_t j)
{
	if (j < 0)
		return e->zero;
	const struct engine_slot *s = engine_slot_of(e, j);
	return s->seq == j && s->ready ? s->wet : NULL;
}

/* The dry signal aligned with wet frame j (made when input frame j completed; the alignment
 * delay guarantees that before frame j is played, zeros are only a safety net). */
static const float *dry_of(const struct engine *e, int64_t j)
{
	if (j < 0 || j >= e->in_frame)
		return e->zero;
	const struct engine_slot *s = engine_slot_of(e, j);
	return s->seq == j ? s->dry : e->zero;
}

/*
 * len samples of the source stream from position pos, all inside one frame j at offsets
 * [i, i + len). A WET frame fades in over its first XF samples after a DRY frame and out over its
 * last XF samples before one; an undecided next frame means no fade (only the fading-out stream
 * of a splice plays a tail before the next frame is decided).
 */
static void render(const struct engine *e, int64_t pos, float *dst, uint32_t len)
{
	const int64_t j = engine_frame_of(pos);
	const uint32_t i = (uint32_t)(pos - j * FRAME);
	const float *dry = dry_of(e, j) + i;
	const float *wet = decision_of(e, j) == ENGINE_WET ? wet_of(e, j) : NULL;

	if (!wet) { /* DRY (a WET frame without data cannot happen; play it dry all the same) */
		memcpy(dst, dry, len * sizeof(float));
		return;
	}
	wet += i;
	memcpy(dst, wet, len * sizeof(float)); /* exact: no 1 * wet + 0 * dry rounding */
	/* The two fades never overlap (2 X <= 480): offsets [0, X) and [480 - X, 480). */
	if (decision_of(e, j - 1) == ENGINE_DRY && i < XF) {
		const uint32_t k = len < XF - i ? len : XF - i;
		fade_mix(dst, dry, wet, e->ramp + i, k);
	}
	if (decision_of(e, j + 1) == ENGINE_DRY && i + len > FRAME - XF) {
		const uint32_t from = i > FRAME - XF ? i : FRAME - XF, skip = from - i;
		fade_mix(dst + skip, wet + skip, dry + skip, e->ramp + (from - (FRAME - XF)),
			 len - skip);
	}
}

static void decide_one(struct engine *e, int64_t j)
{
	struct engine_slot *s = engine_slot_of(e, j);
	uint8_t d = ENGINE_DRY;
	bool stable = false;

	if (s->seq == j && s->sub == ENGINE_SUB_SENT && !s->ready)
		engine_worker_collect(e); /* last chance: it may have come back meanwhile */
	if (s->seq == j && s->sub == ENGINE_SUB_HELD) {
		/* not sent on purpose: neither a miss nor a success */
	} else if (s->seq != j || s->sub != ENGINE_SUB_SENT || !s->ready) {
		engine_bump(&e->st_misses, 1);
		engine_policy_miss(e);
	} else if (!s->warming) {
		stable = e->breaker == ENGINE_BREAKER_CLOSED;
		engine_policy_success(e);
		if (e->breaker != ENGINE_BREAKER_OPEN)
			d = ENGINE_WET;
		atomic_store_explicit(&e->st_vad, s->vad, memory_order_relaxed);
	}
	engine_policy_frame_decided(e, stable);
	/* Enable/disable is the denoiser's bypass, crossfaded by it over the frame; every frame
	 * passes through it once, in order (a dry one only moves its state on). */
	vocana_denoiser_set_bypass(e->den, !atomic_load_explicit(&e->enabled, memory_order_relaxed));
	denoiser_mix(e->den, d == ENGINE_WET ? s->wet : NULL, s->dry);
	if (s->seq == j)
		s->decision = d;
	e->decided_upto = j;
}

void engine_output_decide(struct engine *e, int64_t j)
{
	while (e->decided_upto < j)
		decide_one(e, e->decided_upto + 1);
	if (e->worker)
		engine_worker_publish_decided(e, e->decided_upto + 1);
}

/* Grow: jump back pending_grow frames at the decision point of frame j + 1 (offset i >= FRAME -
 * XF of frame j): the old stream plays out frame j's tail, fading, while the new one replays an
 * older tail whose next frame is decided. The undecided frame j + 1 is needed that much later. */
static void splice_grow(struct engine *e)
{
	e->xf_old_pos = e->play_pos;
	e->play_pos -= (int64_t)e->pending_grow * FRAME;
	e->xf_left = XF; /* the old stream may run into frame j + 1: undecided, it plays dry */
	e->margin += e->pending_grow;
	e->pending_grow = 0;
	engine_policy_spliced(e, false);
}

/* Shrink: at the start of frame j, skip to the start of frame j + 1, deciding it now. Only when it
 * is already back (a forced decision must not create a miss), and preferably in a pause: the
 * skipped 10 ms is input frames j - 1 and j around the join. */
static void try_shrink(struct engine *e, int64_t j)
{
	if (e->breaker != ENGINE_BREAKER_CLOSED || e->decided_upto != j) {
		e->shrink_wait++;
		return;
	}
	struct engine_slot *next = engine_slot_of(e, j + 1);
	if (next->seq == j + 1 && next->sub == ENGINE_SUB_SENT && !next->ready)
		engine_worker_collect(e);
	if (next->seq != j + 1 || next->sub != ENGINE_SUB_SENT || !next->ready || next->warming) {
		e->shrink_wait++;
		return;
	}
	const struct engine_slot *cur = engine_slot_of(e, j);
	const struct engine_slot *prev = j >= 1 ? engine_slot_of(e, j - 1) : cur;
	const bool quiet = prev->peak < ENGINE_MARGIN_QUIET_PEAK && cur->peak < ENGINE_MARGIN_QUIET_PEAK;
	if (!quiet && e->shrink_wait < e->shrink_max_wait_frames) {
		e->shrink_wait++;
		return;
	}
	engine_output_decide(e, j + 1);
	e->xf_old_pos = e->play_pos;
	e->play_pos += FRAME;
	e->xf_left = XF;
	e->margin--;
	engine_policy_spliced(e, true);
}

void engine_output_run(struct engine *e, float *out, uint32_t n)
{
	uint32_t done = 0;
	while (done < n) {
		int64_t j = engine_frame_of(e->play_pos);
		uint32_t i = (uint32_t)(e->play_pos - j * FRAME);
		if (e->xf_left == 0) {
			if (i == 0 && e->shrink_wanted) {
				try_shrink(e, j);
				if (e->xf_left)
					continue; /* spliced: play_pos moved */
			}
			if (i >= FRAME - XF && e->decided_upto < j + 1) {
				if (e->pending_grow) {
					splice_grow(e);
					continue;
				}
				engine_output_decide(e, j + 1);
			}
		}
		/* Segment: up to the next decision point, frame end or end of the splice fade. */
		uint32_t seg = n - done;
		if (seg > FRAME - i)
			seg = FRAME - i;
		if (i < FRAME - XF && seg > FRAME - XF - i)
			seg = FRAME - XF - i;
		if (e->xf_left && seg > e->xf_left)
			seg = e->xf_left;

		float *dst = out + done;
		if (e->xf_left) {
			render(e, e->xf_old_pos, e->xf_scratch, seg);
			render(e, e->play_pos, dst, seg);
			fade_mix(dst, e->xf_scratch, dst, e->ramp + (XF - e->xf_left), seg);
			e->xf_old_pos += seg;
			e->xf_left -= seg;
		} else {
			render(e, e->play_pos, dst, seg);
		}
		e->play_pos += seg;
		done += seg;
	}
}
