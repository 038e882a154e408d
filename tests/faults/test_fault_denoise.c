/* SPDX-License-Identifier: MIT */
/*
 * 'vocana denoise' and the other file-taking commands under faults (issue #13, items 4 and 10;
 * docs/reliability.md), on files written here with libsndfile:
 *   - a WAV, FLAC or Ogg cut short: every format succeeds alike, with the audio that is there, and
 *     one warning naming the decoded length (and the announced one where the header has it);
 *     complete files get no such warning;
 *   - SIGQUIT while writing removes the temporary output, as SIGTERM does;
 *   - a FIFO as the model, the bench baseline or the monitor's settings file is refused at once
 *     (nothing writes to it: opening it the plain way would wait forever);
 *   - a corrupt Ogg fails with one line, and (under ASan) leak checking stays on: only libvorbis's
 *     own leak on such files is suppressed (tests/lsan.supp).
 *
 *   test_fault_denoise VOCANA
 */
#include <fcntl.h>
#include <signal.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_runner.h"
#include "make_test_audio.h"
#include "test_util.h"

#define RATE 16000
#define N_FRAMES 32000 /* 2 s */

static int write_signal(const char *name, int format)
{
	struct mta_params p = { .sf_format = format, .rate_hz = RATE, .n_channels = 1,
				.n_frames = N_FRAMES, .signal = MTA_SPEECHLIKE, .amplitude = 0.4f,
				.seed = 7 };

	return mta_write(path_in_dir(name), &p);
}

static size_t frames_of(const char *path)
{
	size_t n = 0;

	if (mta_read(path, NULL, &n, NULL, NULL, NULL) < 0)
		return 0;
	return n;
}

