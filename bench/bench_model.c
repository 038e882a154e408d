/* SPDX-License-Identifier: MIT */
/*
 * Network benchmarks, per 10 ms frame: nn_forward() of the "vdfl" network with E = 64, n_gru = 2,
 * n_df = 96, df_order = 3 and H = 128 or 192 (the budget range of docs/architecture.md), with
 * every kernel set this CPU runs:
 *   nn.forward.h128.c, nn.forward.h128.avx2, nn.forward.h192.c, ...
 * Random weights (the cost does not depend on their values; no denormals: the inputs and weights
 * are O(1) and the activations saturate to normal floats). Each frame is timed on its own and all
 * repeats are pooled, so p99 and max see single slow frames.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "nn/cpu.h"
#include "nn/model.h"
#include "nn/network.h"

#define BENCH_NN_WARMUP_FRAMES 50 /* caches and branch predictors, not timed */

/* Stat names are string literals: an emit callback may keep the pointer. */
static const struct {
	uint32_t hidden;
	const char *isa, *name;
} bench_nn_names[] = {
	{ 128, "c", "nn.forward.h128.c" },       { 128, "avx2", "nn.forward.h128.avx2" },
	{ 128, "neon", "nn.forward.h128.neon" }, { 192, "c", "nn.forward.h192.c" },
	{ 192, "avx2", "nn.forward.h192.avx2" }, { 192, "neon", "nn.forward.h192.neon" },
};

static const char *bench_nn_name(uint32_t hidden, const char *isa)
{
	for (size_t i = 0; i < sizeof(bench_nn_names) / sizeof(bench_nn_names[0]); i++)
		if (bench_nn_names[i].hidden == hidden && strcmp(bench_nn_names[i].isa, isa) == 0)
			return bench_nn_names[i].name;
	return "nn.forward.other";
}

static int bench_one(bench_emit_fn emit, void *ctx, const struct vocana_model *m,
		     const struct nn_kernels *k, size_t frames, unsigned repeats, const char *name)
{
	const size_t n_feat = nn_model_n_features(m), n_coefs = nn_model_n_df_coefs(m);
	const size_t n_t = frames * repeats;
	float *features = malloc(frames * n_feat * sizeof(float));
	float *out = malloc((m->hp.n_erb + n_coefs + 1) * sizeof(float));
	double *t = malloc(n_t * sizeof(double));
	struct nn_state *s = NULL;
	struct bench_stat st = { .name = name, .unit = "us/frame", .repeats = repeats };
	uint32_t seed = 99;
	int res = -ENOMEM;

	if (!features || !out || !t)
		goto out;
	for (size_t i = 0; i < frames * n_feat; i++) {
		seed = seed * 1664525u + 1013904223u;
		features[i] = (float)(seed >> 8) * (2.0f / 16777216.0f) - 1.0f;
	}
	if ((res = nn_state_create_with_kernels(m, k, &s)) < 0)
		goto out;
	for (size_t i = 0; i < BENCH_NN_WARMUP_FRAMES; i++)
		nn_forward(s, features + (i % frames) * n_feat, out, out + m->hp.n_erb,
			   out + m->hp.n_erb + n_coefs);
	for (unsigned r = 0; r < repeats; r++) {
		nn_reset(s);
		for (size_t i = 0; i < frames; i++) {
			const double t0 = bench_now_us();

			nn_forward(s, features + i * n_feat, out, out + m->hp.n_erb,
				   out + m->hp.n_erb + n_coefs);
			t[r * frames + i] = bench_now_us() - t0;
		}
	}
	bench_summarize(&st, t, n_t);
	emit(ctx, &st);
	res = 0;
out:
	nn_state_destroy(s);
	free(features);
	free(out);
	free(t);
	return res;
}

int bench_model(bench_emit_fn emit, void *ctx, int quick)
{
	static const uint32_t hidden[] = { 128, 192 };
	const size_t frames = quick ? 100 : 500;
	const unsigned repeats = quick ? 2 : 10;
	const unsigned flags = nn_cpu_detect();
	const struct nn_kernels *const *all;
	size_t n_all;

	if (!emit)
		return -EINVAL;
	all = nn_kernels_all(&n_all);
	for (size_t h = 0; h < sizeof(hidden) / sizeof(hidden[0]); h++) {
		const struct nn_hparams hp = { .n_erb = NN_N_ERB, .n_df = 96, .df_order = 3,
					       .enc_dim = 64, .hidden = hidden[h], .n_gru = 2 };
		for (size_t k = 0; k < n_all; k++) {
			if ((all[k]->cpu_flags & flags) != all[k]->cpu_flags)
				continue;
			/* Weights as a real caller of this set holds them: f16 for the SIMD sets
			 * (widened in hardware), f32 for the scalar set (model_file.c). */
			struct vocana_model *m = NULL;
			int res = nn_model_create_random_as(&hp, 1234, 1.5f, all[k] != &nn_kernels_c, &m);
			if (res < 0)
				return res;
			res = bench_one(emit, ctx, m, all[k], frames, repeats,
					bench_nn_name(hidden[h], all[k]->name));
			vocana_model_free(m);
			if (res < 0)
				return res;
		}
	}
	return 0;
}
