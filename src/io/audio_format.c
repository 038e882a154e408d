/* SPDX-License-Identifier: MIT */
#include "io/audio_format.h"

#include <errno.h>
#include <stdarg.h>
#include <sndfile.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void audio_errorf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (buf == NULL || size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

bool audio_path_is_stdio(const char *path)
{
	return path != NULL && strcmp(path, "-") == 0;
}

static const char *path_extension(const char *path);

bool audio_path_is_headerless(const char *path)
{
	const char *ext = path != NULL ? path_extension(path) : NULL;

	return ext != NULL && (strcasecmp(ext, "raw") == 0 || strcasecmp(ext, "pcm") == 0);
}

int audio_raw_sf_format(enum audio_raw_format f)
{
	return SF_FORMAT_RAW | SF_ENDIAN_LITTLE |
	       (f == AUDIO_RAW_F32LE ? SF_FORMAT_FLOAT : SF_FORMAT_PCM_16);
}

int audio_raw_format_parse(const char *name, enum audio_raw_format *out)
{
	if (name == NULL)
		return -EINVAL;
	if (strcmp(name, "f32le") == 0)
		*out = AUDIO_RAW_F32LE;
	else if (strcmp(name, "s16le") == 0)
		*out = AUDIO_RAW_S16LE;
	else
		return -EINVAL;
	return 0;
}

const char *audio_raw_format_name(enum audio_raw_format f)
{
	switch (f) {
	case AUDIO_RAW_F32LE: return "f32le";
	case AUDIO_RAW_S16LE: return "s16le";
	case AUDIO_RAW_NONE: break;
	}
	return "none";
}

size_t audio_raw_sample_bytes(enum audio_raw_format f)
{
	switch (f) {
	case AUDIO_RAW_F32LE: return 4;
	case AUDIO_RAW_S16LE: return 2;
	case AUDIO_RAW_NONE: break;
	}
	return 0;
}

int audio_spec_check(const struct audio_spec *spec, const char *what, char *err, size_t err_size)
{
	if (spec->n_channels == 0) {
		audio_errorf(err, err_size, "%s has no audio channels", what);
		return -EINVAL;
	}
	if (spec->n_channels > AUDIO_MAX_CHANNELS) {
		audio_errorf(err, err_size, "%s has %u channels; at most %u are supported", what,
			 spec->n_channels, AUDIO_MAX_CHANNELS);
		return -ENOTSUP;
	}
	if (spec->rate_hz < AUDIO_MIN_RATE_HZ || spec->rate_hz > AUDIO_MAX_RATE_HZ) {
		audio_errorf(err, err_size, "%s has an unsupported sample rate of %u Hz (supported: %u to %u Hz)",
			 what, spec->rate_hz, AUDIO_MIN_RATE_HZ, AUDIO_MAX_RATE_HZ);
		return -ENOTSUP;
	}
	return 0;
}

/* Extensions we map ourselves, so the common ones never depend on libsndfile's list (which has
 * "oga" for Ogg and "m1a" for MPEG). forced_subtype: the extension decides the encoding too. */
static const struct {
	const char *ext;
	int major;
	int forced_subtype;
} ext_table[] = {
	{ "wav", SF_FORMAT_WAV, 0 },
	{ "wave", SF_FORMAT_WAV, 0 },
	{ "flac", SF_FORMAT_FLAC, 0 },
	{ "ogg", SF_FORMAT_OGG, 0 },
	{ "oga", SF_FORMAT_OGG, 0 },
	{ "opus", SF_FORMAT_OGG, SF_FORMAT_OPUS },
	{ "aif", SF_FORMAT_AIFF, 0 },
	{ "aiff", SF_FORMAT_AIFF, 0 },
	{ "aifc", SF_FORMAT_AIFF, 0 },
	{ "au", SF_FORMAT_AU, 0 },
	{ "snd", SF_FORMAT_AU, 0 },
	{ "caf", SF_FORMAT_CAF, 0 },
	{ "w64", SF_FORMAT_W64, 0 },
	{ "rf64", SF_FORMAT_RF64, 0 },
	{ "mp3", SF_FORMAT_MPEG, SF_FORMAT_MPEG_LAYER_III },
};

static const char *path_extension(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	const char *dot = strrchr(base, '.');

	if (dot == NULL || dot == base || dot[1] == '\0') /* ".hidden" has no extension */
		return NULL;
	return dot + 1;
}

