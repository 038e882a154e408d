/* SPDX-License-Identifier: MIT */
/* Features: running-mean behaviour of the erb features, unit magnitude and level independence of
 * the df features, silence and garbage input, and vocana_dev_* (equal to the internal pieces run
 * step by step; frame alignment; -EINVAL on bad arguments). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dsp/features.h"
#include "dsp/stft.h"
#include "test_util.h"
#include "vocana/vocana_dev.h"

#define PI 3.14159265358979323846
#define N_DF 96
#define FEAT (VC_N_BANDS + 2 * N_DF)

/* Run a fresh STFT + feature state over n_hops hops of x; feats: n_hops * features_size(n_df). */
static void run_features(const float *x, size_t n_hops, uint32_t n_df, float *feats)
{
	static struct features f; /* static: it is a few KiB */
	float spec[2 * VC_BINS];
	struct stft *s = NULL;

	CHECK(features_init(&f, n_df) == 0);
	CHECK(stft_create(&s, VC_HOP) == 0);
	if (s == NULL)
		return;
	for (size_t t = 0; t < n_hops; t++) {
		stft_analyze(s, x + t * VC_HOP, spec);
		features_compute(&f, spec, feats + t * features_size(n_df));
	}
	stft_destroy(s);
}

static void test_constants(void)
{
	CHECK_NEAR(VC_NORM_ALPHA, exp(-1.0 / 100.0), 1e-8);
	CHECK(features_size(0) == VC_N_BANDS);
	CHECK(features_size(N_DF) == 224);
	CHECK(features_size(VC_MAX_DF) == VC_N_BANDS + 2 * 481);
	CHECK(features_size(VC_MAX_DF + 1) == 0);
	CHECK(features_init(NULL, 4) == -EINVAL);
}

/* A sine whose period divides the hop makes every frame after the first identical, so L_b is
 * constant from hop 1 on. The running mean is the plain mean of the hops so far during warm-up:
 * mu_t = (L_0 + t L) / (t + 1), so erb_t = (L - L_0) / (40 (t + 1)): hop 0 gives exactly 0 and the
 * ratio between hops t-1 and t is t / (t + 1). After that it decays by a per hop towards 0. */
static void test_erb_running_mean(void)
{
	const size_t n_hops = 1200;
	float *x = malloc(n_hops * VC_HOP * sizeof(float));
	float *feats = malloc(n_hops * FEAT * sizeof(float));

	if (x == NULL || feats == NULL)
		goto out;
	for (size_t n = 0; n < n_hops * VC_HOP; n++) /* 1 kHz: 48 samples a period */
		x[n] = 0.5f * (float)sin(2.0 * PI * (double)(n % 48) / 48.0);
	run_features(x, n_hops, N_DF, feats);

	for (unsigned b = 0; b < VC_N_BANDS; b++) {
		/* The first hop normalises by itself. */
		CHECK_MSG(fabsf(feats[b]) < 1e-6f, "band %u: first erb = %g", b, feats[b]);
		for (size_t t = 2; t < 50; t++) {
			float prev = feats[(t - 1) * FEAT + b], cur = feats[t * FEAT + b];
			double expect = (double)t / (double)(t + 1);
			if (fabsf(prev) > 1e-3f)
				CHECK_MSG(fabs(cur / prev - expect) < 2e-3, "band %u hop %zu: %g -> %g",
					  b, t, prev, cur);
		}
		/* Converged: the warm-up leaves (L - L_0)/40/100 after 100 hops, then a factor a per
		 * hop for 1100 more hops (e^-11). */
		CHECK_MSG(fabsf(feats[(n_hops - 1) * FEAT + b]) < 1e-3f, "band %u: erb = %g after %zu hops",
			  b, feats[(n_hops - 1) * FEAT + b], n_hops);
	}
	/* Hop 1 of the band holding the sine (1 kHz = bin 20): hop 0 saw only half a window of the
	 * sine, so L_1 > L_0 and erb_1 = (L_1 - L_0) / 80 > 0. */
	CHECK(feats[1 * FEAT + 9] > 0.0f);

	/* The df bin of the sine converges to unit magnitude. */
	float re = feats[(n_hops - 1) * FEAT + VC_N_BANDS + 2 * 20];
	float im = feats[(n_hops - 1) * FEAT + VC_N_BANDS + 2 * 20 + 1];
	CHECK_NEAR(hypotf(re, im), 1.0, 1e-3);
out:
	free(x);
	free(feats);
}

