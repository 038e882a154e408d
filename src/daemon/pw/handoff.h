/* SPDX-License-Identifier: MIT */
/*
 * Hand-off of captured audio from the capture stream's callback to the output stream's callback,
 * both on PipeWire's data thread, indexed by graph position (spa_io_position clock.position).
 *
 * Why not PW_STREAM_FLAG_TRIGGER (the capture callback triggering the output stream, as
 * module-loopback does): with PipeWire 0.3.65 the triggered pair stalled for good when a new
 * recording session started at a smaller quantum than the last one (1024 -> 256: three cycles,
 * then neither callback ran again; tests/daemon/pw showed it every time). So both streams are scheduled
 * by the graph on their own, and the order of the two callbacks within a cycle is not ours to
 * choose. The output plays the input of graph position P - delay:
 *  - delay 0 ("same cycle") when the capture callback has already run in this cycle: no added
 *    latency, as with a trigger;
 *  - delay = one quantum ("next cycle") when the output runs first.
 * The first output cycle of a session picks the mode; if the order later flips, the hand-off
 * moves to "next cycle" (one quantum of silence, counted in n_switches) instead of glitching at
 * every flip. A quantum that grows past the delay raises the delay the same way.
 * Latency comes back down: once the capture has run first in every cycle for recover_after
 * samples (2 s at first), the hand-off returns to "same cycle", skipping one quantum of audio
 * with a short crossfade (counted in n_recoveries). A relapse doubles the wait, up to 64 s, so a
 * graph whose order keeps changing settles in "next cycle" instead of splicing every 2 s.
 * Samples that never arrived (a missed capture cycle) are zeros, counted in n_missing.
 * When the order has flipped for good (the graph now runs the output first in every cycle, as
 * after a device re-created during a session), no wait brings it back: out_first counts those
 * cycles, so the owner can restart the output stream to fix the order (direction.h), and then
 * handoff_recover_soon() makes the next capture-first cycle return to "same cycle" at once.
 *
 * The samples live in the project's ring (core/ring.h) indexed by graph position: the write index
 * is the end of what was captured, the read index the oldest sample the output may still play.
 * The output side reads them in place: handoff_read() returns a pointer into the ring whenever
 * the cycle's samples are all there and contiguous, and assembles them in the caller's buffer only
 * when some are missing, the ring wraps inside them, or a recovery splice mixes two positions.
 *
 * One thread only (the data thread); no allocation; every loop is bounded by the block size.
 */
#ifndef VOCANA_PW_HANDOFF_H
#define VOCANA_PW_HANDOFF_H

#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/ring.h"

#define HANDOFF_SIZE 32768u      /* samples, a power of two above 2 x the largest quantum */
#define HANDOFF_MAX_BLOCK 8192u  /* larger blocks are cut to this */
#define HANDOFF_RECOVER_SAMPLES 96000u      /* 2 s at 48 kHz of capture-first cycles */
#define HANDOFF_RECOVER_MAX_SAMPLES 3072000u /* 64 s: the longest wait after relapses */
#define HANDOFF_XFADE_SAMPLES 64u           /* the recovery splice's crossfade (1.3 ms) */

enum handoff_mode {
	HANDOFF_UNDECIDED = 0,
	HANDOFF_SAME_CYCLE = 1,
	HANDOFF_NEXT_CYCLE = 2,
};

/* 64-byte aligned (embed it in memory from aligned_alloc()): the copies in and out run a few
 * times faster on a cache-line boundary. */
struct handoff {
	alignas(64) float buf[HANDOFF_SIZE]; /* sample at position p lives at buf[p % HANDOFF_SIZE] */
	struct ring ring;         /* positions [read, write) (low 32 bits) hold captured samples */
	bool valid;
	enum handoff_mode mode;
	uint32_t delay;           /* samples, in NEXT_CYCLE mode */
	uint32_t capture_first;   /* NEXT_CYCLE: samples of consecutive capture-first cycles */
	uint32_t recover_after;   /* capture_first needed to return to SAME_CYCLE (0: default) */
	bool recovered;           /* SAME_CYCLE reached by a recovery (a relapse doubles the wait) */
	bool recover_soon;        /* the next capture-first cycle recovers, whatever the wait */
	uint32_t out_first;       /* NEXT_CYCLE: samples of consecutive cycles in which the output
				   * ran while the capture had delivered only the previous cycle */
	uint64_t n_switches;      /* times the mode fell back to NEXT_CYCLE or the delay grew */
	uint64_t n_recoveries;    /* times it returned to SAME_CYCLE */
	uint64_t n_missing;       /* output samples with no captured sample (zeros) */
};

/* Forget everything (a new session, with the first recovery wait again); keeps the counters.
 * Also the initialisation: call it once before the first write or read. */
void handoff_reset(struct handoff *h);

/* Capture side: n samples of graph positions [pos, pos + n). */
void handoff_write(struct handoff *h, uint64_t pos, const float *src, uint32_t n);

/* Output side, cycle at graph position pos: returns the cycle's n samples, in the ring or in
 * scratch (room for n); they stay valid until the next handoff_write(). *missing = how many of
 * them were missing (zeros). */
const float *handoff_read(struct handoff *h, uint64_t pos, uint32_t n, float *scratch,
			  uint32_t *missing);

/* Current added delay in samples (0 in same-cycle mode). */
uint32_t handoff_delay(const struct handoff *h);

/* Samples of consecutive cycles in which the output ran before the capture (see out_first). */
uint32_t handoff_out_first(const struct handoff *h);

/* The callbacks' order has just been fixed: return to "same cycle" at the next capture-first
 * cycle (with the usual crossfade) instead of after the usual wait. */
void handoff_recover_soon(struct handoff *h);

#endif /* VOCANA_PW_HANDOFF_H */
