/* SPDX-License-Identifier: MIT */
/*
 * Worker mode: the input side, the ML worker thread and the frame hand-off.
 *
 * The audio thread gives the cycle's input to the denoiser's stream (framing, sanitising); each
 * completed frame keeps its dry signal in its slot and goes to the worker, which runs the
 * denoiser's hop on it (denoiser_internal.h): the same denoiser, its two halves on two threads.
 *
 * Two rings of frame records (core/ring.h) carry the frames, each record a frame index and its
 * 480 samples:
 *   in_q:  the audio thread copies a completed input frame into the next free record and
 *          publishes it; the worker runs the denoiser on it and gives the record back.
 *   out_q: the worker has the denoiser write the wet frame straight into the next free record
 *          (with the frame's VAD) and publishes it; the audio thread copies it into its slot and
 *          gives the record back.
 * The ring's release/acquire hand-off makes a record's contents visible to the other side, and a
 * record belongs to one side at a time (its index is either below or above the other's), so the
 * records need no atomics. Neither side ever waits for the other.
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
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "core/ring.h"
#include "denoiser_internal.h"
#include "engine/engine_internal.h"

/* Records start on their own cache lines (neighbours may belong to different threads), and so do
 * their samples (aligned copies are several times faster). */
struct in_frame {
	alignas(64) float x[ENGINE_FRAME_SAMPLES];
	int64_t seq;
};

struct out_frame {
	alignas(64) float y[ENGINE_FRAME_SAMPLES];
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
	struct ring in_q, out_q;   /* both of e->n_slots records */
	struct in_frame *in;       /* one allocation, in then out */
	struct out_frame *out;

	/* Audio thread. */
	bool kick_pending;

	/* Shared. */
	_Atomic bool stop;
	_Atomic int64_t decided_next;

	/* Worker thread. */
	int64_t expected_seq;
	uint32_t warming_left;
	int applied_strength;
};

void engine_run_hop(struct engine *e, const float *frame, float *wet)
{
	denoiser_run_hop(e->den, frame, wet);
}

/* Worker: one frame from input record r (the caller gives the record back afterwards). */
static void work_frame(struct engine_worker *w, const struct in_frame *r)
{
	struct engine *e = w->e;
	const int64_t decided_next = atomic_load_explicit(&w->decided_next, memory_order_relaxed);
	if (r->seq + ENGINE_STALE_SKIP_FRAMES < decided_next)
		return; /* long played dry: skip, catch up */
	uint32_t oi;
	if (ring_get_write_index(&w->out_q, &oi) >= (int32_t)w->out_q.size) {
		w->expected_seq = -1; /* the audio thread is not collecting (stalled): nothing to do */
		return;
	}
	struct out_frame *o = &w->out[ring_slot(&w->out_q, oi)];
	if (r->seq != w->expected_seq) {
		denoiser_reset_hop(e->den);
		w->warming_left = ENGINE_RESYNC_FRAMES;
	}
	w->expected_seq = r->seq + 1;

	const int strength = atomic_load_explicit(&e->strength, memory_order_relaxed);
	if (strength != w->applied_strength) {
		vocana_denoiser_set_strength(e->den, strength);
		w->applied_strength = strength;
	}
	const uint64_t t0 = telemetry_now_us();
	atomic_load_explicit(&e->run_hop, memory_order_relaxed)(e, r->x, o->y);
	const uint64_t dt = telemetry_now_us() - t0;
	telemetry_record_latency_us(e->tel, dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt);

	o->seq = r->seq;
	o->vad = vocana_denoiser_vad(e->den);
	o->warming = w->warming_left > 0;
	if (w->warming_left)
		w->warming_left--;
	ring_write_update(&w->out_q, oi + 1);
}

