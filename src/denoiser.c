/* SPDX-License-Identifier: MIT */
/*
 * The public denoiser (include/vocana/vocana.h): STFT -> features -> network -> band gains and deep
 * filter -> attenuation limit -> iSTFT, once per 480-sample hop (docs/architecture.md), wrapped in
 * a FIFO that accepts any block size at a constant latency.
 *
 * All memory is allocated in vocana_denoiser_create(); process and the setters only compute.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE__) || defined(__x86_64__)
#include <xmmintrin.h>
#define VC_HAVE_MXCSR 1
#endif

#include "dsp/dsp_constants.h"
#include "dsp/features.h"
#include "dsp/sanitize.h"
#include "dsp/stft.h"
#include "nn/model.h"
#include "nn/network.h"
#include "vocana/vocana.h"

/* Strength s scales the model's own attenuation in dB by s / 100 (see scale_attenuation()). */
#define VC_STRENGTH_MAX 100
/* Per-hop smoothing of that scale: exp(-10 ms / 50 ms), so a strength change glides over about
 * 50 ms instead of jumping (a jump would be audible as a click or a step). */
#define VC_MIX_SMOOTH 0.81873075f
/* Band gains at or above this count as "no attenuation" in scale_attenuation(). */
#define VC_GAIN_UNITY 0.9999f
/* Smallest band gain scale_attenuation() works with (-100 dB): keeps logf finite. */
#define VC_GAIN_MIN 1e-5f
/* Output FIFO capacity: the constant extra delay is at most VC_HOP - 1 and one hop is appended
 * at a time, so fewer than VC_WIN samples are ever waiting. Power of two for cheap masking. */
#define VC_OUT_FIFO 1024

struct vocana_denoiser {
	const struct vocana_model *model;
	struct vocana_model *owned_model; /* the embedded default, when created with m == NULL */
	struct stft *stft;
	struct nn_state *nn;
	struct features feat;

	uint32_t n_df, df_order;
	uint32_t granularity;  /* every process() call passes a multiple of this many samples */
	uint32_t delay;        /* the model's algorithmic delay (its STFT window pair), samples */
	uint32_t latency;      /* delay + VC_HOP - granularity */

	/* Per-hop buffers (sizes from the model), carved from one allocation. */
	float *features;       /* features_size(n_df) */
	float *gains;          /* n_erb band gains */
	float *df_coefs;       /* n_df * df_order * 2 */
	float *bin_gains;      /* VC_BINS */
	float *band_mix;       /* n_erb: per-band input share of the strength blend */
	float *out_energy;     /* n_erb: band energies of the enhanced spectrum */
	float *spec;           /* 2 * VC_BINS: this hop's noisy spectrum */
	float *out_spec;       /* 2 * VC_BINS: enhanced spectrum */
	float *df_hist;        /* df_order * n_df * 2: noisy low bins of the last df_order hops */
	uint32_t df_hist_pos;  /* slot of the current hop in df_hist */
	void *arena;

	float in_hop[VC_HOP];  /* input being collected into a hop */
	uint32_t in_fill;
	float dry_hop[VC_HOP]; /* previous complete input hop: with in_hop, the dry signal */
	float wet_hop[VC_HOP];
	float out_fifo[VC_OUT_FIFO];
	uint32_t out_read, out_write; /* free-running; masked with VC_OUT_FIFO - 1 */

	float vad;
	int strength;
	float scale_target, scale;  /* strength / 100, and its per-hop glide towards it */
	bool bypass;
	float wet_gain;             /* 1 = denoised, 0 = bypassed; ramps over one hop */
};

extern const unsigned char vocana_default_model[];
extern const size_t vocana_default_model_size;

int vocana_model_load_default(struct vocana_model **out)
{
	return vocana_model_load_memory(vocana_default_model, vocana_default_model_size, out);
}

