/* SPDX-License-Identifier: MIT */
/*
 * Inline engine: the output is the denoiser's output (fed exact 480-sample frames) shifted by the
 * reported latency, whatever the sequence of cycle sizes; strength 0 and "disabled" pass the input
 * through at that same latency; enable/disable crossfade (never jump) between wet and dry, over the
 * denoiser's bypass crossfade of one frame; bad arguments are rejected or clamped. Uses the
 * embedded default model.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/engine_constants.h"
#include "test_util.h"

#define MAX_BLOCK 4096u
#define N_SAMPLES (48000 * 2)
/* The model's algorithmic delay (from the denoiser: 120 for the embedded model), and the
 * engine's inline latency, which adds the FIFO alignment for cycles of any size. */
static uint32_t model_lat;
#define LAT (model_lat + ENGINE_ALIGN_SAMPLES)

static float *signal_x; /* input */
static float *wet_ref;  /* denoiser output, latency model_lat */

static void fill_signal(float *x, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		x[i] = 0.3f * sinf(0.031f * (float)i) + 0.05f * test_randf(&seed);
}

static struct engine *make_engine(int strength, bool enabled)
{
	struct engine_config cfg = {
		.mode = ENGINE_INLINE,
		.max_block = MAX_BLOCK,
		.model = NULL,
		.strength = strength,
		.enabled = enabled,
	};
	struct engine *e = NULL;
	int res = engine_create(&cfg, &e);
	CHECK_MSG(res == 0, "engine_create: %d", res);
	return res == 0 ? e : NULL;
}

/* Reference: a plain denoiser fed whole frames (latency: the model's delay alone). */
static void compute_reference(int strength)
{
	struct vocana_denoiser *d = NULL;
	CHECK(vocana_denoiser_create(NULL, ENGINE_FRAME_SAMPLES, &d) == 0);
	if (!d)
		return;
	model_lat = vocana_denoiser_latency_samples(d);
	CHECK(model_lat >= 32 && model_lat <= ENGINE_FRAME_SAMPLES);
	CHECK(vocana_denoiser_set_strength(d, strength) == 0);
	for (size_t i = 0; i + ENGINE_FRAME_SAMPLES <= N_SAMPLES; i += ENGINE_FRAME_SAMPLES)
		CHECK(vocana_denoiser_process(d, signal_x + i, wet_ref + i, ENGINE_FRAME_SAMPLES) == 0);
	vocana_denoiser_destroy(d);
}

/* Next cycle size: pattern > 0 is fixed, 0 = random from host-like and odd sizes. */
static uint32_t next_quantum(uint32_t pattern, unsigned *seed)
{
	static const uint32_t sizes[] = {1, 7, 64, 128, 256, 479, 480, 481, 512, 1000, 1024, 2048,
					 MAX_BLOCK};
	if (pattern)
		return pattern;
	unsigned r = test_rand(seed);
	if (r % 4 == 0)
		return 1 + (r >> 8) % MAX_BLOCK;
	return sizes[(r >> 8) % (sizeof(sizes) / sizeof(sizes[0]))];
}

/* Run x through the engine in cycles; in_place runs each cycle with in == out. */
static void run_engine(struct engine *e, float *y, uint32_t pattern, unsigned seed, bool in_place)
{
	size_t done = 0;
	while (done < N_SAMPLES) {
		uint32_t n = next_quantum(pattern, &seed);
		if (n > N_SAMPLES - done)
			n = (uint32_t)(N_SAMPLES - done);
		if (in_place) {
			memcpy(y + done, signal_x + done, n * sizeof(float));
			engine_process(e, y + done, y + done, n);
		} else {
			engine_process(e, signal_x + done, y + done, n);
		}
		done += n;
	}
}

/* Largest |y[t] - ref[t - shift]| (ref = 0 before its start). */
static double max_shifted_error(const float *y, const float *ref, size_t shift)
{
	double err = 0.0;
	for (size_t t = 0; t < N_SAMPLES; t++) {
		double r = t >= shift ? ref[t - shift] : 0.0;
		err = fmax(err, fabs((double)y[t] - r));
	}
	return err;
}

