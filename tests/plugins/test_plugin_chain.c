/* SPDX-License-Identifier: MIT */
/*
 * The plugins' shared core (src/plugins/plugin_core.h, plugin_chain.h) at every sample rate it
 * accepts: the latency it reports is the delay it has, to the sample; the output FIFO never runs
 * dry whatever the block size (1, 7, 480, 8192, random); the result does not depend on how the
 * host chops its blocks; rates outside 8..384 kHz are refused with a message.
 *
 * At strength 0 the denoiser passes its input through exactly (docs/architecture.md), so the
 * chain is the converters and delays alone: a band-limited input must come out unchanged,
 * delayed by the reported latency.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugin_chain.h"
#include "plugins/plugin_core.h"
#include "test_util.h"

/* Band-limited test signal: a few sines below 0.4 * rate (inside every converter's passband,
 * libsamplerate's medium sinc keeps 90 % of the band), 0.1 s of silence first. */
static float *make_signal(uint32_t rate, size_t n)
{
	float *x = calloc(n, sizeof(float));
	const double f[] = { 97.0, 443.0, 1201.0, 2999.0 };
	const size_t lead = rate / 10;

	for (size_t t = lead; t < n; t++)
		for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
			if (f[k] < 0.4 * rate)
				x[t] += 0.1f * (float)sin(2.0 * M_PI * f[k] * (double)t / rate + k);
	return x;
}

/* Run a mono instance over x in blocks from sizes[] (cycled; n_sizes 0: random sizes 1..2048
 * from *seed), strength/enable fixed. */
static float *run_blocks(struct vp_instance *vp, const float *x, size_t n, const size_t *sizes,
			 size_t n_sizes, float strength, float enable, unsigned *seed)
{
	float *y = malloc(n * sizeof(float));
	size_t i = 0, b = 0;

	for (size_t k = 0; k < n; k++)
		y[k] = -1.0f; /* unwritten samples would show */
	while (i < n) {
		size_t m = n_sizes ? sizes[b++ % n_sizes] : 1 + test_rand(seed) % 2048;
		if (m > n - i)
			m = n - i;
		const float *in[1] = { x + i };
		float *out[1] = { y + i };
		vp_instance_run(vp, in, out, m, strength, enable);
		i += m;
	}
	return y;
}

/* 10 log10(signal / error) of y[t + lag] against x[t], t from t0 to where y ends. */
static double snr_at(const float *x, const float *y, size_t n, size_t lag, size_t t0)
{
	double s = 0.0, e = 0.0;

	for (size_t t = t0; t + lag < n; t++) {
		double d = (double)y[t + lag] - x[t];
		s += (double)x[t] * x[t];
		e += d * d;
	}
	return e > 0.0 ? 10.0 * log10(s / e) : 300.0;
}

/* Integer lag in [lo, hi] at which y best matches x (plain cross-correlation). */
static size_t best_lag(const float *x, const float *y, size_t n, size_t lo, size_t hi)
{
	double best = -INFINITY;
	size_t arg = 0;

	for (size_t lag = lo; lag <= hi; lag++) {
		double c = 0.0;
		for (size_t t = 0; t + lag < n; t++)
			c += (double)x[t] * y[t + lag];
		if (c > best) {
			best = c;
			arg = lag;
		}
	}
	return arg;
}

