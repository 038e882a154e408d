/* SPDX-License-Identifier: MIT */
#include "io/resample.h"

#include <errno.h>
#include <samplerate.h>
#include <stdbool.h>
#include <stdlib.h>

/* Output is produced into this many frames of scratch per libsamplerate call (push style). */
#define RESAMPLE_OUT_FRAMES 4096u
/* libsamplerate counts in long; huge buffers go in pieces of this many frames. */
#define RESAMPLE_MAX_IN_FRAMES (1u << 20)

struct resampler {
	SRC_STATE *src;
	double ratio; /* out_rate / in_rate, as libsamplerate wants it */
	uint32_t n_channels;
	bool finished;
	float *out; /* RESAMPLE_OUT_FRAMES * n_channels, for push style */
};

int resampler_create(struct resampler **out, uint32_t in_rate_hz, uint32_t out_rate_hz,
		     uint32_t n_channels, enum resampler_quality quality)
{
	struct resampler *r;
	int src_err = 0;

	*out = NULL;
	if (in_rate_hz == 0 || out_rate_hz == 0 || n_channels == 0 ||
	    (quality != RESAMPLER_FILE && quality != RESAMPLER_REALTIME))
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
	r->src = src_new(quality == RESAMPLER_FILE ? SRC_SINC_MEDIUM_QUALITY : SRC_SINC_FASTEST,
			 (int)n_channels, &src_err);
	if (r->out == NULL || r->src == NULL) {
		/* libsamplerate fails only on allocation or a bad channel count (checked above). */
		resampler_destroy(r);
		return -ENOMEM;
	}
	*out = r;
	return 0;
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

/*
 * The one conversion loop: libsamplerate may take only part of the input when the output fills,
 * and when finishing needs repeated end_of_input calls until it stops producing. Converts from
 * *in (*n_in frames) into out (room for out_max), advancing *in and *n_in past what it used.
 * Returns the frames written, or -EIO (libsamplerate fails only on misuse or allocation, and a
 * call that makes no progress must not spin).
 */
static long convert(struct resampler *r, const float **in, size_t *n_in, bool end, float *out,
		    size_t out_max)
{
	SRC_DATA d = { 0 };
	size_t written = 0;

	for (;;) {
		const size_t piece = *n_in < RESAMPLE_MAX_IN_FRAMES ? *n_in : RESAMPLE_MAX_IN_FRAMES;
		d.data_in = *in;
		d.input_frames = (long)piece;
		d.data_out = out + written * r->n_channels;
		d.output_frames = (long)(out_max - written);
		d.end_of_input = end && piece == *n_in;
		d.src_ratio = r->ratio;
		if (src_process(r->src, &d) != 0)
			return -EIO;
		if (d.input_frames_used == 0 && d.output_frames_gen == 0 && piece > 0)
			return -EIO;
		*in += (size_t)d.input_frames_used * r->n_channels;
		*n_in -= (size_t)d.input_frames_used;
		written += (size_t)d.output_frames_gen;
		/* Done when the output is full, or the input is used up and (when finishing) the
		 * converter has drained its look-ahead. */
		if (written == out_max || (*n_in == 0 && (!end || d.output_frames_gen == 0)))
			return (long)written;
	}
}

size_t resampler_convert(struct resampler *r, const float *in, size_t n_frames, float *out,
			 size_t out_max)
{
	const long k = convert(r, &in, &n_frames, false, out, out_max);

	return k > 0 ? (size_t)k : 0;
}

/* Push style: convert through the scratch buffer, handing each filled piece to emit. */
static int resampler_run(struct resampler *r, const float *frames, size_t n_frames, bool end,
			 resampler_emit_fn emit, void *ctx)
{
	if (r->finished)
		return -EINVAL;
	for (;;) {
		const long k = convert(r, &frames, &n_frames, end, r->out, RESAMPLE_OUT_FRAMES);
		int res;

		if (k < 0)
			return (int)k;
		if (k > 0 && (res = emit(ctx, r->out, (size_t)k)) < 0)
			return res;
		if (k < (long)RESAMPLE_OUT_FRAMES)
			break; /* not stopped by a full scratch: all done */
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
	return resampler_run(r, frames, n_frames, false, emit, ctx);
}

int resampler_finish(struct resampler *r, resampler_emit_fn emit, void *ctx)
{
	/* libsamplerate silently does nothing when data_in is NULL, even with zero input frames
	 * and end_of_input set: the tail would be lost. Point it at something. */
	static const float no_input[1];

	return resampler_run(r, no_input, 0, true, emit, ctx);
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
