/* SPDX-License-Identifier: MIT */
/*
 * Audio stream descriptions for the command-line tools: sample rate and channel limits, raw
 * (headerless) sample formats for stdin/stdout, and the choice of output container and encoding.
 */
#ifndef VOCANA_IO_AUDIO_FORMAT_H
#define VOCANA_IO_AUDIO_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits on what the tools accept. Below 8 kHz there is too little speech bandwidth to be worth
 * resampling up; 384 kHz is the highest rate common hardware produces; 64 channels bounds the
 * per-channel denoiser memory (about 64 x a few MiB). */
#define AUDIO_MIN_RATE_HZ 8000u
#define AUDIO_MAX_RATE_HZ 384000u
#define AUDIO_MAX_CHANNELS 64u

/* Headerless interleaved little-endian samples, for "-" (stdin/stdout). */
enum audio_raw_format {
	AUDIO_RAW_NONE = 0, /* not raw: a file libsndfile understands */
	AUDIO_RAW_F32LE,    /* IEEE float, full scale +-1.0 */
	AUDIO_RAW_S16LE,    /* signed 16 bit, full scale 32768 */
};

struct audio_spec {
	uint32_t rate_hz;
	uint32_t n_channels;
	int sf_format;             /* libsndfile SF_FORMAT_* (container | encoding | endianness), 0 if raw */
	enum audio_raw_format raw; /* AUDIO_RAW_NONE for files */
};

/* snprintf() for one-line error messages. Through a function so that long file names are cut
 * silently instead of tripping -Wformat-truncation at every call. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void audio_errorf(char *buf, size_t size, const char *fmt, ...);

/* "-" names standard input or output. */
bool audio_path_is_stdio(const char *path);

/* A file named *.raw or *.pcm: headerless samples, whose format the user must give. */
bool audio_path_is_headerless(const char *path);

/* The libsndfile format of a headerless file of raw samples in format f (little-endian). */
int audio_raw_sf_format(enum audio_raw_format f);

/* Parse "f32le" or "s16le". Returns 0 or -EINVAL. */
int audio_raw_format_parse(const char *name, enum audio_raw_format *out);
const char *audio_raw_format_name(enum audio_raw_format f);
size_t audio_raw_sample_bytes(enum audio_raw_format f); /* 0 for AUDIO_RAW_NONE */

/* Check rate and channel count against the limits above; what names the stream in the message
 * ("'in.wav'"). Returns 0 or -ENOTSUP / -EINVAL with one line of text in err. */
int audio_spec_check(const struct audio_spec *spec, const char *what, char *err, size_t err_size);

/*
 * Choose the file format for writing path, given the input stream in (file or raw):
 *  - a known extension (.wav .flac .ogg .oga .opus .aif .aiff .aifc .au .snd .caf .w64 .rf64 .mp3,
 *    or any other extension libsndfile lists) picks the container; the input's encoding is kept
 *    when the container can store it (WAV 24 bit -> FLAC 24 bit), else a sensible default
 *    (Vorbis for Ogg, 16 or 24 bit PCM, float for float input);
 *  - no or an unknown extension keeps the input's container and encoding exactly (raw input: WAV).
 * out gets in's rate and channels. Returns 0, or -ENOTSUP with a message when the container cannot
 * hold this stream (e.g. FLAC with more than 8 channels).
 */
int audio_format_for_output(const char *path, const struct audio_spec *in, struct audio_spec *out,
			    char *err, size_t err_size);

/* "FLAC (Free Lossless Audio Codec), Signed 24 bit PCM" or "raw s16le". */
void audio_format_describe(const struct audio_spec *spec, char *buf, size_t size);

#endif /* VOCANA_IO_AUDIO_FORMAT_H */