static void test_matches_denoiser(void)
{
	compute_reference(100);
	float *y = malloc(N_SAMPLES * sizeof(float));
	CHECK(y != NULL);
	if (!y)
		return;
	const uint32_t patterns[] = {128, 256, 1024, 480, 1, 0, 0, 0};
	for (size_t p = 0; p < sizeof(patterns) / sizeof(patterns[0]); p++) {
		struct engine *e = make_engine(100, true);
		if (!e)
			break;
		unsigned seed = 1234u + (unsigned)p;
		bool in_place = p % 2 == 1;
		run_engine(e, y, patterns[p], seed, in_place);

		struct engine_stats st;
		engine_get_stats(e, &st);
		CHECK(st.latency_samples == LAT);
		/* Shift: the engine's latency minus the reference's = the FIFO alignment. */
		double err = max_shifted_error(y, wet_ref, st.latency_samples - model_lat);
		CHECK_MSG(err == 0.0, "pattern %u seed %u in_place %d: max error %.3g", patterns[p], seed,
			  (int)in_place, err);
		CHECK(st.margin_frames == 0);
		CHECK(st.deadline_misses == 0 && st.breaker == ENGINE_BREAKER_CLOSED);
		/* Every frame completed has been output (its first sample plays as it completes),
		 * all denoised. */
		uint64_t expect_frames = N_SAMPLES / ENGINE_FRAME_SAMPLES;
		CHECK_MSG(st.frames == expect_frames, "frames %llu, expected %llu",
			  (unsigned long long)st.frames, (unsigned long long)expect_frames);
		CHECK(st.frames_denoised == st.frames);
		CHECK(st.block_violations == 0);
		CHECK(st.frame_time_max_us >= st.frame_time_p50_us && st.frame_time_max_us > 0);
		CHECK(st.input_peak > 0.0f && st.output_peak > 0.0f);
		if (p == 0)
			fprintf(stderr, "  model time per frame: p50 %u us, p99 %u us, max %u us\n",
				st.frame_time_p50_us, st.frame_time_p99_us, st.frame_time_max_us);
		engine_destroy(e);
	}
	free(y);
}

/* Linked channels (engine_link()): a channel whose engine follows one that runs on the same signal
 * (dual mono: the mid is the channel) comes out exactly as the engine on its own, with no frame
 * run on its own network; worker-mode engines cannot be linked. */
static void test_linked(void)
{
	compute_reference(100);
	float *y = malloc(N_SAMPLES * sizeof(float)), *mid = malloc(MAX_BLOCK * sizeof(float));
	struct engine *lead = make_engine(100, true), *ch = make_engine(100, true);
	CHECK(y && mid);
	if (y && mid && lead && ch) {
		CHECK(engine_link(ch, lead) == 0);
		unsigned seed = 77;
		size_t done = 0;
		while (done < N_SAMPLES) {
			uint32_t n = next_quantum(0, &seed);
			if (n > N_SAMPLES - done)
				n = (uint32_t)(N_SAMPLES - done);
			engine_process(lead, signal_x + done, mid, n);
			engine_process(ch, signal_x + done, y + done, n);
			done += n;
		}
		struct engine_stats st;
		engine_get_stats(ch, &st);
		double err = max_shifted_error(y, wet_ref, st.latency_samples - model_lat);
		CHECK_MSG(err == 0.0, "linked channel: max error %.3g", err);
		CHECK_MSG(st.own_network_hops == 0, "%llu frames on its own network",
			  (unsigned long long)st.own_network_hops);
		CHECK(st.frames == N_SAMPLES / ENGINE_FRAME_SAMPLES && st.frames_denoised == st.frames);
	}
	struct engine_config wcfg = { .mode = ENGINE_WORKER, .max_block = MAX_BLOCK, .strength = 100,
				      .enabled = true };
	struct engine *w = NULL;
	CHECK(engine_create(&wcfg, &w) == 0);
	CHECK(engine_link(w, lead) == -EINVAL && engine_link(ch, w) == -EINVAL);
	engine_destroy(w);
	engine_destroy(ch); /* a follower before its leader */
	engine_destroy(lead);
	free(mid);
	free(y);
}