/* White noise: every df bin has mean magnitude ~1 once s_k has converged, whatever the level. */
static void test_df_unit_and_level_independent(void)
{
	const size_t n_hops = 1500, start = 700;
	float *x = malloc(n_hops * VC_HOP * sizeof(float));
	float *loud = malloc(n_hops * FEAT * sizeof(float));
	float *quiet = malloc(n_hops * FEAT * sizeof(float));
	unsigned seed = 555;

	if (x == NULL || loud == NULL || quiet == NULL)
		goto out;
	for (size_t n = 0; n < n_hops * VC_HOP; n++)
		x[n] = 0.5f * test_randf(&seed);
	run_features(x, n_hops, N_DF, loud);
	for (size_t n = 0; n < n_hops * VC_HOP; n++)
		x[n] *= 1.0f / 16.0f; /* 24 dB quieter; a power of two scales the spectrum exactly. Much
					 * quieter and the 1e-10 energy floor shows in the deepest dips. */
	run_features(x, n_hops, N_DF, quiet);

	for (unsigned k = 0; k < N_DF; k++) {
		double sum_mag = 0.0;
		for (size_t t = start; t < n_hops; t++) {
			const float *df = loud + t * FEAT + VC_N_BANDS;
			sum_mag += hypot(df[2 * k], df[2 * k + 1]);
		}
		double mean_mag = sum_mag / (double)(n_hops - start);
		CHECK_MSG(fabs(mean_mag - 1.0) < 0.1, "df bin %u: mean magnitude %g", k, mean_mag);
	}
	/* Level independence: after convergence the df and erb features of the quiet copy match. */
	double worst_df = 0.0, worst_erb = 0.0;
	for (size_t t = start; t < n_hops; t++) {
		for (unsigned i = 0; i < VC_N_BANDS; i++)
			worst_erb = fmax(worst_erb, fabs(loud[t * FEAT + i] - quiet[t * FEAT + i]));
		for (unsigned i = VC_N_BANDS; i < FEAT; i++)
			worst_df = fmax(worst_df, fabs(loud[t * FEAT + i] - quiet[t * FEAT + i]));
	}
	CHECK_MSG(worst_df < 1e-2, "df features depend on level: %g", worst_df);
	CHECK_MSG(worst_erb < 1e-2, "erb features depend on level: %g", worst_erb);
out:
	free(x);
	free(loud);
	free(quiet);
}

/* Digital silence does not move the normalisation: after 2000 silent hops the running means are
 * still their initial values, df features are exactly 0 (no 0/0) and erb features finite; garbage
 * input gives finite, bounded features; reset restores the initial means. */
static void test_silence_and_garbage(void)
{
	static struct features f;
	float x[VC_HOP] = { 0 }, spec[2 * VC_BINS], out[VC_N_BANDS + 2 * VC_MAX_DF];
	struct stft *s = NULL;
	unsigned seed = 8;

	CHECK(features_init(&f, VC_MAX_DF) == 0);
	CHECK(stft_create(&s, VC_HOP) == 0);
	if (s == NULL)
		return;
	for (int t = 0; t < 2000; t++) {
		stft_analyze(s, x, spec);
		features_compute(&f, spec, out);
	}
	CHECK(f.n_frames == 0);
	for (unsigned k = 0; k < VC_MAX_DF; k++) {
		CHECK(f.df_norm[k] == VC_DF_NORM_INIT);
		CHECK(out[VC_N_BANDS + 2 * k] == 0.0f && out[VC_N_BANDS + 2 * k + 1] == 0.0f);
	}
	for (unsigned b = 0; b < VC_N_BANDS; b++) {
		CHECK(f.erb_mean_db[b] == VC_ERB_MEAN_INIT_DB);
		CHECK_NEAR(out[b], (-100.0f - VC_ERB_MEAN_INIT_DB) / VC_ERB_FEATURE_SCALE_DB, 1e-4);
	}

	for (int t = 0; t < 20; t++) {
		for (unsigned n = 0; n < VC_HOP; n++)
			x[n] = t == 3 ? (n % 2 ? NAN : INFINITY) : t == 4 ? 3e38f : test_randf(&seed);
		stft_analyze(s, x, spec);
		features_compute(&f, spec, out);
		for (unsigned i = 0; i < VC_N_BANDS + 2 * VC_MAX_DF; i++)
			CHECK_MSG(isfinite(out[i]) && fabsf(out[i]) < 1e3f, "hop %d feature %u = %g", t, i,
				  out[i]);
	}
	features_reset(&f);
	CHECK(f.erb_mean_db[0] == VC_ERB_MEAN_INIT_DB && f.df_norm[VC_MAX_DF - 1] == VC_DF_NORM_INIT);
	stft_destroy(s);
}

