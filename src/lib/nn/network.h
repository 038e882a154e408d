/* SPDX-License-Identifier: MIT */
/*
 * The network of architecture 1 ("vdfl", docs/architecture.md) run one 10 ms frame at a time:
 * two dense+ReLU encoders, n_gru stacked GRUs, three heads (band gains, deep-filter
 * coefficients, voice activity).
 *
 * struct nn_state holds the GRU states and all scratch memory in one 64-byte-aligned
 * allocation made at creation; nn_forward() and nn_reset() are real-time safe (no allocation,
 * lock, I/O; time bounded by the model size). One state per stream and per thread; any number of
 * states may share one model.
 */
#ifndef VOCANA_NN_NETWORK_H
#define VOCANA_NN_NETWORK_H

#include <stddef.h>

#include "nn/kernels.h"
#include "nn/model.h"

struct nn_state;

/*
 * Create a state for model m, which must outlive it. The kernel set is chosen now
 * (nn_kernels_select(): forced set, then VOCANA_CPU, then the best for this CPU).
 * -EINVAL on NULL arguments, -ENOMEM.
 */
int nn_state_create(const struct vocana_model *m, struct nn_state **out);

/* The same with an explicit kernel set k (from nn_kernels_find()/nn_kernels_all()): tests and
 * benchmarks compare the sets on one model this way. */
int nn_state_create_with_kernels(const struct vocana_model *m, const struct nn_kernels *k,
				 struct nn_state **out);

/* NULL is a no-op. */
void nn_state_destroy(struct nn_state *s);

/* Zero the GRU states: the next frame is computed as the first of a new stream. */
void nn_reset(struct nn_state *s);

/*
 * One frame. features: nn_model_n_features(m) floats (32 erb, then 2 * n_df deep-filter values).
 * Outputs, each may be NULL to skip that head:
 *   gains    [n_erb]                band gains in [0, 1]
 *   df_coefs [n_df * df_order * 2]  deep-filter coefficients in [-1, 1] (re, im per tap)
 *   vad      [1]                    voice-activity probability in [0, 1]
 * Outputs must not overlap features. Always finite, whatever the input (NaN included).
 */
void nn_forward(struct nn_state *s, const float *features, float *gains, float *df_coefs,
		float *vad);

/* nn_forward() with the GRU states left as they were: the frame is computed and forgotten. For
 * hops whose result is not used but whose cost must be paid like any other (denoiser_hop.c). */
void nn_forward_keep_state(struct nn_state *s, const float *features, float *gains,
			   float *df_coefs, float *vad);
/* The model and kernel set a state was created with. */
const struct vocana_model *nn_state_model(const struct nn_state *s);
const struct nn_kernels *nn_state_kernels(const struct nn_state *s);

#endif
