/* SPDX-License-Identifier: MIT */
/*
 * One channel of a plugin instance: the public denoiser, with sample-rate conversion around it
 * when the host does not run at 48 kHz. The timing argument is in plugin_chain.h.
 *
 * Resampling goes through the program's streaming wrapper (io/resample.h: libsamplerate's
 * SRC_SINC_MEDIUM_QUALITY, zero-phase), the same converter `vocana denoise` uses, so a plugin at
 * 44.1 kHz and the command line on a 44.1 kHz file hear the same 48 kHz signal. Its push is
 * real-time safe: src_process() only computes (libsamplerate allocates in src_new() alone), and
 * the wrapper's output scratch is allocated when it is created.
 */
#include "plugins/plugin_chain.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/resample.h"
#include "util/gcd.h"

/* 48 kHz samples denoised per step inside the up-converter's output callback (which may hand
 * over more at once); at 48 kHz a whole chunk goes through it. */
#define VP_SCRATCH_SAMPLES VP_CHAIN_MAX_CHUNK
/* Most samples one push into a converter should produce. The wrapper (io/resample.c) hands out
 * at most its output scratch (4096 frames) per libsamplerate call and, once the input is
 * consumed, leaves whatever did not fit inside the converter until the next push: below 12 kHz a
 * 1024-sample chunk would make the up-converter produce more than that (and above 192 kHz 1024
 * samples into the down-converter would), and that extra hold-back would empty the FIFO. Pieces
 * that stay well under the scratch keep the hold-back at the filter's look-ahead, which the
 * prefill covers (tests/plugins: no underrun from 8 to 384 kHz). */
#define VP_PUSH_OUT_MAX 1024u
/* Largest padding d' (48 kHz samples, 3.3 ms) spent on making the latency a whole number of host
 * samples. The 44.1 kHz family (11025 to 176400 Hz) needs 41, rates dividing 48 kHz's multiples
 * none; an odd rate that would need more (383950 Hz: 361) gets d' = 0 and a latency rounded to
 * the nearest sample rather than up to 20 ms more delay. */
#define VP_PAD_MAX_48K 160u
/* Extra FIFO prefill beyond the measured look-ahead: the converters' output counts round to
 * whole samples (up to one each) and the measurement itself is to one sample. */
#define VP_PREFILL_MARGIN 4u
/* Measuring a converter's look-ahead gives up after this many samples (libsamplerate's sinc
 * filters need a few hundred at most, even at 8 or 384 kHz). */
#define VP_LOOKAHEAD_PROBE_MAX 16384u
/* Hops of silence run through a new denoiser before its first real-time call, so its memory and
 * code are faulted in then and not during the host's first cycle (the engine does the same). */
#define VP_WARMUP_HOPS 4u

struct vp_chain {
	struct vocana_denoiser *den;
	struct resampler *up;   /* host rate -> 48 kHz; NULL at 48 kHz */
	struct resampler *down; /* 48 kHz -> host rate; NULL at 48 kHz */
	uint32_t rate_hz;
	uint32_t latency;  /* host samples */
	uint32_t prefill;  /* P: zeros the FIFO starts with */
	uint32_t pad_48k;  /* d': zeros fed to the down-converter at reset */
	uint32_t up_piece;   /* host samples per push into the up-converter */
	uint32_t down_piece; /* 48 kHz samples per push into the down-converter */
	float *fifo;       /* host-rate output waiting to be pulled */
	uint32_t fifo_mask;
	uint32_t fifo_read, fifo_write; /* free-running, masked */
	uint64_t faults;
	float scratch[VP_SCRATCH_SAMPLES];
};

static void fifo_write(struct vp_chain *c, const float *x, size_t n)
{
	const uint32_t room = c->fifo_mask + 1 - (c->fifo_write - c->fifo_read);

	if (n > room) { /* cannot happen with the capacity from create(); never block or grow */
		c->faults += n - room;
		n = room;
	}
	for (size_t i = 0; i < n; i++)
		c->fifo[(c->fifo_write + i) & c->fifo_mask] = x[i];
	c->fifo_write += (uint32_t)n;
}

