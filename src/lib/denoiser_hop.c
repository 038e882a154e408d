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
		       3 * carve_size(m->hp.n_erb);
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
	d->cross_energy = carve(&cursor, m->hp.n_erb);
	return 0;
}

void denoiser_hop_clear(struct vocana_denoiser *d)
{
	denoiser_link_clear(d);
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
	d->vad = 0.0f;
	d->scale = d->scale_target;
	denoiser_link_reset(d);
}

/*
 * Digital silence (every band below VC_SILENCE_ENERGY: a muted microphone, a file that starts with
 * zeros) passes through and the network's state does not move: it stays as it was before the
 * silence. Silence carries no information, so after a mute the network carries on with the
 * noise it knew, as the feature normaliser does with its means (features.c), and the noise is
 * suppressed from the first hop after the unmute; a stream that starts silent starts with the
 * network's initial state when its first sound comes. Running the network through the silence
 * instead drifted its state: with the session-3 model, noise 100-300 ms after a 1 s mute was
 * +16 dB over the steady state (white), and resetting the state after a silence (tried first) still
 * left +10 dB, a cold start. Training does not freeze inside an example (its 0.1-1.5 s mutes are
 * learnt through): the one place the C denoiser and the PyTorch model differ, and only on such
 * silences. The network still runs on a silent hop, its result and state change discarded: a hop
 * costs the same whatever it carries. Skipping it (session 4) made the first hops after a silence
 * take 13-20 ms of a 5-21 ms PipeWire cycle on the test machine, every time a stream started
 * silent: an xrun, and the graph re-timed a quantum short; with the network on every hop the
 * longest cycle is 1.3 ms there.
 */
static void pass_silent_hop(struct vocana_denoiser *d)
{
	const uint32_t n_erb = d->model->hp.n_erb;

	for (uint32_t b = 0; b < n_erb; b++)
		d->gains[b] = 1.0f;
	/* The identity deep filter: C_{k,0} = 1, every other tap 0. */
	memset(d->df_coefs, 0, nn_model_n_df_coefs(d->model) * sizeof(float));
	for (uint32_t k = 0; k < d->n_df; k++)
		d->df_coefs[(size_t)k * d->df_order * 2] = 1.0f;
	d->vad = 0.0f;
}

void denoiser_time_hops(struct vocana_denoiser *d, struct telemetry *t)
{
	d->hop_times = t;
}

/* Features and network on this hop's spectrum -> gains, deep-filter coefficients, VAD; a leader
 * publishes them for its followers. */
static void run_network(struct vocana_denoiser *d)
{
	if (features_compute(&d->feat, d->spec, d->features)) {
		nn_forward_keep_state(d->nn, d->features, d->gains, d->df_coefs, &d->vad);
		pass_silent_hop(d);
	} else
		nn_forward(d->nn, d->features, d->gains, d->df_coefs, &d->vad);
	if (d->leader)
		d->own_network_hops++;
	denoiser_link_publish(d);
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
 * Strength below 100: keep a per-band share m_b of the noisy input X in the model's output Y,
 * Z = m X + (1 - m) Y, chosen so that a band the model attenuates by A dB is attenuated by a * A dB,
 * a = strength / 100: with the band's gain g = sqrt(E_Y / E_X), E_Z = g^(2a) E_X. Scaling the
 * attenuation in dB makes equal strength steps sound like equal steps (loudness follows level in
 * dB), and the strength is relative to what the model removes, so every step changes the sound: a
 * fixed dB ceiling stopped mattering once it exceeded the model's own suppression (30 and 100
 * sounded alike).
 *
 * E_Z = m^2 E_X + (1 - m)^2 E_Y + 2 m (1 - m) C_XY is solved for m exactly, with the band's
 * cross-energy C_XY: what is left of noise in Y is largely uncorrelated with X (the deep filter
 * and the gains change its phase and shape), and treating Y as g X (session 4's first version)
 * made 90 remove more than 100 did on white noise. E_Z - g^(2a) E_X is a quadratic in m that is
 * <= 0 at m = 0 (E_Y <= g^(2a) E_X) and >= 0 at m = 1, with a non-negative leading coefficient
 * sum |X - Y|^2, so it has exactly one root in [0, 1], which falls as a grows. Where the model
 * removes nothing, nothing changes; a gain above 1 (the deep filter may restore energy) is treated
 * as 1. The m_b are interpolated to bins like the band gains, so the blend is smooth across bands.
 */
static float band_mix_share(float ex, float ey, float cxy, float a)
{
	float g = ex > 0.0f ? sqrtf(ey / ex) : 1.0f;

	if (a <= 0.0f)
		return 1.0f; /* strength 0: the input exactly, bit for bit */
	if (!(g < VC_GAIN_UNITY)) /* also NaN-safe */
		return 1.0f - a;
	if (g < VC_GAIN_MIN)
		g = VC_GAIN_MIN;
	const float target = ex * expf(2.0f * a * logf(g));
	const float qa = ex + ey - 2.0f * cxy, qb = 2.0f * (cxy - ey), qc = ey - target;
	if (!(qa > 1e-6f * ex))
		return 1.0f - a; /* X and Y (nearly) equal: any share gives the same */
	const float root = sqrtf(fmaxf(qb * qb - 4.0f * qa * qc, 0.0f));
	/* The non-negative root, in the form without cancellation for either sign of qb. */
	float m = qb >= 0.0f ? -2.0f * qc / (qb + root) : (root - qb) / (2.0f * qa);
	return m < 0.0f ? 0.0f : m > 1.0f ? 1.0f : m;
}

static void scale_attenuation(struct vocana_denoiser *d, float a)
{
	const uint32_t n_erb = d->model->hp.n_erb;

	bands_energy(&d->feat.bands, d->out_spec, d->out_energy);
	bands_cross_energy(&d->feat.bands, d->spec, d->out_spec, d->cross_energy);
	for (uint32_t b = 0; b < n_erb; b++)
		d->band_mix[b] = band_mix_share(d->feat.energy[b], d->out_energy[b], d->cross_energy[b], a);
	bands_interp_gains(&d->feat.bands, d->band_mix, d->bin_gains);
	for (uint32_t k = 0; k < VC_BINS; k++) {
		const float mk = d->bin_gains[k];
		d->out_spec[2 * k] = mk * d->spec[2 * k] + (1.0f - mk) * d->out_spec[2 * k];
		d->out_spec[2 * k + 1] = mk * d->spec[2 * k + 1] + (1.0f - mk) * d->out_spec[2 * k + 1];
	}
}

/* The network's output on this hop's spectrum: gains, deep filter, strength, then the iSTFT. */
static void filter_hop(struct vocana_denoiser *d, float *wet)
{
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
	if (denoiser_link_take(d)) /* a follower: the leader's network output, own band energies */
		bands_energy(&d->feat.bands, d->spec, d->feat.energy);
	else
		run_network(d);
	d->hop_seq++;
	if (d->share) /* a leader runs the network for its followers; its own output is unused */
		memset(wet, 0, VC_HOP * sizeof(float));
	else
		filter_hop(d, wet);
#ifdef VC_HAVE_MXCSR
	_mm_setcsr(csr);
#endif
	if (d->hop_times) {
		const uint64_t dt = telemetry_now_us() - t0;
		telemetry_record_latency_us(d->hop_times, dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt);
	}
}
