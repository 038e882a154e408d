/* SPDX-License-Identifier: MIT */
/*
 * A direction's data-thread side (direction.h): the in callback files each channel's block in its
 * hand-off, the out callback takes its cycle's samples and runs every channel's engine, and the
 * position tracking that counts the cycles we missed. Nothing here allocates, locks, logs or
 * waits; graph metadata (chunk offsets and sizes, channel counts) is clamped before use. The
 * streams' state changes, on the main thread, are handed to direction.c.
 */
#include "pw/direction_private.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include <spa/param/audio/format-utils.h>

#include "vocana/vocana.h"

/* ---- Helpers ----------------------------------------------------------------------------- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no system call, safe on the audio thread */
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static float peak_of(const float *x, uint32_t n, float p)
{
	for (uint32_t i = 0; i < n; i++) {
		float a = fabsf(x[i]);

		if (a > p)
			p = a;
	}
	return p;
}

/* engine_process() takes at most DIRECTION_MAX_BLOCK samples; a larger graph quantum is split. */
static void run_engine(struct engine *e, const float *in, float *out, uint32_t n)
{
	while (n > 0) {
		uint32_t k = n < DIRECTION_MAX_BLOCK ? n : DIRECTION_MAX_BLOCK;

		engine_process(e, in, out, k);
		in += k;
		out += k;
		n -= k;
	}
}

/* The rate adapter's processor: the engine on its 48 kHz buffer, in place. */
static void run_engine_48k(void *data, float *buf, uint32_t n)
{
	run_engine(data, buf, buf, n);
}

/* Channel c's samples in a buffer, with the chunk's offset and size clamped to the mapped size:
 * the graph's metadata is not trusted. */
static const float *buffer_channel(const struct pw_buffer *b, uint32_t c, uint32_t *n)
{
	const struct spa_data *d;
	uint32_t off, size;

	*n = 0;
	if (b == NULL || c >= b->buffer->n_datas)
		return NULL;
	d = &b->buffer->datas[c];
	if (d->data == NULL || d->chunk == NULL)
		return NULL;
	off = d->chunk->offset < d->maxsize ? d->chunk->offset : d->maxsize;
	size = d->chunk->size < d->maxsize - off ? d->chunk->size : d->maxsize - off;
	*n = size / sizeof(float);
	return SPA_PTROFF(d->data, off, const float);
}

/*
 * Count the cycles the graph ran without us. Every forward jump of the position within one
 * driver's clock is a gap, however long (a process stopped for seconds loses seconds: that must
 * show). A new session, a new driver (its clock id changes: a device came or went) or a restart
 * of our own node are no gaps: the position simply starts over there. Nor are the first
 * DIRECTION_SETTLE_CYCLES cycles after the node is (re)activated: while the streams join the
 * driver, the speaker's triggered playback can miss a cycle or two before any audio flows (seen
 * at one session start in three, 2-3 quanta, with no sample of the player's lost).
 */
static void track_position(struct direction *d, const struct spa_io_position *pos)
{
	const uint64_t p = pos->clock.position, n = pos->clock.duration;
	const uint32_t rate = pos->clock.rate.denom;

	if (atomic_exchange_explicit(&d->restart_tracking, false, memory_order_acquire)) {
		d->last_duration = 0;
		d->settle_cycles = DIRECTION_SETTLE_CYCLES;
	}
	if (d->settle_cycles > 0) {
		d->settle_cycles--;
		d->last_duration = 0;
	}
	if (d->last_duration != 0 && pos->clock.id == d->last_clock_id &&
	    p > d->last_position + d->last_duration && rate > 0) {
		uint64_t gap = p - (d->last_position + d->last_duration);
		uint64_t us = gap * 1000000u / rate;

		atomic_fetch_add_explicit(&d->xruns, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&d->xrun_lost_us, us, memory_order_relaxed);
		if (us > atomic_load_explicit(&d->xrun_max_us, memory_order_relaxed))
			atomic_store_explicit(&d->xrun_max_us, us > UINT32_MAX ? UINT32_MAX : (unsigned)us,
					      memory_order_relaxed);
		for (uint32_t c = 0; c < d->n_paths && !d->hold_rt; c++)
			if (d->ch[c].engine_rt)
				engine_note_xrun(d->ch[c].engine_rt);
	}
	d->last_position = p;
	d->last_duration = n;
	d->last_clock_id = pos->clock.id;
	atomic_store_explicit(&d->quantum, (unsigned)n, memory_order_relaxed);
	atomic_store_explicit(&d->rate, rate, memory_order_relaxed);
}

