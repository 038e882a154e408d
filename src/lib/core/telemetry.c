/* SPDX-License-Identifier: MIT */
/*
 * Telemetry: a single-writer seqlock around the latency histogram (see telemetry.h).
 *
 * Seqlock protocol (after H.-J. Boehm, "Can seqlocks get along with programming language memory
 * models?", MSPC 2012), all fields atomics so there is no data race to begin with:
 *   writer: seq = s + 1 (odd: update in progress), release fence, relaxed stores of the fields,
 *           seq = s + 2 with release.
 *   reader: s1 = seq with acquire; if odd, retry. Relaxed loads of the fields, acquire fence,
 *           s2 = seq (relaxed); the copy is consistent iff s1 == s2.
 * Why it works: if the reader's relaxed loads saw any value stored after the writer's release
 * fence, the writer's fence synchronises with the reader's acquire fence, so the odd store that
 * precedes the writer's fence is visible to the reader's second load and s2 != s1. Conversely the
 * release store of the even s1 pairs with the reader's acquire load, so everything of the update
 * that made seq == s1 is visible to the copy.
 */
#include "core/telemetry.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct telemetry {
	/* Histogram, guarded by seq; written by the one writer thread only. */
	alignas(64) _Atomic uint64_t seq; /* 64 bits: it cannot wrap back to a value a slow reader saw */
	_Atomic uint64_t count;
	_Atomic uint64_t sum_us;
	_Atomic uint32_t min_us;
	_Atomic uint32_t max_us;
	_Atomic uint64_t bucket[RT_HIST_N_BUCKETS];
	/* Counters on their own line: other threads may add to them without touching the histogram. */
	alignas(64) _Atomic uint64_t counters[TELEMETRY_N_COUNTERS];
};

/* The writer re-reading a field only it stores: relaxed is exact for the only storing thread. */
static inline uint64_t own64(const _Atomic uint64_t *f)
{
	return atomic_load_explicit(f, memory_order_relaxed);
}

static inline uint32_t own32(const _Atomic uint32_t *f)
{
	return atomic_load_explicit(f, memory_order_relaxed);
}

static unsigned floor_log2(uint32_t v) /* v > 0 */
{
#if defined(__GNUC__)
	return 31u - (unsigned)__builtin_clz(v);
#else
	unsigned e = 0;

	while (v >> (e + 1))
		e++;
	return e;
#endif
}

unsigned telemetry_bucket_index(uint32_t v)
{
	unsigned e;

	if (v < RT_HIST_SUB_BUCKETS)
		return v;
	e = floor_log2(v);
	if (e >= RT_HIST_MAX_LOG2)
		return RT_HIST_N_BUCKETS - 1;
	return RT_HIST_SUB_BUCKETS + (e - RT_HIST_SUB_BITS) * RT_HIST_SUB_BUCKETS +
	       ((v >> (e - RT_HIST_SUB_BITS)) & (RT_HIST_SUB_BUCKETS - 1));
}

uint32_t telemetry_bucket_lower_us(unsigned idx)
{
	unsigned k, shift;

	if (idx < RT_HIST_SUB_BUCKETS)
		return idx;
	if (idx >= RT_HIST_N_BUCKETS - 1)
		return (uint32_t)1 << RT_HIST_MAX_LOG2;
	k = idx - RT_HIST_SUB_BUCKETS;
	shift = k / RT_HIST_SUB_BUCKETS; /* octave 2^(shift + SUB_BITS), buckets 2^shift wide */
	return (RT_HIST_SUB_BUCKETS + k % RT_HIST_SUB_BUCKETS) << shift;
}

uint32_t telemetry_bucket_upper_us(unsigned idx)
{
	if (idx >= RT_HIST_N_BUCKETS - 1)
		return UINT32_MAX;
	return telemetry_bucket_lower_us(idx + 1);
}

int telemetry_create(struct telemetry **out)
{
	struct telemetry *t;

	if (!out)
		return -EINVAL;
	*out = NULL;
	/* over-aligned struct: aligned_alloc needs a size that is a multiple of the alignment */
	t = aligned_alloc(64, (sizeof(*t) + 63) / 64 * 64);
	if (!t)
		return -ENOMEM;
	memset(t, 0, sizeof(*t)); /* not yet shared: plain initialisation is fine */
	atomic_store_explicit(&t->min_us, UINT32_MAX, memory_order_relaxed);
	*out = t;
	return 0;
}

void telemetry_destroy(struct telemetry *t)
{
	free(t);
}

