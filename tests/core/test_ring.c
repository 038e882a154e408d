/* SPDX-License-Identifier: MIT */
/* Single-threaded behaviour of the SPSC rings: sizes, counts, contents, wrap-around. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "core/ring.h"
#include "test_util.h"

/* Sample k of the test stream: distinct integers, exact in float (< 2^24). */
static float seq_value(uint64_t k)
{
	return (float)(uint32_t)(k % 16777213u);
}

static void test_capacity_must_be_pow2(void)
{
	static const size_t bad[] = {0, 3, 5, 6, 7, 12, 100, 1000, 4095, 4097};
	struct ring *r = (struct ring *)1;
	struct idx_ring *ir = (struct idx_ring *)1;
	struct ring local;
	float storage[16];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_MSG(ring_create(bad[i], &r) == -EINVAL, "capacity %zu", bad[i]);
		CHECK(r == NULL);
		CHECK(idx_ring_create(bad[i], &ir) == -EINVAL);
		CHECK(ir == NULL);
		CHECK(ring_init(&local, storage, bad[i]) == -EINVAL);
	}
	CHECK(ring_create(RING_MAX_CAPACITY * 2, &r) == -EINVAL);
	CHECK(ring_init(&local, NULL, 16) == -EINVAL);
	CHECK(ring_create(16, NULL) == -EINVAL);
	CHECK(idx_ring_create(16, NULL) == -EINVAL);
	for (size_t cap = 1; cap <= 65536; cap *= 2) {
		CHECK_MSG(ring_create(cap, &r) == 0, "capacity %zu", cap);
		CHECK(ring_capacity(r) == cap);
		CHECK(((uintptr_t)r->q.data % RING_CACHE_LINE) == 0);
		ring_destroy(r);
	}
	ring_destroy(NULL);
	idx_ring_destroy(NULL);
}

static void test_layout(void)
{
	/* the two sides' positions must not share a cache line */
	CHECK(offsetof(struct spsc, read_pos) - offsetof(struct spsc, write_pos) >= RING_CACHE_LINE);
	CHECK(offsetof(struct spsc, read_pos) % RING_CACHE_LINE == 0);
	CHECK(offsetof(struct spsc, data) - offsetof(struct spsc, read_pos) >= RING_CACHE_LINE);
}

static void test_empty(void)
{
	struct ring *r = NULL;
	struct ring_stats st;
	float out[8] = {0};

	CHECK(ring_create(8, &r) == 0);
	if (!r)
		return;
	CHECK(ring_read_available(r) == 0);
	CHECK(ring_write_available(r) == 8);
	CHECK(ring_read(r, out, 1) == 0);
	CHECK(ring_read(r, out, 0) == 0); /* asking for nothing is not an underrun */
	CHECK(ring_peek(r, out, 4) == 0);
	CHECK(ring_skip(r, 4) == 0);
	ring_get_stats(r, &st);
	CHECK(st.n_underruns == 1);
	CHECK(st.n_overruns == 0);
	ring_destroy(r);
}

static void test_full(void)
{
	struct ring *r = NULL;
	struct ring_stats st;
	float in[20], out[20];

	for (int i = 0; i < 20; i++)
		in[i] = seq_value((uint64_t)i);
	CHECK(ring_create(16, &r) == 0);
	if (!r)
		return;
	CHECK(ring_write(r, in, 20) == 16);
	CHECK(ring_read_available(r) == 16);
	CHECK(ring_write_available(r) == 0);
	CHECK(ring_write(r, in, 1) == 0);
	CHECK(ring_write(r, in, 0) == 0); /* offering nothing is not an overrun */
	ring_get_stats(r, &st);
	CHECK(st.n_overruns == 2);
	memset(out, 0, sizeof(out));
	CHECK(ring_read(r, out, 20) == 16);
	CHECK(memcmp(in, out, 16 * sizeof(float)) == 0);
	ring_get_stats(r, &st);
	CHECK(st.n_underruns == 1);
	ring_destroy(r);
}

/* Starting at every offset of a ring, fill it exactly to capacity (the copy wraps exactly at the
 * storage boundary for offset 0 and splits everywhere else) and read it back. */
