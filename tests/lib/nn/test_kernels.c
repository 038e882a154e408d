/* SPDX-License-Identifier: MIT */
/*
 * Kernel sets (src/lib/nn/kernels_*.c): the scalar set against double-precision references, every
 * SIMD set this CPU runs against the scalar set (1e-5 relative), at sizes that reach the SIMD
 * bodies and their tails; f16-weight gemv and GRU against the same set's f32 kernels on the
 * widened weights (bit-identical); the half conversion for every half value; plus the run-time
 * dispatch and its overrides.
 */
#include <errno.h>
#include <float.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <xmmintrin.h>
#endif

#include "model_builder.h"
#include "nn/cpu.h"
#include "nn/half.h"
#include "nn/kernels.h"
#include "nn/kernels_approx.h"
#include "test_util.h"

static const size_t sizes[] = { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 64, 100, 192, 481 };
#define N_SIZES (sizeof(sizes) / sizeof(sizes[0]))

/* SIMD vs scalar: 1e-5 relative, plus an absolute floor scaled by the size of the terms (a dot
 * product's rounding error is relative to sum |w x|, not to the possibly cancelled result). */
static int close_rel(double a, double b, double scale)
{
	return a == b || fabs(a - b) <= 1e-5 * fabs(b) + 1e-6 * scale;
}

static float *random_vec(size_t n, float amp, unsigned *rng)
{
	/* +1: tests use offset pointers, so rows start unaligned as they do in real models. */
	float *v = malloc((n + 1) * sizeof(float));

	for (size_t i = 0; i < n + 1; i++)
		v[i] = amp * test_randf(rng);
	return v;
}

/* Sets this CPU can run, other than the scalar one. */
static size_t simd_sets(const struct nn_kernels **out)
{
	size_t n_all, n = 0;
	const struct nn_kernels *const *all = nn_kernels_all(&n_all);
	const unsigned flags = nn_cpu_detect();

	for (size_t i = 0; i < n_all; i++) {
		if (all[i] == &nn_kernels_c)
			continue;
		if ((all[i]->cpu_flags & flags) != all[i]->cpu_flags) {
			fprintf(stderr, "note: skipping kernel set '%s': this CPU lacks it\n", all[i]->name);
			continue;
		}
		out[n++] = all[i];
	}
	if (n == 0)
		fprintf(stderr, "note: no SIMD kernel set runs here; only scalar checks\n");
	return n;
}

static void test_gemv(void)
{
	const struct nn_kernels *simd[4];
	const size_t n_simd = simd_sets(simd);
	unsigned rng = 1234;

	for (size_t ri = 0; ri < N_SIZES; ri++) {
		for (size_t ci = 0; ci < N_SIZES; ci++) {
			const size_t rows = sizes[ri], cols = sizes[ci];
			float *w = random_vec(rows * cols, 1.0f, &rng);
			float *x = random_vec(cols, 2.0f, &rng);
			float *b = random_vec(rows, 1.0f, &rng);
			float *y_c = malloc(rows * sizeof(float));
			float *y_s = malloc(rows * sizeof(float));

			/* Offset by one float: unaligned rows, x and y, as in a real model. */
			for (int with_bias = 0; with_bias < 2; with_bias++) {
				const float *bias = with_bias ? b + 1 : NULL;

				nn_kernels_c.gemv(y_c, w + 1, bias, x + 1, rows, cols);
				for (size_t r = 0; r < rows; r++) {
					double ref = bias ? bias[r] : 0.0, scale = 0.0;

					for (size_t j = 0; j < cols; j++) {
						ref += (double)w[1 + r * cols + j] * x[1 + j];
						scale += fabs((double)w[1 + r * cols + j] * x[1 + j]);
					}
					CHECK_MSG(fabs(y_c[r] - ref) <= 1e-6 * scale + 1e-6,
						  "c gemv %zux%zu row %zu: %.9g vs %.9g", rows, cols, r,
						  (double)y_c[r], ref);
				}
				for (size_t k = 0; k < n_simd; k++) {
					memset(y_s, 0xff, rows * sizeof(float)); /* NaN: catch unwritten rows */
					simd[k]->gemv(y_s, w + 1, bias, x + 1, rows, cols);
					for (size_t r = 0; r < rows; r++) {
						double scale = 0.0;

						for (size_t j = 0; j < cols; j++)
							scale += fabs((double)w[1 + r * cols + j] * x[1 + j]);
						CHECK_MSG(close_rel(y_s[r], y_c[r], scale),
							  "%s gemv %zux%zu row %zu: %.9g vs c %.9g",
							  simd[k]->name, rows, cols, r, (double)y_s[r],
							  (double)y_c[r]);
					}
				}
			}
			free(w);
			free(x);
			free(b);
			free(y_c);
			free(y_s);
		}
	}
	/* cols = 0: y = b. */
	{
		const float b[5] = { 1, 2, 3, 4, 5 };
		float y[5];

		nn_kernels_c.gemv(y, NULL, b, NULL, 5, 0);
		CHECK(memcmp(y, b, sizeof(y)) == 0);
		for (size_t k = 0; k < n_simd; k++) {
			simd[k]->gemv(y, NULL, b, NULL, 5, 0);
			CHECK(memcmp(y, b, sizeof(y)) == 0);
		}
	}
}

