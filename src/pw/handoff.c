/* SPDX-License-Identifier: MIT */
#include "pw/handoff.h"

#include <string.h>

#include "dsp/fade.h"

#define MASK (HANDOFF_SIZE - 1)

void handoff_reset(struct handoff *h)
{
	h->lo = h->hi = 0;
	h->valid = false;
	h->mode = HANDOFF_UNDECIDED;
	h->delay = 0;
	h->capture_first = 0;
	h->recover_after = HANDOFF_RECOVER_SAMPLES;
	h->recovered = false;
}

void handoff_write(struct handoff *h, uint64_t pos, const float *src, uint32_t n)
{
	if (n > HANDOFF_MAX_BLOCK)
		n = HANDOFF_MAX_BLOCK;
	if (!h->valid || pos < h->lo || pos > h->hi + HANDOFF_SIZE / 2) {
		/* First block, or the graph position jumped (a pause, a new driver): start over. */
		h->lo = h->hi = pos;
		h->valid = true;
	} else if (pos > h->hi) {
		/* Missed capture cycles: their samples are silence. */
		for (uint64_t p = h->hi; p < pos; p++)
			h->buf[p & MASK] = 0.0f;
	}
	for (uint32_t i = 0; i < n; i++)
		h->buf[(pos + i) & MASK] = src[i];
	h->hi = pos + n;
	if (h->hi - h->lo > HANDOFF_SIZE)
		h->lo = h->hi - HANDOFF_SIZE;
}

static bool has_range(const struct handoff *h, uint64_t a, uint32_t n)
{
	return h->valid && a >= h->lo && a + n <= h->hi;
}

/*
 * NEXT_CYCLE mode: count capture-first cycles; after recover_after samples of them, return to
 * SAME_CYCLE. This cycle then plays positions [pos, pos + n) instead of [pos - delay, ...): the
 * delay's worth of audio is skipped, crossfaded from the old stream into the new one. Returns
 * whether it did (and filled dst).
 */
static bool try_recover(struct handoff *h, uint64_t pos, float *dst, uint32_t n)
{
	if (!h->valid || !has_range(h, pos, n) || pos < h->delay || pos - h->delay < h->lo) {
		h->capture_first = 0;
		return false;
	}
	if (h->recover_after == 0)
		h->recover_after = HANDOFF_RECOVER_SAMPLES; /* a handoff that was never reset */
	h->capture_first = h->capture_first > UINT32_MAX - n ? UINT32_MAX : h->capture_first + n;
	if (h->capture_first < h->recover_after)
		return false;
	const uint64_t old = pos - h->delay;
	const uint32_t fade = n < HANDOFF_XFADE_SAMPLES ? n : HANDOFF_XFADE_SAMPLES;
	for (uint32_t i = 0; i < n; i++) {
		const float now = h->buf[(pos + i) & MASK];
		if (i < fade) {
			const float w = fade_weight(i, fade); /* a few cosf, once per recovery */
			dst[i] = w * now + (1.0f - w) * h->buf[(old + i) & MASK];
		} else {
			dst[i] = now;
		}
	}
	h->mode = HANDOFF_SAME_CYCLE;
	h->delay = 0;
	h->capture_first = 0;
	h->recovered = true;
	h->n_recoveries++;
	h->lo = pos + n;
	return true;
}

uint32_t handoff_read(struct handoff *h, uint64_t pos, float *dst, uint32_t n)
{
	uint32_t missing = 0;
	uint64_t a;

	if (n > HANDOFF_MAX_BLOCK) {
		memset(dst + HANDOFF_MAX_BLOCK, 0, (n - HANDOFF_MAX_BLOCK) * sizeof(float));
		missing += n - HANDOFF_MAX_BLOCK;
		n = HANDOFF_MAX_BLOCK;
	}
	if (h->mode == HANDOFF_UNDECIDED && h->valid)
		h->mode = has_range(h, pos, n) ? HANDOFF_SAME_CYCLE : HANDOFF_NEXT_CYCLE;
	if (h->mode == HANDOFF_SAME_CYCLE && h->valid && !has_range(h, pos, n)) {
		h->mode = HANDOFF_NEXT_CYCLE; /* the callbacks' order flipped */
		h->delay = n;
		h->n_switches++;
		h->capture_first = 0;
		if (h->recovered && h->recover_after < HANDOFF_RECOVER_MAX_SAMPLES)
			h->recover_after *= 2; /* a relapse: wait longer before the next recovery */
		h->recovered = false;
	}
	if (h->mode == HANDOFF_NEXT_CYCLE && try_recover(h, pos, dst, n))
		return 0;
	if (h->mode == HANDOFF_NEXT_CYCLE && h->delay < n) {
		if (h->delay != 0)
			h->n_switches++;
		h->delay = n; /* quantum grew (or first decision) */
	}
	a = (h->mode == HANDOFF_NEXT_CYCLE && pos >= h->delay) ? pos - h->delay : pos;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t p = a + i;

		if (h->valid && p >= h->lo && p < h->hi) {
			dst[i] = h->buf[p & MASK];
		} else {
			dst[i] = 0.0f;
			missing++;
		}
	}
	if (h->valid && a + n > h->lo)
		h->lo = a + n < h->hi ? a + n : h->hi;
	h->n_missing += missing;
	return missing;
}

uint32_t handoff_delay(const struct handoff *h)
{
	return h->mode == HANDOFF_NEXT_CYCLE ? h->delay : 0;
}
