/* SPDX-License-Identifier: MIT */
/*
 * Ring throughput, in ns per sample moved (write + read):
 *  - ring.one_thread: one thread writes a 256-sample block, then reads it back; the cost of the
 *    copies and index updates without any cross-core traffic.
 *  - ring.two_thread: a producer thread and a consumer thread, 256-sample blocks through an
 *    8192-sample ring; adds the cache-line hand-off between cores (and waiting, if the cores are
 *    busy with other work: run it on an idle machine).
 * Each figure is the median over repeats, with p99 (nearest rank), min and max.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "core/ring.h"

#define BENCH_BLOCK 256
#define BENCH_RING_SAMPLES 8192
#define BENCH_MAX_REPEATS 16

static double now_ns(void)
{
	return bench_now_us() * 1e3;
}

static void emit_stats(bench_emit_fn emit, void *ctx, const char *name, double *v, unsigned n)
{
	struct bench_stat st = {.name = name, .unit = "ns/sample", .repeats = n};

	bench_summarize(&st, v, n);
	emit(ctx, &st);
}

/* One thread: returns ns/sample, or a negative value if the data came back wrong. */
static double run_one_thread(struct ring *r, float *in, float *out, uint64_t total)
{
	double t0, t1;
	uint64_t bad = 0;

	t0 = now_ns();
	for (uint64_t k = 0; k < total; k += BENCH_BLOCK) {
		size_t w = ring_write(r, in, BENCH_BLOCK);
		size_t n = ring_read(r, out, BENCH_BLOCK);

		bad += (w != BENCH_BLOCK) + (n != BENCH_BLOCK) + (out[n - 1] != in[BENCH_BLOCK - 1]);
	}
	t1 = now_ns();
	return bad ? -1.0 : (t1 - t0) / (double)total;
}

struct producer_arg {
	struct ring *ring;
	const float *block;
	uint64_t total;
};

static void *producer(void *p)
{
	struct producer_arg *a = p;

	size_t off = 0; /* a partial write continues the block where it stopped */

	for (uint64_t k = 0; k < a->total;) {
		size_t n = ring_write(a->ring, a->block + off, BENCH_BLOCK - off);

		k += n;
		off = (off + n) % BENCH_BLOCK;
		if (n == 0)
			sched_yield(); /* full: let the consumer run if it shares our core */
	}
	return NULL;
}

/* Two threads: returns ns/sample, or a negative errno. */
static double run_two_thread(const float *in, float *out, uint64_t total)
{
	struct producer_arg a = {.block = in, .total = total};
	uint64_t got = 0, bad = 0;
	pthread_t th;
	double t0, t1;

	if (ring_create(BENCH_RING_SAMPLES, &a.ring) < 0)
		return -ENOMEM;
	t0 = now_ns();
	if (pthread_create(&th, NULL, producer, &a) != 0) {
		ring_destroy(a.ring);
		return -EAGAIN;
	}
	while (got < total) {
		size_t n = ring_read(a.ring, out, BENCH_BLOCK);

		if (n == 0) {
			sched_yield();
			continue;
		}
		/* blocks go in whole: the last sample of what we read is at a known block offset */
		bad += out[n - 1] != in[(got + n - 1) % BENCH_BLOCK];
		got += n;
	}
	pthread_join(th, NULL);
	t1 = now_ns();
	ring_destroy(a.ring);
	return bad ? -EIO : (t1 - t0) / (double)total;
}

int bench_ring(bench_emit_fn emit, void *ctx, int quick)
{
	const unsigned repeats = quick ? 3 : 9;
	const uint64_t one_total = quick ? 1000000 : 20000000;  /* multiples of BENCH_BLOCK */
	const uint64_t two_total = quick ? 1000000 : 50000000;
	static float in[BENCH_BLOCK], out[BENCH_BLOCK];
	double v[BENCH_MAX_REPEATS];
	struct ring *r = NULL;
	int res;

	if (!emit)
		return -EINVAL;
	for (unsigned i = 0; i < BENCH_BLOCK; i++)
		in[i] = (float)i;

	if ((res = ring_create(BENCH_RING_SAMPLES, &r)) < 0)
		return res;
	run_one_thread(r, in, out, one_total / 10); /* warm up caches and clocks */
	for (unsigned i = 0; i < repeats; i++) {
		v[i] = run_one_thread(r, in, out, one_total / BENCH_BLOCK * BENCH_BLOCK);
		if (v[i] < 0) {
			ring_destroy(r);
			return -EIO;
		}
	}
	ring_destroy(r);
	emit_stats(emit, ctx, "ring.one_thread", v, repeats);

	for (unsigned i = 0; i < repeats; i++) {
		v[i] = run_two_thread(in, out, two_total / BENCH_BLOCK * BENCH_BLOCK);
		if (v[i] < 0)
			return (int)v[i];
	}
	emit_stats(emit, ctx, "ring.two_thread", v, repeats);
	return 0;
}
