/* SPDX-License-Identifier: MIT */
/*
 * Every tuning constant of the real-time engine, in one place, each with the reason for its value.
 * Counts of "frames" are 480-sample frames of AUDIO (10 ms each), never wall-clock time: the
 * engine's decisions then depend only on the audio it was given and on which model frames were
 * back in time, so they are reproducible in tests.
 *
 * Timeline (docs in engine_internal.h): input frame k is samples [480k, 480k + 480). The denoiser,
 * fed exact frames, turns input frame k into wet frame k, which is the input delayed by L samples
 * (the model's algorithmic latency: 120 for the embedded model, 480 for symmetric-window models);
 * the dry frame aligned with wet frame k is the input L samples back. The engine plays wet/dry
 * frame j at output position 480 j + D, where
 *     D = ENGINE_ALIGN_SAMPLES + 480 * margin_frames,
 * so the engine's latency is L + D (inline: L + 479; 599 samples = 12.5 ms for L = 120).
 */
#ifndef VOCANA_ENGINE_ENGINE_CONSTANTS_H
#define VOCANA_ENGINE_ENGINE_CONSTANTS_H

#include <assert.h>

#include "core/rt_constants.h"

/* One model step (10 ms at 48 kHz): the engine exchanges exactly this much with the denoiser. */
#define ENGINE_FRAME_SAMPLES RT_FRAME_SAMPLES

/*
 * FIFO alignment: graph quanta are any size (powers of two normally, anything after resampling),
 * so a cycle can end anywhere inside a frame. A frame is complete only when its last sample has
 * arrived; to play its first sample in the same cycle the output must trail the input by up to
 * 479 samples. This is the least constant delay that works for every sequence of cycle sizes
 * (vocana_denoiser_create(m, 0, ...) pays the same L + 479 in total).
 */
#define ENGINE_ALIGN_SAMPLES (ENGINE_FRAME_SAMPLES - 1)

/*
 * Crossfade between wet and dry (misses, breaker, enable/disable) and across delay splices (margin
 * changes): 128 samples = 2.7 ms, raised cosine. Wet and dry are the same signal with and without
 * the noise, strongly correlated, so a short fade is heard as the noise floor changing, not as a
 * click; and the frame status has to be known this many samples before the frame starts (a fade
 * from wet to dry must run over the end of the last wet frame, the only wet audio there is), so
 * every sample of fade is a sample less of deadline for the worker. 128 keeps a 256-sample
 * quantum at the minimum margin of one frame (see engine_margin_base()).
 */
#define ENGINE_XFADE_SAMPLES 128

/* Circuit breaker: this many consecutive deadline misses open it (model bypassed, output dry).
 * One or two misses are scheduling jitter the margin absorbs; four in a row (40 ms) means the
 * worker is not keeping up, and then each further miss would cost another pair of crossfades. */
#define ENGINE_BREAKER_MISSES 4

/* Open breaker: frames of audio before it half-opens and retries the model. One second: long
 * enough for a load spike (another process, a page-fault storm) to pass and for the worker to
 * drain its backlog, short enough that denoising comes back before the user wonders why. */
#define ENGINE_BREAKER_HOLD_FRAMES 100

/*
 * After a gap in the frames it was given (breaker open, frames skipped because they were already
 * too late, a full queue) the worker resets the denoiser: its overlap-add tail and recurrent state
 * belong to audio that no longer precedes the new frame. The first outputs after a reset are not
 * usable: the first is half a window of overlap-add against zeros, the deep filter needs
 * df_order = 3 frames of history and the GRUs a few steps to settle. These outputs are played dry
 * and are neither misses nor successes; a half-open breaker's trial is the frame after them.
 */
#define ENGINE_RESYNC_FRAMES 4

/*
 * The worker skips a frame whose output would be dropped (its slot has passed) only when it is
 * more than this many frames behind. A frame that is only just late is still run: it keeps the
 * model's state continuous (a skip costs a reset and ENGINE_RESYNC_FRAMES dry frames), and a
 * worker that was merely woken late catches up at once (a frame takes ~1 % of its 10 ms). A
 * worker further behind than this is genuinely too slow, and skipping is how it catches up.
 */
#define ENGINE_STALE_SKIP_FRAMES 2

/* Adaptive margin: one frame per step (the delay can only move by whole frames without
 * re-aligning the FIFO); at most this many frames above the minimum for the current quantum
 * (40 ms: beyond that the delay hurts a conversation more than the occasional dry frame). */
#define ENGINE_MARGIN_STEP_FRAMES 1
#define ENGINE_MARGIN_EXTRA_MAX_FRAMES 4

/* Shrink the margin by one step after this many frames (10 s) without a miss or an xrun: long
 * enough that a periodic disturbance (a cron job, a browser tab) is not chased up and down. A
 * shrink followed by a miss within that period doubles the wait for the next one, up to
 * ENGINE_MARGIN_BACKOFF_MAX times (80 s): a machine whose jitter needs the extra frame then
 * pays for the retry (two splices and a dry frame) at most every 80 s, not every 10 s. */
#define ENGINE_MARGIN_STABLE_FRAMES 1000
#define ENGINE_MARGIN_BACKOFF_MAX 8

/*
 * Shrinking drops one frame (10 ms) of audio, crossfaded. It waits for a quiet frame (peak below
 * -50 dBFS, i.e. a pause), where nothing is lost, but at most this many frames (2 s); then it
 * splices anyway: a crossfaded 10 ms skip in speech beats latency that never comes down.
 * Growing is urgent (frames are being missed) and splices at once: it repeats 10 ms, crossfaded.
 */
#define ENGINE_MARGIN_QUIET_PEAK 0.0031623f /* -50 dBFS */
#define ENGINE_MARGIN_SHRINK_MAX_WAIT_FRAMES 200

/* Frames of silence run through the model at creation: the first frames of a fresh process touch
 * cold code, weights and FFT plans (page faults, cache misses) and take several times longer. */
#define ENGINE_WARMUP_FRAMES 8

/* Largest max_block accepted (PipeWire's largest quantum is 8192; resamplers add a little). */
#define ENGINE_MAX_BLOCK_LIMIT 65536u

static_assert(ENGINE_FRAME_SAMPLES == 480, "the engine is written for 10 ms frames at 48 kHz");
/* A wet frame between two dry ones fades in over its head and out over its tail: no overlap. */
static_assert(2 * ENGINE_XFADE_SAMPLES <= ENGINE_FRAME_SAMPLES, "fades must fit in one frame");

#endif /* VOCANA_ENGINE_ENGINE_CONSTANTS_H */
