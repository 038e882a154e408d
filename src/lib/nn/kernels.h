/* SPDX-License-Identifier: MIT */
/*
 * Compute kernels of the network, one set per instruction set, chosen at run time (src/lib/nn/cpu.c).
 * The scalar set ("c") is the reference and always built; each SIMD set lives in its own file
 * compiled with only its own flags, and must agree with the scalar set within float rounding
 * (tests/lib/nn/test_kernels.c checks 1e-5 relative).
 *
 * Every kernel runs on caller-provided memory and allocates nothing: they are called on the
 * audio thread. Pointers need no particular alignment (buffers of nn_state are 64-byte aligned,
 * model rows are not, since cols is arbitrary).
 */
#ifndef VOCANA_NN_KERNELS_H
#define VOCANA_NN_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "nn/model.h"
#include "vocana_config.h"

/* For the one gemv body each set shares between its f32 and f16 entry points: inlined at each
 * call with the weight type a constant, so each entry point gets its own loop without a
 * per-element branch. */
#if defined(__GNUC__)
#define NN_FORCE_INLINE inline __attribute__((always_inline))
#else
#define NN_FORCE_INLINE inline
#endif

/* CPU features a kernel set needs (nn_cpu_detect()). */
#define NN_CPU_AVX2 (1u << 0)
#define NN_CPU_FMA (1u << 1)
#define NN_CPU_NEON (1u << 2)
#define NN_CPU_F16C (1u << 3) /* x86 half <-> float conversions (vcvtph2ps) */

struct nn_kernels {
	const char *name;      /* "c", "avx2", "neon": what VOCANA_CPU and vocana_dev_force_isa take */
	unsigned cpu_flags;    /* NN_CPU_* bits the CPU must have */

	/* y[rows] = w[rows, cols] (row-major) @ x[cols] + b[rows]; b may be NULL (no bias).
	 * y must not overlap w, b or x. Any rows, cols >= 0. */
	void (*gemv)(float *y, const float *w, const float *b, const float *x, size_t rows,
		     size_t cols);
	/* The same with IEEE binary16 weights, widened exactly as they are read: the result is
	 * the one gemv gives on the widened matrix (same summation order), bit for bit. */
	void (*gemv_f16)(float *y, const uint16_t *w, const float *b, const float *x, size_t rows,
			 size_t cols);
	/* y[i] = f(x[i]) for i < n; y == x is allowed. NaN maps to a finite value (see
	 * kernels_approx.h), so a NaN can't spread through the network. */
	void (*relu)(float *y, const float *x, size_t n);
	void (*sigmoid)(float *y, const float *x, size_t n);
	void (*tanh)(float *y, const float *x, size_t n);
	/* One torch.nn.GRU step: h[H] <- GRU(x[n_in], h), with either weight type per matrix.
	 * scratch: 6 * H floats. x must not overlap h or scratch. */
	void (*gru_step)(const struct nn_gru *g, const float *x, float *h, float *scratch);
};

typedef void nn_gemv_f32_fn(float *y, const float *w, const float *b, const float *x, size_t rows,
			    size_t cols);
typedef void nn_gemv_f16_fn(float *y, const uint16_t *w, const float *b, const float *x,
			    size_t rows, size_t cols);

/* f32 or f16, whichever matches how w is stored. A kernel file passes its own static gemvs (so
 * they inline into its gru_step); everyone else goes through nn_gemv_matrix(). */
static inline void nn_gemv_matrix_with(nn_gemv_f32_fn *f32, nn_gemv_f16_fn *f16, float *y,
				       const struct nn_matrix *w, const float *b, const float *x,
				       size_t rows, size_t cols)
{
	if (w->f16)
		f16(y, w->f16, b, x, rows, cols);
	else
		f32(y, w->f32, b, x, rows, cols);
}

/* The same through a kernel set. */
static inline void nn_gemv_matrix(const struct nn_kernels *k, float *y, const struct nn_matrix *w,
				  const float *b, const float *x, size_t rows, size_t cols)
{
	nn_gemv_matrix_with(k->gemv, k->gemv_f16, y, w, b, x, rows, cols);
}

/* Scratch floats gru_step needs for a hidden size of n_hidden. */
static inline size_t nn_gru_scratch_floats(size_t n_hidden)
{
	return 6 * n_hidden;
}

extern const struct nn_kernels nn_kernels_c;
#if VOCANA_HAVE_AVX2
extern const struct nn_kernels nn_kernels_avx2;
#endif
#if VOCANA_HAVE_NEON
extern const struct nn_kernels nn_kernels_neon;
#endif

#endif
