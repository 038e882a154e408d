/* SPDX-License-Identifier: MIT */
/*
 * Linked channels offline (docs/speaker.md, "Channels"): a 48 kHz multichannel WAV through one
 * network run on the channels' mean, each channel following it (src/lib/denoiser_link.c), as
 * the Vocana Speaker runs them; written latency-compensated as 32-bit float WAV.
 *   link_eval IN.wav OUT.wav
 * tools/link_eval/compare.py sets it against 'vocana denoise' (one network per channel).
 */
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>

#include "denoiser_internal.h"

#define MAX_CH 8

static int write_wav(const char *path, const float *x, sf_count_t frames, int ch)
{
	SF_INFO info = { .samplerate = VOCANA_SAMPLE_RATE, .channels = ch,
			 .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);
	const bool ok = f && sf_writef_float(f, x, frames) == frames;

	if (f)
		sf_close(f);
	if (!ok)
		fprintf(stderr, "link_eval: cannot write %s\n", path);
	return ok ? 0 : -1;
}

/* Sample t of channel c of interleaved x (n frames), or of its mean (c < 0); 0 past the end. */
static float sample_at(const float *x, sf_count_t n, int ch, int c, sf_count_t t)
{
	float s = 0.0f;

	if (t >= n)
		return 0.0f;
	if (c >= 0)
		return x[t * ch + c];
	for (int k = 0; k < ch; k++)
		s += x[t * ch + k];
	return s / (float)ch;
}

int main(int argc, char **argv)
{
	SF_INFO info = { 0 };
	SNDFILE *f = argc == 3 ? sf_open(argv[1], SFM_READ, &info) : NULL;
	if (!f || info.samplerate != VOCANA_SAMPLE_RATE || info.channels < 1 || info.channels > MAX_CH) {
		fprintf(stderr, "usage: link_eval IN.wav (48 kHz, 1-8 channels) OUT.wav\n");
		return 2;
	}
	const int ch = info.channels;
	const sf_count_t n = info.frames;
	float *x = malloc(sizeof(float) * (size_t)(n * ch)), *y = malloc(sizeof(float) * (size_t)(n * ch));
	struct vocana_model *m = NULL;
	struct vocana_denoiser *lead = NULL, *d[MAX_CH] = { NULL };
	int res = 1;

	if (!x || !y || sf_readf_float(f, x, n) != n || vocana_model_load_default(&m) < 0 ||
	    vocana_denoiser_create(m, 0, &lead) < 0)
		goto out;
	for (int c = 0; c < ch; c++)
		if (vocana_denoiser_create(m, 0, &d[c]) < 0 || denoiser_link(d[c], lead) < 0)
			goto out;
	/* A hop at a time, the leader first: whole-file blocks would outrun the link's ring. */
	const sf_count_t lat = vocana_denoiser_latency_samples(lead);
	float buf[VOCANA_FRAME_SIZE];
	for (sf_count_t at = 0; at < n + lat; at += VOCANA_FRAME_SIZE) {
		const sf_count_t k = at + VOCANA_FRAME_SIZE <= n + lat ? VOCANA_FRAME_SIZE : n + lat - at;

		for (sf_count_t i = 0; i < k; i++)
			buf[i] = sample_at(x, n, ch, -1, at + i);
		vocana_denoiser_process(lead, buf, buf, (size_t)k);
		for (int c = 0; c < ch; c++) {
			for (sf_count_t i = 0; i < k; i++)
				buf[i] = sample_at(x, n, ch, c, at + i);
			vocana_denoiser_process(d[c], buf, buf, (size_t)k);
			for (sf_count_t i = 0; i < k; i++)
				if (at + i >= lat)
					y[(at + i - lat) * ch + c] = buf[i];
		}
	}
	for (int c = 0; c < ch; c++)
		if (d[c]->own_network_hops)
			fprintf(stderr, "link_eval: channel %d ran %llu hops on its own network\n", c,
				(unsigned long long)d[c]->own_network_hops);
	res = write_wav(argv[2], y, n, ch) < 0;
out:
	if (res)
		fprintf(stderr, "link_eval: cannot read %s or set up the denoisers\n", argv[1]);
	sf_close(f);
	for (int c = 0; c < ch; c++)
		vocana_denoiser_destroy(d[c]); /* followers before their leader */
	vocana_denoiser_destroy(lead);
	vocana_model_free(m);
	free(x);
	free(y);
	return res;
}
