/* SPDX-License-Identifier: MIT */
/* ERB bands: centre constraints, the pinned centre table, partition of unity, gain interpolation,
 * the energy scale (white noise of variance s^2 gives E_b ~ s^2 in every band) and cross-energies. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "dsp/bands.h"
#include "dsp/stft.h"
#include "test_util.h"

#define PI 3.14159265358979323846

static double erb_rate(double hz)
{
	return 21.4 * log10(1.0 + 0.00437 * hz);
}

static void test_centers(void)
{
	/* Pinned: trained models depend on these exact centres, so a change must be deliberate
	 * (and comes with retraining). The other checks below say why these values are right. */
	static const unsigned expected[VC_N_BANDS] = {
		0, 2, 4, 6, 8, 10, 12, 14, 17, 20, 24, 28, 33, 38, 44, 51,
		59, 68, 79, 91, 105, 121, 139, 160, 183, 211, 242, 278, 318, 365, 419, 480,
	};
	struct bands b, b2;
	unsigned n_linear = 0;

	bands_init(&b);
	CHECK(b.center[0] == 0);
	CHECK(b.center[VC_N_BANDS - 1] == VC_BINS - 1);
	for (unsigned j = 0; j + 1 < VC_N_BANDS; j++)
		CHECK_MSG(b.center[j + 1] >= b.center[j] + VC_BAND_MIN_SPACING, "gap %u: %u -> %u", j,
			  b.center[j], b.center[j + 1]);
	for (unsigned j = 0; j < VC_N_BANDS; j++)
		CHECK_MSG(b.center[j] == expected[j], "centre %u = %u, want %u", j, b.center[j],
			  expected[j]);

	/* The low end is linear at the minimum spacing up to some centre c_m, and above it the
	 * centres are uniform in ERB-rate up to rounding to a bin. (c_m is not simply the last
	 * centre at 2 m: with the current constants the ERB-uniform part happens to continue with
	 * gaps of 2 for a few centres.) */
	while (n_linear + 1 < VC_N_BANDS && b.center[n_linear + 1] == VC_BAND_MIN_SPACING * (n_linear + 1))
		n_linear++;
	CHECK(n_linear > 0 && n_linear < VC_N_BANDS - 2);
	bool found = false;
	for (unsigned m = 1; m <= n_linear && !found; m++) {
		double e0 = erb_rate(b.center[m] * VC_BIN_HZ), e1 = erb_rate(24000.0);
		double step = (e1 - e0) / (VC_N_BANDS - 1 - m);
		bool ok = true;
		for (unsigned j = m + 1; j < VC_N_BANDS; j++) {
			double f = b.center[j] * VC_BIN_HZ;
			double slope_per_bin = erb_rate(f + VC_BIN_HZ / 2) - erb_rate(f - VC_BIN_HZ / 2);
			ok = ok && fabs(erb_rate(f) - (e0 + step * (j - m))) <= 0.5 * slope_per_bin;
		}
		found = ok;
	}
	CHECK_MSG(found, "no split into a linear and an ERB-uniform part fits the centres");
	/* Uniform ERB-rate spacing from 0 Hz would break the minimum spacing at the low end: that is
	 * why there is a linear part at all. */
	CHECK((1.0 / 0.00437) * (pow(10.0, erb_rate(24000.0) / (VC_N_BANDS - 1) / 21.4) - 1.0) <
	      VC_BAND_MIN_SPACING * VC_BIN_HZ);

	bands_init(&b2);
	CHECK(memcmp(&b, &b2, sizeof(b)) == 0); /* deterministic */
}

/* Triangular weight of bin k in band j, straight from the definition. */
static double tri_weight(const struct bands *b, unsigned j, unsigned k)
{
	double c = b->center[j];

	if (k == c)
		return 1.0;
	if (k < c) {
		if (j == 0)
			return 0.0;
		double c_prev = b->center[j - 1];
		return k > c_prev ? (k - c_prev) / (c - c_prev) : 0.0;
	}
	if (j + 1 == VC_N_BANDS)
		return 0.0;
	double c_next = b->center[j + 1];
	return k < c_next ? (c_next - k) / (c_next - c) : 0.0;
}

