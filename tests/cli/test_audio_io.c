/* SPDX-License-Identifier: MIT */
/* The audio file layer on real files: format round trips, output-format choice, every kind of
 * bad input, raw streams, and the all-or-nothing output files. No denoiser involved. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/audio_file.h"
#include "io/audio_format.h"
#include "io/safe_output.h"
#include "make_test_audio.h"
#include "test_util.h"

static char tmp_dir[] = "/tmp/vocana-io-test-XXXXXX";

static const char *tmp_path(const char *name)
{
	static char paths[8][512];
	static unsigned next;
	char *p = paths[next++ % 8];

	snprintf(p, 512, "%s/%s", tmp_dir, name);
	return p;
}

/* Nothing named *.tmp-* may be left in the directory. */
static int count_temp_files(void)
{
	DIR *d = opendir(tmp_dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strstr(e->d_name, ".tmp-") != NULL)
			n++;
	closedir(d);
	return n;
}

static bool file_exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static bool one_line(const char *msg)
{
	return msg[0] != '\0' && strchr(msg, '\n') == NULL;
}

/* Read a whole file through audio_reader in awkward chunk sizes. */
static float *read_all(struct audio_reader *r, size_t *n_frames, int *res_out)
{
	size_t ch = audio_reader_spec(r)->n_channels, cap = 1024, n = 0;
	static const size_t chunks[] = { 333, 1, 4096, 47 };
	float *x = malloc(cap * ch * sizeof(float));
	unsigned k = 0;
	ssize_t got;

	*res_out = 0;
	for (;;) {
		size_t want = chunks[k++ % 4];
		if (n + want > cap) {
			float *bigger;
			cap = 2 * (n + want);
			bigger = realloc(x, cap * ch * sizeof(float));
			if (bigger == NULL)
				break;
			x = bigger;
		}
		got = audio_reader_read(r, x + n * ch, want);
		if (got <= 0) {
			*res_out = (int)got;
			break;
		}
		n += (size_t)got;
	}
	*n_frames = n;
	return x;
}

struct format_case {
	const char *name;
	int sf_format;
	uint32_t rate_hz, n_channels;
	bool lossless;
};

