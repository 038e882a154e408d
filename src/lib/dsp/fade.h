/* SPDX-License-Identifier: MIT */
/*
 * The one crossfade curve of the audio path: every fade mixes with these weights (the denoiser's
 * bypass crossfade, the engine's fades around late frames and its delay splices, the hand-off's
 * splice back to the same-cycle mode).
 *
 * A raised cosine whose fade-in and fade-out weights sum to one at every sample: out =
 * w * new + (1 - w) * old. Sum-to-one (not equal power) because each fade joins two versions of
 * one signal, denoised and dry, or a stream and itself a few milliseconds apart, so a constant sum
 * keeps the level; the cosine's zero slope at both ends avoids the corners a linear ramp has,
 * which are heard as a faint click on tonal input.
 */
#ifndef VOCANA_DSP_FADE_H
#define VOCANA_DSP_FADE_H

#include <math.h>
#include <stdint.h>

/* Fade-in weight k of a fade over n samples: 0.5 - 0.5 cos(pi (k + 0.5) / n), rising from near 0
 * to near 1. Symmetric: weight(n - 1 - k) = 1 - weight(k), so the fade-out is the same curve
 * reversed. */
static inline float fade_weight(uint32_t k, uint32_t n)
{
	return 0.5f - 0.5f * cosf((float)M_PI * ((float)k + 0.5f) / (float)n);
}

/* The n fade-in weights, for a table made once at creation (fades then cost no cosf). */
static inline void fade_curve(float *w, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++)
		w[k] = fade_weight(k, n);
}

/* dst = w * to + (1 - w) * from over n samples: the fade from `from` into `to`; dst may be either. */
static inline void fade_mix(float *dst, const float *from, const float *to, const float *w,
			    uint32_t n)
{
	for (uint32_t k = 0; k < n; k++)
		dst[k] = w[k] * to[k] + (1.0f - w[k]) * from[k];
}

#endif /* VOCANA_DSP_FADE_H */
