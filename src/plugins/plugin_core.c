/* SPDX-License-Identifier: MIT */
#include "plugins/plugin_core.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugin_chain.h"
#include "vocana/vocana.h"

struct vp_instance {
	uint32_t n_channels;
	struct vp_chain *chain[VP_MAX_CHANNELS];
	uint32_t latency;
	int strength;  /* as last applied */
	bool enabled;  /* as last applied */
	bool fresh;    /* activated, no run() yet: apply the controls without gliding */
	/* One chunk of every channel's input, copied before any output is written, so that hosts
	 * may hand the same buffer as an input and an output, even across channels. */
	float in_copy[VP_MAX_CHANNELS][VP_CHAIN_MAX_CHUNK];
};

/* ---- The model every instance of this binary shares --------------------------------------- */

/* Written only under model_lock, by instantiate and cleanup (never by run()). The plugin binary
 * can be loaded by a host into any number of threads' instantiate calls at once. */
static pthread_mutex_t model_lock = PTHREAD_MUTEX_INITIALIZER;
static struct vocana_model *shared_model;
static unsigned shared_model_users;

static int model_acquire(const struct vocana_model **out)
{
	int res = 0;

	pthread_mutex_lock(&model_lock);
	if (shared_model_users == 0)
		res = vocana_model_load_default(&shared_model);
	if (res == 0) {
		shared_model_users++;
		*out = shared_model;
	}
	pthread_mutex_unlock(&model_lock);
	return res;
}

static void model_release(void)
{
	pthread_mutex_lock(&model_lock);
	if (shared_model_users > 0 && --shared_model_users == 0) {
		vocana_model_free(shared_model);
		shared_model = NULL;
	}
	pthread_mutex_unlock(&model_lock);
}

/* ---- Instances ------------------------------------------------------------------------------ */

int vp_instance_create(uint32_t n_channels, double rate_hz, struct vp_instance **out, char *err,
		       size_t err_size)
{
	const struct vocana_model *model = NULL;
	struct vp_instance *vp;
	uint32_t rate;
	int res;

	if (err != NULL && err_size > 0)
		err[0] = '\0';
	if (out == NULL || n_channels == 0 || n_channels > VP_MAX_CHANNELS)
		return -EINVAL;
	*out = NULL;
	/* Hosts pass rates as double (LV2) or unsigned long (LADSPA); only whole rates in range
	 * make sense to a converter. */
	if (!(rate_hz >= VP_RATE_MIN_HZ && rate_hz <= VP_RATE_MAX_HZ) ||
	    fabs(rate_hz - round(rate_hz)) > 1e-6) {
		if (err != NULL)
			snprintf(err, err_size,
				 "Vocana: sample rate %g Hz is not supported (whole rates from %u to "
				 "%u Hz are; the denoiser itself runs at 48000 Hz)",
				 rate_hz, VP_RATE_MIN_HZ, VP_RATE_MAX_HZ);
		return -ENOTSUP;
	}
	rate = (uint32_t)round(rate_hz);

	if ((res = model_acquire(&model)) < 0) {
		if (err != NULL)
			snprintf(err, err_size, "Vocana: cannot load the built-in model: %s",
				 vocana_strerror(res));
		return res;
	}
	vp = calloc(1, sizeof(*vp));
	if (vp == NULL) {
		model_release();
		return -ENOMEM;
	}
	vp->n_channels = n_channels;
	for (uint32_t ch = 0; ch < n_channels; ch++) {
		if ((res = vp_chain_create(model, rate, &vp->chain[ch])) < 0) {
			if (err != NULL)
				snprintf(err, err_size, "Vocana: cannot set up the denoiser at %u Hz: %s",
					 rate, vocana_strerror(res));
			vp_instance_destroy(vp);
			return res;
		}
	}
	vp->latency = vp_chain_latency(vp->chain[0]);
	vp->strength = VP_STRENGTH_DEFAULT;
	vp->enabled = true;
	vp->fresh = true;
	*out = vp;
	return 0;
}

void vp_instance_destroy(struct vp_instance *vp)
{
	if (vp == NULL)
		return;
	for (uint32_t ch = 0; ch < VP_MAX_CHANNELS; ch++)
		vp_chain_destroy(vp->chain[ch]);
	free(vp);
	/* Every instance holds the model from create() until here (a half-built one too). */
	model_release();
}

void vp_instance_activate(struct vp_instance *vp)
{
	for (uint32_t ch = 0; ch < vp->n_channels; ch++)
		vp_chain_reset(vp->chain[ch]);
	vp->fresh = true;
}

uint32_t vp_instance_latency(const struct vp_instance *vp)
{
	return vp->latency;
}

uint64_t vp_instance_faults(const struct vp_instance *vp)
{
	uint64_t n = 0;

	for (uint32_t ch = 0; ch < vp->n_channels; ch++)
		n += vp_chain_faults(vp->chain[ch]);
	return n;
}

/* Port values come from the host and are untrusted: NaN keeps the current value. */
static void apply_controls(struct vp_instance *vp, float strength, float enable)
{
	int s = vp->strength;
	bool on = vp->enabled;

	if (strength == strength) /* not NaN */
		s = strength <= 0.0f ? 0 :
		    strength >= (float)VP_STRENGTH_MAX ? VP_STRENGTH_MAX : (int)(strength + 0.5f);
	if (enable == enable)
		on = enable > 0.0f; /* LV2 lv2:toggled and LADSPA TOGGLED: > 0 is on */

	if (s == vp->strength && on == vp->enabled && !vp->fresh)
		return;
	for (uint32_t ch = 0; ch < vp->n_channels; ch++) {
		struct vocana_denoiser *d = vp_chain_denoiser(vp->chain[ch]);

		vocana_denoiser_set_strength(d, s); /* glides over ~50 ms */
		vocana_denoiser_set_bypass(d, !on); /* crossfades over 10 ms */
		/* Nothing has been processed since activate(), so a reset loses no audio; it makes
		 * the strength and bypass jump to the values set just now instead of gliding from the
		 * defaults. It only clears the denoiser's fixed-size state (memsets), like the mic's
		 * engine does on its real-time thread. */
		if (vp->fresh)
			vocana_denoiser_reset(d);
	}
	vp->strength = s;
	vp->enabled = on;
	vp->fresh = false;
}

void vp_instance_run(struct vp_instance *vp, const float *const *in, float *const *out, size_t n,
		     float strength, float enable)
{
	const uint32_t n_ch = vp->n_channels;

	apply_controls(vp, strength, enable);
	for (size_t done = 0; done < n;) {
		size_t k = n - done < VP_CHAIN_MAX_CHUNK ? n - done : VP_CHAIN_MAX_CHUNK;

		for (uint32_t ch = 0; ch < n_ch; ch++)
			memcpy(vp->in_copy[ch], in[ch] + done, k * sizeof(float));
		for (uint32_t ch = 0; ch < n_ch; ch++) {
			vp_chain_push(vp->chain[ch], vp->in_copy[ch], k);
			vp_chain_pull(vp->chain[ch], out[ch] + done, k);
		}
		done += k;
	}
}