/* ---- The in callback: into the hand-offs ------------------------------------------------- */

static void in_process(void *data)
{
	struct direction *d = data;
	struct spa_io_position *pos = atomic_load_explicit(&d->in_position, memory_order_acquire);
	struct pw_stream *st = d->in_rt;
	struct pw_buffer *b;
	bool reset = atomic_load_explicit(&d->reset_session, memory_order_relaxed);

	if (st == NULL)
		return;
	while ((b = pw_stream_dequeue_buffer(st)) != NULL) {
		for (uint32_t c = 0; c < d->channels && pos != NULL && !reset; c++) {
			uint32_t n;
			const float *src = buffer_channel(b, c, &n);

			/* A channel the buffer lacks (a bad peer) is not filed: its hand-off then
			 * reads zeros for this position, so the channels stay in step. */
			if (src != NULL && n > 0)
				handoff_write(d->ch[c].handoff, pos->clock.position, src, n);
		}
		pw_stream_queue_buffer(st, b);
	}
	atomic_fetch_add_explicit(&d->in_cycles, 1, memory_order_relaxed);
	/* The speaker: the playback runs now, in this cycle, right after its input arrived (only
	 * while PipeWire runs it: see trigger_target_rt). */
	if (d->trigger_target_rt != NULL)
		pw_stream_trigger_process(d->trigger_target_rt);
}

/* ---- The out callback: engines, out ----------------------------------------------------- */

/* Buffers of ours the stream still holds queued, not yet handed to the graph. At the start of
 * our cycle there should be none: the last one was taken in the last cycle. (pw_stream_get_time_n()
 * reads under a sequence count: no lock, no allocation.) */
static uint32_t queued_buffers(struct pw_stream *st)
{
	struct pw_time t;

	memset(&t, 0, sizeof(t));
	if (pw_stream_get_time_n(st, &t, sizeof(t)) < 0)
		return 0;
	return t.queued_buffers;
}

/* Channel c of a cycle at pos: its input from the hand-off (in place, or assembled in dst). */
static const float *read_channel(struct direction *d, uint32_t c, const struct spa_io_position *pos,
				 float *dst, uint32_t n, uint32_t *missing)
{
	return handoff_read(d->ch[c].handoff, pos->clock.position, n, dst, missing);
}

/* Channel c's input src through its engine into dst. The engine reads the input in place from
 * the hand-off and writes dst: one copy fewer on the way. */
static void run_channel(struct direction *d, uint32_t c, const float *src, float *dst, uint32_t n)
{
	struct direction_channel *ch = &d->ch[c];

	if (d->hold_rt)
		memset(dst, 0, (size_t)n * sizeof(float));
	else if (ch->engine_rt && ch->ra_rt)
		rate_adapter_process(ch->ra_rt, src, dst, n, run_engine_48k, ch->engine_rt);
	else if (ch->engine_rt)
		run_engine(ch->engine_rt, src, dst, n);
	else if (src != dst) /* no engine (a graph rate it cannot run at): pass through */
		memcpy(dst, src, (size_t)n * sizeof(float));
}

/* The channels' mean into the mid path's buffer (linked channels). */
static void mix_mid(struct direction *d, const float *const *src, uint32_t off, uint32_t n)
{
	const float w = 1.0f / (float)d->channels;

	for (uint32_t i = 0; i < n; i++) {
		float s = 0.0f;

		for (uint32_t c = 0; c < d->channels; c++)
			s += src[c][off + i];
		d->mid_buf[i] = w * s;
	}
}

