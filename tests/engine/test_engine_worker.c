/* SPDX-License-Identifier: MIT */
/*
 * Worker engine, driven by a "graph" thread like PipeWire's data loop:
 *  - with a fast model there are no misses and the output is the inline engine's output delayed by
 *    the margin (paced cooperatively, and at real-time pace with a generous margin);
 *  - xruns and larger quanta grow the margin, a stable period shrinks it back, glitch-free;
 *  - with artificially slow frames (real-time pace) misses are counted, the output stays
 *    continuous (bounded sample-to-sample steps on a sine), the breaker opens, half-opens and
 *    closes again once the delay is gone, and the margin grows and then shrinks back.
 * Runs under ThreadSanitizer too ('concurrency' suite), where the model is ~100x slower: "real
 * time" is then stretched (time_scale, measured at start) so that the model takes at most a
 * quarter of a cycle's period, as it does with room to spare in a normal build.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/engine.h"
#include "engine/engine_constants.h"
#include "engine/engine_test.h"
#include "engine_latency.h"
#include "test_util.h"

#define FRAME ENGINE_FRAME_SAMPLES
#define MAX_BLOCK 2048u
#define RATE 48000

/* Wall-clock time per second of audio in the real-time tests (>= 1; see main()). */
static double time_scale = 1.0;

/* ---- graph thread ------------------------------------------------------------------------ */

struct graph;
/* Called before cycle c (done samples so far); returns the cycle size, 0 to stop. */
typedef uint32_t (*graph_hook)(struct graph *g, uint64_t c, size_t done);

struct graph {
	struct engine *e;
	const float *x;
	float *y;
	size_t n;             /* samples available */
	bool realtime;        /* pace cycles at the audio rate; else wait until no frame is in flight */
	graph_hook hook;
	void *user;
	size_t done;          /* samples processed when the thread ended */
	int wait_failures;    /* cooperative waits that timed out */
};

