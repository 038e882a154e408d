/* SPDX-License-Identifier: MIT */
/*
 * libvocana — real-time neural noise suppression for speech.
 *
 * Contract, for every function below unless it says otherwise:
 *  - Audio is mono float at full scale ±1.0, 48 000 Hz. Denormals, NaN and Inf in the input are
 *    treated as silence (the output stays finite).
 *  - Functions return 0 (or a count) on success and a negative errno on failure
 *    (-EINVAL bad argument, -ENOMEM out of memory, -EBADMSG corrupt model, -ENOTSUP unknown model
 *    version or architecture, -ENOENT/-EACCES/... from opening a model file). vocana_strerror()
 *    turns one into text.
 *  - One denoiser object per channel and per thread: an object is not thread-safe, different objects
 *    are fully independent. A model may be shared read-only by any number of denoisers and threads.
 *  - vocana_denoiser_process() and every setter are real-time safe: no allocation, lock, I/O or
 *    unbounded loop. Creation, loading and destruction are not.
 *  - The library never prints.
 */
#ifndef VOCANA_VOCANA_H
#define VOCANA_VOCANA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(VOCANA_BUILDING_LIBRARY) && defined(__GNUC__)
#define VOCANA_API __attribute__((visibility("default")))
#else
#define VOCANA_API
#endif

#define VOCANA_SAMPLE_RATE 48000 /* Hz: the only rate the denoiser runs at */
#define VOCANA_FRAME_SIZE 480    /* samples per network step (10 ms) */

/* "0.1.0"; static storage. */
VOCANA_API const char *vocana_version_string(void);

/* Text for a negative errno returned by this library; static storage, never NULL. */
VOCANA_API const char *vocana_strerror(int err);

/* ---- Models ------------------------------------------------------------------------------ */

struct vocana_model; /* opaque, immutable after loading */

/* Load a model file (format: docs/model-format.md). On success *out owns the model; free it with
 * vocana_model_free() after every denoiser using it has been destroyed. */
VOCANA_API int vocana_model_load_file(const char *path, struct vocana_model **out);

/* Load a model from memory; the bytes are copied, so data may be freed after the call. */
VOCANA_API int vocana_model_load_memory(const void *data, size_t size, struct vocana_model **out);

/* Load the default model compiled into the library. */
VOCANA_API int vocana_model_load_default(struct vocana_model **out);

/* Number of learned parameters (weights and biases). */
VOCANA_API size_t vocana_model_parameter_count(const struct vocana_model *m);

/* NULL is a no-op. */
VOCANA_API void vocana_model_free(struct vocana_model *m);

/* ---- Denoiser ---------------------------------------------------------------------------- */

struct vocana_denoiser; /* opaque; one per channel */

/*
 * Create a denoiser running model m (NULL = the embedded default model; a given model must outlive
 * the denoiser).
 *
 * block_size is the number of samples the caller will pass to each vocana_denoiser_process() call,
 * or 0 if it varies. It only sets the constant latency: with g = gcd(block_size, 480) (g = 1 for 0),
 * the output lags the input by exactly D + 480 - g samples, where D is the model's algorithmic
 * delay (the STFT window pair it was trained with: 120 for the embedded model, 480 for models
 * with the symmetric window): D for blocks that are multiples of 480, D + 448 for 256-sample
 * blocks. Every later call must pass a multiple of g samples.
 */
VOCANA_API int vocana_denoiser_create(const struct vocana_model *m, uint32_t block_size,
                                      struct vocana_denoiser **out);

/* NULL is a no-op. */
VOCANA_API void vocana_denoiser_destroy(struct vocana_denoiser *d);

/* Constant delay of the output behind the input, in samples (see vocana_denoiser_create()). */
VOCANA_API uint32_t vocana_denoiser_latency_samples(const struct vocana_denoiser *d);

/*
 * Denoise n samples: reads in[0..n), writes out[0..n); in == out is allowed. n must be a multiple
 * of the granularity fixed at creation (else -EINVAL and nothing is consumed). Returns 0.
 */
VOCANA_API int vocana_denoiser_process(struct vocana_denoiser *d, const float *in, float *out,
                                       size_t n);

/* Voice-activity probability (0..1) of the most recent 10 ms frame. */
VOCANA_API float vocana_denoiser_vad(const struct vocana_denoiser *d);

/*
 * Suppression strength 0..100: 0 passes the input through unchanged, 100 removes all the noise the
 * model finds; in between, the model's attenuation in each band is scaled in dB by strength / 100
 * (50 -> half the dB), so equal steps sound like equal steps.
 * Changes are smoothed over about 50 ms, so they never click. -EINVAL outside 0..100.
 */
VOCANA_API int vocana_denoiser_set_strength(struct vocana_denoiser *d, int strength);
VOCANA_API int vocana_denoiser_get_strength(const struct vocana_denoiser *d);

/* Bypass: output the (equally delayed) input, crossfading over one 10 ms frame. */
VOCANA_API void vocana_denoiser_set_bypass(struct vocana_denoiser *d, bool bypass);

/* Forget all audio history (as if just created); keeps strength and bypass. */
VOCANA_API void vocana_denoiser_reset(struct vocana_denoiser *d);

#ifdef __cplusplus
}
#endif

#endif /* VOCANA_VOCANA_H */
