/* SPDX-License-Identifier: MIT */
/* The denoise streaming chain with a stand-in processor (a pure delay line with a per-channel
 * gain): output length == input length, sample alignment (exact at 48 kHz, +-1 sample through
 * the resamplers), channel routing, flush accounting and error propagation. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/pipeline.h"
#include "test_util.h"

#define MAX_CH 4
#define MAX_DELAY 2048

struct delay_proc {
	uint32_t latency;
	float line[MAX_CH][MAX_DELAY + PIPELINE_BLOCK_FRAMES];
	float gain[MAX_CH];
	unsigned n_real[MAX_CH], n_padding[MAX_CH];
	unsigned fail_at; /* block number (per channel 0) to fail at; 0 = never */
};

static int delay_process(void *ctx, uint32_t ch, float *block, bool padding)
{
	struct delay_proc *d = ctx;
	float *line = d->line[ch];
	size_t L = d->latency, n = PIPELINE_BLOCK_FRAMES;

	if (padding)
		d->n_padding[ch]++;
	else
		d->n_real[ch]++;
	if (d->fail_at != 0 && ch == 0 && d->n_real[0] + d->n_padding[0] == d->fail_at)
		return -EIO;
	/* line holds the last L inputs; out[i] = in[i - L] */
	memcpy(line + L, block, n * sizeof(float));
	for (size_t i = 0; i < n; i++)
		block[i] = d->gain[ch] * line[i];
	memmove(line, line + n, L * sizeof(float));
	return 0;
}

struct sink {
	float *x;
	size_t n, cap, ch;
	int fail_after; /* frames; < 0 never */
};

static int sink_write(void *ctx, const float *frames, size_t n_frames)
{
	struct sink *s = ctx;

	if (s->fail_after >= 0 && s->n + n_frames > (size_t)s->fail_after)
		return -ENOSPC;
	return test_append_frames(&s->x, &s->n, &s->cap, s->ch, frames, n_frames);
}

static struct delay_proc *make_proc(uint32_t latency, uint32_t ch, bool distinct_gains)
{
	struct delay_proc *d = calloc(1, sizeof(*d));

	d->latency = latency;
	for (uint32_t c = 0; c < ch; c++)
		d->gain[c] = distinct_gains ? 1.0f + 0.5f * (float)c : 1.0f;
	return d;
}

/* Push x through a pipeline in pieces of chunk frames; returns the output. */
static struct sink run(uint32_t rate, uint32_t ch, struct delay_proc *d, const float *x, size_t n,
		       size_t chunk)
{
	struct pipeline_processor proc = { delay_process, d, d->latency };
	struct sink s = { NULL, 0, 0, ch, -1 };
	struct pipeline *p = NULL;

	CHECK(pipeline_create(&p, rate, ch, &proc, sink_write, &s) == 0);
	if (p == NULL)
		return s;
	for (size_t i = 0; i < n; i += chunk)
		CHECK(pipeline_push(p, x + i * ch, n - i < chunk ? n - i : chunk) == 0);
	CHECK(pipeline_finish(p) == 0);
	CHECK(pipeline_frames_in(p) == n && pipeline_frames_out(p) == n);
	pipeline_destroy(p);
	return s;
}

static float *noise(size_t n_samples, unsigned seed)
{
	float *x = malloc(n_samples * sizeof(float) + 1);

	for (size_t i = 0; i < n_samples; i++)
		x[i] = 0.5f * test_randf(&seed);
	return x;
}

/* 48 kHz: bit-exact alignment for any latency and chunking. */
static void test_exact_at_48k(void)
{
	static const uint32_t latencies[] = { 480, 928, 0, 1, 100, 1500 };
	static const size_t chunks[] = { 1, 479, 480, 4096, 100000 };
	const size_t n = 48000 + 123;

	for (size_t li = 0; li < sizeof(latencies) / sizeof(latencies[0]); li++) {
		for (size_t ci = 0; ci < sizeof(chunks) / sizeof(chunks[0]); ci++) {
			uint32_t ch = 1 + (uint32_t)(ci % 3);
			float *x = noise(n * ch, 3 + (unsigned)ci);
			struct delay_proc *d = make_proc(latencies[li], ch, true);
			struct sink s = run(48000, ch, d, x, n, chunks[ci]);
			size_t bad = 0;

			CHECK_MSG(s.n == n, "latency %u chunk %zu: %zu frames, expected %zu", latencies[li],
				  chunks[ci], s.n, n);
			for (size_t i = 0; i < n && i < s.n; i++)
				for (uint32_t c = 0; c < ch; c++)
					bad += s.x[i * ch + c] != d->gain[c] * x[i * ch + c];
			CHECK_MSG(bad == 0, "latency %u chunk %zu ch %u: %zu samples differ", latencies[li],
				  chunks[ci], ch, bad);
			/* every 48 kHz input block ran as real audio; the flush added padding blocks */
			CHECK(d->n_real[0] == (n + PIPELINE_BLOCK_FRAMES - 1) / PIPELINE_BLOCK_FRAMES);
			CHECK(d->n_real[ch - 1] == d->n_real[0] && d->n_padding[ch - 1] == d->n_padding[0]);
			CHECK(d->n_real[0] * PIPELINE_BLOCK_FRAMES + d->n_padding[0] * PIPELINE_BLOCK_FRAMES >=
			      n + latencies[li]);
			free(x);
			free(d);
			free(s.x);
		}
	}
}