/* Strength 0 passes the input through (up to STFT round-off); disabled passes it exactly. */
static void test_passthrough(void)
{
	float *y = malloc(N_SAMPLES * sizeof(float));
	CHECK(y != NULL);
	if (!y)
		return;
	struct engine *e = make_engine(0, true);
	if (e) {
		run_engine(e, y, 0, 77, false);
		double err = max_shifted_error(y, signal_x, LAT);
		CHECK_MSG(err < 1e-5, "strength 0: max error %.3g", err);
		engine_destroy(e);
	}
	e = make_engine(100, false);
	if (e) {
		run_engine(e, y, 0, 78, true);
		double err = max_shifted_error(y, signal_x, LAT);
		CHECK_MSG(err == 0.0, "disabled: max error %.3g", err);
		struct engine_stats st;
		engine_get_stats(e, &st);
		CHECK(st.frames > 0 && st.frames_denoised == 0 && !st.enabled);
		engine_destroy(e);
	}
	free(y);
}

/*
 * Toggle enabled at cycle boundaries. Every output sample must be wet,
 * dry, or a mix of the two (never outside them: no jump, no gap); each switch takes effect within
 * two frames and fades over at most BYPASS_FADE samples; re-enabling returns to the exact wet
 * output (the model kept running).
 */
#define BYPASS_FADE VOCANA_FRAME_SIZE /* the denoiser's bypass crossfade: one frame (vocana.h) */
static void test_enable_disable(void)
{
	compute_reference(100);
	float *y = malloc(N_SAMPLES * sizeof(float));
	CHECK(y != NULL);
	struct engine *e = make_engine(100, true);
	if (!y || !e) {
		free(y);
		engine_destroy(e);
		return;
	}
	const uint32_t q = 256;
	const size_t switch_at[] = {19968, 45056, 70144}; /* multiples of q: off, on, off */
	size_t next_switch = 0;
	bool on = true;
	for (size_t done = 0; done < N_SAMPLES; done += q) {
		if (next_switch < 3 && done == switch_at[next_switch]) {
			on = !on;
			engine_set_enabled(e, on);
			next_switch++;
		}
		engine_process(e, signal_x + done, y + done, q);
	}

	/* Classify each output sample: 'w' wet, 'd' dry, 'm' in between, '!' outside both. */
	size_t n_outside = 0, n_mixed = 0, n_mixed_run = 0, max_mixed_run = 0;
	size_t first_state_change[3] = {0, 0, 0};
	char state = 'w';
	size_t changes = 0;
	for (size_t t = LAT; t < N_SAMPLES; t++) {
		const float a = wet_ref[t - (LAT - model_lat)], b = signal_x[t - LAT];
		char c;
		if (y[t] == a)
			c = 'w';
		else if (y[t] == b)
			c = 'd';
		else if (y[t] >= fminf(a, b) - 1e-6f && y[t] <= fmaxf(a, b) + 1e-6f)
			c = 'm';
		else
			c = '!';
		if (c == '!')
			n_outside++;
		n_mixed += c == 'm';
		n_mixed_run = c == 'm' ? n_mixed_run + 1 : 0;
		if (n_mixed_run > max_mixed_run)
			max_mixed_run = n_mixed_run;
		if ((c == 'w' || c == 'd') && c != state) {
			if (changes < 3)
				first_state_change[changes] = t;
			changes++;
			state = c;
		}
	}
	CHECK_MSG(n_outside == 0, "%zu samples outside [wet, dry]", n_outside);
	CHECK_MSG(max_mixed_run <= BYPASS_FADE, "fade of %zu samples", max_mixed_run);
	/* ... and each switch did fade (all but a few samples strictly between the two). */
	CHECK_MSG(n_mixed >= 3 * (BYPASS_FADE - 16), "only %zu mixed samples", n_mixed);
	CHECK_MSG(changes == 3, "%zu wet/dry changes, expected 3", changes);
	for (size_t k = 0; k < 3 && k < changes; k++) {
		/* A switch before the cycle at sample T applies to the next frame the denoiser
		 * completes, whose first sample plays within one frame of output sample T; the output
		 * is fully wet or dry one fade later (and not within half a fade: it fades). */
		size_t earliest = switch_at[k] + BYPASS_FADE / 2;
		size_t latest = switch_at[k] + ENGINE_FRAME_SAMPLES + BYPASS_FADE;
		CHECK_MSG(first_state_change[k] >= earliest && first_state_change[k] <= latest,
			  "switch %zu at %zu: output changed at %zu", k, switch_at[k],
			  first_state_change[k]);
	}
	struct engine_stats st;
	engine_get_stats(e, &st);
	CHECK(st.frames_denoised < st.frames && st.frames_denoised > st.frames / 3);
	/* Ends switched off (off, on, off). */
	CHECK(!st.enabled);
	engine_destroy(e);
	free(y);
}