/* Every channel through its path. Linked, the mid path goes first, a piece of at most
 * DIRECTION_MAX_BLOCK samples at a time, so that the channels' engines find the network's output
 * of each hop they run (engine_link()). Reading all of a piece's input before writing its output
 * keeps in-place buffers right. */
static void run_channels(struct direction *d, const float *const *src, struct spa_buffer *buf,
			 uint32_t n)
{
	if (!d->linked) {
		for (uint32_t c = 0; c < d->channels; c++)
			run_channel(d, c, src[c], buf->datas[c].data, n);
		return;
	}
	for (uint32_t off = 0; off < n; off += DIRECTION_MAX_BLOCK) {
		const uint32_t k = n - off < DIRECTION_MAX_BLOCK ? n - off : DIRECTION_MAX_BLOCK;

		mix_mid(d, src, off, k);
		run_channel(d, d->channels, d->mid_buf, d->mid_buf, k);
		for (uint32_t c = 0; c < d->channels; c++)
			run_channel(d, c, src[c] + off, (float *)buf->datas[c].data + off, k);
	}
}

/*
 * Idling on silence (the speaker: a paused player often keeps streaming zeros): once the input
 * has been digital silence for DIRECTION_IDLE_AFTER_MS, the engines have turned all of it into
 * silence (their latency and history are far shorter), so the cycle's output is zeros without
 * them. The first sound wakes them with their buffers full of that silence: the output goes on
 * as if they had run all along, at the same latency; only the network's state has not moved for
 * the skipped hops. Returns whether this cycle is skipped.
 */
static bool idle_on_silence(struct direction *d, float in_peak, uint32_t n, uint32_t rate)
{
	const uint64_t after = (uint64_t)rate * DIRECTION_IDLE_AFTER_MS / 1000;

	if (!d->idle_on_silence_rt || in_peak != 0.0f) {
		d->silent_samples = 0;
		return false;
	}
	if (d->silent_samples < after) {
		d->silent_samples += n;
		return false;
	}
	atomic_fetch_add_explicit(&d->silent_cycles, 1, memory_order_relaxed);
	return true;
}

/* The figures of the hand-off (every channel's decides alike: channel 0 speaks for them). */
static void publish_handoff(struct direction *d)
{
	const struct handoff *h = d->ch[0].handoff;

	atomic_store_explicit(&d->handoff_switches, h->n_switches, memory_order_relaxed);
	atomic_store_explicit(&d->handoff_recoveries, h->n_recoveries, memory_order_relaxed);
	atomic_store_explicit(&d->handoff_delay, handoff_delay(h), memory_order_relaxed);
	atomic_store_explicit(&d->out_first_samples, handoff_out_first(h), memory_order_relaxed);
	if (d->ch[0].ra_rt)
		atomic_store_explicit(&d->adapter_latency, rate_adapter_latency_samples(d->ch[0].ra_rt),
				      memory_order_relaxed);
}

