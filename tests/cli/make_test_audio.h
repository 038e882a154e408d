/* SPDX-License-Identifier: MIT */
/*
 * Test audio made on the spot with libsndfile, so the CLI tests need no sox and no checked-in
 * binaries: deterministic signals (seeded noise, sines, impulses) in any container, plus the
 * damaged files the error tests need (truncated copies, patched headers, raw bytes).
 */
#ifndef VOCANA_TESTS_MAKE_TEST_AUDIO_H
#define VOCANA_TESTS_MAKE_TEST_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#define MTA_MAX_IMPULSES 8

enum mta_signal {
	MTA_SILENCE,
	MTA_NOISE, /* uniform white noise of the given amplitude, seeded */
	MTA_SPEECHLIKE, /* noise plus a 220 Hz tone with harmonics, slowly gated on and off */
};

struct mta_params {
	int sf_format; /* SF_FORMAT_* container | encoding */
	uint32_t rate_hz;
	uint32_t n_channels;
	size_t n_frames;
	enum mta_signal signal;
	float amplitude;
	unsigned seed;
	/* Impulses of impulse_amp added at these frames, on every channel (channel c gets
	 * impulse_amp * (1 - 0.1 c), so channels stay distinguishable). */
	size_t impulse_at[MTA_MAX_IMPULSES];
	size_t n_impulses;
	float impulse_amp;
};

/* The signal as interleaved frames (malloc'd; NULL on failure). */
float *mta_generate(const struct mta_params *p);

/* Generate and write path. Returns 0 or -1 (with a message on stderr). */
int mta_write(const char *path, const struct mta_params *p);

/* Write given interleaved frames. Returns 0 or -1. */
int mta_write_frames(const char *path, int sf_format, uint32_t rate_hz, uint32_t n_channels,
		     const float *frames, size_t n_frames);

/* Read a whole file: *frames is malloc'd (interleaved); rate, channels, format and frame count
 * through the pointers (any may be NULL). Returns 0 or -1. */
int mta_read(const char *path, float **frames, size_t *n_frames, uint32_t *rate_hz,
	     uint32_t *n_channels, int *sf_format);

/* Write bytes to path. Returns 0 or -1. */
int mta_write_bytes(const char *path, const void *data, size_t n);

/* Copy the first n_bytes of src to dst. Returns 0 or -1. */
int mta_truncate_copy(const char *src, const char *dst, size_t n_bytes);

/* Size of a file in bytes, or -1. */
long mta_file_size(const char *path);

/* Rewrite the size field of a WAV file's "data" chunk (and the RIFF size) to claim
 * claimed_bytes, leaving the audio as it is. Returns 0 or -1. */
int mta_patch_wav_data_size(const char *path, uint32_t claimed_bytes);

#endif /* VOCANA_TESTS_MAKE_TEST_AUDIO_H */
