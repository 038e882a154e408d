/* SPDX-License-Identifier: MIT */
/*
 * The public denoiser (include/vocana/vocana.h) and its stream: blocks of any size are framed into
 * 480-sample hops (sanitised on the way in), each hop runs through denoiser_hop.c, is crossfaded
 * with the equally delayed dry input when the bypass changes, and joins an output FIFO whose
 * pre-filled silence makes the latency constant whatever the block size. The engine's worker mode
 * uses the same pieces one hop at a time (denoiser_internal.h).
 *
 * All memory is allocated in vocana_denoiser_create(); process and the setters only compute.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "denoiser_internal.h"
#include "dsp/fade.h"
#include "dsp/sanitize.h"
#include "nn/model.h"
#include "util/gcd.h"

/* Strength s scales the model's own attenuation in dB by s / 100 (denoiser_hop.c). */
#define VC_STRENGTH_MAX 100

extern const unsigned char vocana_default_model[];
extern const size_t vocana_default_model_size;

int vocana_model_load_default(struct vocana_model **out)
{
	return vocana_model_load_memory(vocana_default_model, vocana_default_model_size, out);
}

int vocana_denoiser_create(const struct vocana_model *m, uint32_t block_size,
			   struct vocana_denoiser **out)
{
	if (!out)
		return -EINVAL;
	*out = NULL;

	/* 64-byte aligned: the stream's fields start on their own cache line (denoiser_internal.h). */
	const size_t size = (sizeof(struct vocana_denoiser) + 63) & ~(size_t)63;
	struct vocana_denoiser *d = aligned_alloc(64, size);
	if (!d)
		return -ENOMEM;
	memset(d, 0, size);
	int res;
	if (!m) {
		if ((res = vocana_model_load_default(&d->owned_model)) < 0)
			goto error;
		m = d->owned_model;
	}
	d->model = m;
	d->n_df = m->hp.n_df;
	d->df_order = m->hp.df_order;

	d->granularity = gcd_u32(block_size, VC_HOP); /* gcd(0, 480) = 480 would be wrong: */
	if (block_size == 0)
		d->granularity = 1;                   /* unknown sizes need sample granularity */
	/* The STFT delays by the model's `delay`; the FIFO adds what is needed for the output to
	 * be ready whatever the block size: a hop's output only exists once its last input sample
	 * has arrived. */
	d->delay = m->hp.delay;
	d->latency = d->delay + VC_HOP - d->granularity;

	if ((res = denoiser_hop_init(d)) < 0)
		goto error;
	(void)ring_init(&d->out_ring, VC_OUT_FIFO); /* a power of two */
	fade_curve(d->fade, VC_HOP);
	d->strength = VC_STRENGTH_MAX;
	d->scale_target = d->scale = 1.0f;
	vocana_denoiser_reset(d);
	*out = d;
	return 0;

error:
	vocana_denoiser_destroy(d);
	return res;
}

void vocana_denoiser_destroy(struct vocana_denoiser *d)
{
	if (!d)
		return;
	denoiser_hop_clear(d);
	vocana_model_free(d->owned_model);
	free(d);
}

void vocana_denoiser_reset(struct vocana_denoiser *d)
{
	if (!d)
		return;
	denoiser_reset_hop(d);
	memset(d->in_hop, 0, sizeof(d->in_hop));
	d->in_cur = 0;
	d->in_fill = 0;
	/* Pre-fill the output FIFO with the extra delay (latency - the STFT's delay) of silence. */
	memset(d->out_buf, 0, sizeof(d->out_buf));
	ring_reset(&d->out_ring, 0);
	ring_write_update(&d->out_ring, d->latency - d->delay);
	d->wet_on = !d->bypass;
}

uint32_t vocana_denoiser_latency_samples(const struct vocana_denoiser *d)
{
	return d ? d->latency : 0;
}

float vocana_denoiser_vad(const struct vocana_denoiser *d)
{
	return d ? d->vad : 0.0f;
}

int vocana_denoiser_set_strength(struct vocana_denoiser *d, int strength)
{
	if (!d || strength < 0 || strength > VC_STRENGTH_MAX)
		return -EINVAL;
	d->strength = strength;
	d->scale_target = (float)strength / (float)VC_STRENGTH_MAX;
	return 0;
}

int vocana_denoiser_get_strength(const struct vocana_denoiser *d)
{
	return d ? d->strength : -EINVAL;
}

