/* SPDX-License-Identifier: MIT */
#include "pw/handoff.h"

#include <string.h>

#include "dsp/fade.h"

/* Graph positions are uint64_t; the ring's indices are their low 32 bits, compared by signed
 * difference. Ranges here are at most HANDOFF_SIZE apart (larger jumps start over), far inside
 * the +-2^31 that this reads correctly. */
static int32_t diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static uint32_t lo_of(const struct handoff *h)
{
	uint32_t lo;

	ring_get_read_index(&h->ring, &lo);
	return lo;
}

static uint32_t hi_of(const struct handoff *h)
{
	uint32_t hi;

	ring_get_write_index(&h->ring, &hi);
	return hi;
}

void handoff_reset(struct handoff *h)
{
	(void)ring_init(&h->ring, HANDOFF_SIZE); /* a power of two */
	h->valid = false;
	h->mode = HANDOFF_UNDECIDED;
	h->delay = 0;
	h->capture_first = 0;
	h->recover_after = HANDOFF_RECOVER_SAMPLES;
	h->recovered = false;
	h->recover_soon = false;
	h->out_first = 0;
}

void handoff_write(struct handoff *h, uint64_t pos, const float *src, uint32_t n)
{
	const uint32_t p = (uint32_t)pos;
	uint32_t hi = hi_of(h);

	if (n > HANDOFF_MAX_BLOCK)
		n = HANDOFF_MAX_BLOCK;
	if (!h->valid || diff(p, lo_of(h)) < 0 || diff(p, hi) > (int32_t)HANDOFF_SIZE / 2) {
		/* First block, or the graph position jumped (a pause, a new driver): start over. */
		ring_reset(&h->ring, p);
		h->valid = true;
	} else {
		/* Missed capture cycles: their samples are silence (bounded: half the ring). */
		for (; diff(p, hi) > 0; hi++)
			h->buf[ring_slot(&h->ring, hi)] = 0.0f;
	}
	ring_write_data(&h->ring, h->buf, sizeof(float), p, src, n);
	ring_write_update(&h->ring, p + n);
	if (diff(p + n, lo_of(h)) > (int32_t)HANDOFF_SIZE)
		ring_read_update(&h->ring, p + n - HANDOFF_SIZE); /* overwritten: no longer held */
}

static bool has_range(const struct handoff *h, uint32_t a, uint32_t n)
{
	return h->valid && diff(a, lo_of(h)) >= 0 && diff(a + n, hi_of(h)) <= 0;
}

/* NEXT_CYCLE mode: an output-first cycle is one whose samples are not there yet while the
 * previous cycle's are (the capture runs, but after us); a capture-first cycle, or one without
 * any capture (the device is gone: no order to fix), ends the run. */
static void note_order(struct handoff *h, uint64_t pos, uint32_t n)
{
	if (!has_range(h, (uint32_t)pos, n) && pos >= n && has_range(h, (uint32_t)(pos - n), n))
		h->out_first = h->out_first > UINT32_MAX - n ? UINT32_MAX : h->out_first + n;
	else
		h->out_first = 0;
}

/*
 * NEXT_CYCLE mode: count capture-first cycles; after recover_after samples of them, return to
 * SAME_CYCLE. This cycle then plays positions [pos, pos + n) instead of [pos - delay, ...): the
 * delay's worth of audio is skipped, crossfaded from the old stream into the new one in dst.
 * Returns whether it did.
 */
