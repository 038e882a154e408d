/* SPDX-License-Identifier: MIT */
/*
 * exp, sigmoid and tanh as used by every kernel set. The SIMD files evaluate the same formulas
 * with the same constants lane by lane (and use these scalar versions for their tails), so all
 * ISAs agree to within a few float roundings (FMA vs separate multiply-add), and the scalar set
 * needs no libm call per element.
 *
 * exp(x) = 2^k * e^r with k = floor(x / ln 2 + 1/2) and r = x - k ln 2 (|r| <= ln 2 / 2, Cody-Waite:
 * ln 2 split in a 16-bit part, so k * LN2_HI is exact, plus the rest). e^r is its degree-7 Taylor
 * polynomial: the truncation error is below r^8/8! * e^r < 3e-9 relative, well under float rounding,
 * so the result is within ~2 ulp of e^x (2^k is built exactly from the exponent bits).
 *
 *   sigmoid(x) = 1 / (1 + exp(-x)),  x clamped to [-40, 40]   (sigmoid(+-40) is 1 or 4e-18)
 *   tanh(x)    = 1 - 2 / (1 + exp(2x)), x clamped to [-10, 10] (tanh(10) rounds to 1 in float)
 *
 * Measured against double-precision libm over [-100, 100] (tests/lib/nn/test_kernels.c checks it on
 * a dense grid): max absolute error 8.8e-8 for sigmoid and 1.8e-7 for tanh, and exp within
 * 9.4e-8 relative on [-87, 87]; the test bounds are 1e-6 and 5e-7. Near 0, tanh's error is
 * absolute, not relative (the 1 - 2/(1+e) subtraction): about 6e-8, below one ulp of 1.0, which
 * is what matters for GRU states in [-1, 1].
 *
 * NaN: the clamps are written "x > lo ? x : lo" (the semantics of x86 maxps with x first and of
 * the NEON select used there), so a NaN becomes the lower bound and every output stays finite.
 */
#ifndef VOCANA_NN_KERNELS_APPROX_H
#define VOCANA_NN_KERNELS_APPROX_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#define NN_EXP_LOG2E 1.44269504088896341f     /* 1 / ln 2 */
#define NN_EXP_LN2_HI 0.693145751953125f       /* ln 2 to 16 bits (0x3f317200) */
#define NN_EXP_LN2_LO 1.42860682028622680e-6f  /* ln 2 - NN_EXP_LN2_HI */
#define NN_EXP_P7 1.98412698412698413e-4f     /* 1/7! */
#define NN_EXP_P6 1.38888888888888889e-3f     /* 1/6! */
#define NN_EXP_P5 8.33333333333333333e-3f     /* 1/5! */
#define NN_EXP_P4 4.16666666666666667e-2f     /* 1/4! */
#define NN_EXP_P3 1.66666666666666667e-1f     /* 1/3! */
#define NN_EXP_P2 0.5f                        /* 1/2! */

#define NN_SIGMOID_X_MAX 40.0f
#define NN_TANH_X_MAX 10.0f

/* e^x for |x| <= 87 (so 2^k stays a normal float); callers clamp. */
static inline float nn_exp_approx(float x)
{
	const float k = floorf(x * NN_EXP_LOG2E + 0.5f);
	float r = x - k * NN_EXP_LN2_HI;
	float p = NN_EXP_P7;
	uint32_t bits;
	float scale;

	r = r - k * NN_EXP_LN2_LO;
	p = p * r + NN_EXP_P6;
	p = p * r + NN_EXP_P5;
	p = p * r + NN_EXP_P4;
	p = p * r + NN_EXP_P3;
	p = p * r + NN_EXP_P2;
	p = p * r + 1.0f;
	p = p * r + 1.0f;
	/* 2^k from the exponent field; k is an integer in [-126, 126] here. */
	bits = (uint32_t)((int32_t)k + 127) << 23;
	memcpy(&scale, &bits, sizeof(scale));
	return p * scale;
}

static inline float nn_clampf(float x, float lo, float hi)
{
	x = x > lo ? x : lo; /* NaN -> lo */
	return x < hi ? x : hi;
}

static inline float nn_sigmoid_approx(float x)
{
	x = nn_clampf(x, -NN_SIGMOID_X_MAX, NN_SIGMOID_X_MAX);
	return 1.0f / (1.0f + nn_exp_approx(-x));
}

static inline float nn_tanh_approx(float x)
{
	x = nn_clampf(x, -NN_TANH_X_MAX, NN_TANH_X_MAX);
	return 1.0f - 2.0f / (1.0f + nn_exp_approx(2.0f * x));
}

static inline float nn_relu(float x)
{
	return x > 0.0f ? x : 0.0f; /* NaN -> 0 */
}

/* GRU output for one unit, after the gates: PyTorch's h' = (1 - z) n + z h, written
 * n + z (h - n) (one operation fewer, same value up to rounding). */
static inline float nn_gru_unit(float gi_r, float gi_z, float gi_n, float gh_r, float gh_z,
				float gh_n, float h)
{
	const float r = nn_sigmoid_approx(gi_r + gh_r);
	const float z = nn_sigmoid_approx(gi_z + gh_z);
	const float n = nn_tanh_approx(gi_n + r * gh_n);

	return n + z * (h - n);
}

#endif
