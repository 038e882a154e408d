/* SPDX-License-Identifier: MIT */
/*
 * Real-time telemetry: event counters and a histogram of per-frame processing time, updated by the
 * audio thread without locks and read consistently by any other thread.
 *
 * Histogram: values in microseconds; bucket layout in core/rt_constants.h (exact below 8 us, then
 * 8 buckets per power of two, 12.5 % resolution, up to 2^17 us; larger values share one overflow
 * bucket), plus count, sum, min and max.
 *
 * Threading:
 *  - telemetry_record_latency_us: ONE writer thread (the real-time one). It is a seqlock writer:
 *    two sequence stores and a handful of relaxed stores, no read-modify-write, never waits.
 *  - telemetry_count: any thread (relaxed atomic add). Counters are exact individually, but are not
 *    part of the histogram's consistent snapshot.
 *  - telemetry_snapshot: any thread, any number of readers. It retries while the writer is inside
 *    an update, so the copy is never torn: the buckets always sum to count, and sum/min/max belong
 *    to the same set of samples.
 * Every shared field is an atomic, so the object is ThreadSanitizer-clean by construction.
 */
#ifndef VOCANA_CORE_TELEMETRY_H
#define VOCANA_CORE_TELEMETRY_H

#include <stddef.h>
#include <stdint.h>

#include "core/rt_constants.h"

enum telemetry_counter {
	TELEMETRY_FRAMES_PROCESSED = 0,
	TELEMETRY_FRAMES_DROPPED,    /* frames not processed in time / skipped */
	TELEMETRY_OVERRUNS,          /* producer found no room */
	TELEMETRY_UNDERRUNS,         /* consumer found no audio */
	TELEMETRY_NONFINITE_INPUTS,  /* NaN/Inf/denormal input samples replaced by silence */
	TELEMETRY_N_COUNTERS
};

/* Give up after this many inconsistent reads (the writer updating all the time): -EBUSY. At the
 * real update rate (100 frames a second) the first read nearly always succeeds. */
#define TELEMETRY_SNAPSHOT_MAX_TRIES 100000

struct telemetry;

struct telemetry_snapshot {
	uint64_t count;    /* samples in the histogram */
	uint64_t sum_us;
	uint32_t min_us;   /* 0 when count is 0 */
	uint32_t max_us;
	uint64_t bucket[RT_HIST_N_BUCKETS];
	uint64_t counters[TELEMETRY_N_COUNTERS];
};

/* -EINVAL or -ENOMEM. Not real-time safe. */
int telemetry_create(struct telemetry **out);

/* NULL is a no-op. */
void telemetry_destroy(struct telemetry *t);

/* Writer thread only: add one frame's processing time. */
void telemetry_record_latency_us(struct telemetry *t, uint32_t latency_us);

/* Monotonic microseconds, the clock the times above are measured with (vDSO clock_gettime: no
 * system call on Linux x86-64 and arm64, so it may be read on the audio thread). */
uint64_t telemetry_now_us(void);

/* Any thread: add n to counter c (ignored if c is out of range). */
void telemetry_count(struct telemetry *t, enum telemetry_counter c, uint64_t n);

/* Any thread: consistent copy of everything. 0, or -EBUSY after TELEMETRY_SNAPSHOT_MAX_TRIES. */
int telemetry_snapshot(const struct telemetry *t, struct telemetry_snapshot *out);

/* Add the samples and counters of src to dst (a zeroed dst first, then each of several sources:
 * one histogram for several writers, e.g. one engine per audio channel). */
void telemetry_snapshot_add(struct telemetry_snapshot *dst, const struct telemetry_snapshot *src);

/*
 * p-th percentile (0..100) of the histogram in a snapshot, in microseconds: the value of rank
 * ceil(p/100 * count) (at least 1), assuming the samples in its bucket are spread evenly across
 * the bucket, clamped to [min_us, max_us]. Exact for values below 8 us and for the first and last
 * rank (min_us, max_us); otherwise within the bucket holding the true value. 0 when empty.
 */
double telemetry_percentile_us(const struct telemetry_snapshot *s, double p);

/* Mean in microseconds, 0 for an empty snapshot. */
double telemetry_mean_us(const struct telemetry_snapshot *s);

/* Bucket layout: index for a value, and the bounds [lower, upper) of a bucket (the overflow bucket
 * reports UINT32_MAX as its upper bound). */
unsigned telemetry_bucket_index(uint32_t latency_us);
uint32_t telemetry_bucket_lower_us(unsigned idx);
uint32_t telemetry_bucket_upper_us(unsigned idx);

#endif /* VOCANA_CORE_TELEMETRY_H */
