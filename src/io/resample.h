/* SPDX-License-Identifier: MIT */
/*
 * Streaming sample-rate conversion (libsamplerate, band-limited sinc) for interleaved float
 * frames: the project's one wrapper of libsamplerate. Two ways to use it:
 *  - push style, for files: input goes in as it arrives, output comes out through a callback,
 *    and resampler_finish() flushes the tail;
 *  - resampler_convert(), for the real-time rate adapter (src/daemon/pw/rate_adapter.c): one block into
 *    the caller's buffer, no allocation, lock or system call (libsamplerate allocates only in
 *    src_new(), here in resampler_create()).
 *
 * Timing: libsamplerate's sinc converters are zero-phase. They hold back output until they have
 * the filter's look-ahead, and resampler_finish() pads the end with zeros, so output frame k is
 * the signal at input time k * in_rate / out_rate exactly: an impulse at input frame n comes out
 * at round(n * out_rate / in_rate), and n input frames give floor(n * out_rate / in_rate) frames
 * in all. resampler_delay_frames() is therefore 0; it exists so callers compensate explicitly
 * and stay correct if the converter ever changes.
 */
#ifndef VOCANA_IO_RESAMPLE_H
#define VOCANA_IO_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>

struct resampler;

/* Receives output frames; a negative return stops the resampler and is passed back. */
typedef int (*resampler_emit_fn)(void *ctx, const float *frames, size_t n_frames);

enum resampler_quality {
	/* SRC_SINC_MEDIUM_QUALITY: 121 dB SNR and 90 % bandwidth, several times cheaper than
	 * SRC_SINC_BEST_QUALITY and far beyond what a denoised speech signal needs. */
	RESAMPLER_FILE,
	/* SRC_SINC_FASTEST: 97 dB SNR, 80 % bandwidth, at a fraction of the denoiser's CPU: for a
	 * graph running at another rate, where it converts every cycle, twice; the better modes
	 * cost several times more for a speech band that ends at 8-12 kHz. */
	RESAMPLER_REALTIME,
};

/* Returns 0, -EINVAL (ratio outside 1/256..256, no channels, unknown quality) or -ENOMEM. */
int resampler_create(struct resampler **out, uint32_t in_rate_hz, uint32_t out_rate_hz,
		     uint32_t n_channels, enum resampler_quality quality);

/* NULL is a no-op. */
void resampler_destroy(struct resampler *r);

/* Convert n_frames interleaved frames; emits whatever output is ready. Returns 0 or a negative
 * errno (from libsamplerate or from emit). */
int resampler_push(struct resampler *r, const float *frames, size_t n_frames,
		   resampler_emit_fn emit, void *ctx);

/* End of input: emit the remaining output. Further pushes are errors until resampler_reset(). */
int resampler_finish(struct resampler *r, resampler_emit_fn emit, void *ctx);

/* Convert all n_frames frames of in into out (room for out_max frames), in one call: returns the
 * frames written, fewer than all of the output only when out_max is too small (the input is then
 * not all used). Real-time safe. Not mixed with push/finish on one resampler. */
size_t resampler_convert(struct resampler *r, const float *in, size_t n_frames, float *out,
			 size_t out_max);

/* Forget all history, as if just created. */
void resampler_reset(struct resampler *r);

/* Delay of the output behind the input, in output frames (0; see above). */
uint32_t resampler_delay_frames(const struct resampler *r);

#endif /* VOCANA_IO_RESAMPLE_H */
