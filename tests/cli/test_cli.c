/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of the vocana program on real files written here with libsndfile.
 *
 *   test_cli VOCANA GROUP [MODEL_FILE]
 *
 * GROUP is one of basic, errors, formats, align, raw, robust, model, bench (see main()). Runs go
 * through cli_runner.h (captured output, time limit).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_runner.h"
#include "json_check.h"
#include "make_test_audio.h"
#include "test_util.h"
#include "vocana_config.h"

static const char *model_file; /* a real model file, or NULL */

/* A failed run: non-zero exit (not a crash), exactly one line on stderr, no output, no temp. */
static void check_failed(const char *what, const struct result *r, const char *out_path)
{
	CHECK_MSG(r->status == 1 || r->status == 2, "%s: exit status %d (stderr: %s)", what, r->status,
		  r->err);
	CHECK_MSG(r->err_lines == 1, "%s: %u lines on stderr: %s", what, r->err_lines, r->err);
	CHECK_MSG(out_path == NULL || !exists(out_path), "%s: output '%s' exists", what, out_path);
	CHECK_MSG(count_temp_files() == 0, "%s: temporary file left behind", what);
}

static void check_ok(const char *what, const struct result *r)
{
	CHECK_MSG(r->status == 0, "%s: exit status %d, stderr: %s", what, r->status, r->err);
}

static int write_audio(const char *name, int format, uint32_t rate, uint32_t ch, size_t n,
		       enum mta_signal sig, unsigned seed)
{
	struct mta_params p = { .sf_format = format, .rate_hz = rate, .n_channels = ch, .n_frames = n,
				.signal = sig, .amplitude = 0.4f, .seed = seed };
	return mta_write(path_in_dir(name), &p);
}

/* ---- basic -------------------------------------------------------------------------------- */

static void test_help_and_version(void)
{
	struct result r;

	r = RUN(NULL, "--help");
	check_ok("--help", &r);
	CHECK(contains(r.out, "usage: vocana COMMAND") && contains(r.out, "denoise IN OUT"));
	CHECK(r.err_lines == 0);
	result_free(&r);

	r = RUN(NULL, "help");
	check_ok("help", &r);
	CHECK(contains(r.out, "usage: vocana"));
	result_free(&r);

	r = RUN(NULL, "--version");
	check_ok("--version", &r);
	CHECK(r.out != NULL && strncmp(r.out, "vocana " VOCANA_VERSION_STRING, 7 + strlen(VOCANA_VERSION_STRING)) == 0);
	CHECK(r.out != NULL && strchr(r.out, '\n') == r.out + r.out_len - 1); /* one line */
	result_free(&r);

	r = RUN(NULL, "-V");
	check_ok("-V", &r);
	result_free(&r);

	static const char *const subcommands[] = { "denoise", "model", "bench" };
	for (size_t i = 0; i < 3; i++) {
		char expect[64];
		r = RUN(NULL, subcommands[i], "--help");
		check_ok(subcommands[i], &r);
		snprintf(expect, sizeof(expect), "usage: vocana %s", subcommands[i]);
		CHECK_MSG(contains(r.out, expect), "%s --help: %s", subcommands[i], r.out);
		result_free(&r);
	}
}

static void test_unknown_command(void)
{
	struct result r;

	r = RUN(NULL, "frobnicate");
	CHECK(r.status == 2);
	CHECK(contains(r.err, "unknown command 'frobnicate'") && contains(r.err, "usage: vocana"));
	CHECK(r.out_len == 0);
	result_free(&r);

	r = run_args(NULL, (const char *const[]){ NULL });
	CHECK(r.status == 2 && contains(r.err, "usage: vocana"));
	result_free(&r);

	r = RUN(NULL, "--frobnicate");
	CHECK(r.status == 2);
	result_free(&r);
}

