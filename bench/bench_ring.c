/* SPDX-License-Identifier: MIT */
/*
 * Throughput of the SPSC ring (core/ring.h) carrying float samples, in ns per sample moved
 * (write + read):
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
#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "core/ring.h"

#define BENCH_BLOCK 256
#define BENCH_RING_SAMPLES 8192
#define BENCH_MAX_REPEATS 16

/* The ring and the samples it carries, as every user of the ring holds them. */
struct bench_ring {
	struct ring r;
	alignas(64) float buf[BENCH_RING_SAMPLES];
};

/* Producer: as much of src[0..n) as fits; returns how much. */
static size_t ring_put(struct bench_ring *b, const float *src, size_t n)
{
	uint32_t w;
	const uint32_t room = BENCH_RING_SAMPLES - (uint32_t)ring_get_write_index(&b->r, &w);
	const uint32_t k = n < room ? (uint32_t)n : room;

	ring_write_data(&b->r, b->buf, sizeof(float), w, src, k);
	ring_write_update(&b->r, w + k);
	return k;
}

/* Consumer: up to n samples; returns how many. */
static size_t ring_get(struct bench_ring *b, float *dst, size_t n)
{
	uint32_t i;
	const uint32_t avail = (uint32_t)ring_get_read_index(&b->r, &i);
	const uint32_t k = n < avail ? (uint32_t)n : avail;

	ring_read_data(&b->r, b->buf, sizeof(float), i, dst, k);
	ring_read_update(&b->r, i + k);
	return k;
}

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
static double run_one_thread(struct bench_ring *r, float *in, float *out, uint64_t total)
{
	double t0, t1;
	uint64_t bad = 0;

	t0 = now_ns();
	for (uint64_t k = 0; k < total; k += BENCH_BLOCK) {
		size_t w = ring_put(r, in, BENCH_BLOCK);
		size_t n = ring_get(r, out, BENCH_BLOCK);

		bad += (w != BENCH_BLOCK) + (n != BENCH_BLOCK) + (out[n - 1] != in[BENCH_BLOCK - 1]);
	}
	t1 = now_ns();
	return bad ? -1.0 : (t1 - t0) / (double)total;
}

struct producer_arg {
	struct bench_ring *ring;
	const float *block;
	uint64_t total;
};

static void *producer(void *p)
{
	struct producer_arg *a = p;

	size_t off = 0; /* a partial write continues the block where it stopped */

	for (uint64_t k = 0; k < a->total;) {
		size_t n = ring_put(a->ring, a->block + off, BENCH_BLOCK - off);

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

	static struct bench_ring ring;

	ring_init(&ring.r, BENCH_RING_SAMPLES);
	a.ring = &ring;
	t0 = now_ns();
	if (pthread_create(&th, NULL, producer, &a) != 0)
		return -EAGAIN;
	while (got < total) {
		size_t n = ring_get(a.ring, out, BENCH_BLOCK);

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
	return bad ? -EIO : (t1 - t0) / (double)total;
}

int bench_ring(bench_emit_fn emit, void *ctx, int quick)
{
	const unsigned repeats = quick ? 3 : 9;
	const uint64_t one_total = quick ? 1000000 : 20000000;  /* multiples of BENCH_BLOCK */
	const uint64_t two_total = quick ? 1000000 : 50000000;
	static float in[BENCH_BLOCK], out[BENCH_BLOCK];
	double v[BENCH_MAX_REPEATS];
	static struct bench_ring r;

	if (!emit)
		return -EINVAL;
	for (unsigned i = 0; i < BENCH_BLOCK; i++)
		in[i] = (float)i;

	ring_init(&r.r, BENCH_RING_SAMPLES);
	run_one_thread(&r, in, out, one_total / 10); /* warm up caches and clocks */
	for (unsigned i = 0; i < repeats; i++) {
		v[i] = run_one_thread(&r, in, out, one_total / BENCH_BLOCK * BENCH_BLOCK);
		if (v[i] < 0)
			return -EIO;
	}
	emit_stats(emit, ctx, "ring.one_thread", v, repeats);

	for (unsigned i = 0; i < repeats; i++) {
		v[i] = run_two_thread(in, out, two_total / BENCH_BLOCK * BENCH_BLOCK);
		if (v[i] < 0)
			return (int)v[i];
	}
	emit_stats(emit, ctx, "ring.two_thread", v, repeats);
	return 0;
}
