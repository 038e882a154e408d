/* SPDX-License-Identifier: MIT */
/* baseline-speex: the speexdsp preprocessor's noise suppressor as a Vocana baseline.
 *
 * Settings: 48 kHz, 480-sample (10 ms) frames, denoise on with a -30 dB suppression limit, AGC,
 * VAD and dereverb off, so that only the spectral noise suppressor acts on the signal. speexdsp
 * works on int16, so samples are scaled to int16 and back (rounded, saturated). */
#include "baseline_io.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <speex/speex_preprocess.h>

#define SPEEX_NOISE_SUPPRESS_DB (-30)   /* maximum attenuation of noise, speexdsp's unit is dB */

static spx_int16_t to_int16(float x)
{
	float s = x * 32768.0f;

	if (s > 32767.0f)
		return 32767;
	if (s < -32768.0f)
		return -32768;
	return (spx_int16_t)lrintf(s);
}

static int speex_configure(SpeexPreprocessState *st)
{
	spx_int32_t on = 1, off = 0, suppress_db = SPEEX_NOISE_SUPPRESS_DB, vad = -1;

	if (speex_preprocess_ctl(st, SPEEX_PREPROCESS_SET_DENOISE, &on) != 0 ||
	    speex_preprocess_ctl(st, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &suppress_db) != 0 ||
	    speex_preprocess_ctl(st, SPEEX_PREPROCESS_SET_AGC, &off) != 0 ||
	    speex_preprocess_ctl(st, SPEEX_PREPROCESS_SET_DEREVERB, &off) != 0)
		return -EINVAL;
	/* VAD is off by default; SET_VAD would only print a deprecation warning, so just check. */
	if (speex_preprocess_ctl(st, SPEEX_PREPROCESS_GET_VAD, &vad) != 0 || vad != 0)
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct bl_args args;
	SpeexPreprocessState *st = NULL;
	float *audio = NULL;
	size_t n = 0, pos;
	spx_int16_t frame[BL_FRAME_SAMPLES];
	double t0, busy_s = 0.0;
	int res;

	res = bl_parse_args(argc, argv, "baseline-speex",
			    "speexdsp preprocessor denoise (-30 dB, no AGC/VAD/dereverb), 10 ms frames", &args);
	if (res < 0)
		return 2;
	res = bl_read_f32(args.in_path, &audio, &n);
	if (res < 0) {
		fprintf(stderr, "baseline-speex: %s: %s\n", args.in_path, strerror(-res));
		return 1;
	}
	st = speex_preprocess_state_init(BL_FRAME_SAMPLES, BL_SAMPLE_RATE_HZ);
	if (!st) {
		res = -ENOMEM;
		goto error;
	}
	res = speex_configure(st);
	if (res < 0)
		goto error;

	/* In place, frame by frame; the buffer is zero-padded to whole frames. */
	for (pos = 0; pos < n; pos += BL_FRAME_SAMPLES) {
		size_t i;

		for (i = 0; i < BL_FRAME_SAMPLES; i++)
			frame[i] = to_int16(audio[pos + i]);
		t0 = bl_now_s();
		speex_preprocess_run(st, frame);
		busy_s += bl_now_s() - t0;
		for (i = 0; i < BL_FRAME_SAMPLES; i++)
			audio[pos + i] = (float)frame[i] / 32768.0f;
	}

	res = bl_write_f32(args.out_path, audio, n);
	if (res < 0)
		goto error;
	if (args.report_timing)
		bl_report_timing("baseline-speex", n, busy_s);
	speex_preprocess_state_destroy(st);
	free(audio);
	return 0;
error:
	fprintf(stderr, "baseline-speex: %s\n", strerror(-res));
	if (st)
		speex_preprocess_state_destroy(st);
	free(audio);
	return 1;
}
