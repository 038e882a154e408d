/* SPDX-License-Identifier: MIT */
/* The SPSC ring on one thread: sizes, fill levels, copies split at every offset of the buffer,
 * indices wrapping past UINT32_MAX, records used in place. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/ring.h"
#include "test_util.h"

/* Element k of the test stream: distinct integers, exact in float (< 2^24). */
static float seq_value(uint64_t k)
{
	return (float)(uint32_t)(k % 16777213u);
}

/* Producer side of a float stream: as much of src[0..n) as fits; returns how much. */
static uint32_t put(struct ring *r, float *buf, const float *src, uint32_t n)
{
	uint32_t w;
	const int32_t fill = ring_get_write_index(r, &w);
	const uint32_t room = r->size - (uint32_t)fill;
	if (n > room)
		n = room;
	ring_write_data(r, buf, sizeof(float), w, src, n);
	ring_write_update(r, w + n);
	return n;
}

/* Consumer side: up to n samples; returns how many. */
static uint32_t get(struct ring *r, const float *buf, float *dst, uint32_t n)
{
	uint32_t i;
	const int32_t avail = ring_get_read_index(r, &i);
	if (n > (uint32_t)avail)
		n = (uint32_t)avail;
	ring_read_data(r, buf, sizeof(float), i, dst, n);
	ring_read_update(r, i + n);
	return n;
}

static void test_sizes(void)
{
	static const uint32_t bad[] = {0, 3, 5, 6, 7, 12, 100, 1000, 4095, 4097, RING_MAX_SIZE + 1,
				       UINT32_MAX};
	struct ring r;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(ring_init(&r, bad[i]) == -EINVAL, "size %u", bad[i]);
	for (uint32_t size = 1; size <= RING_MAX_SIZE; size *= 2) {
		CHECK_MSG(ring_init(&r, size) == 0, "size %u", size);
		CHECK(r.size == size);
		uint32_t idx = 7;
		CHECK(ring_get_write_index(&r, &idx) == 0 && idx == 0);
		CHECK(ring_get_read_index(&r, &idx) == 0 && idx == 0);
	}
}

static void test_layout(void)
{
	/* the two sides' indices are never on one cache line, however the ring is aligned */
	CHECK(offsetof(struct ring, read) - offsetof(struct ring, write) >= RING_CACHE_LINE);
}

/* Fill levels as the producer and the consumer see them, and their sign after a misuse. */
static void test_fill_levels(void)
{
	struct ring r;
	float buf[8], in[8], out[8];
	uint32_t w, i;
	for (int k = 0; k < 8; k++)
		in[k] = seq_value((uint64_t)k);
	CHECK(ring_init(&r, 8) == 0);
	CHECK(get(&r, buf, out, 1) == 0);
	CHECK(put(&r, buf, in, 5) == 5);
	CHECK(ring_get_write_index(&r, &w) == 5 && w == 5);
	CHECK(ring_get_read_index(&r, &i) == 5 && i == 0);
	CHECK(put(&r, buf, in + 5, 5) == 3); /* only 3 free */
	CHECK(ring_get_write_index(&r, &w) == 8);
	CHECK(get(&r, buf, out, 8) == 8);
	CHECK(memcmp(in, out, sizeof(in)) == 0);
	CHECK(ring_get_read_index(&r, &i) == 0 && i == 8);
	/* A consumer that gives back more than it was given shows as a negative fill. */
	ring_read_update(&r, 10);
	CHECK(ring_get_write_index(&r, &w) == -2);
	/* reset empties the ring at any index */
	ring_reset(&r, 1000);
	CHECK(ring_get_write_index(&r, &w) == 0 && w == 1000);
	CHECK(ring_get_read_index(&r, &i) == 0 && i == 1000);
}

/* Starting at every offset of the buffer, fill it exactly to capacity (the copy wraps exactly at
 * the end for offset 0 and splits everywhere else) and read it back. */
