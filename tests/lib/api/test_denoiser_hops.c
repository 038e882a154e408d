/* SPDX-License-Identifier: MIT */
/*
 * The denoiser's hop-level interface (src/lib/denoiser_internal.h), which the engine's worker mode
 * schedules: framing gives exact, sanitised hops whatever the block sizes; the dry signal is the
 * input delayed by the model's delay; stream and hop run one hop at a time give exactly what
 * vocana_denoiser_process() gives, bypass crossfades included; a missing hop moves the crossfade
 * state on without a fade; the hop counters count. For the symmetric and a low-delay window.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "denoiser_internal.h"
#include "model_builder.h"
#include "test_util.h"

#define HOP VOCANA_FRAME_SIZE
#define N_HOPS 120
#define N_SAMPLES (N_HOPS * HOP)

static struct vocana_model *random_model(unsigned seed, uint32_t delay)
{
	size_t size;
	unsigned char *bytes = mb_small_random_file(seed, delay == 480 ? 0 : delay, &size);
	struct vocana_model *m = NULL;
	if (!bytes || vocana_model_load_memory(bytes, size, &m) < 0)
		m = NULL;
	free(bytes);
	return m;
}

/* A signal with bad values sprinkled in, and what the denoiser must make of it. */
static void fill_signal(float *x, float *clean, size_t n)
{
	unsigned seed = 99;
	for (size_t i = 0; i < n; i++) {
		x[i] = clean[i] = 0.3f * sinf(0.02f * (float)i) + 0.1f * test_randf(&seed);
		if (i % 997 == 5) {
			x[i] = i % 2 ? NAN : INFINITY;
			clean[i] = 0.0f;
		} else if (i % 1009 == 7) {
			x[i] = 1e9f;
			clean[i] = 1e5f;
		}
	}
}

static void test_framing_and_dry(uint32_t delay)
{
	struct vocana_model *m = random_model(3, delay);
	struct vocana_denoiser *d = NULL;
	float *x = malloc(N_SAMPLES * sizeof(float)), *clean = malloc(N_SAMPLES * sizeof(float));
	float dry[HOP];
	CHECK(m && x && clean && vocana_denoiser_create(m, 0, &d) == 0);
	if (d && x && clean) {
		fill_signal(x, clean, N_SAMPLES);
		unsigned seed = 5;
		size_t done = 0, hops = 0, bad_hop = 0, bad_dry = 0;
		while (done < N_SAMPLES) {
			size_t n = 1 + test_rand(&seed) % 1500;
			if (n > N_SAMPLES - done)
				n = N_SAMPLES - done;
			size_t k = n;
			const float *hop = denoiser_take_input(d, x + done, &k);
			CHECK(k >= 1 && k <= n);
			done += k;
			if (!hop)
				continue;
			CHECK(done % HOP == 0); /* a hop completes exactly at its last sample */
			const size_t start = done - HOP;
			bad_hop += memcmp(hop, clean + start, HOP * sizeof(float)) != 0;
			denoiser_dry(d, dry);
			for (size_t i = 0; i < HOP; i++) {
				const float want = start + i >= delay ? clean[start + i - delay] : 0.0f;
				bad_dry += dry[i] != want;
			}
			hops++;
		}
		CHECK(hops == N_HOPS);
		CHECK_MSG(bad_hop == 0, "D %u: %zu hops differ from the sanitised input", delay, bad_hop);
		CHECK_MSG(bad_dry == 0, "D %u: %zu dry samples not the input %u samples back", delay,
			  bad_dry, delay);
	}
	vocana_denoiser_destroy(d);
	vocana_model_free(m);
	free(x);
	free(clean);
}

/* Bypass switched on before hop 50 and off before hop 80. */
static bool bypass_at(size_t k)
{
	return k >= 50 && k < 80;
}

