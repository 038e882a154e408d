/* SPDX-License-Identifier: MIT */
/*
 * Linked channels against one network per channel, offline (docs/speaker.md, "Channels"):
 * a 48 kHz multichannel WAV through both schemes, each written out latency-compensated.
 *   link_eval IN.wav LINKED.wav INDEPENDENT.wav
 * Build (from the repository root, after meson compile -C build):
 *   cc -O2 -Isrc -Isrc/lib -Iinclude -Ibuild tools/link_eval/link_eval.c \
 *      build/libvocana_dev_static.a -lsndfile -lfftw3f -lm -lpthread -o build/link_eval
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
	if (!f || sf_writef_float(f, x, frames) != frames) {
		fprintf(stderr, "link_eval: cannot write %s\n", path);
		return -1;
	}
	sf_close(f);
	return 0;
}

/* Channel c of x (interleaved) through d, latency removed, into y (interleaved). */
static void run(struct vocana_denoiser *d, const float *x, float *y, sf_count_t n, int ch, int c,
		float *in, float *out)
{
	const sf_count_t lat = vocana_denoiser_latency_samples(d);
	for (sf_count_t i = 0; i < n + lat; i++)
		in[i] = i < n ? x[i * ch + c] : 0.0f;
	vocana_denoiser_process(d, in, out, (size_t)(n + lat));
	for (sf_count_t i = 0; i < n; i++)
		y[i * ch + c] = out[i + lat];
}

int main(int argc, char **argv)
{
	SF_INFO info = { 0 };
	SNDFILE *f = argc == 4 ? sf_open(argv[1], SFM_READ, &info) : NULL;
	if (!f || info.samplerate != VOCANA_SAMPLE_RATE || info.channels < 1 || info.channels > MAX_CH) {
		fprintf(stderr, "usage: link_eval IN.wav(48 kHz, 1-8 channels) LINKED.wav INDEPENDENT.wav\n");
		return 2;
	}
	const int ch = info.channels;
	const sf_count_t n = info.frames, pad = n + 2 * VOCANA_FRAME_SIZE;
	float *x = malloc(sizeof(float) * (size_t)(n * ch)), *y = malloc(sizeof(float) * (size_t)(n * ch));
	float *mix = calloc((size_t)n * 1, sizeof(float)), *in = malloc(sizeof(float) * (size_t)pad);
	float *out = malloc(sizeof(float) * (size_t)pad);
	struct vocana_model *m = NULL;
	struct vocana_denoiser *lead = NULL, *d[MAX_CH] = { NULL };
	if (!x || !y || !mix || !in || !out || sf_readf_float(f, x, n) != n ||
	    vocana_model_load_default(&m) < 0 || vocana_denoiser_create(m, 0, &lead) < 0)
		return 1;
	sf_close(f);
	for (sf_count_t i = 0; i < n; i++) {
		for (int c = 0; c < ch; c++)
			mix[i] += x[i * ch + c];
		mix[i] /= (float)ch;
	}
	/* Linked: the leader on the mid, then each channel: whole-file blocks keep them in step only
	 * within the link's ring, so go a hop at a time. */
	for (int c = 0; c < ch; c++)
		if (vocana_denoiser_create(m, 0, &d[c]) < 0 || denoiser_link(d[c], lead) < 0)
			return 1;
	const sf_count_t lat = vocana_denoiser_latency_samples(lead);
	float scratch[VOCANA_FRAME_SIZE];
	for (sf_count_t at = 0; at < n + lat; at += VOCANA_FRAME_SIZE) {
		const size_t k = (size_t)(at + VOCANA_FRAME_SIZE <= n + lat ? VOCANA_FRAME_SIZE : n + lat - at);
		for (size_t i = 0; i < k; i++)
			scratch[i] = at + (sf_count_t)i < n ? mix[at + (sf_count_t)i] : 0.0f;
		vocana_denoiser_process(lead, scratch, scratch, k);
		for (int c = 0; c < ch; c++) {
			for (size_t i = 0; i < k; i++)
				in[i] = at + (sf_count_t)i < n ? x[(at + (sf_count_t)i) * ch + c] : 0.0f;
			vocana_denoiser_process(d[c], in, out, k);
			for (size_t i = 0; i < k; i++)
				if (at + (sf_count_t)i >= lat)
					y[(at + (sf_count_t)i - lat) * ch + c] = out[i];
		}
	}
	for (int c = 0; c < ch; c++)
		if (d[c]->own_network_hops)
			fprintf(stderr, "link_eval: channel %d ran %llu hops on its own network\n", c,
				(unsigned long long)d[c]->own_network_hops);
	if (write_wav(argv[2], y, n, ch) < 0)
		return 1;
	for (int c = 0; c < ch; c++) { /* independent: a fresh denoiser per channel */
		vocana_denoiser_destroy(d[c]);
		if (vocana_denoiser_create(m, 0, &d[c]) < 0)
			return 1;
		run(d[c], x, y, n, ch, c, in, out);
		vocana_denoiser_destroy(d[c]);
	}
	vocana_denoiser_destroy(lead);
	vocana_model_free(m);
	free(x);
	free(mix);
	free(in);
	free(out);
	int res = write_wav(argv[3], y, n, ch);
	free(y);
	return res < 0;
}