/* binary16 to binary32 by the formula of IEEE 754 in double (ldexp), independent of both
 * nn_half_to_float's bit construction and the F16C/NEON instructions. */
static double half_ref(uint16_t h)
{
	const int e = (h >> 10) & 0x1f, mant = h & 0x3ff;
	const double v = e == 0x1f ? (mant ? NAN : INFINITY)
		       : e == 0	   ? ldexp(mant, -24)
				   : ldexp(1024 + mant, e - 25);

	return (h & 0x8000) ? -v : v;
}

/* Round v[0..n) to the nearest half in place and return those halves (the builder's f32 -> f16,
 * round to nearest even). */
static uint16_t *halves_of(float *v, size_t n)
{
	uint16_t *h = malloc((n ? n : 1) * sizeof(uint16_t));

	for (size_t i = 0; i < n; i++) {
		h[i] = mb_f32_to_f16(v[i]);
		v[i] = (float)half_ref(h[i]);
	}
	return h;
}

/* Every one of the 65536 halves through nn_half_to_float, and every finite one through each
 * set's gemv_f16 body (cols 16: the SIMD conversion, not only the scalar tail): exact. */
static void test_half_conversion(void)
{
	const struct nn_kernels *simd[4];
	const size_t n_simd = simd_sets(simd);
	const size_t cols = 16;
	uint16_t *w = malloc(65536 * sizeof(uint16_t));
	size_t n_finite = 0, bad = 0;

	for (uint32_t h = 0; h < 65536; h++) {
		const double ref = half_ref((uint16_t)h);
		const float f = nn_half_to_float((uint16_t)h);

		if (isnan(ref)) {
			bad += !isnan(f);
		} else {
			bad += (double)f != ref || !signbit(f) != !signbit(ref);
			bad += nn_half_is_finite((uint16_t)h) != (isfinite(ref) != 0);
		}
		if (isfinite(ref))
			w[n_finite++] = (uint16_t)h;
	}
	CHECK_MSG(bad == 0, "nn_half_to_float: %zu of 65536 wrong", bad);
	CHECK(n_finite == 63488 && n_finite % cols == 0); /* 2 signs x 31 exponents x 1024 */
	{
		const size_t rows = n_finite / cols;
		float *y = malloc(rows * sizeof(float));
		float x[16];

		/* x = unit vector k: y[r] = w[r][k] exactly (the other terms are +-0). The second
		 * pass (x86) runs with FTZ|DAZ, as the denoiser does: subnormal halves must still
		 * widen exactly (they become normal floats). */
		for (size_t s = 0; s <= 2 * n_simd + 1; s++) {
			const struct nn_kernels *k = s % (n_simd + 1) == 0 ? &nn_kernels_c
									   : simd[s % (n_simd + 1) - 1];
#if defined(__SSE2__)
			const unsigned csr = _mm_getcsr();

			if (s > n_simd)
				_mm_setcsr(csr | 0x8040); /* FTZ | DAZ */
#else
			if (s > n_simd)
				break;
#endif

			bad = 0;
			for (size_t unit = 0; unit < cols; unit++) {
				for (size_t j = 0; j < cols; j++)
					x[j] = j == unit ? 1.0f : 0.0f;
				k->gemv_f16(y, w, NULL, x, rows, cols);
				for (size_t r = 0; r < rows; r++)
					bad += (double)y[r] != half_ref(w[r * cols + unit]);
			}
#if defined(__SSE2__)
			_mm_setcsr(csr);
#endif
			CHECK_MSG(bad == 0, "%s gemv_f16 widening%s: %zu values wrong", k->name,
				  s > n_simd ? " (FTZ|DAZ)" : "", bad);
		}
		free(y);
	}
	free(w);
}

