/* SPDX-License-Identifier: MIT */
/* Buffer manager: frames, cap, click-free overflow and a circuit breaker (see bufmgr.h). */
#include "core/bufmgr.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Circular storage: the next power of two above the cap, so positions are masked, not divided. */
#define BUFMGR_STORAGE_SAMPLES 32768u
static_assert(BUFMGR_STORAGE_SAMPLES >= RT_BUFFER_CAP_SAMPLES, "storage must hold the cap");
static_assert((BUFMGR_STORAGE_SAMPLES & (BUFMGR_STORAGE_SAMPLES - 1)) == 0, "power of two");

#define XF RT_CROSSFADE_SAMPLES /* "X" in bufmgr.h */

struct bufmgr {
	float *buf;            /* BUFMGR_STORAGE_SAMPLES */
	size_t rpos;           /* index of the oldest buffered sample, before masking */
	size_t len;            /* buffered samples, 0 .. RT_BUFFER_CAP_SAMPLES */
	float *fade_in;        /* XF: sin law, 0 -> 1 */
	float *fade_out;       /* XF: cos law, 1 -> 0 */
	float *scratch;        /* XF: the faded-out head of an overflow, saved before it is dropped */
	size_t fade_in_done;   /* samples of a pending fade-in already applied; XF = none pending */
	size_t open_left_samples; /* refused samples still to go before OPEN becomes HALF_OPEN */
	struct bufmgr_stats st;   /* counters; breaker, overflow_run and buffered_samples live here too */
};

static inline float *buf_at(struct bufmgr *b, size_t i)
{
	return &b->buf[(b->rpos + i) & (BUFMGR_STORAGE_SAMPLES - 1)];
}

/* Gain of sample j of the current write: part of a pending fade-in from silence, or 1. */
static inline float in_gain(const struct bufmgr *b, size_t j)
{
	size_t k = b->fade_in_done + j;

	return k < XF ? b->fade_in[k] : 1.0f;
}

/* Sample i of the uncapped stream S: the buffered samples, then the incoming ones. */
static inline float stream_at(struct bufmgr *b, const float *in, size_t i)
{
	return i < b->len ? *buf_at(b, i) : in[i - b->len] * in_gain(b, i - b->len);
}

/* Append in[from .. to) after the buffered samples; the caller guarantees they fit under the cap. */
static void append(struct bufmgr *b, const float *in, size_t from, size_t to)
{
	size_t j = from;

	/* the head of a pending fade-in, sample by sample (at most XF samples) */
	for (; j < to && b->fade_in_done + j < XF; j++)
		*buf_at(b, b->len++) = in[j] * b->fade_in[b->fade_in_done + j];
	/* the rest is a plain copy, in at most two pieces around the end of the storage */
	while (j < to) {
		size_t off = (b->rpos + b->len) & (BUFMGR_STORAGE_SAMPLES - 1);
		size_t piece = BUFMGR_STORAGE_SAMPLES - off;

		if (piece > to - j)
			piece = to - j;
		memcpy(&b->buf[off], &in[j], piece * sizeof(float));
		b->len += piece;
		j += piece;
	}
}

/* Store a write of n samples that does not fit: drop the oldest D and crossfade the cut. */
static void store_overflowing(struct bufmgr *b, const float *in, size_t n)
{
	size_t drop = b->len + n - RT_BUFFER_CAP_SAMPLES;

	/* S[0 .. XF) continues what the reader already heard; save it before it is dropped. S has
	 * more than the cap >= XF samples, so these all exist. */
	for (size_t i = 0; i < XF; i++)
		b->scratch[i] = stream_at(b, in, i);
	if (drop <= b->len) {
		b->rpos += drop;
		b->len -= drop;
		append(b, in, 0, n);
	} else {
		/* the write alone is longer than the cap: all buffered audio and its own head go */
		size_t skip = drop - b->len;

		b->rpos += b->len;
		b->len = 0;
		append(b, in, skip, n);
	}
	/* now the buffer is exactly S[drop .. T); overlap-add the saved head, equal-power */
	for (size_t i = 0; i < XF; i++) {
		float *p = buf_at(b, i);

		*p = b->scratch[i] * b->fade_out[i] + *p * b->fade_in[i];
	}
	b->st.n_overflows++;
	b->st.n_dropped_samples += drop;
}

