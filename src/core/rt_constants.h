/* SPDX-License-Identifier: MIT */
/*
 * Every tuning constant of the real-time core, in one place, each with the reason for its value.
 * Sizes are derived from each other and from the sample rate, never restated as bare literals, so
 * changing one number here changes every place that depends on it.
 */
#ifndef VOCANA_CORE_RT_CONSTANTS_H
#define VOCANA_CORE_RT_CONSTANTS_H

#include <assert.h>

#include "vocana/vocana.h"

/* The only rate the denoiser runs at (docs/architecture.md); other rates are resampled at the edges. */
#define RT_SAMPLE_RATE_HZ 48000

/* One network step: 10 ms at 48 kHz (the STFT hop). The buffer manager hands out exactly this much. */
#define RT_FRAME_SAMPLES (RT_SAMPLE_RATE_HZ / 100)

/*
 * Most audio the buffer manager may hold: 500 ms. Buffered audio is latency, so this caps the delay a
 * stalled consumer can build up; 500 ms is long enough to ride out a scheduling hiccup or a page
 * fault storm without dropping anything, and short enough that a conversation still works after one.
 */
#define RT_BUFFER_CAP_MS 500
#define RT_BUFFER_CAP_SAMPLES (RT_SAMPLE_RATE_HZ / 1000 * RT_BUFFER_CAP_MS)

/*
 * Length of the equal-power crossfade that joins audio across a cut: 5 ms. Shorter fades start to be
 * heard as a click or a thump (a 1 ms ramp has energy up to ~1 kHz); longer ones smear two unrelated
 * stretches of speech together. 5 ms is the usual "declick" length of audio editors.
 */
#define RT_CROSSFADE_MS 5
#define RT_CROSSFADE_SAMPLES (RT_SAMPLE_RATE_HZ / 1000 * RT_CROSSFADE_MS)

/*
 * Circuit breaker: after this many consecutive overflowing writes the consumer is evidently not
 * keeping up, and cutting and crossfading on every write only burns CPU on the audio thread and
 * chops the audio into 5 ms pieces. One or two overflows are normal jitter; five in a row is not.
 */
#define RT_BREAKER_TRIP_OVERFLOWS 5

/*
 * How long an open breaker refuses intake before it tries again (half-open): 25 ms of audio, i.e.
 * 2.5 frames, enough for a consumer that was preempted once to catch up, short enough that the
 * listener hears a brief dropout rather than silence. Counted in audio samples the producer tried
 * to write, never in wall-clock time, so the behaviour is deterministic and testable.
 */
#define RT_BREAKER_OPEN_MS 25
#define RT_BREAKER_OPEN_SAMPLES (RT_SAMPLE_RATE_HZ / 1000 * RT_BREAKER_OPEN_MS)

/*
 * Latency histogram (telemetry): per-frame processing time in microseconds. Values below
 * 2^RT_HIST_SUB_BITS are counted exactly; above, every power of two is split into 2^RT_HIST_SUB_BITS
 * equal buckets (relative error at most 1/2^RT_HIST_SUB_BITS = 12.5 %), up to 2^RT_HIST_MAX_LOG2 us
 * (131 ms, past the 100 ms budget of ten frames). Larger values land in one overflow bucket.
 */
#define RT_HIST_SUB_BITS 3
#define RT_HIST_MAX_LOG2 17
#define RT_HIST_SUB_BUCKETS (1u << RT_HIST_SUB_BITS)
#define RT_HIST_N_BUCKETS \
	(RT_HIST_SUB_BUCKETS + (RT_HIST_MAX_LOG2 - RT_HIST_SUB_BITS) * RT_HIST_SUB_BUCKETS + 1u)

static_assert(RT_SAMPLE_RATE_HZ == VOCANA_SAMPLE_RATE, "core and public API disagree on the rate");
static_assert(RT_FRAME_SAMPLES == VOCANA_FRAME_SIZE, "core and public API disagree on the frame");
static_assert(RT_BUFFER_CAP_SAMPLES == 24000, "500 ms at 48 kHz");
static_assert(RT_CROSSFADE_SAMPLES == 240, "5 ms at 48 kHz");
static_assert(RT_BREAKER_OPEN_SAMPLES == 1200, "25 ms at 48 kHz");
/* The crossfade at the front and the fade-out at the tail of a full buffer must not overlap. */
static_assert(RT_BUFFER_CAP_SAMPLES >= 2 * RT_CROSSFADE_SAMPLES, "cap too small for two fades");
static_assert(RT_BUFFER_CAP_SAMPLES >= RT_FRAME_SAMPLES, "cap must hold at least one frame");

#endif /* VOCANA_CORE_RT_CONSTANTS_H */