static uint32_t gcd_u32(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

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

int vocana_denoiser_create(const struct vocana_model *m, uint32_t block_size,
                           struct vocana_denoiser **out)
{
	if (!out)
		return -EINVAL;
	*out = NULL;

	struct vocana_denoiser *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
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

	if ((res = features_init(&d->feat, d->n_df)) < 0)
		goto error;
	if ((res = stft_create(&d->stft, d->delay)) < 0)
		goto error;
	if ((res = nn_state_create(m, &d->nn)) < 0)
		goto error;

	size_t n_feat = features_size(d->n_df);
	size_t n_coefs = nn_model_n_df_coefs(m);
	size_t n_hist = (size_t)d->df_order * d->n_df * 2;
	size_t bytes = carve_size(n_feat) + carve_size(m->hp.n_erb) + carve_size(n_coefs) +
		       carve_size(VC_BINS) + 2 * carve_size(2 * VC_BINS) + carve_size(n_hist) +
		       2 * carve_size(m->hp.n_erb);
	d->arena = aligned_alloc(64, bytes);
	if (!d->arena) {
		res = -ENOMEM;
		goto error;
	}
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

	d->strength = VC_STRENGTH_MAX;
	d->scale_target = d->scale = 1.0f;
	d->wet_gain = 1.0f;
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
	nn_state_destroy(d->nn);
	stft_destroy(d->stft);
	free(d->arena);
	vocana_model_free(d->owned_model);
	free(d);
}

void vocana_denoiser_reset(struct vocana_denoiser *d)
{
	if (!d)
		return;
	stft_reset(d->stft);
	features_reset(&d->feat);
	nn_reset(d->nn);
	memset(d->df_hist, 0, (size_t)d->df_order * d->n_df * 2 * sizeof(float));
	d->df_hist_pos = 0;
	memset(d->in_hop, 0, sizeof(d->in_hop));
	memset(d->dry_hop, 0, sizeof(d->dry_hop));
	d->in_fill = 0;
	/* Pre-fill the output FIFO with the extra delay (latency - the STFT's delay) of silence. */
	memset(d->out_fifo, 0, sizeof(d->out_fifo));
	d->out_read = 0;
	d->out_write = d->latency - d->delay;
	d->vad = 0.0f;
	d->scale = d->scale_target;
	d->wet_gain = d->bypass ? 0.0f : 1.0f;
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

/* One hop: d->in_hop (480 input samples) -> d->wet_hop (480 output samples, `delay` behind). */
static void process_hop(struct vocana_denoiser *d)
{
	stft_analyze(d->stft, d->in_hop, d->spec);
	features_compute(&d->feat, d->spec, d->features);
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
	stft_synthesize(d->stft, d->out_spec, d->wet_hop);

	/* Bypass crossfade. The dry signal aligned with the output is the input `delay` samples
	 * back: the tail of the previous hop, then the head of this one (for delay 480, exactly the
	 * previous hop). A linear ramp is right here because wet and dry are strongly correlated. */
	const float target = d->bypass ? 0.0f : 1.0f;
	const float g0 = d->wet_gain, step = (target - g0) / VC_HOP;
	const uint32_t dl = d->delay;
	float *fifo = d->out_fifo;
	for (uint32_t i = 0; i < VC_HOP; i++) {
		float g = g0 + step * (float)(i + 1);
		float dry = i < dl ? d->dry_hop[VC_HOP - dl + i] : d->in_hop[i - dl];
		float y = g * d->wet_hop[i] + (1.0f - g) * dry;
		fifo[(d->out_write + i) & (VC_OUT_FIFO - 1)] = y;
	}
	d->out_write += VC_HOP;
	d->wet_gain = target;
	memcpy(d->dry_hop, d->in_hop, sizeof(d->dry_hop));
}

int vocana_denoiser_process(struct vocana_denoiser *d, const float *in, float *out, size_t n)
{
	if (!d || (n && (!in || !out)) || n % d->granularity)
		return -EINVAL;
#ifdef VC_HAVE_MXCSR
	/* Flush denormals to zero while we compute (GRU states decaying towards zero would otherwise
	 * hit the slow microcode path); restore the caller's mode before returning. */
	unsigned csr = _mm_getcsr();
	_mm_setcsr(csr | 0x8040); /* FTZ | DAZ */
#endif
	size_t done = 0;
	while (done < n) {
		size_t chunk = VC_HOP - d->in_fill;
		if (chunk > n - done)
			chunk = n - done;
		/* Read this chunk's input before writing its output: in and out may alias. Clean it
		 * here, not only in the STFT, because the bypass path outputs it directly. */
		for (size_t i = 0; i < chunk; i++)
			d->in_hop[d->in_fill + i] = vc_sanitize(in[done + i], VC_SAMPLE_MAX);
		d->in_fill += (uint32_t)chunk;
		if (d->in_fill == VC_HOP) {
			process_hop(d);
			d->in_fill = 0;
		}
		/* The constant extra delay guarantees at least chunk samples are waiting here. */
		for (size_t i = 0; i < chunk; i++)
			out[done + i] = d->out_fifo[(d->out_read + i) & (VC_OUT_FIFO - 1)];
		d->out_read += (uint32_t)chunk;
		done += chunk;
	}
#ifdef VC_HAVE_MXCSR
	_mm_setcsr(csr);
#endif
	return 0;
}
