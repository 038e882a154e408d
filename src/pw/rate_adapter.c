/* SPDX-License-Identifier: MIT */
#include "pw/rate_adapter.h"

#include <errno.h>
#include <samplerate.h>
#include <stdlib.h>
#include <string.h>

#include "vocana/vocana.h"

/* SINC_FASTEST: 97 dB SNR, 80 % bandwidth (libsamplerate's docs) at a fraction of the denoiser's
 * CPU; the better sinc modes cost several times more for a speech band that ends at 8-12 kHz. */
#define RA_CONVERTER SRC_SINC_FASTEST
#define RA_SLACK 256 /* samples of head-room in each scratch buffer for converter jitter */

struct rate_adapter {
	uint32_t graph_rate;
	uint32_t max_block;       /* graph-rate samples per call */
	uint32_t max_block_48k;
	double ratio_in;          /* 48000 / graph_rate */
	double ratio_out;
	SRC_STATE *to_48k, *from_48k;
	float *buf48;             /* [max_block_48k] */
	float *bufout;            /* [max_block + RA_SLACK] */
	float *fifo;              /* ring of fifo_size samples */
	uint32_t fifo_size, fifo_read, fifo_count;
	bool primed;
	/* Delay in graph-rate samples, kept exact by counting: every zero we insert (priming,
	 * underrun) delays what follows by one sample, every sample dropped advances it by one.
	 * libsamplerate withholds output rather than emit leading zeros, so the converters' own
	 * delay shows up as priming zeros and is counted too. */
	int64_t delay;
	uint64_t underruns;
};

void rate_adapter_destroy(struct rate_adapter *ra)
{
	if (ra == NULL)
		return;
	if (ra->to_48k)
		src_delete(ra->to_48k);
	if (ra->from_48k)
		src_delete(ra->from_48k);
	free(ra->buf48);
	free(ra->bufout);
	free(ra->fifo);
	free(ra);
}

/* Run in[0..n) through one converter into out (room for out_max); returns samples written. */
static uint32_t convert(SRC_STATE *st, double ratio, const float *in, uint32_t n, float *out,
			uint32_t out_max)
{
	SRC_DATA d = {
		.data_in = in,
		.data_out = out,
		.input_frames = (long)n,
		.output_frames = (long)out_max,
		.end_of_input = 0,
		.src_ratio = ratio,
	};
	uint32_t written = 0;

	/* Scratch buffers are sized for the worst case, so one call consumes all input; the loop
	 * (bounded by the input length) only guards against a converter that stops early. */
	while (d.input_frames > 0 && d.output_frames > 0) {
		if (src_process(st, &d) != 0)
			break;
		written += (uint32_t)d.output_frames_gen;
		if (d.input_frames_used == 0 && d.output_frames_gen == 0)
			break;
		d.data_in += d.input_frames_used;
		d.input_frames -= d.input_frames_used;
		d.data_out += d.output_frames_gen;
		d.output_frames -= d.output_frames_gen;
	}
	return written;
}

static void fifo_push(struct rate_adapter *ra, const float *src, uint32_t n)
{
	uint32_t free_space = ra->fifo_size - ra->fifo_count;

	if (n > free_space) {
		/* Cannot happen with matched rates; drop the oldest rather than block or grow. */
		uint32_t drop = n - free_space;

		ra->delay -= drop;
		ra->fifo_read = (ra->fifo_read + drop) % ra->fifo_size;
		ra->fifo_count -= drop;
	}
	for (uint32_t i = 0; i < n; i++)
		ra->fifo[(ra->fifo_read + ra->fifo_count + i) % ra->fifo_size] = src[i];
	ra->fifo_count += n;
}

