/* SPDX-License-Identifier: MIT */
/*
 * Streaming audio file reader and writer for the command-line tools.
 *
 * Files are anything libsndfile reads (WAV, FLAC, Ogg Vorbis/Opus, AIFF, CAF, MP3, ...); "-" is
 * a headerless stream on stdin/stdout in an explicit raw format. Audio moves as interleaved float
 * frames, full scale +-1.0, a chunk at a time: nothing holds more than one chunk, so a two-hour
 * recording needs no more memory than a two-second one. Frame counts in headers are never trusted
 * (a header can claim anything); readers simply read until the data ends.
 *
 * Writers go through safe_output: the file appears under its name only when audio_writer_commit()
 * succeeds. Every failure comes with one line of text (no newline) for the user.
 */
#ifndef VOCANA_IO_AUDIO_FILE_H
#define VOCANA_IO_AUDIO_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "io/audio_format.h"

#define AUDIO_ERR_LEN 512 /* bytes for an error message */

/* ---- Reader ---------------------------------------------------------------------------- */

struct audio_reader;

/*
 * Open path for reading. "-" reads stdin as raw audio described by raw_spec (raw, rate_hz and
 * n_channels required); for files raw_spec is ignored and may be NULL. Rates and channel counts
 * outside the limits in audio_format.h are refused here, before any audio is read.
 * Returns 0 or a negative errno with a message in err.
 */
int audio_reader_open(struct audio_reader **out, const char *path,
		      const struct audio_spec *raw_spec, char *err, size_t err_size);

/* Read raw audio from fd (not closed by the reader); name is used in messages. */
int audio_reader_open_raw_fd(struct audio_reader **out, int fd, const char *name,
			     const struct audio_spec *spec, char *err, size_t err_size);

const struct audio_spec *audio_reader_spec(const struct audio_reader *r);

/* Frames the header claims, or -1 when unknown (raw streams). For progress display only. */
int64_t audio_reader_length_hint(const struct audio_reader *r);

/*
 * Read up to max_frames interleaved frames. Returns the number read (> 0), 0 at the end of the
 * data, or a negative errno on a read error or corrupt data (message: audio_reader_error()).
 * NaN and infinite samples are replaced by 0 and counted; denormals are flushed to 0 (they would
 * slow every filter downstream to a crawl).
 */
ssize_t audio_reader_read(struct audio_reader *r, float *frames, size_t max_frames);

/* After the last read of a file: whether it held less audio than it should, because it was cut
 * short (a WAV or AIFF with less data than its header announces, a FLAC whose decoder stopped at
 * the cut, an Ogg without its end) or damaged. Every format is treated alike: the audio decoded
 * up to that point is read as the file's audio (a decoder error after some audio is not an error
 * of audio_reader_read()), and msg gets one line naming the file, the decoded length and, when
 * known, the announced one. False for complete files, raw streams, and when nothing tells. */
bool audio_reader_truncated(const struct audio_reader *r, char *msg, size_t size);

/* Samples replaced because they were NaN or infinite, so far. */
uint64_t audio_reader_nonfinite_count(const struct audio_reader *r);

/* Bytes of an incomplete last frame dropped at the end of a raw stream (0 for files). */
size_t audio_reader_trailing_bytes(const struct audio_reader *r);

const char *audio_reader_error(const struct audio_reader *r);

/* NULL is a no-op. */
void audio_reader_close(struct audio_reader *r);

/* ---- Writer ---------------------------------------------------------------------------- */

struct audio_writer;

/*
 * Open path for writing spec (from audio_format_for_output(), or a raw spec for "-", which
 * writes stdout). Files are written to a temporary file first (see safe_output.h).
 * Returns 0 or a negative errno with a message in err; nothing is left behind on failure.
 */
int audio_writer_open(struct audio_writer **out, const char *path, const struct audio_spec *spec,
		      char *err, size_t err_size);

/* Write raw audio to fd (not closed by the writer). */
int audio_writer_open_raw_fd(struct audio_writer **out, int fd, const char *name,
			     const struct audio_spec *spec, char *err, size_t err_size);

/* Write n_frames interleaved frames; samples beyond +-1.0 are clipped for integer encodings.
 * Returns 0 or a negative errno (message: audio_writer_error()). */
int audio_writer_write(struct audio_writer *w, const float *frames, size_t n_frames);

/* Finish the file and move it into place, then free w. Returns 0 or a negative errno with a
 * message in err (the temporary file is removed). */
int audio_writer_commit(struct audio_writer *w, char *err, size_t err_size);

/* Drop everything written and free w; NULL is a no-op. */
void audio_writer_abort(struct audio_writer *w);

const char *audio_writer_error(const struct audio_writer *w);

#endif /* VOCANA_IO_AUDIO_FILE_H */