/* gemv_f16 of each set: bit-identical to the same set's gemv on the widened matrix, and within
 * the usual tolerance of the scalar set, at every size pair (odd ones included: the tails),
 * from a row start that is not 16-byte aligned. */
static void test_gemv_f16(void)
{
	const struct nn_kernels *simd[4];
	const size_t n_simd = simd_sets(simd);
	unsigned rng = 4321;

	for (size_t ri = 0; ri < N_SIZES; ri++) {
		for (size_t ci = 0; ci < N_SIZES; ci++) {
			const size_t rows = sizes[ri], cols = sizes[ci];
			float *w = random_vec(rows * cols, 1.0f, &rng);
			uint16_t *w16 = halves_of(w, rows * cols + 1);
			float *x = random_vec(cols, 2.0f, &rng);
			float *b = random_vec(rows, 1.0f, &rng);
			float *y_c = malloc(rows * sizeof(float));
			float *y32 = malloc(rows * sizeof(float));
			float *y16 = malloc(rows * sizeof(float));

			for (int with_bias = 0; with_bias < 2; with_bias++) {
				const float *bias = with_bias ? b + 1 : NULL;

				nn_kernels_c.gemv_f16(y_c, w16 + 1, bias, x + 1, rows, cols);
				for (size_t s = 0; s <= n_simd; s++) {
					const struct nn_kernels *k = s == 0 ? &nn_kernels_c : simd[s - 1];

					memset(y16, 0xff, rows * sizeof(float)); /* NaN: unwritten rows */
					k->gemv_f16(y16, w16 + 1, bias, x + 1, rows, cols);
					k->gemv(y32, w + 1, bias, x + 1, rows, cols);
					CHECK_MSG(memcmp(y16, y32, rows * sizeof(float)) == 0,
						  "%s gemv_f16 %zux%zu bias %d: not the f32 result",
						  k->name, rows, cols, with_bias);
					for (size_t r = 0; r < rows; r++) {
						double scale = 0.0;

						for (size_t j = 0; j < cols; j++)
							scale += fabs((double)w[1 + r * cols + j] * x[1 + j]);
						CHECK_MSG(close_rel(y16[r], y_c[r], scale),
							  "%s gemv_f16 %zux%zu row %zu: %.9g vs c %.9g",
							  k->name, rows, cols, r, (double)y16[r],
							  (double)y_c[r]);
					}
				}
			}
			free(w);
			free(w16);
			free(x);
			free(b);
			free(y_c);
			free(y32);
			free(y16);
		}
	}
	/* cols = 0: y = b. */
	{
		const float b[5] = { 1, 2, 3, 4, 5 };
		float y[5];

		for (size_t s = 0; s <= n_simd; s++) {
			const struct nn_kernels *k = s == 0 ? &nn_kernels_c : simd[s - 1];

			memset(y, 0, sizeof(y));
			k->gemv_f16(y, NULL, b, NULL, 5, 0);
			CHECK(memcmp(y, b, sizeof(y)) == 0);
		}
	}
}

static double sigmoid_ref(double x)
{
	return 1.0 / (1.0 + exp(-x));
}

/* Inputs: a dense grid over [-100, 100] and the special values. */
static float *activation_inputs(size_t *n)
{
	static const float special[] = {
		0.0f, -0.0f, 20.0f, -20.0f, 100.0f, -100.0f, 1e-30f, -1e-30f, 1e-40f, -1e-40f,
		9.99f, 10.0f, 10.01f, -10.01f, 39.9f, 40.0f, 40.1f, -40.1f, 87.0f, -87.0f, 88.8f,
		-88.8f, 1e30f, -1e30f, FLT_MAX, -FLT_MAX, INFINITY, -INFINITY, 1e-7f, -3e-4f,
	};
	const size_t n_grid = 400001; /* step 5e-4 */
	const size_t n_special = sizeof(special) / sizeof(special[0]);
	float *v = malloc((n_grid + n_special) * sizeof(float));

	for (size_t i = 0; i < n_grid; i++)
		v[i] = (float)(-100.0 + 200.0 * (double)i / (double)(n_grid - 1));
	memcpy(v + n_grid, special, sizeof(special));
	*n = n_grid + n_special;
	return v;
}