/* Silence before a sound changes nothing: the features of noise preceded by 100 silent hops are
 * bit-identical to those of the same noise from a fresh start (both STFTs see zeros before the
 * first noise hop), and 150 silent hops in the middle of a noise leave the running means exactly
 * where they were, so the first hops after an unmute are normalised as before the mute. */
static void test_silence_does_not_move_means(void)
{
	enum { SIL = 100, NOISE = 150, MUTE = 150 };
	const size_t n = SIL + NOISE + MUTE + NOISE;
	float *x = calloc(n * VC_HOP, sizeof(float));
	float *with = malloc(n * FEAT * sizeof(float));
	float *alone = malloc(NOISE * FEAT * sizeof(float));
	static struct features f;
	float spec[2 * VC_BINS], out[FEAT], mu[VC_N_BANDS], sk[N_DF];
	struct stft *s = NULL;
	unsigned seed = 3;

	if (x == NULL || with == NULL || alone == NULL)
		goto out;
	for (size_t i = SIL * VC_HOP; i < (SIL + NOISE) * VC_HOP; i++)
		x[i] = 0.01f * test_randf(&seed);
	for (size_t i = (SIL + NOISE + MUTE) * VC_HOP; i < n * VC_HOP; i++)
		x[i] = 0.01f * test_randf(&seed);
	run_features(x, n, N_DF, with);
	run_features(x + SIL * VC_HOP, NOISE, N_DF, alone);
	CHECK(memcmp(with + SIL * FEAT, alone, NOISE * FEAT * sizeof(float)) == 0);

	CHECK(features_init(&f, N_DF) == 0);
	CHECK(stft_create(&s, VC_HOP) == 0);
	if (s == NULL)
		goto out;
	for (size_t t = 0; t < SIL + NOISE + MUTE; t++) {
		stft_analyze(s, x + t * VC_HOP, spec);
		features_compute(&f, spec, out);
		if (t == SIL + NOISE) { /* the first fully silent hop: the window still held noise before */
			memcpy(mu, f.erb_mean_db, sizeof(mu));
			memcpy(sk, f.df_norm, sizeof(sk));
		}
	}
	CHECK(memcmp(mu, f.erb_mean_db, sizeof(mu)) == 0);
	CHECK(memcmp(sk, f.df_norm, sizeof(sk)) == 0);
	stft_destroy(s);
out:
	free(x);
	free(with);
	free(alone);
}

static void test_dev_band_centers(void)
{
	uint32_t c[VOCANA_DEV_N_BANDS];
	struct bands b;

	bands_init(&b);
	CHECK(vocana_dev_band_centers(c) == VOCANA_DEV_N_BANDS);
	for (unsigned j = 0; j < VOCANA_DEV_N_BANDS; j++)
		CHECK(c[j] == b.center[j]);
	CHECK(vocana_dev_band_centers(NULL) == -EINVAL);
	CHECK(vocana_dev_feature_size(N_DF) == FEAT);
	CHECK(vocana_dev_feature_size(0) == VC_N_BANDS);
	CHECK(vocana_dev_feature_size(482) == 0);
}

