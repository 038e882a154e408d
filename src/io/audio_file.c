/* SPDX-License-Identifier: MIT */
#include "io/audio_file.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/audio_length.h"
#include "io/audio_raw.h"
#include "io/safe_output.h"
#include "io/sysio.h"

/* Raw streams are read and written in pieces of at most this many frames: 4096 frames is 85 ms
 * at 48 kHz, short enough for a live pipe and large enough to keep system calls rare. */
#define RAW_CHUNK_FRAMES 4096u

struct audio_reader {
	struct audio_spec spec;
	char name[PATH_MAX];
	char err[AUDIO_ERR_LEN];
	int64_t length_hint;
	uint64_t n_nonfinite;
	/* libsndfile files */
	SNDFILE *sf;
	uint64_t frames_read;
	int64_t announced;      /* frames the header promises (audio_length.h, FLAC's STREAMINFO); -1 */
	bool stopped;           /* the decoder failed after some audio: that audio is the file's */
	char stop_reason[256];
	/* raw streams */
	int fd;
	bool eof;
	unsigned char *raw_buf; /* RAW_CHUNK_FRAMES frames; holds a partial frame between reads */
	size_t raw_fill;        /* bytes in raw_buf */
	size_t trailing_bytes;
};

struct audio_writer {
	struct audio_spec spec;
	char name[PATH_MAX];
	char err[AUDIO_ERR_LEN];
	/* libsndfile files */
	SNDFILE *sf;
	struct safe_output out;
	/* raw streams */
	int fd;
	unsigned char *raw_buf;
};

/* libsndfile messages come as "Error : flac decoder lost sync." or with embedded newlines; the
 * user gets exactly one line, so trim to the message itself. */
