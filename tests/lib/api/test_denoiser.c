/* SPDX-License-Identifier: MIT */
/* The public denoiser: constant latency for every block size, exact pass-through at strength 0
 * and in bypass, block-size independence, aliasing, bad input and bad arguments. The network
 * here has random weights (the pipeline, not the model's quality, is under test). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "model_builder.h"
#include "test_util.h"
#include "vocana/vocana.h"

#define N_SAMPLES (48000 * 2)

/* A random model with the given algorithmic delay (0: a file without the field, i.e. 480). */
static struct vocana_model *random_model_delay(unsigned seed, uint32_t delay)
{
	size_t size;
	unsigned char *bytes = mb_small_random_file(seed, delay, &size);
	struct vocana_model *m = NULL;
	if (!bytes || vocana_model_load_memory(bytes, size, &m) < 0)
		m = NULL;
	free(bytes);
	return m;
}

static struct vocana_model *random_model(unsigned seed)
{
	return random_model_delay(seed, 0);
}

static void fill_signal(float *x, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		x[i] = 0.3f * sinf(0.031f * (float)i) + 0.1f * test_randf(&seed);
}

/* Feed x through d in blocks: block > 0 fixed, block == 0 random multiples of granularity. */
static void run_blocks(struct vocana_denoiser *d, const float *x, float *y, size_t n, size_t block,
		       unsigned seed)
{
	size_t done = 0;
	while (done < n) {
		size_t len = block ? block : 1 + test_rand(&seed) % 1500;
		if (len > n - done)
			len = n - done;
		CHECK(vocana_denoiser_process(d, x + done, y + done, len) == 0);
		done += len;
	}
}

static double max_delayed_error(const float *x, const float *y, size_t n, size_t delay)
{
	double err = 0.0;
	for (size_t i = delay; i < n; i++)
		err = fmax(err, fabs((double)y[i] - (double)x[i - delay]));
	for (size_t i = 0; i < delay && i < n; i++) /* before the delay: silence */
		err = fmax(err, fabs((double)y[i]));
	return err;
}

/* Strength 0 passes the input through: out == in delayed by exactly the reported latency,
 * D + 480 - gcd(block, 480), for every block size, for the symmetric window (D = 480, a file
 * without the delay field) and low-delay pairs (D = 120, 32). */
static void test_latency_per_block_size(void)
{
	static const uint32_t delays[] = { 0, 120, 32 };
	float *x = malloc(N_SAMPLES * sizeof(float)), *y = malloc(N_SAMPLES * sizeof(float));
	fill_signal(x, N_SAMPLES, 11);
	const struct { uint32_t block; uint32_t latency; } cases[] = {
		{480, 480}, {960, 480}, {256, 928}, {128, 928}, {441, 957}, {0, 959}, {1, 959}, {4800, 480},
	};
	for (size_t c = 0; c < 3 * sizeof(cases) / sizeof(cases[0]); c++) {
		const size_t nc = sizeof(cases) / sizeof(cases[0]);
		const uint32_t delay = delays[c / nc] ? delays[c / nc] : 480;
		/* the table is for D = 480: every latency moves with D */
		const uint32_t latency = cases[c % nc].latency - 480 + delay;
		const uint32_t block = cases[c % nc].block;
		struct vocana_model *m = random_model_delay(7, delays[c / nc]);
		CHECK(m != NULL);
		struct vocana_denoiser *d = NULL;
		CHECK(vocana_denoiser_create(m, block, &d) == 0);
		if (!d) {
			vocana_model_free(m);
			continue;
		}
		CHECK_MSG(vocana_denoiser_latency_samples(d) == latency, "D %u block %u: latency %u",
			  delay, block, vocana_denoiser_latency_samples(d));
		CHECK(vocana_denoiser_set_strength(d, 0) == 0);
		vocana_denoiser_reset(d); /* start at the new strength instead of gliding to it */
		run_blocks(d, x, y, N_SAMPLES, block, 3);
		double err = max_delayed_error(x, y, N_SAMPLES, latency);
		CHECK_MSG(err < 1e-5, "D %u block %u: max error %g at delay %u", delay, block, err,
			  latency);
		/* ...and not at a neighbouring delay: the test can tell. */
		CHECK(max_delayed_error(x, y, N_SAMPLES, latency + 1) > 1e-3);
		vocana_denoiser_destroy(d);
		vocana_model_free(m);
	}
	free(x);
	free(y);
}

/* The same denoiser run with different block sizes produces the same signal, shifted only by
 * the difference in latency: the FIFO adds delay, never changes the audio. */
