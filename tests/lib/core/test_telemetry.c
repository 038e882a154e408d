/* SPDX-License-Identifier: MIT */
/* Telemetry, single-threaded: bucket layout, percentiles on known data, counters. */
#include <errno.h>
#include <stdint.h>

#include "core/telemetry.h"
#include "test_util.h"

static struct telemetry_snapshot snap; /* big: keep it off the stack */

/* The estimate must lie in the bucket that holds the true value (and within its resolution). */
static void check_in_bucket(double est, uint32_t truth, const char *what)
{
	unsigned idx = telemetry_bucket_index(truth);
	double lo = telemetry_bucket_lower_us(idx), hi = telemetry_bucket_upper_us(idx);

	CHECK_MSG(est >= lo && est < hi, "%s: %.2f outside [%.0f, %.0f) of true %u", what, est, lo,
		  hi, truth);
	CHECK_MSG(fabs(est - truth) <= 0.125 * truth + 1e-9, "%s: %.2f vs %u", what, est, truth);
}

static void test_bucket_layout(void)
{
	int bad = 0;

	CHECK(telemetry_bucket_index(0) == 0);
	CHECK(telemetry_bucket_index(7) == 7);
	CHECK(telemetry_bucket_index(8) == 8);
	CHECK(telemetry_bucket_index(UINT32_MAX) == RT_HIST_N_BUCKETS - 1);
	CHECK(telemetry_bucket_lower_us(RT_HIST_N_BUCKETS - 1) == 1u << RT_HIST_MAX_LOG2);
	/* contiguous, increasing, and each value inside its own bucket */
	for (unsigned i = 0; i + 1 < RT_HIST_N_BUCKETS; i++) {
		uint32_t lo = telemetry_bucket_lower_us(i), hi = telemetry_bucket_upper_us(i);

		if (hi <= lo || telemetry_bucket_index(lo) != i || telemetry_bucket_index(hi - 1) != i)
			bad++;
		/* resolution: width at most 1/8 of the lower bound above the exact range */
		if (lo >= RT_HIST_SUB_BUCKETS && (hi - lo) * RT_HIST_SUB_BUCKETS > lo)
			bad++;
	}
	for (uint32_t v = 0; v < (1u << 18); v++) {
		unsigned i = telemetry_bucket_index(v);

		if (i >= RT_HIST_N_BUCKETS || v < telemetry_bucket_lower_us(i) ||
		    v >= telemetry_bucket_upper_us(i))
			bad++;
	}
	CHECK_MSG(bad == 0, "%d layout errors", bad);
	/* the range covers the 100 ms budget before the overflow bucket */
	CHECK(telemetry_bucket_index(100000) < RT_HIST_N_BUCKETS - 1);
}

static void test_empty(void)
{
	struct telemetry *t = NULL;

	CHECK(telemetry_create(&t) == 0);
	if (!t)
		return;
	CHECK(telemetry_snapshot(t, &snap) == 0);
	CHECK(snap.count == 0 && snap.sum_us == 0 && snap.min_us == 0 && snap.max_us == 0);
	CHECK(telemetry_percentile_us(&snap, 50) == 0.0);
	CHECK(telemetry_mean_us(&snap) == 0.0);
	telemetry_destroy(t);
	telemetry_destroy(NULL);
	CHECK(telemetry_create(NULL) == -EINVAL);
}

/* Small values are exact: 1 3 3 3 5 7 7. */
static void test_exact_small(void)
{
	static const uint32_t v[] = {7, 3, 1, 3, 7, 5, 3};
	struct telemetry *t = NULL;

	CHECK(telemetry_create(&t) == 0);
	if (!t)
		return;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		telemetry_record_latency_us(t, v[i]);
	CHECK(telemetry_snapshot(t, &snap) == 0);
	CHECK(snap.count == 7 && snap.sum_us == 29 && snap.min_us == 1 && snap.max_us == 7);
	CHECK(telemetry_percentile_us(&snap, 0) == 1.0);
	CHECK(telemetry_percentile_us(&snap, 14) == 1.0);   /* rank 1 */
	CHECK(telemetry_percentile_us(&snap, 15) == 3.0);   /* rank 2 */
	CHECK(telemetry_percentile_us(&snap, 50) == 3.0);   /* rank 4 */
	CHECK(telemetry_percentile_us(&snap, 72) == 7.0);   /* rank 6 */
	CHECK(telemetry_percentile_us(&snap, 71) == 5.0);   /* rank 5 */
	CHECK(telemetry_percentile_us(&snap, 100) == 7.0);
	CHECK(telemetry_percentile_us(&snap, 250) == 7.0);  /* clamped */
	CHECK_NEAR(telemetry_mean_us(&snap), 29.0 / 7.0, 1e-12);
	telemetry_destroy(t);
}

