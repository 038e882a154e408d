/* SPDX-License-Identifier: MIT */
/*
 * What an audio file's own structure says about its length, so a file cut short (an interrupted
 * download or copy, a recorder killed mid-write) can be told from a complete one. libsndfile does
 * not say: for a WAV whose data chunk claims more bytes than the file has, it quietly reports the
 * frames that are there; for a cut Ogg it reports what the last whole page holds (issue #13,
 * item 10). Only regular files are looked at (a pipe cannot be read twice); anything this cannot
 * parse is "unknown", never "truncated".
 */
#ifndef VOCANA_IO_AUDIO_LENGTH_H
#define VOCANA_IO_AUDIO_LENGTH_H

#include <stdint.h>

/* Frames the header announces: a WAV's data chunk size over its block size, an AIFF's COMM frame
 * count. -1 when unknown: another format, a pipe, an unreadable header, or a size that streaming
 * writers put in when they cannot know the length (0, 0xFFFFFFFF). */
int64_t audio_length_announced(const char *path);

enum audio_ogg_end {
	AUDIO_OGG_END_UNKNOWN,   /* not an Ogg file we can read the end of, or junk after it */
	AUDIO_OGG_END_COMPLETE,  /* the last page is whole and marks the end of its stream */
	AUDIO_OGG_END_CUT_PAGE,  /* the file ends inside a page */
	AUDIO_OGG_END_NO_EOS,    /* the last page is whole, but the stream's end is not marked */
};

/* How an Ogg file ends (looks at its last 64 KiB). */
enum audio_ogg_end audio_length_ogg_end(const char *path);

#endif /* VOCANA_IO_AUDIO_LENGTH_H */
