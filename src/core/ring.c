/* SPDX-License-Identifier: MIT */
/*
 * Lock-free SPSC rings (see ring.h for the contract).
 *
 * Memory ordering, in one place:
 *  - Each side loads its OWN position relaxed: only this thread ever stores it, so it always sees
 *    its latest value without any synchronisation.
 *  - Each side loads the OTHER side's position with acquire. The producer's acquire of read_pos
 *    pairs with the consumer's release store of read_pos: everything the consumer did to the slots
 *    before giving them back (its memcpy out of them) happens-before the producer overwrites them.
 *    The consumer's acquire of write_pos pairs with the producer's release store: the producer's
 *    memcpy into the slots happens-before the consumer reads them.
 *  - Each side publishes its own position with release, after the copy, for the reason above.
 *  - Counters (overruns, underruns) are statistics with a single writer each: relaxed, and updated
 *    with a plain load + store instead of an atomic read-modify-write (no locked instruction on the
 *    audio thread; there is no second writer to lose an increment to).
 *
 * Each side also caches the last value it acquired of the other side's position: the other index
 * only ever moves in the direction that gives us more room, so a stale copy is conservative, and we
 * only touch the other side's cache line when the cached view says we cannot move everything.
 */
#include "core/ring.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_pow2(size_t n)
{
	return n != 0 && (n & (n - 1)) == 0;
}

static void counter_bump(_Atomic uint64_t *c)
{
	/* single writer: see the file comment */
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + 1,
			      memory_order_relaxed);
}

static int spsc_init(struct spsc *q, void *storage, size_t capacity, size_t elem_size,
		     uint64_t start_pos)
{
	if (!q || !storage || !is_pow2(capacity) || capacity > RING_MAX_CAPACITY)
		return -EINVAL;
	memset(q, 0, sizeof(*q));
	q->data = storage;
	q->capacity = capacity;
	q->mask = (uint64_t)capacity - 1;
	q->elem_size = elem_size;
	q->owned = NULL;
	/* Not yet shared with another thread: relaxed is enough; whoever hands the ring to the other
	 * thread (pthread_create, a release store) publishes these. */
	atomic_store_explicit(&q->write_pos, start_pos, memory_order_relaxed);
	atomic_store_explicit(&q->read_pos, start_pos, memory_order_relaxed);
	q->read_pos_cache = start_pos;
	q->write_pos_cache = start_pos;
	atomic_store_explicit(&q->n_overruns, 0, memory_order_relaxed);
	atomic_store_explicit(&q->n_underruns, 0, memory_order_relaxed);
	return 0;
}

/* Allocate the ring object and its storage in one 64-byte-aligned block: one free on destroy. */
static int spsc_create(size_t obj_size, size_t capacity, size_t elem_size, void **out_obj)
{
	size_t head, total;
	unsigned char *mem;
	int res;

	if (!out_obj)
		return -EINVAL;
	*out_obj = NULL;
	if (!is_pow2(capacity) || capacity > RING_MAX_CAPACITY)
		return -EINVAL;
	/* the object is a struct whose first member is struct spsc (struct ring, struct idx_ring) */
	head = (obj_size + RING_CACHE_LINE - 1) / RING_CACHE_LINE * RING_CACHE_LINE;
	total = head + (capacity * elem_size + RING_CACHE_LINE - 1) / RING_CACHE_LINE * RING_CACHE_LINE;
	mem = aligned_alloc(RING_CACHE_LINE, total);
	if (!mem)
		return -ENOMEM;
	res = spsc_init((struct spsc *)(void *)mem, mem + head, capacity, elem_size, 0);
	if (res < 0) {
		free(mem);
		return res;
	}
	((struct spsc *)(void *)mem)->owned = mem;
	*out_obj = mem;
	return 0;
}

static void spsc_destroy(struct spsc *q)
{
	if (q)
		free(q->owned);
}

