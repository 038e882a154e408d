/* SPDX-License-Identifier: MIT */
/*
 * Inside the public denoiser (include/vocana/vocana.h): its state, shared by denoiser.c and
 * denoiser_hop.c, and the hop-level interface the engine's worker mode schedules (not installed,
 * not exported).
 *
 * A denoiser has two halves:
 *  - the stream (denoiser.c): framing the caller's blocks into 480-sample hops, sanitising the
 *    input, the dry path aligned with the output (the input `delay` samples back), the bypass
 *    crossfade between wet and dry, and the output FIFO that makes the latency constant for any
 *    block size;
 *  - the hop (denoiser_hop.c): one exact hop in, one wet hop out: STFT, features, network, band
 *    gains and deep filter, strength, iSTFT. It holds all of the model's history.
 * vocana_denoiser_process() runs both on the caller's thread. The engine's worker mode runs the
 * stream on the audio thread and the hop on its worker thread, on the same object: each half
 * touches only its own fields, so the two threads never share one (see "Threads" below).
 */
#ifndef VOCANA_DENOISER_INTERNAL_H
#define VOCANA_DENOISER_INTERNAL_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ring.h"
#include "core/telemetry.h"
#include "dsp/dsp_constants.h"
#include "dsp/features.h"
#include "vocana/vocana.h"

/* Output FIFO capacity: the constant extra delay is at most VC_HOP - 1 and one hop is appended
 * at a time, so fewer than VC_WIN samples are ever waiting. Power of two for the ring. */
#define VC_OUT_FIFO 1024

struct stft;
struct nn_state;
struct denoiser_link;

struct vocana_denoiser {
	const struct vocana_model *model;
	struct vocana_model *owned_model; /* the embedded default, when created with m == NULL */
	uint32_t n_df, df_order;
	uint32_t granularity;  /* every process() call passes a multiple of this many samples */
	uint32_t delay;        /* the model's algorithmic delay (its STFT window pair), samples */
	uint32_t latency;      /* delay + VC_HOP - granularity */

	/* ---- The hop (denoiser_hop.c). ---- */
	struct stft *stft;
	struct nn_state *nn;
	struct features feat;
	/* Per-hop buffers (sizes from the model), carved from one allocation. */
	float *features;       /* features_size(n_df) */
	float *gains;          /* n_erb band gains */
	float *df_coefs;       /* n_df * df_order * 2 */
	float *bin_gains;      /* VC_BINS */
	float *band_mix;       /* n_erb: per-band input share of the strength blend */
	float *out_energy;     /* n_erb: band energies of the enhanced spectrum */
	float *cross_energy;   /* n_erb: band cross-energies of the noisy and enhanced spectra */
	float *spec;           /* 2 * VC_BINS: this hop's noisy spectrum */
	float *out_spec;       /* 2 * VC_BINS: enhanced spectrum */
	float *df_hist;        /* df_order * n_df * 2: noisy low bins of the last df_order hops */
	uint32_t df_hist_pos;  /* slot of the current hop in df_hist */
	void *arena;
	float vad;
	int strength;
	float scale_target, scale;  /* strength / 100, and its per-hop glide towards it */
	struct telemetry *hop_times; /* NULL, or where each hop's compute time is recorded */
	/* Linked channels (below, denoiser_link.c). */
	uint64_t hop_seq;            /* hops run since the hop's last reset */
	struct denoiser_link *share; /* leader: where each hop's network output is published */
	struct vocana_denoiser *leader; /* follower: whose network output it applies */
	uint64_t own_network_hops;   /* follower: hops it had to run its own network for */

	/* ---- The stream (denoiser.c), from its own cache line on (the object is 64-byte
	 * aligned): with the halves on two threads, neither writes a line the other uses. The
	 * sample arrays come first, each a multiple of 64 bytes, so all start on a cache line:
	 * copies in and out of them run a few times faster than on misaligned buffers. ---- */
	alignas(64) float in_hop[2][VC_HOP]; /* the hop being collected (in_cur), the one before */
	float wet_hop[VC_HOP];      /* the hop's output before it joins the FIFO */
	float out_buf[VC_OUT_FIFO]; /* the output FIFO's samples */
	float fade[VC_HOP];         /* the bypass crossfade's weights (dsp/fade.h) */
	struct ring out_ring;       /* the output FIFO's indices over out_buf */
	uint32_t in_cur;
	uint32_t in_fill;           /* samples in in_hop[in_cur]; VC_HOP = complete, not yet moved on */
	bool bypass;
	bool wet_on;                /* the last hop ended denoised (not bypassed) */
	uint64_t n_hops, n_wet_hops; /* hops output, and how many carried the model's output */
};