static void test_weights(void)
{
	struct bands b;

	bands_init(&b);
	for (unsigned k = 0; k < VC_BINS; k++) {
		double sum = 0.0;
		for (unsigned j = 0; j < VC_N_BANDS; j++)
			sum += tri_weight(&b, j, k);
		CHECK_MSG(fabs(sum - 1.0) < 1e-12, "bin %u: triangles sum to %g", k, sum);

		unsigned lo = b.lo_band[k];
		CHECK(lo + 1 < VC_N_BANDS);
		CHECK_NEAR(b.lo_weight[k] + b.hi_weight[k], 1.0, 1e-6);
		CHECK_NEAR(b.lo_weight[k], tri_weight(&b, lo, k), 1e-6);
		CHECK_NEAR(b.hi_weight[k], tri_weight(&b, lo + 1, k), 1e-6);
	}
}

static void test_interp_gains(void)
{
	struct bands b;
	float g[VC_N_BANDS], bin_gain[VC_BINS];
	unsigned seed = 31337;

	bands_init(&b);
	for (unsigned j = 0; j < VC_N_BANDS; j++)
		g[j] = 0.37f;
	bands_interp_gains(&b, g, bin_gain);
	for (unsigned k = 0; k < VC_BINS; k++)
		CHECK_NEAR(bin_gain[k], 0.37f, 1e-6);

	/* Random gains: exact at the centres, linear (between neighbours) in between. */
	for (unsigned j = 0; j < VC_N_BANDS; j++)
		g[j] = 0.5f + 0.5f * test_randf(&seed);
	bands_interp_gains(&b, g, bin_gain);
	for (unsigned k = 0; k < VC_BINS; k++) {
		double want = 0.0;
		for (unsigned j = 0; j < VC_N_BANDS; j++)
			want += tri_weight(&b, j, k) * g[j];
		CHECK_NEAR(bin_gain[k], want, 1e-6);
	}
	for (unsigned j = 0; j < VC_N_BANDS; j++)
		CHECK_NEAR(bin_gain[b.center[j]], g[j], 1e-7);
}

static void test_energy_single_bin(void)
{
	struct bands b;
	float spec[2 * VC_BINS], e[VC_N_BANDS];

	bands_init(&b);
	/* |X_k|^2 = VC_HOP in one bin: E_b = w_b(k) / sum_k' w_b(k') for the bands touching it. */
	for (unsigned k = 0; k < VC_BINS; k += 7) {
		memset(spec, 0, sizeof(spec));
		spec[2 * k] = sqrtf(0.36f * VC_HOP);
		spec[2 * k + 1] = sqrtf(0.64f * VC_HOP);
		bands_energy(&b, spec, e);
		for (unsigned j = 0; j < VC_N_BANDS; j++) {
			double wsum = 0.0;
			for (unsigned kk = 0; kk < VC_BINS; kk++)
				wsum += tri_weight(&b, j, kk);
			CHECK_NEAR(e[j], tri_weight(&b, j, k) / wsum, 1e-5);
		}
	}
}

