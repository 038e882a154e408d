/* SPDX-License-Identifier: MIT */
/* Minimal test helpers: every failed check prints file:line and the test exits non-zero. */
#ifndef VOCANA_TEST_UTIL_H
#define VOCANA_TEST_UTIL_H

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int test_failures;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
			test_failures++;                                               \
		}                                                                      \
	} while (0)

#define CHECK_MSG(cond, ...)                                                           \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: CHECK failed: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                  \
			fputc('\n', stderr);                                           \
			test_failures++;                                               \
		}                                                                      \
	} while (0)

#define CHECK_NEAR(a, b, tol)                                                          \
	CHECK_MSG(fabs((double)(a) - (double)(b)) <= (tol), "%s = %.9g, %s = %.9g, tol %.3g", #a, \
		  (double)(a), #b, (double)(b), (double)(tol))

/* Run one test function and report it by name. */
#define RUN_TEST(fn)                                                                   \
	do {                                                                           \
		int before_ = test_failures;                                           \
		fn();                                                                  \
		fprintf(stderr, "%s %s\n", test_failures == before_ ? "ok  " : "FAIL", #fn); \
	} while (0)

static inline int test_finish(void)
{
	if (test_failures)
		fprintf(stderr, "%d check(s) failed\n", test_failures);
	return test_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Deterministic xorshift PRNG so failures reproduce; print the seed you use. */
static inline unsigned test_rand(unsigned *state)
{
	unsigned x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static inline float test_randf(unsigned *state) /* uniform in [-1, 1) */
{
	return (float)((test_rand(state) >> 8) * (2.0 / 16777216.0) - 1.0);
}

/* Append n_frames frames of ch floats to the growable buffer (*x, *n frames, *cap frames).
 * Returns 0 or -ENOMEM (the buffer is then unchanged). */
static inline int test_append_frames(float **x, size_t *n, size_t *cap, size_t ch,
				     const float *frames, size_t n_frames)
{
	if (*n + n_frames > *cap) {
		size_t bigger_cap = 2 * (*n + n_frames);
		float *bigger = realloc(*x, bigger_cap * ch * sizeof(float));
		if (bigger == NULL)
			return -ENOMEM;
		*x = bigger;
		*cap = bigger_cap;
	}
	memcpy(*x + *n * ch, frames, n_frames * ch * sizeof(float));
	*n += n_frames;
	return 0;
}

/* Index of the largest |x[i * stride + offset]| for i < n: where an impulse landed. */
static inline size_t test_peak_index(const float *x, size_t n, size_t stride, size_t offset)
{
	size_t best = 0;

	for (size_t i = 0; i < n; i++)
		if (fabsf(x[i * stride + offset]) > fabsf(x[best * stride + offset]))
			best = i;
	return best;
}

#endif