static void test_block_size_independence(void)
{
	struct vocana_model *m = random_model(8);
	float *x = malloc(N_SAMPLES * sizeof(float));
	float *a = malloc(N_SAMPLES * sizeof(float)), *b = malloc(N_SAMPLES * sizeof(float));
	fill_signal(x, N_SAMPLES, 12);
	struct vocana_denoiser *d480 = NULL, *dany = NULL;
	CHECK(vocana_denoiser_create(m, 480, &d480) == 0);
	CHECK(vocana_denoiser_create(m, 0, &dany) == 0);
	if (d480 && dany) {
		run_blocks(d480, x, a, N_SAMPLES, 480, 0);
		run_blocks(dany, x, b, N_SAMPLES, 0, 99);
		const size_t shift = 959 - 480;
		double err = 0.0, energy = 0.0;
		for (size_t i = 0; i + shift < N_SAMPLES; i++) {
			err = fmax(err, fabs((double)b[i + shift] - (double)a[i]));
			energy += (double)a[i] * a[i];
		}
		CHECK_MSG(err < 1e-6, "max difference %g", err);
		CHECK(energy > 1.0); /* the denoiser did output something */
	}
	vocana_denoiser_destroy(d480);
	vocana_denoiser_destroy(dany);
	free(x);
	free(a);
	free(b);
	vocana_model_free(m);
}

/* Bypass outputs the equally delayed input after a one-hop crossfade; leaving bypass returns to
 * the denoised signal. Both transitions are continuous. For the symmetric and a low-delay pair. */
static void check_bypass(uint32_t delay)
{
	struct vocana_model *m = random_model_delay(9, delay == 480 ? 0 : delay);
	float *x = malloc(N_SAMPLES * sizeof(float)), *y = malloc(N_SAMPLES * sizeof(float));
	float *wet = malloc(N_SAMPLES * sizeof(float));
	fill_signal(x, N_SAMPLES, 13);
	struct vocana_denoiser *d = NULL, *ref = NULL;
	CHECK(vocana_denoiser_create(m, 480, &d) == 0);
	CHECK(vocana_denoiser_create(m, 480, &ref) == 0);
	if (d && ref) {
		run_blocks(ref, x, wet, N_SAMPLES, 480, 0);
		const size_t on = 48000, off = 72000; /* hop-aligned switch points */
		run_blocks(d, x, y, on, 480, 0);
		vocana_denoiser_set_bypass(d, true);
		run_blocks(d, x + on, y + on, off - on, 480, 0);
		vocana_denoiser_set_bypass(d, false);
		run_blocks(d, x + off, y + off, N_SAMPLES - off, 480, 0);
		/* Before the switch: identical to the reference. */
		double e0 = 0.0;
		for (size_t i = 0; i < on; i++)
			e0 = fmax(e0, fabs((double)y[i] - wet[i]));
		CHECK_MSG(e0 < 1e-7, "before bypass: %g", e0);
		/* One hop after the switch: exactly the dry input delayed by the model's delay. */
		double e1 = 0.0;
		for (size_t i = on + 480; i < off; i++)
			e1 = fmax(e1, fabs((double)y[i] - x[i - delay]));
		CHECK_MSG(e1 < 1e-7, "D %u in bypass: %g", delay, e1);
		/* During the crossfade the output stays between dry and wet (no overshoot, no click). */
		for (size_t i = on; i < on + 480; i++) {
			double lo = fmin(wet[i], x[i - delay]) - 1e-6, hi = fmax(wet[i], x[i - delay]) + 1e-6;
			CHECK_MSG(y[i] >= lo && y[i] <= hi, "sample %zu outside the crossfade", i);
		}
		/* After leaving bypass the network kept running, so the output is the reference again. */
		double e2 = 0.0;
		for (size_t i = off + 480; i < N_SAMPLES; i++)
			e2 = fmax(e2, fabs((double)y[i] - wet[i]));
		CHECK_MSG(e2 < 1e-7, "after bypass: %g", e2);
	}
	vocana_denoiser_destroy(d);
	vocana_denoiser_destroy(ref);
	free(x);
	free(y);
	free(wet);
	vocana_model_free(m);
}

static void test_bypass(void)
{
	check_bypass(480);
	check_bypass(120);
}

/* A strength change glides: the attenuation-limit mix never jumps within one hop. */
static void test_strength_glide(void)
{
	struct vocana_model *m = random_model(10);
	float *x = malloc(N_SAMPLES * sizeof(float)), *y = malloc(N_SAMPLES * sizeof(float));
	fill_signal(x, N_SAMPLES, 14);
	struct vocana_denoiser *d = NULL;
	CHECK(vocana_denoiser_create(m, 480, &d) == 0);
	if (d) {
		CHECK(vocana_denoiser_get_strength(d) == 100);
		run_blocks(d, x, y, 48000, 480, 0);
		CHECK(vocana_denoiser_set_strength(d, 0) == 0);
		CHECK(vocana_denoiser_get_strength(d) == 0);
		run_blocks(d, x + 48000, y + 48000, N_SAMPLES - 48000, 480, 0);
		/* Distance from the dry input per hop shrinks over several hops, not in one step. */
		double prev = -1.0;
		int hops_changing = 0;
		for (size_t h = 100; h < 130; h++) {
			double e = 0.0;
			for (size_t i = h * 480; i < (h + 1) * 480; i++)
				e += fabs((double)y[i] - x[i - 480]);
			if (prev > 0.0 && e < prev * 0.97 && e > 1e-3)
				hops_changing++;
			prev = e;
		}
		CHECK_MSG(hops_changing >= 5, "mix changed over only %d hops", hops_changing);
		/* And it gets there: the end is the input, delayed. */
		double err = 0.0;
		for (size_t i = N_SAMPLES - 4800; i < N_SAMPLES; i++)
			err = fmax(err, fabs((double)y[i] - x[i - 480]));
		CHECK_MSG(err < 1e-5, "after the glide: %g", err);
	}
	vocana_denoiser_destroy(d);
	free(x);
	free(y);
	vocana_model_free(m);
}