/* Copy n elements into the slots starting at position pos, wrapping at the end of the storage. */
static inline void spsc_copy_in(struct spsc *q, uint64_t pos, const void *src, size_t n, size_t esz)
{
	size_t off = (size_t)(pos & q->mask);
	size_t first = q->capacity - off;

	if (first > n)
		first = n;
	memcpy(q->data + off * esz, src, first * esz);
	if (n > first)
		memcpy(q->data, (const unsigned char *)src + first * esz, (n - first) * esz);
}

static inline void spsc_copy_out(const struct spsc *q, uint64_t pos, void *dst, size_t n, size_t esz)
{
	size_t off = (size_t)(pos & q->mask);
	size_t first = q->capacity - off;

	if (first > n)
		first = n;
	memcpy(dst, q->data + off * esz, first * esz);
	if (n > first)
		memcpy((unsigned char *)dst + first * esz, q->data, (n - first) * esz);
}

/* Producer. esz is a compile-time constant at every call site, so memcpy sizes fold. */
static inline size_t spsc_write(struct spsc *q, const void *src, size_t n, size_t esz)
{
	uint64_t w = atomic_load_explicit(&q->write_pos, memory_order_relaxed); /* own index */
	size_t space = q->capacity - (size_t)(w - q->read_pos_cache);

	if (space < n) {
		/* acquire: the consumer's reads of the slots we are about to reuse are complete */
		q->read_pos_cache = atomic_load_explicit(&q->read_pos, memory_order_acquire);
		space = q->capacity - (size_t)(w - q->read_pos_cache);
		if (space < n) {
			counter_bump(&q->n_overruns);
			n = space;
		}
	}
	if (n == 0)
		return 0;
	spsc_copy_in(q, w, src, n, esz);
	/* release: the slot contents are visible before the consumer can see the new position */
	atomic_store_explicit(&q->write_pos, w + n, memory_order_release);
	return n;
}

/* Consumer: how many elements can be read, refreshing the cached write position if needed. */
static inline size_t spsc_readable(struct spsc *q, uint64_t r, size_t want)
{
	size_t avail = (size_t)(q->write_pos_cache - r);

	if (avail < want) {
		/* acquire: the producer's writes into the slots up to write_pos are visible to us */
		q->write_pos_cache = atomic_load_explicit(&q->write_pos, memory_order_acquire);
		avail = (size_t)(q->write_pos_cache - r);
	}
	return avail;
}

static inline size_t spsc_read(struct spsc *q, void *dst, size_t n, size_t esz, bool consume)
{
	uint64_t r = atomic_load_explicit(&q->read_pos, memory_order_relaxed); /* own index */
	size_t avail = spsc_readable(q, r, n);

	if (avail < n) {
		if (consume) /* a peek that finds less is a query, not a starved reader */
			counter_bump(&q->n_underruns);
		n = avail;
	}
	if (n == 0)
		return 0;
	spsc_copy_out(q, r, dst, n, esz);
	if (consume) {
		/* release: our copy out of the slots is complete before the producer may reuse them */
		atomic_store_explicit(&q->read_pos, r + n, memory_order_release);
	}
	return n;
}

static size_t spsc_skip(struct spsc *q, size_t n)
{
	uint64_t r = atomic_load_explicit(&q->read_pos, memory_order_relaxed);
	size_t avail = spsc_readable(q, r, n);

	if (n > avail)
		n = avail;
	if (n)
		atomic_store_explicit(&q->read_pos, r + n, memory_order_release);
	return n;
}

/* Fill level from any thread. Load read_pos first: write_pos, loaded after it, can then only be
 * larger or equal (positions never move backwards), so the difference is never "negative"; it can
 * exceed the capacity when a third thread's read_pos value is stale, hence the clamp. */
static size_t spsc_fill(const struct spsc *q)
{
	uint64_t r = atomic_load_explicit(&q->read_pos, memory_order_acquire);
	uint64_t w = atomic_load_explicit(&q->write_pos, memory_order_acquire);
	uint64_t fill = w - r;

	return fill > q->capacity ? q->capacity : (size_t)fill;
}

static void spsc_stats(const struct spsc *q, struct ring_stats *out)
{
	out->n_overruns = atomic_load_explicit(&q->n_overruns, memory_order_relaxed);
	out->n_underruns = atomic_load_explicit(&q->n_underruns, memory_order_relaxed);
}