static void test_dev_analyze(void)
{
	const size_t n_frames = 40;
	const uint32_t n_dfs[] = { 0, 1, N_DF, VC_MAX_DF };
	float *x = malloc(n_frames * VC_HOP * sizeof(float));
	float *feat = malloc(n_frames * features_size(VC_MAX_DF) * sizeof(float));
	float *feat2 = malloc(n_frames * features_size(VC_MAX_DF) * sizeof(float));
	float *want = malloc(n_frames * features_size(VC_MAX_DF) * sizeof(float));
	float *spec = malloc(n_frames * 2 * VC_BINS * sizeof(float));
	float *want_spec = malloc(n_frames * 2 * VC_BINS * sizeof(float));
	struct stft *s = NULL;
	unsigned seed = 1;

	if (!x || !feat || !feat2 || !want || !spec || !want_spec || stft_create(&s, VC_HOP) < 0)
		goto out;
	for (size_t n = 0; n < n_frames * VC_HOP; n++)
		x[n] = 0.3f * test_randf(&seed) + 0.2f * (float)sin(0.05 * (double)n);

	for (size_t i = 0; i < sizeof(n_dfs) / sizeof(n_dfs[0]); i++) {
		uint32_t n_df = n_dfs[i];
		size_t fs = features_size(n_df);

		run_features(x, n_frames, n_df, want);
		stft_reset(s);
		for (size_t t = 0; t < n_frames; t++)
			stft_analyze(s, x + t * VC_HOP, want_spec + t * 2 * VC_BINS);

		memset(feat, 0xff, n_frames * fs * sizeof(float)); /* NaN: catch unwritten values */
		memset(spec, 0xff, n_frames * 2 * VC_BINS * sizeof(float));
		CHECK(vocana_dev_analyze(x, n_frames, n_df, VC_HOP, feat, spec) == 0);
		CHECK_MSG(memcmp(feat, want, n_frames * fs * sizeof(float)) == 0, "n_df %u", n_df);
		CHECK(memcmp(spec, want_spec, n_frames * 2 * VC_BINS * sizeof(float)) == 0);
		/* Either output alone gives the same numbers. */
		CHECK(vocana_dev_analyze(x, n_frames, n_df, VC_HOP, feat2, NULL) == 0);
		CHECK(memcmp(feat2, want, n_frames * fs * sizeof(float)) == 0);
		memset(spec, 0, n_frames * 2 * VC_BINS * sizeof(float));
		CHECK(vocana_dev_analyze(x, n_frames, n_df, VC_HOP, NULL, spec) == 0);
		CHECK(memcmp(spec, want_spec, n_frames * 2 * VC_BINS * sizeof(float)) == 0);
	}

	/* Frame alignment, from the definition: frame t is the DFT of w * x[480(t-1) .. 480(t+1)). */
	for (size_t t = 0; t < 3; t++) {
		double sig = 0.0, err = 0.0;
		for (size_t k = 0; k < VC_BINS; k += 5) {
			double re = 0.0, im = 0.0;
			for (size_t n = 0; n < VC_WIN; n++) {
				long i = (long)(t * VC_HOP + n) - VC_HOP;
				double xs = i >= 0 ? x[i] : 0.0;
				double ws = sin(PI * ((double)n + 0.5) / VC_WIN);
				double w = sin(0.5 * PI * ws * ws);
				re += w * xs * cos(2.0 * PI * (double)(k * n % VC_WIN) / VC_WIN);
				im -= w * xs * sin(2.0 * PI * (double)(k * n % VC_WIN) / VC_WIN);
			}
			double dr = spec[t * 2 * VC_BINS + 2 * k] - re;
			double di = spec[t * 2 * VC_BINS + 2 * k + 1] - im;
			sig += re * re + im * im;
			err += dr * dr + di * di;
		}
		CHECK_MSG(10.0 * log10(sig / fmax(err, 1e-300)) > 60.0, "frame %zu misaligned", t);
	}

	/* Bad arguments. */
	CHECK(vocana_dev_analyze(NULL, n_frames, N_DF, VC_HOP, feat, NULL) == -EINVAL);
	CHECK(vocana_dev_analyze(x, n_frames, VC_MAX_DF + 1, VC_HOP, feat, NULL) == -EINVAL);
	CHECK(vocana_dev_analyze(x, SIZE_MAX, N_DF, VC_HOP, feat, NULL) == -EINVAL);
	CHECK(vocana_dev_analyze(x, (size_t)-1 / 1000, N_DF, VC_HOP, feat, spec) == -EINVAL);
	CHECK(vocana_dev_analyze(x, 0, N_DF, VC_HOP, NULL, NULL) == 0);        /* nothing to do */
	CHECK(vocana_dev_analyze(x, n_frames, N_DF, VC_HOP, NULL, NULL) == 0); /* nothing asked */
out:
	stft_destroy(s);
	free(x);
	free(feat);
	free(feat2);
	free(want);
	free(spec);
	free(want_spec);
}

int main(void)
{
	RUN_TEST(test_constants);
	RUN_TEST(test_erb_running_mean);
	RUN_TEST(test_df_unit_and_level_independent);
	RUN_TEST(test_silence_and_garbage);
	RUN_TEST(test_silence_does_not_move_means);
	RUN_TEST(test_dev_band_centers);
	RUN_TEST(test_dev_analyze);
	return test_finish();
}