static void test_rates(void)
{
	/* Every common rate, and odd ones: 37800 Hz (whole latency with a 48 kHz pad), 44056 and
	 * 383950 Hz (no small pad exists: the latency is rounded; at 383950 Hz 1024 samples at
	 * 48 kHz become more than the resampler's scratch: fed in pieces). */
	static const uint32_t rates[] = { 8000, 11025, 16000, 22050, 24000, 32000, 37800, 44100,
					  48000, 88200, 96000, 176400, 192000, 384000, 383950,
					  44056 };
	static const size_t sizes_a[] = { 1 }, sizes_b[] = { 8192 };
	static const size_t sizes_c[] = { 7, 480, 1, 1023, 1024, 1025, 3, 8192, 256, 2048 };

	for (size_t r = 0; r < sizeof(rates) / sizeof(rates[0]); r++) {
		const uint32_t rate = rates[r];
		const size_t n = rate / 2; /* 0.5 s */
		float *x = make_signal(rate, n), *y1, *y2, *y3, *y4;
		unsigned seed = 1234u + rate;
		struct vp_instance *vp = NULL;
		char err[256];
		uint32_t lat;
		double snr;
		int res;

		res = vp_instance_create(1, rate, &vp, err, sizeof(err));
		CHECK_MSG(res == 0, "%u Hz: %s", rate, err);
		if (res < 0) {
			free(x);
			continue;
		}
		lat = vp_instance_latency(vp);
		vp_instance_activate(vp);
		y1 = run_blocks(vp, x, n, sizes_a, 1, 0.0f, 1.0f, NULL);
		CHECK_MSG(vp_instance_faults(vp) == 0, "%u Hz, blocks of 1: %llu faults", rate,
			  (unsigned long long)vp_instance_faults(vp));
		vp_instance_activate(vp);
		y2 = run_blocks(vp, x, n, sizes_b, 1, 0.0f, 1.0f, NULL);
		CHECK_MSG(vp_instance_faults(vp) == 0, "%u Hz, blocks of 8192: faults", rate);
		vp_instance_activate(vp);
		y3 = run_blocks(vp, x, n, sizes_c, sizeof(sizes_c) / sizeof(sizes_c[0]), 0.0f, 1.0f,
				NULL);
		CHECK_MSG(vp_instance_faults(vp) == 0, "%u Hz, mixed blocks: faults", rate);
		vp_instance_activate(vp);
		y4 = run_blocks(vp, x, n, NULL, 0, 0.0f, 1.0f, &seed);
		CHECK_MSG(vp_instance_faults(vp) == 0, "%u Hz, random blocks (seed %u): faults", rate,
			  1234u + rate);

		/* However the host chops its blocks, the output is the same. */
		CHECK_MSG(memcmp(y1, y2, n * sizeof(float)) == 0 &&
				  memcmp(y1, y3, n * sizeof(float)) == 0 &&
				  memcmp(y1, y4, n * sizeof(float)) == 0,
			  "%u Hz: output depends on the block size", rate);
		snr = snr_at(x, y1, n, lat, 0);
		size_t lag = best_lag(x, y1, n, lat > 64 ? lat - 64 : 0, lat + 64);
		fprintf(stderr, "# %6u Hz: latency %4u samples (%.2f ms), best lag %zu, "
				"strength-0 round trip %.1f dB\n",
			rate, lat, 1000.0 * lat / rate, lag, snr);
		if (rate == 44056 || rate == 383950) { /* rounded: within a sample */
			CHECK_MSG(lag + 1 >= lat && lag <= lat + 1, "%u Hz: lag %zu, latency %u", rate,
				  lag, lat);
		} else {
			CHECK_MSG(lag == lat, "%u Hz: best lag %zu, reported %u", rate, lag, lat);
			/* 48 kHz: the STFT round trip alone (float rounding); else the two
			 * converters' passband ripple and stopband leakage. */
			CHECK_MSG(snr >= (rate == 48000 ? 100.0 : 40.0),
				  "%u Hz: strength 0 is not the delayed input (%.1f dB)", rate, snr);
		}
		/* Latency: the denoiser's 599 samples at 48 kHz, elsewhere plus the converters'
		 * look-ahead (about 46 samples of the lower rate each at medium quality) and the
		 * prefill's margin: a budget, so that a change that adds delay shows up here. */
		const double lat48 = 599.0 * rate / 48000;
		const double look = 2 * 48 * (rate > 48000 ? rate / 48000.0 : 1.0);
		CHECK_MSG(lat >= (uint32_t)lat48 && lat <= (uint32_t)ceil(lat48 + look) + 6,
			  "%u Hz: latency %u", rate, lat);
		vp_instance_destroy(vp);
		free(x);
		free(y1);
		free(y2);
		free(y3);
		free(y4);
	}
}

static void test_refused_rates(void)
{
	static const double bad[] = { 0.0, 4000.0, 7999.0, 384001.0, 1e9, 44100.5, -48000.0, NAN };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vp_instance *vp = (void *)1;
		char err[256];
		int res = vp_instance_create(1, bad[i], &vp, err, sizeof(err));

		CHECK_MSG(res == -ENOTSUP, "%g Hz accepted (%d)", bad[i], res);
		CHECK(vp == NULL);
		CHECK_MSG(strstr(err, "sample rate") != NULL && strstr(err, "8000") != NULL,
			  "unclear refusal: '%s'", err);
	}
	CHECK(vp_instance_create(0, 48000, &(struct vp_instance *){ NULL }, NULL, 0) == -EINVAL);
	CHECK(vp_instance_create(3, 48000, &(struct vp_instance *){ NULL }, NULL, 0) == -EINVAL);
}

/* Many instances at once share one model: creating them in any order and destroying them in any
 * order works (ASan checks the reference count frees it exactly once, at the end). */
static void test_shared_model(void)
{
	struct vp_instance *vp[6] = { NULL };

	for (int i = 0; i < 6; i++)
		CHECK(vp_instance_create(1 + i % 2, i % 3 ? 48000 : 44100, &vp[i], NULL, 0) == 0);
	vp_instance_destroy(vp[2]);
	vp_instance_destroy(vp[0]);
	CHECK(vp_instance_create(2, 16000, &vp[0], NULL, 0) == 0);
	for (int i = 5; i >= 0; i--)
		if (i != 2)
			vp_instance_destroy(vp[i]);
}

int main(void)
{
	RUN_TEST(test_refused_rates);
	RUN_TEST(test_shared_model);
	RUN_TEST(test_rates);
	return test_finish();
}