/* Other rates: exact length, impulses within one sample, band-limited content preserved. */
static void test_aligned_through_resampling(void)
{
	static const uint32_t rates[] = { 44100, 16000, 8000, 22050, 96000, 384000 };

	for (size_t k = 0; k < sizeof(rates) / sizeof(rates[0]); k++) {
		uint32_t rate = rates[k], ch = 2;
		size_t n = rate / 2 + 7;
		size_t at[2] = { rate / 10, rate / 3 + 5 };
		float *x = calloc(n * ch, sizeof(float));
		struct delay_proc *d = make_proc(480, ch, false);
		struct sink s;
		double err = 0, sig = 0;

		/* a quiet 500 Hz tone (well inside every band) plus one impulse per channel */
		for (size_t i = 0; i < n; i++)
			for (uint32_t c = 0; c < ch; c++)
				x[i * ch + c] = 0.05f * (float)sin(2 * M_PI * 500.0 * i / rate + c);
		x[at[0] * ch + 0] += 1.0f;
		x[at[1] * ch + 1] -= 1.0f;
		s = run(rate, ch, d, x, n, 4096);
		CHECK_MSG(s.n == n, "%u Hz: %zu frames, expected %zu", rate, s.n, n);
		for (uint32_t c = 0; c < ch && s.n == n; c++) {
			size_t got = test_peak_index(s.x, s.n, ch, c);
			CHECK_MSG(got + 1 >= at[c] && got <= at[c] + 1, "%u Hz ch %u: impulse at %zu, expected %zu",
				  rate, c, got, at[c]);
		}
		/* away from the impulses and the edges the tone comes back nearly unchanged */
		for (size_t i = n / 2; i < n - n / 10 && s.n == n; i++) {
			double e = s.x[i * ch] - x[i * ch];
			err += e * e;
			sig += (double)x[i * ch] * x[i * ch];
		}
		CHECK_MSG(10 * log10(sig / (err + 1e-30)) > 50, "%u Hz: tone SNR %.1f dB", rate,
			  10 * log10(sig / (err + 1e-30)));
		free(x);
		free(d);
		free(s.x);
	}
}

static void test_short_and_empty(void)
{
	static const size_t lengths[] = { 0, 1, 2, 479, 480, 481 };
	static const uint32_t rates[] = { 48000, 44100, 8000 };

	for (size_t r = 0; r < 3; r++)
		for (size_t k = 0; k < sizeof(lengths) / sizeof(lengths[0]); k++) {
			float *x = noise(lengths[k] + 1, 9);
			struct delay_proc *d = make_proc(480, 1, false);
			struct sink s = run(rates[r], 1, d, x, lengths[k], 64);
			CHECK_MSG(s.n == lengths[k], "%u Hz, %zu frames in, %zu out", rates[r], lengths[k], s.n);
			if (rates[r] == 48000)
				for (size_t i = 0; i < s.n; i++)
					CHECK(s.x[i] == x[i]);
			free(x);
			free(d);
			free(s.x);
		}
}

static void test_errors_propagate(void)
{
	float *x = noise(48000, 4);
	struct delay_proc *d = make_proc(480, 1, false);
	struct pipeline_processor proc = { delay_process, d, 480 };
	struct sink s = { NULL, 0, 0, 1, -1 };
	struct pipeline *p = NULL;

	CHECK(pipeline_create(&p, 0, 1, &proc, sink_write, &s) == -EINVAL && p == NULL);
	CHECK(pipeline_create(&p, 48000, 0, &proc, sink_write, &s) == -EINVAL && p == NULL);
	CHECK(pipeline_create(&p, 48000, 1, NULL, sink_write, &s) == -EINVAL && p == NULL);

	/* processor failure */
	d->fail_at = 3;
	CHECK(pipeline_create(&p, 44100, 1, &proc, sink_write, &s) == 0);
	CHECK(pipeline_push(p, x, 48000) == -EIO);
	pipeline_destroy(p);

	/* writer failure */
	memset(d, 0, sizeof(*d));
	d->latency = 480;
	d->gain[0] = 1.0f;
	s.fail_after = 1000;
	CHECK(pipeline_create(&p, 48000, 1, &proc, sink_write, &s) == 0);
	CHECK(pipeline_push(p, x, 48000) == -ENOSPC);
	pipeline_destroy(p);

	/* finish twice, push after finish */
	s.fail_after = -1;
	CHECK(pipeline_create(&p, 48000, 1, &proc, sink_write, &s) == 0);
	CHECK(pipeline_finish(p) == 0);
	CHECK(pipeline_finish(p) == -EINVAL);
	CHECK(pipeline_push(p, x, 10) == -EINVAL);
	pipeline_destroy(p);
	pipeline_destroy(NULL);
	free(s.x);
	free(d);
	free(x);
}

int main(void)
{
	RUN_TEST(test_exact_at_48k);
	RUN_TEST(test_aligned_through_resampling);
	RUN_TEST(test_short_and_empty);
	RUN_TEST(test_errors_propagate);
	return test_finish();
}