static void test_exact_wrap(void)
{
	enum { SIZE = 16 };
	struct ring r;
	float buf[SIZE], in[SIZE], out[SIZE];
	uint64_t k = 0;
	CHECK(ring_init(&r, SIZE) == 0);
	for (uint32_t off = 0; off <= 2 * SIZE; off++) {
		const uint32_t pre = off % SIZE;
		for (uint32_t i = 0; i < pre; i++)
			in[i] = seq_value(k++);
		CHECK(put(&r, buf, in, pre) == pre);
		CHECK(get(&r, buf, out, pre) == pre);
		CHECK(memcmp(in, out, pre * sizeof(float)) == 0);
		for (uint32_t i = 0; i < SIZE; i++)
			in[i] = seq_value(k++);
		CHECK(put(&r, buf, in, SIZE) == SIZE);
		uint32_t w;
		CHECK(ring_get_write_index(&r, &w) == SIZE);
		memset(out, 0, sizeof(out));
		CHECK(get(&r, buf, out, SIZE) == SIZE);
		CHECK_MSG(memcmp(in, out, sizeof(in)) == 0, "offset %u", off);
	}
}

/* A long stream in writes of every size 1..4096 and reads of random sizes through a 1024 ring,
 * with the indices starting just below UINT32_MAX so that they wrap during every block size:
 * counts must be min(asked, room / available), order and contents exact. */
static void test_stream_across_wrap(void)
{
	enum { SIZE = 1024, MAX_BLOCK = 4096 };
	static float buf[SIZE], src[MAX_BLOCK], dst[2 * MAX_BLOCK + 8];
	struct ring r;
	unsigned seed = 12345;
	fprintf(stderr, "stream across the wrap: seed %u\n", seed);
	CHECK(ring_init(&r, SIZE) == 0);
	for (uint32_t bs = 1; bs <= MAX_BLOCK; bs++) {
		ring_reset(&r, UINT32_MAX - (uint32_t)test_rand(&seed) % (3 * SIZE));
		const uint64_t total = (uint64_t)bs * 3 + 2 * SIZE + 1;
		uint64_t wk = 0, rk = 0;
		int bad = 0;
		while (rk < total && !bad) {
			uint32_t want = wk + bs <= total ? bs : (uint32_t)(total - wk), w;
			const uint32_t room = SIZE - (uint32_t)ring_get_write_index(&r, &w);
			for (uint32_t i = 0; i < want; i++)
				src[i] = seq_value(wk + i);
			const uint32_t got_w = put(&r, buf, src, want);
			bad += got_w != (want < room ? want : room);
			wk += got_w;
			const uint32_t want_r = 1 + test_rand(&seed) % (2 * bs + 7);
			const uint32_t avail = (uint32_t)ring_get_read_index(&r, &w);
			const uint32_t got_r = get(&r, buf, dst, want_r);
			bad += got_r != (want_r < avail ? want_r : avail);
			for (uint32_t i = 0; i < got_r; i++)
				bad += dst[i] != seq_value(rk + i);
			rk += got_r;
			bad += (uint32_t)ring_get_read_index(&r, &w) != wk - rk;
		}
		CHECK_MSG(bad == 0, "block size %u: %d mismatches", bs, bad);
		if (bad)
			break;
	}
}

/* A ring of records used in place, as the engine's worker queues use it: the producer fills
 * every free record, the consumer takes 1..4 of them, around the index wrap. */
static void test_records(void)
{
	struct rec {
		uint32_t seq;
		float x[3];
	} recs[4];
	struct ring r;
	uint32_t w, i, next = 0, expect = 0;
	int bad = 0;
	CHECK(ring_init(&r, 4) == 0);
	ring_reset(&r, UINT32_MAX - 5);
	for (uint32_t k = 0; k < 100; k++) {
		while (ring_get_write_index(&r, &w) < 4) {
			struct rec *p = &recs[w & 3];
			p->seq = next;
			p->x[0] = p->x[1] = p->x[2] = (float)next++;
			ring_write_update(&r, w + 1);
		}
		for (uint32_t t = 0; t <= k % 4; t++) {
			bad += ring_get_read_index(&r, &i) < 1;
			const struct rec *p = &recs[i & 3];
			bad += p->seq != expect++ || p->x[2] != (float)p->seq;
			ring_read_update(&r, i + 1);
		}
	}
	CHECK_MSG(bad == 0, "%d record mismatches", bad);
	CHECK(expect == 250 && next == expect); /* the last turn took all 4 */
	CHECK(ring_get_read_index(&r, &i) == 0);
}

int main(void)
{
	RUN_TEST(test_sizes);
	RUN_TEST(test_layout);
	RUN_TEST(test_fill_levels);
	RUN_TEST(test_exact_wrap);
	RUN_TEST(test_stream_across_wrap);
	RUN_TEST(test_records);
	return test_finish();
}
