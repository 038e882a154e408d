/* SPDX-License-Identifier: MIT */
/*
 * Worker mode: the ML worker thread and the frame hand-off.
 *
 * Two buffer pools (core/pool.h) of 480-sample blocks carry the frames, each with exactly one
 * filler and one drainer thread:
 *   in_pool:  audio thread acquires, copies a completed input frame in, submits;
 *             worker takes, runs the denoiser, releases.
 *   out_pool: worker acquires, the denoiser writes the wet frame into it, submits;
 *             audio thread takes, copies the frame into its slot, releases.
 * Each block's frame index (and VAD) travel in per-block arrays written by the block's holder
 * before the hand-off; the pool's release/acquire ring transfer makes them visible, like the
 * samples. Neither side ever waits for the other.
 *
 * Waking the worker: a POSIX semaphore. The audio thread calls sem_post() at most once per cycle,
 * after it submitted a frame. sem_post never blocks and takes no lock: glibc increments the
 * count atomically and makes a futex-wake system call only when the worker is actually asleep in
 * sem_wait (it is async-signal-safe for that reason). That one bounded, non-blocking system call
 * is the only one on the audio thread, and it is what lets the worker sleep instead of spinning.
 * Extra posts (the worker drained several frames per wake-up) only cost it an empty pass.
 *
 * The worker processes frames in order. A frame whose decision the audio thread made more than
 * ENGINE_STALE_SKIP_FRAMES frames ago (decided_next) would be dropped on arrival, so the worker
 * skips it instead of spending a frame's time on it; after any gap in the frame sequence it resets
 * the denoiser and marks its next ENGINE_RESYNC_FRAMES outputs as warming (engine_constants.h).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/pool.h"
#include "engine/engine_internal.h"

struct out_meta {
	int64_t seq;
	float vad;
	bool warming;
};

struct engine_worker {
	struct engine *e;
	pthread_t thread;
	bool thread_started;
	sem_t wake;
	bool sem_ready;
	bool realtime;           /* written before the engine is handed out */
	struct pool *in_pool, *out_pool;
	int64_t *in_seq;         /* per in_pool block */
	struct out_meta *out_meta; /* per out_pool block */

	/* Audio thread. */
	bool kick_pending;

	/* Shared. */
	_Atomic bool stop;
	_Atomic int64_t decided_next;
	_Atomic uint32_t delay_us;
	_Atomic uint64_t n_sent;  /* written by the audio thread */
	_Atomic uint64_t n_done;  /* written by the worker: frames processed or skipped */

	/* Worker thread. */
	int64_t expected_seq;
	uint32_t warming_left;
	int applied_strength;
};

