/* SPDX-License-Identifier: MIT */
#include "io/audio_raw.h"

#include <math.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* 2^15: s16 full scale, so -32768 maps to exactly -1.0 (the convention libsndfile reads with). */
#define S16_FULL_SCALE 32768.0f

void audio_raw_decode(enum audio_raw_format f, const unsigned char *src, float *dst,
		      size_t n_samples)
{
	size_t i;

	switch (f) {
	case AUDIO_RAW_F32LE:
		for (i = 0; i < n_samples; i++, src += 4) {
			uint32_t u = (uint32_t)src[0] | (uint32_t)src[1] << 8 | (uint32_t)src[2] << 16 |
				     (uint32_t)src[3] << 24;
			memcpy(&dst[i], &u, sizeof(u));
		}
		break;
	case AUDIO_RAW_S16LE:
		for (i = 0; i < n_samples; i++, src += 2) {
			uint16_t u = (uint16_t)(src[0] | src[1] << 8);
			int32_t v = u >= 0x8000u ? (int32_t)u - 0x10000 : (int32_t)u;
			dst[i] = (float)v / S16_FULL_SCALE;
		}
		break;
	case AUDIO_RAW_NONE:
		memset(dst, 0, n_samples * sizeof(*dst));
		break;
	}
}

void audio_raw_encode(enum audio_raw_format f, const float *src, unsigned char *dst,
		      size_t n_samples)
{
	size_t i;

	switch (f) {
	case AUDIO_RAW_F32LE:
		for (i = 0; i < n_samples; i++, dst += 4) {
			uint32_t u;
			memcpy(&u, &src[i], sizeof(u));
			dst[0] = (unsigned char)u;
			dst[1] = (unsigned char)(u >> 8);
			dst[2] = (unsigned char)(u >> 16);
			dst[3] = (unsigned char)(u >> 24);
		}
		break;
	case AUDIO_RAW_S16LE:
		for (i = 0; i < n_samples; i++, dst += 2) {
			float x = src[i] * S16_FULL_SCALE;
			int32_t v;
			if (!(x > -32768.0f)) /* also catches NaN; written this way round on purpose */
				v = isnan(x) ? 0 : -32768;
			else if (x >= 32767.0f)
				v = 32767;
			else
				v = (int32_t)lrintf(x);
			dst[0] = (unsigned char)((uint32_t)v & 0xffu);
			dst[1] = (unsigned char)(((uint32_t)v >> 8) & 0xffu);
		}
		break;
	case AUDIO_RAW_NONE:
		break;
	}
}
