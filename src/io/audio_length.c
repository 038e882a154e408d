/* SPDX-License-Identifier: MIT */
#include "io/audio_length.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/sysio.h"

#define HEAD_BYTES 65536 /* chunks before the audio (LIST, bext, iXML...) fit in this */
#define TAIL_BYTES 65536 /* an Ogg page is at most 65307 bytes */

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Read n bytes at offset of a regular file (never a pipe: it cannot be read twice). Returns the
 * bytes read, or -1; *size gets the file's size. */
static ssize_t read_at(const char *path, off_t offset_from_end, unsigned char *buf, size_t n,
		       off_t *size)
{
	struct stat st;
	ssize_t got;
	off_t at;
	int fd;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -1;
	fd = sysio_open_regular(path);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return -1;
	}
	*size = st.st_size;
	at = offset_from_end < 0 ? 0 : (st.st_size > offset_from_end ? st.st_size - offset_from_end : 0);
	got = lseek(fd, at, SEEK_SET) == at ? sysio_read_full(fd, buf, n) : -1;
	close(fd);
	return got;
}

/* RIFF/WAVE: data chunk bytes over fmt's block align. Chunks are padded to even sizes. */
static int64_t wav_frames(const unsigned char *h, size_t n)
{
	uint32_t block_align = 0;
	size_t p = 12;

	while (p + 8 <= n) {
		uint32_t size = le32(h + p + 4);

		if (memcmp(h + p, "fmt ", 4) == 0 && p + 8 + 14 <= n)
			block_align = le16(h + p + 8 + 12);
		if (memcmp(h + p, "data", 4) == 0) {
			/* 0 and 0xFFFFFFFF: "length unknown", as streaming writers (arecord, ffmpeg
			 * to a pipe) leave it; not a claim we can hold the file to. */
			if (block_align == 0 || size == 0 || size == 0xffffffffu)
				return -1;
			return (int64_t)(size / block_align);
		}
		if ((uint64_t)p + 8 + size + (size & 1) > n)
			return -1; /* the data chunk is beyond what we read: unknown */
		p += 8 + (size_t)size + (size & 1);
	}
	return -1;
}

/* FORM/AIFF or AIFC: the COMM chunk's frame count (big-endian). */
static int64_t aiff_frames(const unsigned char *h, size_t n)
{
	size_t p = 12;

	while (p + 8 <= n) {
		uint32_t size = be32(h + p + 4);

		if (memcmp(h + p, "COMM", 4) == 0)
			return p + 8 + 6 <= n ? (int64_t)be32(h + p + 8 + 2) : -1;
		if ((uint64_t)p + 8 + size + (size & 1) > n)
			return -1;
		p += 8 + (size_t)size + (size & 1);
	}
	return -1;
}

int64_t audio_length_announced(const char *path)
{
	unsigned char *h = malloc(HEAD_BYTES);
	int64_t frames = -1;
	off_t size;
	ssize_t n;

	if (h == NULL)
		return -1;
	n = read_at(path, -1, h, HEAD_BYTES, &size);
	if (n >= 12 && memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WAVE", 4) == 0)
		frames = wav_frames(h, (size_t)n);
	else if (n >= 12 && memcmp(h, "FORM", 4) == 0 &&
		 (memcmp(h + 8, "AIFF", 4) == 0 || memcmp(h + 8, "AIFC", 4) == 0))
		frames = aiff_frames(h, (size_t)n);
	free(h);
	return frames;
}

/* The page at t[p..] (n bytes in all): its full length, or 0 if no page header parses there. */
static size_t ogg_page_len(const unsigned char *t, size_t n, size_t p)
{
	size_t len;
	unsigned segs;

	if (p + 27 > n || memcmp(t + p, "OggS", 4) != 0 || t[p + 4] != 0)
		return 0;
	segs = t[p + 26];
	if (p + 27 + segs > n)
		return 27 + segs; /* cut inside the header: longer than what is left */
	len = 27 + segs;
	for (unsigned i = 0; i < segs; i++)
		len += t[p + 27 + i];
	return len;
}

enum audio_ogg_end audio_length_ogg_end(const char *path)
{
	unsigned char *t = malloc(TAIL_BYTES);
	enum audio_ogg_end res = AUDIO_OGG_END_UNKNOWN;
	off_t size;
	ssize_t got;
	size_t n;

	if (t == NULL)
		return res;
	got = read_at(path, TAIL_BYTES, t, TAIL_BYTES, &size);
	if (got < 27) {
		free(t);
		return res;
	}
	n = (size_t)got;
	/* The last capture pattern that starts a page is the last page (payload bytes can look
	 * like "OggS" too, but a real page's length then leads exactly to the end of the file). */
	for (size_t p = n - 4 + 1; p-- > 0;) {
		size_t len = ogg_page_len(t, n, p);

		if (len == 0)
			continue;
		if (p + len > n) {
			res = AUDIO_OGG_END_CUT_PAGE;
			break;
		}
		if (p + len == n) {
			res = (t[p + 5] & 0x04) ? AUDIO_OGG_END_COMPLETE : AUDIO_OGG_END_NO_EOS;
			break;
		}
		/* A whole page ending before the end: junk after the stream (tags?): unknown. */
		break;
	}
	free(t);
	return res;
}