uint64_t engine_now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void sleep_until_us(uint64_t t_us)
{
	struct timespec ts = {
		.tv_sec = (time_t)(t_us / 1000000u),
		.tv_nsec = (long)(t_us % 1000000u) * 1000,
	};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* Worker: one frame from in_pool block idx. */
static void work_frame(struct engine_worker *w, int32_t idx)
{
	struct engine *e = w->e;
	const int64_t seq = w->in_seq[idx];

	const int64_t decided_next = atomic_load_explicit(&w->decided_next, memory_order_relaxed);
	if (seq + ENGINE_STALE_SKIP_FRAMES < decided_next) {
		pool_release(w->in_pool, idx); /* long played dry: skip, catch up */
		atomic_fetch_add_explicit(&w->n_done, 1, memory_order_relaxed);
		return;
	}
	int32_t out_idx = pool_acquire(w->out_pool);
	if (out_idx < 0) { /* the audio thread is not collecting (stalled): nothing to do */
		pool_release(w->in_pool, idx);
		w->expected_seq = -1;
		atomic_fetch_add_explicit(&w->n_done, 1, memory_order_relaxed);
		return;
	}
	if (seq != w->expected_seq) {
		vocana_denoiser_reset(e->den);
		w->warming_left = ENGINE_RESYNC_FRAMES;
	}
	w->expected_seq = seq + 1;

	const int strength = atomic_load_explicit(&e->strength, memory_order_relaxed);
	if (strength != w->applied_strength) {
		vocana_denoiser_set_strength(e->den, strength);
		w->applied_strength = strength;
	}
	const uint64_t t0 = engine_now_us();
	vocana_denoiser_process(e->den, pool_block(w->in_pool, idx), pool_block(w->out_pool, out_idx),
				ENGINE_FRAME_SAMPLES);
	const uint32_t delay = atomic_load_explicit(&w->delay_us, memory_order_relaxed);
	if (delay)
		sleep_until_us(t0 + delay);
	const uint64_t dt = engine_now_us() - t0;
	telemetry_record_latency_us(e->tel, dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt);

	w->out_meta[out_idx] = (struct out_meta){
		.seq = seq,
		.vad = vocana_denoiser_vad(e->den),
		.warming = w->warming_left > 0,
	};
	if (w->warming_left)
		w->warming_left--;
	pool_release(w->in_pool, idx);
	pool_submit(w->out_pool, out_idx, ENGINE_FRAME_SAMPLES);
	/* Release: whoever sees the count sees the block in out_pool (engine_frames_in_flight()). */
	atomic_fetch_add_explicit(&w->n_done, 1, memory_order_release);
}

static void *worker_main(void *arg)
{
	struct engine_worker *w = arg;
	for (;;) {
		while (sem_wait(&w->wake) != 0 && errno == EINTR)
			;
		if (atomic_load_explicit(&w->stop, memory_order_acquire))
			break;
		int32_t idx;
		while (!atomic_load_explicit(&w->stop, memory_order_relaxed) &&
		       (idx = pool_take(w->in_pool, NULL)) >= 0)
			work_frame(w, idx);
	}
	return NULL;
}

int engine_worker_start(struct engine *e, int priority)
{
	struct engine_worker *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	e->worker = w;
	w->e = e;
	w->applied_strength = e->applied_strength;
	w->expected_seq = 0; /* the denoiser was reset after the warm-up: frame 0 follows seamlessly */
	atomic_init(&w->stop, false);
	atomic_init(&w->decided_next, 0);
	atomic_init(&w->delay_us,
		    atomic_load_explicit(&e->artificial_delay_us, memory_order_relaxed));
	atomic_init(&w->n_sent, 0);
	atomic_init(&w->n_done, 0);

	int res;
	if ((res = pool_create(e->n_slots, ENGINE_FRAME_SAMPLES, &w->in_pool)) < 0)
		return res;
	if ((res = pool_create(e->n_slots, ENGINE_FRAME_SAMPLES, &w->out_pool)) < 0)
		return res;
	w->in_seq = calloc(e->n_slots, sizeof(*w->in_seq));
	w->out_meta = calloc(e->n_slots, sizeof(*w->out_meta));
	if (!w->in_seq || !w->out_meta)
		return -ENOMEM;
	if (sem_init(&w->wake, 0, 0) != 0)
		return -errno;
	w->sem_ready = true;
	if ((res = pthread_create(&w->thread, NULL, worker_main, w)) != 0)
		return -res;
	w->thread_started = true;

	/* Real-time priority is a request, not a requirement: without the privilege (no rtkit, no
	 * RLIMIT_RTPRIO) the worker runs at normal priority, and stats say so. */
	if (priority > 0) {
		struct sched_param sp = {.sched_priority = priority};
		w->realtime = pthread_setschedparam(w->thread, SCHED_FIFO, &sp) == 0;
	}
	return 0;
}

void engine_worker_stop(struct engine *e)
{
	struct engine_worker *w = e->worker;
	if (!w)
		return;
	if (w->thread_started) {
		atomic_store_explicit(&w->stop, true, memory_order_release);
		sem_post(&w->wake);
		pthread_join(w->thread, NULL);
	}
	if (w->sem_ready)
		sem_destroy(&w->wake);
	pool_destroy(w->in_pool);
	pool_destroy(w->out_pool);
	free(w->in_seq);
	free(w->out_meta);
	free(w);
	e->worker = NULL;
}

void engine_worker_submit(struct engine *e, struct engine_slot *s)
{
	struct engine_worker *w = e->worker;
	int32_t idx = pool_acquire(w->in_pool);
	if (idx < 0) {
		s->sub = ENGINE_SUB_FAILED; /* every block in flight: the worker is far behind */
		engine_bump(&e->st_submit_failed, 1);
		return;
	}
	memcpy(pool_block(w->in_pool, idx), s->in, ENGINE_FRAME_SAMPLES * sizeof(float));
	w->in_seq[idx] = s->seq;
	pool_submit(w->in_pool, idx, ENGINE_FRAME_SAMPLES);
	engine_bump(&w->n_sent, 1);
	s->sub = ENGINE_SUB_SENT;
	w->kick_pending = true;
}

void engine_worker_kick(struct engine *e)
{
	struct engine_worker *w = e->worker;
	if (w->kick_pending) {
		w->kick_pending = false;
		sem_post(&w->wake);
	}
}

void engine_worker_collect(struct engine *e)
{
	struct engine_worker *w = e->worker;
	int32_t idx;
	/* Bounded: at most n_slots blocks exist. */
	while ((idx = pool_take(w->out_pool, NULL)) >= 0) {
		const struct out_meta *m = &w->out_meta[idx];
		struct engine_slot *s = engine_slot_of(e, m->seq);
		if (m->seq > e->decided_upto && s->seq == m->seq && s->sub == ENGINE_SUB_SENT) {
			memcpy(s->wet, pool_block(w->out_pool, idx), ENGINE_FRAME_SAMPLES * sizeof(float));
			s->ready = true;
			s->warming = m->warming;
			s->vad = m->vad;
		} else {
			engine_bump(&e->st_late_dropped, 1); /* its slot has passed: played dry */
		}
		pool_release(w->out_pool, idx);
	}
}

void engine_worker_publish_decided(struct engine *e, int64_t next)
{
	atomic_store_explicit(&e->worker->decided_next, next, memory_order_relaxed);
}

bool engine_worker_realtime(const struct engine *e)
{
	return e->worker && e->worker->realtime;
}

uint32_t engine_worker_in_flight(const struct engine *e)
{
	if (!e->worker)
		return 0;
	uint64_t sent = atomic_load_explicit(&e->worker->n_sent, memory_order_acquire);
	uint64_t done = atomic_load_explicit(&e->worker->n_done, memory_order_acquire);
	return sent > done ? (uint32_t)(sent - done) : 0;
}

void engine_worker_set_delay_us(struct engine *e, uint32_t us)
{
	if (e->worker)
		atomic_store_explicit(&e->worker->delay_us, us, memory_order_relaxed);
}