static int down_emit(void *ctx, const float *frames, size_t n)
{
	fifo_write(ctx, frames, n);
	return 0;
}

/* 48 kHz samples from the up-converter: denoise them and convert them back. */
static int up_emit(void *ctx, const float *frames, size_t n)
{
	struct vp_chain *c = ctx;

	while (n > 0) {
		size_t k = n < c->down_piece ? n : c->down_piece;
		int res;

		vocana_denoiser_process(c->den, frames, c->scratch, k);
		if ((res = resampler_push(c->down, c->scratch, k, down_emit, c)) < 0)
			return res;
		frames += k;
		n -= k;
	}
	return 0;
}

static int count_emit(void *ctx, const float *frames, size_t n)
{
	(void)frames;
	*(size_t *)ctx += n;
	return 0;
}

/* Input samples a fresh converter needs before its first output sample (its filter's
 * look-ahead, plus one), fed one at a time as the worst-case host would. Leaves it reset. */
static uint32_t measure_lookahead(struct resampler *r)
{
	static const float zero[1];
	size_t emitted = 0;
	uint32_t n;

	for (n = 1; n <= VP_LOOKAHEAD_PROBE_MAX; n++) {
		if (resampler_push(r, zero, 1, count_emit, &emitted) < 0 || emitted > 0)
			break;
	}
	resampler_reset(r);
	return n;
}

int vp_chain_create(const struct vocana_model *m, uint32_t rate_hz, struct vp_chain **out)
{
	struct vp_chain *c;
	uint32_t d48, fifo_size;
	int res;

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (m == NULL || rate_hz < VP_RATE_MIN_HZ || rate_hz > VP_RATE_MAX_HZ)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	c->rate_hz = rate_hz;
	/* Block size 0: hosts pass any number of samples per run() (1, 7, a varying quantum), so
	 * the denoiser must take any count; that costs 479 samples of latency over 480-blocks. */
	if ((res = vocana_denoiser_create(m, 0, &c->den)) < 0)
		goto error;
	d48 = vocana_denoiser_latency_samples(c->den);

	if (rate_hz == VOCANA_SAMPLE_RATE) {
		c->latency = d48;
	} else {
		const uint32_t g = gcd_u32(rate_hz, VOCANA_SAMPLE_RATE);
		const uint32_t q = VOCANA_SAMPLE_RATE / g; /* D * R / 48000 is whole iff q divides D */
		const double r_down = (double)rate_hz / VOCANA_SAMPLE_RATE;
		uint32_t look_up, look_down;
		double need;

		if ((res = resampler_create(&c->up, rate_hz, VOCANA_SAMPLE_RATE, 1, RESAMPLER_FILE)) < 0 ||
		    (res = resampler_create(&c->down, VOCANA_SAMPLE_RATE, rate_hz, 1, RESAMPLER_FILE)) < 0)
			goto error;
		c->up_piece = (uint32_t)((uint64_t)VP_PUSH_OUT_MAX * rate_hz / VOCANA_SAMPLE_RATE);
		c->down_piece = (uint32_t)((uint64_t)VP_PUSH_OUT_MAX * VOCANA_SAMPLE_RATE / rate_hz);
		if (c->up_piece == 0)
			c->up_piece = 1;
		if (c->down_piece == 0)
			c->down_piece = 1;
		if (c->down_piece > VP_SCRATCH_SAMPLES)
			c->down_piece = VP_SCRATCH_SAMPLES;
		look_up = measure_lookahead(c->up);
		look_down = measure_lookahead(c->down);
		c->pad_48k = (q - d48 % q) % q;
		if (c->pad_48k > VP_PAD_MAX_48K)
			c->pad_48k = 0;
		/* A converter holds back its look-ahead: after N host samples the chain has given
		 * about N - look_up - (look_down - d') * R / 48000 host samples (look_down and d' are
		 * 48 kHz samples), so that many zeros in the FIFO keep every pull covered. */
		need = (double)look_up + ((double)look_down - c->pad_48k) * r_down;
		c->prefill = (need > 0 ? (uint32_t)ceil(need) : 0) + VP_PREFILL_MARGIN;
		c->latency = c->prefill +
			     (uint32_t)lround((double)(d48 + c->pad_48k) * rate_hz / VOCANA_SAMPLE_RATE);
	}

	/* The FIFO holds the prefill, the d' zeros after conversion, one chunk and the rounding of
	 * the converters' counts. */
	fifo_size = c->prefill + (uint32_t)ceil(c->pad_48k * (double)rate_hz / VOCANA_SAMPLE_RATE) +
		    VP_CHAIN_MAX_CHUNK + 64;
	c->fifo_mask = 1;
	while (c->fifo_mask < fifo_size)
		c->fifo_mask <<= 1;
	c->fifo = calloc(c->fifo_mask, sizeof(float));
	if (c->fifo == NULL) {
		res = -ENOMEM;
		goto error;
	}
	c->fifo_mask -= 1;

	/* Warm up with silence, then forget it (vp_chain_reset). */
	memset(c->scratch, 0, sizeof(c->scratch));
	for (uint32_t i = 0; i < VP_WARMUP_HOPS; i++)
		vocana_denoiser_process(c->den, c->scratch, c->scratch, VOCANA_FRAME_SIZE);
	vp_chain_reset(c);
	*out = c;
	return 0;

error:
	vp_chain_destroy(c);
	return res;
}

