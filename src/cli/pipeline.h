/* SPDX-License-Identifier: MIT */
/*
 * The streaming chain behind `vocana denoise`, independent of the denoiser itself:
 *
 *   input (any rate, C channels) -> resample to 48 kHz -> blocks of 480 frames, one mono
 *   processor call per channel -> drop the processor's leading delay -> resample back -> output
 *
 * It keeps the output aligned with the input sample for sample: output frame k is the processed
 * input frame k, and the output has exactly as many frames as the input. The processor's delay
 * (its latency) is removed by dropping that many frames at the start and feeding zeros at the end
 * to push the tail out; the resamplers are zero-phase (see io/resample.h), so with them an impulse
 * lands within one input sample of where it was. At 48 kHz nothing is resampled and the chain is
 * exact.
 *
 * The processor is a callback so that the chain is testable with a plain delay line, and so
 * other tools can reuse it.
 */
#ifndef VOCANA_CLI_PIPELINE_H
#define VOCANA_CLI_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PIPELINE_RATE_HZ 48000u    /* the rate the processor runs at */
#define PIPELINE_BLOCK_FRAMES 480u /* frames per processor call: one 10 ms hop */

struct pipeline_processor {
	/* Process PIPELINE_BLOCK_FRAMES mono samples of one channel in place. padding is true for
	 * the zero blocks that flush the tail (not part of the input). Returns 0 or -errno. */
	int (*process)(void *ctx, uint32_t channel, float *block, bool padding);
	void *ctx;
	uint32_t latency_frames; /* output lag of process(), in 48 kHz frames */
};

/* Receives output frames (interleaved, input rate); returns 0 or -errno to stop. */
typedef int (*pipeline_write_fn)(void *ctx, const float *frames, size_t n_frames);

struct pipeline;

/* Returns 0, -EINVAL (no channels, rate 0, no process callback) or -ENOMEM. */
int pipeline_create(struct pipeline **out, uint32_t rate_hz, uint32_t n_channels,
		    const struct pipeline_processor *proc, pipeline_write_fn write, void *write_ctx);

/* NULL is a no-op. */
void pipeline_destroy(struct pipeline *p);

/* Push n_frames interleaved input frames; output is written as it becomes ready. Returns 0 or
 * the first negative errno from the resampler, the processor or write. */
int pipeline_push(struct pipeline *p, const float *frames, size_t n_frames);

/* End of input: flush everything. Afterwards exactly as many frames were written as pushed. */
int pipeline_finish(struct pipeline *p);

uint64_t pipeline_frames_in(const struct pipeline *p);
uint64_t pipeline_frames_out(const struct pipeline *p);

#endif /* VOCANA_CLI_PIPELINE_H */
