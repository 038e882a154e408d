/* SPDX-License-Identifier: MIT */
/* Streaming resampler: lengths, timing (an impulse stays where it was), independence from how
 * the input is chopped up, quality of a round trip, and misuse. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/resample.h"
#include "test_util.h"

struct sink {
	float *x;
	size_t n, cap, ch;
};

static int collect(void *ctx, const float *frames, size_t n_frames)
{
	struct sink *s = ctx;

	return test_append_frames(&s->x, &s->n, &s->cap, s->ch, frames, n_frames);
}

/* Resample x (n frames) pushing chunk frames at a time; 0 = one push. */
static struct sink convert(uint32_t in_hz, uint32_t out_hz, uint32_t ch, const float *x, size_t n,
			   size_t chunk)
{
	struct sink s = { NULL, 0, 0, ch };
	struct resampler *r = NULL;

	CHECK(resampler_create(&r, in_hz, out_hz, ch, RESAMPLER_FILE) == 0);
	if (r == NULL)
		return s;
	CHECK(resampler_delay_frames(r) == 0);
	if (chunk == 0)
		chunk = n;
	for (size_t i = 0; i < n; i += chunk)
		CHECK(resampler_push(r, x + i * ch, n - i < chunk ? n - i : chunk, collect, &s) == 0);
	CHECK(resampler_finish(r, collect, &s) == 0);
	resampler_destroy(r);
	return s;
}

static void test_impulse_timing(void)
{
	static const uint32_t pairs[][2] = {
		{ 44100, 48000 }, { 48000, 44100 }, { 16000, 48000 }, { 48000, 16000 }, { 8000, 48000 },
		{ 22050, 48000 }, { 384000, 48000 }, { 48000, 96000 }, { 11025, 48000 },
	};

	for (size_t k = 0; k < sizeof(pairs) / sizeof(pairs[0]); k++) {
		uint32_t in_hz = pairs[k][0], out_hz = pairs[k][1];
		size_t n = in_hz / 4; /* 0.25 s */
		size_t at[2] = { n / 3, n / 2 + 17 }; /* different position per channel */
		float *x = calloc(n * 2, sizeof(float));
		struct sink s;
		double ratio = (double)out_hz / in_hz;

		x[at[0] * 2 + 0] = 1.0f;
		x[at[1] * 2 + 1] = -0.8f;
		s = convert(in_hz, out_hz, 2, x, n, 997);
		CHECK_MSG(s.n == (size_t)floor(n * ratio) || s.n == (size_t)floor(n * ratio) + 1,
			  "%u -> %u: %zu frames for %zu", in_hz, out_hz, s.n, n);
		for (size_t c = 0; c < 2; c++) {
			double expect = at[c] * ratio;
			size_t got = test_peak_index(s.x, s.n, 2, c);
			CHECK_MSG(fabs((double)got - expect) <= 1.0, "%u -> %u ch %zu: peak at %zu, expected %.2f",
				  in_hz, out_hz, c, got, expect);
		}
		free(x);
		free(s.x);
	}
}

static void test_chunking_does_not_matter(void)
{
	unsigned seed = 77;
	size_t n = 20000;
	float *x = malloc(n * sizeof(float));
	struct sink ref, s;
	static const size_t chunks[] = { 1, 7, 480, 4096, 20000 };

	for (size_t i = 0; i < n; i++)
		x[i] = 0.5f * test_randf(&seed);
	ref = convert(44100, 48000, 1, x, n, 0);
	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		double max_err = 0;
		s = convert(44100, 48000, 1, x, n, chunks[k]);
		CHECK_MSG(s.n == ref.n, "chunk %zu: %zu frames, expected %zu", chunks[k], s.n, ref.n);
		for (size_t i = 0; i < s.n && i < ref.n; i++)
			max_err = fmax(max_err, fabs(s.x[i] - ref.x[i]));
		CHECK_MSG(max_err < 1e-5, "chunk %zu: max difference %g", chunks[k], max_err);
		free(s.x);
	}
	free(ref.x);
	free(x);
}

/* 1 kHz there and back: the middle must match the original to better than -60 dB. */
static void test_round_trip_quality(void)
{
	static const uint32_t rates[] = { 44100, 16000, 8000, 96000 };

	for (size_t k = 0; k < sizeof(rates) / sizeof(rates[0]); k++) {
		size_t n = rates[k] / 2;
		float *x = malloc(n * sizeof(float));
		struct sink up, down;
		double err = 0, sig = 0;

		for (size_t i = 0; i < n; i++)
			x[i] = 0.5f * (float)sin(2 * M_PI * 1000.0 * i / rates[k]);
		up = convert(rates[k], 48000, 1, x, n, 1000);
		down = convert(48000, rates[k], 1, up.x, up.n, 1000);
		CHECK(down.n + 1 >= n && down.n <= n);
		for (size_t i = n / 4; i < 3 * n / 4 && i < down.n; i++) {
			err += (down.x[i] - x[i]) * (double)(down.x[i] - x[i]);
			sig += x[i] * (double)x[i];
		}
		CHECK_MSG(10 * log10(sig / (err + 1e-30)) > 60, "%u Hz round trip SNR %.1f dB", rates[k],
			  10 * log10(sig / (err + 1e-30)));
		free(x);
		free(up.x);
		free(down.x);
	}
}

static int failing_emit(void *ctx, const float *frames, size_t n_frames)
{
	(void)ctx;
	(void)frames;
	(void)n_frames;
	return -ENOSPC;
}

static void test_misuse(void)
{
	struct resampler *r = NULL;
	float x[4096] = { 0 };

	CHECK(resampler_create(&r, 0, 48000, 1, RESAMPLER_FILE) == -EINVAL && r == NULL);
	CHECK(resampler_create(&r, 48000, 48000, 0, RESAMPLER_FILE) == -EINVAL && r == NULL);
	CHECK(resampler_create(&r, 100, 48000, 1, RESAMPLER_FILE) == -EINVAL && r == NULL); /* 480 > 256 */
	CHECK(resampler_create(&r, 16000, 48000, 1, (enum resampler_quality)9) == -EINVAL && r == NULL);
	CHECK(resampler_create(&r, 16000, 48000, 1, RESAMPLER_FILE) == 0);
	if (r == NULL)
		return;
	CHECK(resampler_push(r, x, 4096, failing_emit, NULL) == -ENOSPC); /* emit errors come back */
	CHECK(resampler_finish(r, failing_emit, NULL) == -ENOSPC);
	resampler_reset(r);
	{
		struct sink s = { NULL, 0, 0, 1 };
		CHECK(resampler_finish(r, collect, &s) == 0);
		CHECK(resampler_push(r, x, 10, collect, &s) == -EINVAL); /* after finish */
		free(s.x);
	}
	resampler_destroy(r);
	resampler_destroy(NULL);
}

int main(void)
{
	RUN_TEST(test_impulse_timing);
	RUN_TEST(test_chunking_does_not_matter);
	RUN_TEST(test_round_trip_quality);
	RUN_TEST(test_misuse);
	return test_finish();
}
