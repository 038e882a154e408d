/* SPDX-License-Identifier: MIT */
/*
 * Signal-path constants (docs/architecture.md, "Signal path", "Bands", "Features"). Every size is
 * derived from the sample rate and the hop so that changing one number cannot leave another stale.
 * The Python side never copies these: it reads them back through include/vocana/vocana_dev.h.
 */
#ifndef VOCANA_DSP_CONSTANTS_H
#define VOCANA_DSP_CONSTANTS_H

/* Hz: the rate of nearly every Linux audio graph; other rates are resampled at the edges. */
#define VC_SAMPLE_RATE 48000

/* Samples per hop: 10 ms, one network step per hop (100 hops per second). */
#define VC_HOP (VC_SAMPLE_RATE / 100)

/* Analysis window: two hops, 50 % overlap, which is what makes the Vorbis window
 * power-complementary (w[n]^2 + w[n + VC_HOP]^2 = 1) and the algorithmic latency one hop. */
#define VC_WIN (2 * VC_HOP)

/* Bins of a real FFT of VC_WIN samples: DC .. Nyquist inclusive (0 .. 24 kHz, 50 Hz apart). */
#define VC_BINS (VC_WIN / 2 + 1)

/* Hz between bins: VC_SAMPLE_RATE / VC_WIN = 50 Hz. */
#define VC_BIN_HZ ((double)VC_SAMPLE_RATE / VC_WIN)

/* ERB bands (RNNoise-style triangular bands on the Glasberg & Moore ERB-rate scale). */
#define VC_N_BANDS 32

/* Closest two band centres may be, in bins (100 Hz): at the low end uniform ERB-rate spacing
 * would put several centres inside one bin, which would make bands that measure nothing. */
#define VC_BAND_MIN_SPACING 2

/* Largest deep-filter bin count: every bin of the spectrum. */
#define VC_MAX_DF VC_BINS

/* Spectrum scale for energies and df features: |X / sqrt(VC_HOP)|^2 has expectation s^2 for
 * white noise of variance s^2, because sum(w[n]^2) over the window is VC_WIN / 2 = VC_HOP. */
#define VC_SPEC_NORM_POWER (1.0f / VC_HOP)

/* Running-mean coefficient of the feature normalisation: exp(-1/100), a one-second time
 * constant at 100 hops per second. Written out because exp() is not a constant expression. */
#define VC_NORM_ALPHA 0.99004983374916805f

/* dB the erb features are divided by, so typical deviations from the running mean are ~±1. */
#define VC_ERB_FEATURE_SCALE_DB 40.0f

/* Added to band energies before the log: floors silence at -100 dB instead of -inf. */
#define VC_ENERGY_EPS 1e-10f

/* Initial running mean of the band log-energies (dB): quiet room level, so the first frames of
 * speech stand out instead of being normalised away. */
#define VC_ERB_MEAN_INIT_DB (-70.0f)

/* Initial running mean of |X_k / sqrt(VC_HOP)| for the df features. */
#define VC_DF_NORM_INIT 1e-4f

/* Floor of that running mean. In silence it decays geometrically; without a floor it would turn
 * denormal (slow on x86) and then zero (0/0 = NaN). 1e-10 is about -200 dBFS, far below any
 * real input, so the floor never changes the features of real signals. */
#define VC_DF_NORM_FLOOR 1e-10f

/* A hop whose every band energy is below this (-100 dB, under the noise floor of any real
 * microphone or of 16-bit dither) is digital silence: it does not update the normalisation. */
#define VC_SILENCE_ENERGY 1e-10f

#endif /* VOCANA_DSP_CONSTANTS_H */