/* in == out gives the same result as separate buffers; reset equals a fresh object. */
static void test_alias_and_reset(void)
{
	struct vocana_model *m = random_model(11);
	float *x = malloc(N_SAMPLES * sizeof(float)), *y = malloc(N_SAMPLES * sizeof(float));
	float *z = malloc(N_SAMPLES * sizeof(float));
	fill_signal(x, N_SAMPLES, 15);
	struct vocana_denoiser *d = NULL;
	CHECK(vocana_denoiser_create(m, 0, &d) == 0);
	if (d) {
		run_blocks(d, x, y, N_SAMPLES, 0, 5);
		vocana_denoiser_reset(d);
		memcpy(z, x, N_SAMPLES * sizeof(float));
		run_blocks(d, z, z, N_SAMPLES, 0, 5);
		CHECK(memcmp(y, z, N_SAMPLES * sizeof(float)) == 0);
		float v = vocana_denoiser_vad(d);
		CHECK(v >= 0.0f && v <= 1.0f);
	}
	vocana_denoiser_destroy(d);
	free(x);
	free(y);
	free(z);
	vocana_model_free(m);
}

/* NaN, Inf, huge and denormal input: the output stays finite, and clean audio afterwards is
 * processed normally again. */
static void test_bad_samples(void)
{
	struct vocana_model *m = random_model(12);
	float *x = malloc(N_SAMPLES * sizeof(float)), *y = malloc(N_SAMPLES * sizeof(float));
	fill_signal(x, N_SAMPLES, 16);
	for (size_t i = 10000; i < 10100; i++)
		x[i] = (i % 4 == 0) ? NAN : (i % 4 == 1) ? INFINITY : (i % 4 == 2) ? -1e30f : 1e-40f;
	struct vocana_denoiser *d = NULL;
	CHECK(vocana_denoiser_create(m, 480, &d) == 0);
	if (d) {
		run_blocks(d, x, y, N_SAMPLES, 480, 0);
		size_t bad = 0;
		for (size_t i = 0; i < N_SAMPLES; i++)
			bad += !isfinite(y[i]) || fabsf(y[i]) > 1e6f;
		CHECK_MSG(bad == 0, "%zu non-finite or huge output samples", bad);
	}
	vocana_denoiser_destroy(d);
	free(x);
	free(y);
	vocana_model_free(m);
}

static void test_bad_arguments(void)
{
	struct vocana_model *m = random_model(13);
	struct vocana_denoiser *d = NULL;
	float buf[512] = {0};
	CHECK(vocana_denoiser_create(m, 256, NULL) == -EINVAL);
	CHECK(vocana_denoiser_create(m, 256, &d) == 0);
	if (d) {
		CHECK(vocana_denoiser_process(d, buf, buf, 100) == -EINVAL); /* not a multiple of 32 */
		CHECK(vocana_denoiser_process(d, buf, buf, 96) == 0);
		CHECK(vocana_denoiser_process(d, NULL, buf, 32) == -EINVAL);
		CHECK(vocana_denoiser_process(d, buf, buf, 0) == 0);
		CHECK(vocana_denoiser_set_strength(d, 101) == -EINVAL);
		CHECK(vocana_denoiser_set_strength(d, -1) == -EINVAL);
		CHECK(vocana_denoiser_get_strength(d) == 100);
	}
	CHECK(vocana_denoiser_process(NULL, buf, buf, 32) == -EINVAL);
	vocana_denoiser_destroy(d);
	vocana_denoiser_destroy(NULL);
	vocana_model_free(m);
}

/* The embedded default model loads and runs. */
static void test_default_model(void)
{
	struct vocana_model *m = NULL;
	CHECK(vocana_model_load_default(&m) == 0);
	CHECK(m && vocana_model_parameter_count(m) > 1000);
	vocana_model_free(m);
	struct vocana_denoiser *d = NULL;
	CHECK(vocana_denoiser_create(NULL, 480, &d) == 0);
	float buf[480];
	fill_signal(buf, 480, 1);
	CHECK(d && vocana_denoiser_process(d, buf, buf, 480) == 0);
	vocana_denoiser_destroy(d);
}

int main(void)
{
	RUN_TEST(test_latency_per_block_size);
	RUN_TEST(test_block_size_independence);
	RUN_TEST(test_bypass);
	RUN_TEST(test_strength_glide);
	RUN_TEST(test_alias_and_reset);
	RUN_TEST(test_bad_samples);
	RUN_TEST(test_bad_arguments);
	RUN_TEST(test_default_model);
	return test_finish();
}