static uint64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void sleep_until(uint64_t t_us)
{
	struct timespec ts = {.tv_sec = (time_t)(t_us / 1000000u),
			      .tv_nsec = (long)(t_us % 1000000u) * 1000};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Cooperative pacing: a worker that is "fast enough" has returned every frame before the next
 * cycle. Waits at most 5 s (then counts a failure rather than hanging). */
static bool wait_idle(struct engine *e)
{
	uint64_t limit = now_us() + 5000000u;
	while (engine_frames_in_flight(e) != 0) {
		if (now_us() > limit)
			return false;
		sleep_until(now_us() + 100);
	}
	return true;
}

static void *graph_main(void *arg)
{
	struct graph *g = arg;
	size_t done = 0;
	uint64_t t_next = now_us();
	for (uint64_t c = 0; done < g->n; c++) {
		uint32_t q = g->hook(g, c, done);
		if (q == 0)
			break;
		if (q > g->n - done)
			q = (uint32_t)(g->n - done);
		if (g->realtime) {
			sleep_until(t_next);
			t_next += (uint64_t)((double)q * 1e6 / RATE * time_scale);
		} else if (!wait_idle(g->e)) {
			g->wait_failures++;
		}
		engine_process(g->e, g->x + done, g->y + done, q);
		done += q;
	}
	g->done = done;
	return NULL;
}

static void run_graph(struct graph *g)
{
	pthread_t th;
	CHECK(pthread_create(&th, NULL, graph_main, g) == 0);
	pthread_join(th, NULL);
	CHECK_MSG(g->wait_failures == 0, "%d cooperative waits timed out", g->wait_failures);
}

static uint32_t fixed_quantum(struct graph *g, uint64_t c, size_t done)
{
	return *(const uint32_t *)g->user;
}

/* ---- helpers ----------------------------------------------------------------------------- */

static void fill_sine(float *x, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		x[i] = 0.5f * sinf(2.0f * (float)M_PI * 440.0f * (float)i / RATE) +
		       0.01f * test_randf(&seed);
}

static struct engine *make_engine(enum engine_mode mode, const struct engine_tuning *tuning,
				  int priority)
{
	struct engine_config cfg = {
		.mode = mode,
		.max_block = MAX_BLOCK,
		.model = NULL,
		.strength = 100,
		.enabled = true,
		.worker_priority = priority,
		.tuning = tuning,
	};
	struct engine *e = NULL;
	int res = engine_create(&cfg, &e);
	CHECK_MSG(res == 0, "engine_create: %d", res);
	return res == 0 ? e : NULL;
}

/* The inline engine's output for x at a fixed quantum (the reference for "no misses"). */
static void run_inline(const float *x, float *y, size_t n, uint32_t q)
{
	struct engine *e = make_engine(ENGINE_INLINE, NULL, 0);
	if (!e)
		return;
	for (size_t done = 0; done < n; done += q)
		engine_process(e, x + done, y + done, (uint32_t)(n - done < q ? n - done : q));
	engine_destroy(e);
}

static double max_shifted_error(const float *y, const float *ref, size_t n, size_t shift)
{
	double err = 0.0;
	for (size_t t = 0; t < n; t++)
		err = fmax(err, fabs((double)y[t] - (t >= shift ? (double)ref[t - shift] : 0.0)));
	return err;
}

static double max_step(const float *y, size_t from, size_t to)
{
	double m = 0.0;
	for (size_t t = from + 1; t < to; t++)
		m = fmax(m, fabs((double)y[t] - (double)y[t - 1]));
	return m;
}

static double max_abs(const float *y, size_t from, size_t to)
{
	double m = 0.0;
	for (size_t t = from; t < to; t++)
		m = fmax(m, fabs((double)y[t]));
	return m;
}

/* Runs of two or more exact zeros after the start: a gap (the sine never rests). */
static size_t count_gaps(const float *y, size_t from, size_t to)
{
	size_t gaps = 0;
	for (size_t t = from + 1; t < to; t++)
		gaps += y[t] == 0.0f && y[t - 1] == 0.0f;
	return gaps;
}

/*
 * Largest step a glitch-free output may take: the larger step of the wet and the dry signal, plus
 * what a raised-cosine fade over X samples adds between two signals of peak A (at most
 * pi / (2 X) * 2A per sample), with 50 % slack for the wet signals the worker's resets produce.
 * A gap or a click (a jump to or from silence) on this 0.5-amplitude sine is far above it.
 */
static double step_bound(const float *wet, const float *x, size_t n)
{
	double a = fmax(max_abs(wet, 0, n), max_abs(x, 0, n));
	double j = fmax(max_step(wet, 0, n), max_step(x, 0, n));
	return 1.5 * (j + M_PI / (2.0 * ENGINE_XFADE_SAMPLES) * 2.0 * a);
}

/* ---- tests ------------------------------------------------------------------------------- */

/* Fast model, cooperative pacing: no misses, and exactly the inline output, later by the margin. */
static void test_matches_inline(void)
{
	const size_t n = RATE; /* 1 s per quantum */
	float *x = malloc(n * sizeof(float)), *y = calloc(n, sizeof(float)),
	      *ref = calloc(n, sizeof(float));
	CHECK(x && y && ref);
	if (x && y && ref) {
		fill_sine(x, n, 3);
		const uint32_t quanta[] = {128, 256, 1024};
		for (size_t k = 0; k < 3; k++) {
			uint32_t q = quanta[k];
			run_inline(x, ref, n, q);
			struct engine *e = make_engine(ENGINE_WORKER, NULL, 0);
			if (!e)
				break;
			struct graph g = {.e = e, .x = x, .y = y, .n = n, .hook = fixed_quantum, .user = &q};
			run_graph(&g);
			struct engine_stats st;
			engine_get_stats(e, &st);
			/* The least margin for this quantum: ceil((q + X) / 480). */
			uint32_t m = (q + ENGINE_XFADE_SAMPLES + FRAME - 1) / FRAME;
			CHECK_MSG(st.margin_frames == m, "q %u: margin %u, expected %u", q,
				  st.margin_frames, m);
			CHECK(st.latency_samples == expected_inline_latency() + m * FRAME);
			CHECK_MSG(st.deadline_misses == 0, "q %u: %llu misses", q,
				  (unsigned long long)st.deadline_misses);
			CHECK(st.frames > 0 && st.frames_denoised == st.frames);
			CHECK(st.breaker == ENGINE_BREAKER_CLOSED && st.breaker_trips == 0);
			CHECK(st.late_frames_dropped == 0);
			double err = max_shifted_error(y, ref, n, (size_t)m * FRAME);
			CHECK_MSG(err == 0.0, "q %u: max error vs inline %.3g", q, err);
			engine_destroy(e);
		}
	}
	free(x);
	free(y);
	free(ref);
}

/* Fast model at real-time pace with a generous margin (50 ms: more than the worst wake-up
 * latency seen on a loaded 2-vCPU VM, 22 ms): still no misses, same output. A worker priority is
 * requested; whether it is granted depends on the machine, the output must not. */
static void test_realtime_fast(void)
{
	const size_t n = RATE; /* 1 s */
	float *x = malloc(n * sizeof(float)), *y = calloc(n, sizeof(float)),
	      *ref = calloc(n, sizeof(float));
	CHECK(x && y && ref);
	struct engine_tuning tun = {.initial_margin = 5};
	struct engine *e = x && y && ref ? make_engine(ENGINE_WORKER, &tun, 1) : NULL;
	if (e) {
		fill_sine(x, n, 4);
		uint32_t q = 256;
		run_inline(x, ref, n, q);
		struct graph g = {.e = e, .x = x, .y = y, .n = n, .realtime = true,
				  .hook = fixed_quantum, .user = &q};
		run_graph(&g);
		struct engine_stats st;
		engine_get_stats(e, &st);
		CHECK(st.margin_frames == 5);
		CHECK_MSG(st.deadline_misses == 0, "%llu misses", (unsigned long long)st.deadline_misses);
		if (st.deadline_misses == 0) {
			double err = max_shifted_error(y, ref, n, 5 * FRAME);
			CHECK_MSG(err == 0.0, "max error vs inline %.3g", err);
		}
		fprintf(stderr, "  real time, q 256, margin 5: worker SCHED_FIFO %s, memory %slocked, "
				"model p50 %u us, p99 %u us, max %u us\n",
			st.worker_realtime ? "granted" : "refused", st.memory_locked ? "" : "not ",
			st.frame_time_p50_us, st.frame_time_p99_us, st.frame_time_max_us);
	}
	engine_destroy(e);
	free(x);
	free(y);
	free(ref);
}

struct margin_script {
	uint64_t xrun_cycle[2];    /* report an xrun before these cycles */
	bool xrun_after_shrink;    /* set xrun_cycle[1] 10 cycles after the first shrink is seen */
	uint64_t big_from, big_to; /* cycles with quantum 1024 instead of 256 */
	uint32_t max_margin, margin_at_big, last_margin;
	uint64_t change_cycle[16]; /* cycle at which each margin change was first seen */
	uint32_t change_margin[16];
	unsigned n_changes;
};

static uint32_t margin_hook(struct graph *g, uint64_t c, size_t done)
{
	struct margin_script *s = g->user;
	struct engine_stats st;
	engine_get_stats(g->e, &st);
	if (c == 0)
		s->last_margin = st.margin_frames;
	if (st.margin_frames != s->last_margin && s->n_changes < 16) {
		if (s->xrun_after_shrink && s->n_changes == 1 && st.margin_frames < s->last_margin)
			s->xrun_cycle[1] = c + 10; /* just after the first shrink: a premature one */
		s->change_cycle[s->n_changes] = c;
		s->change_margin[s->n_changes++] = st.margin_frames;
	}
	s->last_margin = st.margin_frames;
	if (st.margin_frames > s->max_margin)
		s->max_margin = st.margin_frames;
	if (c == s->xrun_cycle[0] || c == s->xrun_cycle[1])
		engine_note_xrun(g->e);
	if (c == s->big_to)
		s->margin_at_big = st.margin_frames;
	return c >= s->big_from && c < s->big_to ? 1024 : 256;
}

/* Xruns and a larger quantum grow the margin at once, a stable period shrinks it back (twice as
 * late after a shrink that an xrun proved premature); no misses (cooperative pacing) and no
 * glitches on the way. */
static void test_margin_adapts(void)
{
	const size_t n = 3 * RATE;
	float *x = malloc(n * sizeof(float)), *y = calloc(n, sizeof(float)),
	      *ref = calloc(n, sizeof(float));
	CHECK(x && y && ref);
	const uint32_t stable = 20;
	const struct engine_tuning tun = {.stable_frames = stable, .shrink_max_wait_frames = 5};
	struct engine *e = x && y && ref ? make_engine(ENGINE_WORKER, &tun, 0) : NULL;
	if (e) {
		fill_sine(x, n, 5);
		run_inline(x, ref, n, 256);
		/* Cycles of 256 (1.875 per frame): xrun at 0.25 s, quantum 1024 from 1.6 s to 2 s. */
		struct margin_script s = {.xrun_cycle = {47, UINT64_MAX}, .xrun_after_shrink = true,
					  .big_from = 300, .big_to = 320};
		struct graph g = {.e = e, .x = x, .y = y, .n = n, .hook = margin_hook, .user = &s};
		run_graph(&g);
		struct engine_stats st;
		engine_get_stats(e, &st);
		CHECK_MSG(st.deadline_misses == 0, "%llu misses", (unsigned long long)st.deadline_misses);
		CHECK(st.xruns == 2);
		/* 1 -> 2 (xrun), 2 -> 1 (stable), 1 -> 2 (xrun), 2 -> 1 (stable, later), 1 -> 3 (quantum),
		 * 3 -> 2 -> 1 (stable). */
		static const uint32_t expect[] = {2, 1, 2, 1, 3, 2, 1};
		CHECK_MSG(s.n_changes == 7, "%u margin changes", s.n_changes);
		for (unsigned k = 0; k < s.n_changes && k < 7; k++)
			CHECK_MSG(s.change_margin[k] == expect[k], "change %u: margin %u, expected %u", k,
				  s.change_margin[k], expect[k]);
		if (s.n_changes >= 4) {
			/* Frames of 480 in cycles of 256: the second wait is the doubled stable period. */
			uint64_t first = s.change_cycle[1] - s.change_cycle[0];
			uint64_t second = s.change_cycle[3] - s.change_cycle[2];
			uint64_t stable_cycles = (uint64_t)stable * FRAME / 256;
			CHECK_MSG(first >= stable_cycles && first < 2 * stable_cycles,
				  "first shrink after %llu cycles", (unsigned long long)first);
			CHECK_MSG(second >= 2 * stable_cycles, "second shrink after only %llu cycles",
				  (unsigned long long)second);
		}
		CHECK_MSG(s.max_margin == 3, "margin peaked at %u", s.max_margin);
		CHECK_MSG(s.margin_at_big == 3, "margin during quantum 1024: %u", s.margin_at_big);
		CHECK_MSG(st.margin_frames == 1, "margin at the end %u, expected 1", st.margin_frames);
		CHECK(st.latency_samples == expected_inline_latency() + st.margin_frames * FRAME);
		CHECK(st.margin_changes == 7);
		double step = max_step(y, 0, n), bound = step_bound(ref, x, n);
		CHECK_MSG(step <= bound, "largest step %.4f > bound %.4f", step, bound);
		size_t gaps = count_gaps(y, 4 * FRAME, n);
		CHECK_MSG(gaps == 0, "%zu gaps", gaps);
		/* Back at margin 1: the output is again exactly the inline output, one frame later. */
		size_t tail = RATE / 4;
		double err = max_shifted_error(y + n - tail, ref + n - tail - FRAME, tail, 0);
		CHECK_MSG(err == 0.0, "tail differs from inline by %.3g", err);
		for (unsigned k = 0; k < s.n_changes; k++)
			fprintf(stderr, "%s%llu:%u", k ? ", " : "  margin changes (cycle:margin): ",
				(unsigned long long)s.change_cycle[k], s.change_margin[k]);
		fprintf(stderr, "\n");
	}
	engine_destroy(e);
	free(x);
	free(y);
	free(ref);
}

/* A shrink waits for a pause (both input frames around the join below -50 dBFS) when it may:
 * nothing audible is skipped then. */
static void test_shrink_in_pause(void)
{
	const size_t n = 3 * RATE / 2, pause_from = RATE, pause_to = RATE + 14400; /* 0.3 s */
	float *x = malloc(n * sizeof(float)), *y = calloc(n, sizeof(float));
	CHECK(x && y);
	const struct engine_tuning tun = {.stable_frames = 20, .shrink_max_wait_frames = 100000};
	struct engine *e = x && y ? make_engine(ENGINE_WORKER, &tun, 0) : NULL;
	if (e) {
		fill_sine(x, n, 8);
		memset(x + pause_from, 0, (pause_to - pause_from) * sizeof(float));
		struct margin_script s = {.xrun_cycle = {10, UINT64_MAX}, .big_from = UINT64_MAX,
					  .big_to = UINT64_MAX};
		struct graph g = {.e = e, .x = x, .y = y, .n = n, .hook = margin_hook, .user = &s};
		run_graph(&g);
		CHECK_MSG(s.n_changes == 2, "%u margin changes", s.n_changes);
		if (s.n_changes == 2) {
			/* Grown early; shrunk once the output reached the pause, ~1 s later. */
			size_t at = s.change_cycle[1] * 256, latency = expected_inline_latency() + 2 * FRAME;
			CHECK_MSG(s.change_margin[1] == 1 && at >= pause_from + latency &&
					  at <= pause_to + latency,
				  "shrink seen at sample %zu, pause played from %zu to %zu", at,
				  pause_from + latency, pause_to + latency);
		}
	}
	engine_destroy(e);
	free(x);
	free(y);
}

struct slow_script {
	uint64_t slow_from, slow_to;  /* cycles with the artificial delay */
	uint32_t delay_us;
	uint32_t max_margin;
	uint64_t misses_before_slow, misses_at_slow_end;
	bool saw_open, saw_half_open_after_slow;
	uint64_t closed_since;        /* cycle the breaker was last seen closing after the slow part */
	uint64_t stop_after_closed;   /* stop once closed and at margin 1 this many cycles */
};

static uint32_t slow_hook(struct graph *g, uint64_t c, size_t done)
{
	struct slow_script *s = g->user;
	struct engine_stats st;
	engine_get_stats(g->e, &st);
	if (st.margin_frames > s->max_margin)
		s->max_margin = st.margin_frames;
	if (st.breaker == ENGINE_BREAKER_OPEN)
		s->saw_open = true;
	if (c == s->slow_from) {
		s->misses_before_slow = st.deadline_misses;
		engine_test_slow_model(g->e, s->delay_us);
	}
	if (c == s->slow_to) {
		s->misses_at_slow_end = st.deadline_misses;
		engine_test_slow_model(g->e, 0);
	}
	if (c > s->slow_to) {
		if (st.breaker == ENGINE_BREAKER_HALF_OPEN)
			s->saw_half_open_after_slow = true;
		if (st.breaker != ENGINE_BREAKER_CLOSED || st.margin_frames != 1)
			s->closed_since = c;
		else if (c - s->closed_since >= s->stop_after_closed)
			return 0; /* recovered: closed, back at the least margin, for a while */
	}
	return 256;
}

/* Slow frames at real-time pace: misses, continuity, breaker open -> half-open -> closed, margin
 * up and back down. */
static void test_slow_frames(void)
{
	const size_t n = 5 * RATE; /* upper bound; stops once recovered (about 2 s) */
	float *x = malloc(n * sizeof(float)), *y = calloc(n, sizeof(float)),
	      *ref = calloc(n, sizeof(float));
	CHECK(x && y && ref);
	const struct engine_tuning tun = {
		.breaker_misses = 4,
		.breaker_hold_frames = 10,
		.stable_frames = 15,
		.shrink_max_wait_frames = 5,
		.margin_extra_max = 3,
	};
	struct engine *e = x && y && ref ? make_engine(ENGINE_WORKER, &tun, 0) : NULL;
	if (e) {
		fill_sine(x, n, 7);
		/* The wet signal's size and steps, for the continuity bound: one second shows them. */
		const size_t n_ref = RATE;
		run_inline(x, ref, n_ref, 256);
		/* 256-sample cycles (5.3 ms): slow from 0.5 s to 0.9 s of audio, each frame taking
		 * three frames' time. */
		struct slow_script s = {.slow_from = 94, .slow_to = 169,
					.delay_us = (uint32_t)(30000 * time_scale),
					.stop_after_closed = 40};
		s.closed_since = s.slow_to;
		struct graph g = {.e = e, .x = x, .y = y, .n = n, .realtime = true,
				  .hook = slow_hook, .user = &s};
		run_graph(&g);
		struct engine_stats st;
		engine_get_stats(e, &st);
		fprintf(stderr,
			"  slow frames: %llu misses (%llu in the slow part), %llu trips, margin peak %u, "
			"%llu splices, %llu late frames dropped, recovered after %.2f s of audio\n",
			(unsigned long long)st.deadline_misses,
			(unsigned long long)(s.misses_at_slow_end - s.misses_before_slow),
			(unsigned long long)st.breaker_trips, s.max_margin,
			(unsigned long long)st.margin_changes, (unsigned long long)st.late_frames_dropped,
			(double)g.done / RATE);
		CHECK(s.misses_at_slow_end - s.misses_before_slow >= tun.breaker_misses);
		CHECK(st.breaker_trips >= 1 && s.saw_open);
		CHECK_MSG(g.done < n, "did not recover: breaker %d, margin %u", (int)st.breaker,
			  st.margin_frames);
		CHECK(st.breaker == ENGINE_BREAKER_CLOSED);
		CHECK_MSG(s.max_margin >= 3, "margin peaked at %u", s.max_margin);
		CHECK(s.max_margin <= 1 + tun.margin_extra_max);
		CHECK(st.margin_frames == 1);
		CHECK(st.frame_time_max_us >= s.delay_us);
		/* Continuity over everything that was played. */
		double step = max_step(y, 0, g.done), bound = step_bound(ref, x, n_ref);
		fprintf(stderr, "  largest step %.4f (bound %.4f)\n", step, bound);
		CHECK_MSG(step <= bound, "largest step %.4f > bound %.4f", step, bound);
		size_t gaps = count_gaps(y, 4 * FRAME, g.done);
		CHECK_MSG(gaps == 0, "%zu gaps", gaps);
	}
	engine_destroy(e);
	free(x);
	free(y);
	free(ref);
}

/* Scale real time so that the model's p99 time per frame is at most a quarter of a 256-sample
 * cycle (5.3 ms): 1 in normal builds (tens of microseconds), larger under sanitizers. */
static void measure_time_scale(void)
{
	const size_t n = RATE / 2;
	float *x = malloc(n * sizeof(float)), *y = malloc(n * sizeof(float));
	struct engine *e = x && y ? make_engine(ENGINE_INLINE, NULL, 0) : NULL;
	if (e) {
		fill_sine(x, n, 1);
		for (size_t done = 0; done < n; done += FRAME)
			engine_process(e, x + done, y + done, FRAME);
		struct engine_stats st;
		engine_get_stats(e, &st);
		double period_us = 256.0 * 1e6 / RATE;
		/* capped: a machine this loaded would make the test too long to be useful */
		time_scale = fmin(10.0, fmax(1.0, 4.0 * st.frame_time_p99_us / period_us));
		fprintf(stderr, "model p99 %u us per frame: real time scaled by %.2f\n",
			st.frame_time_p99_us, time_scale);
	}
	engine_destroy(e);
	free(x);
	free(y);
}

int main(void)
{
	measure_time_scale();
	RUN_TEST(test_matches_inline);
	RUN_TEST(test_realtime_fast);
	RUN_TEST(test_margin_adapts);
	RUN_TEST(test_shrink_in_pause);
	RUN_TEST(test_slow_frames);
	return test_finish();
}