static void copy_sf_message(char *dst, size_t size, const char *msg)
{
	size_t n;

	if (msg == NULL)
		msg = "unknown error";
	if (strncmp(msg, "Error : ", 8) == 0)
		msg += 8;
	snprintf(dst, size, "%s", msg);
	for (char *p = dst; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	n = strlen(dst);
	while (n > 0 && (dst[n - 1] == ' ' || dst[n - 1] == '.'))
		dst[--n] = '\0';
}

/* Replace NaN/Inf with silence (counted) and flush denormals; returns the NaN/Inf count. */
static uint64_t sanitize(float *x, size_t n)
{
	uint64_t n_bad = 0;

	for (size_t i = 0; i < n; i++) {
		float v = x[i];
		if (!isfinite(v)) {
			x[i] = 0.0f;
			n_bad++;
		} else if (fabsf(v) < FLT_MIN) {
			x[i] = 0.0f;
		}
	}
	return n_bad;
}

/* ---- Reader ---------------------------------------------------------------------------- */

static int reader_open_sndfile(struct audio_reader *r, const char *path, char *err,
			       size_t err_size)
{
	SF_INFO info;
	struct stat st;
	char msg[256];
	int fd, res;

	/* Open it ourselves first: libsndfile reports a missing file as a format problem. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		res = -errno;
		audio_errorf(err, err_size, "cannot open '%s': %s", path, strerror(-res));
		return res;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		audio_errorf(err, err_size, "'%s' is a directory, not an audio file", path);
		return -EISDIR;
	}
	close(fd);

	/* sf_open() by name, not sf_open_fd(): libsndfile uses the extension to tell apart formats
	 * without a header signature (MP3 without ID3 tags). */
	memset(&info, 0, sizeof(info));
	r->sf = sf_open(path, SFM_READ, &info);
	if (r->sf == NULL) {
		copy_sf_message(msg, sizeof(msg), sf_strerror(NULL));
		audio_errorf(err, err_size, "'%s' is not an audio file vocana can read (%s)", path, msg);
		return -EBADMSG;
	}
	if (info.channels <= 0 || info.samplerate <= 0) {
		audio_errorf(err, err_size, "'%s' has an invalid header (%d channels, %d Hz)", path,
			 info.channels, info.samplerate);
		return -EBADMSG;
	}
	r->spec.rate_hz = (uint32_t)info.samplerate;
	r->spec.n_channels = (uint32_t)info.channels;
	r->spec.sf_format = info.format;
	r->spec.raw = AUDIO_RAW_NONE;
	/* libsndfile reports SF_COUNT_MAX for streams of unknown length. */
	r->length_hint = info.frames >= 0 && info.frames < SF_COUNT_MAX ? (int64_t)info.frames : -1;
	/* What the file promises, to tell a cut file from a whole one at the end: libsndfile's
	 * count is the promise only for FLAC (STREAMINFO); for WAV and AIFF it is what is there. */
	switch (info.format & SF_FORMAT_TYPEMASK) {
	case SF_FORMAT_WAV:
	case SF_FORMAT_WAVEX:
	case SF_FORMAT_AIFF:
		r->announced = audio_length_announced(path);
		break;
	case SF_FORMAT_FLAC:
		r->announced = r->length_hint > 0 ? r->length_hint : -1;
		break;
	default:
		r->announced = -1;
	}
	return 0;
}

static int reader_setup_raw(struct audio_reader *r, int fd, const struct audio_spec *spec,
			    char *err, size_t err_size)
{
	size_t sample_bytes = audio_raw_sample_bytes(spec->raw);

	if (sample_bytes == 0) {
		audio_errorf(err, err_size, "reading %s needs --raw-format (f32le or s16le)", r->name);
		return -EINVAL;
	}
	if (spec->rate_hz == 0 || spec->n_channels == 0) {
		audio_errorf(err, err_size, "reading raw audio from %s needs --rate and --channels", r->name);
		return -EINVAL;
	}
	r->spec = *spec;
	r->spec.sf_format = 0;
	r->fd = fd;
	r->length_hint = -1;
	/* Allocated only after the channel check in audio_spec_check(), which bounds its size. */
	return 0;
}

static int reader_finish_open(struct audio_reader *r, char *err, size_t err_size)
{
	char what[PATH_MAX + 8];
	int res;

	snprintf(what, sizeof(what), "'%s'", r->name);
	res = audio_spec_check(&r->spec, what, err, err_size);
	if (res < 0)
		return res;
	if (r->spec.raw != AUDIO_RAW_NONE) {
		size_t frame_bytes = audio_raw_sample_bytes(r->spec.raw) * r->spec.n_channels;
		r->raw_buf = malloc(frame_bytes * RAW_CHUNK_FRAMES);
		if (r->raw_buf == NULL) {
			audio_errorf(err, err_size, "out of memory");
			return -ENOMEM;
		}
	}
	return 0;
}

static struct audio_reader *reader_alloc(const char *name)
{
	struct audio_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	r->fd = -1;
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

int audio_reader_open(struct audio_reader **out, const char *path,
		      const struct audio_spec *raw_spec, char *err, size_t err_size)
{
	struct audio_reader *r;
	int res;

	*out = NULL;
	if (path == NULL) {
		audio_errorf(err, err_size, "no input file");
		return -EINVAL;
	}
	if (audio_path_is_stdio(path)) {
		if (isatty(STDIN_FILENO)) {
			audio_errorf(err, err_size,
				 "standard input is a terminal; pipe raw audio in or name an input file");
			return -EINVAL;
		}
		if (raw_spec == NULL) {
			audio_errorf(err, err_size, "reading standard input needs --raw-format, --rate and --channels");
			return -EINVAL;
		}
		return audio_reader_open_raw_fd(out, STDIN_FILENO, "standard input", raw_spec, err,
						err_size);
	}

	r = reader_alloc(path);
	if (r == NULL) {
		audio_errorf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	if ((res = reader_open_sndfile(r, path, err, err_size)) < 0 ||
	    (res = reader_finish_open(r, err, err_size)) < 0) {
		audio_reader_close(r);
		return res;
	}
	*out = r;
	return 0;
}

int audio_reader_open_raw_fd(struct audio_reader **out, int fd, const char *name,
			     const struct audio_spec *spec, char *err, size_t err_size)
{
	struct audio_reader *r;
	int res;

	*out = NULL;
	r = reader_alloc(name);
	if (r == NULL) {
		audio_errorf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	if ((res = reader_setup_raw(r, fd, spec, err, err_size)) < 0 ||
	    (res = reader_finish_open(r, err, err_size)) < 0) {
		r->fd = -1; /* not ours to close */
		audio_reader_close(r);
		return res;
	}
	*out = r;
	return 0;
}

const struct audio_spec *audio_reader_spec(const struct audio_reader *r)
{
	return &r->spec;
}

int64_t audio_reader_length_hint(const struct audio_reader *r)
{
	return r->length_hint;
}

static ssize_t reader_read_sndfile(struct audio_reader *r, float *frames, size_t max_frames)
{
	sf_count_t n;
	char msg[256];

	if (r->stopped)
		return 0;
	n = sf_readf_float(r->sf, frames, (sf_count_t)max_frames);
	/* libsndfile returns a short count both at the end and on a decode error; only sf_error()
	 * tells them apart (a truncated FLAC stops with "decoder lost sync"). */
	if (n < (sf_count_t)max_frames && sf_error(r->sf) != SF_ERR_NO_ERROR) {
		copy_sf_message(msg, sizeof(msg), sf_strerror(r->sf));
		/* Audio decoded before the damage is kept, as for a cut WAV or Ogg (which decode to
		 * their end without an error): the same file gives the same kind of result whatever
		 * its format, and audio_reader_truncated() says what happened. */
		if (n > 0 || r->frames_read > 0) {
			r->stopped = true;
			snprintf(r->stop_reason, sizeof(r->stop_reason), "%s", msg);
			r->frames_read += n > 0 ? (uint64_t)n : 0;
			return n > 0 ? (ssize_t)n : 0;
		}
		audio_errorf(r->err, sizeof(r->err), "'%s' is corrupt or truncated (%s)", r->name, msg);
		return -EBADMSG;
	}
	if (n < 0) {
		audio_errorf(r->err, sizeof(r->err), "cannot read '%s'", r->name);
		return -EIO;
	}
	r->frames_read += (uint64_t)n;
	return (ssize_t)n;
}

bool audio_reader_truncated(const struct audio_reader *r, char *msg, size_t size)
{
	double rate = r->spec.rate_hz ? (double)r->spec.rate_hz : 1.0;
	double got_s = (double)r->frames_read / rate;
	bool short_of_header = r->announced > 0 && r->frames_read < (uint64_t)r->announced;
	char promised[96] = "";

	if (r->sf == NULL)
		return false;
	if (short_of_header)
		snprintf(promised, sizeof(promised), " of the %.2f s (%lld frames) its header announces",
			 (double)r->announced / rate, (long long)r->announced);
	if (r->stopped) {
		snprintf(msg, size, "'%s' is truncated or damaged: decoding stopped after %.2f s "
			 "(%llu frames)%s (%s); the output has those %.2f s", r->name, got_s,
			 (unsigned long long)r->frames_read, promised, r->stop_reason, got_s);
		return true;
	}
	if (short_of_header) {
		snprintf(msg, size, "'%s' is truncated: it holds %.2f s (%llu frames)%s; the output "
			 "has those %.2f s", r->name, got_s, (unsigned long long)r->frames_read,
			 promised, got_s);
		return true;
	}
	if ((r->spec.sf_format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG) {
		enum audio_ogg_end end = audio_length_ogg_end(r->name);

		if (end == AUDIO_OGG_END_CUT_PAGE || end == AUDIO_OGG_END_NO_EOS) {
			snprintf(msg, size, "'%s' is truncated: %s; decoded %.2f s (%llu frames), the "
				 "output has those %.2f s", r->name,
				 end == AUDIO_OGG_END_CUT_PAGE ? "it ends inside an Ogg page" :
								 "its Ogg stream has no end mark",
				 got_s, (unsigned long long)r->frames_read, got_s);
			return true;
		}
	}
	return false;
}

static ssize_t reader_read_raw(struct audio_reader *r, float *frames, size_t max_frames)
{
	size_t frame_bytes = audio_raw_sample_bytes(r->spec.raw) * r->spec.n_channels;
	size_t want = (max_frames < RAW_CHUNK_FRAMES ? max_frames : RAW_CHUNK_FRAMES) * frame_bytes;
	size_t n_frames, used;

	/* Return as soon as one whole frame is here: a live pipe should not wait for a full chunk. */
	while (r->raw_fill < frame_bytes && !r->eof) {
		ssize_t n = sysio_read(r->fd, r->raw_buf + r->raw_fill, want - r->raw_fill);
		if (n < 0) {
			audio_errorf(r->err, sizeof(r->err), "cannot read %s: %s", r->name, strerror((int)-n));
			return n;
		}
		if (n == 0)
			r->eof = true;
		r->raw_fill += (size_t)n;
	}
	n_frames = r->raw_fill / frame_bytes;
	if (n_frames > max_frames)
		n_frames = max_frames;
	used = n_frames * frame_bytes;
	audio_raw_decode(r->spec.raw, r->raw_buf, frames, n_frames * r->spec.n_channels);
	memmove(r->raw_buf, r->raw_buf + used, r->raw_fill - used);
	r->raw_fill -= used;
	if (n_frames == 0 && r->eof)
		r->trailing_bytes = r->raw_fill;
	return (ssize_t)n_frames;
}

ssize_t audio_reader_read(struct audio_reader *r, float *frames, size_t max_frames)
{
	ssize_t n;

	if (max_frames == 0)
		return 0;
	n = r->sf != NULL ? reader_read_sndfile(r, frames, max_frames)
			  : reader_read_raw(r, frames, max_frames);
	if (n > 0)
		r->n_nonfinite += sanitize(frames, (size_t)n * r->spec.n_channels);
	return n;
}

uint64_t audio_reader_nonfinite_count(const struct audio_reader *r)
{
	return r->n_nonfinite;
}

size_t audio_reader_trailing_bytes(const struct audio_reader *r)
{
	return r->trailing_bytes;
}

const char *audio_reader_error(const struct audio_reader *r)
{
	return r->err;
}

void audio_reader_close(struct audio_reader *r)
{
	if (r == NULL)
		return;
	if (r->sf != NULL)
		sf_close(r->sf);
	free(r->raw_buf);
	free(r);
}

/* ---- Writer ---------------------------------------------------------------------------- */

static struct audio_writer *writer_alloc(const char *name)
{
	struct audio_writer *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->fd = -1;
	w->out.fd = -1;
	snprintf(w->name, sizeof(w->name), "%s", name);
	return w;
}

static int writer_open_sndfile(struct audio_writer *w, const char *path, char *err,
			       size_t err_size)
{
	SF_INFO info;
	char msg[256], desc[160];
	int res;

	memset(&info, 0, sizeof(info));
	info.samplerate = (int)w->spec.rate_hz;
	info.channels = (int)w->spec.n_channels;
	info.format = w->spec.sf_format;
	if (!sf_format_check(&info)) {
		audio_format_describe(&w->spec, desc, sizeof(desc));
		audio_errorf(err, err_size, "cannot write %u channel(s) at %u Hz as %s", w->spec.n_channels,
			 w->spec.rate_hz, desc);
		return -ENOTSUP;
	}
	res = safe_output_open(&w->out, path, err, err_size);
	if (res < 0)
		return res;
	/* close_desc = false: safe_output owns the descriptor and closes it exactly once. */
	w->sf = sf_open_fd(w->out.fd, SFM_WRITE, &info, SF_FALSE);
	if (w->sf == NULL) {
		copy_sf_message(msg, sizeof(msg), sf_strerror(NULL));
		audio_format_describe(&w->spec, desc, sizeof(desc));
		audio_errorf(err, err_size, "cannot write '%s' as %s (%s)", path, desc, msg);
		safe_output_abort(&w->out);
		return -EIO;
	}
	/* libsndfile wraps out-of-range floats around when converting to integers unless clipping
	 * is on: a denoised peak at 1.0001 would become a full-scale click of the opposite sign. */
	sf_command(w->sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
	return 0;
}

int audio_writer_open(struct audio_writer **out, const char *path, const struct audio_spec *spec,
		      char *err, size_t err_size)
{
	struct audio_writer *w;
	int res;

	*out = NULL;
	if (audio_path_is_stdio(path)) {
		if (isatty(STDOUT_FILENO)) {
			audio_errorf(err, err_size,
				 "standard output is a terminal; redirect it or name an output file");
			return -EINVAL;
		}
		return audio_writer_open_raw_fd(out, STDOUT_FILENO, "standard output", spec, err,
						err_size);
	}
	if (spec->raw != AUDIO_RAW_NONE) {
		audio_errorf(err, err_size, "raw output is only written to standard output ('-')");
		return -EINVAL;
	}
	w = writer_alloc(path);
	if (w == NULL) {
		audio_errorf(err, err_size, "out of memory");
		return -ENOMEM;
	}
	w->spec = *spec;
	res = writer_open_sndfile(w, path, err, err_size);
	if (res < 0) {
		free(w);
		return res;
	}
	*out = w;
	return 0;
}

int audio_writer_open_raw_fd(struct audio_writer **out, int fd, const char *name,
			     const struct audio_spec *spec, char *err, size_t err_size)
{
	size_t sample_bytes = audio_raw_sample_bytes(spec->raw);
	struct audio_writer *w;
	char what[PATH_MAX + 8];
	int res;

	*out = NULL;
	if (sample_bytes == 0) {
		audio_errorf(err, err_size, "writing %s needs --raw-format (f32le or s16le)", name);
		return -EINVAL;
	}
	snprintf(what, sizeof(what), "output %s", name);
	if ((res = audio_spec_check(spec, what, err, err_size)) < 0)
		return res;
	w = writer_alloc(name);
	if (w == NULL)
		goto nomem;
	w->spec = *spec;
	w->fd = fd;
	w->raw_buf = malloc(sample_bytes * spec->n_channels * RAW_CHUNK_FRAMES);
	if (w->raw_buf == NULL)
		goto nomem;
	*out = w;
	return 0;

nomem:
	free(w);
	audio_errorf(err, err_size, "out of memory");
	return -ENOMEM;
}

static int writer_write_raw(struct audio_writer *w, const float *frames, size_t n_frames)
{
	size_t sample_bytes = audio_raw_sample_bytes(w->spec.raw);
	size_t ch = w->spec.n_channels;

	while (n_frames > 0) {
		size_t n = n_frames < RAW_CHUNK_FRAMES ? n_frames : RAW_CHUNK_FRAMES;
		int res;
		audio_raw_encode(w->spec.raw, frames, w->raw_buf, n * ch);
		res = sysio_write_all(w->fd, w->raw_buf, n * ch * sample_bytes);
		if (res < 0) {
			audio_errorf(w->err, sizeof(w->err), "cannot write %s: %s", w->name, strerror(-res));
			return res;
		}
		frames += n * ch;
		n_frames -= n;
	}
	return 0;
}

int audio_writer_write(struct audio_writer *w, const float *frames, size_t n_frames)
{
	sf_count_t n;
	char msg[256];

	if (n_frames == 0)
		return 0;
	if (w->sf == NULL)
		return writer_write_raw(w, frames, n_frames);
	n = sf_writef_float(w->sf, frames, (sf_count_t)n_frames);
	if (n != (sf_count_t)n_frames) {
		copy_sf_message(msg, sizeof(msg), sf_strerror(w->sf));
		audio_errorf(w->err, sizeof(w->err), "cannot write '%s' (%s)", w->name, msg);
		return -EIO;
	}
	return 0;
}

int audio_writer_commit(struct audio_writer *w, char *err, size_t err_size)
{
	int res = 0;
	char msg[256];

	if (w->sf != NULL) {
		/* sf_close() writes the final header (lengths, FLAC STREAMINFO, the last Ogg page). */
		int sf_res = sf_close(w->sf);
		w->sf = NULL;
		if (sf_res != 0) {
			copy_sf_message(msg, sizeof(msg), sf_error_number(sf_res));
			audio_errorf(err, err_size, "cannot finish '%s' (%s)", w->name, msg);
			safe_output_abort(&w->out);
			res = -EIO;
		} else {
			res = safe_output_commit(&w->out, err, err_size);
		}
	}
	free(w->raw_buf);
	free(w);
	return res;
}

void audio_writer_abort(struct audio_writer *w)
{
	if (w == NULL)
		return;
	if (w->sf != NULL)
		sf_close(w->sf);
	safe_output_abort(&w->out);
	free(w->raw_buf);
	free(w);
}

const char *audio_writer_error(const struct audio_writer *w)
{
	return w->err;
}
