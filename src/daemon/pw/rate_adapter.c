/* SPDX-License-Identifier: MIT */
#include "pw/rate_adapter.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/ring.h"
#include "io/resample.h"
#include "vocana/vocana.h"

#define RA_SLACK 256 /* samples of head-room in each scratch buffer for converter jitter */

struct rate_adapter {
	uint32_t graph_rate;
	uint32_t max_block;       /* graph-rate samples per call */
	uint32_t max_block_48k;
	struct resampler *to_48k, *from_48k;
	float *buf48;             /* [max_block_48k] */
	float *bufout;            /* [max_block + RA_SLACK] */
	struct ring fifo;         /* output FIFO over fifo_buf, graph-rate samples */
	float *fifo_buf;
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
	resampler_destroy(ra->to_48k);
	resampler_destroy(ra->from_48k);
	free(ra->buf48);
	free(ra->bufout);
	free(ra->fifo_buf);
	free(ra);
}

static uint32_t fifo_fill(const struct rate_adapter *ra)
{
	uint32_t i;

	return (uint32_t)ring_get_read_index(&ra->fifo, &i);
}

static void fifo_push(struct rate_adapter *ra, const float *src, uint32_t n)
{
	uint32_t w;
	const uint32_t fill = (uint32_t)ring_get_write_index(&ra->fifo, &w);

	if (n > ra->fifo.size - fill) {
		/* Cannot happen with matched rates; drop the oldest rather than block or grow. One
		 * thread is both ends of this ring, so moving the read index here is safe. */
		uint32_t drop = n - (ra->fifo.size - fill), r;

		ra->delay -= drop;
		ring_get_read_index(&ra->fifo, &r);
		ring_read_update(&ra->fifo, r + drop);
	}
	ring_write_data(&ra->fifo, ra->fifo_buf, sizeof(float), w, src, n);
	ring_write_update(&ra->fifo, w + n);
}

static void fifo_pop(struct rate_adapter *ra, float *dst, uint32_t n)
{
	uint32_t r;
	const uint32_t fill = (uint32_t)ring_get_read_index(&ra->fifo, &r);
	const uint32_t take = n < fill ? n : fill;

	ring_read_data(&ra->fifo, ra->fifo_buf, sizeof(float), r, dst, take);
	ring_read_update(&ra->fifo, r + take);
	memset(dst + take, 0, (size_t)(n - take) * sizeof(float));
	ra->delay += n - take;
}

int rate_adapter_create(uint32_t graph_rate, uint32_t max_block, struct rate_adapter **out)
{
	struct rate_adapter *ra;
	uint32_t fifo_size = 1;

	if (graph_rate < 8000 || graph_rate > 384000 || max_block == 0 || max_block > 65536)
		return -EINVAL;
	ra = calloc(1, sizeof(*ra));
	if (ra == NULL)
		return -ENOMEM;
	ra->graph_rate = graph_rate;
	ra->max_block = max_block;
	ra->max_block_48k = (uint32_t)((double)max_block * VOCANA_SAMPLE_RATE / graph_rate) + RA_SLACK;
	/* Room for a cycle's output on top of the primed level, with margin: a power of two. */
	while (fifo_size < 2 * max_block + 4 * RATE_ADAPTER_MARGIN + RA_SLACK)
		fifo_size <<= 1;
	ra->buf48 = calloc(ra->max_block_48k, sizeof(float));
	ra->bufout = calloc((size_t)max_block + RA_SLACK, sizeof(float));
	/* On a cache line, like every ring's samples: aligned copies are a few times faster. */
	ra->fifo_buf = aligned_alloc(64, (size_t)fifo_size * sizeof(float));
	if (!ra->buf48 || !ra->bufout || !ra->fifo_buf ||
	    resampler_create(&ra->to_48k, graph_rate, VOCANA_SAMPLE_RATE, 1, RESAMPLER_REALTIME) < 0 ||
	    resampler_create(&ra->from_48k, VOCANA_SAMPLE_RATE, graph_rate, 1, RESAMPLER_REALTIME) < 0) {
		rate_adapter_destroy(ra);
		return -ENOMEM;
	}
	memset(ra->fifo_buf, 0, (size_t)fifo_size * sizeof(float)); /* touched now, not on the RT thread */
	(void)ring_init(&ra->fifo, fifo_size); /* a power of two */
	*out = ra;
	return 0;
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
	/* Scratch buffers are sized for the worst case, so each conversion takes all its input. */
	const uint32_t m = (uint32_t)resampler_convert(ra->to_48k, in, n, ra->buf48,
							 ra->max_block_48k);
	if (fn)
		fn(data, ra->buf48, m);
	const uint32_t k = (uint32_t)resampler_convert(ra->from_48k, ra->buf48, m, ra->bufout,
							 ra->max_block + RA_SLACK);
	fifo_push(ra, ra->bufout, k);
	if (!ra->primed && fifo_fill(ra) >= n + RATE_ADAPTER_MARGIN)
		ra->primed = true;
	if (!ra->primed) {
		memset(out, 0, (size_t)n * sizeof(float));
		ra->delay += n;
		return;
	}
	if (fifo_fill(ra) < n) {
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
