/* SPDX-License-Identifier: MIT */
/* Measures of audio quality shared by the test tools (tests/plugins/plugin_tool.c,
 * tests/daemon/pw/pw_analyze.c). Header-only: each tool is one program. */
#ifndef VOCANA_TESTS_AUDIO_METRICS_H
#define VOCANA_TESTS_AUDIO_METRICS_H

#include <math.h>
#include <stddef.h>

/* Scale-invariant SDR in dB of est against clean over [from, to) (Le Roux et al., "SDR -
 * half-baked or well done?", ICASSP 2019): the target is clean scaled to best fit est, the rest
 * of est is distortion. */
static inline double sisdr_db(const float *clean, const float *est, size_t from, size_t to)
{
	double cc = 0.0, ce = 0.0, ee = 0.0;

	for (size_t t = from; t < to; t++) {
		cc += (double)clean[t] * clean[t];
		ce += (double)clean[t] * est[t];
		ee += (double)est[t] * est[t];
	}
	/* target = (ce / cc) clean; SI-SDR = |target|^2 / |est - target|^2 */
	double target = ce * ce / cc, noise = ee - target;
	return 10.0 * log10(target / fmax(noise, 1e-30));
}

#endif /* VOCANA_TESTS_AUDIO_METRICS_H */