static void test_energy_white_noise(void)
{
	const unsigned n_hops = 1500;
	const double amp = 0.3, variance = amp * amp / 3.0; /* uniform in [-amp, amp) */
	double mean_e[VC_N_BANDS] = { 0 };
	float x[VC_HOP], spec[2 * VC_BINS], e[VC_N_BANDS];
	struct stft *s = NULL;
	struct bands b;
	unsigned seed = 2024;

	bands_init(&b);
	CHECK(stft_create(&s, VC_HOP) == 0);
	if (s == NULL)
		return;
	for (unsigned t = 0; t < n_hops; t++) {
		for (unsigned n = 0; n < VC_HOP; n++)
			x[n] = (float)amp * test_randf(&seed);
		stft_analyze(s, x, spec);
		if (t == 0)
			continue; /* half of the first frame is the silence before the start */
		bands_energy(&b, spec, e);
		for (unsigned j = 0; j < VC_N_BANDS; j++)
			mean_e[j] += e[j] / (n_hops - 1);
	}
	/* The narrowest bands average ~2 bins per frame, so their estimate over ~1500 half-overlapped
	 * frames has a relative standard deviation of about 3 %; 12 % is four sigma. */
	for (unsigned j = 0; j < VC_N_BANDS; j++)
		CHECK_MSG(fabs(mean_e[j] / variance - 1.0) < 0.12, "band %u: E = %.3g, variance %.3g", j,
			  mean_e[j], variance);
	stft_destroy(s);
}

static void test_energy_sine(void)
{
	/* A sine on a band centre puts nearly all its energy into that band and its neighbours. */
	struct stft *s = NULL;
	struct bands b;
	float x[VC_HOP], spec[2 * VC_BINS], e[VC_N_BANDS];

	bands_init(&b);
	CHECK(stft_create(&s, VC_HOP) == 0);
	if (s == NULL)
		return;
	for (unsigned j = 4; j < VC_N_BANDS - 1; j += 3) {
		double f = b.center[j] * VC_BIN_HZ;
		unsigned best = 0;

		stft_reset(s);
		for (unsigned t = 0; t < 2; t++) {
			for (unsigned n = 0; n < VC_HOP; n++)
				x[n] = (float)sin(2.0 * PI * f * (t * VC_HOP + n) / VC_SAMPLE_RATE);
			stft_analyze(s, x, spec);
		}
		bands_energy(&b, spec, e);
		for (unsigned i = 1; i < VC_N_BANDS; i++)
			if (e[i] > e[best])
				best = i;
		CHECK_MSG(best == j, "sine at centre of band %u peaks in band %u", j, best);
	}
	stft_destroy(s);
}

/* Cross-energies: of a spectrum with itself, its band energies; with -X, their negation; with a
 * spectrum rotated by 90 degrees (i X), zero. */
static void test_cross_energy(void)
{
	struct bands b;
	float x[2 * VC_BINS], y[2 * VC_BINS], e[VC_N_BANDS], c[VC_N_BANDS];
	unsigned seed = 7;

	bands_init(&b);
	for (unsigned k = 0; k < 2 * VC_BINS; k++)
		x[k] = test_randf(&seed);
	bands_energy(&b, x, e);
	bands_cross_energy(&b, x, x, c);
	for (unsigned j = 0; j < VC_N_BANDS; j++)
		CHECK_MSG(fabsf(c[j] - e[j]) <= 1e-6f * e[j], "band %u: %g vs %g", j, c[j], e[j]);
	for (unsigned k = 0; k < 2 * VC_BINS; k++)
		y[k] = -x[k];
	bands_cross_energy(&b, x, y, c);
	for (unsigned j = 0; j < VC_N_BANDS; j++)
		CHECK_MSG(fabsf(c[j] + e[j]) <= 1e-6f * e[j], "band %u: %g vs %g", j, c[j], -e[j]);
	for (unsigned k = 0; k < VC_BINS; k++) {
		y[2 * k] = -x[2 * k + 1];
		y[2 * k + 1] = x[2 * k];
	}
	bands_cross_energy(&b, x, y, c);
	for (unsigned j = 0; j < VC_N_BANDS; j++)
		CHECK_MSG(fabsf(c[j]) <= 1e-6f * e[j], "band %u: %g", j, c[j]);
}

int main(void)
{
	RUN_TEST(test_centers);
	RUN_TEST(test_weights);
	RUN_TEST(test_interp_gains);
	RUN_TEST(test_energy_single_bin);
	RUN_TEST(test_energy_white_noise);
	RUN_TEST(test_energy_sine);
	RUN_TEST(test_cross_energy);
	return test_finish();
}