void vp_chain_destroy(struct vp_chain *c)
{
	if (c == NULL)
		return;
	vocana_denoiser_destroy(c->den);
	resampler_destroy(c->up);
	resampler_destroy(c->down);
	free(c->fifo);
	free(c);
}

void vp_chain_reset(struct vp_chain *c)
{
	vocana_denoiser_reset(c->den);
	memset(c->fifo, 0, ((size_t)c->fifo_mask + 1) * sizeof(float));
	c->fifo_read = 0;
	c->fifo_write = c->prefill;
	c->faults = 0;
	if (c->up == NULL)
		return;
	resampler_reset(c->up);
	resampler_reset(c->down);
	memset(c->scratch, 0, sizeof(c->scratch));
	for (uint32_t left = c->pad_48k; left > 0;) {
		uint32_t k = left < c->down_piece ? left : c->down_piece;

		if (resampler_push(c->down, c->scratch, k, down_emit, c) < 0)
			c->faults++;
		left -= k;
	}
}

struct vocana_denoiser *vp_chain_denoiser(struct vp_chain *c)
{
	return c->den;
}

uint32_t vp_chain_latency(const struct vp_chain *c)
{
	return c->latency;
}

void vp_chain_push(struct vp_chain *c, const float *in, size_t n)
{
	if (n > VP_CHAIN_MAX_CHUNK) { /* a caller bug: refuse rather than overrun the FIFO */
		c->faults += n;
		return;
	}
	if (c->up == NULL) {
		vocana_denoiser_process(c->den, in, c->scratch, n);
		fifo_write(c, c->scratch, n);
		return;
	}
	while (n > 0) {
		size_t k = n < c->up_piece ? n : c->up_piece;

		if (resampler_push(c->up, in, k, up_emit, c) < 0)
			c->faults++;
		in += k;
		n -= k;
	}
}

void vp_chain_pull(struct vp_chain *c, float *out, size_t n)
{
	const uint32_t avail = c->fifo_write - c->fifo_read;
	const size_t k = n < avail ? n : avail;

	for (size_t i = 0; i < k; i++)
		out[i] = c->fifo[(c->fifo_read + i) & c->fifo_mask];
	c->fifo_read += (uint32_t)k;
	if (k < n) { /* ran dry: silence, counted (the prefill makes this unreachable) */
		memset(out + k, 0, (n - k) * sizeof(float));
		c->faults += n - k;
	}
}

uint64_t vp_chain_faults(const struct vp_chain *c)
{
	return c->faults;
}
