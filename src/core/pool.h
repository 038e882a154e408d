/* SPDX-License-Identifier: MIT */
/*
 * Buffer pool: n_blocks pre-allocated float blocks of block_samples each (64-byte aligned), handed
 * between two threads without locks or allocation.
 *
 * Two index rings carry block indices: the free list (drainer -> filler) and the filled queue
 * (filler -> drainer). A block belongs to exactly one party at a time; the ring hand-off (release
 * on push, acquire on pop) is what makes the block contents written by one thread visible to the
 * other, so the blocks themselves need no atomics.
 *
 *   filler thread (A):   idx = pool_acquire(p);  fill pool_block(p, idx);  pool_submit(p, idx, n);
 *   drainer thread (B):  idx = pool_take(p, &n); use pool_block(p, idx);   pool_release(p, idx);
 *
 * Threading: exactly one thread calls pool_acquire/pool_submit and exactly one thread calls
 * pool_take/pool_release (either may be the real-time one; they may also be the same thread).
 * pool_block, the size getters and pool_get_stats may be called from any thread. These four calls
 * never allocate, lock or block. pool_create/pool_destroy are not real-time safe.
 *
 * Misuse is rejected, not undefined: submitting a block the filler does not hold, or releasing one
 * the drainer does not hold (double release, wrong index) returns -EINVAL and changes nothing.
 */
#ifndef VOCANA_CORE_POOL_H
#define VOCANA_CORE_POOL_H

#include <stddef.h>
#include <stdint.h>

#define POOL_MAX_BLOCKS (1u << 24)

struct pool;

struct pool_stats {
	uint64_t n_acquire_failed; /* pool_acquire found no free block */
	uint64_t n_take_failed;    /* pool_take found no filled block */
	uint64_t n_submitted;      /* blocks handed from filler to drainer */
	uint64_t n_released;       /* blocks handed back to the free list */
};

/* n_blocks in 1 .. POOL_MAX_BLOCKS, block_samples >= 1; -EINVAL otherwise, -ENOMEM. All blocks start
 * free and zeroed (the memory is touched here, so the real-time thread takes no page faults). */
int pool_create(uint32_t n_blocks, size_t block_samples, struct pool **out);

/* NULL is a no-op. No thread may use the pool afterwards. */
void pool_destroy(struct pool *p);

uint32_t pool_n_blocks(const struct pool *p);
size_t pool_block_samples(const struct pool *p);

/* Samples of block idx (block_samples floats, 64-byte aligned), or NULL if idx is out of range.
 * Only the thread that currently holds the block may touch its contents. */
float *pool_block(struct pool *p, int32_t idx);

/* Filler: take a free block. Returns its index, or -1 if every block is in use. */
int32_t pool_acquire(struct pool *p);

/* Filler: hand block idx, holding n_samples valid samples (<= block_samples), to the drainer.
 * 0, or -EINVAL (not held by the filler, or n_samples too large). */
int pool_submit(struct pool *p, int32_t idx, size_t n_samples);

/* Drainer: take the oldest filled block; its valid length goes to *n_samples (may be NULL).
 * Returns the index, or -1 if no block is waiting. */
int32_t pool_take(struct pool *p, size_t *n_samples);

/* Drainer: give block idx back to the free list. 0, or -EINVAL (not held by the drainer). */
int pool_release(struct pool *p, int32_t idx);

void pool_get_stats(const struct pool *p, struct pool_stats *out);

#endif /* VOCANA_CORE_POOL_H */