/*
 * Threads. vocana_denoiser_create/destroy/reset and the public setters as documented in vocana.h.
 * With the halves on two threads (the engine's worker mode), the stream thread alone calls
 * denoiser_take_input(), denoiser_dry() and denoiser_mix() and sets the bypass, and the hop thread
 * alone calls denoiser_run_hop(), denoiser_reset_hop() and sets the strength.
 */

/* ---- The stream ---------------------------------------------------------------------------- */

/*
 * Framing: sanitise up to *n samples of in into the hop being collected, stopping where it is
 * complete; *n becomes the number taken. Returns the completed hop (VC_HOP sanitised samples, valid
 * until the next call) when these samples completed one, else NULL.
 */
const float *denoiser_take_input(struct vocana_denoiser *d, const float *in, size_t *n);

/* The dry signal aligned with the completed hop's output: the input `delay` samples back (the
 * previous hop's tail, then this hop's head). Call before the next denoiser_take_input(). */
void denoiser_dry(const struct vocana_denoiser *d, float *dry);

/*
 * The bypass crossfade of one hop, in place: out = wet, crossfading over the hop towards dry when
 * the bypass was switched on and back when it was switched off (the dsp/fade.h curve), dry when
 * bypassed. wet == NULL: the model's output for this hop is missing (the engine played it dry);
 * only the crossfade state moves on, to the bypass setting. Hops must come in order, one call
 * each. Returns true when the hop carries the model's output (not missing, not bypassed).
 */
bool denoiser_mix(struct vocana_denoiser *d, float *wet, const float *dry);

/* Hops output since creation (denoiser_mix() calls, or hops of vocana_denoiser_process()), and
 * how many of them carried the model's output. Not reset by vocana_denoiser_reset(). */
void denoiser_hops_out(const struct vocana_denoiser *d, uint64_t *hops, uint64_t *wet_hops);

/* ---- The hop ------------------------------------------------------------------------------- */

/* One hop: VC_HOP sanitised input samples (denoiser_take_input()) -> wet, the input delayed by
 * `delay` samples with the noise removed. Sets the VAD. Real-time safe. */
void denoiser_run_hop(struct vocana_denoiser *d, const float *hop, float *wet);

/* Forget the model's history (STFT, features, network, deep-filter hops): the next hop is
 * processed as by a new denoiser. The strength glide jumps to its target. */
void denoiser_reset_hop(struct vocana_denoiser *d);

/* Record the compute time of every hop in t from now on (NULL: stop); the hop thread is then t's
 * writer. */
void denoiser_time_hops(struct vocana_denoiser *d, struct telemetry *t);

/* Creation and destruction of the hop's half (denoiser_hop.c), for vocana_denoiser_create(). */
int denoiser_hop_init(struct vocana_denoiser *d);
void denoiser_hop_clear(struct vocana_denoiser *d);

/* ---- Linked channels (denoiser_link.c) ------------------------------------------------------ */

/*
 * The channels of one multichannel stream can share one network: a leader (the engine runs it on
 * the channels' mid signal) publishes each hop's network output, and its followers (the channels)
 * apply it, gains and deep filter, to their own spectra, skipping their own network. Hop k of a
 * follower uses hop k of its leader: both must see the same block sizes from the same start, reset
 * together, and run on one thread, the leader's hop k first. A follower that does not find its hop
 * (the leader was reset alone, or is more than a few hops ahead) runs its own network for it,
 * counted in own_network_hops: the output stays right, only the saving is lost. A leader's own
 * output is silence: it runs the network and nothing else (the deep filter, the gains and the
 * iSTFT of a signal nobody plays would be wasted).
 */

/* Make follower apply leader's network output (models of the same shape; not real-time safe: may
 * allocate leader's ring). A leader cannot follow, a follower cannot lead. */
int denoiser_link(struct vocana_denoiser *follower, struct vocana_denoiser *leader);

/* Undo every link of d (at destruction: followers must be destroyed before, or with, it). */
void denoiser_link_clear(struct vocana_denoiser *d);

/* The hop's reset: hop numbers start over; a leader forgets what it published. */
void denoiser_link_reset(struct vocana_denoiser *d);

/* Leader, after its network ran for hop d->hop_seq: publish the output. No-op for others. */
void denoiser_link_publish(struct vocana_denoiser *d);

/* Follower: take the leader's output for hop d->hop_seq into d->gains, d->df_coefs and d->vad.
 * Returns false (nothing taken) when it is not there, or d follows no one. */
bool denoiser_link_take(struct vocana_denoiser *d);

#endif /* VOCANA_DENOISER_INTERNAL_H */
