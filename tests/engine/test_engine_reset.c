/* SPDX-License-Identifier: MIT */
/*
 * engine_reset(): after a reset an engine behaves exactly like a freshly created one (inline mode:
 * bit-identical output for the same input and cycle sizes), keeps its cumulative counters and its
 * model-time histogram, keeps strength and the test delay, and in worker mode comes back with a
 * working worker (frames are denoised again). The service relies on this to start every
 * recording from a fresh denoiser without recreating engines (memory growth, issue #5).
 */
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/engine_constants.h"
#include "engine_latency.h"
#include "test_util.h"

#define MAX_BLOCK 2048u
#define N_SAMPLES (48000 / 2)

static float input[N_SAMPLES];

static void fill_input(void)
{
	unsigned seed = 7;
	for (size_t i = 0; i < N_SAMPLES; i++)
		input[i] = 0.3f * sinf(0.023f * (float)i) + 0.1f * test_randf(&seed);
}

static struct engine *make_engine(enum engine_mode mode, int strength)
{
	struct engine_config cfg = {
		.mode = mode,
		.max_block = MAX_BLOCK,
		.strength = strength,
		.enabled = true,
	};
	struct engine *e = NULL;
	int res = engine_create(&cfg, &e);
	CHECK_MSG(res == 0, "engine_create: %d", res);
	return e;
}

/* Run the whole input through in cycles of varying size. */
static void run(struct engine *e, float *out)
{
	static const uint32_t sizes[] = { 256, 1024, 97, 480, 2048, 333 };
	size_t pos = 0;
	for (unsigned k = 0; pos < N_SAMPLES; k++) {
		uint32_t n = sizes[k % (sizeof(sizes) / sizeof(sizes[0]))];
		if (n > N_SAMPLES - pos)
			n = (uint32_t)(N_SAMPLES - pos);
		engine_process(e, input + pos, out + pos, n);
		pos += n;
	}
}

static void test_inline_reset_is_fresh(void)
{
	static float fresh_out[N_SAMPLES], reset_out[N_SAMPLES];
	struct engine *fresh = make_engine(ENGINE_INLINE, 80);
	struct engine *used = make_engine(ENGINE_INLINE, 30);
	if (!fresh || !used)
		goto out;
	run(fresh, fresh_out);

	run(used, reset_out); /* a different history, at another strength */
	CHECK(engine_set_strength(used, 80) == 0);
	struct engine_stats before, after;
	engine_get_stats(used, &before);
	CHECK(engine_reset(used) == 0);
	engine_get_stats(used, &after);
	CHECK(after.frames == before.frames);            /* counters are cumulative */
	CHECK(after.cycles == before.cycles);
	CHECK(after.latency_samples == expected_inline_latency());
	CHECK(after.fifo_fill_samples == 0);
	CHECK(after.strength == 80);

	run(used, reset_out);
	size_t diff = 0;
	for (size_t i = 0; i < N_SAMPLES; i++)
		diff += fresh_out[i] != reset_out[i];
	CHECK_MSG(diff == 0, "%zu of %d samples differ from a fresh engine", diff, N_SAMPLES);

	struct telemetry_snapshot t;
	CHECK(engine_get_model_times(used, &t) == 0);
	CHECK_MSG(t.count == 2 * (N_SAMPLES / ENGINE_FRAME_SAMPLES), "model times %llu",
		  (unsigned long long)t.count);
	engine_get_stats(used, &after);
	CHECK(after.frames > before.frames);
	/* Inline: everything taken in and not played yet is the alignment FIFO plus the model's. */
	CHECK_MSG(after.fifo_fill_samples > 0 && after.fifo_fill_samples <= after.latency_samples + MAX_BLOCK,
		  "fifo fill %u", after.fifo_fill_samples);
out:
	engine_destroy(fresh);
	engine_destroy(used);
}

static void wait_worker(const struct engine *e)
{
	const struct timespec ts = { 0, 100000 };
	for (int i = 0; i < 50000 && engine_frames_in_flight(e) > 0; i++) /* at most ~5 s */
		nanosleep(&ts, NULL);
}

static void test_worker_reset_restarts_worker(void)
{
	static float out[N_SAMPLES];
	struct engine *e = make_engine(ENGINE_WORKER, 100);
	if (!e)
		return;
	for (int round = 0; round < 3; round++) {
		struct engine_stats st;
		engine_get_stats(e, &st);
		const uint64_t denoised0 = st.frames_denoised;
		/* No real-time pacing: after each cycle, wait (bounded) until the worker has returned
		 * every frame, so each is back before its deadline however slow the machine is. */
		for (size_t pos = 0; pos + 256 <= N_SAMPLES; pos += 256) {
			engine_process(e, input + pos, out + pos, 256);
			wait_worker(e);
		}
		engine_get_stats(e, &st);
		CHECK_MSG(st.frames_denoised > denoised0, "round %d: no frame denoised after reset", round);
		CHECK(engine_reset(e) == 0);
		CHECK(engine_frames_in_flight(e) == 0);
		engine_get_stats(e, &st);
		CHECK(st.breaker == ENGINE_BREAKER_CLOSED);
	}
	engine_destroy(e);
}

static void test_reset_null(void)
{
	CHECK(engine_reset(NULL) == -EINVAL);
	struct telemetry_snapshot t;
	CHECK(engine_get_model_times(NULL, &t) == -EINVAL);
	CHECK(t.count == 0);
}

int main(void)
{
	fill_input();
	RUN_TEST(test_inline_reset_is_fresh);
	RUN_TEST(test_worker_reset_restarts_worker);
	RUN_TEST(test_reset_null);
	return test_finish();
}
