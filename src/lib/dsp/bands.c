/* SPDX-License-Identifier: MIT */
/*
 * ERB band centres and triangular weights. See bands.h and docs/architecture.md ("Bands").
 *
 * Centre placement. Uniform ERB-rate spacing from 0 Hz to 24 kHz with 32 centres would put the
 * lowest centres less than one bin apart (one step is 1.4 ERB, about 37 Hz at 0 Hz, and a bin
 * is 50 Hz), so the low end is spaced linearly at VC_BAND_MIN_SPACING bins instead:
 *
 *   c_j = VC_BAND_MIN_SPACING * j                                     for j <= m
 *   c_j = round(bin(erb^-1(e_m + (j - m) / (31 - m) * (erb(24 kHz) - e_m))))   for j > m
 *
 * where e_m = erb(c_m) and m is the smallest value for which every gap is >= the minimum
 * spacing. Above c_m the centres are uniform in ERB-rate, and since erb^-1 is convex their gaps
 * only grow (up to rounding, which the check catches). m = 30 always satisfies the constraints
 * (static assertion below), so the search always ends, and the last centre is exactly
 * VC_BINS - 1 by construction. With the current constants m = 4 and the centres are
 *   0 2 4 6 8 10 12 14 17 20 24 28 33 38 44 51 59 68 79 91 105 121 139 160 183 211 242 278 318 365 419 480
 * (the rounded values are at least 0.028 bins away from a rounding tie, so every libm agrees).
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "dsp/bands.h"

#define BANDS_LAST_BIN (VC_BINS - 1)

_Static_assert(VC_N_BANDS >= 2 && VC_N_BANDS - 1 <= UINT8_MAX, "lo_band is a uint8_t");
_Static_assert(BANDS_LAST_BIN <= UINT16_MAX, "center is a uint16_t");
/* The fallback m = VC_N_BANDS - 2 (all but the last gap linear) must leave a legal last gap. */
_Static_assert(BANDS_LAST_BIN - VC_BAND_MIN_SPACING * (VC_N_BANDS - 2) >= VC_BAND_MIN_SPACING,
	       "too many bands for the spectrum at the minimum spacing");

/* ERB-rate (number of ERBs below hz), Glasberg & Moore, "Derivation of auditory filter shapes
 * from notched-noise data", Hearing Research 47, 1990, eq. 4. */
static double bands_erb_rate(double hz)
{
	return 21.4 * log10(1.0 + 0.00437 * hz);
}

static double bands_erb_rate_to_hz(double erb)
{
	return (pow(10.0, erb / 21.4) - 1.0) / 0.00437;
}

/* Centres with the lowest n_linear + 1 spaced linearly; true if every gap is legal. */
static bool bands_place(unsigned n_linear, uint16_t *center)
{
	const unsigned last = VC_N_BANDS - 1;
	double e_lo = bands_erb_rate(VC_BAND_MIN_SPACING * n_linear * VC_BIN_HZ);
	double e_hi = bands_erb_rate(BANDS_LAST_BIN * VC_BIN_HZ);

	for (unsigned j = 0; j <= n_linear; j++)
		center[j] = (uint16_t)(VC_BAND_MIN_SPACING * j);
	for (unsigned j = n_linear + 1; j < last; j++) {
		double e = e_lo + (double)(j - n_linear) / (double)(last - n_linear) * (e_hi - e_lo);
		center[j] = (uint16_t)floor(bands_erb_rate_to_hz(e) / VC_BIN_HZ + 0.5);
	}
	center[last] = BANDS_LAST_BIN; /* exact, not subject to rounding of pow(log10(x)) */

	for (unsigned j = 0; j < last; j++)
		if (center[j + 1] < center[j] + VC_BAND_MIN_SPACING)
			return false;
	return true;
}

void bands_init(struct bands *b)
{
	double weight_sum[VC_N_BANDS] = { 0 };

	memset(b, 0, sizeof(*b));
	for (unsigned m = 0; m < VC_N_BANDS - 1; m++)
		if (bands_place(m, b->center))
			break;

	for (unsigned band = 0; band + 1 < VC_N_BANDS; band++) {
		unsigned c0 = b->center[band], c1 = b->center[band + 1];

		for (unsigned k = c0; k < c1; k++) {
			double hi = (double)(k - c0) / (double)(c1 - c0);

			b->lo_band[k] = (uint8_t)band;
			b->lo_weight[k] = (float)(1.0 - hi);
			b->hi_weight[k] = (float)hi;
		}
	}
	/* The last bin is the last centre: all of it in the last band. */
	b->lo_band[BANDS_LAST_BIN] = VC_N_BANDS - 2;
	b->lo_weight[BANDS_LAST_BIN] = 0.0f;
	b->hi_weight[BANDS_LAST_BIN] = 1.0f;

	for (unsigned k = 0; k < VC_BINS; k++) {
		weight_sum[b->lo_band[k]] += b->lo_weight[k];
		weight_sum[b->lo_band[k] + 1] += b->hi_weight[k];
	}
	for (unsigned band = 0; band < VC_N_BANDS; band++)
		b->energy_scale[band] = (float)(1.0 / ((double)VC_HOP * weight_sum[band]));
}

void bands_energy(const struct bands *b, const float *spec, float *energy)
{
	for (unsigned band = 0; band < VC_N_BANDS; band++)
		energy[band] = 0.0f;
	for (unsigned k = 0; k < VC_BINS; k++) {
		float re = spec[2 * k], im = spec[2 * k + 1];
		float p = re * re + im * im;
		unsigned lo = b->lo_band[k];

		energy[lo] += b->lo_weight[k] * p;
		energy[lo + 1] += b->hi_weight[k] * p;
	}
	for (unsigned band = 0; band < VC_N_BANDS; band++)
		energy[band] *= b->energy_scale[band];
}

void bands_cross_energy(const struct bands *b, const float *x, const float *y, float *cross)
{
	for (unsigned band = 0; band < VC_N_BANDS; band++)
		cross[band] = 0.0f;
	for (unsigned k = 0; k < VC_BINS; k++) {
		float p = x[2 * k] * y[2 * k] + x[2 * k + 1] * y[2 * k + 1];
		unsigned lo = b->lo_band[k];

		cross[lo] += b->lo_weight[k] * p;
		cross[lo + 1] += b->hi_weight[k] * p;
	}
	for (unsigned band = 0; band < VC_N_BANDS; band++)
		cross[band] *= b->energy_scale[band];
}

void bands_interp_gains(const struct bands *b, const float *gains, float *bin_gains)
{
	for (unsigned k = 0; k < VC_BINS; k++) {
		unsigned lo = b->lo_band[k];

		bin_gains[k] = b->lo_weight[k] * gains[lo] + b->hi_weight[k] * gains[lo + 1];
	}
}
