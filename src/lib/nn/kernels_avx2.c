/* SPDX-License-Identifier: MIT */
/*
 * AVX2 + FMA (+ F16C for f16 weights) kernels. This file alone is compiled with -mavx2 -mfma
 * -mf16c (its own static library in src/lib/nn/meson.build), and is only called after
 * nn_cpu_detect() saw all three features, so the rest of the library still runs on any x86-64.
 * (Every AVX2 CPU has F16C; the check is for VMs that hide it.)
 *
 * Same formulas and constants as the scalar set (kernels_approx.h), 8 lanes at a time; the tails
 * use the scalar functions.
 */
#if !defined(__AVX2__) || !defined(__FMA__) || !defined(__F16C__)
#error "kernels_avx2.c must be compiled with -mavx2 -mfma -mf16c"
#endif

#include <immintrin.h>
#include <stdbool.h>

#include "nn/kernels.h"
#include "nn/half.h"
#include "nn/kernels_approx.h"

/* Sum of each of four vectors: [sum(a0), sum(a1), sum(a2), sum(a3)]. */
static inline __m128 hsum4(__m256 a0, __m256 a1, __m256 a2, __m256 a3)
{
	const __m256 t01 = _mm256_hadd_ps(a0, a1); /* per 128-bit lane: a0 pairs, a1 pairs */
	const __m256 t23 = _mm256_hadd_ps(a2, a3);
	const __m256 t = _mm256_hadd_ps(t01, t23); /* per lane: partial sums of a0..a3 */

	return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

static inline float hsum1(__m256 a)
{
	__m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));

	s = _mm_add_ps(s, _mm_movehl_ps(s, s));
	s = _mm_add_ss(s, _mm_movehdup_ps(s));
	return _mm_cvtss_f32(s);
}

/* Eight weights from element i on, as floats: loaded, or widened from IEEE binary16 by
 * vcvtph2ps (exact). */
static NN_FORCE_INLINE __m256 w_load8(const void *w, size_t i, bool half)
{
	if (half)
		return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)
						       ((const uint16_t *)w + i)));
	return _mm256_loadu_ps((const float *)w + i);
}

/* One weight, for the tails. */
static NN_FORCE_INLINE float w_at(const void *w, size_t i, bool half)
{
	return half ? nn_half_to_float(((const uint16_t *)w)[i]) : ((const float *)w)[i];
}

/* The one body of gemv_avx2 and gemv_f16_avx2: same operations in the same order, so f16 weights
 * give exactly the result of their widened f32 matrix, with half the bytes to read. */
