/* SPDX-License-Identifier: MIT */
/*
 * The capture -> output hand-off (src/daemon/pw/handoff.c), driven by simulated graph cycles: sample
 * values are their own graph positions, so every output sample says exactly where it came from.
 */
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pw/handoff.h"
#include "test_util.h"

static struct handoff *h;
static float in[HANDOFF_MAX_BLOCK], out[HANDOFF_MAX_BLOCK + 64];

static void capture(uint64_t pos, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		in[i] = (float)(pos + i);
	handoff_write(h, pos, in, n);
}

/* The output cycle at pos into out[0..n); returns how many samples were missing. Counts the
 * cycles read in place (no copy into out). */
static unsigned in_place;

static uint32_t read_out(uint64_t pos, uint32_t n)
{
	uint32_t missing;
	const float *src = handoff_read(h, pos, n, out, &missing);

	if (src != out) {
		CHECK(src >= h->buf && src + n <= h->buf + HANDOFF_SIZE);
		memcpy(out, src, n * sizeof(float));
		in_place++;
	}
	return missing;
}

/* Output at pos: every sample must be (pos + i - delay), or 0 where missing is expected. */
static bool output_is(uint64_t pos, uint32_t n, uint32_t delay)
{
	read_out(pos, n);
	for (uint32_t i = 0; i < n; i++)
		if (out[i] != (float)(pos + i - delay))
			return false;
	return true;
}

static void test_same_cycle(void)
{
	uint64_t pos = 1 << 20; /* positions that wrap the ring; a multiple of the quantum */

	handoff_reset(h);
	in_place = 0;
	for (int c = 0; c < 200; c++, pos += 256) {
		capture(pos, 256); /* capture runs first in every cycle */
		CHECK(output_is(pos, 256, 0));
	}
	CHECK(h->mode == HANDOFF_SAME_CYCLE && handoff_delay(h) == 0 && h->n_switches == 0);
	/* Quantum-aligned positions never straddle the ring's end: every cycle is read in place. */
	CHECK_MSG(in_place == 200, "%u of 200 cycles read in place", in_place);
	/* Unaligned ones do, now and then, and are assembled in the scratch buffer. */
	pos = (1 << 20) + 100;
	in_place = 0;
	for (int c = 0; c < 200; c++, pos += 256) {
		capture(pos, 256);
		CHECK(output_is(pos, 256, 0));
	}
	CHECK_MSG(in_place >= 195 && in_place < 200, "%u of 200 unaligned cycles read in place",
		  in_place);
}

static void test_next_cycle(void)
{
	uint64_t pos = 5000;
	uint64_t missing_before = h->n_missing;

	handoff_reset(h);
	capture(pos, 256);
	pos += 256;
	for (int c = 0; c < 200; c++, pos += 256) {
		CHECK(output_is(pos, 256, 256)); /* output runs first: last cycle's samples */
		capture(pos, 256);
	}
	CHECK(h->mode == HANDOFF_NEXT_CYCLE && handoff_delay(h) == 256 && h->n_switches == 0);
	CHECK(h->n_missing == missing_before);
}

static void test_flip_once(void)
{
	uint64_t pos = 77777;
	uint32_t missing;

	handoff_reset(h);
	h->n_switches = 0;
	for (int c = 0; c < 10; c++, pos += 128) {
		capture(pos, 128);
		CHECK(output_is(pos, 128, 0));
	}
	/* Order flips: one quantum of silence, then the next-cycle mode while the order keeps flipping. */
	missing = read_out(pos, 128);
	CHECK(missing == 128 && h->n_switches == 1 && handoff_delay(h) == 128);
	capture(pos, 128);
	pos += 128;
	for (int c = 0; c < 10; c++, pos += 128) {
		if (c % 2) { /* flips back and forth: the delay stays, no more glitches */
			capture(pos, 128);
			CHECK(output_is(pos, 128, 128));
		} else {
			CHECK(output_is(pos, 128, 128));
			capture(pos, 128);
		}
	}
	CHECK(h->n_switches == 1);
}

/* After a flip, capture-first cycles for HANDOFF_RECOVER_SAMPLES bring the same-cycle mode (and
 * zero added delay) back, through one crossfaded splice; a relapse doubles the wait. */
static void test_recovery(void)
{
	uint64_t pos = 3000000;
	const uint32_t q = 256;

	handoff_reset(h);
	h->n_switches = h->n_recoveries = 0;
	capture(pos, q);
	CHECK(output_is(pos, q, 0));
	pos += q;
	for (int round = 0; round < 2; round++) {
		/* A flip: output first once. */
		read_out(pos, q);
		capture(pos, q);
		pos += q;
		CHECK(handoff_delay(h) == q);
		/* Capture first from now on: still one quantum late until the wait is over. */
		const uint32_t wait = HANDOFF_RECOVER_SAMPLES << round;
		uint32_t waited = 0;
		while (waited + q < wait) {
			capture(pos, q);
			CHECK(output_is(pos, q, q));
			pos += q;
			waited += q;
		}
		CHECK(h->mode == HANDOFF_NEXT_CYCLE && h->n_recoveries == (uint64_t)round);
		/* The splice: the crossfade runs from the old stream into the new one, then it is the
		 * current cycle's capture. */
		capture(pos, q);
		read_out(pos, q);
		CHECK(h->mode == HANDOFF_SAME_CYCLE && handoff_delay(h) == 0);
		CHECK(h->n_recoveries == (uint64_t)round + 1);
		uint32_t between = 0;
		for (uint32_t i = 0; i < q; i++) {
			const float old = (float)(pos + i - q), now = (float)(pos + i);
			if (i >= HANDOFF_XFADE_SAMPLES) {
				CHECK(out[i] == now);
			} else {
				CHECK(out[i] >= old && out[i] <= now);
				between += out[i] > old && out[i] < now;
			}
		}
		/* A real fade: strictly between the two streams, but for the curve's first and last
		 * few weights, which are within a float's resolution of 0 and 1 at these values. */
		CHECK_MSG(between >= HANDOFF_XFADE_SAMPLES - 8, "%u of %u fade samples between", between,
			  HANDOFF_XFADE_SAMPLES);
		pos += q;
		for (int c = 0; c < 20; c++, pos += q) {
			capture(pos, q);
			CHECK(output_is(pos, q, 0));
		}
	}
	CHECK(h->n_switches == 2);
}

