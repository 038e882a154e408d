/* SPDX-License-Identifier: MIT */
#include "cli/pipeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "io/resample.h"

struct pipeline {
	uint32_t rate_hz;
	uint32_t n_channels;
	struct pipeline_processor proc;
	pipeline_write_fn write;
	void *write_ctx;
	struct resampler *up;   /* input rate -> 48 kHz; NULL at 48 kHz */
	struct resampler *down; /* 48 kHz -> input rate; NULL at 48 kHz */
	float *block;           /* PIPELINE_BLOCK_FRAMES interleaved frames being collected */
	float *mono;            /* one channel of block */
	size_t block_fill;      /* frames in block */
	uint64_t drop_left;     /* leading 48 kHz output frames still to drop (processor delay) */
	uint64_t n_in, n_out;     /* frames at the input rate */
	uint64_t n48_in, n48_out; /* frames at 48 kHz, into the processor and out after the drop */
	bool finished;
};

/* Last stage: hand frames to the writer, never more than came in (the zero-padded flush of the
 * resampler may run a frame over). */
static int emit_output(void *ctx, const float *frames, size_t n_frames)
{
	struct pipeline *p = ctx;
	uint64_t room = p->n_in - p->n_out;
	size_t n = n_frames < room ? n_frames : (size_t)room;

	if (n == 0)
		return 0;
	p->n_out += n;
	return p->write(p->write_ctx, frames, n);
}

/* Run one full block through the processor, channel by channel, and pass on what is past the
 * processor's delay. */
static int run_block(struct pipeline *p, bool padding)
{
	const size_t ch = p->n_channels;
	size_t skip, n;
	uint64_t room;
	int res;

	for (size_t c = 0; c < ch; c++) {
		for (size_t i = 0; i < PIPELINE_BLOCK_FRAMES; i++)
			p->mono[i] = p->block[i * ch + c];
		res = p->proc.process(p->proc.ctx, (uint32_t)c, p->mono, padding);
		if (res < 0)
			return res;
		for (size_t i = 0; i < PIPELINE_BLOCK_FRAMES; i++)
			p->block[i * ch + c] = p->mono[i];
	}
	p->block_fill = 0;

	skip = p->drop_left < PIPELINE_BLOCK_FRAMES ? (size_t)p->drop_left : PIPELINE_BLOCK_FRAMES;
	p->drop_left -= skip;
	n = PIPELINE_BLOCK_FRAMES - skip;
	room = p->n48_in - p->n48_out; /* the flush must not add frames that were never input */
	if (n > room)
		n = (size_t)room;
	if (n == 0)
		return 0;
	p->n48_out += n;
	if (p->down != NULL)
		return resampler_push(p->down, p->block + skip * ch, n, emit_output, p);
	return emit_output(p, p->block + skip * ch, n);
}

/* 48 kHz frames in: collect them into blocks. */
static int feed_48k(void *ctx, const float *frames, size_t n_frames)
{
	struct pipeline *p = ctx;
	const size_t ch = p->n_channels;
	int res;

	while (n_frames > 0) {
		size_t n = PIPELINE_BLOCK_FRAMES - p->block_fill;
		if (n > n_frames)
			n = n_frames;
		memcpy(p->block + p->block_fill * ch, frames, n * ch * sizeof(float));
		p->block_fill += n;
		p->n48_in += n;
		frames += n * ch;
		n_frames -= n;
		if (p->block_fill == PIPELINE_BLOCK_FRAMES && (res = run_block(p, false)) < 0)
			return res;
	}
	return 0;
}

int pipeline_create(struct pipeline **out, uint32_t rate_hz, uint32_t n_channels,
		    const struct pipeline_processor *proc, pipeline_write_fn write, void *write_ctx)
{
	struct pipeline *p;
	int res;

	*out = NULL;
	if (rate_hz == 0 || n_channels == 0 || proc == NULL || proc->process == NULL || write == NULL)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	p->rate_hz = rate_hz;
	p->n_channels = n_channels;
	p->proc = *proc;
	p->write = write;
	p->write_ctx = write_ctx;
	p->drop_left = proc->latency_frames;
	p->block = calloc((size_t)PIPELINE_BLOCK_FRAMES * n_channels, sizeof(float));
	p->mono = calloc(PIPELINE_BLOCK_FRAMES, sizeof(float));
	if (p->block == NULL || p->mono == NULL) {
		res = -ENOMEM;
		goto error;
	}
	if (rate_hz != PIPELINE_RATE_HZ) {
		if ((res = resampler_create(&p->up, rate_hz, PIPELINE_RATE_HZ, n_channels,
					    RESAMPLER_FILE)) < 0 ||
		    (res = resampler_create(&p->down, PIPELINE_RATE_HZ, rate_hz, n_channels,
					    RESAMPLER_FILE)) < 0)
			goto error;
		/* Both converters are zero-phase (resample.h), so these add nothing today. The
		 * up-converter's delay is in 48 kHz frames and is dropped with the processor's; the
		 * down-converter's would need dropping at the output, so insist that it is zero. */
		p->drop_left += resampler_delay_frames(p->up);
		if (resampler_delay_frames(p->down) != 0) {
			res = -ENOTSUP;
			goto error;
		}
	}
	*out = p;
	return 0;

error:
	pipeline_destroy(p);
	return res;
}

void pipeline_destroy(struct pipeline *p)
{
	if (p == NULL)
		return;
	resampler_destroy(p->up);
	resampler_destroy(p->down);
	free(p->block);
	free(p->mono);
	free(p);
}

int pipeline_push(struct pipeline *p, const float *frames, size_t n_frames)
{
	if (p->finished)
		return -EINVAL;
	p->n_in += n_frames;
	if (p->up != NULL)
		return resampler_push(p->up, frames, n_frames, feed_48k, p);
	return feed_48k(p, frames, n_frames);
}

int pipeline_finish(struct pipeline *p)
{
	const size_t ch = p->n_channels;
	int res;

	if (p->finished)
		return -EINVAL;
	p->finished = true;
	if (p->up != NULL && (res = resampler_finish(p->up, feed_48k, p)) < 0)
		return res;

	/* Push the processor's delayed tail out with zeros until every 48 kHz input frame has come
	 * out again. A block that still holds input frames is not padding. */
	while (p->n48_out < p->n48_in) {
		bool padding = p->block_fill == 0;
		memset(p->block + p->block_fill * ch, 0,
		       (PIPELINE_BLOCK_FRAMES - p->block_fill) * ch * sizeof(float));
		p->block_fill = PIPELINE_BLOCK_FRAMES;
		if ((res = run_block(p, padding)) < 0)
			return res;
	}
	if (p->down != NULL && (res = resampler_finish(p->down, emit_output, p)) < 0)
		return res;

	/* Resampling there and back can come out a frame short (both directions round down). */
	memset(p->block, 0, (size_t)PIPELINE_BLOCK_FRAMES * ch * sizeof(float));
	while (p->n_out < p->n_in) {
		uint64_t left = p->n_in - p->n_out;
		size_t n = left < PIPELINE_BLOCK_FRAMES ? (size_t)left : PIPELINE_BLOCK_FRAMES;
		if ((res = emit_output(p, p->block, n)) < 0)
			return res;
	}
	return 0;
}

uint64_t pipeline_frames_in(const struct pipeline *p)
{
	return p->n_in;
}

uint64_t pipeline_frames_out(const struct pipeline *p)
{
	return p->n_out;
}
