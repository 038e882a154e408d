/* SPDX-License-Identifier: MIT */
/*
 * Per-hop network input features (docs/architecture.md, "Features"). The layout of one vector
 * of features_size(n_df) floats:
 *   [0, VC_N_BANDS)                         erb[b] = (L_b - mu_b) / 40, L_b = 10 log10(E_b + 1e-10)
 *   [VC_N_BANDS + 2k], [VC_N_BANDS + 2k+1]  Re, Im of x_k / s_k for k < n_df, x_k = X_k / sqrt(VC_HOP)
 * mu_b is a running mean of L_b, s_k a running mean of |x_k| (floored at VC_DF_NORM_FLOOR), both
 * updated before they are used with coefficient min(VC_NORM_ALPHA, n/(n+1)) after n hops: the
 * plain mean of the hops so far while n < 100, then an exponential mean with a one-second time
 * constant. So the normalisation is causal, and the df features have about unit magnitude from
 * the first hop on.
 *
 * The state is a plain struct so a denoiser can embed it; it owns no memory (no destroy needed).
 * features_compute() is real-time safe: no allocation, lock or I/O, fixed work per hop.
 */
#ifndef VOCANA_DSP_FEATURES_H
#define VOCANA_DSP_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsp/bands.h"
#include "dsp/dsp_constants.h"

struct features {
	struct bands bands;              /* the band tables the erb features use */
	uint32_t n_df;                   /* deep-filter bins: 0 .. VC_MAX_DF */
	float erb_mean_db[VC_N_BANDS];   /* mu_b, dB */
	float df_norm[VC_MAX_DF];        /* s_k, linear magnitude */
	float energy[VC_N_BANDS];        /* scratch: this hop's band energies E_b */
	uint32_t n_frames;               /* hops since reset (saturating): running-mean warm-up */
};

/* Floats per feature vector: VC_N_BANDS + 2 * n_df, or 0 if n_df > VC_MAX_DF. */
size_t features_size(uint32_t n_df);

/* Initialise (band tables and running means). 0, or -EINVAL for f == NULL or n_df > VC_MAX_DF. */
int features_init(struct features *f, uint32_t n_df);

/* Reset the running means to their initial values (the band tables stay). */
void features_reset(struct features *f);

/*
 * One hop: spec is the analysis spectrum (2 * VC_BINS floats, interleaved re, im, as from
 * stft_analyze()), out receives features_size(f->n_df) floats. The band energies of this hop are
 * left in f->energy for callers that want them. Returns whether the hop was digital silence (every
 * band below VC_SILENCE_ENERGY; such a hop leaves the running means as they were).
 */
bool features_compute(struct features *f, const float *spec, float *out);

#endif /* VOCANA_DSP_FEATURES_H */