static void test_activations(void)
{
	const struct nn_kernels *simd[4];
	const size_t n_simd = simd_sets(simd);
	size_t n;
	float *x = activation_inputs(&n);
	float *y_c = malloc(n * sizeof(float));
	float *y_s = malloc(n * sizeof(float));
	double max_err_sig = 0.0, max_err_tanh = 0.0, max_rel_exp = 0.0;

	/* Scalar vs libm in double precision: the bound documented in kernels_approx.h. */
	nn_kernels_c.sigmoid(y_c, x, n);
	for (size_t i = 0; i < n; i++) {
		const double err = fabs(y_c[i] - sigmoid_ref(x[i]));

		if (err > max_err_sig)
			max_err_sig = err;
	}
	nn_kernels_c.tanh(y_c, x, n);
	for (size_t i = 0; i < n; i++) {
		const double err = fabs(y_c[i] - tanh((double)x[i]));

		if (err > max_err_tanh)
			max_err_tanh = err;
	}
	for (double v = -87.0; v <= 87.0; v += 1e-3) {
		const double rel = fabs(nn_exp_approx((float)v) / exp((double)(float)v) - 1.0);

		if (rel > max_rel_exp)
			max_rel_exp = rel;
	}
	fprintf(stderr, "max |error| vs libm: sigmoid %.3g, tanh %.3g; exp relative %.3g\n",
		max_err_sig, max_err_tanh, max_rel_exp);
	CHECK(max_err_sig < 1e-6);
	CHECK(max_err_tanh < 1e-6);
	CHECK(max_rel_exp < 5e-7);
	/* Saturation and NaN: exact limits, and NaN maps to a finite value. */
	{
		const float in[5] = { INFINITY, -INFINITY, NAN, 0.0f, -NAN };
		float s[5], t[5], r[5];

		nn_kernels_c.sigmoid(s, in, 5);
		nn_kernels_c.tanh(t, in, 5);
		nn_kernels_c.relu(r, in, 5);
		CHECK(s[0] == 1.0f && s[1] >= 0.0f && s[1] < 1e-17f && s[3] == 0.5f);
		CHECK(t[0] == 1.0f && t[1] == -1.0f && t[3] == 0.0f);
		CHECK(r[0] == INFINITY && r[1] == 0.0f && r[2] == 0.0f && r[4] == 0.0f);
		for (int i = 0; i < 5; i++)
			CHECK(isfinite(s[i]) && isfinite(t[i]));
	}

	/* Each SIMD set vs scalar, at every length 1..40 and offset 0..3 for the tails, then on
	 * the whole input set; y == x (in place) on the last pass. */
	for (size_t k = 0; k < n_simd; k++) {
		void (*const fc[3])(float *, const float *, size_t) = {
			nn_kernels_c.sigmoid, nn_kernels_c.tanh, nn_kernels_c.relu
		};
		void (*const fs[3])(float *, const float *, size_t) = {
			simd[k]->sigmoid, simd[k]->tanh, simd[k]->relu
		};
		static const char *const names[3] = { "sigmoid", "tanh", "relu" };

		for (int f = 0; f < 3; f++) {
			for (size_t len = 1; len <= 40; len++) {
				for (size_t off = 0; off < 4; off++) {
					/* Windows ending inside the special values. */
					const float *in = x + n - 43 + off;

					fc[f](y_c, in, len);
					fs[f](y_s, in, len);
					for (size_t i = 0; i < len; i++)
						CHECK_MSG(close_rel(y_s[i], y_c[i], 0.1) ||
								  (isnan(y_s[i]) && isnan(y_c[i])),
							  "%s %s len %zu [%zu]", simd[k]->name, names[f],
							  len, i);
				}
			}
			fc[f](y_c, x, n);
			memcpy(y_s, x, n * sizeof(float));
			fs[f](y_s, y_s, n);
			for (size_t i = 0; i < n; i++) {
				const int ok = f == 2 ? y_s[i] == y_c[i] : close_rel(y_s[i], y_c[i], 0.1);

				CHECK_MSG(ok, "%s %s(%.9g) = %.9g, c %.9g", simd[k]->name, names[f],
					  (double)x[i], (double)y_s[i], (double)y_c[i]);
				if (!ok)
					break;
			}
		}
		/* NaN in a full vector maps to the same finite value as the scalar tail. */
		{
			float in[16], a[16], b[16];

			for (int i = 0; i < 16; i++)
				in[i] = NAN;
			for (int f = 0; f < 3; f++) {
				fc[f](a, in, 16);
				fs[f](b, in, 16);
				for (int i = 0; i < 16; i++)
					CHECK(isfinite(b[i]) && b[i] == a[i]);
			}
		}
	}
	free(x);
	free(y_c);
	free(y_s);
}