/* 1..1000 us in a shuffled order: median and p99 land in the right buckets. */
static void test_uniform(void)
{
	enum { N = 1000 };
	static uint32_t v[N];
	struct telemetry *t = NULL;
	unsigned seed = 99;

	for (uint32_t i = 0; i < N; i++)
		v[i] = i + 1;
	for (uint32_t i = N - 1; i > 0; i--) {
		uint32_t j = test_rand(&seed) % (i + 1), tmp = v[i];

		v[i] = v[j];
		v[j] = tmp;
	}
	CHECK(telemetry_create(&t) == 0);
	if (!t)
		return;
	for (uint32_t i = 0; i < N; i++)
		telemetry_record_latency_us(t, v[i]);
	CHECK(telemetry_snapshot(t, &snap) == 0);
	CHECK(snap.count == N && snap.sum_us == N * (N + 1) / 2);
	CHECK(snap.min_us == 1 && snap.max_us == N);
	check_in_bucket(telemetry_percentile_us(&snap, 50), 500, "p50");
	check_in_bucket(telemetry_percentile_us(&snap, 90), 900, "p90");
	check_in_bucket(telemetry_percentile_us(&snap, 99), 990, "p99");
	CHECK(telemetry_percentile_us(&snap, 100) == N);
	CHECK_NEAR(telemetry_mean_us(&snap), 500.5, 1e-9);
	telemetry_destroy(t);
}

/* A long tail: 99 % at 100 us, 1 % at 50 ms, and one 200 ms outlier in the overflow bucket. */
static void test_tail(void)
{
	struct telemetry *t = NULL;

	CHECK(telemetry_create(&t) == 0);
	if (!t)
		return;
	for (int i = 0; i < 1980; i++)
		telemetry_record_latency_us(t, 100);
	for (int i = 0; i < 19; i++)
		telemetry_record_latency_us(t, 50000);
	telemetry_record_latency_us(t, 200000);
	CHECK(telemetry_snapshot(t, &snap) == 0);
	CHECK(snap.count == 2000);
	CHECK(snap.bucket[RT_HIST_N_BUCKETS - 1] == 1);
	check_in_bucket(telemetry_percentile_us(&snap, 50), 100, "p50");
	check_in_bucket(telemetry_percentile_us(&snap, 99), 100, "p99");     /* rank 1980 */
	check_in_bucket(telemetry_percentile_us(&snap, 99.5), 50000, "p99.5");
	CHECK(telemetry_percentile_us(&snap, 100) == 200000.0);
	CHECK(snap.max_us == 200000);
	telemetry_destroy(t);
}

static void test_counters(void)
{
	struct telemetry *t = NULL;

	CHECK(telemetry_create(&t) == 0);
	if (!t)
		return;
	telemetry_count(t, TELEMETRY_FRAMES_PROCESSED, 3);
	telemetry_count(t, TELEMETRY_FRAMES_PROCESSED, 4);
	telemetry_count(t, TELEMETRY_UNDERRUNS, 1);
	telemetry_count(t, TELEMETRY_N_COUNTERS, 1); /* out of range: ignored */
	CHECK(telemetry_snapshot(t, &snap) == 0);
	CHECK(snap.counters[TELEMETRY_FRAMES_PROCESSED] == 7);
	CHECK(snap.counters[TELEMETRY_UNDERRUNS] == 1);
	CHECK(snap.counters[TELEMETRY_OVERRUNS] == 0);
	CHECK(snap.count == 0); /* counters are not histogram samples */
	telemetry_destroy(t);
}

int main(void)
{
	RUN_TEST(test_bucket_layout);
	RUN_TEST(test_empty);
	RUN_TEST(test_exact_small);
	RUN_TEST(test_uniform);
	RUN_TEST(test_tail);
	RUN_TEST(test_counters);
	return test_finish();
}
