/* SPDX-License-Identifier: MIT */
#include "make_test_audio.h"

#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MTA_PI 3.14159265358979323846

/* xorshift32, the same generator as tests/test_util.h (not included here: its static failure
 * counter would be unused in this file). */
static unsigned mta_rand(unsigned *state)
{
	unsigned x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static float mta_randf(unsigned *state)
{
	return (float)((mta_rand(state) >> 8) * (2.0 / 16777216.0) - 1.0);
}

float *mta_generate(const struct mta_params *p)
{
	size_t ch = p->n_channels;
	float *x = calloc(p->n_frames * ch + 1, sizeof(float));
	unsigned state = p->seed != 0 ? p->seed : 1;

	if (x == NULL)
		return NULL;
	for (size_t i = 0; i < p->n_frames; i++) {
		double t = (double)i / p->rate_hz;
		/* 220 Hz voice-like tone with three harmonics, on for 0.6 s of every second */
		double gate = fmod(t, 1.0) < 0.6 ? 1.0 : 0.0;
		double tone = 0.5 * sin(2 * MTA_PI * 220 * t) + 0.25 * sin(2 * MTA_PI * 440 * t) +
			      0.12 * sin(2 * MTA_PI * 660 * t);
		for (size_t c = 0; c < ch; c++) {
			float v = 0.0f;
			switch (p->signal) {
			case MTA_SILENCE: break;
			case MTA_NOISE: v = p->amplitude * mta_randf(&state); break;
			case MTA_SPEECHLIKE:
				v = p->amplitude * (0.2f * mta_randf(&state) + (float)(gate * tone));
				break;
			}
			x[i * ch + c] = v;
		}
	}
	for (size_t k = 0; k < p->n_impulses && k < MTA_MAX_IMPULSES; k++) {
		size_t at = p->impulse_at[k];
		if (at >= p->n_frames)
			continue;
		for (size_t c = 0; c < ch; c++)
			x[at * ch + c] += p->impulse_amp * (1.0f - 0.1f * (float)(c % 8));
	}
	return x;
}

int mta_write_frames(const char *path, int sf_format, uint32_t rate_hz, uint32_t n_channels,
		     const float *frames, size_t n_frames)
{
	SF_INFO info;
	SNDFILE *f;

	memset(&info, 0, sizeof(info));
	info.samplerate = (int)rate_hz;
	info.channels = (int)n_channels;
	info.format = sf_format;
	f = sf_open(path, SFM_WRITE, &info);
	if (f == NULL) {
		fprintf(stderr, "mta: cannot write %s: %s\n", path, sf_strerror(NULL));
		return -1;
	}
	sf_command(f, SFC_SET_CLIPPING, NULL, SF_TRUE);
	if (n_frames > 0 && sf_writef_float(f, frames, (sf_count_t)n_frames) != (sf_count_t)n_frames) {
		fprintf(stderr, "mta: short write to %s: %s\n", path, sf_strerror(f));
		sf_close(f);
		return -1;
	}
	return sf_close(f) == 0 ? 0 : -1;
}

int mta_write(const char *path, const struct mta_params *p)
{
	float *x = mta_generate(p);
	int res;

	if (x == NULL)
		return -1;
	res = mta_write_frames(path, p->sf_format, p->rate_hz, p->n_channels, x, p->n_frames);
	free(x);
	return res;
}

int mta_read(const char *path, float **frames, size_t *n_frames, uint32_t *rate_hz,
	     uint32_t *n_channels, int *sf_format)
{
	SF_INFO info;
	SNDFILE *f;
	size_t cap = 4096, n = 0;
	float *x;

	memset(&info, 0, sizeof(info));
	f = sf_open(path, SFM_READ, &info);
	if (f == NULL) {
		fprintf(stderr, "mta: cannot read %s: %s\n", path, sf_strerror(NULL));
		return -1;
	}
	/* Grow as we go rather than trusting info.frames: Ogg lengths are estimates. */
	x = malloc(cap * (size_t)info.channels * sizeof(float));
	for (;;) {
		sf_count_t got;
		if (x == NULL)
			break;
		if (n == cap) {
			float *bigger = realloc(x, 2 * cap * (size_t)info.channels * sizeof(float));
			if (bigger == NULL) {
				free(x);
				x = NULL;
				break;
			}
			x = bigger;
			cap *= 2;
		}
		got = sf_readf_float(f, x + n * (size_t)info.channels, (sf_count_t)(cap - n));
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	sf_close(f);
	if (x == NULL)
		return -1;
	if (frames != NULL)
		*frames = x;
	else
		free(x);
	if (n_frames != NULL)
		*n_frames = n;
	if (rate_hz != NULL)
		*rate_hz = (uint32_t)info.samplerate;
	if (n_channels != NULL)
		*n_channels = (uint32_t)info.channels;
	if (sf_format != NULL)
		*sf_format = info.format;
	return 0;
}

int mta_write_bytes(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	int res = 0;

	if (f == NULL)
		return -1;
	if (n > 0 && fwrite(data, 1, n, f) != n)
		res = -1;
	if (fclose(f) != 0)
		res = -1;
	return res;
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long size;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)size + 1);
		if (buf != NULL && fread(buf, 1, (size_t)size, f) != (size_t)size) {
			free(buf);
			buf = NULL;
		}
		*n = (size_t)size;
	}
	fclose(f);
	return buf;
}

int mta_truncate_copy(const char *src, const char *dst, size_t n_bytes)
{
	size_t n = 0;
	unsigned char *buf = slurp(src, &n);
	int res;

	if (buf == NULL)
		return -1;
	res = mta_write_bytes(dst, buf, n_bytes < n ? n_bytes : n);
	free(buf);
	return res;
}

long mta_file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long size = -1;

	if (f == NULL)
		return -1;
	if (fseek(f, 0, SEEK_END) == 0)
		size = ftell(f);
	fclose(f);
	return size;
}

static void put_u32le(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

int mta_patch_wav_data_size(const char *path, uint32_t claimed_bytes)
{
	size_t n = 0, pos;
	unsigned char *buf = slurp(path, &n);
	int res = -1;

	if (buf == NULL)
		return -1;
	/* Walk the RIFF chunks from offset 12 to find "data". */
	for (pos = 12; pos + 8 <= n;) {
		uint32_t size = (uint32_t)buf[pos + 4] | (uint32_t)buf[pos + 5] << 8 |
				(uint32_t)buf[pos + 6] << 16 | (uint32_t)buf[pos + 7] << 24;
		if (memcmp(buf + pos, "data", 4) == 0) {
			put_u32le(buf + pos + 4, claimed_bytes);
			put_u32le(buf + 4, claimed_bytes + (uint32_t)pos); /* RIFF size, may wrap: fine */
			res = mta_write_bytes(path, buf, n);
			break;
		}
		pos += 8 + size + (size & 1u);
	}
	free(buf);
	return res;
}