/* One GRU step in double precision with libm, from architecture.md. */
static void gru_ref(const struct nn_gru *g, const float *x, double *h)
{
	const size_t n_h = g->n_hidden;
	double *out = malloc(n_h * sizeof(double));

	for (size_t i = 0; i < n_h; i++) {
		double gi[3], gh[3];

		for (int gate = 0; gate < 3; gate++) {
			const size_t row = gate * n_h + i;

			gi[gate] = g->bias_ih[row];
			gh[gate] = g->bias_hh[row];
			for (size_t j = 0; j < g->n_in; j++)
				gi[gate] += (double)g->weight_ih.f32[row * g->n_in + j] * x[j];
			for (size_t j = 0; j < n_h; j++)
				gh[gate] += (double)g->weight_hh.f32[row * n_h + j] * h[j];
		}
		const double r = sigmoid_ref(gi[0] + gh[0]);
		const double z = sigmoid_ref(gi[1] + gh[1]);
		const double nn = tanh(gi[2] + r * gh[2]);

		out[i] = (1.0 - z) * nn + z * h[i];
	}
	memcpy(h, out, n_h * sizeof(double));
	free(out);
}

static void test_gru(void)
{
	static const size_t shapes[][2] = { /* n_in, hidden */
		{ 1, 1 }, { 7, 9 }, { 16, 8 }, { 33, 17 }, { 128, 64 }, { 128, 192 }, { 3, 100 },
	};
	const struct nn_kernels *simd[4];
	const size_t n_simd = simd_sets(simd);
	unsigned rng = 777;

	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		const size_t n_in = shapes[s][0], n_h = shapes[s][1];
		/* Weights scaled like PyTorch's init (1/sqrt(H)) times 2, so gates saturate sometimes. */
		const float amp = 2.0f / sqrtf((float)n_h);
		float *wih = random_vec(3 * n_h * n_in, amp, &rng);
		float *whh = random_vec(3 * n_h * n_h, amp, &rng);
		float *bih = random_vec(3 * n_h, amp, &rng);
		float *bhh = random_vec(3 * n_h, amp, &rng);
		/* The same weights as halves: the f32 matrices are rounded to what a half holds, so
		 * the f16 GRU must match the f32 one exactly. */
		uint16_t *wih16 = halves_of(wih, 3 * n_h * n_in);
		uint16_t *whh16 = halves_of(whh, 3 * n_h * n_h);
		const struct nn_gru g = {
			.weight_ih = { .f32 = wih }, .weight_hh = { .f32 = whh },
			.bias_ih = bih, .bias_hh = bhh, .n_in = (uint32_t)n_in, .n_hidden = (uint32_t)n_h,
		};
		const struct nn_gru g16 = {
			.weight_ih = { .f16 = wih16 }, .weight_hh = { .f16 = whh16 },
			.bias_ih = bih, .bias_hh = bhh, .n_in = (uint32_t)n_in, .n_hidden = (uint32_t)n_h,
		};
		float *h_c = calloc(n_h, sizeof(float));
		float *h16 = calloc(n_h, sizeof(float));  /* the scalar f16 GRU's own state */
		float *h16s = calloc(n_h, sizeof(float)); /* a SIMD f16 step's output */
		float *h_s[4];
		double *h_ref = calloc(n_h, sizeof(double));
		float *scratch = malloc(nn_gru_scratch_floats(n_h) * sizeof(float));
		float *x = malloc(n_in * sizeof(float));

		for (size_t k = 0; k < n_simd; k++)
			h_s[k] = calloc(n_h, sizeof(float));
		for (int step = 0; step < 30; step++) {
			double max_ref = 0.0;

			for (size_t j = 0; j < n_in; j++)
				x[j] = 1.5f * test_randf(&rng);
			nn_kernels_c.gru_step(&g, x, h_c, scratch);
			nn_kernels_c.gru_step(&g16, x, h16, scratch);
			CHECK_MSG(memcmp(h16, h_c, n_h * sizeof(float)) == 0,
				  "c gru f16 %zux%zu step %d differs from f32", n_in, n_h, step);
			gru_ref(&g, x, h_ref);
			for (size_t i = 0; i < n_h; i++) {
				const double e = fabs(h_c[i] - h_ref[i]);

				if (e > max_ref)
					max_ref = e;
			}
			CHECK_MSG(max_ref < 1e-5, "c gru %zux%zu step %d: %.3g from double", n_in,
				  n_h, step, max_ref);
			for (size_t k = 0; k < n_simd; k++) {
				/* f16 first, from the state the f32 step will start from. */
				memcpy(h16s, h_s[k], n_h * sizeof(float));
				simd[k]->gru_step(&g16, x, h16s, scratch);
				simd[k]->gru_step(&g, x, h_s[k], scratch);
				CHECK_MSG(memcmp(h16s, h_s[k], n_h * sizeof(float)) == 0,
					  "%s gru f16 %zux%zu step %d differs from f32", simd[k]->name,
					  n_in, n_h, step);
				for (size_t i = 0; i < n_h; i++)
					CHECK_MSG(close_rel(h_s[k][i], h_c[i], 1.0),
						  "%s gru %zux%zu step %d unit %zu: %.9g vs %.9g",
						  simd[k]->name, n_in, n_h, step, i, (double)h_s[k][i],
						  (double)h_c[i]);
			}
		}
		for (size_t k = 0; k < n_simd; k++)
			free(h_s[k]);
		free(wih);
		free(whh);
		free(wih16);
		free(whh16);
		free(h16);
		free(h16s);
		free(bih);
		free(bhh);
		free(h_c);
		free(h_ref);
		free(scratch);
		free(x);
	}
}

