/* SPDX-License-Identifier: MIT */
#include "io/resample.h"

#include <errno.h>
#include <samplerate.h>
#include <stdbool.h>
#include <stdlib.h>

/* Output is produced into this many frames of scratch per libsamplerate call. */
#define RESAMPLE_OUT_FRAMES 4096u

struct resampler {
	SRC_STATE *src;
	double ratio; /* out_rate / in_rate, as libsamplerate wants it */
	uint32_t n_channels;
	bool finished;
	float *out; /* RESAMPLE_OUT_FRAMES * n_channels */
};

int resampler_create(struct resampler **out, uint32_t in_rate_hz, uint32_t out_rate_hz,
		     uint32_t n_channels)
{
	struct resampler *r;
	int src_err = 0;

	*out = NULL;
	if (in_rate_hz == 0 || out_rate_hz == 0 || n_channels == 0)
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return -ENOMEM;
	r->ratio = (double)out_rate_hz / (double)in_rate_hz;
	r->n_channels = n_channels;
	if (!src_is_valid_ratio(r->ratio)) {
		resampler_destroy(r);
		return -EINVAL;
	}
	r->out = malloc(sizeof(float) * RESAMPLE_OUT_FRAMES * n_channels);
	if (r->out == NULL)
		goto nomem;
	r->src = src_new(SRC_SINC_MEDIUM_QUALITY, (int)n_channels, &src_err);
	if (r->src == NULL) {
		resampler_destroy(r);
		/* libsamplerate fails only on allocation or a bad channel count (checked above). */
		return -ENOMEM;
	}
	*out = r;
	return 0;

nomem:
	resampler_destroy(r);
	return -ENOMEM;
}

void resampler_destroy(struct resampler *r)
{
	if (r == NULL)
		return;
	if (r->src != NULL)
		src_delete(r->src);
	free(r->out);
	free(r);
}

/* One conversion loop for push and finish: libsamplerate may take only part of the input when
 * the output scratch fills, and needs repeated end_of_input calls until it stops producing. */
static int run(struct resampler *r, const float *frames, size_t n_frames, bool end,
	       resampler_emit_fn emit, void *ctx)
{
	SRC_DATA d = { 0 };
	int res;

	if (r->finished)
		return -EINVAL;
	for (;;) {
		/* libsamplerate counts in long; feed huge buffers in pieces. */
		size_t n_in = n_frames < (1u << 20) ? n_frames : (1u << 20);
		d.data_in = frames;
		d.input_frames = (long)n_in;
		d.data_out = r->out;
		d.output_frames = RESAMPLE_OUT_FRAMES;
		d.end_of_input = end && n_in == n_frames;
		d.src_ratio = r->ratio;
		res = src_process(r->src, &d);
		if (res != 0)
			return -EIO; /* libsamplerate fails only on misuse or allocation */
		if (d.input_frames_used == 0 && d.output_frames_gen == 0 && n_in > 0)
			return -EIO; /* no progress: never spin */
		frames += (size_t)d.input_frames_used * r->n_channels;
		n_frames -= (size_t)d.input_frames_used;
		if (d.output_frames_gen > 0) {
			res = emit(ctx, r->out, (size_t)d.output_frames_gen);
			if (res < 0)
				return res;
		}
		if (n_frames > 0)
			continue;
		/* Input used up: when pushing, the rest waits for more input; when finishing, keep
		 * going until the converter has drained its look-ahead. */
		if (!end || d.output_frames_gen == 0)
			break;
	}
	if (end)
		r->finished = true;
	return 0;
}

int resampler_push(struct resampler *r, const float *frames, size_t n_frames,
		   resampler_emit_fn emit, void *ctx)
{
	if (n_frames == 0)
		return 0;
	return run(r, frames, n_frames, false, emit, ctx);
}

int resampler_finish(struct resampler *r, resampler_emit_fn emit, void *ctx)
{
	/* libsamplerate silently does nothing when data_in is NULL, even with zero input frames
	 * and end_of_input set: the tail would be lost. Point it at something. */
	static const float no_input[1];

	return run(r, no_input, 0, true, emit, ctx);
}

void resampler_reset(struct resampler *r)
{
	src_reset(r->src);
	r->finished = false;
}

uint32_t resampler_delay_frames(const struct resampler *r)
{
	(void)r;
	return 0;
}
