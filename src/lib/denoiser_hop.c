/* SPDX-License-Identifier: MIT */
/*
 * One hop of the denoiser (docs/architecture.md): STFT -> features -> network -> band gains and
 * deep filter -> strength -> iSTFT, 480 samples in, 480 out, `delay` samples later. The stream
 * around it (framing, dry path, bypass, output FIFO) is denoiser.c; denoiser_internal.h says
 * which thread may call what.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define VC_HAVE_MXCSR 1
#endif

#include "denoiser_internal.h"
#include "dsp/stft.h"
#include "nn/model.h"
#include "nn/network.h"

/* Per-hop smoothing of the strength scale: exp(-10 ms / 50 ms), so a strength change glides over
 * about 50 ms instead of jumping (a jump would be audible as a click or a step). */
#define VC_MIX_SMOOTH 0.81873075f
/* Band gains at or above this count as "no attenuation" in scale_attenuation(). */
#define VC_GAIN_UNITY 0.9999f
/* Smallest band gain scale_attenuation() works with (-100 dB): keeps logf finite. */
#define VC_GAIN_MIN 1e-5f
/* Digital silence this long (0.5 s) restarts the network when sound returns; see
 * restart_after_silence(). Shorter gaps (pauses in gated speech) keep the network's context. */
#define VC_SILENCE_RESTART_HOPS 50u

static float *carve(char **cursor, size_t n_floats)
{
	float *p = (float *)(void *)*cursor;
	size_t bytes = (n_floats * sizeof(float) + 63) & ~(size_t)63;
	*cursor += bytes;
	return p;
}

static size_t carve_size(size_t n_floats)
{
	return (n_floats * sizeof(float) + 63) & ~(size_t)63;
}

int denoiser_hop_init(struct vocana_denoiser *d)
{
	const struct vocana_model *m = d->model;
	int res;

	if ((res = features_init(&d->feat, d->n_df)) < 0)
		return res;
	if ((res = stft_create(&d->stft, d->delay)) < 0)
		return res;
	if ((res = nn_state_create(m, &d->nn)) < 0)
		return res;

	size_t n_feat = features_size(d->n_df);
	size_t n_coefs = nn_model_n_df_coefs(m);
	size_t n_hist = (size_t)d->df_order * d->n_df * 2;
	size_t bytes = carve_size(n_feat) + carve_size(m->hp.n_erb) + carve_size(n_coefs) +
		       carve_size(VC_BINS) + 2 * carve_size(2 * VC_BINS) + carve_size(n_hist) +
		       2 * carve_size(m->hp.n_erb);
	d->arena = aligned_alloc(64, bytes);
	if (!d->arena)
		return -ENOMEM;
	char *cursor = d->arena;
	d->features = carve(&cursor, n_feat);
	d->gains = carve(&cursor, m->hp.n_erb);
	d->df_coefs = carve(&cursor, n_coefs);
	d->bin_gains = carve(&cursor, VC_BINS);
	d->spec = carve(&cursor, 2 * VC_BINS);
	d->out_spec = carve(&cursor, 2 * VC_BINS);
	d->df_hist = carve(&cursor, n_hist);
	d->band_mix = carve(&cursor, m->hp.n_erb);
	d->out_energy = carve(&cursor, m->hp.n_erb);
	return 0;
}

void denoiser_hop_clear(struct vocana_denoiser *d)
{
	nn_state_destroy(d->nn);
	stft_destroy(d->stft);
	free(d->arena);
}

void denoiser_reset_hop(struct vocana_denoiser *d)
{
	stft_reset(d->stft);
	features_reset(&d->feat);
	nn_reset(d->nn);
	memset(d->df_hist, 0, (size_t)d->df_order * d->n_df * 2 * sizeof(float));
	d->df_hist_pos = 0;
	d->silent_hops = 0;
	d->vad = 0.0f;
	d->scale = d->scale_target;
}

/*
 * After a long digital silence (a muted microphone, a file that starts with zeros) the first sound
 * meets the network as a stream's first sound does: recurrent state and deep-filter history
 * cleared. The start of a stream is what every training example begins with, so the network
 * suppresses noise there within a few hops; its state after a second of silence is a condition it
 * met less often, and it took 2-3 times longer to clamp down on noise that follows. Nothing is lost:
 * silence carries no information, and the feature normaliser keeps its means across it
 * (features.c), so the level of the noise before a mute still counts after it.
 */
static void restart_after_silence(struct vocana_denoiser *d, bool silent)
{
	if (silent) {
		if (d->silent_hops < UINT32_MAX)
			d->silent_hops++;
		return;
	}
	if (d->silent_hops >= VC_SILENCE_RESTART_HOPS) {
		nn_reset(d->nn);
		memset(d->df_hist, 0, (size_t)d->df_order * d->n_df * 2 * sizeof(float));
		d->df_hist_pos = 0;
	}
	d->silent_hops = 0;
}

void denoiser_time_hops(struct vocana_denoiser *d, struct telemetry *t)
{
	d->hop_times = t;
}