static void test_bad_input(void)
{
	struct engine *e = make_engine(100, true);
	if (!e)
		return;
	float *x = calloc(MAX_BLOCK * 2, sizeof(float));
	float *y = malloc(MAX_BLOCK * 2 * sizeof(float));
	CHECK(x && y);
	if (x && y) {
		/* NaN, Inf and huge values: the output stays finite. */
		unsigned seed = 5;
		for (int rep = 0; rep < 20; rep++) {
			for (uint32_t i = 0; i < 1024; i++) {
				unsigned r = test_rand(&seed) % 8;
				x[i] = r == 0 ? NAN : r == 1 ? INFINITY : r == 2 ? -1e30f : test_randf(&seed);
			}
			engine_process(e, x, y, 1024);
			for (uint32_t i = 0; i < 1024; i++)
				CHECK_MSG(isfinite(y[i]), "rep %d sample %u: %g", rep, i, (double)y[i]);
		}
		/* n > max_block: clamped, counted, and the unprocessed rest is silence. */
		for (uint32_t i = 0; i < 2 * MAX_BLOCK; i++)
			y[i] = 7.0f;
		engine_process(e, x, y, 2 * MAX_BLOCK);
		bool tail_zero = true;
		for (uint32_t i = MAX_BLOCK; i < 2 * MAX_BLOCK; i++)
			tail_zero = tail_zero && y[i] == 0.0f;
		CHECK(tail_zero);
		engine_process(e, NULL, y, 16);
		engine_process(e, x, NULL, 16);
		engine_process(e, x, y, 0);
		engine_process(NULL, x, y, 16);
		struct engine_stats st;
		engine_get_stats(e, &st);
		CHECK(st.block_violations == 3);
		CHECK(st.cycles == 21);
	}
	free(x);
	free(y);

	CHECK(engine_set_strength(e, -1) == -EINVAL);
	CHECK(engine_set_strength(e, 101) == -EINVAL);
	CHECK(engine_set_strength(e, 40) == 0);
	CHECK(engine_set_strength(NULL, 40) == -EINVAL);
	struct engine_stats st;
	engine_get_stats(e, &st);
	CHECK(st.strength == 40);
	CHECK(engine_frames_in_flight(e) == 0);
	engine_destroy(e);

	struct engine_config cfg = {.mode = ENGINE_INLINE, .max_block = 256, .strength = 50};
	struct engine *bad = (struct engine *)&cfg;
	CHECK(engine_create(NULL, &bad) == -EINVAL && bad == NULL);
	CHECK(engine_create(&cfg, NULL) == -EINVAL);
	cfg.max_block = 0;
	CHECK(engine_create(&cfg, &bad) == -EINVAL);
	cfg.max_block = ENGINE_MAX_BLOCK_LIMIT + 1;
	CHECK(engine_create(&cfg, &bad) == -EINVAL);
	cfg.max_block = 256;
	cfg.strength = 101;
	CHECK(engine_create(&cfg, &bad) == -EINVAL);
	cfg.strength = 50;
	cfg.mode = (enum engine_mode)7;
	CHECK(engine_create(&cfg, &bad) == -EINVAL);
	engine_destroy(NULL);
	engine_get_stats(NULL, &st);
	CHECK(st.cycles == 0);
}

int main(void)
{
	signal_x = malloc(N_SAMPLES * sizeof(float));
	wet_ref = calloc(N_SAMPLES, sizeof(float));
	if (!signal_x || !wet_ref)
		return EXIT_FAILURE;
	fill_signal(signal_x, N_SAMPLES, 42);
	compute_reference(100); /* sets model_lat, which every test needs */
	RUN_TEST(test_matches_denoiser);
	RUN_TEST(test_passthrough);
	RUN_TEST(test_enable_disable);
	RUN_TEST(test_bad_input);
	RUN_TEST(test_linked);
	free(signal_x);
	free(wet_ref);
	return test_finish();
}
