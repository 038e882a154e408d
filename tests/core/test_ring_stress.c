/* SPDX-License-Identifier: MIT */
/*
 * Two threads hammer one float ring: the producer writes a deterministic sequence in random block
 * sizes, the consumer reads in other random block sizes and checks every sample plus a checksum.
 * Lost, duplicated, reordered or torn samples, or a missing acquire/release (ThreadSanitizer
 * reports the race on the slots), all fail it.
 *
 * usage: test_ring_stress [n_samples]   (default 1e8)
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "core/ring.h"
#include "test_util.h"

#define RING_SAMPLES 8192
#define MAX_BLOCK 2048
#define DEFAULT_SAMPLES 100000000ull

struct shared {
	struct ring *ring;
	uint64_t total;
	unsigned seed;
	uint64_t checksum; /* producer's, read after join */
};

/*
 * The per-sample loops below only touch thread-private blocks, never the ring: instrumenting them
 * under ThreadSanitizer would only slow the test down (most of its run time). The ring's own
 * accesses, in ring.c, stay fully instrumented, and those are what the race check is about.
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
			size_t got = ring_write(sh->ring, block + off, n - off);

			off += got;
			if (got == 0)
				sched_yield(); /* full: let the consumer run (2 shared cores) */
		}
		k += n;
	}
	sh->checksum = c;
	return NULL;
}

int main(int argc, char **argv)
{
	static float block[MAX_BLOCK];
	struct shared sh = {.seed = 0x5eed1234u};
	unsigned seed = 0xc0ffee11u;
	uint64_t k = 0, c = 0, bad = 0, first_bad = UINT64_MAX;
	struct ring_stats st;
	struct timespec t0, t1;
	pthread_t th;

	sh.total = argc > 1 ? strtoull(argv[1], NULL, 0) : DEFAULT_SAMPLES;
	fprintf(stderr, "ring stress: %llu samples, ring %d, blocks 1..%d, seeds %#x %#x\n",
		(unsigned long long)sh.total, RING_SAMPLES, MAX_BLOCK, sh.seed, seed);
	CHECK(ring_create(RING_SAMPLES, &sh.ring) == 0);
	if (!sh.ring)
		return test_finish();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(pthread_create(&th, NULL, producer, &sh) == 0);

	while (k < sh.total) {
		size_t want = 1 + test_rand(&seed) % MAX_BLOCK;
		size_t got = ring_read(sh.ring, block, want);

		if (got == 0) {
			sched_yield();
			continue;
		}
		c = check_block(block, k, got, c, &bad, &first_bad);
		k += got;
	}
	CHECK(pthread_join(th, NULL) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	CHECK_MSG(bad == 0, "%llu wrong samples, first at %llu", (unsigned long long)bad,
		  (unsigned long long)first_bad);
	CHECK_MSG(c == sh.checksum, "checksum %#llx != producer's %#llx", (unsigned long long)c,
		  (unsigned long long)sh.checksum);
	CHECK(ring_read_available(sh.ring) == 0);
	ring_get_stats(sh.ring, &st);
	fprintf(stderr, "moved %llu samples in %.3f s; %llu overruns, %llu underruns\n",
		(unsigned long long)k,
		(double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec),
		(unsigned long long)st.n_overruns, (unsigned long long)st.n_underruns);
	ring_destroy(sh.ring);
	return test_finish();
}
