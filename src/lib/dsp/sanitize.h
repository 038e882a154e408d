/* SPDX-License-Identifier: MIT */
/* Input cleaning shared by everything that takes samples from outside the library. */
#ifndef VOCANA_DSP_SANITIZE_H
#define VOCANA_DSP_SANITIZE_H

#include <math.h>

/* Magnitudes below this are silence. Keeping the history and spectra free of tiny values keeps
 * denormals (100x slower on x86) out of the FFTs: the smallest non-zero product of a kept sample
 * and a window value, or the difference of two such sums, is still far above FLT_MIN. */
#define VC_SAMPLE_TINY 1e-20f

/* Largest magnitude kept (100 dB above full scale, well above the int16-range floats some callers
 * feed by mistake): bounds |X|^2 far below FLT_MAX, so band energies and running means computed
 * from the spectrum stay finite whatever the input. */
#define VC_SAMPLE_MAX 1e5f

/* v if VC_SAMPLE_TINY <= |v| <= max; 0 for NaN, Inf and tiny values; +-max for larger ones. */
static inline float vc_sanitize(float v, float max)
{
	float a = fabsf(v);

	/* Written so that NaN fails the comparison and becomes 0. */
	if (!(a >= VC_SAMPLE_TINY))
		return 0.0f;
	if (a > max)
		return isinf(v) ? 0.0f : copysignf(max, v);
	return v;
}

#endif