static void *worker_main(void *arg)
{
	struct engine_worker *w = arg;
	for (;;) {
		while (sem_wait(&w->wake) != 0 && errno == EINTR)
			;
		if (atomic_load_explicit(&w->stop, memory_order_acquire))
			break;
		uint32_t i;
		while (!atomic_load_explicit(&w->stop, memory_order_relaxed) &&
		       ring_get_read_index(&w->in_q, &i) > 0) {
			work_frame(w, &w->in[ring_slot(&w->in_q, i)]);
			/* After the wet frame was published: a frame no longer in flight has its
			 * result waiting in out_q (engine_worker_in_flight()). */
			ring_read_update(&w->in_q, i + 1);
		}
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

	/* As many records as slots: a frame can only be in flight while its slot is. */
	int res;
	const size_t in_bytes = (size_t)e->n_slots * sizeof(struct in_frame);
	const size_t bytes = in_bytes + (size_t)e->n_slots * sizeof(struct out_frame);
	if ((res = ring_init(&w->in_q, e->n_slots)) < 0 || (res = ring_init(&w->out_q, e->n_slots)) < 0)
		return res;
	w->in = aligned_alloc(64, bytes); /* both record sizes are multiples of 64 */
	if (!w->in)
		return -ENOMEM;
	memset(w->in, 0, bytes); /* touch every page now, not on the audio thread */
	w->out = (struct out_frame *)(void *)((char *)w->in + in_bytes);
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
	free(w->in);
	free(w);
	e->worker = NULL;
}

/* Audio thread: the completed input frame `hop` (slot s) into the next free input record. */
static void submit(struct engine *e, struct engine_slot *s, const float *hop)
{
	struct engine_worker *w = e->worker;
	uint32_t i;
	if (ring_get_write_index(&w->in_q, &i) >= (int32_t)w->in_q.size) {
		s->sub = ENGINE_SUB_FAILED; /* every record in flight: the worker is far behind */
		engine_bump(&e->st_submit_failed, 1);
		return;
	}
	struct in_frame *r = &w->in[ring_slot(&w->in_q, i)];
	r->seq = s->seq;
	memcpy(r->x, hop, sizeof(r->x));
	ring_write_update(&w->in_q, i + 1);
	s->sub = ENGINE_SUB_SENT;
	w->kick_pending = true;
}

/* A user bypass (enabled = false) still feeds the model, so switching back on is instant and
 * seamless; the open breaker does not, since it exists to shed load. */
void engine_worker_take_input(struct engine *e, const float *in, uint32_t n)
{
	size_t done = 0;
	while (done < n) {
		size_t k = n - done;
		const float *hop = denoiser_take_input(e->den, in + done, &k);
		done += k;
		if (!hop)
			continue;
		/* Frame in_frame takes its slot: every field fresh, the buffers kept. */
		struct engine_slot *s = engine_slot_of(e, e->in_frame);
		*s = (struct engine_slot){.seq = e->in_frame, .wet = s->wet, .dry = s->dry,
					  .peak = engine_peak(hop, ENGINE_FRAME_SAMPLES)};
		denoiser_dry(e->den, s->dry);
		if (engine_policy_may_submit(e))
			submit(e, s, hop);
		else
			s->sub = ENGINE_SUB_HELD;
		e->in_frame++;
	}
	e->in_pos += n;
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
	uint32_t i;
	/* Bounded: at most n_slots records exist. */
	while (ring_get_read_index(&w->out_q, &i) > 0) {
		const struct out_frame *o = &w->out[ring_slot(&w->out_q, i)];
		struct engine_slot *s = engine_slot_of(e, o->seq);
		if (o->seq > e->decided_upto && s->seq == o->seq && s->sub == ENGINE_SUB_SENT) {
			memcpy(s->wet, o->y, sizeof(o->y));
			s->ready = true;
			s->warming = o->warming;
			s->vad = o->vad;
		} else {
			engine_bump(&e->st_late_dropped, 1); /* its slot has passed: played dry */
		}
		ring_read_update(&w->out_q, i + 1);
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
	/* The worker gives an input record back only after publishing its result, so a frame not
	 * in flight any more has its wet frame waiting in out_q (the acquire inside makes it visible). */
	uint32_t i;
	const int32_t fill = ring_get_write_index(&e->worker->in_q, &i);
	return fill > 0 ? (uint32_t)fill : 0;
}
