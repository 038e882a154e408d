/* SPDX-License-Identifier: MIT */
/* Scalar reference kernels: always built, the set every SIMD set is checked against, and the
 * fallback on CPUs without a SIMD set (or with VOCANA_CPU=c). */
#include "nn/kernels.h"
#include "nn/kernels_approx.h"

static void gemv_c(float *y, const float *w, const float *b, const float *x, size_t rows,
		   size_t cols)
{
	for (size_t r = 0; r < rows; r++) {
		const float *row = w + r * cols;
		/* Four partial sums: independent add chains the CPU can overlap; the order is fixed,
		 * so the result is the same on every run. */
		float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
		size_t j = 0;

		for (; j + 4 <= cols; j += 4) {
			s0 += row[j] * x[j];
			s1 += row[j + 1] * x[j + 1];
			s2 += row[j + 2] * x[j + 2];
			s3 += row[j + 3] * x[j + 3];
		}
		for (; j < cols; j++)
			s0 += row[j] * x[j];
		y[r] = (s0 + s1) + (s2 + s3) + (b ? b[r] : 0.0f);
	}
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

	gemv_c(gi, g->weight_ih, g->bias_ih, x, 3 * n_h, g->n_in);
	gemv_c(gh, g->weight_hh, g->bias_hh, h, 3 * n_h, n_h);
	for (size_t i = 0; i < n_h; i++)
		h[i] = nn_gru_unit(gi[i], gi[n_h + i], gi[2 * n_h + i], gh[i], gh[n_h + i],
				   gh[2 * n_h + i], h[i]);
}

const struct nn_kernels nn_kernels_c = {
	.name = "c",
	.cpu_flags = 0,
	.gemv = gemv_c,
	.relu = relu_c,
	.sigmoid = sigmoid_c,
	.tanh = tanh_c,
	.gru_step = gru_step_c,
};
