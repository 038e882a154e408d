/* SPDX-License-Identifier: MIT */
/*
 * ERB bands (docs/architecture.md, "Bands"): VC_N_BANDS triangular bands whose weights sum to one
 * in every bin, centred on integer bins c_0 = 0 < c_1 < ... < c_31 = VC_BINS - 1.
 *
 * Bin k with c_b <= k < c_{b+1} belongs to band b with weight 1 - (k - c_b) / (c_{b+1} - c_b)
 * and to band b + 1 with the rest; the last bin belongs to the last band only. The tables are
 * computed once by bands_init() so the per-frame loops are one multiply-add per bin and band edge.
 */
#ifndef VOCANA_DSP_BANDS_H
#define VOCANA_DSP_BANDS_H

#include <stdint.h>

#include "dsp/dsp_constants.h"

struct bands {
	uint16_t center[VC_N_BANDS];       /* band centres, in bins */
	uint8_t lo_band[VC_BINS];          /* bin k lies between centres lo_band[k] and lo_band[k] + 1 */
	float lo_weight[VC_BINS];          /* weight of bin k in band lo_band[k] */
	float hi_weight[VC_BINS];          /* weight of bin k in band lo_band[k] + 1 (1 - lo_weight) */
	float energy_scale[VC_N_BANDS];    /* 1 / (VC_HOP * sum_k w_b(k)): see bands_energy() */
};

/* Compute the centres and tables. Cannot fail; deterministic (same result on every call). */
void bands_init(struct bands *b);

/*
 * Band energies from a spectrum (2 * VC_BINS floats, interleaved re, im, unnormalised FFT):
 *   E_b = sum_k w_b(k) |X_k / sqrt(VC_HOP)|^2 / sum_k w_b(k)
 * the weighted mean power in the band, so white noise of variance s^2 gives E_b ~ s^2 in every
 * band whatever its width. energy: VC_N_BANDS floats.
 */
void bands_energy(const struct bands *b, const float *spec, float *energy);

/*
 * Band cross-energies of two spectra, weighted and scaled like bands_energy():
 *   C_b = sum_k w_b(k) Re(X_k conj(Y_k)) / VC_HOP / sum_k w_b(k)
 * (bands_energy(X) is the cross-energy of X with itself). cross: VC_N_BANDS floats.
 */
void bands_cross_energy(const struct bands *b, const float *x, const float *y, float *cross);

/*
 * Per-bin gains from band gains: G_k = sum_b w_b(k) g_b (linear interpolation between the band
 * centres, so there are no steps between bands). gains: VC_N_BANDS, bin_gains: VC_BINS floats.
 */
void bands_interp_gains(const struct bands *b, const float *gains, float *bin_gains);

#endif /* VOCANA_DSP_BANDS_H */
