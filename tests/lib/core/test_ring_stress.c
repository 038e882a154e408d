/* SPDX-License-Identifier: MIT */
/*
 * Two threads hammer the SPSC ring (core/ring.h):
 *  - a sample stream: the producer writes a deterministic sequence in random block sizes, the
 *    consumer reads in other random block sizes and checks every sample plus a checksum;
 *  - a record round trip, the shape of the engine's worker queues: one thread stamps records with
 *    a sequence number and a payload, the other checks them and answers on a second ring.
 * Both start with the indices just below UINT32_MAX, so they cross the wrap. Lost, duplicated,
 * reordered or torn data, or a missing acquire/release (ThreadSanitizer reports the race on the
 * buffer), all fail it.
 *
 * usage: test_ring_stress [n_samples]   (default 1e8; the record round trip makes n / 500 trips)
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "core/ring.h"
#include "test_util.h"

#define RING_SAMPLES 8192
#define MAX_BLOCK 2048
#define DEFAULT_SAMPLES 100000000ull

/* Start the indices here: the first 2^19 elements cross UINT32_MAX. */
#define START_INDEX (UINT32_MAX - (1u << 19))

struct shared {
	struct ring ring;
	float buf[RING_SAMPLES];
	uint64_t total;
	unsigned seed;
	uint64_t checksum; /* producer's, read after join */
};

/*
 * The per-sample loops below only touch thread-private blocks, never the ring: instrumenting them
 * under ThreadSanitizer would only slow the test down (most of its run time). The ring's own
 * accesses (the index loads and stores, the copies in and out of the shared buffer) stay fully
 * instrumented, and those are what the race check is about.
 */
#if defined(__GNUC__)
#define PRIVATE_DATA_ONLY __attribute__((no_sanitize("thread"), noinline))
#else
#define PRIVATE_DATA_ONLY
#endif

/* Sample k: cheap to make and to check, exact in float, and it changes in every low bit. */
static inline float value_of(uint64_t k)
{
	return (float)(uint32_t)(k & 0xFFFFFFu);
}

/* Order-sensitive checksum of the bit patterns (a swapped pair changes it). */
static inline uint64_t checksum_add(uint64_t c, float v)
{
	uint32_t bits;

	memcpy(&bits, &v, sizeof(bits));
	return c * 0x100000001B3ull + bits;
}

/* Fill block with samples k .. k + n and fold them into the checksum. */
PRIVATE_DATA_ONLY static uint64_t make_block(float *block, uint64_t k, size_t n, uint64_t c)
{
	for (size_t i = 0; i < n; i++) {
		block[i] = value_of(k + i);
		c = checksum_add(c, block[i]);
	}
	return c;
}

/* Count samples of block that are not k .. k + n (noting the first), fold all into the checksum. */
PRIVATE_DATA_ONLY static uint64_t check_block(const float *block, uint64_t k, size_t n, uint64_t c,
					      uint64_t *bad, uint64_t *first_bad)
{
	for (size_t i = 0; i < n; i++) {
		if (block[i] != value_of(k + i) && (*bad)++ == 0)
			*first_bad = k + i;
		c = checksum_add(c, block[i]);
	}
	return c;
}