static void out_process(void *data)
{
	struct direction *d = data;
	struct spa_io_position *pos = atomic_load_explicit(&d->out_position, memory_order_acquire);
	struct pw_stream *st = d->out_rt;
	uint64_t t0 = now_ns(), dt;
	struct pw_buffer *out;
	uint32_t n, cap = UINT32_MAX, missing = 0;
	float in_peak = 0.0f, out_peak = 0.0f;
	const float *src[DIRECTION_MAX_CHANNELS];

	if (st == NULL)
		return;
	if (atomic_load_explicit(&d->reset_session, memory_order_acquire)) {
		for (uint32_t c = 0; c < d->channels; c++)
			handoff_reset(d->ch[c].handoff);
		d->last_duration = 0;
		d->settle_cycles = DIRECTION_SETTLE_CYCLES;
		atomic_store_explicit(&d->reset_session, false, memory_order_release);
	}
	/* The speaker's playback is triggered by the node's callback, so it always runs after its
	 * input arrived: a hand-off a quantum behind (left from a cycle of a device change, when the
	 * two streams briefly ran on different drivers) is never a graph that keeps flipping. It
	 * returns to the same cycle at the next chance, not after the hand-off's wait for flipping
	 * graphs, which a few device changes in one session doubled to 4, 8, 16 s. */
	if (atomic_exchange_explicit(&d->recover_now, false, memory_order_acquire) ||
	    (d->trigger_rt && handoff_delay(d->ch[0].handoff) > 0))
		for (uint32_t c = 0; c < d->channels; c++)
			handoff_recover_soon(d->ch[c].handoff);
	if (pos)
		track_position(d, pos);
	if (queued_buffers(st) > 0)
		atomic_fetch_add_explicit(&d->stale_buffers, 1, memory_order_relaxed);
	out = pw_stream_dequeue_buffer(st);
	if (out == NULL || out->buffer->n_datas < d->channels) {
		if (out)
			pw_stream_queue_buffer(st, out);
		atomic_fetch_add_explicit(&d->no_output_buffer, 1, memory_order_relaxed);
		return;
	}
	for (uint32_t c = 0; c < d->channels; c++) {
		const struct spa_data *dd = &out->buffer->datas[c];

		if (dd->data == NULL || dd->chunk == NULL) {
			cap = 0;
			break;
		}
		if (dd->maxsize / sizeof(float) < cap)
			cap = dd->maxsize / sizeof(float);
	}
	n = (uint32_t)out->requested;
	if (n == 0)
		n = pos ? (uint32_t)pos->clock.duration : cap;
	if (n > cap)
		n = cap;
	if (d->in_rt == NULL || pos == NULL) {
		/* No input stream: plain silence, and the engines are left alone. */
		for (uint32_t c = 0; c < d->channels && cap > 0; c++)
			memset(out->buffer->datas[c].data, 0, (size_t)n * sizeof(float));
		missing = n;
	} else if (cap > 0) {
		/* Every channel's input first: whether the cycle is silence decides for all. */
		for (uint32_t c = 0; c < d->channels; c++) {
			src[c] = read_channel(d, c, pos, out->buffer->datas[c].data, n, &missing);
			in_peak = peak_of(src[c], n, in_peak);
		}
		if (idle_on_silence(d, in_peak, n, pos->clock.rate.denom))
			for (uint32_t c = 0; c < d->channels; c++)
				memset(out->buffer->datas[c].data, 0, (size_t)n * sizeof(float));
		else
			run_channels(d, src, out->buffer, n);
	}
	for (uint32_t c = 0; c < d->channels && cap > 0; c++) {
		struct spa_data *dd = &out->buffer->datas[c];

		out_peak = peak_of(dd->data, n, out_peak);
		dd->chunk->offset = 0;
		dd->chunk->stride = sizeof(float);
		dd->chunk->size = n * sizeof(float);
	}
	pw_stream_queue_buffer(st, out);
	if (missing > 0)
		atomic_fetch_add_explicit(&d->cycles_no_input, 1, memory_order_relaxed);
	atomic_store_explicit(&d->input_peak, in_peak, memory_order_relaxed);
	atomic_store_explicit(&d->output_peak, out_peak, memory_order_relaxed);
	atomic_fetch_add_explicit(&d->cycles, 1, memory_order_relaxed);
	publish_handoff(d);
	dt = now_ns() - t0;
	telemetry_record_latency_us(d->cycle_times, dt / 1000 > UINT32_MAX ? UINT32_MAX :
						    (uint32_t)(dt / 1000));
	atomic_fetch_add_explicit(&d->process_ns, dt, memory_order_relaxed);
	if (dt > atomic_load_explicit(&d->process_ns_max, memory_order_relaxed))
		atomic_store_explicit(&d->process_ns_max, (unsigned)(dt > UINT32_MAX ? UINT32_MAX : dt),
				      memory_order_relaxed);
}

/* ---- Positions --------------------------------------------------------------------------- */

static void set_position(_Atomic(struct spa_io_position *) *where, uint32_t id, void *area,
			 uint32_t size)
{
	if (id == SPA_IO_Position)
		atomic_store_explicit(where, size >= sizeof(struct spa_io_position) ? area : NULL,
				      memory_order_release);
}