static void fifo_pop(struct rate_adapter *ra, float *dst, uint32_t n)
{
	uint32_t take = n < ra->fifo_count ? n : ra->fifo_count;

	for (uint32_t i = 0; i < take; i++)
		dst[i] = ra->fifo[(ra->fifo_read + i) % ra->fifo_size];
	memset(dst + take, 0, (size_t)(n - take) * sizeof(float));
	ra->delay += n - take;
	ra->fifo_read = (ra->fifo_read + take) % ra->fifo_size;
	ra->fifo_count -= take;
}

int rate_adapter_create(uint32_t graph_rate, uint32_t max_block, struct rate_adapter **out)
{
	struct rate_adapter *ra;
	int err;

	if (graph_rate < 8000 || graph_rate > 384000 || max_block == 0 || max_block > 65536)
		return -EINVAL;
	ra = calloc(1, sizeof(*ra));
	if (ra == NULL)
		return -ENOMEM;
	ra->graph_rate = graph_rate;
	ra->max_block = max_block;
	ra->ratio_in = (double)VOCANA_SAMPLE_RATE / graph_rate;
	ra->ratio_out = (double)graph_rate / VOCANA_SAMPLE_RATE;
	ra->max_block_48k = (uint32_t)((double)max_block * ra->ratio_in) + RA_SLACK;
	ra->fifo_size = 2 * max_block + 4 * RATE_ADAPTER_MARGIN + RA_SLACK;
	ra->buf48 = calloc(ra->max_block_48k, sizeof(float));
	ra->bufout = calloc((size_t)max_block + RA_SLACK, sizeof(float));
	ra->fifo = calloc(ra->fifo_size, sizeof(float));
	if (!ra->buf48 || !ra->bufout || !ra->fifo)
		goto nomem;
	ra->to_48k = src_new(RA_CONVERTER, 1, &err);
	if (ra->to_48k == NULL)
		goto nomem;
	ra->from_48k = src_new(RA_CONVERTER, 1, &err);
	if (ra->from_48k == NULL)
		goto nomem;
	*out = ra;
	return 0;
nomem:
	rate_adapter_destroy(ra);
	return -ENOMEM;
}

uint32_t rate_adapter_max_block_48k(const struct rate_adapter *ra)
{
	return ra->max_block_48k;
}

uint32_t rate_adapter_graph_rate(const struct rate_adapter *ra)
{
	return ra->graph_rate;
}

static void process_block(struct rate_adapter *ra, const float *in, float *out, uint32_t n,
			  rate_adapter_fn fn, void *data)
{
	uint32_t m, k;

	m = convert(ra->to_48k, ra->ratio_in, in, n, ra->buf48, ra->max_block_48k);
	if (fn)
		fn(data, ra->buf48, m);
	k = convert(ra->from_48k, ra->ratio_out, ra->buf48, m, ra->bufout,
		    ra->max_block + RA_SLACK);
	fifo_push(ra, ra->bufout, k);
	if (!ra->primed && ra->fifo_count >= n + RATE_ADAPTER_MARGIN)
		ra->primed = true;
	if (!ra->primed) {
		memset(out, 0, (size_t)n * sizeof(float));
		ra->delay += n;
		return;
	}
	if (ra->fifo_count < n) {
		ra->underruns++;
		ra->primed = false;
	}
	fifo_pop(ra, out, n);
}

void rate_adapter_process(struct rate_adapter *ra, const float *in, float *out, uint32_t n,
			  rate_adapter_fn fn, void *data)
{
	/* Blocks above max_block (a caller's mistake) are split rather than overrun the buffers;
	 * in == out still works because each piece is read before it is written. */
	while (n > 0) {
		uint32_t k = n < ra->max_block ? n : ra->max_block;

		process_block(ra, in, out, k, fn, data);
		in += k;
		out += k;
		n -= k;
	}
}

uint32_t rate_adapter_latency_samples(const struct rate_adapter *ra)
{
	return ra->delay > 0 ? (uint32_t)ra->delay : 0;
}

uint64_t rate_adapter_underruns(const struct rate_adapter *ra)
{
	return ra->underruns;
}
