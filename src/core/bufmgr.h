/* SPDX-License-Identifier: MIT */
/*
 * Buffer manager: turns audio arriving in blocks of any size into RT_FRAME_SAMPLES (480-sample)
 * frames, holds at most RT_BUFFER_CAP_SAMPLES (24000, 500 ms), and degrades gracefully when the
 * reader falls behind. All constants: core/rt_constants.h.
 *
 * Threading and memory: single-threaded (one audio thread calls everything). bufmgr_create
 * allocates everything; write, read and the queries never allocate, lock or block, and do work
 * bounded by the size of their arguments plus two crossfades.
 *
 * Notation: the buffer holds L samples, the oldest first; the reader has already been given
 * everything before them. A write brings n new samples. S = (buffered L samples, then the n new
 * ones) is the stream as it would be without a cap, T = L + n its length, C the cap, X the
 * crossfade length (RT_CROSSFADE_SAMPLES = 240), and for 0 <= i < X
 *     fade_in[i] = sin(pi/2 * (i + 0.5) / X),  fade_out[i] = cos(pi/2 * (i + 0.5) / X),
 * an equal-power pair (fade_in^2 + fade_out^2 = 1) whose ends are within 0.4 % of 0 and 1.
 *
 * Overflow (T > C): the oldest D = T - C samples of S are dropped, so the buffer then holds
 * exactly C samples, S[D .. T). The cut is where the reader's audio jumps from S[0], the sample that
 * continues what it already heard, to S[D]. That join is crossfaded: the buffer becomes
 *     out[i] = S[i] * fade_out[i] + S[D + i] * fade_in[i]   for 0 <= i < X
 *     out[i] = S[D + i]                                     for X <= i < C
 * i.e. the first X dropped samples fade out while the first X kept samples fade in, overlap-added.
 * The reader therefore hears the old audio continue, fading out, as the new audio fades in. This
 * holds for any D >= 1, also when D exceeds L (the write itself is longer than the cap: its head is
 * dropped as well) and when D < X (the two faded segments then overlap in time: a crossfade
 * between the audio and itself D samples later; correlated audio can swell by up to 3 dB in the
 * middle of that fade, never a step).
 *
 * Circuit breaker (protects the audio thread when the reader has stalled):
 *  - CLOSED: normal. A write that overflows increments a run counter; a write that does not resets
 *    it. The RT_BREAKER_TRIP_OVERFLOWS-th (5th) consecutive overflowing write is still stored (with
 *    the overflow handling above) and then opens the breaker.
 *  - OPEN: writes are refused whole (bufmgr_write returns 0; counted in n_refused_writes and
 *    n_refused_samples). Open time is measured in AUDIO SAMPLES THE PRODUCER TRIED TO WRITE, not in
 *    frames read or wall-clock time: the breaker half-opens once the refused writes add up to
 *    RT_BREAKER_OPEN_SAMPLES (1200 = 25 ms). The write that reaches that total is itself refused.
 *  - HALF_OPEN: the next write is stored normally. If it does not overflow the breaker closes; if
 *    it overflows (handled as above) the breaker opens again for another 25 ms (another trip).
 *  - Refusing intake cuts the stream, so that cut is made silent on both sides: when the breaker
 *    opens, the last X buffered samples are multiplied by fade_out (the buffered audio ends in
 *    silence), and the first X samples stored after it closes or half-opens are multiplied by
 *    fade_in (the next audio starts from silence). Reading meanwhile is unaffected.
 *
 * Reading: bufmgr_read_frame delivers the oldest RT_FRAME_SAMPLES samples once that many are
 * buffered; frames are contiguous in the stream (apart from the cuts above), in write order.
 */
#ifndef VOCANA_CORE_BUFMGR_H
#define VOCANA_CORE_BUFMGR_H

#include <stddef.h>
#include <stdint.h>

#include "core/rt_constants.h"

struct bufmgr;

enum bufmgr_breaker {
	BUFMGR_BREAKER_CLOSED = 0,
	BUFMGR_BREAKER_OPEN,
	BUFMGR_BREAKER_HALF_OPEN,
};

struct bufmgr_stats {
	uint64_t n_samples_written;   /* samples offered to bufmgr_write (stored or refused) */
	uint64_t n_samples_stored;    /* samples bufmgr_write accepted (some may later be dropped) */
	uint64_t n_frames_delivered;  /* frames handed out by bufmgr_read_frame */
	uint64_t n_read_starved;      /* bufmgr_read_frame calls with less than a frame buffered */
	uint64_t n_overflows;         /* writes that exceeded the cap */
	uint64_t n_dropped_samples;   /* samples dropped by overflows (oldest first) */
	uint64_t n_breaker_trips;     /* transitions to OPEN (from CLOSED or HALF_OPEN) */
	uint64_t n_refused_writes;    /* writes refused while OPEN */
	uint64_t n_refused_samples;   /* samples in those writes */
	uint32_t overflow_run;        /* consecutive overflowing writes so far */
	enum bufmgr_breaker breaker;  /* current state */
	size_t buffered_samples;      /* samples waiting to be read */
};

/* -EINVAL (out NULL) or -ENOMEM. Not real-time safe. */
int bufmgr_create(struct bufmgr **out);

/* NULL is a no-op. */
void bufmgr_destroy(struct bufmgr *b);

/* Drop all buffered audio and pending fades, close the breaker, zero the counters. */
void bufmgr_reset(struct bufmgr *b);

/* Store n samples (any n, including more than the cap). Returns n when stored (older audio may
 * have been dropped; see overflow), 0 when refused by the open breaker, -EINVAL for NULL in. */
long bufmgr_write(struct bufmgr *b, const float *in, size_t n);

/* Copy the oldest frame (RT_FRAME_SAMPLES samples) to out and remove it: 0, or -EAGAIN when fewer
 * than RT_FRAME_SAMPLES samples are buffered (out is left untouched). */
int bufmgr_read_frame(struct bufmgr *b, float *out);

size_t bufmgr_buffered_samples(const struct bufmgr *b);

void bufmgr_get_stats(const struct bufmgr *b, struct bufmgr_stats *out);

#endif /* VOCANA_CORE_BUFMGR_H */
