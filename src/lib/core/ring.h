/* SPDX-License-Identifier: MIT */
/*
 * The project's one single-producer single-consumer ring: two indices over memory the caller owns,
 * in the shape of PipeWire's spa/utils/ringbuffer.h (written from its documented behaviour).
 *
 * The ring is only the indices: `write` (the producer's) and `read` (the consumer's), free-running
 * uint32_t counts of elements of the caller's buffer, which holds `size` elements, a power of two.
 * Element index i lives at buf[i & (size - 1)]. The fill level is (int32_t)(write - read): it stays
 * right when an index wraps past UINT32_MAX (2^32 is a multiple of size), and the sign shows a
 * caller that read more than was written. What an element is (a float sample, a frame record) is
 * the caller's business:
 *
 *   producer:  uint32_t w;  int32_t fill = ring_get_write_index(r, &w);
 *              if (fill + n <= size) { ...write elements w .. w+n-1...; ring_write_update(r, w + n); }
 *   consumer:  uint32_t i;  int32_t avail = ring_get_read_index(r, &i);
 *              if (avail >= n)        { ...read elements i .. i+n-1...;  ring_read_update(r, i + n); }
 *
 * ring_write_data()/ring_read_data() copy runs of elements in and out, split where the buffer
 * wraps. A ring of records is used in place instead: fill buf[ring_slot(r, w)], then publish
 * w + 1.
 *
 * Memory order: each side loads its own index relaxed (only it stores it) and the other side's
 * with acquire, and publishes its own with release after touching the elements. The producer's
 * release of `write` pairs with the consumer's acquire, so what was written is visible before the
 * consumer can see the new index; the consumer's release of `read` pairs with the producer's
 * acquire, so the consumer has finished with elements before the producer may overwrite them.
 *
 * Threading: one producer thread and one consumer thread (they may be the same thread). Nothing
 * here allocates, locks or waits, so both ends may be real-time threads. ring_init() and
 * ring_reset() are not thread-safe: call them before the ring is shared.
 */
#ifndef VOCANA_CORE_RING_H
#define VOCANA_CORE_RING_H

#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define RING_CACHE_LINE 64

/* Largest size: the fill level must fit in an int32_t with room to show an overrun. */
#define RING_MAX_SIZE (UINT32_C(1) << 30)

struct ring {
	uint32_t size;                 /* elements, a power of two; read-only after ring_init() */
	_Atomic uint32_t write;        /* producer's index */
	/* Keeps `read` off the producer's cache line whatever the ring's own alignment (rings live in
	 * calloc()ed objects, which promise no 64-byte alignment), so the two threads do not
	 * invalidate each other's line on every update. */
	char pad[RING_CACHE_LINE];
	_Atomic uint32_t read;         /* consumer's index */
};

/* An empty ring over a buffer of size elements (a power of two up to RING_MAX_SIZE); -EINVAL. */
static inline int ring_init(struct ring *r, uint32_t size)
{
	if (size == 0 || size > RING_MAX_SIZE || (size & (size - 1)) != 0)
		return -EINVAL;
	r->size = size;
	atomic_init(&r->write, 0);
	atomic_init(&r->read, 0);
	return 0;
}

/* Empty the ring with both indices at index (a stream that starts over at a new position). */
static inline void ring_reset(struct ring *r, uint32_t index)
{
	atomic_store_explicit(&r->write, index, memory_order_relaxed);
	atomic_store_explicit(&r->read, index, memory_order_relaxed);
}

/* Producer: *index = where the next element goes; returns the fill level. */
static inline int32_t ring_get_write_index(const struct ring *r, uint32_t *index)
{
	const uint32_t w = atomic_load_explicit(&r->write, memory_order_relaxed);
	*index = w;
	return (int32_t)(w - atomic_load_explicit(&r->read, memory_order_acquire));
}

/* Consumer: *index = the oldest element; returns how many are ready. */
static inline int32_t ring_get_read_index(const struct ring *r, uint32_t *index)
{
	const uint32_t i = atomic_load_explicit(&r->read, memory_order_relaxed);
	*index = i;
	return (int32_t)(atomic_load_explicit(&r->write, memory_order_acquire) - i);
}

/* Producer: publish every element before index. */
static inline void ring_write_update(struct ring *r, uint32_t index)
{
	atomic_store_explicit(&r->write, index, memory_order_release);
}

/* Consumer: give back every element before index. */
static inline void ring_read_update(struct ring *r, uint32_t index)
{
	atomic_store_explicit(&r->read, index, memory_order_release);
}

/* Where element index `index` lives in the buffer (for rings of records, used in place). */
static inline uint32_t ring_slot(const struct ring *r, uint32_t index)
{
	return index & (r->size - 1);
}

/* Copy n elements of esz bytes from src into buf at ring index `index`, split at the wrap;
 * n <= size. (Out of line, in ring.c: the copies then go to the C library's memcpy, which beats
 * the `rep movs` a compiler may inline for small bounded sizes by 2-5x.) */
void ring_write_data(const struct ring *r, void *buf, size_t esz, uint32_t index, const void *src,
		     uint32_t n);

/* Copy n elements of esz bytes from buf at ring index `index` into dst, split at the wrap. */
void ring_read_data(const struct ring *r, const void *buf, size_t esz, uint32_t index, void *dst,
		    uint32_t n);

#endif /* VOCANA_CORE_RING_H */
