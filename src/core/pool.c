/* SPDX-License-Identifier: MIT */
/* Buffer pool over two SPSC index rings (see pool.h for the contract). */
#include "core/pool.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "core/ring.h"

#define POOL_ALIGN_BYTES 64
#define POOL_ALIGN_FLOATS (POOL_ALIGN_BYTES / sizeof(float))

/*
 * Who holds a block. Each state is entered and left by one thread only (FREE->HELD_FILLER and
 * HELD_FILLER->QUEUED by the filler; QUEUED->HELD_DRAINER and HELD_DRAINER->FREE by the drainer),
 * so the thread that sees "its" state really owns the block and can change it without a CAS. The
 * field is a relaxed atomic only so that a misbehaving caller checking a block it does not own
 * gets -EINVAL instead of a data race; ordering comes from the index rings.
 */
enum block_state {
	BLOCK_FREE = 0,
	BLOCK_HELD_FILLER,
	BLOCK_QUEUED,
	BLOCK_HELD_DRAINER,
};

struct pool {
	uint32_t n_blocks;
	size_t block_samples;
	size_t stride_samples; /* block_samples rounded up to a cache line, so blocks never share one */
	float *blocks;
	_Atomic uint32_t *state;   /* enum block_state per block */
	size_t *fill_samples;      /* valid samples per block, published by the filled ring */
	struct idx_ring *free_q;   /* producer: drainer, consumer: filler */
	struct idx_ring *filled_q; /* producer: filler, consumer: drainer */
	/* single-writer statistics: the filler owns n_submitted, the drainer n_released */
	_Atomic uint64_t n_submitted;
	_Atomic uint64_t n_released;
};

static size_t next_pow2(size_t n)
{
	size_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

static void counter_bump(_Atomic uint64_t *c)
{
	/* one writer per counter: a plain load + store, no locked read-modify-write */
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

void pool_destroy(struct pool *p)
{
	if (!p)
		return;
	idx_ring_destroy(p->filled_q);
	idx_ring_destroy(p->free_q);
	free(p->fill_samples);
	free((void *)p->state);
	free(p->blocks);
	free(p);
}

int pool_create(uint32_t n_blocks, size_t block_samples, struct pool **out)
{
	struct pool *p;
	size_t stride, bytes;
	int res;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (n_blocks == 0 || n_blocks > POOL_MAX_BLOCKS || block_samples == 0)
		return -EINVAL;
	stride = (block_samples + POOL_ALIGN_FLOATS - 1) / POOL_ALIGN_FLOATS * POOL_ALIGN_FLOATS;
	if (stride < block_samples || stride > SIZE_MAX / sizeof(float) / n_blocks)
		return -EINVAL;
	bytes = stride * sizeof(float) * n_blocks;

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->n_blocks = n_blocks;
	p->block_samples = block_samples;
	p->stride_samples = stride;
	res = -ENOMEM;
	p->blocks = aligned_alloc(POOL_ALIGN_BYTES, bytes); /* bytes is a multiple of 64 */
	p->state = calloc(n_blocks, sizeof(*p->state));
	p->fill_samples = calloc(n_blocks, sizeof(*p->fill_samples));
	if (!p->blocks || !p->state || !p->fill_samples)
		goto error;
	memset(p->blocks, 0, bytes);
	/* Every index fits in either ring at once, so a correct push can never find a ring full. */
	if ((res = idx_ring_create(next_pow2(n_blocks), &p->free_q)) < 0)
		goto error;
	if ((res = idx_ring_create(next_pow2(n_blocks), &p->filled_q)) < 0)
		goto error;
	for (uint32_t i = 0; i < n_blocks; i++) {
		atomic_init(&p->state[i], BLOCK_FREE);
		if ((res = idx_ring_push(p->free_q, i)) < 0)
			goto error;
	}
	*out = p;
	return 0;
error:
	pool_destroy(p);
	return res;
}

uint32_t pool_n_blocks(const struct pool *p)
{
	return p->n_blocks;
}

size_t pool_block_samples(const struct pool *p)
{
	return p->block_samples;
}

float *pool_block(struct pool *p, int32_t idx)
{
	if (idx < 0 || (uint32_t)idx >= p->n_blocks)
		return NULL;
	return p->blocks + (size_t)idx * p->stride_samples;
}

static int state_is(struct pool *p, int32_t idx, enum block_state s)
{
	return idx >= 0 && (uint32_t)idx < p->n_blocks &&
	       atomic_load_explicit(&p->state[idx], memory_order_relaxed) == (uint32_t)s;
}

static void state_set(struct pool *p, uint32_t idx, enum block_state s)
{
	atomic_store_explicit(&p->state[idx], (uint32_t)s, memory_order_relaxed);
}

int32_t pool_acquire(struct pool *p)
{
	uint32_t idx;

	if (idx_ring_pop(p->free_q, &idx) < 0)
		return -1; /* counted as an underrun of the free list */
	state_set(p, idx, BLOCK_HELD_FILLER);
	return (int32_t)idx;
}

int pool_submit(struct pool *p, int32_t idx, size_t n_samples)
{
	if (!state_is(p, idx, BLOCK_HELD_FILLER) || n_samples > p->block_samples)
		return -EINVAL;
	p->fill_samples[idx] = n_samples;
	/* The state and length stores come before the push, whose release store publishes them and
	 * the block contents to the drainer. */
	state_set(p, (uint32_t)idx, BLOCK_QUEUED);
	if (idx_ring_push(p->filled_q, (uint32_t)idx) < 0) {
		/* impossible while every index is in exactly one place; keep the block with the filler */
		state_set(p, (uint32_t)idx, BLOCK_HELD_FILLER);
		return -EINVAL;
	}
	counter_bump(&p->n_submitted);
	return 0;
}

int32_t pool_take(struct pool *p, size_t *n_samples)
{
	uint32_t idx;

	if (idx_ring_pop(p->filled_q, &idx) < 0)
		return -1;
	state_set(p, idx, BLOCK_HELD_DRAINER);
	if (n_samples)
		*n_samples = p->fill_samples[idx];
	return (int32_t)idx;
}

int pool_release(struct pool *p, int32_t idx)
{
	if (!state_is(p, idx, BLOCK_HELD_DRAINER))
		return -EINVAL;
	state_set(p, (uint32_t)idx, BLOCK_FREE);
	if (idx_ring_push(p->free_q, (uint32_t)idx) < 0) {
		state_set(p, (uint32_t)idx, BLOCK_HELD_DRAINER);
		return -EINVAL;
	}
	counter_bump(&p->n_released);
	return 0;
}

void pool_get_stats(const struct pool *p, struct pool_stats *out)
{
	struct ring_stats rs;

	idx_ring_get_stats(p->free_q, &rs);
	out->n_acquire_failed = rs.n_underruns;
	idx_ring_get_stats(p->filled_q, &rs);
	out->n_take_failed = rs.n_underruns;
	out->n_submitted = atomic_load_explicit(&p->n_submitted, memory_order_relaxed);
	out->n_released = atomic_load_explicit(&p->n_released, memory_order_relaxed);
}
