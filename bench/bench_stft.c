/* SPDX-License-Identifier: MIT */
/*
 * STFT and feature benchmarks, per 10 ms hop:
 *   stft.analysis_synthesis  stft_analyze() + stft_synthesize() with the spectrum unchanged
 *   features.compute         features_compute() with n_df = 96 (the default model)
 * Statistics are over per-frame timings (every hop timed on its own, all repeats pooled), not
 * per-repeat means: the real-time question is how long one hop can take, so p99 and max must see
 * single slow hops. A clock_gettime pair costs ~20-50 ns, well under 1 % of a hop's work.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "bench.h"
#include "dsp/dsp_constants.h"
#include "dsp/features.h"
#include "dsp/stft.h"

#define BENCH_N_DF 96
/* The embedded model's window pair (low-delay, 120 samples); the cost is the same for any pair. */
#define BENCH_STFT_DELAY 120
#define BENCH_WARMUP_FRAMES 50 /* cache and branch-predictor warm-up, not timed */

/* Deterministic white noise in [-0.5, 0.5): the FFT's cost does not depend on the data, but
 * denormal or all-zero input would take other paths. */
static void bench_fill_noise(float *x, size_t n, uint32_t *state)
{
	for (size_t i = 0; i < n; i++) {
		*state = *state * 1664525u + 1013904223u;
		x[i] = (float)(*state >> 8) * (1.0f / 16777216.0f) - 0.5f;
	}
}

int bench_stft(bench_emit_fn emit, void *ctx, int quick)
{
	const unsigned repeats = quick ? 3 : 20;
	const size_t frames = quick ? 200 : 1000;
	const size_t n_timings = repeats * frames;
	struct features *feat = NULL;
	struct stft *s = NULL;
	double *t_stft = NULL, *t_feat = NULL;
	float *in = NULL, *out = NULL, *spec = NULL, *fv = NULL;
	uint32_t seed = 12345;
	int res;

	if (emit == NULL)
		return -EINVAL;
	t_stft = malloc(n_timings * sizeof(double));
	t_feat = malloc(n_timings * sizeof(double));
	in = malloc(frames * VC_HOP * sizeof(float));
	out = malloc(VC_HOP * sizeof(float));
	spec = malloc(2 * VC_BINS * sizeof(float));
	fv = malloc(features_size(BENCH_N_DF) * sizeof(float));
	feat = malloc(sizeof(*feat));
	if (!t_stft || !t_feat || !in || !out || !spec || !fv || !feat) {
		res = -ENOMEM;
		goto out;
	}
	if ((res = stft_create(&s, BENCH_STFT_DELAY)) < 0 || (res = features_init(feat, BENCH_N_DF)) < 0)
		goto out;
	bench_fill_noise(in, frames * VC_HOP, &seed);

	for (size_t i = 0; i < BENCH_WARMUP_FRAMES; i++) {
		stft_analyze(s, in + (i % frames) * VC_HOP, spec);
		features_compute(feat, spec, fv);
		stft_synthesize(s, spec, out);
	}
	for (unsigned r = 0; r < repeats; r++) {
		for (size_t i = 0; i < frames; i++) {
			double t0 = bench_now_us();
			stft_analyze(s, in + i * VC_HOP, spec);
			stft_synthesize(s, spec, out);
			double t1 = bench_now_us();
			features_compute(feat, spec, fv);
			double t2 = bench_now_us();

			t_stft[r * frames + i] = t1 - t0;
			t_feat[r * frames + i] = t2 - t1;
		}
	}

	struct bench_stat st = { .name = "stft.analysis_synthesis", .unit = "us/frame",
				 .repeats = repeats };
	bench_summarize(&st, t_stft, n_timings);
	emit(ctx, &st);
	st.name = "features.compute";
	bench_summarize(&st, t_feat, n_timings);
	emit(ctx, &st);
	res = 0;

out:
	stft_destroy(s);
	free(feat);
	free(fv);
	free(spec);
	free(out);
	free(in);
	free(t_feat);
	free(t_stft);
	return res;
}