static void test_roundtrip_formats(void)
{
	static const struct format_case cases[] = {
		{ "a.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 1, true },
		{ "b.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 44100, 2, true },
		{ "c.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 2, true },
		{ "d.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 16000, 1, false },
		{ "e.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 22050, 1, true },
		{ "f.aiff", SF_FORMAT_AIFF | SF_FORMAT_FLOAT, 32000, 3, true },
		{ "g.caf", SF_FORMAT_CAF | SF_FORMAT_PCM_24, 96000, 2, true },
	};
	char err[AUDIO_ERR_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct format_case *fc = &cases[i];
		struct mta_params p = { .sf_format = fc->sf_format, .rate_hz = fc->rate_hz,
					.n_channels = fc->n_channels, .n_frames = 12345,
					.signal = MTA_SPEECHLIKE, .amplitude = 0.5f, .seed = 11 + (unsigned)i };
		char out_name[64];
		struct audio_reader *r = NULL;
		struct audio_writer *w = NULL;
		struct audio_spec out_spec;
		float *x = NULL, *ref = NULL, *back = NULL;
		size_t n = 0, n_ref = 0, n_back = 0;
		uint32_t rate = 0, ch = 0;
		int fmt = 0, res;

		CHECK(mta_write(tmp_path(fc->name), &p) == 0);
		CHECK(mta_read(tmp_path(fc->name), &ref, &n_ref, NULL, NULL, NULL) == 0);
		res = audio_reader_open(&r, tmp_path(fc->name), NULL, err, sizeof(err));
		CHECK_MSG(res == 0, "%s: %s", fc->name, err);
		if (res < 0)
			continue;
		CHECK(audio_reader_spec(r)->rate_hz == fc->rate_hz);
		CHECK(audio_reader_spec(r)->n_channels == fc->n_channels);
		CHECK(audio_reader_spec(r)->sf_format == fc->sf_format);
		x = read_all(r, &n, &res);
		CHECK_MSG(res == 0 && n == n_ref, "%s: res %d, %zu frames, expected %zu", fc->name, res, n,
			  n_ref);
		for (size_t k = 0; fc->lossless && k < n * fc->n_channels && k < n_ref * fc->n_channels; k++)
			if (x[k] != ref[k]) {
				CHECK_MSG(0, "%s: sample %zu: %g != %g", fc->name, k, x[k], ref[k]);
				break;
			}

		/* Write back in the same format (no extension -> the input's format). */
		snprintf(out_name, sizeof(out_name), "out-%zu", i);
		CHECK(audio_format_for_output(tmp_path(out_name), audio_reader_spec(r), &out_spec, err,
					      sizeof(err)) == 0);
		CHECK(out_spec.sf_format == fc->sf_format);
		CHECK(audio_writer_open(&w, tmp_path(out_name), &out_spec, err, sizeof(err)) == 0);
		if (w != NULL) {
			/* in pieces, as the CLI does */
			for (size_t k = 0; k < n; k += 1000)
				CHECK(audio_writer_write(w, x + k * fc->n_channels,
							 n - k < 1000 ? n - k : 1000) == 0);
			CHECK(!file_exists(tmp_path(out_name))); /* not visible before commit */
			CHECK(audio_writer_commit(w, err, sizeof(err)) == 0);
		}
		CHECK(mta_read(tmp_path(out_name), &back, &n_back, &rate, &ch, &fmt) == 0);
		CHECK_MSG(n_back == n && rate == fc->rate_hz && ch == fc->n_channels && fmt == fc->sf_format,
			  "%s: wrote %zu frames %u Hz %u ch fmt %x", fc->name, n_back, rate, ch, fmt);
		for (size_t k = 0; fc->lossless && back != NULL && k < n_back * ch && k < n * ch; k++)
			if (back[k] != x[k]) {
				CHECK_MSG(0, "%s: written sample %zu: %g != %g", fc->name, k, back[k], x[k]);
				break;
			}
		audio_reader_close(r);
		free(x);
		free(ref);
		free(back);
	}
	CHECK(count_temp_files() == 0);
}

static void test_output_format_choice(void)
{
	struct audio_spec in = { 44100, 2, SF_FORMAT_WAV | SF_FORMAT_PCM_24, AUDIO_RAW_NONE };
	struct audio_spec out;
	char err[AUDIO_ERR_LEN];
	static const struct {
		const char *path;
		int expect;
	} cases[] = {
		{ "x.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24 },
		{ "x.FLAC", SF_FORMAT_FLAC | SF_FORMAT_PCM_24 },
		{ "x.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS },
		{ "x.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS },
		{ "x.aiff", SF_FORMAT_AIFF | SF_FORMAT_PCM_24 },
		{ "x.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24 },
		{ "x", SF_FORMAT_WAV | SF_FORMAT_PCM_24 },
		{ "x.unknown", SF_FORMAT_WAV | SF_FORMAT_PCM_24 },
		{ "dir.d/x", SF_FORMAT_WAV | SF_FORMAT_PCM_24 },
		{ "dir/.hidden", SF_FORMAT_WAV | SF_FORMAT_PCM_24 },
		{ "x.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III },
		{ "x.w64", SF_FORMAT_W64 | SF_FORMAT_PCM_24 },
		{ "x.voc", SF_FORMAT_VOC | SF_FORMAT_PCM_16 }, /* from libsndfile's own list */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int res = audio_format_for_output(cases[i].path, &in, &out, err, sizeof(err));
		CHECK_MSG(res == 0 && out.sf_format == cases[i].expect, "%s: res %d format %x, expected %x",
			  cases[i].path, res, out.sf_format, cases[i].expect);
		CHECK(out.rate_hz == in.rate_hz && out.n_channels == in.n_channels);
	}

	/* Lossy and 8 bit inputs get sensible encodings in other containers. */
	in.sf_format = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
	CHECK(audio_format_for_output("x.wav", &in, &out, err, sizeof(err)) == 0 &&
	      out.sf_format == (SF_FORMAT_WAV | SF_FORMAT_PCM_16));
	CHECK(audio_format_for_output("x.flac", &in, &out, err, sizeof(err)) == 0 &&
	      out.sf_format == (SF_FORMAT_FLAC | SF_FORMAT_PCM_16));
	in.sf_format = SF_FORMAT_OGG | SF_FORMAT_OPUS; /* .ogg alone keeps Opus */
	in.rate_hz = 48000;
	CHECK(audio_format_for_output("x.ogg", &in, &out, err, sizeof(err)) == 0 &&
	      out.sf_format == (SF_FORMAT_OGG | SF_FORMAT_OPUS));
	in.sf_format = SF_FORMAT_WAV | SF_FORMAT_FLOAT;
	CHECK(audio_format_for_output("x.flac", &in, &out, err, sizeof(err)) == 0 &&
	      out.sf_format == (SF_FORMAT_FLAC | SF_FORMAT_PCM_24));

	/* Raw input: WAV, in the raw stream's precision. */
	in = (struct audio_spec){ 16000, 1, 0, AUDIO_RAW_F32LE };
	CHECK(audio_format_for_output("x", &in, &out, err, sizeof(err)) == 0 &&
	      out.sf_format == (SF_FORMAT_WAV | SF_FORMAT_FLOAT) && out.raw == AUDIO_RAW_NONE);
	in.raw = AUDIO_RAW_S16LE;
	CHECK(audio_format_for_output("x.flac", &in, &out, err, sizeof(err)) == 0 &&
	      out.sf_format == (SF_FORMAT_FLAC | SF_FORMAT_PCM_16));

	/* FLAC holds at most 8 channels. */
	in = (struct audio_spec){ 48000, 10, SF_FORMAT_WAV | SF_FORMAT_PCM_16, AUDIO_RAW_NONE };
	err[0] = '\0';
	CHECK(audio_format_for_output("x.flac", &in, &out, err, sizeof(err)) == -ENOTSUP);
	CHECK(one_line(err));
}

static void expect_open_error(const char *path, int expect_res, const char *what)
{
	struct audio_reader *r = NULL;
	char err[AUDIO_ERR_LEN] = "";
	int res = audio_reader_open(&r, path, NULL, err, sizeof(err));

	CHECK_MSG(res == expect_res && r == NULL, "%s: res %d, expected %d (%s)", what, res,
		  expect_res, err);
	CHECK_MSG(one_line(err), "%s: message '%s'", what, err);
	audio_reader_close(r);
}

static void test_reader_errors(void)
{
	struct mta_params p = { .sf_format = SF_FORMAT_WAV | SF_FORMAT_PCM_16, .rate_hz = 48000,
				.n_channels = 1, .n_frames = 48000, .signal = MTA_NOISE,
				.amplitude = 0.3f, .seed = 5 };
	struct audio_reader *r = NULL;
	char err[AUDIO_ERR_LEN] = "";
	size_t n = 0;
	float *x;
	int res;

	expect_open_error(tmp_path("missing.wav"), -ENOENT, "missing file");
	expect_open_error(tmp_dir, -EISDIR, "directory");
	CHECK(mta_write_bytes(tmp_path("text.wav"), "hello, this is not audio\n", 25) == 0);
	expect_open_error(tmp_path("text.wav"), -EBADMSG, "text file");
	CHECK(mta_write(tmp_path("good.wav"), &p) == 0);
	CHECK(mta_truncate_copy(tmp_path("good.wav"), tmp_path("trunc-header.wav"), 30) == 0);
	expect_open_error(tmp_path("trunc-header.wav"), -EBADMSG, "truncated header");
	CHECK(mta_write_bytes(tmp_path("empty.wav"), "", 0) == 0);
	expect_open_error(tmp_path("empty.wav"), -EBADMSG, "empty file");

	p.rate_hz = 4000;
	CHECK(mta_write(tmp_path("4k.wav"), &p) == 0);
	expect_open_error(tmp_path("4k.wav"), -ENOTSUP, "4 kHz");
	p.rate_hz = 48000;
	p.n_channels = 100;
	p.n_frames = 100;
	CHECK(mta_write(tmp_path("100ch.wav"), &p) == 0);
	expect_open_error(tmp_path("100ch.wav"), -ENOTSUP, "100 channels");

	/* 0 frames: opens (the header is fine), then reads nothing. */
	p.n_channels = 1;
	p.n_frames = 0;
	CHECK(mta_write(tmp_path("zero.wav"), &p) == 0);
	res = audio_reader_open(&r, tmp_path("zero.wav"), NULL, err, sizeof(err));
	CHECK(res == 0);
	if (r != NULL) {
		x = read_all(r, &n, &res);
		CHECK(res == 0 && n == 0);
		free(x);
		audio_reader_close(r);
		r = NULL;
	}

	/* Truncated FLAC: opens, reads the audio before the cut, then ends; the reader says it
	 * stopped early, in one line, like for a cut WAV or Ogg (issue 13 item 10). */
	p.sf_format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16;
	p.n_frames = 96000;
	p.n_channels = 2;
	CHECK(mta_write(tmp_path("good.flac"), &p) == 0);
	CHECK(mta_truncate_copy(tmp_path("good.flac"), tmp_path("trunc.flac"),
				(size_t)mta_file_size(tmp_path("good.flac")) * 6 / 10) == 0);
	res = audio_reader_open(&r, tmp_path("trunc.flac"), NULL, err, sizeof(err));
	CHECK(res == 0);
	if (r != NULL) {
		char msg[AUDIO_ERR_LEN + 256];

		x = read_all(r, &n, &res);
		CHECK_MSG(res == 0 && n > 0 && n < 96000, "truncated FLAC: res %d after %zu frames", res, n);
		CHECK(audio_reader_truncated(r, msg, sizeof(msg)) && one_line(msg) &&
		      strstr(msg, "of the 2.00 s (96000 frames) its header announces") != NULL);
		free(x);
		audio_reader_close(r);
		r = NULL;
	}

	/* stdin without a raw description */
	res = audio_reader_open(&r, "-", NULL, err, sizeof(err));
	CHECK(res == -EINVAL && r == NULL && one_line(err));
}

/* A header claiming 4 GB of data over 1000 real frames: read exactly what is there. */
static void test_huge_header(void)
{
	struct mta_params p = { .sf_format = SF_FORMAT_WAV | SF_FORMAT_PCM_16, .rate_hz = 16000,
				.n_channels = 1, .n_frames = 1000, .signal = MTA_NOISE,
				.amplitude = 0.3f, .seed = 9 };
	struct audio_reader *r = NULL;
	char err[AUDIO_ERR_LEN];
	size_t n = 0;
	float *x;
	int res;

	CHECK(mta_write(tmp_path("huge.wav"), &p) == 0);
	CHECK(mta_patch_wav_data_size(tmp_path("huge.wav"), 0xfffffff0u) == 0);
	res = audio_reader_open(&r, tmp_path("huge.wav"), NULL, err, sizeof(err));
	CHECK_MSG(res == 0, "%s", err);
	if (r == NULL)
		return;
	x = read_all(r, &n, &res);
	CHECK_MSG(res == 0 && n == 1000, "res %d, %zu frames", res, n);
	free(x);
	audio_reader_close(r);
}

static void test_nonfinite_samples(void)
{
	float in[8] = { 0.5f, NAN, INFINITY, -INFINITY, 1e-40f, -0.25f, 2.0f, 0.0f };
	struct audio_reader *r = NULL;
	char err[AUDIO_ERR_LEN];
	float out[8];

	CHECK(mta_write_frames(tmp_path("nan.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 1, in, 8) == 0);
	CHECK(audio_reader_open(&r, tmp_path("nan.wav"), NULL, err, sizeof(err)) == 0);
	if (r == NULL)
		return;
	CHECK(audio_reader_read(r, out, 8) == 8);
	CHECK(out[0] == 0.5f && out[1] == 0.0f && out[2] == 0.0f && out[3] == 0.0f);
	CHECK(out[4] == 0.0f);                  /* denormal flushed */
	CHECK(out[5] == -0.25f && out[6] == 2.0f); /* float files may exceed full scale */
	CHECK(audio_reader_nonfinite_count(r) == 3);
	audio_reader_close(r);
}

static void test_raw_roundtrip(void)
{
	static const enum audio_raw_format formats[] = { AUDIO_RAW_F32LE, AUDIO_RAW_S16LE };
	char err[AUDIO_ERR_LEN];
	unsigned seed = 1234;

	for (size_t f = 0; f < 2; f++) {
		struct audio_spec spec = { 16000, 2, 0, formats[f] };
		size_t n = 10007, got_total = 0;
		float *x = malloc(n * 2 * sizeof(float)), *y = calloc(n * 2 + 16, sizeof(float));
		struct audio_writer *w = NULL;
		struct audio_reader *r = NULL;
		const char *path = tmp_path(f == 0 ? "raw.f32" : "raw.s16");
		int fd;
		ssize_t got;

		for (size_t i = 0; i < n * 2; i++)
			/* on the 16 bit grid, so s16le must come back exactly */
			x[i] = (float)((int)(test_randf(&seed) * 32767.0f)) / 32768.0f;
		x[0] = 1.5f; /* clipped by s16le, kept by f32le */
		x[1] = -3.0f;
		fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
		CHECK(fd >= 0);
		CHECK(audio_writer_open_raw_fd(&w, fd, "test", &spec, err, sizeof(err)) == 0);
		if (w != NULL) {
			CHECK(audio_writer_write(w, x, 5000) == 0);
			CHECK(audio_writer_write(w, x + 5000 * 2, n - 5000) == 0);
			CHECK(audio_writer_commit(w, err, sizeof(err)) == 0);
		}
		/* a stray half frame at the end must be dropped and reported */
		CHECK(write(fd, "abc", 3) == 3);
		close(fd);

		fd = open(path, O_RDONLY);
		CHECK(audio_reader_open_raw_fd(&r, fd, "test", &spec, err, sizeof(err)) == 0);
		while (r != NULL && (got = audio_reader_read(r, y + got_total * 2, 777)) > 0)
			got_total += (size_t)got;
		CHECK_MSG(got_total == n, "raw %s: %zu frames, expected %zu", audio_raw_format_name(formats[f]),
			  got_total, n);
		CHECK(r != NULL && audio_reader_trailing_bytes(r) == 3);
		CHECK(y[0] == (f == 0 ? 1.5f : 32767.0f / 32768.0f));
		CHECK(y[1] == (f == 0 ? -3.0f : -1.0f));
		for (size_t i = 2; i < n * 2; i++)
			if (y[i] != x[i]) {
				CHECK_MSG(0, "raw %s sample %zu: %g != %g", audio_raw_format_name(formats[f]), i,
					  y[i], x[i]);
				break;
			}
		audio_reader_close(r);
		close(fd);
		free(x);
		free(y);
	}

	/* Raw streams need their format spelled out, and the same limits apply. */
	{
		struct audio_reader *r = NULL;
		struct audio_spec bad = { 48000, 0, 0, AUDIO_RAW_S16LE };
		CHECK(audio_reader_open_raw_fd(&r, 0, "x", &bad, err, sizeof(err)) == -EINVAL);
		bad = (struct audio_spec){ 4000, 1, 0, AUDIO_RAW_S16LE };
		CHECK(audio_reader_open_raw_fd(&r, 0, "x", &bad, err, sizeof(err)) == -ENOTSUP);
		bad = (struct audio_spec){ 48000, 65, 0, AUDIO_RAW_F32LE };
		CHECK(audio_reader_open_raw_fd(&r, 0, "x", &bad, err, sizeof(err)) == -ENOTSUP);
		bad = (struct audio_spec){ 48000, 1, 0, AUDIO_RAW_NONE };
		CHECK(audio_reader_open_raw_fd(&r, 0, "x", &bad, err, sizeof(err)) == -EINVAL);
		CHECK(r == NULL && one_line(err));
	}
}

static void test_safe_output(void)
{
	struct safe_output o;
	char err[256];
	struct stat st;
	mode_t mask = umask(022);

	/* abort: nothing left */
	CHECK(safe_output_open(&o, tmp_path("so-a.bin"), err, sizeof(err)) == 0);
	CHECK(write(o.fd, "x", 1) == 1);
	CHECK(count_temp_files() == 1);
	safe_output_abort(&o);
	safe_output_abort(&o); /* twice is fine */
	CHECK(!file_exists(tmp_path("so-a.bin")) && count_temp_files() == 0);

	/* commit: the file appears, with the usual permissions */
	CHECK(safe_output_open(&o, tmp_path("so-b.bin"), err, sizeof(err)) == 0);
	CHECK(write(o.fd, "hello", 5) == 5);
	CHECK(!file_exists(tmp_path("so-b.bin")));
	CHECK(safe_output_commit(&o, err, sizeof(err)) == 0);
	CHECK(stat(tmp_path("so-b.bin"), &st) == 0 && st.st_size == 5 && (st.st_mode & 0777) == 0644);
	safe_output_abort(&o); /* after commit: harmless, must not delete the result */
	CHECK(file_exists(tmp_path("so-b.bin")));

	/* replacing keeps the old file's permissions */
	CHECK(chmod(tmp_path("so-b.bin"), 0600) == 0);
	CHECK(safe_output_open(&o, tmp_path("so-b.bin"), err, sizeof(err)) == 0);
	CHECK(write(o.fd, "ab", 2) == 2);
	CHECK(safe_output_commit(&o, err, sizeof(err)) == 0);
	CHECK(stat(tmp_path("so-b.bin"), &st) == 0 && st.st_size == 2 && (st.st_mode & 0777) == 0600);

	/* through a symbolic link: the target is replaced, the link stays */
	CHECK(symlink(tmp_path("so-b.bin"), tmp_path("so-link")) == 0);
	CHECK(safe_output_open(&o, tmp_path("so-link"), err, sizeof(err)) == 0);
	CHECK(write(o.fd, "xyz", 3) == 3);
	CHECK(safe_output_commit(&o, err, sizeof(err)) == 0);
	CHECK(lstat(tmp_path("so-link"), &st) == 0 && S_ISLNK(st.st_mode));
	CHECK(stat(tmp_path("so-b.bin"), &st) == 0 && st.st_size == 3);

	/* a device is written in place, never renamed over (we may be root) */
	CHECK(safe_output_open(&o, "/dev/null", err, sizeof(err)) == 0);
	CHECK(o.tmp_path[0] == '\0');
	CHECK(write(o.fd, "x", 1) == 1);
	CHECK(safe_output_commit(&o, err, sizeof(err)) == 0);
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));

	/* failures: one line, nothing created */
	CHECK(safe_output_open(&o, tmp_path("no-such-dir/x.wav"), err, sizeof(err)) == -ENOENT);
	CHECK(one_line(err));
	safe_output_abort(&o);
	CHECK(safe_output_open(&o, tmp_dir, err, sizeof(err)) == -EISDIR);
	safe_output_abort(&o);
	if (geteuid() != 0) { /* root writes anywhere */
		CHECK(mkdir(tmp_path("ro"), 0555) == 0);
		CHECK(safe_output_open(&o, tmp_path("ro/x.wav"), err, sizeof(err)) == -EACCES);
		safe_output_abort(&o);
		rmdir(tmp_path("ro"));
	}
	CHECK(count_temp_files() == 0);

	/* A whole file with a forced mode (the service's settings): the umask and the replaced
	 * file's permissions do not matter. */
	CHECK(safe_output_write_file(tmp_path("so-c.conf"), "a = 1\n", 6, 0660, err, sizeof(err)) == 0);
	CHECK(stat(tmp_path("so-c.conf"), &st) == 0 && st.st_size == 6 && (st.st_mode & 0777) == 0660);
	CHECK(chmod(tmp_path("so-c.conf"), 0644) == 0);
	CHECK(safe_output_write_file(tmp_path("so-c.conf"), "b", 1, 0600, err, sizeof(err)) == 0);
	CHECK(stat(tmp_path("so-c.conf"), &st) == 0 && st.st_size == 1 && (st.st_mode & 0777) == 0600);
	CHECK(safe_output_write_file(tmp_path("no-such-dir/x.conf"), "b", 1, 0600, err, sizeof(err)) ==
	      -ENOENT);
	CHECK(one_line(err));
	CHECK(count_temp_files() == 0);
	umask(mask);
}

/* A writer that fails before commit leaves nothing. */
static void test_writer_abort(void)
{
	struct audio_spec spec = { 48000, 1, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, AUDIO_RAW_NONE };
	struct audio_writer *w = NULL;
	char err[AUDIO_ERR_LEN];
	float x[480] = { 0 };

	CHECK(audio_writer_open(&w, tmp_path("aborted.flac"), &spec, err, sizeof(err)) == 0);
	if (w != NULL) {
		CHECK(audio_writer_write(w, x, 480) == 0);
		CHECK(count_temp_files() == 1);
		audio_writer_abort(w);
	}
	CHECK(!file_exists(tmp_path("aborted.flac")) && count_temp_files() == 0);

	/* a format the container cannot hold fails at open, before any file exists */
	spec.n_channels = 12;
	CHECK(audio_writer_open(&w, tmp_path("12ch.flac"), &spec, err, sizeof(err)) == -ENOTSUP);
	CHECK(w == NULL && one_line(err) && !file_exists(tmp_path("12ch.flac")));
	CHECK(count_temp_files() == 0);
}

static void remove_tmp_dir(void)
{
	DIR *d = opendir(tmp_dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlink(tmp_path(e->d_name));
	closedir(d);
	rmdir(tmp_dir);
}

int main(void)
{
	if (mkdtemp(tmp_dir) == NULL) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	RUN_TEST(test_roundtrip_formats);
	RUN_TEST(test_output_format_choice);
	RUN_TEST(test_reader_errors);
	RUN_TEST(test_huge_header);
	RUN_TEST(test_nonfinite_samples);
	RUN_TEST(test_raw_roundtrip);
	RUN_TEST(test_safe_output);
	RUN_TEST(test_writer_abort);
	remove_tmp_dir();
	return test_finish();
}