static void test_exact_wrap(void)
{
	enum { CAP = 16 };
	struct ring r;
	float storage[CAP], in[CAP], out[CAP];
	uint64_t k = 0;

	CHECK(ring_init(&r, storage, CAP) == 0);
	for (size_t off = 0; off <= 2 * CAP; off++) {
		size_t pre = off % CAP;

		/* move the positions to the offset */
		for (size_t i = 0; i < pre; i++)
			in[i] = seq_value(k++);
		CHECK(ring_write(&r, in, pre) == pre);
		CHECK(ring_read(&r, out, pre) == pre);
		CHECK(memcmp(in, out, pre * sizeof(float)) == 0);
		for (size_t i = 0; i < CAP; i++)
			in[i] = seq_value(k++);
		CHECK(ring_write(&r, in, CAP) == CAP);
		CHECK(ring_write_available(&r) == 0);
		memset(out, 0, sizeof(out));
		CHECK(ring_read(&r, out, CAP) == CAP);
		CHECK_MSG(memcmp(in, out, sizeof(in)) == 0, "offset %zu", off);
		CHECK(ring_read_available(&r) == 0);
	}
}

/*
 * Push a long sequence through a ring of capacity cap, in writes of wsize and reads that vary, and
 * check every count and every sample. Any write/read size combination must preserve order and
 * content; counts must equal min(asked, free space / available).
 */
static int pump(struct ring *r, size_t wsize, size_t total, unsigned *seed, float *src, float *dst)
{
	uint64_t wk = 0, rk = 0; /* samples written / verified so far */
	int bad = 0;

	while (rk < total) {
		size_t want_w = wsize < total - wk ? wsize : (size_t)(total - wk);
		size_t free_before = ring_write_available(r);
		size_t expect_w = want_w < free_before ? want_w : free_before;
		size_t got, want_r, avail, expect_r;

		for (size_t i = 0; i < want_w; i++)
			src[i] = seq_value(wk + i);
		got = ring_write(r, src, want_w);
		if (got != expect_w)
			bad++;
		wk += got;

		want_r = 1 + test_rand(seed) % (2 * wsize + 7);
		avail = ring_read_available(r);
		expect_r = want_r < avail ? want_r : avail;
		got = ring_read(r, dst, want_r);
		if (got != expect_r)
			bad++;
		for (size_t i = 0; i < got; i++)
			if (dst[i] != seq_value(rk + i))
				bad++;
		rk += got;
		if (bad)
			break;
	}
	return bad;
}

static void test_odd_block_sizes(void)
{
	enum { CAP = 1024, MAX_BLOCK = 4096 };
	static float src[MAX_BLOCK], dst[2 * MAX_BLOCK + 8];
	struct ring *r = NULL;
	unsigned seed = 12345;

	fprintf(stderr, "odd block sizes: seed %u\n", seed);
	CHECK(ring_create(CAP, &r) == 0);
	if (!r)
		return;
	for (size_t bs = 1; bs <= MAX_BLOCK; bs++) {
		/* a few blocks' worth, at least two trips around the ring */
		size_t total = bs * 3 + 2 * CAP + 1;
		int bad = pump(r, bs, total, &seed, src, dst);

		CHECK_MSG(bad == 0, "block size %zu: %d mismatches", bs, bad);
		CHECK(ring_read_available(r) == 0);
		if (bad)
			break;
	}
	ring_destroy(r);
}

static void test_partial_counts(void)
{
	struct ring r;
	float storage[8], in[10], out[10];
	struct ring_stats st;

	for (int i = 0; i < 10; i++)
		in[i] = seq_value((uint64_t)i + 100);
	CHECK(ring_init(&r, storage, 8) == 0);
	CHECK(ring_write(&r, in, 5) == 5);
	CHECK(ring_write(&r, in + 5, 5) == 3); /* partial: only 3 free */
	CHECK(ring_read_available(&r) == 8);
	CHECK(ring_peek(&r, out, 2) == 2);     /* peek does not consume */
	CHECK(out[0] == in[0] && out[1] == in[1]);
	CHECK(ring_read_available(&r) == 8);
	CHECK(ring_skip(&r, 3) == 3);
	CHECK(ring_read_available(&r) == 5);
	CHECK(ring_read(&r, out, 4) == 4);
	CHECK(out[0] == in[3] && out[3] == in[6]);
	CHECK(ring_skip(&r, 5) == 1);          /* partial skip */
	CHECK(ring_read(&r, out, 10) == 0);
	CHECK(ring_write(&r, in, 10) == 8);
	CHECK(ring_peek(&r, out, 10) == 8);
	CHECK(memcmp(out, in, 8 * sizeof(float)) == 0);
	ring_get_stats(&r, &st);
	CHECK(st.n_overruns == 2);
	CHECK(st.n_underruns == 1); /* the read of 10 from empty; peeks and skips do not count */
}

