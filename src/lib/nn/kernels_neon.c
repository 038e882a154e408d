/* SPDX-License-Identifier: MIT */
/*
 * AArch64 Advanced SIMD (NEON) kernels: the same formulas and constants as the scalar set
 * (kernels_approx.h), 4 lanes at a time, tails in scalar. NEON is mandatory on AArch64, so
 * this set needs no run-time check beyond the build (src/lib/nn/meson.build adds it when have_neon).
 *
 * AArch64-only intrinsics used: vfmaq_f32, vaddvq_f32, vrndmq_f32, vdivq_f32. f16 weights are
 * widened with vcvt_f32_f16 (fcvtl: exact; half-precision conversion is baseline on AArch64).
 */
#if !defined(__ARM_NEON) || !defined(__aarch64__)
#error "kernels_neon.c is for AArch64 with NEON"
#endif

#include <arm_neon.h>
#include <stdbool.h>

#include "nn/kernels.h"
#include "nn/half.h"
#include "nn/kernels_approx.h"

/* Four weights from element i on, as floats: loaded, or widened from IEEE binary16 (exact). */
static NN_FORCE_INLINE float32x4_t w_load4(const void *w, size_t i, bool half)
{
	if (half)
		return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16((const uint16_t *)w + i)));
	return vld1q_f32((const float *)w + i);
}

/* One weight, for the tails. */
static NN_FORCE_INLINE float w_at(const void *w, size_t i, bool half)
{
	return half ? nn_half_to_float(((const uint16_t *)w)[i]) : ((const float *)w)[i];
}

/* The one body of gemv_neon and gemv_f16_neon: same operations in the same order, so f16 weights
 * give exactly the result of their widened f32 matrix. */
static NN_FORCE_INLINE void gemv_body(float *y, const void *w, bool half, const float *b,
				      const float *x, size_t rows, size_t cols)
{
	size_t r = 0;

	/* Four rows share each load of x, two accumulators per row: eight FMA chains. */
	for (; r + 4 <= rows; r += 4) {
		const size_t o0 = r * cols, o1 = o0 + cols, o2 = o1 + cols, o3 = o2 + cols;
		float32x4_t a0 = vdupq_n_f32(0.0f), a1 = vdupq_n_f32(0.0f);
		float32x4_t a2 = vdupq_n_f32(0.0f), a3 = vdupq_n_f32(0.0f);
		float32x4_t c0 = vdupq_n_f32(0.0f), c1 = vdupq_n_f32(0.0f);
		float32x4_t c2 = vdupq_n_f32(0.0f), c3 = vdupq_n_f32(0.0f);
		float t0, t1, t2, t3;
		size_t j = 0;

		for (; j + 8 <= cols; j += 8) {
			const float32x4_t xa = vld1q_f32(x + j), xb = vld1q_f32(x + j + 4);

			a0 = vfmaq_f32(a0, w_load4(w, o0 + j, half), xa);
			a1 = vfmaq_f32(a1, w_load4(w, o1 + j, half), xa);
			a2 = vfmaq_f32(a2, w_load4(w, o2 + j, half), xa);
			a3 = vfmaq_f32(a3, w_load4(w, o3 + j, half), xa);
			c0 = vfmaq_f32(c0, w_load4(w, o0 + j + 4, half), xb);
			c1 = vfmaq_f32(c1, w_load4(w, o1 + j + 4, half), xb);
			c2 = vfmaq_f32(c2, w_load4(w, o2 + j + 4, half), xb);
			c3 = vfmaq_f32(c3, w_load4(w, o3 + j + 4, half), xb);
		}
		for (; j + 4 <= cols; j += 4) {
			const float32x4_t xa = vld1q_f32(x + j);

			a0 = vfmaq_f32(a0, w_load4(w, o0 + j, half), xa);
			a1 = vfmaq_f32(a1, w_load4(w, o1 + j, half), xa);
			a2 = vfmaq_f32(a2, w_load4(w, o2 + j, half), xa);
			a3 = vfmaq_f32(a3, w_load4(w, o3 + j, half), xa);
		}
		t0 = vaddvq_f32(vaddq_f32(a0, c0));
		t1 = vaddvq_f32(vaddq_f32(a1, c1));
		t2 = vaddvq_f32(vaddq_f32(a2, c2));
		t3 = vaddvq_f32(vaddq_f32(a3, c3));
		for (; j < cols; j++) { /* scalar tail: cols % 4 */
			t0 += w_at(w, o0 + j, half) * x[j];
			t1 += w_at(w, o1 + j, half) * x[j];
			t2 += w_at(w, o2 + j, half) * x[j];
			t3 += w_at(w, o3 + j, half) * x[j];
		}
		if (b) {
			t0 += b[r];
			t1 += b[r + 1];
			t2 += b[r + 2];
			t3 += b[r + 3];
		}
		y[r] = t0;
		y[r + 1] = t1;
		y[r + 2] = t2;
		y[r + 3] = t3;
	}
	for (; r < rows; r++) { /* the last rows % 4 rows */
		const size_t o0 = r * cols;
		float32x4_t a0 = vdupq_n_f32(0.0f);
		float t0;
		size_t j = 0;

		for (; j + 4 <= cols; j += 4)
			a0 = vfmaq_f32(a0, w_load4(w, o0 + j, half), vld1q_f32(x + j));
		t0 = vaddvq_f32(a0);
		for (; j < cols; j++)
			t0 += w_at(w, o0 + j, half) * x[j];
		y[r] = t0 + (b ? b[r] : 0.0f);
	}
}