static void test_hops_equal_process(uint32_t delay)
{
	struct vocana_model *m = random_model(4, delay);
	struct vocana_denoiser *ref = NULL, *d = NULL;
	float *x = malloc(N_SAMPLES * sizeof(float)), *clean = malloc(N_SAMPLES * sizeof(float));
	float *y_ref = malloc(N_SAMPLES * sizeof(float)), *y = malloc(N_SAMPLES * sizeof(float));
	float dry[HOP];
	CHECK(m && x && clean && y_ref && y);
	CHECK(m && vocana_denoiser_create(m, HOP, &ref) == 0 && vocana_denoiser_create(m, 0, &d) == 0);
	if (ref && d && x && clean && y_ref && y) {
		fill_signal(x, clean, N_SAMPLES);
		CHECK(vocana_denoiser_set_strength(ref, 70) == 0 && vocana_denoiser_set_strength(d, 70) == 0);
		size_t carried = 0;
		for (size_t k = 0; k < N_HOPS; k++) {
			vocana_denoiser_set_bypass(ref, bypass_at(k));
			CHECK(vocana_denoiser_process(ref, x + k * HOP, y_ref + k * HOP, HOP) == 0);

			size_t n = HOP;
			const float *hop = denoiser_take_input(d, x + k * HOP, &n);
			CHECK(hop != NULL && n == HOP);
			if (!hop)
				break;
			denoiser_dry(d, dry);
			denoiser_run_hop(d, hop, y + k * HOP);
			vocana_denoiser_set_bypass(d, bypass_at(k));
			carried += denoiser_mix(d, y + k * HOP, dry);
		}
		/* Fed whole hops, the public path has no FIFO delay beyond the model's: the same. */
		CHECK_MSG(memcmp(y, y_ref, N_SAMPLES * sizeof(float)) == 0,
			  "D %u: hop by hop differs from vocana_denoiser_process()", delay);
		uint64_t hops, wet_hops;
		denoiser_hops_out(d, &hops, &wet_hops);
		/* The hop fading into bypass counts as bypassed, the one fading out as denoised. */
		CHECK(hops == N_HOPS && wet_hops == N_HOPS - 30 && carried == wet_hops);
		denoiser_hops_out(ref, &hops, &wet_hops);
		CHECK(hops == N_HOPS && wet_hops == N_HOPS - 30);
	}
	vocana_denoiser_destroy(ref);
	vocana_denoiser_destroy(d);
	vocana_model_free(m);
	free(x);
	free(clean);
	free(y_ref);
	free(y);
}

/* A hop whose model output is missing (the engine played it dry) moves the crossfade on: the
 * next hop is exactly dry (switched into bypass) or exactly wet (switched out), without a fade. */
static void test_missing_hop(void)
{
	struct vocana_model *m = random_model(5, 120);
	struct vocana_denoiser *d = NULL;
	float *x = malloc(N_SAMPLES * sizeof(float)), *clean = malloc(N_SAMPLES * sizeof(float));
	float dry[HOP], wet[HOP], out[HOP];
	CHECK(m && x && clean && vocana_denoiser_create(m, 0, &d) == 0);
	if (d && x && clean) {
		fill_signal(x, clean, N_SAMPLES);
		for (size_t k = 0; k < 40; k++) {
			size_t n = HOP;
			const float *hop = denoiser_take_input(d, x + k * HOP, &n);
			denoiser_dry(d, dry);
			denoiser_run_hop(d, hop, wet);
			memcpy(out, wet, sizeof(out));
			const bool switch_hop = k == 10 || k == 20;
			vocana_denoiser_set_bypass(d, k >= 10 && k < 20);
			const bool carried = denoiser_mix(d, switch_hop ? NULL : out, dry);
			if (switch_hop) {
				CHECK(!carried); /* missing: nothing carried, nothing written */
			} else if (k > 10 && k < 20) {
				CHECK_MSG(!carried && memcmp(out, dry, sizeof(out)) == 0, "hop %zu not dry", k);
			} else {
				CHECK_MSG(carried && memcmp(out, wet, sizeof(out)) == 0, "hop %zu not wet", k);
			}
		}
		uint64_t hops, wet_hops;
		denoiser_hops_out(d, &hops, &wet_hops);
		CHECK(hops == 40 && wet_hops == 40 - 10 - 1);
	}
	vocana_denoiser_destroy(d);
	vocana_model_free(m);
	free(x);
	free(clean);
}

static void test_framing(void)
{
	test_framing_and_dry(480);
	test_framing_and_dry(120);
}

static void test_hops(void)
{
	test_hops_equal_process(480);
	test_hops_equal_process(120);
}

int main(void)
{
	RUN_TEST(test_framing);
	RUN_TEST(test_hops);
	RUN_TEST(test_missing_hop);
	return test_finish();
}
