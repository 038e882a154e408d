/* SPDX-License-Identifier: MIT */
/*
 * Short-time Fourier transform with perfect reconstruction (docs/architecture.md, "Signal path").
 *
 * One object holds both directions because the denoiser always runs them as a pair, once per hop:
 *   stft_analyze(s, in, X);  ...modify X...;  stft_synthesize(s, X, out);
 * With X unchanged, out is in delayed by exactly `delay` samples (480 for the symmetric Vorbis
 * window pair; less for the asymmetric low-delay pairs of window.h).
 *
 * Spectrum layout: VC_BINS (481) complex bins, interleaved re, im (2 * 481 floats), the
 * unnormalised FFT of the windowed frame (FFTW r2c convention: X_k = sum_n x[n] e^{-2 pi i k n / N}).
 *
 * Threading: one object per thread. stft_create()/stft_destroy() may run on any threads at once
 * (planner calls are serialised internally); they allocate and are not real-time safe.
 * stft_reset(), stft_analyze() and stft_synthesize() are real-time safe: no allocation, lock,
 * I/O, and a fixed amount of work.
 */
#ifndef VOCANA_DSP_STFT_H
#define VOCANA_DSP_STFT_H

#include <stdint.h>

struct stft;

/* Create a zeroed STFT (silence in the history) with the window pair of window_pair(delay).
 * 0, -EINVAL (out == NULL, delay outside WINDOW_DELAY_MIN..MAX) or -ENOMEM. */
int stft_create(struct stft **out, uint32_t delay);

/* NULL is a no-op. */
void stft_destroy(struct stft *s);

/* Forget all history: the next hops behave as after stft_create(). */
void stft_reset(struct stft *s);

/*
 * Push one hop of VC_HOP input samples and compute the spectrum of the last VC_WIN samples,
 * windowed. NaN and Inf are replaced by 0, values below 1e-20 in magnitude (denormals included)
 * by 0, and values are clamped to +-1e5, so neither the history nor the spectrum (nor anything
 * computed from it) can become non-finite or denormal. spec: 2 * VC_BINS floats.
 */
void stft_analyze(struct stft *s, const float *hop_in, float *spec);

/*
 * Inverse FFT of spec (2 * VC_BINS floats, same layout), scaled by 1/VC_WIN, windowed with the
 * synthesis window, and overlap-added with the previous frame's tail; writes the VC_HOP finished
 * samples.
 * Non-finite and tiny (< 1e-20) spectrum values are treated as 0 and magnitudes are clamped to the
 * largest analysis can produce, so a bad spectrum cannot poison the overlap state.
 * The imaginary parts of bins 0 and VC_BINS-1 are ignored (a real signal has none).
 */
void stft_synthesize(struct stft *s, const float *spec, float *hop_out);

#endif /* VOCANA_DSP_STFT_H */