static void in_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct direction *d = data;

	set_position(&d->in_position, id, area, size);
}

static void out_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct direction *d = data;

	set_position(&d->out_position, id, area, size);
}

/* ---- Main-thread events of the streams ---------------------------------------------------- */

static void node_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
			       const char *error)
{
	direction_node_state(data, old, state, error);
}

static void device_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
				 const char *error)
{
	direction_device_state(data, old, state, error);
}

/* The out stream decides the graph rate the engines run at (both streams share the driver). */
static void out_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
	struct spa_audio_info_raw info;

	if (id != SPA_PARAM_Format || param == NULL)
		return;
	memset(&info, 0, sizeof(info));
	if (spa_format_audio_raw_parse(param, &info) < 0)
		return;
	direction_format(data, info.rate);
}

/* The device's latency reaches us on the device stream; the node passes it on, plus ours. */
static void device_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
	if (id == SPA_PARAM_Latency && param != NULL)
		direction_device_latency(data, param);
}

/* The speaker's device stream is its out stream too. */
static void speaker_device_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
	out_param_changed(data, id, param);
	device_param_changed(data, id, param);
}

/* The four streams: which of them is in and which out decides the callbacks. */
const struct pw_stream_events direction_mic_device_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = device_state_changed,
	.io_changed = in_io_changed,
	.param_changed = device_param_changed,
	.process = in_process,
};

const struct pw_stream_events direction_mic_node_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = node_state_changed,
	.io_changed = out_io_changed,
	.param_changed = out_param_changed,
	.process = out_process,
};

const struct pw_stream_events direction_speaker_node_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = node_state_changed,
	.io_changed = in_io_changed,
	.process = in_process,
};

const struct pw_stream_events direction_speaker_device_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = device_state_changed,
	.io_changed = out_io_changed,
	.param_changed = speaker_device_param_changed,
	.process = out_process,
};

/* ---- Swapping what the data thread uses ------------------------------------------------- */

struct swap_msg {
	enum direction_swap what;
	void *ptr;
};

static int do_swap(struct spa_loop *loop, bool async, uint32_t seq, const void *data, size_t size,
		   void *user_data)
{
	struct direction *d = user_data;
	const struct swap_msg *m = data;
	struct rate_adapter **ra = m->ptr;
	int *res = m->ptr, r;

	switch (m->what) {
	case DIRECTION_SWAP_IN:
		d->in_rt = m->ptr;
		break;
	case DIRECTION_SWAP_OUT:
		d->out_rt = m->ptr;
		break;
	case DIRECTION_SWAP_TRIGGER:
		d->trigger_target_rt = m->ptr;
		break;
	case DIRECTION_SWAP_ENGINES:
		for (uint32_t c = 0; c < d->n_paths; c++)
			d->ch[c].engine_rt = m->ptr ? d->ch[c].engine : NULL;
		break;
	case DIRECTION_SWAP_ADAPTERS:
		for (uint32_t c = 0; c < d->n_paths; c++)
			d->ch[c].ra_rt = ra[c];
		break;
	case DIRECTION_SWAP_HOLD:
		d->hold_rt = m->ptr != NULL;
		break;
	case DIRECTION_SWAP_RESET_INLINE: /* on the data thread, between two cycles: memsets only */
		for (uint32_t c = 0; c < d->n_paths; c++) {
			if (d->ch[c].engine_rt == NULL)
				continue; /* all in or all out: *res stays -ENOENT */
			r = engine_reset_inline(d->ch[c].engine_rt);
			*res = c == 0 || *res == 0 ? r : *res;
		}
		break;
	}
	return 0;
}

void direction_swap_rt(struct direction *d, enum direction_swap what, void *ptr)
{
	struct swap_msg m = { .what = what, .ptr = ptr };

	/* Blocking: when this returns the data thread no longer holds the old pointer. */
	pw_loop_invoke(d->data_loop, do_swap, 0, &m, sizeof(m), true, d);
}
