/* SPDX-License-Identifier: MIT */
/* Scalar reference kernels: always built, the set every SIMD set is checked against, and the
 * fallback on CPUs without a SIMD set (or with VOCANA_CPU=c). */
#include <stdbool.h>
#include <string.h>

#include "nn/half.h"
#include "nn/kernels.h"
#include "nn/kernels_approx.h"

/* Widen 16 halves: nn_half_to_float() without branches (every case computed, one selected) and
 * with a constant trip count, so the compiler vectorizes it even at -O2 (element-wise branchy
 * conversion was ~2x slower still). Even so the scalar f16 gemv is ~5x its f32 time, which is
 * why the loader keeps f32 weights on CPUs without a SIMD set (model_file.c). Exact for every
 * half; the subnormal case only subtracts normal floats, so it is right under DAZ/FTZ too. */
static void widen16(float *dst, const uint16_t *src)
{
	/* Union punning (defined in C11); three simple passes are what GCC's vectorizer takes. */
	union {
		uint32_t u[16];
		float f[16];
	} sub, out;

	for (int k = 0; k < 16; k++) /* subnormal or zero: 2^-14 * (1 + m / 1024) - 2^-14 */
		sub.u[k] = ((uint32_t)(src[k] & 0x3ffu) << 13) + (113u << 23);
	for (int k = 0; k < 16; k++)
		sub.f[k] -= 0x1p-14f; /* m * 2^-24: exact (Sterbenz) */
	for (int k = 0; k < 16; k++) {
		const uint32_t h = src[k];
		const uint32_t em = (h & 0x7fffu) << 13; /* exponent and mantissa, float position */
		const uint32_t exponent = em & 0x0f800000u;
		const uint32_t is_sub = 0u - (uint32_t)(exponent == 0);
		const uint32_t is_inf_nan = 0u - (uint32_t)(exponent == 0x0f800000u);
		/* Rebias the exponent 15 -> 127, or 31 -> 255 for Inf and NaN. */
		const uint32_t normal = em + (112u << 23) + (is_inf_nan & (112u << 23));

		out.u[k] = (sub.u[k] & is_sub) | (normal & ~is_sub) | (h & 0x8000u) << 16;
	}
	memcpy(dst, out.f, sizeof(out.f));
}

/* Element i of a weight matrix stored as floats or (half) as IEEE binary16. */
static NN_FORCE_INLINE float w_at(const void *w, size_t i, bool half)
{
	return half ? nn_half_to_float(((const uint16_t *)w)[i]) : ((const float *)w)[i];
}

/* The one body of gemv_c and gemv_f16_c: the same additions in the same order (four partial sums
 * over columns 4 at a time), so f16 weights give exactly the result of their widened f32 matrix.
 * Blocks of 16 columns are widened into a buffer first; the straight-line sums over a block are
 * what the compiler vectorizes (as it does for f32 rows). */
static NN_FORCE_INLINE void gemv_body(float *y, const void *w, bool half, const float *b,
				      const float *x, size_t rows, size_t cols)
{
	float buf[16];

	for (size_t r = 0; r < rows; r++) {
		const size_t row = r * cols;
		/* Four partial sums: independent add chains the CPU can overlap; the order is fixed,
		 * so the result is the same on every run. */
		float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
		size_t j = 0;

		for (; j + 16 <= cols; j += 16) {
			const float *wj = (const float *)w + row + j;

			if (half) {
				widen16(buf, (const uint16_t *)w + row + j);
				wj = buf;
			}
			for (size_t k = 0; k < 16; k += 4) {
				s0 += wj[k] * x[j + k];
				s1 += wj[k + 1] * x[j + k + 1];
				s2 += wj[k + 2] * x[j + k + 2];
				s3 += wj[k + 3] * x[j + k + 3];
			}
		}
		for (; j + 4 <= cols; j += 4) {
			s0 += w_at(w, row + j, half) * x[j];
			s1 += w_at(w, row + j + 1, half) * x[j + 1];
			s2 += w_at(w, row + j + 2, half) * x[j + 2];
			s3 += w_at(w, row + j + 3, half) * x[j + 3];
		}
		for (; j < cols; j++)
			s0 += w_at(w, row + j, half) * x[j];
		y[r] = (s0 + s1) + (s2 + s3) + (b ? b[r] : 0.0f);
	}
}

static void gemv_c(float *y, const float *w, const float *b, const float *x, size_t rows,
		   size_t cols)
{
	gemv_body(y, w, false, b, x, rows, cols);
}

static void gemv_f16_c(float *y, const uint16_t *w, const float *b, const float *x, size_t rows,
		       size_t cols)
{
	gemv_body(y, w, true, b, x, rows, cols);
}

static void relu_c(float *y, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = nn_relu(x[i]);
}

static void sigmoid_c(float *y, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = nn_sigmoid_approx(x[i]);
}

static void tanh_c(float *y, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = nn_tanh_approx(x[i]);
}

static void gru_step_c(const struct nn_gru *g, const float *x, float *h, float *scratch)
{
	const size_t n_h = g->n_hidden;
	float *gi = scratch;           /* W_ih x + b_ih: [r, z, n] */
	float *gh = scratch + 3 * n_h; /* W_hh h + b_hh */

	nn_gemv_matrix_with(gemv_c, gemv_f16_c, gi, &g->weight_ih, g->bias_ih,
			    x, 3 * n_h, g->n_in);
	nn_gemv_matrix_with(gemv_c, gemv_f16_c, gh, &g->weight_hh, g->bias_hh,
			    h, 3 * n_h, n_h);
	for (size_t i = 0; i < n_h; i++)
		h[i] = nn_gru_unit(gi[i], gi[n_h + i], gi[2 * n_h + i], gh[i], gh[n_h + i],
				   gh[2 * n_h + i], h[i]);
}

const struct nn_kernels nn_kernels_c = {
	.name = "c",
	.cpu_flags = 0,
	.gemv = gemv_c,
	.gemv_f16 = gemv_f16_c,
	.relu = relu_c,
	.sigmoid = sigmoid_c,
	.tanh = tanh_c,
	.gru_step = gru_step_c,
};
