/* SPDX-License-Identifier: MIT */
/*
 * Development interface of libvocana: NOT a stable API, and not in libvocana.so: it is built as
 * libvocana_dev (libvocana plus these functions), which is never installed. It exists so the
 * training pipeline (train/, via ctypes) computes exactly the features the C denoiser computes
 * instead of re-implementing them, and so tests and benchmarks can reach single stages.
 */
#ifndef VOCANA_VOCANA_DEV_H
#define VOCANA_VOCANA_DEV_H

#include "vocana.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VOCANA_DEV_N_BANDS 32 /* ERB bands */
#define VOCANA_DEV_N_BINS 481 /* spectrum bins per frame */

/* Band centres in bins (VOCANA_DEV_N_BANDS values, 0 first, 480 last). Returns the band count. */
VOCANA_API int vocana_dev_band_centers(uint32_t *centers);

/* Length of one frame's feature vector for n_df deep-filter bins: 32 + 2 * n_df, or 0 if n_df > 481. */
VOCANA_API size_t vocana_dev_feature_size(uint32_t n_df);

/*
 * The STFT window pair of a model with algorithmic delay `delay` samples (32..480; 480 is the
 * symmetric Vorbis pair, smaller values the asymmetric low-delay pairs, docs/architecture.md):
 * analysis and synthesis, 960 floats each; synthesis without FFTW's 1/960. 0 or -EINVAL.
 */
VOCANA_API int vocana_dev_windows(uint32_t delay, float *analysis, float *synthesis);

/*
 * Run a fresh analysis state (STFT + features, as a new denoiser would) over n_frames * 480
 * samples of x, with the analysis window of vocana_dev_windows(delay). Frame t covers
 * x[480(t-1) .. 480(t+1)) with zeros before the start.
 * features: n_frames * vocana_dev_feature_size(n_df) floats, or NULL.
 * spectrum: n_frames * 481 * 2 floats (re, im; unnormalised FFT of the windowed frame), or NULL.
 */
VOCANA_API int vocana_dev_analyze(const float *x, size_t n_frames, uint32_t n_df, uint32_t delay,
                                  float *features, float *spectrum);

/*
 * Run the network of model m over n_frames feature vectors from a fresh state. Outputs, each
 * n_frames rows, any may be NULL: gains [n_erb], df [n_df*df_order*2], vad [1].
 */
VOCANA_API int vocana_dev_run_network(const struct vocana_model *m, const float *features,
                                      size_t n_frames, float *gains, float *df, float *vad);

/* Hyper-parameters of a model: n_erb, n_df, df_order, enc_dim, hidden, n_gru, delay (7 values;
 * delay is 480 for files that do not store it). */
VOCANA_API int vocana_dev_model_hparams(const struct vocana_model *m, uint32_t *hparams7);

/*
 * Restrict the compute kernels chosen for objects created afterwards: "c" (scalar reference),
 * "avx2", "neon" or NULL/"auto" (best available). -ENOTSUP if this CPU or build lacks it.
 * Not thread-safe against concurrent creation; for tests and benchmarks.
 */
VOCANA_API int vocana_dev_force_isa(const char *name);

/* Name of the kernel set objects created now would use ("avx2", "c", ...). */
VOCANA_API const char *vocana_dev_isa_name(void);

#ifdef __cplusplus
}
#endif

#endif /* VOCANA_VOCANA_DEV_H */
