/* SPDX-License-Identifier: MIT */
/* vocana_dev_* functions for the analysis stage (STFT + features): see vocana_dev.h. These are
 * called from Python through ctypes, where a wrong argument is easy to make, so every pointer and
 * size is checked and bad ones return -EINVAL instead of crashing the interpreter. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "dsp/bands.h"
#include "dsp/dsp_constants.h"
#include "dsp/features.h"
#include "dsp/stft.h"
#include "dsp/window.h"
#include "vocana/vocana_dev.h"

_Static_assert(VOCANA_DEV_N_BANDS == VC_N_BANDS, "public band count out of sync");
_Static_assert(VOCANA_DEV_N_BINS == VC_BINS, "public bin count out of sync");
_Static_assert(VOCANA_FRAME_SIZE == VC_HOP, "public frame size out of sync");
_Static_assert(VOCANA_SAMPLE_RATE == VC_SAMPLE_RATE, "public sample rate out of sync");

int vocana_dev_band_centers(uint32_t *centers)
{
	struct bands b;

	if (centers == NULL)
		return -EINVAL;
	bands_init(&b);
	for (unsigned i = 0; i < VC_N_BANDS; i++)
		centers[i] = b.center[i];
	return VC_N_BANDS;
}

size_t vocana_dev_feature_size(uint32_t n_df)
{
	return features_size(n_df); /* 0 for n_df > 481: no valid vector has that size */
}

int vocana_dev_windows(uint32_t delay, float *analysis, float *synthesis)
{
	return window_pair(delay, analysis, synthesis);
}

int vocana_dev_analyze(const float *x, size_t n_frames, uint32_t n_df, uint32_t delay,
		       float *features, float *spectrum)
{
	const size_t spec_floats = 2 * VC_BINS;
	size_t feat_floats = features_size(n_df);
	struct features *feat = NULL;
	struct stft *stft = NULL;
	float *spec_scratch = NULL;
	int res;

	if (n_df > VC_MAX_DF || delay < WINDOW_DELAY_MIN || delay > WINDOW_DELAY_MAX)
		return -EINVAL;
	/* Every buffer holds at most SIZE_MAX bytes, so larger counts are a caller's mistake (a
	 * negative number through ctypes, for instance) and would overflow the offsets below. */
	if (n_frames > SIZE_MAX / sizeof(float) / (spec_floats > feat_floats ? spec_floats : feat_floats))
		return -EINVAL;
	if (n_frames == 0)
		return 0;
	if (x == NULL)
		return -EINVAL;
	if (features == NULL && spectrum == NULL)
		return 0; /* nothing asked for */

	feat = malloc(sizeof(*feat)); /* about 6 KiB: too large to be polite on the stack */
	spec_scratch = malloc(spec_floats * sizeof(float));
	if (feat == NULL || spec_scratch == NULL) {
		res = -ENOMEM;
		goto out;
	}
	if ((res = features_init(feat, n_df)) < 0)
		goto out;
	if ((res = stft_create(&stft, delay)) < 0)
		goto out;

	for (size_t t = 0; t < n_frames; t++) {
		float *spec = spectrum != NULL ? spectrum + t * spec_floats : spec_scratch;

		stft_analyze(stft, x + t * VC_HOP, spec);
		if (features != NULL)
			features_compute(feat, spec, features + t * feat_floats);
	}
	res = 0;

out:
	stft_destroy(stft);
	free(spec_scratch);
	free(feat);
	return res;
}