static void breaker_open(struct bufmgr *b)
{
	b->st.breaker = BUFMGR_BREAKER_OPEN;
	b->st.n_breaker_trips++;
	b->st.overflow_run = 0;
	b->open_left_samples = RT_BREAKER_OPEN_SAMPLES;
	/* Intake stops here: end the buffered audio in silence (it holds the cap >= XF samples, as the
	 * breaker only opens right after an overflow) and fade the next stored audio in from silence. */
	for (size_t i = 0; i < XF; i++)
		*buf_at(b, b->len - XF + i) *= b->fade_out[i];
	b->fade_in_done = 0;
}

long bufmgr_write(struct bufmgr *b, const float *in, size_t n)
{
	int overflow;

	if (!b || (!in && n))
		return -EINVAL;
	if (n == 0)
		return 0; /* no audio time passed: no state change */
	b->st.n_samples_written += n;

	if (b->st.breaker == BUFMGR_BREAKER_OPEN) {
		b->st.n_refused_writes++;
		b->st.n_refused_samples += n;
		if (n >= b->open_left_samples) {
			b->open_left_samples = 0;
			b->st.breaker = BUFMGR_BREAKER_HALF_OPEN;
		} else {
			b->open_left_samples -= n;
		}
		return 0;
	}

	overflow = b->len + n > RT_BUFFER_CAP_SAMPLES;
	if (overflow)
		store_overflowing(b, in, n);
	else
		append(b, in, 0, n);
	b->fade_in_done = b->fade_in_done + n < XF ? b->fade_in_done + n : XF;
	b->st.n_samples_stored += n;

	if (overflow) {
		b->st.overflow_run++;
		if (b->st.breaker == BUFMGR_BREAKER_HALF_OPEN ||
		    b->st.overflow_run >= RT_BREAKER_TRIP_OVERFLOWS)
			breaker_open(b);
	} else {
		b->st.overflow_run = 0;
		b->st.breaker = BUFMGR_BREAKER_CLOSED;
	}
	return (long)n;
}

int bufmgr_read_frame(struct bufmgr *b, float *out)
{
	size_t off, first;

	if (!b || !out)
		return -EINVAL;
	if (b->len < RT_FRAME_SAMPLES) {
		b->st.n_read_starved++;
		return -EAGAIN;
	}
	off = b->rpos & (BUFMGR_STORAGE_SAMPLES - 1);
	first = BUFMGR_STORAGE_SAMPLES - off;
	if (first > RT_FRAME_SAMPLES)
		first = RT_FRAME_SAMPLES;
	memcpy(out, &b->buf[off], first * sizeof(float));
	memcpy(out + first, b->buf, (RT_FRAME_SAMPLES - first) * sizeof(float));
	b->rpos += RT_FRAME_SAMPLES;
	b->len -= RT_FRAME_SAMPLES;
	b->st.n_frames_delivered++;
	return 0;
}

size_t bufmgr_buffered_samples(const struct bufmgr *b)
{
	return b->len;
}

void bufmgr_get_stats(const struct bufmgr *b, struct bufmgr_stats *out)
{
	*out = b->st;
	out->buffered_samples = b->len;
}

void bufmgr_reset(struct bufmgr *b)
{
	b->rpos = 0;
	b->len = 0;
	b->fade_in_done = XF;
	b->open_left_samples = 0;
	memset(&b->st, 0, sizeof(b->st));
	b->st.breaker = BUFMGR_BREAKER_CLOSED;
}

void bufmgr_destroy(struct bufmgr *b)
{
	if (!b)
		return;
	free(b->scratch);
	free(b->fade_out);
	free(b->fade_in);
	free(b->buf);
	free(b);
}

int bufmgr_create(struct bufmgr **out)
{
	struct bufmgr *b;

	if (!out)
		return -EINVAL;
	*out = NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->buf = aligned_alloc(64, BUFMGR_STORAGE_SAMPLES * sizeof(float));
	b->fade_in = calloc(XF, sizeof(float));
	b->fade_out = calloc(XF, sizeof(float));
	b->scratch = calloc(XF, sizeof(float));
	if (!b->buf || !b->fade_in || !b->fade_out || !b->scratch) {
		bufmgr_destroy(b);
		return -ENOMEM;
	}
	/* write every page now, so the audio thread takes no page faults on first use */
	memset(b->buf, 0, BUFMGR_STORAGE_SAMPLES * sizeof(float));
	for (size_t i = 0; i < XF; i++) {
		double phase = M_PI / 2.0 * ((double)i + 0.5) / XF;

		b->fade_in[i] = (float)sin(phase);
		b->fade_out[i] = (float)cos(phase);
	}
	bufmgr_reset(b);
	*out = b;
	return 0;
}
