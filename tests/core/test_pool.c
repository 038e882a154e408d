/* SPDX-License-Identifier: MIT */
/* Buffer pool, single-threaded: sizes, alignment, FIFO order, ownership checks, statistics. */
#include <errno.h>
#include <stdint.h>

#include "core/pool.h"
#include "test_util.h"

static void test_create_args(void)
{
	struct pool *p = (struct pool *)1;

	CHECK(pool_create(0, 16, &p) == -EINVAL);
	CHECK(p == NULL);
	CHECK(pool_create(4, 0, &p) == -EINVAL);
	CHECK(pool_create(POOL_MAX_BLOCKS + 1, 16, &p) == -EINVAL);
	CHECK(pool_create(4, SIZE_MAX / 2, &p) == -EINVAL);
	CHECK(pool_create(4, 16, NULL) == -EINVAL);
	pool_destroy(NULL);
}

static void test_blocks(void)
{
	enum { N = 5, SAMPLES = 100 };
	struct pool *p = NULL;
	float *b[N];

	CHECK(pool_create(N, SAMPLES, &p) == 0);
	if (!p)
		return;
	CHECK(pool_n_blocks(p) == N);
	CHECK(pool_block_samples(p) == SAMPLES);
	CHECK(pool_block(p, -1) == NULL);
	CHECK(pool_block(p, N) == NULL);
	for (int i = 0; i < N; i++) {
		b[i] = pool_block(p, i);
		CHECK(b[i] != NULL);
		CHECK((uintptr_t)b[i] % 64 == 0);
		for (int j = 0; j < SAMPLES; j++)
			CHECK(b[i][j] == 0.0f); /* zeroed at creation */
		if (i > 0)
			CHECK(b[i] >= b[i - 1] + SAMPLES); /* blocks never overlap */
	}
	/* writing a whole block leaves its neighbours alone (ASan also checks the bounds) */
	for (int j = 0; j < SAMPLES; j++)
		b[2][j] = 1.0f;
	CHECK(b[1][SAMPLES - 1] == 0.0f && b[3][0] == 0.0f);
	pool_destroy(p);
}

static void test_handoff_order(void)
{
	enum { N = 4, SAMPLES = 8 };
	struct pool *p = NULL;
	struct pool_stats st;
	int32_t got[N], idx;
	size_t len = 0;
	int seen[N] = {0};

	CHECK(pool_create(N, SAMPLES, &p) == 0);
	if (!p)
		return;
	for (int i = 0; i < N; i++) {
		got[i] = pool_acquire(p);
		CHECK(got[i] >= 0 && got[i] < N);
		if (got[i] >= 0 && got[i] < N)
			seen[got[i]]++;
	}
	for (int i = 0; i < N; i++)
		CHECK(seen[i] == 1); /* every block exactly once */
	CHECK(pool_acquire(p) == -1);

	for (int i = 0; i < N; i++) {
		float *b = pool_block(p, got[i]);

		for (int j = 0; j < SAMPLES; j++)
			b[j] = (float)(i * 100 + j);
	}
	/* submit in a different order than acquired; take must return submission order */
	CHECK(pool_submit(p, got[2], 3) == 0);
	CHECK(pool_submit(p, got[0], SAMPLES) == 0);
	CHECK(pool_submit(p, got[0], 1) == -EINVAL);          /* already submitted */
	CHECK(pool_submit(p, got[1], SAMPLES + 1) == -EINVAL); /* too long */

	idx = pool_take(p, &len);
	CHECK(idx == got[2] && len == 3);
	CHECK(pool_block(p, idx)[2] == 202.0f);
	idx = pool_take(p, &len);
	CHECK(idx == got[0] && len == SAMPLES);
	CHECK(pool_take(p, NULL) == -1);

	CHECK(pool_release(p, got[1]) == -EINVAL); /* still with the filler */
	CHECK(pool_release(p, got[2]) == 0);
	CHECK(pool_release(p, got[2]) == -EINVAL); /* double release */
	CHECK(pool_release(p, -1) == -EINVAL);
	CHECK(pool_release(p, N) == -EINVAL);

	/* the released block is the only free one */
	CHECK(pool_acquire(p) == got[2]);
	CHECK(pool_acquire(p) == -1);

	pool_get_stats(p, &st);
	CHECK(st.n_acquire_failed == 2);
	CHECK(st.n_take_failed == 1);
	CHECK(st.n_submitted == 2);
	CHECK(st.n_released == 1);
	pool_destroy(p);
}

/* Many rounds through a pool whose size is not a power of two (the rings round up). */
static void test_cycles(void)
{
	enum { N = 3, SAMPLES = 17 };
	struct pool *p = NULL;
	int bad = 0;

	CHECK(pool_create(N, SAMPLES, &p) == 0);
	if (!p)
		return;
	for (int round = 0; round < 1000; round++) {
		int32_t a = pool_acquire(p), t;
		size_t len = 0;

		if (a < 0) {
			bad++;
			break;
		}
		pool_block(p, a)[0] = (float)round;
		if (pool_submit(p, a, (size_t)(round % SAMPLES)) != 0)
			bad++;
		t = pool_take(p, &len);
		if (t != a || len != (size_t)(round % SAMPLES) || pool_block(p, t)[0] != (float)round)
			bad++;
		if (pool_release(p, t) != 0)
			bad++;
	}
	CHECK_MSG(bad == 0, "%d bad rounds", bad);
	pool_destroy(p);
}

int main(void)
{
	RUN_TEST(test_create_args);
	RUN_TEST(test_blocks);
	RUN_TEST(test_handoff_order);
	RUN_TEST(test_cycles);
	return test_finish();
}
