/* SPDX-License-Identifier: MIT */
/*
 * Linked channels (denoiser_internal.h, "Linked channels"): a leader publishes the network's
 * output of each hop (band gains, deep-filter coefficients, VAD) in a small ring tagged with the
 * hop's number, and its followers apply it to their own spectra instead of running the network.
 *
 * Why: the network is about 80 % of a hop's time (network 31-33 us of a 39-42 us hop on the test
 * machine, session 8); the STFT, the gains, the deep filter and the iSTFT are the rest. A stereo
 * stream whose channels follow a leader that runs on their mid signal costs one network and
 * three light hops instead of two full ones, and every channel gets the same gains, so the
 * stereo image does not move with the noise. Channels that carry the same signal (a call played
 * in stereo) come out exactly as with one denoiser each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "denoiser_internal.h"
#include "nn/model.h"

/* Hops a follower may lag behind its leader and still find the leader's output: more than the
 * hops of the largest block either is given at once (8192 samples: 18 hops). */
#define LINK_RING 32

struct link_entry {
	uint64_t seq;     /* hop number it holds; UINT64_MAX: none */
	float vad;
	float *gains;     /* n_erb */
	float *df_coefs;  /* nn_model_n_df_coefs() */
};

struct denoiser_link {
	uint32_t n_erb;
	size_t n_coefs;
	struct link_entry e[LINK_RING];
	float *arena;
};

static void clear_entries(struct denoiser_link *l)
{
	for (uint32_t k = 0; k < LINK_RING; k++)
		l->e[k].seq = UINT64_MAX;
}

static int make_leader(struct vocana_denoiser *d)
{
	if (d->share)
		return 0;
	struct denoiser_link *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->n_erb = d->model->hp.n_erb;
	l->n_coefs = nn_model_n_df_coefs(d->model);
	const size_t bytes = (size_t)LINK_RING * (l->n_erb + l->n_coefs) * sizeof(float);
	l->arena = malloc(bytes);
	if (!l->arena) {
		free(l);
		return -ENOMEM;
	}
	/* Touched now, not on the audio thread at the first publish (calloc may hand out untouched
	 * zero pages). */
	memset(l->arena, 0, bytes);
	float *p = l->arena;
	for (uint32_t k = 0; k < LINK_RING; k++) {
		l->e[k].gains = p;
		p += l->n_erb;
		l->e[k].df_coefs = p;
		p += l->n_coefs;
	}
	clear_entries(l);
	d->share = l;
	return 0;
}

int denoiser_link(struct vocana_denoiser *follower, struct vocana_denoiser *leader)
{
	if (!follower || !leader || follower == leader || follower->share || leader->leader)
		return -EINVAL;
	/* What the ring carries must fit the follower (usually both hold the same model). */
	if (follower->model->hp.n_erb != leader->model->hp.n_erb ||
	    nn_model_n_df_coefs(follower->model) != nn_model_n_df_coefs(leader->model))
		return -EINVAL;
	int res = make_leader(leader);
	if (res < 0)
		return res;
	follower->leader = leader;
	return 0;
}

void denoiser_link_clear(struct vocana_denoiser *d)
{
	if (d->share) {
		free(d->share->arena);
		free(d->share);
		d->share = NULL;
	}
	d->leader = NULL;
}

void denoiser_link_reset(struct vocana_denoiser *d)
{
	if (d->share)
		clear_entries(d->share);
	d->hop_seq = 0;
}

void denoiser_link_publish(struct vocana_denoiser *d)
{
	struct denoiser_link *l = d->share;
	if (!l)
		return;
	struct link_entry *e = &l->e[d->hop_seq % LINK_RING];
	memcpy(e->gains, d->gains, l->n_erb * sizeof(float));
	memcpy(e->df_coefs, d->df_coefs, l->n_coefs * sizeof(float));
	e->vad = d->vad;
	e->seq = d->hop_seq;
}

bool denoiser_link_take(struct vocana_denoiser *d)
{
	const struct denoiser_link *l = d->leader ? d->leader->share : NULL;
	if (!l)
		return false;
	const struct link_entry *e = &l->e[d->hop_seq % LINK_RING];
	if (e->seq != d->hop_seq)
		return false;
	memcpy(d->gains, e->gains, l->n_erb * sizeof(float));
	memcpy(d->df_coefs, e->df_coefs, l->n_coefs * sizeof(float));
	d->vad = e->vad;
	return true;
}