static void gemv_neon(float *y, const float *w, const float *b, const float *x, size_t rows,
		      size_t cols)
{
	gemv_body(y, w, false, b, x, rows, cols);
}

static void gemv_f16_neon(float *y, const uint16_t *w, const float *b, const float *x,
			  size_t rows, size_t cols)
{
	gemv_body(y, w, true, b, x, rows, cols);
}

/* nn_exp_approx, 4 lanes; |x| <= 87. */
static inline float32x4_t exp_neon(float32x4_t x)
{
	const float32x4_t k =
		vrndmq_f32(vfmaq_f32(vdupq_n_f32(0.5f), x, vdupq_n_f32(NN_EXP_LOG2E)));
	float32x4_t r = vfmsq_f32(x, k, vdupq_n_f32(NN_EXP_LN2_HI)); /* x - k * hi */
	float32x4_t p = vdupq_n_f32(NN_EXP_P7);
	int32x4_t e;

	r = vfmsq_f32(r, k, vdupq_n_f32(NN_EXP_LN2_LO));
	p = vfmaq_f32(vdupq_n_f32(NN_EXP_P6), p, r);
	p = vfmaq_f32(vdupq_n_f32(NN_EXP_P5), p, r);
	p = vfmaq_f32(vdupq_n_f32(NN_EXP_P4), p, r);
	p = vfmaq_f32(vdupq_n_f32(NN_EXP_P3), p, r);
	p = vfmaq_f32(vdupq_n_f32(NN_EXP_P2), p, r);
	p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
	p = vfmaq_f32(vdupq_n_f32(1.0f), p, r);
	/* 2^k: k is integral, so the conversion is exact. */
	e = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(k), vdupq_n_s32(127)), 23);
	return vmulq_f32(p, vreinterpretq_f32_s32(e));
}

/* vmaxq/vminq propagate NaN; compare-and-select gives nn_clampf()'s NaN -> lo instead. */
static inline float32x4_t clamp_neon(float32x4_t x, float lo, float hi)
{
	const float32x4_t vlo = vdupq_n_f32(lo), vhi = vdupq_n_f32(hi);

	x = vbslq_f32(vcgtq_f32(x, vlo), x, vlo);
	return vbslq_f32(vcltq_f32(x, vhi), x, vhi);
}