static void *producer(void *arg)
{
	struct shared *sh = arg;
	static float block[MAX_BLOCK];
	unsigned seed = sh->seed;
	uint64_t k = 0, c = 0;

	while (k < sh->total) {
		size_t n = 1 + test_rand(&seed) % MAX_BLOCK, off = 0;

		if (n > sh->total - k)
			n = (size_t)(sh->total - k);
		c = make_block(block, k, n, c);
		while (off < n) {
			uint32_t w;
			const uint32_t room = RING_SAMPLES - (uint32_t)ring_get_write_index(&sh->ring, &w);
			const uint32_t got = room < n - off ? room : (uint32_t)(n - off);

			ring_write_data(&sh->ring, sh->buf, sizeof(float), w, block + off, got);
			ring_write_update(&sh->ring, w + got);
			off += got;
			if (got == 0)
				sched_yield(); /* full: let the consumer run (2 shared cores) */
		}
		k += n;
	}
	sh->checksum = c;
	return NULL;
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

static void test_stream(uint64_t total)
{
	static float block[MAX_BLOCK];
	static struct shared sh;
	unsigned seed = 0xc0ffee11u;
	uint64_t k = 0, c = 0, bad = 0, first_bad = UINT64_MAX, empty = 0;
	struct timespec t0;
	pthread_t th;

	sh.seed = 0x5eed1234u;
	sh.total = total;
	fprintf(stderr, "stream: %llu samples, ring %d, blocks 1..%d, seeds %#x %#x\n",
		(unsigned long long)sh.total, RING_SAMPLES, MAX_BLOCK, sh.seed, seed);
	CHECK(ring_init(&sh.ring, RING_SAMPLES) == 0);
	ring_reset(&sh.ring, START_INDEX);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(pthread_create(&th, NULL, producer, &sh) == 0);

	while (k < sh.total) {
		uint32_t i, want = 1 + test_rand(&seed) % MAX_BLOCK;
		const uint32_t avail = (uint32_t)ring_get_read_index(&sh.ring, &i);
		const uint32_t got = avail < want ? avail : want;

		if (got == 0) {
			empty++;
			sched_yield();
			continue;
		}
		ring_read_data(&sh.ring, sh.buf, sizeof(float), i, block, got);
		ring_read_update(&sh.ring, i + got);
		c = check_block(block, k, got, c, &bad, &first_bad);
		k += got;
	}
	CHECK(pthread_join(th, NULL) == 0);

	CHECK_MSG(bad == 0, "%llu wrong samples, first at %llu", (unsigned long long)bad,
		  (unsigned long long)first_bad);
	CHECK_MSG(c == sh.checksum, "checksum %#llx != producer's %#llx", (unsigned long long)c,
		  (unsigned long long)sh.checksum);
	uint32_t i;
	CHECK(ring_get_read_index(&sh.ring, &i) == 0);
	CHECK(i == START_INDEX + (uint32_t)total); /* the index wrapped (for totals > 2^19) */
	fprintf(stderr, "moved %llu samples in %.3f s; the consumer found the ring empty %llu times\n",
		(unsigned long long)k, seconds_since(&t0), (unsigned long long)empty);
}

/* ---- record round trip: request ring A -> B, reply ring B -> A ---------------------------- */

#define N_RECORDS 8
#define PAYLOAD 96

struct record {
	uint64_t seq;
	uint32_t len;
	float x[PAYLOAD];
};

struct trip {
	struct ring req, rep;
	struct record reqs[N_RECORDS], reps[N_RECORDS];
	uint64_t trips;
	uint64_t bad; /* B's count, read after join */
};

static float stamp(uint64_t k, uint32_t j)
{
	return (float)((uint32_t)(k * 131u + j) & 0xFFFFFFu);
}

/* B: answer every request with its sequence number and payload length, after checking it. */
static void *answerer(void *arg)
{
	struct trip *t = arg;
	uint64_t expect = 0;

	while (expect < t->trips) {
		uint32_t i, w;

		if (ring_get_read_index(&t->req, &i) < 1 ||
		    ring_get_write_index(&t->rep, &w) >= N_RECORDS) {
			sched_yield();
			continue;
		}
		const struct record *q = &t->reqs[i % N_RECORDS];
		struct record *p = &t->reps[w % N_RECORDS];
		t->bad += q->seq != expect || q->len != 1 + expect % PAYLOAD;
		for (uint32_t j = 0; j < q->len; j++)
			t->bad += q->x[j] != stamp(q->seq, j);
		p->seq = q->seq;
		p->len = q->len;
		ring_read_update(&t->req, i + 1); /* after the last read of q */
		ring_write_update(&t->rep, w + 1);
		expect++;
	}
	return NULL;
}

static void test_records(uint64_t trips)
{
	static struct trip t;
	uint64_t sent = 0, answered = 0, bad = 0;
	struct timespec t0;
	pthread_t th;

	t.trips = trips;
	CHECK(ring_init(&t.req, N_RECORDS) == 0 && ring_init(&t.rep, N_RECORDS) == 0);
	ring_reset(&t.req, UINT32_MAX - 1000);
	ring_reset(&t.rep, UINT32_MAX - 3);
	fprintf(stderr, "records: %llu round trips through %d-record rings\n",
		(unsigned long long)trips, N_RECORDS);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(pthread_create(&th, NULL, answerer, &t) == 0);
	while (answered < trips) {
		uint32_t w, i;
		bool idle = true;

		if (sent < trips && ring_get_write_index(&t.req, &w) < N_RECORDS) {
			struct record *q = &t.reqs[w % N_RECORDS];
			q->seq = sent;
			q->len = 1 + (uint32_t)(sent % PAYLOAD);
			for (uint32_t j = 0; j < q->len; j++)
				q->x[j] = stamp(sent, j);
			ring_write_update(&t.req, w + 1);
			sent++;
			idle = false;
		}
		if (ring_get_read_index(&t.rep, &i) > 0) {
			const struct record *p = &t.reps[i % N_RECORDS];
			bad += p->seq != answered || p->len != 1 + answered % PAYLOAD;
			ring_read_update(&t.rep, i + 1);
			answered++;
			idle = false;
		}
		if (idle)
			sched_yield();
	}
	CHECK(pthread_join(th, NULL) == 0);
	CHECK_MSG(bad == 0 && t.bad == 0, "%llu bad replies, %llu bad requests",
		  (unsigned long long)bad, (unsigned long long)t.bad);
	fprintf(stderr, "%llu round trips in %.3f s\n", (unsigned long long)answered,
		seconds_since(&t0));
}

static uint64_t total_samples = DEFAULT_SAMPLES;

static void test_stream_default(void)
{
	test_stream(total_samples);
}

static void test_records_default(void)
{
	test_records(total_samples / 500);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		total_samples = strtoull(argv[1], NULL, 0);
	RUN_TEST(test_stream_default);
	RUN_TEST(test_records_default);
	return test_finish();
}