static unsigned count_lines(const char *s, const char *needle)
{
	unsigned n = 0;

	for (const char *p = s; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Denoise in (a cut file) and expect success, the audio decoded, and one warning with want. */
static void expect_truncated(const char *what, const char *in, const char *want)
{
	char out[600];
	struct result r;
	size_t n;

	snprintf(out, sizeof(out), "%s", path_in_dir("trunc-out.wav"));
	r = RUN(NULL, "denoise", in, out);
	CHECK_MSG(r.status == 0, "%s: exit %d: %s", what, r.status, r.err);
	CHECK_MSG(count_lines(r.err, "vocana: warning:") == 1 && contains(r.err, want),
		  "%s: stderr: %s", what, r.err);
	CHECK_MSG(contains(r.err, "the output has those"), "%s: no decoded length: %s", what, r.err);
	n = frames_of(out);
	CHECK_MSG(n > 0 && n < N_FRAMES, "%s: output of %zu frames", what, n);
	fprintf(stderr, "# %s: %s", what, strstr(r.err, "warning:") ? strstr(r.err, "warning:") : r.err);
	result_free(&r);
	unlink(out);
}

static void expect_complete(const char *what, const char *in)
{
	struct result r = RUN(NULL, "denoise", in, path_in_dir("whole-out.wav"));

	CHECK_MSG(r.status == 0 && !contains(r.err, "truncated"), "%s: exit %d: %s", what, r.status,
		  r.err);
	CHECK_MSG(frames_of(path_in_dir("whole-out.wav")) == N_FRAMES, "%s: output length", what);
	result_free(&r);
}

/* The offset of the last Ogg page ("OggS" capture pattern) in path, or -1. */
static long last_ogg_page(const char *path)
{
	long size = mta_file_size(path), last = -1;
	FILE *f = fopen(path, "rb");
	unsigned char *buf;

	if (f == NULL || size <= 0)
		return -1;
	buf = malloc((size_t)size);
	if (buf != NULL && fread(buf, 1, (size_t)size, f) == (size_t)size)
		for (long i = 0; i + 4 <= size; i++)
			if (memcmp(buf + i, "OggS", 4) == 0)
				last = i;
	free(buf);
	fclose(f);
	return last;
}

static void test_truncated(void)
{
	long wav = 0, flac = 0, ogg = 0, page;

	CHECK(write_signal("whole.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16) == 0);
	CHECK(write_signal("whole.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16) == 0);
	CHECK(write_signal("whole.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS) == 0);
	wav = mta_file_size(path_in_dir("whole.wav"));
	flac = mta_file_size(path_in_dir("whole.flac"));
	ogg = mta_file_size(path_in_dir("whole.ogg"));
	expect_complete("complete WAV", path_in_dir("whole.wav"));
	expect_complete("complete FLAC", path_in_dir("whole.flac"));
	expect_complete("complete Ogg", path_in_dir("whole.ogg"));

	CHECK(mta_truncate_copy(path_in_dir("whole.wav"), path_in_dir("cut.wav"), (size_t)wav / 2) == 0);
	expect_truncated("WAV cut in half", path_in_dir("cut.wav"), "of the 2.00 s (32000 frames) its header announces");
	CHECK(mta_truncate_copy(path_in_dir("whole.flac"), path_in_dir("cut.flac"), (size_t)flac / 2) == 0);
	expect_truncated("FLAC cut in half", path_in_dir("cut.flac"), "of the 2.00 s (32000 frames) its header announces");
	CHECK(mta_truncate_copy(path_in_dir("whole.ogg"), path_in_dir("cut.ogg"), (size_t)ogg * 2 / 3) == 0);
	expect_truncated("Ogg cut inside a page", path_in_dir("cut.ogg"), "ends inside an Ogg page");
	/* Cut exactly before the last page: every page whole, but the end-of-stream mark missing. */
	page = last_ogg_page(path_in_dir("whole.ogg"));
	CHECK(page > 0);
	CHECK(mta_truncate_copy(path_in_dir("whole.ogg"), path_in_dir("cut-page.ogg"), (size_t)page) == 0);
	expect_truncated("Ogg cut between pages", path_in_dir("cut-page.ogg"), "has no end mark");
}

/* SIGQUIT while the output is being written: no temporary file is left (as for SIGTERM). */
static void test_sigquit_cleanup(void)
{
	const char *out = path_in_dir("quit.wav");
	unsigned char block[9600] = { 0 };
	struct result r;
	double deadline;
	int fds[2], status;
	pid_t pid;

	memset(&r, 0, sizeof(r));
	CHECK(pipe2(fds, O_CLOEXEC) == 0);
	pid = runner_spawn((const char *const[]){ "denoise", "-", out, "--raw-format", "s16le", "--rate",
					    "48000", "--channels", "1", "--quiet", NULL },
			   NULL, fds[0]);
	close(fds[0]);
	CHECK(write(fds[1], block, sizeof(block)) == (ssize_t)sizeof(block));
	deadline = now_s() + 20.0;
	while (count_temp_files() == 0 && now_s() < deadline)
		sleep_ms(5);
	CHECK_MSG(count_temp_files() == 1, "the temporary output never appeared");
	kill(pid, SIGQUIT);
	status = runner_wait(pid, RUN_TIMEOUT_S);
	close(fds[1]);
	runner_collect(&r, status);
	CHECK_MSG(status == 128 + SIGQUIT, "status %d (%s)", status, r.err);
	CHECK_MSG(!exists(out) && count_temp_files() == 0, "SIGQUIT left files behind");
	result_free(&r);
}

/* A command given a FIFO nobody writes to: refused within seconds, one line, exit 1. */
static void expect_fifo_refused(const char *what, const char *const *args, const char *want)
{
	double t0 = now_s();
	struct result r = run_args(NULL, args);

	CHECK_MSG(r.status == 1 && now_s() - t0 < 10.0, "%s: exit %d after %.1f s: %s", what,
		  r.status, now_s() - t0, r.err);
	CHECK_MSG(contains(r.err, want), "%s: %s", what, r.err);
	result_free(&r);
}

static void test_fifos(void)
{
	char fifo[600], wav[600], env_dir[600];

	snprintf(fifo, sizeof(fifo), "%s", path_in_dir("fifo"));
	snprintf(wav, sizeof(wav), "%s", path_in_dir("whole.wav"));
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK(write_signal("whole.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16) == 0);
	expect_fifo_refused("FIFO model", (const char *const[]){ "denoise", "--model", fifo, wav,
		path_in_dir("o.wav"), NULL }, "cannot load model");
	expect_fifo_refused("FIFO model info", (const char *const[]){ "model", "info", fifo, NULL },
			    "");
	expect_fifo_refused("FIFO bench baseline", (const char *const[]){ "bench", "core", "--quick",
		"--baseline", fifo, NULL }, "not a regular file");
	expect_fifo_refused("FIFO bench targets", (const char *const[]){ "bench", "core", "--quick",
		"--config", fifo, NULL }, "not a regular file");
	/* The monitor reads its targets before it looks for a service. */
	snprintf(env_dir, sizeof(env_dir), "%s", path_in_dir("run"));
	mkdir(env_dir, 0700);
	setenv("XDG_RUNTIME_DIR", env_dir, 1);
	expect_fifo_refused("FIFO monitor settings", (const char *const[]){ "monitor", "--once",
		"--config", fifo, NULL }, "not a regular file");
}

/* libvorbis leaks its vorbis_info when a stream's headers are corrupt; the suppression for that
 * (tests/lsan.supp) keeps leak checking on for everything else. */
static void test_corrupt_ogg(void)
{
	long size;
	FILE *f;
	unsigned char *buf;
	unsigned seed = 11;
	struct result r;

	CHECK(write_signal("whole.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS) == 0);
	size = mta_file_size(path_in_dir("whole.ogg"));
	buf = malloc((size_t)size);
	f = fopen(path_in_dir("whole.ogg"), "rb");
	CHECK(buf != NULL && f != NULL && fread(buf, 1, (size_t)size, f) == (size_t)size);
	if (f)
		fclose(f);
	/* Damage the header pages (the first few KiB) the way a bad download does. */
	for (int i = 0; i < 40 && buf != NULL; i++) {
		long at = 60 + (long)(test_rand(&seed) % (unsigned)(size < 4000 ? size - 60 : 4000));

		buf[at] ^= 0xff;
	}
	CHECK(mta_write_bytes(path_in_dir("corrupt.ogg"), buf, (size_t)size) == 0);
	free(buf);
	r = RUN(NULL, "denoise", path_in_dir("corrupt.ogg"), path_in_dir("corrupt-out.wav"));
	CHECK_MSG((r.status == 1 && r.err_lines == 1) || (r.status == 0 && contains(r.err, "warning")),
		  "corrupt Ogg: exit %d: %s", r.status, r.err);
	CHECK_MSG(!contains(r.err, "LeakSanitizer"), "a leak: %s", r.err);
	fprintf(stderr, "# corrupt Ogg: exit %d: %s", r.status, r.err);
	result_free(&r);
}

int main(int argc, char **argv)
{
	if (argc != 2 || runner_init(argv[1]) < 0) {
		fprintf(stderr, "usage: test_fault_denoise VOCANA\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	RUN_TEST(test_truncated);
	RUN_TEST(test_sigquit_cleanup);
	RUN_TEST(test_fifos);
	RUN_TEST(test_corrupt_ogg);
	runner_cleanup();
	return test_finish();
}