void telemetry_record_latency_us(struct telemetry *t, uint32_t v)
{
	uint64_t s = own64(&t->seq);
	unsigned idx = telemetry_bucket_index(v);

	atomic_store_explicit(&t->seq, s + 1, memory_order_relaxed);
	/* release fence: none of the field stores below may become visible before the odd seq */
	atomic_thread_fence(memory_order_release);
	atomic_store_explicit(&t->bucket[idx], own64(&t->bucket[idx]) + 1, memory_order_relaxed);
	atomic_store_explicit(&t->count, own64(&t->count) + 1, memory_order_relaxed);
	atomic_store_explicit(&t->sum_us, own64(&t->sum_us) + v, memory_order_relaxed);
	if (v < own32(&t->min_us))
		atomic_store_explicit(&t->min_us, v, memory_order_relaxed);
	if (v > own32(&t->max_us))
		atomic_store_explicit(&t->max_us, v, memory_order_relaxed);
	/* release: a reader that sees this even seq sees every store above */
	atomic_store_explicit(&t->seq, s + 2, memory_order_release);
}

void telemetry_count(struct telemetry *t, enum telemetry_counter c, uint64_t n)
{
	if ((unsigned)c >= TELEMETRY_N_COUNTERS)
		return;
	/* several threads may count: a real atomic add; relaxed, as nothing is published with it */
	atomic_fetch_add_explicit(&t->counters[c], n, memory_order_relaxed);
}

int telemetry_snapshot(const struct telemetry *t, struct telemetry_snapshot *out)
{
	for (unsigned tries = 0; tries < TELEMETRY_SNAPSHOT_MAX_TRIES; tries++) {
		uint64_t s1 = atomic_load_explicit(&t->seq, memory_order_acquire);

		if ((s1 & 1) == 0) {
			out->count = atomic_load_explicit(&t->count, memory_order_relaxed);
			out->sum_us = atomic_load_explicit(&t->sum_us, memory_order_relaxed);
			out->min_us = atomic_load_explicit(&t->min_us, memory_order_relaxed);
			out->max_us = atomic_load_explicit(&t->max_us, memory_order_relaxed);
			for (unsigned i = 0; i < RT_HIST_N_BUCKETS; i++)
				out->bucket[i] = atomic_load_explicit(&t->bucket[i],
								      memory_order_relaxed);
			/* acquire fence: the loads above complete before seq is checked again */
			atomic_thread_fence(memory_order_acquire);
			if (atomic_load_explicit(&t->seq, memory_order_relaxed) == s1)
				goto consistent;
		}
		/* The writer is mid-update. If it was preempted there, spinning cannot help it finish
		 * (it may share our core), so give the CPU away now and then. Readers are never the
		 * real-time thread, so a system call here is fine. */
		if (tries % 16 == 15)
			sched_yield();
	}
	return -EBUSY;
consistent:
	if (out->count == 0)
		out->min_us = 0;
	for (unsigned i = 0; i < TELEMETRY_N_COUNTERS; i++)
		out->counters[i] = atomic_load_explicit(&t->counters[i], memory_order_relaxed);
	return 0;
}

void telemetry_snapshot_add(struct telemetry_snapshot *dst, const struct telemetry_snapshot *src)
{
	if (src->count > 0) {
		dst->min_us = dst->count == 0 || src->min_us < dst->min_us ? src->min_us : dst->min_us;
		dst->max_us = src->max_us > dst->max_us ? src->max_us : dst->max_us;
	}
	dst->count += src->count;
	dst->sum_us += src->sum_us;
	for (unsigned i = 0; i < RT_HIST_N_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
	for (unsigned i = 0; i < TELEMETRY_N_COUNTERS; i++)
		dst->counters[i] += src->counters[i];
}

double telemetry_mean_us(const struct telemetry_snapshot *s)
{
	return s->count ? (double)s->sum_us / (double)s->count : 0.0;
}

double telemetry_percentile_us(const struct telemetry_snapshot *s, double p)
{
	uint64_t rank, cum = 0;
	double v = 0.0;

	if (s->count == 0)
		return 0.0;
	if (!(p > 0.0)) /* also catches NaN */
		p = 0.0;
	if (p > 100.0)
		p = 100.0;
	/* multiply first: p * count / 100 is exact for integer p, so p = 99 of 2000 is rank 1980 */
	rank = (uint64_t)ceil(p * (double)s->count / 100.0);
	if (rank < 1)
		rank = 1;
	/* the extremes are known exactly, whatever their buckets */
	if (rank == 1)
		return s->min_us;
	if (rank >= s->count)
		return s->max_us;
	for (unsigned i = 0; i < RT_HIST_N_BUCKETS; i++) {
		uint64_t m = s->bucket[i];

		if (cum + m >= rank) {
			double lo = telemetry_bucket_lower_us(i);
			double hi = i == RT_HIST_N_BUCKETS - 1 ? (double)s->max_us + 1.0
							       : telemetry_bucket_upper_us(i);
			double k = (double)(rank - cum); /* 1 .. m */

			/* one-wide buckets hold one value; wider ones: spread the m values evenly */
			v = hi - lo <= 1.0 ? lo : lo + (hi - lo) * (k - 0.5) / (double)m;
			break;
		}
		cum += m;
	}
	if (v < s->min_us)
		v = s->min_us;
	if (v > s->max_us)
		v = s->max_us;
	return v;
}

uint64_t telemetry_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