void vocana_denoiser_set_bypass(struct vocana_denoiser *d, bool bypass)
{
	if (d)
		d->bypass = bypass;
}

const float *denoiser_take_input(struct vocana_denoiser *d, const float *in, size_t *n)
{
	if (d->in_fill == VC_HOP) { /* the last hop is done with: collect the next one */
		d->in_cur ^= 1;
		d->in_fill = 0;
	}
	float *dst = d->in_hop[d->in_cur] + d->in_fill;
	size_t k = VC_HOP - d->in_fill;
	if (k > *n)
		k = *n;
	/* Clean here, once, for everything downstream: the network, and the dry path that is played
	 * as it is in bypass. */
	for (size_t i = 0; i < k; i++)
		dst[i] = vc_sanitize(in[i], VC_SAMPLE_MAX);
	d->in_fill += (uint32_t)k;
	*n = k;
	return d->in_fill == VC_HOP ? d->in_hop[d->in_cur] : NULL;
}

/* The dry signal aligned with hop output sample i is the input `delay` samples back: the tail of
 * the previous hop for i < delay, this hop's head after (for delay 480, exactly the previous hop). */
static const float *dry_tail(const struct vocana_denoiser *d)
{
	return d->in_hop[d->in_cur ^ 1] + VC_HOP - d->delay;
}

void denoiser_dry(const struct vocana_denoiser *d, float *dry)
{
	memcpy(dry, dry_tail(d), d->delay * sizeof(float));
	memcpy(dry + d->delay, d->in_hop[d->in_cur], (VC_HOP - d->delay) * sizeof(float));
}

/* denoiser_mix() with the dry signal in two pieces: dry[i] = i < delay ? tail[i] : head[i - delay].
 * A switch fades over this hop (dsp/fade.h); otherwise the hop is exactly wet or exactly dry. */
static bool mix(struct vocana_denoiser *d, float *wet, const float *tail, const float *head)
{
	const bool was_wet = d->wet_on, want_wet = !d->bypass;
	const uint32_t dl = d->delay;
	d->n_hops++;
	d->wet_on = want_wet;
	if (!wet)
		return false;
	if (!want_wet && !was_wet) { /* bypassed: the dry input */
		memcpy(wet, tail, dl * sizeof(float));
		memcpy(wet + dl, head, (VC_HOP - dl) * sizeof(float));
		return false;
	}
	if (!want_wet) { /* into bypass */
		fade_mix(wet, wet, tail, d->fade, dl);
		fade_mix(wet + dl, wet + dl, head, d->fade + dl, VC_HOP - dl);
		return false;
	}
	if (!was_wet) { /* out of bypass */
		fade_mix(wet, tail, wet, d->fade, dl);
		fade_mix(wet + dl, head, wet + dl, d->fade + dl, VC_HOP - dl);
	}
	d->n_wet_hops++;
	return true;
}

bool denoiser_mix(struct vocana_denoiser *d, float *wet, const float *dry)
{
	return mix(d, wet, dry, dry + d->delay);
}

void denoiser_hops_out(const struct vocana_denoiser *d, uint64_t *hops, uint64_t *wet_hops)
{
	*hops = d->n_hops;
	*wet_hops = d->n_wet_hops;
}

int vocana_denoiser_process(struct vocana_denoiser *d, const float *in, float *out, size_t n)
{
	if (!d || (n && (!in || !out)) || n % d->granularity)
		return -EINVAL;
	size_t done = 0;
	while (done < n) {
		/* Read this chunk's input before writing its output: in and out may alias. */
		size_t chunk = n - done;
		const float *hop = denoiser_take_input(d, in + done, &chunk);
		if (hop) {
			denoiser_run_hop(d, hop, d->wet_hop);
			mix(d, d->wet_hop, dry_tail(d), hop);
			uint32_t w;
			ring_get_write_index(&d->out_ring, &w);
			ring_write_data(&d->out_ring, d->out_buf, sizeof(float), w, d->wet_hop, VC_HOP);
			ring_write_update(&d->out_ring, w + VC_HOP);
		}
		/* The constant extra delay guarantees at least chunk samples are waiting here. */
		uint32_t r;
		ring_get_read_index(&d->out_ring, &r);
		ring_read_data(&d->out_ring, d->out_buf, sizeof(float), r, out + done, (uint32_t)chunk);
		ring_read_update(&d->out_ring, r + (uint32_t)chunk);
		done += chunk;
	}
	return 0;
}
