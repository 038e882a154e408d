/* SPDX-License-Identifier: MIT */
/* Feature extraction: running-mean normalised log band energies and the unit-normalised complex
 * spectrum of the lowest bins. See features.h; the normalisation follows DeepFilterNet
 * (Schroeter et al., ICASSP 2022), with the df bins divided by the running mean magnitude itself
 * so that they come out level-independent. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>

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

/* Digital silence: every band below VC_SILENCE_ENERGY. Such a hop carries no information about
 * the noise floor, so it must not move the running means: if it did, a muted microphone or a file
 * that starts with zeros would drag mu_b towards -100 dB and s_k towards its floor, and the first
 * seconds of sound after it would look 40 dB louder than they are (the model would take them for
 * speech and pass the noise until the means recovered, 2-3 s later). */
static bool hop_is_silent(const float *energy)
{
	for (unsigned b = 0; b < VC_N_BANDS; b++)
		if (energy[b] >= VC_SILENCE_ENERGY)
			return false;
	return true;
}

bool features_compute(struct features *f, const float *spec, float *out)
{
	bands_energy(&f->bands, spec, f->energy);
	/* A silent hop is normalised by the frozen means (a = 1): the stream resumes after it as
	 * if the silence had not happened, and a stream that starts silent starts its warm-up with
	 * its first sound. */
	const bool silent = hop_is_silent(f->energy);
	const float a = silent ? 1.0f : warmup_alpha(f->n_frames);
	/* x_k = X_k / sqrt(VC_HOP): the scale at which white noise of variance s^2 has E|x_k|^2 = s^2 */
	const float spec_scale = sqrtf(VC_SPEC_NORM_POWER);
	float *df = out + VC_N_BANDS;

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
		 * s_k >= (1 - a)|x_k| after the update, |x_k| / s_k <= 1 / (1 - a), about 100. In a
		 * silent hop |x_k| is below the floor's scale, so the quotient stays tiny there too. */
		if (s < VC_DF_NORM_FLOOR)
			s = VC_DF_NORM_FLOOR;
		f->df_norm[k] = s;
		df[2 * k] = re / s;
		df[2 * k + 1] = im / s;
	}
	if (!silent && f->n_frames < UINT32_MAX)
		f->n_frames++;
	return silent;
}