/* Usage mistakes: exit 2, one line, before any file is touched. */
static void test_usage_errors(void)
{
	char in[600], out[600];
	struct {
		const char *what;
		const char *args[10];
	} cases[] = {
		{ "no files", { "denoise", NULL } },
		{ "one file", { "denoise", in, NULL } },
		{ "three files", { "denoise", in, out, out, NULL } },
		{ "unknown option", { "denoise", "--bogus", in, out, NULL } },
		{ "missing value", { "denoise", in, out, "--strength", NULL } },
		{ "strength 101", { "denoise", in, out, "--strength", "101", NULL } },
		{ "strength -1", { "denoise", in, out, "--strength", "-1", NULL } },
		{ "strength abc", { "denoise", in, out, "--strength", "abc", NULL } },
		{ "strength 50.5", { "denoise", in, out, "-s", "50.5", NULL } },
		{ "bad raw format", { "denoise", "-", out, "--raw-format", "wav", "--rate", "48000",
				      "--channels", "1", NULL } },
		{ "stdin without raw format", { "denoise", "-", out, NULL } },
		{ "raw without rate", { "denoise", "-", out, "--raw-format", "s16le", NULL } },
		{ "rate for a file", { "denoise", in, out, "--rate", "48000", NULL } },
		{ "raw format for files", { "denoise", in, out, "--raw-format", "s16le", NULL } },
		{ "model no subcommand", { "model", NULL } },
		{ "model bad subcommand", { "model", "frob", NULL } },
		{ "model two files", { "model", "info", "a", "b", NULL } },
		{ "bench no group", { "bench", NULL } },
		{ "bench bad group", { "bench", "nosuch", NULL } },
		{ "bench bad option", { "bench", "core", "--fast", NULL } },
		{ "bench regress ratio 0", { "bench", "core", "--regress-ratio", "0", NULL } },
		{ "bench regress ratio abc", { "bench", "core", "--regress-ratio", "abc", NULL } },
		{ "bench config without path", { "bench", "core", "--config", NULL } },
	};

	snprintf(in, sizeof(in), "%s", path_in_dir("u.wav"));
	snprintf(out, sizeof(out), "%s", path_in_dir("u-out.wav"));
	CHECK(write_audio("u.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 1, 4800, MTA_NOISE, 1) == 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct result r = run_args(NULL, cases[i].args);
		check_failed(cases[i].what, &r, out);
		CHECK_MSG(r.status == 2, "%s: exit %d", cases[i].what, r.status);
		result_free(&r);
	}
}

/* ---- errors ------------------------------------------------------------------------------- */

static void expect_denoise_failure(const char *what, const char *in, const char *out,
				   const char *extra1, const char *extra2)
{
	struct result r = extra1 != NULL ? RUN(NULL, "denoise", in, out, extra1, extra2)
					 : RUN(NULL, "denoise", in, out);
	check_failed(what, &r, strcmp(out, runner_dir()) == 0 ? NULL : out); /* a directory stays */
	CHECK_MSG(contains(r.err, "vocana"), "%s: %s", what, r.err);
	result_free(&r);
}

static void test_bad_inputs(void)
{
	char out[600];
	struct mta_params p = { .sf_format = SF_FORMAT_FLAC | SF_FORMAT_PCM_16, .rate_hz = 44100,
				.n_channels = 2, .n_frames = 88200, .signal = MTA_SPEECHLIKE,
				.amplitude = 0.4f, .seed = 3 };
	unsigned char junk[1024];
	unsigned seed = 42;

	snprintf(out, sizeof(out), "%s", path_in_dir("out.wav"));
	expect_denoise_failure("missing file", path_in_dir("missing.wav"), out, NULL, NULL);
	expect_denoise_failure("directory as input", runner_dir(), out, NULL, NULL);

	CHECK(mta_write_bytes(path_in_dir("text.wav"), "this is just text, not a WAV file\n", 34) == 0);
	expect_denoise_failure("text file named .wav", path_in_dir("text.wav"), out, NULL, NULL);

	CHECK(write_audio("good.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 1, 48000, MTA_NOISE, 2) == 0);
	CHECK(mta_truncate_copy(path_in_dir("good.wav"), path_in_dir("trunc-header.wav"), 30) == 0);
	expect_denoise_failure("truncated WAV header", path_in_dir("trunc-header.wav"), out, NULL, NULL);

	/* A FLAC cut in half is no longer an error: like a cut WAV or Ogg, its decoded part is
	 * denoised, with a warning (tests/faults/test_fault_denoise.c). Cut inside its header, it
	 * still is. */
	CHECK(mta_write(path_in_dir("good.flac"), &p) == 0);
	CHECK(mta_truncate_copy(path_in_dir("good.flac"), path_in_dir("trunc.flac"), 20) == 0);
	expect_denoise_failure("truncated FLAC header", path_in_dir("trunc.flac"), out, NULL, NULL);
	expect_denoise_failure("truncated FLAC header to FLAC", path_in_dir("trunc.flac"),
			       path_in_dir("out.flac"), NULL, NULL);

	CHECK(write_audio("zero.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 1, 0, MTA_NOISE, 1) == 0);
	expect_denoise_failure("0-frame WAV", path_in_dir("zero.wav"), out, NULL, NULL);

	CHECK(write_audio("4k.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 4000, 1, 4000, MTA_NOISE, 1) == 0);
	expect_denoise_failure("4000 Hz", path_in_dir("4k.wav"), out, NULL, NULL);

	CHECK(write_audio("100ch.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 100, 480, MTA_NOISE, 1) == 0);
	expect_denoise_failure("100 channels", path_in_dir("100ch.wav"), out, NULL, NULL);

	CHECK(write_audio("10ch.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 10, 480, MTA_NOISE, 1) == 0);
	expect_denoise_failure("10 channels as FLAC", path_in_dir("10ch.wav"), path_in_dir("10ch.flac"),
			       NULL, NULL);

	expect_denoise_failure("strength 101", path_in_dir("good.wav"), out, "--strength", "101");

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)test_rand(&seed);
	memcpy(junk, "VOCANAM1", 8); /* right magic, garbage after it */
	CHECK(mta_write_bytes(path_in_dir("corrupt.vcm"), junk, sizeof(junk)) == 0);
	expect_denoise_failure("corrupt model", path_in_dir("good.wav"), out, "--model",
			       path_in_dir("corrupt.vcm"));
	expect_denoise_failure("missing model", path_in_dir("good.wav"), out, "--model",
			       path_in_dir("missing.vcm"));

	expect_denoise_failure("output in a missing directory", path_in_dir("good.wav"),
			       path_in_dir("no/such/dir/out.wav"), NULL, NULL);
	expect_denoise_failure("output is a directory", path_in_dir("good.wav"), runner_dir(), NULL, NULL);

	/* An unwritable directory: chmod does not stop root, /sys does. */
	if (geteuid() != 0) {
		CHECK(mkdir(path_in_dir("ro"), 0555) == 0);
		expect_denoise_failure("unwritable directory", path_in_dir("good.wav"),
				       path_in_dir("ro/out.wav"), NULL, NULL);
		rmdir(path_in_dir("ro"));
	} else {
		int fd = open("/sys/vocana-probe", O_CREAT | O_WRONLY, 0600);
		if (fd >= 0) {
			close(fd);
			unlink("/sys/vocana-probe");
			fprintf(stderr, "note: /sys is writable here; unwritable-directory case skipped\n");
		} else {
			expect_denoise_failure("unwritable directory", path_in_dir("good.wav"),
					       "/sys/vocana-out.wav", NULL, NULL);
		}
	}

	/* Empty raw stream on stdin. */
	{
		struct result r = RUN(NULL, "denoise", "-", out, "--raw-format", "s16le", "--rate", "48000",
				      "--channels", "1");
		check_failed("empty stdin", &r, out);
		result_free(&r);
	}
	CHECK(!exists(path_in_dir("good.wav.tmp")) && count_temp_files() == 0);
}

/* ---- formats ------------------------------------------------------------------------------ */

struct format_case {
	const char *in_name, *out_name;
	int in_format, out_format;
	uint32_t rate_hz, n_channels;
	size_t n_frames;
	bool quiet;
};

static void check_finite(const char *what, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i])) {
			CHECK_MSG(0, "%s: sample %zu is %g", what, i, x[i]);
			return;
		}
}

static void test_formats(void)
{
	static const struct format_case cases[] = {
		{ "m48.wav", "m48-out.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 0, 48000, 1, 48000, false },
		{ "s44.flac", "s44-out.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 0, 44100, 2, 44100, true },
		{ "m16.ogg", "m16-out.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0, 16000, 1, 24000, true },
		{ "u8.wav", "u8-out.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 0, 22050, 1, 22050, true },
		{ "p24.wav", "p24-out.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 0, 48000, 2, 30000, false },
		{ "f32.aiff", "f32-out.aiff", SF_FORMAT_AIFF | SF_FORMAT_FLOAT, 0, 32000, 3, 16000, true },
		{ "m8k.wav", "m8k-out.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 0, 8000, 1, 8000, true },
		{ "s96.wav", "s96-out.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 0, 96000, 2, 48000, true },
		/* the output extension picks the container */
		{ "conv.wav", "conv-out.flac", SF_FORMAT_WAV | SF_FORMAT_PCM_16,
		  SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 1, 22050, true },
		/* no extension: the input's format */
		{ "noext.flac", "noext-out", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 0, 48000, 1, 9600, true },
		/* a codec cannot move to another container: decoded MP3 and Vorbis become PCM */
		{ "mp3in.mp3", "mp3in-out.wav", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III,
		  SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, 44100, true },
		{ "vorb.ogg", "vorb-out.flac", SF_FORMAT_OGG | SF_FORMAT_VORBIS,
		  SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 48000, 1, 24000, true },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct format_case *fc = &cases[i];
		const char *in = path_in_dir(fc->in_name), *out = path_in_dir(fc->out_name);
		size_t n_in = 0, n_out = 0;
		uint32_t rate = 0, ch = 0;
		int fmt = 0;
		float *y = NULL;
		struct result r;

		CHECK(write_audio(fc->in_name, fc->in_format, fc->rate_hz, fc->n_channels, fc->n_frames,
				  MTA_SPEECHLIKE, 100 + (unsigned)i) == 0);
		/* what the input really holds (Ogg can differ from what was written) */
		CHECK(mta_read(in, NULL, &n_in, NULL, NULL, NULL) == 0);
		r = fc->quiet ? RUN(NULL, "denoise", in, out, "--quiet") : RUN(NULL, "denoise", in, out);
		check_ok(fc->in_name, &r);
		if (fc->quiet)
			CHECK_MSG(r.err_lines == 0, "%s --quiet: %s", fc->in_name, r.err);
		else
			CHECK_MSG(r.err_lines == 1 && contains(r.err, "real-time factor") &&
					  contains(r.err, "speech") && contains(r.err, " s of audio"),
				  "%s summary: %s", fc->in_name, r.err);
		CHECK(r.out_len == 0);
		result_free(&r);
		CHECK_MSG(mta_read(out, &y, &n_out, &rate, &ch, &fmt) == 0, "%s: no readable output",
			  fc->in_name);
		CHECK_MSG(n_out == n_in && rate == fc->rate_hz && ch == fc->n_channels,
			  "%s: output %zu frames %u Hz %u ch, input %zu frames %u Hz %u ch", fc->in_name,
			  n_out, rate, ch, n_in, fc->rate_hz, fc->n_channels);
		CHECK_MSG(fmt == (fc->out_format != 0 ? fc->out_format : fc->in_format),
			  "%s: output format %x", fc->in_name, fmt);
		if (y != NULL)
			check_finite(fc->in_name, y, n_out * ch);
		free(y);
	}
	CHECK(count_temp_files() == 0);
}

/* ---- align -------------------------------------------------------------------------------- */

/* Strength 0 at 48 kHz: the output is the input, sample for sample. */
static void test_strength0_identity(void)
{
	static const struct {
		const char *name;
		int format;
		uint32_t n_channels;
	} cases[] = {
		{ "id-mono.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1 },
		{ "id-stereo.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2 },
	};

	for (size_t i = 0; i < 2; i++) {
		const char *in = path_in_dir(cases[i].name), *out = path_in_dir("id-out.wav");
		float *x = NULL, *y = NULL;
		size_t nx = 0, ny = 0;
		double max_err = 0;
		struct result r;

		CHECK(write_audio(cases[i].name, cases[i].format, 48000, cases[i].n_channels, 48000 + 77,
				  MTA_SPEECHLIKE, 7) == 0);
		r = RUN(NULL, "denoise", in, out, "--strength", "0", "--quiet");
		check_ok(cases[i].name, &r);
		result_free(&r);
		CHECK(mta_read(in, &x, &nx, NULL, NULL, NULL) == 0);
		CHECK(mta_read(out, &y, &ny, NULL, NULL, NULL) == 0);
		CHECK_MSG(nx == ny, "%s: %zu frames in, %zu out", cases[i].name, nx, ny);
		for (size_t k = 0; x != NULL && y != NULL && k < nx * cases[i].n_channels && nx == ny; k++)
			max_err = fmax(max_err, fabs((double)x[k] - y[k]));
		CHECK_MSG(nx == ny && max_err < 1e-4, "%s: strength 0 max |out - in| = %g", cases[i].name,
			  max_err);
		free(x);
		free(y);
		unlink(out);
	}
}

/* Impulses stay where they were (within 2 samples) through resampling. */
static void test_impulse_alignment(void)
{
	static const struct {
		uint32_t rate_hz, n_channels;
		const char *strength;
	} cases[] = {
		{ 44100, 2, "0" }, { 16000, 1, "0" }, { 48000, 1, "0" }, { 22050, 2, "0" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t rate = cases[i].rate_hz, ch = cases[i].n_channels;
		struct mta_params p = { .sf_format = SF_FORMAT_WAV | SF_FORMAT_FLOAT, .rate_hz = rate,
					.n_channels = ch, .n_frames = rate, .signal = MTA_NOISE,
					.amplitude = 0.01f, .seed = 5, .n_impulses = 1,
					.impulse_amp = 0.9f };
		const char *in = path_in_dir("imp.wav"), *out = path_in_dir("imp-out.wav");
		float *y = NULL;
		size_t ny = 0;
		struct result r;

		p.impulse_at[0] = rate / 3 + 11 * i;
		CHECK(mta_write(in, &p) == 0);
		r = RUN(NULL, "denoise", in, out, "--strength", cases[i].strength, "--quiet");
		check_ok("impulse", &r);
		result_free(&r);
		CHECK(mta_read(out, &y, &ny, NULL, NULL, NULL) == 0);
		CHECK_MSG(ny == p.n_frames, "%u Hz: %zu frames, expected %zu", rate, ny, p.n_frames);
		for (uint32_t c = 0; y != NULL && c < ch && ny == p.n_frames; c++) {
			size_t at = test_peak_index(y, ny, ch, c);
			CHECK_MSG(at + 2 >= p.impulse_at[0] && at <= p.impulse_at[0] + 2,
				  "%u Hz ch %u: impulse at %zu, expected %zu", rate, c, at, p.impulse_at[0]);
		}
		free(y);
	}
}

/* ---- raw ---------------------------------------------------------------------------------- */

static void put_s16(unsigned char *p, int v)
{
	p[0] = (unsigned char)((unsigned)v & 0xff);
	p[1] = (unsigned char)(((unsigned)v >> 8) & 0xff);
}

static int get_s16(const unsigned char *p)
{
	int v = p[0] | p[1] << 8;
	return v >= 0x8000 ? v - 0x10000 : v;
}

static void test_raw_streams(void)
{
	const size_t n = 48000 + 5;
	unsigned char *raw = malloc(n * 2 + 3);
	unsigned seed = 99;
	struct result r;
	int max_diff = 0;

	/* s16le 48 kHz mono, stdin -> stdout, strength 0: the same samples back (+-1 LSB) */
	for (size_t i = 0; i < n; i++)
		put_s16(raw + 2 * i, (int)(test_randf(&seed) * 12000.0f));
	CHECK(mta_write_bytes(path_in_dir("in.s16"), raw, n * 2) == 0);
	r = RUN(path_in_dir("in.s16"), "denoise", "-", "-", "--raw-format", "s16le", "--rate", "48000",
		"--channels", "1", "--strength", "0", "--quiet");
	check_ok("raw s16le", &r);
	CHECK_MSG(r.out_len == n * 2, "raw s16le: %zu bytes out, %zu in", r.out_len, n * 2);
	for (size_t i = 0; r.out != NULL && r.out_len == n * 2 && i < n; i++) {
		int d = abs(get_s16((unsigned char *)r.out + 2 * i) - get_s16(raw + 2 * i));
		if (d > max_diff)
			max_diff = d;
	}
	CHECK_MSG(r.out_len == n * 2 && max_diff <= 1, "raw s16le strength 0: max difference %d LSB",
		  max_diff);
	result_free(&r);

	/* f32le 16 kHz stereo at default strength: length kept */
	{
		size_t m = 16000 + 3;
		float *x = malloc(m * 2 * sizeof(float));
		for (size_t i = 0; i < m * 2; i++)
			x[i] = 0.3f * test_randf(&seed);
		CHECK(mta_write_bytes(path_in_dir("in.f32"), x, m * 2 * sizeof(float)) == 0); /* host = LE */
		r = RUN(path_in_dir("in.f32"), "denoise", "-", "-", "--raw-format", "f32le", "--rate",
			"16000", "--channels", "2", "--quiet");
		check_ok("raw f32le", &r);
		CHECK_MSG(r.out_len == m * 2 * sizeof(float), "raw f32le: %zu bytes", r.out_len);
		result_free(&r);

		/* raw in, file out: a float WAV with the stream's rate and channels */
		r = RUN(path_in_dir("in.f32"), "denoise", "-", path_in_dir("from-raw.wav"), "--raw-format",
			"f32le", "--rate", "16000", "--channels", "2", "--quiet");
		check_ok("raw to file", &r);
		result_free(&r);
		{
			size_t k = 0;
			uint32_t rate = 0, ch = 0;
			int fmt = 0;
			CHECK(mta_read(path_in_dir("from-raw.wav"), NULL, &k, &rate, &ch, &fmt) == 0);
			CHECK(k == m && rate == 16000 && ch == 2 && fmt == (SF_FORMAT_WAV | SF_FORMAT_FLOAT));
		}
		free(x);
	}

	/* file in, raw out */
	CHECK(write_audio("to-raw.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 2, 10000,
			  MTA_SPEECHLIKE, 4) == 0);
	r = RUN(NULL, "denoise", path_in_dir("to-raw.flac"), "-", "--raw-format", "s16le", "--quiet");
	check_ok("file to raw", &r);
	CHECK_MSG(r.out_len == 10000 * 2 * 2, "file to raw: %zu bytes", r.out_len);
	result_free(&r);

	/* half a frame at the end: processed, one warning besides the summary */
	put_s16(raw + 2 * n, 5);
	CHECK(mta_write_bytes(path_in_dir("odd.s16"), raw, n * 2 + 1) == 0);
	r = RUN(path_in_dir("odd.s16"), "denoise", "-", "-", "--raw-format", "s16le", "--rate", "48000",
		"--channels", "1");
	check_ok("trailing byte", &r);
	CHECK_MSG(r.err_lines == 2 && contains(r.err, "incomplete") && contains(r.err, "real-time factor"),
		  "trailing byte: %s", r.err);
	CHECK(r.out_len == n * 2);
	result_free(&r);
	free(raw);
}

/* An OUT named *.raw is headerless, in the --raw-format given (and needs one). */
static void test_raw_file_output(void)
{
	const char *in = path_in_dir("rawout.wav"), *out = path_in_dir("rawout.raw");
	struct result r;
	size_t n_in = 0;
	FILE *f;
	long size = -1;

	CHECK(write_audio("rawout.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, 22050,
			  MTA_SPEECHLIKE, 7) == 0);
	CHECK(mta_read(in, NULL, &n_in, NULL, NULL, NULL) == 0);
	r = RUN(NULL, "denoise", in, out, "--quiet");
	CHECK_MSG(r.status == 2 && contains(r.err, "headerless") && contains(r.err, "--raw-format"),
		  "no format: status %d, %s", r.status, r.err);
	result_free(&r);
	CHECK(access(out, F_OK) != 0);
	r = RUN(NULL, "denoise", in, out, "--quiet", "--raw-format", "s16le");
	check_ok("raw file", &r);
	result_free(&r);
	f = fopen(out, "rb");
	if (f != NULL && fseek(f, 0, SEEK_END) == 0)
		size = ftell(f);
	if (f != NULL)
		fclose(f);
	CHECK_MSG(size == (long)(n_in * 2 * 2), "%s: %ld bytes, want %zu", out, size, n_in * 4);
	CHECK(count_temp_files() == 0);
}

/* ---- robust ------------------------------------------------------------------------------- */

static void test_in_place(void)
{
	const char *path = path_in_dir("inplace.wav");
	float *x = NULL, *y = NULL;
	size_t nx = 0, ny = 0;
	double max_err = 0;
	struct result r;

	CHECK(write_audio("inplace.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 1, 24000,
			  MTA_SPEECHLIKE, 8) == 0);
	CHECK(mta_read(path, &x, &nx, NULL, NULL, NULL) == 0);
	r = RUN(NULL, "denoise", path, path, "--strength", "0", "--quiet");
	check_ok("in place", &r);
	result_free(&r);
	CHECK(mta_read(path, &y, &ny, NULL, NULL, NULL) == 0);
	CHECK(nx == ny);
	for (size_t i = 0; x != NULL && y != NULL && i < nx && nx == ny; i++)
		max_err = fmax(max_err, fabs((double)x[i] - y[i]));
	CHECK_MSG(nx == ny && max_err < 1e-4, "in place: max difference %g", max_err);
	CHECK(count_temp_files() == 0);
	free(x);
	free(y);
}

static void test_nonfinite_input(void)
{
	const size_t n = 9600;
	float *x = calloc(n, sizeof(float)), *y = NULL;
	size_t ny = 0;
	struct result r;
	unsigned seed = 6;

	for (size_t i = 0; i < n; i++)
		x[i] = 0.2f * test_randf(&seed);
	x[100] = NAN;
	x[2000] = INFINITY;
	x[2001] = -INFINITY;
	x[5000] = 1e-42f; /* denormal */
	CHECK(mta_write_frames(path_in_dir("nan.wav"), SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, 1, x, n) == 0);
	r = RUN(NULL, "denoise", path_in_dir("nan.wav"), path_in_dir("nan-out.wav"));
	check_ok("NaN input", &r);
	CHECK_MSG(r.err_lines == 2 && contains(r.err, "3 NaN or infinite"), "NaN input: %s", r.err);
	result_free(&r);
	CHECK(mta_read(path_in_dir("nan-out.wav"), &y, &ny, NULL, NULL, NULL) == 0);
	CHECK(ny == n);
	if (y != NULL)
		check_finite("NaN input", y, ny);
	free(y);

	r = RUN(NULL, "denoise", path_in_dir("nan.wav"), path_in_dir("nan-out.wav"), "-q");
	check_ok("NaN input, quiet", &r);
	CHECK(r.err_lines == 0);
	result_free(&r);
	free(x);
}

/* A header claiming 4 GB over 1000 frames: the 1000 frames, no error. */
static void test_absurd_header_length(void)
{
	size_t n = 0;
	uint32_t rate = 0;
	struct result r;

	CHECK(write_audio("huge.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, 1000, MTA_NOISE, 3) == 0);
	CHECK(mta_patch_wav_data_size(path_in_dir("huge.wav"), 0xfffffff0u) == 0);
	r = RUN(NULL, "denoise", path_in_dir("huge.wav"), path_in_dir("huge-out.wav"), "--quiet");
	check_ok("absurd header length", &r);
	result_free(&r);
	CHECK(mta_read(path_in_dir("huge-out.wav"), NULL, &n, &rate, NULL, NULL) == 0);
	CHECK_MSG(n == 1000 && rate == 16000, "absurd header: %zu frames", n);
}

/* Writing to /dev/null writes in place; it must never be renamed over (we may run as root). */
static void test_dev_null_output(void)
{
	struct stat st;
	struct result r;

	CHECK(write_audio("dn.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 1, 4800, MTA_NOISE, 3) == 0);
	r = RUN(NULL, "denoise", path_in_dir("dn.wav"), "/dev/null", "--quiet");
	check_ok("/dev/null output", &r);
	result_free(&r);
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
}

/* Killed while writing: the temporary file goes, nothing is left under the output's name. */
static void test_signal_cleanup(void)
{
	static const int signals[] = { SIGTERM, SIGINT };

	for (size_t k = 0; k < 2; k++) {
		const char *out = path_in_dir("killed.wav");
		unsigned char block[9600] = { 0 };
		double deadline;
		int fds[2], status;
		pid_t pid;
		struct result r;

		memset(&r, 0, sizeof(r));
		CHECK(pipe2(fds, O_CLOEXEC) == 0); /* the child keeps only its dup2'd stdin */
		pid = runner_spawn((const char *const[]){ "denoise", "-", out, "--raw-format", "s16le", "--rate",
						    "48000", "--channels", "1", "--quiet", NULL },
			    NULL, fds[0]);
		close(fds[0]);
		/* some audio, then keep the pipe open so vocana waits for more */
		CHECK(write(fds[1], block, sizeof(block)) == (ssize_t)sizeof(block));
		deadline = now_s() + 20.0;
		while (count_temp_files() == 0 && now_s() < deadline)
			sleep_ms(5);
		CHECK_MSG(count_temp_files() == 1, "signal %d: temporary output never appeared", signals[k]);
		kill(pid, signals[k]);
		status = runner_wait(pid, RUN_TIMEOUT_S);
		close(fds[1]);
		runner_collect(&r, status);
		CHECK_MSG(status == 128 + signals[k], "signal %d: status %d (%s)", signals[k], status, r.err);
		CHECK_MSG(!exists(out) && count_temp_files() == 0, "signal %d: files left behind",
			  signals[k]);
		result_free(&r);
	}
}

/* ---- model -------------------------------------------------------------------------------- */

static void test_model_info(void)
{
	struct result r;
	unsigned char junk[512];
	unsigned seed = 17;

	r = RUN(NULL, "model", "info");
	check_ok("model info", &r);
	CHECK_MSG(contains(r.out, "hparams:") && contains(r.out, "n_erb=32") &&
			  contains(r.out, "parameters:") && contains(r.out, "built-in"),
		  "model info: %s", r.out);
	CHECK(r.err_lines == 0);
	result_free(&r);

	if (model_file != NULL && access(model_file, R_OK) == 0) {
		r = RUN(NULL, "model", "info", model_file);
		check_ok("model info FILE", &r);
		CHECK_MSG(contains(r.out, "VOCANAM1 version 1") && contains(r.out, "architecture:  1 (vdfl)") &&
				  contains(r.out, "enc_erb.weight") && contains(r.out, "parameters:"),
			  "model info FILE: %s", r.out);
		result_free(&r);
	} else {
		fprintf(stderr, "note: no model file (%s); 'model info FILE' success case skipped\n",
			model_file != NULL ? model_file : "none given");
	}

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)test_rand(&seed);
	CHECK(mta_write_bytes(path_in_dir("bad.vcm"), junk, sizeof(junk)) == 0);
	r = RUN(NULL, "model", "info", path_in_dir("bad.vcm"));
	check_failed("model info corrupt", &r, NULL);
	CHECK(contains(r.err, "bad.vcm") && r.out_len == 0);
	result_free(&r);

	r = RUN(NULL, "model", "info", path_in_dir("missing.vcm"));
	check_failed("model info missing", &r, NULL);
	CHECK(contains(r.err, "No such file"));
	result_free(&r);
}

/* ---- bench -------------------------------------------------------------------------------- */

static unsigned count_occurrences(const char *s, const char *needle)
{
	unsigned n = 0;

	for (const char *p = s; p != NULL && (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Every result object has these fields (the JSON writes them in one line per result). */
static void check_result_fields(const char *what, const char *json)
{
	static const char *const fields[] = { "\"median\": ", "\"min\": ", "\"max\": ", "\"p99\": ",
					      "\"repeats\": ", "\"target\": ", "\"status\": " };
	unsigned n = count_occurrences(json, "{\"name\": ");

	CHECK_MSG(n >= 2, "%s: %u results: %s", what, n, json);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		CHECK_MSG(count_occurrences(json, fields[i]) == n, "%s: %s in %u of %u results",
			  what, fields[i], count_occurrences(json, fields[i]), n);
}

static void test_bench(void)
{
	struct result r;

	r = RUN(NULL, "bench", "core", "--quick", "--json");
	check_ok("bench core --json", &r);
	CHECK_MSG(json_is_valid(r.out), "bench json does not parse: %s", r.out);
	CHECK_MSG(r.out != NULL && r.out[0] == '{' && contains(r.out, "\"group\": \"core\"") &&
			  contains(r.out, "\"failed\": 0") && count_occurrences(r.out, "\"median\": ") >= 2 &&
			  contains(r.out, "\"name\": \"ring") && contains(r.out, "\"name\": \"stft") &&
			  contains(r.out, "\"pass\": true"),
		  "bench json: %s", r.out);
	check_result_fields("bench core --json", r.out);
	result_free(&r);

	r = RUN(NULL, "bench", "core", "--quick");
	check_ok("bench core", &r);
	CHECK(contains(r.out, "median") && contains(r.out, "p99") && contains(r.out, "repeats") &&
	      contains(r.out, "target") && contains(r.out, "status") && contains(r.out, "PASS"));
	result_free(&r);
}

/* A small file's text, NUL-terminated ("" if it cannot be read). */
static void read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;

	if (f)
		fclose(f);
	buf[n] = '\0';
}

/* --baseline: the first run saves, the next compares by ratio; a baseline far faster than this
 * machine can be makes the run fail with a regression. */
static void test_bench_baseline(void)
{
	/* Only the figures named here are compared; ring.one_thread can never take 1e-9 ns/sample. */
	static const char fast_baseline[] =
		"{\"group\": \"core\", \"results\": [\n"
		"  {\"name\": \"ring.one_thread\", \"unit\": \"ns/sample\", \"median\": 1e-9, \"min\": 0},\n"
		"  {\"name\": \"not.a.figure\", \"unit\": \"ms\", \"median\": null}\n"
		"]}\n";
	char base[600], cfg[600], text[16384];
	struct result r;

	snprintf(base, sizeof(base), "%s", path_in_dir("baseline.json"));
	snprintf(cfg, sizeof(cfg), "%s", path_in_dir("empty.conf"));
	CHECK(mta_write_bytes(cfg, "# defaults\n", 11) == 0);
	unlink(base);
	r = RUN(NULL, "bench", "core", "--quick", "--config", cfg, "--baseline", base);
	check_ok("bench --baseline (first run)", &r);
	CHECK_MSG(contains(r.err, "saved"), "first run: %s", r.err);
	result_free(&r);
	CHECK(exists(base));
	read_text(base, text, sizeof(text));
	CHECK_MSG(json_is_valid(text), "saved baseline does not parse: %s", text);
	CHECK(contains(text, "\"name\": \"ring.one_thread\""));

	/* Second run: compared, not overwritten. Any ratio passes with a huge allowed ratio (the
	 * figures of a loaded machine vary by far more than 25 %). */
	r = RUN(NULL, "bench", "core", "--quick", "--config", cfg, "--baseline", base,
		"--regress-ratio", "1e9", "--json");
	check_ok("bench --baseline (compare)", &r);
	CHECK_MSG(json_is_valid(r.out), "compare json: %s", r.out);
	CHECK_MSG(count_occurrences(r.out, "\"ratio\": ") >= 4 &&
			  count_occurrences(r.out, "\"regression\": false") >= 4 &&
			  !contains(r.out, "\"regression\": true") && contains(r.out, "\"regressions\": 0"),
		  "compare: %s", r.out);
	result_free(&r);

	CHECK(mta_write_bytes(base, fast_baseline, sizeof(fast_baseline) - 1) == 0);
	r = RUN(NULL, "bench", "core", "--quick", "--config", cfg, "--baseline", base);
	CHECK_MSG(r.status == 1, "regression: exit %d, stderr %s", r.status, r.err);
	CHECK_MSG(contains(r.err, "regression: ring.one_thread"), "regression: %s", r.err);
	CHECK(contains(r.out, "REGRESSION") && contains(r.out, "FAIL"));
	result_free(&r);

	/* A file that is not a bench document: refused, and left as it was. */
	CHECK(mta_write_bytes(base, "[1, 2]\n", 7) == 0);
	r = RUN(NULL, "bench", "core", "--quick", "--baseline", base);
	check_failed("bench unreadable baseline", &r, NULL);
	CHECK(contains(r.err, "baseline"));
	result_free(&r);
	read_text(base, text, sizeof(text));
	CHECK(strcmp(text, "[1, 2]\n") == 0);
}

/* The targets come from vocana.conf (--config PATH): an impossible one fails the run, naming it. */
static void test_bench_targets(void)
{
	static const char impossible[] = "strength = 80\ntarget.frame_time_us = 0.001\n";
	static const char bad[] = "# ok\ntarget.rtf = fast\n";
	char cfg[600];
	struct result r;

	snprintf(cfg, sizeof(cfg), "%s", path_in_dir("impossible.conf"));
	CHECK(mta_write_bytes(cfg, impossible, sizeof(impossible) - 1) == 0);
	r = RUN(NULL, "bench", "model", "--quick", "--config", cfg);
	CHECK_MSG(r.status == 1, "impossible target: exit %d, stderr %s", r.status, r.err);
	CHECK_MSG(contains(r.out, "missed") && contains(r.err, "missed the target frame_time_us"),
		  "impossible target: out %s err %s", r.out, r.err);
	CHECK(contains(r.out, "FAIL"));
	result_free(&r);

	r = RUN(NULL, "bench", "model", "--quick", "--config", cfg, "--json");
	CHECK(r.status == 1);
	CHECK_MSG(json_is_valid(r.out), "model json: %s", r.out);
	CHECK(contains(r.out, "\"status\": \"missed\"") || contains(r.out, "\"status\": \"alert\""));
	CHECK(contains(r.out, "\"target_key\": \"frame_time_us\"") && contains(r.out, "\"pass\": false"));
	check_result_fields("bench model --json", r.out);
	result_free(&r);

	snprintf(cfg, sizeof(cfg), "%s", path_in_dir("bad.conf"));
	CHECK(mta_write_bytes(cfg, bad, sizeof(bad) - 1) == 0);
	r = RUN(NULL, "bench", "core", "--quick", "--config", cfg);
	check_failed("bench bad config", &r, NULL);
	CHECK_MSG(contains(r.err, "line 2: target.rtf"), "bad config: %s", r.err);
	result_free(&r);

	r = RUN(NULL, "bench", "core", "--quick", "--config", path_in_dir("missing.conf"));
	check_failed("bench missing config", &r, NULL);
	result_free(&r);
}

/* ---- driver ------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	const char *group;

	if (argc < 3) {
		fprintf(stderr, "usage: %s VOCANA GROUP [MODEL_FILE]\n", argv[0]);
		return EXIT_FAILURE;
	}
	group = argv[2];
	model_file = argc > 3 ? argv[3] : NULL;
	if (runner_init(argv[1]) < 0)
		return EXIT_FAILURE;
	/* A broken pipe to a dead child must fail a check, not kill the test. */
	signal(SIGPIPE, SIG_IGN);

	if (strcmp(group, "basic") == 0) {
		RUN_TEST(test_help_and_version);
		RUN_TEST(test_unknown_command);
		RUN_TEST(test_usage_errors);
	} else if (strcmp(group, "errors") == 0) {
		RUN_TEST(test_bad_inputs);
	} else if (strcmp(group, "formats") == 0) {
		RUN_TEST(test_formats);
	} else if (strcmp(group, "align") == 0) {
		RUN_TEST(test_strength0_identity);
		RUN_TEST(test_impulse_alignment);
	} else if (strcmp(group, "raw") == 0) {
		RUN_TEST(test_raw_streams);
		RUN_TEST(test_raw_file_output);
	} else if (strcmp(group, "robust") == 0) {
		RUN_TEST(test_in_place);
		RUN_TEST(test_nonfinite_input);
		RUN_TEST(test_absurd_header_length);
		RUN_TEST(test_dev_null_output);
		RUN_TEST(test_signal_cleanup);
	} else if (strcmp(group, "model") == 0) {
		RUN_TEST(test_model_info);
	} else if (strcmp(group, "bench") == 0) {
		RUN_TEST(test_bench);
		RUN_TEST(test_bench_baseline);
		RUN_TEST(test_bench_targets);
	} else {
		fprintf(stderr, "unknown group '%s'\n", group);
		test_failures++;
	}
	runner_cleanup();
	return test_finish();
}