static NN_FORCE_INLINE void gemv_body(float *y, const void *w, bool half, const float *b,
				      const float *x, size_t rows, size_t cols)
{
	size_t r = 0;

	/* Four rows at a time share each load of x; two accumulators per row give eight
	 * independent FMA chains, enough to cover the FMA latency. */
	for (; r + 4 <= rows; r += 4) {
		const size_t o0 = r * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
		__m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
		__m256 a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps();
		__m256 c0 = _mm256_setzero_ps(), c1 = _mm256_setzero_ps();
		__m256 c2 = _mm256_setzero_ps(), c3 = _mm256_setzero_ps();
		float t0 = 0.0f, t1 = 0.0f, t2 = 0.0f, t3 = 0.0f;
		size_t j = 0;
		__m128 s;

		for (; j + 16 <= cols; j += 16) {
			const __m256 xa = _mm256_loadu_ps(x + j), xb = _mm256_loadu_ps(x + j + 8);

			a0 = _mm256_fmadd_ps(w_load8(w, o0 + j, half), xa, a0);
			a1 = _mm256_fmadd_ps(w_load8(w, o1 + j, half), xa, a1);
			a2 = _mm256_fmadd_ps(w_load8(w, o2 + j, half), xa, a2);
			a3 = _mm256_fmadd_ps(w_load8(w, o3 + j, half), xa, a3);
			c0 = _mm256_fmadd_ps(w_load8(w, o0 + j + 8, half), xb, c0);
			c1 = _mm256_fmadd_ps(w_load8(w, o1 + j + 8, half), xb, c1);
			c2 = _mm256_fmadd_ps(w_load8(w, o2 + j + 8, half), xb, c2);
			c3 = _mm256_fmadd_ps(w_load8(w, o3 + j + 8, half), xb, c3);
		}
		for (; j + 8 <= cols; j += 8) {
			const __m256 xa = _mm256_loadu_ps(x + j);

			a0 = _mm256_fmadd_ps(w_load8(w, o0 + j, half), xa, a0);
			a1 = _mm256_fmadd_ps(w_load8(w, o1 + j, half), xa, a1);
			a2 = _mm256_fmadd_ps(w_load8(w, o2 + j, half), xa, a2);
			a3 = _mm256_fmadd_ps(w_load8(w, o3 + j, half), xa, a3);
		}
		for (; j < cols; j++) { /* scalar tail: cols % 8 */
			t0 += w_at(w, o0 + j, half) * x[j];
			t1 += w_at(w, o1 + j, half) * x[j];
			t2 += w_at(w, o2 + j, half) * x[j];
			t3 += w_at(w, o3 + j, half) * x[j];
		}
		s = hsum4(_mm256_add_ps(a0, c0), _mm256_add_ps(a1, c1), _mm256_add_ps(a2, c2),
			  _mm256_add_ps(a3, c3));
		s = _mm_add_ps(s, _mm_setr_ps(t0, t1, t2, t3));
		if (b)
			s = _mm_add_ps(s, _mm_loadu_ps(b + r));
		_mm_storeu_ps(y + r, s);
	}
	for (; r < rows; r++) { /* the last rows % 4 rows, one at a time */
		const size_t o0 = r * cols;
		__m256 a0 = _mm256_setzero_ps();
		float t0 = 0.0f;
		size_t j = 0;

		for (; j + 8 <= cols; j += 8)
			a0 = _mm256_fmadd_ps(w_load8(w, o0 + j, half), _mm256_loadu_ps(x + j), a0);
		for (; j < cols; j++)
			t0 += w_at(w, o0 + j, half) * x[j];
		y[r] = hsum1(a0) + t0 + (b ? b[r] : 0.0f);
	}
}

static void gemv_avx2(float *y, const float *w, const float *b, const float *x, size_t rows,
		      size_t cols)
{
	gemv_body(y, w, false, b, x, rows, cols);
}

static void gemv_f16_avx2(float *y, const uint16_t *w, const float *b, const float *x,
			  size_t rows, size_t cols)
{
	gemv_body(y, w, true, b, x, rows, cols);
}

/* nn_exp_approx, 8 lanes; |x| <= 87. */
static inline __m256 exp_avx2(__m256 x)
{
	const __m256 k = _mm256_floor_ps(
		_mm256_fmadd_ps(x, _mm256_set1_ps(NN_EXP_LOG2E), _mm256_set1_ps(0.5f)));
	__m256 r = _mm256_fnmadd_ps(k, _mm256_set1_ps(NN_EXP_LN2_HI), x);
	__m256 p = _mm256_set1_ps(NN_EXP_P7);
	__m256i e;

	r = _mm256_fnmadd_ps(k, _mm256_set1_ps(NN_EXP_LN2_LO), r);
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(NN_EXP_P6));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(NN_EXP_P5));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(NN_EXP_P4));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(NN_EXP_P3));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(NN_EXP_P2));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
	p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
	/* 2^k: k is integral, so the conversion is exact. */
	e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(k), _mm256_set1_epi32(127)), 23);
	return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

/* maxps/minps return their second operand when either is NaN: with x first this is exactly
 * nn_clampf(), NaN -> lo. */
static inline __m256 clamp_avx2(__m256 x, float lo, float hi)
{
	return _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(lo)), _mm256_set1_ps(hi));
}