static bool try_recover(struct handoff *h, uint64_t pos, float *dst, uint32_t n)
{
	if (!h->valid || !has_range(h, (uint32_t)pos, n) || pos < h->delay ||
	    diff((uint32_t)(pos - h->delay), lo_of(h)) < 0) {
		h->capture_first = 0;
		return false;
	}
	if (h->recover_after == 0)
		h->recover_after = HANDOFF_RECOVER_SAMPLES; /* a handoff that was never reset */
	h->capture_first = h->capture_first > UINT32_MAX - n ? UINT32_MAX : h->capture_first + n;
	if (h->capture_first < h->recover_after && !h->recover_soon)
		return false;
	const uint32_t now = (uint32_t)pos, old = (uint32_t)(pos - h->delay);
	const uint32_t fade = n < HANDOFF_XFADE_SAMPLES ? n : HANDOFF_XFADE_SAMPLES;
	for (uint32_t i = 0; i < n; i++) {
		const float x = h->buf[ring_slot(&h->ring, now + i)];
		if (i < fade) {
			const float w = fade_weight(i, fade); /* a few cosf, once per recovery */
			dst[i] = w * x + (1.0f - w) * h->buf[ring_slot(&h->ring, old + i)];
		} else {
			dst[i] = x;
		}
	}
	h->mode = HANDOFF_SAME_CYCLE;
	h->delay = 0;
	h->capture_first = 0;
	/* A recovery after the order was fixed is no sign of a graph that keeps flipping. */
	h->recovered = !h->recover_soon;
	h->recover_soon = false;
	h->out_first = 0;
	h->n_recoveries++;
	ring_read_update(&h->ring, (uint32_t)(pos + n));
	return true;
}

const float *handoff_read(struct handoff *h, uint64_t pos, uint32_t n, float *scratch,
			  uint32_t *missing_out)
{
	uint32_t missing = 0, take = n;

	if (take > HANDOFF_MAX_BLOCK) {
		memset(scratch + HANDOFF_MAX_BLOCK, 0, (n - HANDOFF_MAX_BLOCK) * sizeof(float));
		missing += n - HANDOFF_MAX_BLOCK;
		take = HANDOFF_MAX_BLOCK;
	}
	if (h->mode == HANDOFF_UNDECIDED && h->valid)
		h->mode = has_range(h, (uint32_t)pos, take) ? HANDOFF_SAME_CYCLE : HANDOFF_NEXT_CYCLE;
	if (h->mode == HANDOFF_SAME_CYCLE && h->valid && !has_range(h, (uint32_t)pos, take)) {
		h->mode = HANDOFF_NEXT_CYCLE; /* the callbacks' order flipped */
		h->delay = take;
		h->n_switches++;
		h->capture_first = 0;
		if (h->recovered && h->recover_after < HANDOFF_RECOVER_MAX_SAMPLES)
			h->recover_after *= 2; /* a relapse: wait longer before the next recovery */
		h->recovered = false;
	}
	if (h->mode == HANDOFF_NEXT_CYCLE)
		note_order(h, pos, take);
	if (h->mode == HANDOFF_NEXT_CYCLE && try_recover(h, pos, scratch, take)) {
		*missing_out = missing;
		h->n_missing += missing;
		return scratch;
	}
	if (h->mode == HANDOFF_NEXT_CYCLE && h->delay < take) {
		if (h->delay != 0)
			h->n_switches++;
		h->delay = take; /* quantum grew (or first decision) */
	}
	const uint32_t a = (uint32_t)((h->mode == HANDOFF_NEXT_CYCLE && pos >= h->delay) ?
					      pos - h->delay : pos);
	const float *src;
	if (take == n && has_range(h, a, take) && ring_slot(&h->ring, a) + take <= HANDOFF_SIZE) {
		src = h->buf + ring_slot(&h->ring, a); /* the common case: read in place, no copy */
	} else {
		/* Part missing (zeros), or split by the wrap: assembled in the caller's scratch. */
		const uint32_t lo = lo_of(h), hi = hi_of(h);
		for (uint32_t i = 0; i < take; i++) {
			const uint32_t p = a + i;
			if (h->valid && diff(p, lo) >= 0 && diff(p, hi) < 0) {
				scratch[i] = h->buf[ring_slot(&h->ring, p)];
			} else {
				scratch[i] = 0.0f;
				missing++;
			}
		}
		src = scratch;
	}
	if (h->valid && diff(a + take, lo_of(h)) > 0)
		ring_read_update(&h->ring, diff(a + take, hi_of(h)) < 0 ? a + take : hi_of(h));
	h->n_missing += missing;
	*missing_out = missing;
	return src;
}

uint32_t handoff_delay(const struct handoff *h)
{
	return h->mode == HANDOFF_NEXT_CYCLE ? h->delay : 0;
}

uint32_t handoff_out_first(const struct handoff *h)
{
	return h->mode == HANDOFF_NEXT_CYCLE ? h->out_first : 0;
}

void handoff_recover_soon(struct handoff *h)
{
	h->recover_soon = true;
	h->capture_first = 0;
}
