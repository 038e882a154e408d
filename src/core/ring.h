/* SPDX-License-Identifier: MIT */
/*
 * Lock-free single-producer single-consumer rings.
 *
 *  - struct ring:     float audio samples.
 *  - struct idx_ring: uint32_t values (block indices; used by the buffer pool).
 *
 * Both share one element-size-generic core (struct spsc). Design:
 *  - capacity is a power of two; a slot is addressed by (position & mask);
 *  - read and write positions are free-running uint64_t counters: the fill level is always
 *    (write - read) in unsigned arithmetic, which stays correct when a counter wraps past
 *    UINT64_MAX (a power-of-two capacity divides 2^64, so masking stays consistent too);
 *  - the producer's and the consumer's fields live on separate 64-byte cache lines, so the two
 *    threads do not invalidate each other's line on every update (false sharing);
 *  - write and read move as much as fits and return how many elements they moved: they never block,
 *    never allocate and never take a lock, so both ends may be real-time threads.
 *
 * Threading: exactly one producer thread may call *_write / idx_ring_push, exactly one consumer
 * thread may call *_read / *_peek / *_skip / idx_ring_pop (they may be the same thread). The
 * queries *_read_available / *_write_available and the stats are safe from any thread; from a
 * third thread they are a snapshot that may be stale by the time it returns.
 *
 * Memory: *_create allocates (not real-time safe); *_init uses memory the caller owns. The struct
 * itself is over-aligned to 64 bytes: embed it in objects allocated with aligned_alloc(64, ...) or
 * declared normally (the compiler aligns automatic and static objects).
 */
#ifndef VOCANA_CORE_RING_H
#define VOCANA_CORE_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define RING_CACHE_LINE 64

/* Largest accepted capacity in elements (2^28, 1 GiB of floats): far beyond any audio use (an hour
 * at 48 kHz is 2^27.4), and byte sizes of 4-byte elements stay inside a 32-bit size_t. */
#define RING_MAX_CAPACITY ((size_t)1 << 28)

/* Generic core; use the typed wrappers below. Fields are private to ring.c. */
struct spsc {
	/* Producer's line: only the producer stores here. */
	alignas(RING_CACHE_LINE) _Atomic uint64_t write_pos;
	uint64_t read_pos_cache;       /* producer's last acquired view of read_pos */
	_Atomic uint64_t n_overruns;   /* writes that could not move everything they were given */
	/* Consumer's line: only the consumer stores here. */
	alignas(RING_CACHE_LINE) _Atomic uint64_t read_pos;
	uint64_t write_pos_cache;      /* consumer's last acquired view of write_pos */
	_Atomic uint64_t n_underruns;  /* reads that got less than they asked for */
	/* Read-only after init: shared by both lines without contention. */
	alignas(RING_CACHE_LINE) unsigned char *data;
	uint64_t mask;
	size_t capacity;
	size_t elem_size;
	void *owned; /* storage allocated by *_create, freed by *_destroy; NULL after *_init */
};

struct ring_stats {
	uint64_t n_overruns;  /* write calls that were cut short (ring full) */
	uint64_t n_underruns; /* read calls that were cut short (ring empty) */
};

/* ---- Float audio ring -------------------------------------------------------------------- */

struct ring {
	struct spsc q;
};

/* Allocate a ring of capacity_samples (a power of two, 1 .. RING_MAX_CAPACITY; else -EINVAL).
 * Storage is 64-byte aligned. -ENOMEM on allocation failure. Not real-time safe. */
int ring_create(size_t capacity_samples, struct ring **out);

/* Free a ring from ring_create(); NULL is a no-op. Neither thread may use it any more. */
void ring_destroy(struct ring *r);

/* Initialise a caller-owned ring over caller-owned storage of capacity_samples floats (a power of
 * two, else -EINVAL). storage must outlive the ring; nothing is allocated. Not thread-safe. */
int ring_init(struct ring *r, float *storage, size_t capacity_samples);

/* As ring_init(), but both counters start at start_pos instead of 0. For tests: a start_pos just
 * below UINT64_MAX makes the counters wrap within a few writes. */
int ring_init_at(struct ring *r, float *storage, size_t capacity_samples, uint64_t start_pos);

/* Producer: copy up to n samples in; returns how many were written (less than n when full). */
size_t ring_write(struct ring *r, const float *src, size_t n);

/* Consumer: copy up to n samples out; returns how many were read (less than n when empty). */
size_t ring_read(struct ring *r, float *dst, size_t n);

/* Consumer: copy up to n samples out without consuming them; returns how many were copied. */
size_t ring_peek(struct ring *r, float *dst, size_t n);

/* Consumer: discard up to n samples; returns how many were discarded. */
size_t ring_skip(struct ring *r, size_t n);

/* Samples ready to read. From the consumer: at least this many can be read now (the producer may
 * add more meanwhile). From another thread: a snapshot, clamped to 0 .. capacity. */
size_t ring_read_available(const struct ring *r);

/* Free space in samples. From the producer: at least this many can be written now. From another
 * thread: a snapshot, clamped to 0 .. capacity. */
size_t ring_write_available(const struct ring *r);

size_t ring_capacity(const struct ring *r);

void ring_get_stats(const struct ring *r, struct ring_stats *out);

/* ---- Index ring (uint32_t) --------------------------------------------------------------- */

struct idx_ring {
	struct spsc q;
};

/* Same contracts as the float ring, with uint32_t elements. */
int idx_ring_create(size_t capacity, struct idx_ring **out);
void idx_ring_destroy(struct idx_ring *r);
int idx_ring_init(struct idx_ring *r, uint32_t *storage, size_t capacity);
int idx_ring_init_at(struct idx_ring *r, uint32_t *storage, size_t capacity, uint64_t start_pos);
size_t idx_ring_write(struct idx_ring *r, const uint32_t *src, size_t n);
size_t idx_ring_read(struct idx_ring *r, uint32_t *dst, size_t n);

/* Producer: append one value. 0, or -ENOSPC when full (counted as an overrun). */
int idx_ring_push(struct idx_ring *r, uint32_t value);

/* Consumer: remove the oldest value into *value. 0, or -EAGAIN when empty (counted as an underrun). */
int idx_ring_pop(struct idx_ring *r, uint32_t *value);

size_t idx_ring_read_available(const struct idx_ring *r);
size_t idx_ring_write_available(const struct idx_ring *r);
size_t idx_ring_capacity(const struct idx_ring *r);
void idx_ring_get_stats(const struct idx_ring *r, struct ring_stats *out);

#endif /* VOCANA_CORE_RING_H */