/* ---- float ring ---------------------------------------------------------------------------- */

int ring_create(size_t capacity_samples, struct ring **out)
{
	void *obj = NULL;
	int res;

	if (!out)
		return -EINVAL;
	res = spsc_create(sizeof(struct ring), capacity_samples, sizeof(float), &obj);
	*out = obj;
	return res;
}

void ring_destroy(struct ring *r)
{
	if (r)
		spsc_destroy(&r->q);
}

int ring_init(struct ring *r, float *storage, size_t capacity_samples)
{
	return ring_init_at(r, storage, capacity_samples, 0);
}

int ring_init_at(struct ring *r, float *storage, size_t capacity_samples, uint64_t start_pos)
{
	if (!r)
		return -EINVAL;
	return spsc_init(&r->q, storage, capacity_samples, sizeof(float), start_pos);
}

size_t ring_write(struct ring *r, const float *src, size_t n)
{
	return spsc_write(&r->q, src, n, sizeof(float));
}

size_t ring_read(struct ring *r, float *dst, size_t n)
{
	return spsc_read(&r->q, dst, n, sizeof(float), true);
}

size_t ring_peek(struct ring *r, float *dst, size_t n)
{
	return spsc_read(&r->q, dst, n, sizeof(float), false);
}

size_t ring_skip(struct ring *r, size_t n)
{
	return spsc_skip(&r->q, n);
}

size_t ring_read_available(const struct ring *r)
{
	return spsc_fill(&r->q);
}

size_t ring_write_available(const struct ring *r)
{
	return r->q.capacity - spsc_fill(&r->q);
}

size_t ring_capacity(const struct ring *r)
{
	return r->q.capacity;
}

void ring_get_stats(const struct ring *r, struct ring_stats *out)
{
	spsc_stats(&r->q, out);
}

/* ---- index ring ---------------------------------------------------------------------------- */

int idx_ring_create(size_t capacity, struct idx_ring **out)
{
	void *obj = NULL;
	int res;

	if (!out)
		return -EINVAL;
	res = spsc_create(sizeof(struct idx_ring), capacity, sizeof(uint32_t), &obj);
	*out = obj;
	return res;
}

void idx_ring_destroy(struct idx_ring *r)
{
	if (r)
		spsc_destroy(&r->q);
}

int idx_ring_init(struct idx_ring *r, uint32_t *storage, size_t capacity)
{
	return idx_ring_init_at(r, storage, capacity, 0);
}

int idx_ring_init_at(struct idx_ring *r, uint32_t *storage, size_t capacity, uint64_t start_pos)
{
	if (!r)
		return -EINVAL;
	return spsc_init(&r->q, storage, capacity, sizeof(uint32_t), start_pos);
}

size_t idx_ring_write(struct idx_ring *r, const uint32_t *src, size_t n)
{
	return spsc_write(&r->q, src, n, sizeof(uint32_t));
}

size_t idx_ring_read(struct idx_ring *r, uint32_t *dst, size_t n)
{
	return spsc_read(&r->q, dst, n, sizeof(uint32_t), true);
}

int idx_ring_push(struct idx_ring *r, uint32_t value)
{
	return spsc_write(&r->q, &value, 1, sizeof(uint32_t)) == 1 ? 0 : -ENOSPC;
}

int idx_ring_pop(struct idx_ring *r, uint32_t *value)
{
	return spsc_read(&r->q, value, 1, sizeof(uint32_t), true) == 1 ? 0 : -EAGAIN;
}

size_t idx_ring_read_available(const struct idx_ring *r)
{
	return spsc_fill(&r->q);
}

size_t idx_ring_write_available(const struct idx_ring *r)
{
	return r->q.capacity - spsc_fill(&r->q);
}

size_t idx_ring_capacity(const struct idx_ring *r)
{
	return r->q.capacity;
}

void idx_ring_get_stats(const struct idx_ring *r, struct ring_stats *out)
{
	spsc_stats(&r->q, out);
}