/* Container for an extension, 0 if unknown. */
static int major_for_extension(const char *ext, int *forced_subtype)
{
	int n_major = 0;

	*forced_subtype = 0;
	for (size_t i = 0; i < sizeof(ext_table) / sizeof(ext_table[0]); i++) {
		if (strcasecmp(ext, ext_table[i].ext) == 0) {
			*forced_subtype = ext_table[i].forced_subtype;
			return ext_table[i].major;
		}
	}
	/* Anything else libsndfile can write under that extension (.voc, .paf, .sf, ...). RAW is
	 * skipped: a headerless file needs the format spelled out. */
	if (sf_command(NULL, SFC_GET_FORMAT_MAJOR_COUNT, &n_major, sizeof(n_major)) != 0)
		return 0;
	for (int i = 0; i < n_major; i++) {
		SF_FORMAT_INFO info;
		memset(&info, 0, sizeof(info));
		info.format = i;
		if (sf_command(NULL, SFC_GET_FORMAT_MAJOR, &info, sizeof(info)) != 0)
			continue;
		if ((info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_RAW || info.extension == NULL)
			continue;
		if (strcasecmp(ext, info.extension) == 0)
			return info.format & SF_FORMAT_TYPEMASK;
	}
	return 0;
}

static bool subtype_is_float(int subtype)
{
	return subtype == SF_FORMAT_FLOAT || subtype == SF_FORMAT_DOUBLE;
}

/* The encoding to use in a container that cannot keep the input's. */
static int default_subtype(int major, int in_subtype)
{
	bool deep = in_subtype == SF_FORMAT_PCM_24 || in_subtype == SF_FORMAT_PCM_32 ||
		    subtype_is_float(in_subtype);

	switch (major) {
	case SF_FORMAT_OGG: return SF_FORMAT_VORBIS;
	case SF_FORMAT_MPEG: return SF_FORMAT_MPEG_LAYER_III;
	case SF_FORMAT_FLAC: return deep ? SF_FORMAT_PCM_24 : SF_FORMAT_PCM_16;
	default: break;
	}
	if (subtype_is_float(in_subtype))
		return SF_FORMAT_FLOAT;
	if (deep)
		return SF_FORMAT_PCM_24;
	return SF_FORMAT_PCM_16; /* 8 bit, lossy and unusual encodings */
}

/* Plain sample encodings (PCM, float, the two G.711 laws) can move to another container as they
 * are; a codec's bitstream (MP3, Vorbis, Opus, GSM, ADPCM ...) cannot: libsndfile even accepts
 * "WAV with MPEG Layer III" in sf_format_check and then fails to write it. */
static bool subtype_is_plain(int subtype)
{
	switch (subtype) {
	case SF_FORMAT_PCM_S8:
	case SF_FORMAT_PCM_U8:
	case SF_FORMAT_PCM_16:
	case SF_FORMAT_PCM_24:
	case SF_FORMAT_PCM_32:
	case SF_FORMAT_FLOAT:
	case SF_FORMAT_DOUBLE:
	case SF_FORMAT_ULAW:
	case SF_FORMAT_ALAW:
		return true;
	default:
		return false;
	}
}

static bool format_ok(int format, const struct audio_spec *in)
{
	SF_INFO info;

	memset(&info, 0, sizeof(info));
	info.samplerate = (int)in->rate_hz;
	info.channels = (int)in->n_channels;
	info.format = format;
	return sf_format_check(&info) != 0;
}

int audio_format_for_output(const char *path, const struct audio_spec *in, struct audio_spec *out,
			    char *err, size_t err_size)
{
	const char *ext = path_extension(path);
	int in_major, in_subtype, major = 0, forced = 0, format;
	char desc[160];

	if (in->raw != AUDIO_RAW_NONE) {
		in_major = 0;
		in_subtype = in->raw == AUDIO_RAW_F32LE ? SF_FORMAT_FLOAT : SF_FORMAT_PCM_16;
	} else {
		in_major = in->sf_format & SF_FORMAT_TYPEMASK;
		in_subtype = in->sf_format & SF_FORMAT_SUBMASK;
	}
	if (ext != NULL)
		major = major_for_extension(ext, &forced);
	if (major == 0)
		major = in_major != 0 ? in_major : SF_FORMAT_WAV;

	if (major == in_major && (forced == 0 || forced == in_subtype))
		format = in->sf_format; /* same container: keep everything, endianness included */
	else if (forced != 0)
		format = major | forced;
	else if (subtype_is_plain(in_subtype))
		format = major | in_subtype;
	else /* decoded from a codec: the container's usual encoding (PCM for WAV, Vorbis for Ogg) */
		format = major | default_subtype(major, in_subtype);
	if (!format_ok(format, in) && forced == 0) {
		/* Then the usual encoding for the container, then the most widely supported ones
		 * (VOC has no 24 bit, some containers no float). */
		static const int fallbacks[] = { SF_FORMAT_PCM_16, SF_FORMAT_FLOAT };
		format = major | default_subtype(major, in_subtype);
		for (size_t i = 0; i < sizeof(fallbacks) / sizeof(fallbacks[0]); i++)
			if (!format_ok(format, in))
				format = major | fallbacks[i];
	}

	*out = *in;
	out->raw = AUDIO_RAW_NONE;
	out->sf_format = format;
	if (!format_ok(format, in)) {
		audio_format_describe(out, desc, sizeof(desc));
		audio_errorf(err, err_size, "cannot write %u channel(s) at %u Hz as %s to '%s'",
			 in->n_channels, in->rate_hz, desc, path);
		return -ENOTSUP;
	}
	return 0;
}

static const char *format_info_name(int format, int command)
{
	SF_FORMAT_INFO info;

	memset(&info, 0, sizeof(info));
	info.format = format;
	if (sf_command(NULL, command, &info, sizeof(info)) != 0 || info.name == NULL)
		return "unknown";
	return info.name;
}

void audio_format_describe(const struct audio_spec *spec, char *buf, size_t size)
{
	if (spec->raw != AUDIO_RAW_NONE) {
		snprintf(buf, size, "raw %s", audio_raw_format_name(spec->raw));
		return;
	}
	/* SFC_GET_FORMAT_INFO looks up either the container or the encoding, one at a time. */
	snprintf(buf, size, "%s, %s",
		 format_info_name(spec->sf_format & SF_FORMAT_TYPEMASK, SFC_GET_FORMAT_INFO),
		 format_info_name(spec->sf_format & SF_FORMAT_SUBMASK, SFC_GET_FORMAT_INFO));
}