static inline float32x4_t sigmoid_neon(float32x4_t x)
{
	const float32x4_t one = vdupq_n_f32(1.0f);

	x = clamp_neon(x, -NN_SIGMOID_X_MAX, NN_SIGMOID_X_MAX);
	return vdivq_f32(one, vaddq_f32(one, exp_neon(vnegq_f32(x))));
}

static inline float32x4_t tanh_neon(float32x4_t x)
{
	const float32x4_t one = vdupq_n_f32(1.0f), two = vdupq_n_f32(2.0f);

	x = clamp_neon(x, -NN_TANH_X_MAX, NN_TANH_X_MAX);
	return vsubq_f32(one, vdivq_f32(two, vaddq_f32(one, exp_neon(vmulq_f32(two, x)))));
}

static void relu_neon(float *y, const float *x, size_t n)
{
	const float32x4_t zero = vdupq_n_f32(0.0f);
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		const float32x4_t v = vld1q_f32(x + i);

		vst1q_f32(y + i, vbslq_f32(vcgtq_f32(v, zero), v, zero)); /* NaN -> 0 */
	}
	for (; i < n; i++)
		y[i] = nn_relu(x[i]);
}

static void sigmoid_neon_n(float *y, const float *x, size_t n)
{
	size_t i = 0;

	for (; i + 4 <= n; i += 4)
		vst1q_f32(y + i, sigmoid_neon(vld1q_f32(x + i)));
	for (; i < n; i++)
		y[i] = nn_sigmoid_approx(x[i]);
}

static void tanh_neon_n(float *y, const float *x, size_t n)
{
	size_t i = 0;

	for (; i + 4 <= n; i += 4)
		vst1q_f32(y + i, tanh_neon(vld1q_f32(x + i)));
	for (; i < n; i++)
		y[i] = nn_tanh_approx(x[i]);
}

static void gru_step_neon(const struct nn_gru *g, const float *x, float *h, float *scratch)
{
	const size_t n_h = g->n_hidden;
	const float *gi_r = scratch, *gi_z = scratch + n_h, *gi_n = scratch + 2 * n_h;
	const float *gh_r = scratch + 3 * n_h, *gh_z = scratch + 4 * n_h, *gh_n = scratch + 5 * n_h;
	size_t i = 0;

	nn_gemv_matrix_with(gemv_neon, gemv_f16_neon, scratch, &g->weight_ih, g->bias_ih,
			    x, 3 * n_h, g->n_in);
	nn_gemv_matrix_with(gemv_neon, gemv_f16_neon, scratch + 3 * n_h, &g->weight_hh, g->bias_hh,
			    h, 3 * n_h, n_h);
	/* nn_gru_unit(), 4 units at a time. */
	for (; i + 4 <= n_h; i += 4) {
		const float32x4_t r = sigmoid_neon(vaddq_f32(vld1q_f32(gi_r + i), vld1q_f32(gh_r + i)));
		const float32x4_t z = sigmoid_neon(vaddq_f32(vld1q_f32(gi_z + i), vld1q_f32(gh_z + i)));
		const float32x4_t n =
			tanh_neon(vfmaq_f32(vld1q_f32(gi_n + i), r, vld1q_f32(gh_n + i)));
		const float32x4_t hv = vld1q_f32(h + i);

		vst1q_f32(h + i, vfmaq_f32(n, z, vsubq_f32(hv, n)));
	}
	for (; i < n_h; i++)
		h[i] = nn_gru_unit(gi_r[i], gi_z[i], gi_n[i], gh_r[i], gh_z[i], gh_n[i], h[i]);
}

const struct nn_kernels nn_kernels_neon = {
	.name = "neon",
	.cpu_flags = NN_CPU_NEON,
	.gemv = gemv_neon,
	.gemv_f16 = gemv_f16_neon,
	.relu = relu_neon,
	.sigmoid = sigmoid_neon_n,
	.tanh = tanh_neon_n,
	.gru_step = gru_step_neon,
};
