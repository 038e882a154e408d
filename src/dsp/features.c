/* SPDX-License-Identifier: MIT */
/* Feature extraction: running-mean normalised log band energies and the unit-normalised complex
 * spectrum of the lowest bins. See features.h; the normalisation follows DeepFilterNet
 * (Schroeter et al., ICASSP 2022), with the df bins divided by the running mean magnitude itself
 * so that they come out level-independent. */
#include <errno.h>
#include <math.h>

#include "dsp/features.h"

size_t features_size(uint32_t n_df)
{
	if (n_df > VC_MAX_DF)
		return 0;
	return VC_N_BANDS + 2 * (size_t)n_df;
}

int features_init(struct features *f, uint32_t n_df)
{
	if (f == NULL || n_df > VC_MAX_DF)
		return -EINVAL;
	bands_init(&f->bands);
	f->n_df = n_df;
	features_reset(f);
	return 0;
}

void features_reset(struct features *f)
{
	for (unsigned b = 0; b < VC_N_BANDS; b++) {
		f->erb_mean_db[b] = VC_ERB_MEAN_INIT_DB;
		f->energy[b] = 0.0f;
	}
	for (unsigned k = 0; k < VC_MAX_DF; k++)
		f->df_norm[k] = VC_DF_NORM_INIT;
	f->n_frames = 0;
}

/* Running-mean coefficient for the next hop: min(a, n / (n + 1)) after n hops. Early on this is
 * the plain mean of the hops so far (the first hop normalises by itself), so a stream starts with
 * features of normal size instead of the ~100x df values and level-dependent erb values an
 * arbitrary initial mean would give for the first second. */
static float warmup_alpha(uint32_t n_frames)
{
	float plain_mean = (float)n_frames / (float)(n_frames + 1);
	return plain_mean < VC_NORM_ALPHA ? plain_mean : VC_NORM_ALPHA;
}

void features_compute(struct features *f, const float *spec, float *out)
{
	const float a = warmup_alpha(f->n_frames);
	/* x_k = X_k / sqrt(VC_HOP): the scale at which white noise of variance s^2 has E|x_k|^2 = s^2 */
	const float spec_scale = sqrtf(VC_SPEC_NORM_POWER);
	float *df = out + VC_N_BANDS;

	bands_energy(&f->bands, spec, f->energy);
	for (unsigned b = 0; b < VC_N_BANDS; b++) {
		float level_db = 10.0f * log10f(f->energy[b] + VC_ENERGY_EPS);

		/* L_b >= -100 dB and the input is bounded (stft_analyze clamps it), so mu_b stays a
		 * normal, finite number. */
		f->erb_mean_db[b] = a * f->erb_mean_db[b] + (1.0f - a) * level_db;
		out[b] = (level_db - f->erb_mean_db[b]) * (1.0f / VC_ERB_FEATURE_SCALE_DB);
	}

	for (unsigned k = 0; k < f->n_df; k++) {
		float re = spec[2 * k] * spec_scale, im = spec[2 * k + 1] * spec_scale;
		float s = a * f->df_norm[k] + (1.0f - a) * sqrtf(re * re + im * im);

		/* The floor keeps s_k normal (no denormals) and non-zero in silence; since
		 * s_k >= (1 - a)|x_k| after the update, |x_k| / s_k <= 1 / (1 - a), about 100. */
		if (s < VC_DF_NORM_FLOOR)
			s = VC_DF_NORM_FLOOR;
		f->df_norm[k] = s;
		df[2 * k] = re / s;
		df[2 * k + 1] = im / s;
	}
	if (f->n_frames < UINT32_MAX)
		f->n_frames++;
}
