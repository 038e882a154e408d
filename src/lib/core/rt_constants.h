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

/* One network step: 10 ms at 48 kHz (the STFT hop). */
#define RT_FRAME_SAMPLES (RT_SAMPLE_RATE_HZ / 100)

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

#endif /* VOCANA_CORE_RT_CONSTANTS_H */
