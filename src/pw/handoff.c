/* SPDX-License-Identifier: MIT */
#include "pw/handoff.h"

#include <string.h>

#define MASK (HANDOFF_SIZE - 1)

void handoff_reset(struct handoff *h)
{
	h->lo = h->hi = 0;
	h->valid = false;
	h->mode = HANDOFF_UNDECIDED;
	h->delay = 0;
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
	}
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
