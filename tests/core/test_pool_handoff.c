/* SPDX-License-Identifier: MIT */
/*
 * Two threads pass pool blocks back and forth: the filler stamps each block with its hand-off
 * number and a length, the drainer checks them, so a block seen by both threads at once, a lost
 * or duplicated block, or contents not yet visible on the other side all fail (ThreadSanitizer
 * would also report the race on the block memory).
 *
 * usage: test_pool_handoff [n_handoffs]   (default 200000)
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>

#include "core/pool.h"
#include "test_util.h"

#define N_BLOCKS 6
#define BLOCK_SAMPLES 96
#define DEFAULT_HANDOFFS 200000u

struct shared {
	struct pool *pool;
	unsigned total;
	unsigned n_submit_errors;
};

static float stamp(unsigned k, size_t j)
{
	return (float)((k * 131u + (unsigned)j) & 0xFFFFFFu);
}

static size_t length_of(unsigned k)
{
	return 1 + (k * 7u) % BLOCK_SAMPLES;
}

static void *filler(void *arg)
{
	struct shared *sh = arg;

	for (unsigned k = 0; k < sh->total; k++) {
		int32_t idx;
		float *b;

		while ((idx = pool_acquire(sh->pool)) < 0)
			sched_yield(); /* all blocks with the drainer */
		b = pool_block(sh->pool, idx);
		for (size_t j = 0; j < length_of(k); j++)
			b[j] = stamp(k, j);
		if (pool_submit(sh->pool, idx, length_of(k)) != 0)
			sh->n_submit_errors++;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct shared sh = {0};
	struct pool_stats st;
	unsigned bad = 0, release_errors = 0;
	int held[N_BLOCKS] = {0};
	pthread_t th;

	sh.total = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_HANDOFFS;
	fprintf(stderr, "pool hand-off: %u blocks of %d, %u hand-offs\n", N_BLOCKS, BLOCK_SAMPLES,
		sh.total);
	CHECK(pool_create(N_BLOCKS, BLOCK_SAMPLES, &sh.pool) == 0);
	if (!sh.pool)
		return test_finish();
	CHECK(pthread_create(&th, NULL, filler, &sh) == 0);

	for (unsigned k = 0; k < sh.total; k++) {
		size_t len = 0;
		int32_t idx;
		const float *b;

		while ((idx = pool_take(sh.pool, &len)) < 0)
			sched_yield();
		if (idx >= N_BLOCKS) {
			bad++;
			break;
		}
		if (held[idx]++) /* never handed out twice at once */
			bad++;
		b = pool_block(sh.pool, idx);
		if (len != length_of(k))
			bad++;
		for (size_t j = 0; b && j < len; j++)
			if (b[j] != stamp(k, j))
				bad++;
		held[idx]--;
		if (pool_release(sh.pool, idx) != 0)
			release_errors++;
	}
	CHECK(pthread_join(th, NULL) == 0);
	CHECK_MSG(bad == 0, "%u bad blocks or samples", bad);
	CHECK(sh.n_submit_errors == 0);
	CHECK(release_errors == 0);
	pool_get_stats(sh.pool, &st);
	CHECK(st.n_submitted == sh.total);
	CHECK(st.n_released == sh.total);
	/* all blocks are back: exactly N_BLOCKS can be acquired */
	for (int i = 0; i < N_BLOCKS; i++)
		CHECK(pool_acquire(sh.pool) >= 0);
	CHECK(pool_acquire(sh.pool) == -1);
	fprintf(stderr, "acquire waits %llu, take waits %llu\n",
		(unsigned long long)st.n_acquire_failed, (unsigned long long)st.n_take_failed);
	pool_destroy(sh.pool);
	return test_finish();
}
