/* SPDX-License-Identifier: MIT */
/*
 * The audio thread records latencies while a monitoring thread takes snapshots. The writer's
 * values are a fixed sequence, so a snapshot with count = c must hold exactly the first c values:
 * the buckets sum to c, and sum/min/max equal the prefix sum/min/max. A torn snapshot (buckets of
 * one update, count of another) fails. Both threads also bump a shared counter.
 *
 * usage: test_telemetry_threads [n_records]   (default 300000)
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/telemetry.h"
#include "test_util.h"

#define DEFAULT_RECORDS 300000u

struct shared {
	struct telemetry *t;
	const uint32_t *values;
	unsigned n;
	atomic_int done;
};

static void *writer(void *arg)
{
	struct shared *sh = arg;
	unsigned spin = 1;

	for (unsigned i = 0; i < sh->n; i++) {
		telemetry_record_latency_us(sh->t, sh->values[i]);
		telemetry_count(sh->t, TELEMETRY_FRAMES_PROCESSED, 1);
		/* a little work between frames, as a real audio thread has, so readers get windows */
		for (unsigned j = 0; j < 20; j++)
			test_rand(&spin);
		if (i % 4096 == 0)
			sched_yield();
	}
	atomic_store(&sh->done, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	static struct telemetry_snapshot s;
	struct shared sh = {0};
	uint32_t *v, *pmin, *pmax;
	uint64_t *psum, last_count = 0, n_snaps = 0, n_busy = 0, reader_counts = 0;
	unsigned seed = 424242, bad = 0;
	pthread_t th;

	sh.n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 0) : DEFAULT_RECORDS;
	fprintf(stderr, "telemetry threads: %u records, seed %u\n", sh.n, seed);
	v = malloc(sh.n * sizeof(*v));
	psum = malloc((sh.n + 1) * sizeof(*psum));
	pmin = malloc((sh.n + 1) * sizeof(*pmin));
	pmax = malloc((sh.n + 1) * sizeof(*pmax));
	CHECK(v && psum && pmin && pmax);
	if (!v || !psum || !pmin || !pmax)
		return test_finish();
	/* mostly 100..5000 us, sometimes huge (overflow bucket) */
	psum[0] = 0;
	pmin[0] = 0;
	pmax[0] = 0;
	for (unsigned i = 0; i < sh.n; i++) {
		unsigned r = test_rand(&seed);

		v[i] = r % 1000 == 0 ? 150000 + r % 100000 : 100 + r % 4900;
		psum[i + 1] = psum[i] + v[i];
		pmin[i + 1] = i == 0 || v[i] < pmin[i] ? v[i] : pmin[i];
		pmax[i + 1] = v[i] > pmax[i] ? v[i] : pmax[i];
	}
	sh.values = v;
	CHECK(telemetry_create(&sh.t) == 0);
	if (!sh.t)
		return test_finish();
	CHECK(pthread_create(&th, NULL, writer, &sh) == 0);

	for (;;) {
		int finished = atomic_load(&sh.done);
		uint64_t total = 0;

		telemetry_count(sh.t, TELEMETRY_FRAMES_DROPPED, 1);
		reader_counts++;
		if (telemetry_snapshot(sh.t, &s) != 0) {
			n_busy++;
			continue;
		}
		n_snaps++;
		for (unsigned i = 0; i < RT_HIST_N_BUCKETS; i++)
			total += s.bucket[i];
		if (total != s.count || s.count > sh.n || s.count < last_count) {
			if (bad++ < 5)
				fprintf(stderr, "torn: buckets %llu, count %llu\n",
					(unsigned long long)total, (unsigned long long)s.count);
		} else if (s.sum_us != psum[s.count] || s.min_us != pmin[s.count] ||
			   s.max_us != pmax[s.count]) {
			if (bad++ < 5)
				fprintf(stderr, "torn: count %llu with sum %llu (want %llu)\n",
					(unsigned long long)s.count, (unsigned long long)s.sum_us,
					(unsigned long long)psum[s.count]);
		}
		last_count = s.count;
		if (finished)
			break; /* this snapshot started after the writer's last update */
	}
	CHECK(pthread_join(th, NULL) == 0);
	CHECK_MSG(bad == 0, "%u inconsistent snapshots of %llu", bad, (unsigned long long)n_snaps);
	CHECK(last_count == sh.n);
	CHECK(s.counters[TELEMETRY_FRAMES_PROCESSED] == sh.n);
	CHECK(s.counters[TELEMETRY_FRAMES_DROPPED] == reader_counts);
	CHECK(n_snaps > 10);
	fprintf(stderr, "%llu snapshots, %llu gave up (-EBUSY)\n", (unsigned long long)n_snaps,
		(unsigned long long)n_busy);
	telemetry_destroy(sh.t);
	free(v);
	free(psum);
	free(pmin);
	free(pmax);
	return test_finish();
}
