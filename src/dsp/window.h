/* SPDX-License-Identifier: MIT */
/* Analysis/synthesis window of the STFT (docs/architecture.md, "Signal path"). */
#ifndef VOCANA_DSP_WINDOW_H
#define VOCANA_DSP_WINDOW_H

#include <stddef.h>

/*
 * Fill w[0 .. n) with the Vorbis window w[k] = sin(pi/2 * sin^2(pi * (k + 0.5) / n)).
 * For even n it is power-complementary, w[k]^2 + w[k + n/2]^2 = 1, so using it for both analysis
 * and synthesis at 50 % overlap reconstructs the input exactly. Computed in double, rounded once.
 */
void window_vorbis(float *w, size_t n);

#endif /* VOCANA_DSP_WINDOW_H */
