/* SPDX-License-Identifier: MIT */
/*
 * denoise.file.rtf: real-time factor of `vocana denoise` on a 60 s file, end to end (decode,
 * denoise, encode, atomic rename), run in-process exactly as the command runs. The file is a
 * 44.1 kHz stereo FLAC so resampling and two channels are included, as a user's recording
 * would have them. Median of 3 runs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <sndfile.h>

#include "cli/bench/bench_file.h"
#include "cli/cli.h"
#include "io/audio_file.h"

#define BENCH_FILE_SECONDS 60
#define BENCH_FILE_QUICK_SECONDS 3
#define BENCH_FILE_RATE 44100
#define BENCH_FILE_CHANNELS 2
#define BENCH_FILE_REPEATS 3

static int write_input(const char *path, size_t seconds)
{
	const struct audio_spec spec = { BENCH_FILE_RATE, BENCH_FILE_CHANNELS,
					 SF_FORMAT_FLAC | SF_FORMAT_PCM_16, AUDIO_RAW_NONE };
	char err[256];
	struct audio_writer *w = NULL;
	int res = audio_writer_open(&w, path, &spec, err, sizeof(err));
	if (res < 0)
		return res;
	float block[2 * 4410];
	unsigned seed = 1;
	double phase = 0.0;
	for (size_t b = 0; b < seconds * 10 && res == 0; b++) {
		for (size_t i = 0; i < 4410; i++) {
			phase += 2.0 * M_PI * 150.0 / BENCH_FILE_RATE;
			seed = seed * 1664525u + 1013904223u;
			float noise = (float)((seed >> 8) / 16777216.0 - 0.5) * 0.1f;
			float voice = (float)(0.2 * sin(phase) + 0.1 * sin(3.0 * phase));
			block[2 * i] = voice + noise;
			block[2 * i + 1] = 0.5f * voice + noise;
		}
		res = audio_writer_write(w, block, 4410);
	}
	if (res < 0) {
		audio_writer_abort(w);
		return res;
	}
	return audio_writer_commit(w, err, sizeof(err));
}

int bench_denoise_file(bench_emit_fn emit, void *ctx, int quick)
{
	char dir[] = "/tmp/vocana-bench-XXXXXX";
	if (!mkdtemp(dir))
		return -errno;
	char in[64], out[64];
	snprintf(in, sizeof(in), "%s/in.flac", dir);
	snprintf(out, sizeof(out), "%s/out.flac", dir);
	size_t seconds = quick ? BENCH_FILE_QUICK_SECONDS : BENCH_FILE_SECONDS;
	int res = write_input(in, seconds);
	double rtf[BENCH_FILE_REPEATS];
	unsigned n = 0;
	for (; res == 0 && n < BENCH_FILE_REPEATS; n++) {
		char *argv[] = { "denoise", in, out, "--quiet", NULL };
		double t0 = cli_now_s();
		if (cmd_denoise(4, argv) != CLI_EXIT_OK)
			res = -EIO;
		rtf[n] = (cli_now_s() - t0) / (double)seconds;
	}
	unlink(in);
	unlink(out);
	rmdir(dir);
	if (res < 0)
		return res;
	struct bench_stat s = { .name = "denoise.file.rtf", .unit = "x realtime", .repeats = n };
	bench_summarize(&s, rtf, n);
	emit(ctx, &s);
	return 0;
}
