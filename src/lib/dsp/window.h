/* SPDX-License-Identifier: MIT */
/* Analysis/synthesis windows of the STFT (docs/architecture.md, "Signal path"). */
#ifndef VOCANA_DSP_WINDOW_H
#define VOCANA_DSP_WINDOW_H

#include <stddef.h>
#include <stdint.h>

/*
 * Fill w[0 .. n) with the Vorbis window w[k] = sin(pi/2 * sin^2(pi * (k + 0.5) / n)).
 * For even n it is power-complementary, w[k]^2 + w[k + n/2]^2 = 1, so using it for both analysis
 * and synthesis at 50 % overlap reconstructs the input exactly. Computed in double, rounded once.
 */
void window_vorbis(float *w, size_t n);

/* Smallest and largest algorithmic delay window_pair() accepts (samples at 48 kHz). */
#define WINDOW_DELAY_MIN 32u
#define WINDOW_DELAY_MAX 480u

/*
 * Fill analysis[0 .. 960) and synthesis[0 .. 960) with the window pair whose overlap-add
 * reconstructs the input after `delay` samples (hop 480, frame 960). delay = 480 is the symmetric
 * Vorbis pair (analysis = synthesis). A smaller delay D gives an asymmetric low-delay pair (after
 * Mauler & Martin, "A low delay, variable resolution, perfect reconstruction spectral
 * analysis-synthesis system for speech enhancement", EUSIPCO 2007): the analysis window rises over
 * the first 960 - D samples and falls over the last D; the synthesis window is zero except on the
 * last 480 + D samples, so a frame's output is final D samples before the frame's end.
 * Synthesis is not scaled by 1/960 (FFTW's normalisation is the caller's business).
 * Returns 0, or -EINVAL for a delay outside [WINDOW_DELAY_MIN, WINDOW_DELAY_MAX] or NULL.
 */
int window_pair(uint32_t delay, float *analysis, float *synthesis);

#endif /* VOCANA_DSP_WINDOW_H */
