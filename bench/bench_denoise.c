/* SPDX-License-Identifier: MIT */
/*
 * Whole-denoiser benchmarks through the public API, on the embedded default model:
 *   denoiser.frame.<isa>   time of one 480-sample vocana_denoiser_process() call (us/frame):
 *                          STFT, features, network, gains, deep filter, iSTFT — everything a
 *                          real-time caller pays per 10 ms;
 *   denoiser.rtf.<isa>     real-time factor over 60 s of noisy speech-like audio (compute time /
 *                          audio time; 0.01 = 1 % of one core), one value per second of audio,
 *                          so the median is over 60 repeats;
 *   denoiser.algo_latency  the denoiser's constant delay, from vocana_denoiser_latency_samples(),
 *                          in ms: at its own 480-sample block (the model's algorithmic latency) and
 *                          denoiser.algo_latency.b256 at a 256-sample block (a PipeWire quantum).
 * The input is a harmonic "voice" with a moving pitch plus noise, so the network sees realistic
 * magnitudes; the cost does not depend on the content (no data-dependent branches).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "vocana/vocana.h"
#include "vocana/vocana_dev.h"

#define BENCH_DN_SECONDS 60
#define BENCH_DN_QUICK_SECONDS 3
#define BENCH_DN_WARMUP_FRAMES 50
#define BENCH_DN_RTF_BLOCK_FRAMES (VOCANA_SAMPLE_RATE / VOCANA_FRAME_SIZE) /* one second */

static void make_input(float *x, size_t n)
{
	unsigned seed = 12345;
	double phase = 0.0;
	for (size_t i = 0; i < n; i++) {
		double f0 = 140.0 + 40.0 * sin(2.0 * M_PI * 0.5 * (double)i / VOCANA_SAMPLE_RATE);
		phase += 2.0 * M_PI * f0 / VOCANA_SAMPLE_RATE;
		double v = 0.0;
		for (int h = 1; h <= 20; h++)
			v += sin(phase * h) / h;
		seed = seed * 1664525u + 1013904223u;
		double noise = ((seed >> 8) / 16777216.0 - 0.5) * 0.1;
		x[i] = (float)(0.1 * v + noise);
	}
}

/* Names are string literals: the emitter may keep the pointers. */
static const char *stat_name(const char *isa, int rtf)
{
	if (strcmp(isa, "avx2") == 0)
		return rtf ? "denoiser.rtf.avx2" : "denoiser.frame.avx2";
	if (strcmp(isa, "neon") == 0)
		return rtf ? "denoiser.rtf.neon" : "denoiser.frame.neon";
	return rtf ? "denoiser.rtf.c" : "denoiser.frame.c";
}

static int run_isa(const char *isa, const float *x, size_t n_frames, double *frame_us,
		   bench_emit_fn emit, void *ctx)
{
	int res = vocana_dev_force_isa(isa);
	if (res < 0)
		return 0; /* this CPU or build lacks the kernel set: nothing to report */
	struct vocana_denoiser *d = NULL;
	res = vocana_denoiser_create(NULL, VOCANA_FRAME_SIZE, &d);
	vocana_dev_force_isa(NULL);
	if (res < 0)
		return res;
	float out[VOCANA_FRAME_SIZE];
	for (size_t f = 0; f < BENCH_DN_WARMUP_FRAMES; f++)
		vocana_denoiser_process(d, x + f * VOCANA_FRAME_SIZE, out, VOCANA_FRAME_SIZE);
	vocana_denoiser_reset(d);

	for (size_t f = 0; f < n_frames; f++) {
		double t0 = bench_now_us();
		vocana_denoiser_process(d, x + f * VOCANA_FRAME_SIZE, out, VOCANA_FRAME_SIZE);
		frame_us[f] = bench_now_us() - t0;
	}
	vocana_denoiser_destroy(d);

	/* RTF per second of audio: the median over those seconds, and their spread. */
	size_t n_blocks = n_frames / BENCH_DN_RTF_BLOCK_FRAMES;
	double *rtf = malloc((n_blocks ? n_blocks : 1) * sizeof(double));
	if (rtf == NULL)
		return -ENOMEM;
	const double block_audio_us = BENCH_DN_RTF_BLOCK_FRAMES * VOCANA_FRAME_SIZE * 1e6 / VOCANA_SAMPLE_RATE;
	for (size_t b = 0; b < n_blocks; b++) {
		double sum = 0.0;
		for (size_t f = 0; f < BENCH_DN_RTF_BLOCK_FRAMES; f++)
			sum += frame_us[b * BENCH_DN_RTF_BLOCK_FRAMES + f];
		rtf[b] = sum / block_audio_us;
	}
	struct bench_stat rs = { .name = stat_name(isa, 1), .unit = "x realtime",
				 .repeats = (unsigned)n_blocks };
	bench_summarize(&rs, rtf, n_blocks);
	free(rtf);
	struct bench_stat fs = { .name = stat_name(isa, 0), .unit = "us/frame",
				 .repeats = (unsigned)n_frames };
	bench_summarize(&fs, frame_us, n_frames);
	emit(ctx, &fs);
	emit(ctx, &rs);
	return 0;
}

int bench_denoise(bench_emit_fn emit, void *ctx, int quick)
{
	size_t seconds = quick ? BENCH_DN_QUICK_SECONDS : BENCH_DN_SECONDS;
	size_t n_frames = seconds * VOCANA_SAMPLE_RATE / VOCANA_FRAME_SIZE;
	float *x = malloc(n_frames * VOCANA_FRAME_SIZE * sizeof(float));
	double *frame_us = malloc(n_frames * sizeof(double));
	int res = 0;
	if (!x || !frame_us) {
		res = -ENOMEM;
		goto out;
	}
	make_input(x, n_frames * VOCANA_FRAME_SIZE);
	static const char *const isas[] = { "c", "avx2", "neon" };
	for (size_t i = 0; i < sizeof(isas) / sizeof(isas[0]) && res == 0; i++)
		res = run_isa(isas[i], x, n_frames, frame_us, emit, ctx);
out:
	free(x);
	free(frame_us);
	return res;
}

/* A constant, not a timing: one "repeat", reported like every figure so it can be judged. */
static int emit_latency(const char *name, uint32_t block_size, bench_emit_fn emit, void *ctx)
{
	struct vocana_denoiser *d = NULL;
	int res = vocana_denoiser_create(NULL, block_size, &d);
	if (res < 0)
		return res;
	double ms = 1e3 * vocana_denoiser_latency_samples(d) / VOCANA_SAMPLE_RATE;
	vocana_denoiser_destroy(d);
	struct bench_stat st = { name, "ms", ms, ms, ms, ms, 1 };
	emit(ctx, &st);
	return 0;
}

int bench_algo_latency(bench_emit_fn emit, void *ctx, int quick)
{
	(void)quick;
	int res = emit_latency("denoiser.algo_latency", VOCANA_FRAME_SIZE, emit, ctx);
	if (res == 0)
		res = emit_latency("denoiser.algo_latency.b256", 256, emit, ctx);
	return res;
}