static inline __m256 sigmoid_avx2(__m256 x)
{
	const __m256 one = _mm256_set1_ps(1.0f);

	x = clamp_avx2(x, -NN_SIGMOID_X_MAX, NN_SIGMOID_X_MAX);
	return _mm256_div_ps(one, _mm256_add_ps(one, exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

static inline __m256 tanh_avx2(__m256 x)
{
	const __m256 one = _mm256_set1_ps(1.0f);
	const __m256 two = _mm256_set1_ps(2.0f);

	x = clamp_avx2(x, -NN_TANH_X_MAX, NN_TANH_X_MAX);
	return _mm256_sub_ps(one, _mm256_div_ps(two, _mm256_add_ps(one, exp_avx2(_mm256_mul_ps(two, x)))));
}

static void relu_avx2(float *y, const float *x, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(y + i, _mm256_max_ps(_mm256_loadu_ps(x + i), _mm256_setzero_ps()));
	for (; i < n; i++)
		y[i] = nn_relu(x[i]);
}

static void sigmoid_avx2_n(float *y, const float *x, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(y + i, sigmoid_avx2(_mm256_loadu_ps(x + i)));
	for (; i < n; i++)
		y[i] = nn_sigmoid_approx(x[i]);
}

static void tanh_avx2_n(float *y, const float *x, size_t n)
{
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		_mm256_storeu_ps(y + i, tanh_avx2(_mm256_loadu_ps(x + i)));
	for (; i < n; i++)
		y[i] = nn_tanh_approx(x[i]);
}

static void gru_step_avx2(const struct nn_gru *g, const float *x, float *h, float *scratch)
{
	const size_t n_h = g->n_hidden;
	const float *gi_r = scratch, *gi_z = scratch + n_h, *gi_n = scratch + 2 * n_h;
	const float *gh_r = scratch + 3 * n_h, *gh_z = scratch + 4 * n_h, *gh_n = scratch + 5 * n_h;
	size_t i = 0;

	nn_gemv_matrix_with(gemv_avx2, gemv_f16_avx2, scratch, &g->weight_ih, g->bias_ih,
			    x, 3 * n_h, g->n_in);
	nn_gemv_matrix_with(gemv_avx2, gemv_f16_avx2, scratch + 3 * n_h, &g->weight_hh, g->bias_hh,
			    h, 3 * n_h, n_h);
	/* nn_gru_unit(), 8 units at a time. */
	for (; i + 8 <= n_h; i += 8) {
		const __m256 r = sigmoid_avx2(_mm256_add_ps(_mm256_loadu_ps(gi_r + i),
							     _mm256_loadu_ps(gh_r + i)));
		const __m256 z = sigmoid_avx2(_mm256_add_ps(_mm256_loadu_ps(gi_z + i),
							     _mm256_loadu_ps(gh_z + i)));
		const __m256 n = tanh_avx2(_mm256_fmadd_ps(r, _mm256_loadu_ps(gh_n + i),
							   _mm256_loadu_ps(gi_n + i)));
		const __m256 hv = _mm256_loadu_ps(h + i);

		_mm256_storeu_ps(h + i, _mm256_fmadd_ps(z, _mm256_sub_ps(hv, n), n));
	}
	for (; i < n_h; i++)
		h[i] = nn_gru_unit(gi_r[i], gi_z[i], gi_n[i], gh_r[i], gh_z[i], gh_n[i], h[i]);
}

const struct nn_kernels nn_kernels_avx2 = {
	.name = "avx2",
	.cpu_flags = NN_CPU_AVX2 | NN_CPU_FMA | NN_CPU_F16C,
	.gemv = gemv_avx2,
	.gemv_f16 = gemv_f16_avx2,
	.relu = relu_avx2,
	.sigmoid = sigmoid_avx2_n,
	.tanh = tanh_avx2_n,
	.gru_step = gru_step_avx2,
};