/* The 64-bit counters wrap past UINT64_MAX within the run: fill level, masking and contents must
 * not notice. */
static void test_u64_wrap(void)
{
	enum { CAP = 64 };
	struct ring r;
	struct idx_ring ir;
	float storage[CAP], src[CAP + 16], dst[CAP + 16];
	uint32_t istorage[8], iv;
	const uint64_t start = UINT64_MAX - 100;
	unsigned seed = 777;
	uint64_t wk = 0, rk = 0;
	int bad = 0;

	CHECK(ring_init_at(&r, storage, CAP, start) == 0);
	CHECK(ring_read_available(&r) == 0);
	CHECK(ring_write_available(&r) == CAP);
	while (rk < 20000) {
		size_t w = 1 + test_rand(&seed) % (CAP + 10);
		size_t fill = (size_t)(wk - rk), got;

		for (size_t i = 0; i < w; i++)
			src[i] = seq_value(wk + i);
		got = ring_write(&r, src, w);
		if (got != (w < CAP - fill ? w : CAP - fill))
			bad++;
		wk += got;
		if (ring_read_available(&r) != (size_t)(wk - rk))
			bad++;
		got = ring_read(&r, dst, 1 + test_rand(&seed) % (CAP + 10));
		for (size_t i = 0; i < got; i++)
			if (dst[i] != seq_value(rk + i))
				bad++;
		rk += got;
		if (ring_read_available(&r) != (size_t)(wk - rk))
			bad++;
	}
	CHECK_MSG(bad == 0, "%d mismatches across the 64-bit wrap", bad);
	/* the positions really did wrap */
	CHECK(atomic_load(&r.q.write_pos) < start);
	CHECK(atomic_load(&r.q.write_pos) == start + wk);

	/* the same for the index ring, element by element */
	CHECK(idx_ring_init_at(&ir, istorage, 8, UINT64_MAX - 3) == 0);
	bad = 0;
	for (uint32_t i = 0; i < 100; i++) {
		if (idx_ring_push(&ir, i) != 0 || idx_ring_push(&ir, i + 1000) != 0)
			bad++;
		if (idx_ring_read_available(&ir) != 2)
			bad++;
		if (idx_ring_pop(&ir, &iv) != 0 || iv != i)
			bad++;
		if (idx_ring_pop(&ir, &iv) != 0 || iv != i + 1000)
			bad++;
	}
	CHECK_MSG(bad == 0, "%d index ring mismatches across the wrap", bad);
	CHECK(atomic_load(&ir.q.read_pos) == UINT64_MAX - 3 + 200); /* wrapped to 196 */
}

static void test_idx_ring(void)
{
	struct idx_ring *ir = NULL;
	struct ring_stats st;
	uint32_t v = 0, in[5] = {9, 8, 7, 6, 5}, out[5] = {0};

	CHECK(idx_ring_create(4, &ir) == 0);
	if (!ir)
		return;
	CHECK(idx_ring_capacity(ir) == 4);
	CHECK(idx_ring_pop(ir, &v) == -EAGAIN);
	for (uint32_t i = 0; i < 4; i++)
		CHECK(idx_ring_push(ir, i * 3) == 0);
	CHECK(idx_ring_push(ir, 99) == -ENOSPC);
	CHECK(idx_ring_write_available(ir) == 0);
	for (uint32_t i = 0; i < 4; i++) {
		CHECK(idx_ring_pop(ir, &v) == 0);
		CHECK(v == i * 3);
	}
	CHECK(idx_ring_write(ir, in, 5) == 4);
	CHECK(idx_ring_read(ir, out, 5) == 4);
	CHECK(memcmp(in, out, 4 * sizeof(uint32_t)) == 0);
	idx_ring_get_stats(ir, &st);
	CHECK(st.n_overruns == 2);
	CHECK(st.n_underruns == 2);
	idx_ring_destroy(ir);
}

int main(void)
{
	RUN_TEST(test_capacity_must_be_pow2);
	RUN_TEST(test_layout);
	RUN_TEST(test_empty);
	RUN_TEST(test_full);
	RUN_TEST(test_exact_wrap);
	RUN_TEST(test_odd_block_sizes);
	RUN_TEST(test_partial_counts);
	RUN_TEST(test_u64_wrap);
	RUN_TEST(test_idx_ring);
	return test_finish();
}