/* The output running first in every cycle for good (the order a re-created capture stream gets):
 * out_first counts it, no wait brings the same cycle back; once the order is fixed,
 * handoff_recover_soon() makes the first capture-first cycle recover (crossfaded), and a later
 * relapse waits the usual time, not a doubled one. */
static void test_order_fixed(void)
{
	uint64_t pos = 1 << 22;
	const uint32_t q = 256;

	handoff_reset(h);
	h->n_recoveries = 0;
	capture(pos, q);
	CHECK(output_is(pos, q, 0));
	pos += q;
	for (uint32_t c = 0; c < 4 * HANDOFF_RECOVER_SAMPLES / q; c++, pos += q) {
		read_out(pos, q); /* the output first, the capture after it, every cycle */
		capture(pos, q);
	}
	CHECK(h->mode == HANDOFF_NEXT_CYCLE && h->n_recoveries == 0);
	/* Every one of those cycles counted as output-first, but the first: it switched the mode
	 * (the cycle before it was read already, so it cannot tell the order). */
	CHECK_MSG(handoff_out_first(h) == 4 * HANDOFF_RECOVER_SAMPLES - q, "out_first %u",
		  handoff_out_first(h));
	/* The owner fixed the order: the next capture-first cycle returns to the same cycle. */
	handoff_recover_soon(h);
	capture(pos, q);
	read_out(pos, q);
	CHECK(h->mode == HANDOFF_SAME_CYCLE && handoff_delay(h) == 0 && h->n_recoveries == 1);
	CHECK(out[q - 1] == (float)(pos + q - 1) && handoff_out_first(h) == 0);
	pos += q;
	/* A later flip waits the ordinary time again. */
	read_out(pos, q);
	capture(pos, q);
	pos += q;
	CHECK(h->recover_after == HANDOFF_RECOVER_SAMPLES);
	for (uint32_t waited = 0; waited + q < HANDOFF_RECOVER_SAMPLES; waited += q, pos += q) {
		capture(pos, q);
		CHECK(output_is(pos, q, q));
	}
	capture(pos, q);
	read_out(pos, q);
	CHECK(h->mode == HANDOFF_SAME_CYCLE && h->n_recoveries == 2);
	/* Output-first cycles are only counted while the capture runs: none without it. */
	handoff_reset(h);
	capture(pos, q);
	pos += q;
	for (int c = 0; c < 50; c++, pos += q)
		read_out(pos, q);
	CHECK(handoff_out_first(h) == 0);
}

static void test_quantum_changes(void)
{
	uint64_t pos = 1 << 20;

	handoff_reset(h);
	h->n_switches = 0;
	capture(pos, 256);
	pos += 256;
	CHECK(output_is(pos, 256, 256));
	capture(pos, 256);
	pos += 256;
	/* Smaller quantum: the delay stays at 256, output continuous. */
	for (int c = 0; c < 8; c++, pos += 64) {
		CHECK(output_is(pos, 64, 256));
		capture(pos, 64);
	}
	/* Larger quantum: the delay grows to it (counted once). */
	read_out(pos, 1024);
	CHECK(handoff_delay(h) == 1024 && h->n_switches == 1);
}

static void test_gaps_and_jumps(void)
{
	uint64_t pos = 4096;
	uint32_t missing;

	handoff_reset(h);
	capture(pos, 256);
	CHECK(output_is(pos, 256, 0));
	/* A missed capture cycle: its samples are zeros, then audio resumes in place. */
	capture(pos + 512, 256);
	read_out(pos + 256, 256);
	for (int i = 0; i < 256; i++)
		CHECK(out[i] == 0.0f);
	CHECK(output_is(pos + 512, 256, 0));
	/* A jump far ahead (a pause): start over without writing the gap. */
	capture(pos + 10000000, 256);
	CHECK(output_is(pos + 10000000, 256, 0));
	/* Nothing captured for this position at all. */
	missing = read_out(pos + 20000000, 256);
	CHECK(missing == 256);
	/* Oversized blocks are cut, never overrun. */
	memset(out, 0xff, sizeof(out));
	missing = read_out(1, HANDOFF_MAX_BLOCK + 64);
	CHECK(missing == HANDOFF_MAX_BLOCK + 64 && out[HANDOFF_MAX_BLOCK + 63] == 0.0f);
}

int main(void)
{
	h = aligned_alloc(alignof(struct handoff), sizeof(*h));
	if (h == NULL)
		return 1;
	memset(h, 0, sizeof(*h));
	handoff_reset(h);
	RUN_TEST(test_same_cycle);
	RUN_TEST(test_next_cycle);
	RUN_TEST(test_flip_once);
	RUN_TEST(test_recovery);
	RUN_TEST(test_order_fixed);
	RUN_TEST(test_quantum_changes);
	RUN_TEST(test_gaps_and_jumps);
	free(h);
	return test_finish();
}
