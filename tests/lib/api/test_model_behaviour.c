/* SPDX-License-Identifier: MIT */
/* What a user hears from the embedded default model, measured through the public API:
 * strength: equal steps of strength are equal steps of attenuation in dB (scaled from the model's
 * own suppression), from exactly none at 0 to the model's full suppression at 100;
 * warm-up: noise after a second of digital silence in a stream (a mute) is suppressed to within
 * 3 dB of the steady state within 100 ms. */
#include <math.h>
#include <stdlib.h>

#include "test_util.h"
#include "vocana/vocana.h"

#define SR 48000
#define HOP 480

/* Pink-ish noise (white through a one-pole low-pass mixed with white) at a given RMS. */
static void make_noise(float *x, size_t n, float rms, unsigned seed, int pink)
{
	double lp = 0.0, acc = 0.0;
	for (size_t i = 0; i < n; i++) {
		double w = test_randf(&seed); /* uniform in [-1, 1): no DC */
		lp = 0.98 * lp + 0.02 * w;
		x[i] = (float)(pink ? 0.3 * w + 6.0 * lp : w);
		acc += (double)x[i] * x[i];
	}
	double scale = rms / sqrt(acc / (double)n);
	for (size_t i = 0; i < n; i++)
		x[i] = (float)(x[i] * scale);
}

static double rms_of(const float *x, size_t n)
{
	double acc = 0.0;
	for (size_t i = 0; i < n; i++)
		acc += (double)x[i] * x[i];
	return sqrt(acc / (double)(n ? n : 1));
}

/* Output for input x at a strength, from a fresh denoiser, aligned with the input (latency removed). */
static void denoise(const float *x, float *y, size_t n, int strength)
{
	struct vocana_denoiser *d = NULL;
	CHECK(vocana_denoiser_create(NULL, HOP, &d) == 0);
	if (!d)
		return;
	CHECK(vocana_denoiser_set_strength(d, strength) == 0);
	vocana_denoiser_reset(d); /* start at this strength instead of gliding to it */
	uint32_t lat = vocana_denoiser_latency_samples(d);
	float *tmp = calloc(n + lat + HOP, sizeof(float));
	float *pad = calloc(n + lat + HOP, sizeof(float));
	if (tmp && pad) {
		size_t total = (n + lat + HOP - 1) / HOP * HOP;
		for (size_t i = 0; i < n; i++)
			pad[i] = x[i];
		CHECK(vocana_denoiser_process(d, pad, tmp, total) == 0);
		for (size_t i = 0; i < n; i++)
			y[i] = tmp[i + lat];
	}
	free(tmp);
	free(pad);
	vocana_denoiser_destroy(d);
}

static void check_strength_steps(int pink)
{
	const size_t n = 4 * SR, tail = 2 * SR;
	float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float));
	double atten[11];
	if (!x || !y)
		goto out;
	make_noise(x, n, 0.03f, 77u + (unsigned)pink, pink);
	const double in_rms = rms_of(x + n - tail, tail);
	for (int s = 0; s <= 100; s += 10) {
		denoise(x, y, n, s);
		atten[s / 10] = 20.0 * log10(in_rms / rms_of(y + n - tail, tail));
	}
	const double full = atten[10];
	fprintf(stderr, "%s noise, attenuation (dB) at strength 0..100:", pink ? "pink" : "white");
	for (int i = 0; i <= 10; i++)
		fprintf(stderr, " %.1f", atten[i]);
	fputc('\n', stderr);
	CHECK_MSG(fabs(atten[0]) < 0.05, "strength 0 changes the level by %.2f dB", atten[0]);
	CHECK_MSG(full > 12.0, "the model removes only %.1f dB of this noise", full);
	for (int i = 1; i <= 10; i++) {
		double step = atten[i] - atten[i - 1];
		/* every 10 steps audibly different (> 1 dB and at least 5 % of the full range) */
		CHECK_MSG(step > 1.0 && step > 0.05 * full, "strength %d -> %d adds %.2f dB", 10 * (i - 1),
			  10 * i, step);
		/* and even: close to the straight line from 0 to the full suppression */
		CHECK_MSG(fabs(atten[i] - 0.1 * i * full) < 0.2 * full, "strength %d: %.1f dB, line %.1f",
			  10 * i, atten[i], 0.1 * i * full);
	}
out:
	free(x);
	free(y);
}

static void test_strength_is_even(void)
{
	check_strength_steps(0);
	check_strength_steps(1);
}

/* Noise level (dB) of the output window [from, from + len) after the noise starts, against the
 * steady state (the output's last second), from the windows' mean power. */
static double level_after(const float *y, size_t onset, size_t from, size_t len, double steady)
{
	return 20.0 * log10(rms_of(y + onset + from, len) + 1e-12) - steady;
}

/* Noise at 0.03 RMS with digital silence at [silence_start, silence_start + silence_len), 3 s of
 * noise after it; returns the output's noise level 100-300 ms after the noise returns, in dB over
 * the steady state (the last second), from the windows' mean power (one 20 ms window is too
 * noisy a measure: the residual of pink noise varies by +-3 dB from window to window in the steady
 * state too). */
static double level_after_silence(size_t silence_start, size_t silence_len, int pink)
{
	const size_t n = silence_start + silence_len + 3 * SR;
	float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float));
	double after = 1e9;
	if (!x || !y)
		goto out;
	make_noise(x, n, 0.03f, 5u + (unsigned)pink, pink);
	for (size_t i = silence_start; i < silence_start + silence_len; i++)
		x[i] = 0.0f;
	denoise(x, y, n, 100);
	const double steady = 20.0 * log10(rms_of(y + n - SR, SR) + 1e-12);
	const size_t onset = silence_start + silence_len;
	const double first = level_after(y, onset, 0, SR / 10, steady);
	after = level_after(y, onset, SR / 10, SR / 5, steady);
	fprintf(stderr, "%s noise after %.1f s of zeros at %.1f s: %+.1f dB over the steady state in "
		"the first 100 ms, %+.1f dB in 100-300 ms (suppression %.1f dB)\n",
		pink ? "pink" : "white", (double)silence_len / SR, (double)silence_start / SR, first,
		after, 20.0 * log10(0.03) - steady);
out:
	free(x);
	free(y);
	return after;
}

/* After 1 s of digital silence the noise is within 3 dB of the steady state 100 ms after it
 * returns: after a mute in the middle of a stream (the live case: every unmute), where the frozen
 * network carries on with the noise it knew, and after a silent start (a file that starts with
 * zeros), a cold start where the network has heard nothing yet (the model's own speed: the
 * session-3 model took +7 dB there, model v3 -1.5..+0.1 dB). */
static void test_warmup_after_silence(void)
{
	for (int pink = 0; pink <= 1; pink++) {
		const char *kind = pink ? "pink" : "white";
		double after = level_after_silence(2 * SR, SR, pink);
		CHECK_MSG(after <= 3.0, "%s noise 100-300 ms after a mute is %+.1f dB over the steady "
			  "state", kind, after);
		after = level_after_silence(0, SR, pink);
		CHECK_MSG(after <= 3.0, "%s noise 100-300 ms after a silent start is %+.1f dB over the "
			  "steady state", kind, after);
	}
}

int main(void)
{
	RUN_TEST(test_strength_is_even);
	RUN_TEST(test_warmup_after_silence);
	return test_finish();
}