/* Y_k = sum_i C_{k,i} X_k[t-i] over the lowest n_df bins, X from the history ring. */
static void apply_deep_filter(struct vocana_denoiser *d)
{
	const uint32_t n_df = d->n_df, order = d->df_order;
	const float *c = d->df_coefs;
	for (uint32_t k = 0; k < n_df; k++) {
		float re = 0.0f, im = 0.0f;
		for (uint32_t i = 0; i < order; i++) {
			uint32_t slot = (d->df_hist_pos + order - i) % order;
			const float *x = d->df_hist + ((size_t)slot * n_df + k) * 2;
			const float *ci = c + ((size_t)k * order + i) * 2;
			re += ci[0] * x[0] - ci[1] * x[1];
			im += ci[0] * x[1] + ci[1] * x[0];
		}
		d->out_spec[2 * k] = re;
		d->out_spec[2 * k + 1] = im;
	}
}

/*
 * Strength below 100: keep a per-band share m_b of the noisy input, Y <- m X + (1 - m) Y, chosen so
 * that a band the model attenuates by A dB is attenuated by a * A dB, a = strength / 100. With the
 * band's magnitude gain g = sqrt(E_Y / E_X) and Y ~ g X, |m + (1 - m) g| = g^a gives
 * m = (g^a - g) / (1 - g) (1 - a in the limit g -> 1). Scaling the attenuation in dB makes equal
 * strength steps sound like equal steps (loudness follows level in dB), and the strength is relative
 * to what the model removes, so every step changes the sound: a fixed dB ceiling stopped mattering
 * once it exceeded the model's own suppression (30 and 100 sounded alike). Where the model removes
 * nothing, nothing changes; a gain above 1 (the deep filter may restore energy) is treated as 1.
 * The m_b are interpolated to bins like the band gains, so the blend is smooth across bands.
 */
static void scale_attenuation(struct vocana_denoiser *d, float a)
{
	const uint32_t n_erb = d->model->hp.n_erb;

	bands_energy(&d->feat.bands, d->out_spec, d->out_energy);
	for (uint32_t b = 0; b < n_erb; b++) {
		float ex = d->feat.energy[b], ey = d->out_energy[b];
		float g = ex > 0.0f ? sqrtf(ey / ex) : 1.0f;
		float m;

		if (!(g < VC_GAIN_UNITY)) { /* also NaN-safe */
			m = 1.0f - a;
		} else {
			if (g < VC_GAIN_MIN)
				g = VC_GAIN_MIN;
			m = (expf(a * logf(g)) - g) / (1.0f - g);
		}
		d->band_mix[b] = m;
	}
	bands_interp_gains(&d->feat.bands, d->band_mix, d->bin_gains);
	for (uint32_t k = 0; k < VC_BINS; k++) {
		const float mk = d->bin_gains[k];
		d->out_spec[2 * k] = mk * d->spec[2 * k] + (1.0f - mk) * d->out_spec[2 * k];
		d->out_spec[2 * k + 1] = mk * d->spec[2 * k + 1] + (1.0f - mk) * d->out_spec[2 * k + 1];
	}
}

void denoiser_run_hop(struct vocana_denoiser *d, const float *hop, float *wet)
{
	const uint64_t t0 = d->hop_times ? telemetry_now_us() : 0;
#ifdef VC_HAVE_MXCSR
	/* Flush denormals to zero while we compute (GRU states decaying towards zero would otherwise
	 * hit the slow microcode path); restore the caller's mode before returning. */
	const unsigned csr = _mm_getcsr();
	_mm_setcsr(csr | 0x8040); /* FTZ | DAZ */
#endif
	stft_analyze(d->stft, hop, d->spec);
	restart_after_silence(d, features_compute(&d->feat, d->spec, d->features));
	nn_forward(d->nn, d->features, d->gains, d->df_coefs, &d->vad);

	/* Remember this hop's low bins for the deep filter. */
	d->df_hist_pos = (d->df_hist_pos + 1) % d->df_order;
	memcpy(d->df_hist + (size_t)d->df_hist_pos * d->n_df * 2, d->spec,
	       (size_t)d->n_df * 2 * sizeof(float));

	bands_interp_gains(&d->feat.bands, d->gains, d->bin_gains);
	for (uint32_t k = 0; k < VC_BINS; k++) {
		d->out_spec[2 * k] = d->bin_gains[k] * d->spec[2 * k];
		d->out_spec[2 * k + 1] = d->bin_gains[k] * d->spec[2 * k + 1];
	}
	apply_deep_filter(d);

	d->scale = d->scale_target + (d->scale - d->scale_target) * VC_MIX_SMOOTH;
	if (fabsf(d->scale - d->scale_target) < 1e-6f)
		d->scale = d->scale_target;
	if (d->scale < 1.0f)
		scale_attenuation(d, d->scale);
	stft_synthesize(d->stft, d->out_spec, wet);
#ifdef VC_HAVE_MXCSR
	_mm_setcsr(csr);
#endif
	if (d->hop_times) {
		const uint64_t dt = telemetry_now_us() - t0;
		telemetry_record_latency_us(d->hop_times, dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt);
	}
}
