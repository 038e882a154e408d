/* SPDX-License-Identifier: MIT */
/*
 * One audio channel of a plugin instance at the host's sample rate.
 *
 * The audio work is the public denoiser (vocana_denoiser_*, block size 0: any number of samples
 * per call). At 48 kHz that is all there is. At any other rate the channel converts the host's
 * samples to 48 kHz, denoises them and converts them back (io/resample.h, libsamplerate), and an
 * output FIFO turns the converters' uneven output (a converter emits a sample only once it has
 * its filter's look-ahead) into exactly as many samples per call as came in, at a constant delay:
 *
 *   host in -> up (R -> 48k) -> denoiser -> [d' zeros] -> down (48k -> R) -> FIFO [P zeros] -> out
 *
 * Both converters are zero-phase (resample.h), so the only delays are the denoiser's D48 and the
 * d' zeros fed once into the down-converter (both at 48 kHz) and the P zeros the FIFO starts with
 * (at the host rate): latency = P + (D48 + d') * R / 48000 host samples. d' is the smallest
 * padding that makes that an integer (every common rate; odd rates that would need more than
 * 3.3 ms of it get a latency rounded to the nearest sample instead), and P covers the converters'
 * look-ahead, measured when the channel is created, so the FIFO never runs dry.
 *
 * Threading: create/destroy/reset are not real-time safe; push, pull, the setters and the
 * getters are (no allocation, lock, I/O or unbounded loop: each call's work is bounded by n).
 */
#ifndef VOCANA_PLUGINS_PLUGIN_CHAIN_H
#define VOCANA_PLUGINS_PLUGIN_CHAIN_H

#include <stddef.h>
#include <stdint.h>

#include "vocana/vocana.h"

/* Largest n for one vp_chain_push()/vp_chain_pull() pair: callers split host blocks into chunks
 * of at most this many samples, which bounds the FIFO whatever block size a host uses. */
#define VP_CHAIN_MAX_CHUNK 1024u

/* Host rates the chain accepts. The denoiser needs speech up to 24 kHz to do its best, but
 * narrow-band input (8 kHz telephone audio) still works; above 384 kHz nobody records speech. */
#define VP_RATE_MIN_HZ 8000u
#define VP_RATE_MAX_HZ 384000u

struct vp_chain;

/* A channel running model m (shared, read-only; it must outlive the chain) at rate_hz.
 * Returns 0, -EINVAL (rate outside VP_RATE_MIN_HZ..VP_RATE_MAX_HZ) or another negative errno. */
int vp_chain_create(const struct vocana_model *m, uint32_t rate_hz, struct vp_chain **out);

/* NULL is a no-op. */
void vp_chain_destroy(struct vp_chain *c);

/* Forget all audio (as if just created); keeps the denoiser's strength and bypass. Not RT-safe
 * (it re-primes the converters). */
void vp_chain_reset(struct vp_chain *c);

/* The denoiser itself, for its setters (strength, bypass, reset). */
struct vocana_denoiser *vp_chain_denoiser(struct vp_chain *c);

/* Constant delay of the output behind the input, in host samples. */
uint32_t vp_chain_latency(const struct vp_chain *c);

/* Feed n <= VP_CHAIN_MAX_CHUNK host samples; the matching output is taken with vp_chain_pull()
 * before the next push. in is read completely before anything is written anywhere. */
void vp_chain_push(struct vp_chain *c, const float *in, size_t n);

/* Take n host samples of output (the n last pushed, delayed by the latency). */
void vp_chain_pull(struct vp_chain *c, float *out, size_t n);

/* Samples output as silence because the FIFO ran dry, plus converter failures: never expected,
 * counted so tests can prove it. */
uint64_t vp_chain_faults(const struct vp_chain *c);

#endif /* VOCANA_PLUGINS_PLUGIN_CHAIN_H */