static void test_dispatch(void)
{
	const unsigned flags = nn_cpu_detect();
	size_t n_all;
	const struct nn_kernels *const *all = nn_kernels_all(&n_all);
	const struct nn_kernels *best = nn_kernels_find(NULL, flags);

	CHECK(n_all >= 1 && all[n_all - 1] == &nn_kernels_c); /* scalar last */
	CHECK(nn_kernels_find(NULL, 0) == &nn_kernels_c);
	CHECK(nn_kernels_find("auto", 0) == &nn_kernels_c);
	CHECK(nn_kernels_find("c", 0) == &nn_kernels_c);
	CHECK(nn_kernels_find("avx2", 0) == NULL); /* needs flags */
#if VOCANA_HAVE_AVX2
	/* F16C is required too (the f16-weight gemv): a CPU or VM without it gets scalar. */
	CHECK(nn_kernels_find("avx2", NN_CPU_AVX2 | NN_CPU_FMA) == NULL);
	CHECK(nn_kernels_find("avx2", NN_CPU_AVX2 | NN_CPU_FMA | NN_CPU_F16C) == &nn_kernels_avx2);
	CHECK(nn_kernels_find(NULL, NN_CPU_AVX2 | NN_CPU_FMA) == &nn_kernels_c);
#endif
	CHECK(nn_kernels_find("bogus", ~0u) == NULL);
	CHECK(best != NULL);
	/* The best set is the first one the flags allow. */
	for (size_t i = 0; i < n_all; i++) {
		if ((all[i]->cpu_flags & flags) == all[i]->cpu_flags) {
			CHECK(best == all[i]);
			break;
		}
	}
	fprintf(stderr, "note: best kernel set here: %s\n", best->name);

	unsetenv("VOCANA_CPU");
	CHECK(nn_force_isa(NULL) == 0);
	CHECK(nn_kernels_select() == best);
	CHECK(nn_force_isa("bogus") == -ENOTSUP);
	CHECK(nn_force_isa("c") == 0);
	CHECK(nn_kernels_select() == &nn_kernels_c);
	CHECK(nn_force_isa("auto") == 0);
	CHECK(nn_kernels_select() == best);
#if !VOCANA_HAVE_NEON
	CHECK(nn_force_isa("neon") == -ENOTSUP);
#endif
	/* The environment override, below a forced set. */
	setenv("VOCANA_CPU", "c", 1);
	CHECK(nn_kernels_select() == &nn_kernels_c);
	setenv("VOCANA_CPU", "nonsense", 1); /* ignored */
	CHECK(nn_kernels_select() == best);
	setenv("VOCANA_CPU", "c", 1);
	if (best != &nn_kernels_c) {
		CHECK(nn_force_isa(best->name) == 0);
		CHECK(nn_kernels_select() == best);
	}
	unsetenv("VOCANA_CPU");
	CHECK(nn_force_isa(NULL) == 0);
}

int main(void)
{
	RUN_TEST(test_dispatch);
	RUN_TEST(test_gemv);
	RUN_TEST(test_half_conversion);
	RUN_TEST(test_gemv_f16);
	RUN_TEST(test_activations);
	RUN_TEST(test_gru);
	return test_finish();
}
