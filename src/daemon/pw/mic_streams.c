/* SPDX-License-Identifier: MIT */
#include "pw/mic_streams.h"

#include <errno.h>
#include <math.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>
#include <spa/pod/builder.h>

#include "core/telemetry.h"
#include "engine/engine.h"
#include "pw/handoff.h"
#include "pw/rate_adapter.h"
#include "vocana/vocana.h"

#define NAME_MAX_BYTES 256
/* WirePlumber 0.4.13's suspend-node.lua arms a 5 s timer when an Audio node goes idle and never
 * cancels it when the node is destroyed: the timer then crashes WirePlumber (segfault, all links
 * gone). Our passive capture goes idle whenever recording stops and is destroyed when its device
 * vanishes, so that happened in tests/pw. Suspending our own stream nodes gains nothing (the
 * device node is still suspended), so opt out: 0 = never. */
#define SUSPEND_TIMEOUT_KEY "session.suspend-timeout-seconds"
/* A jump of the graph position by more than this many quanta is a pause (nobody recorded for a
 * while), not an xrun. */
#define XRUN_MAX_SKIPPED_CYCLES 16

struct mic_streams {
	struct pw_core *core;
	struct pw_loop *data_loop;
	char node_name[NAME_MAX_BYTES];
	char description[NAME_MAX_BYTES];
	char group[NAME_MAX_BYTES];
	const struct mic_streams_events *events;
	void *data;
	struct telemetry *cycle_times; /* may be NULL */

	/* Main thread. */
	struct pw_stream *output;
	struct spa_hook output_listener;
	struct pw_stream *capture;
	struct spa_hook capture_listener;
	char target[NAME_MAX_BYTES];
	bool has_target;
	struct engine *engine;
	struct rate_adapter *ra;
	bool rate_unusable;        /* graph rate with no adapter: engine out of the path */

	/* What the data thread uses: written only by invoke callbacks running on the data thread. */
	struct pw_stream *capture_rt;
	struct engine *engine_rt;
	bool hold_rt;              /* the engine is being reset: leave it alone, output silence */
	struct rate_adapter *ra_rt;
	_Atomic(struct spa_io_position *) position;         /* the output stream's */
	_Atomic(struct spa_io_position *) capture_position; /* the capture stream's */
	atomic_bool reset_handoff;                          /* main -> data: a new session */

	/* Data thread only. */
	uint64_t last_position, last_duration;
	struct handoff handoff;

	/* Data thread writes, anyone reads. */
	atomic_uint_fast64_t cycles, cycles_no_capture, xruns, no_output_buffer, process_ns;
	atomic_uint_fast64_t capture_cycles, handoff_switches, handoff_recoveries;
	atomic_uint process_ns_max, quantum, rate, adapter_latency, handoff_delay;
	_Atomic float input_peak, output_peak;
	atomic_bool capture_streaming, output_streaming, rate_unsupported;
	atomic_int capture_state;  /* enum pw_stream_state; UNCONNECTED without a capture stream */
};

/* ---- Data thread ------------------------------------------------------------------------ */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no system call, safe on the audio thread */
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static float peak_of(const float *x, uint32_t n)
{
	float p = 0.0f;

	for (uint32_t i = 0; i < n; i++) {
		float a = fabsf(x[i]);

		if (a > p)
			p = a;
	}
	return p;
}

/* engine_process() takes at most MIC_MAX_BLOCK samples; a larger graph quantum is split. */
static void run_engine(struct engine *e, const float *in, float *out, uint32_t n)
{
	while (n > 0) {
		uint32_t k = n < MIC_MAX_BLOCK ? n : MIC_MAX_BLOCK;

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

/* Count cycles the graph ran without us (our process was late or skipped). */
static void track_position(struct mic_streams *s, const struct spa_io_position *pos)
{
	uint64_t p = pos->clock.position, d = pos->clock.duration;

	if (s->last_duration != 0 && p > s->last_position + s->last_duration &&
	    p <= s->last_position + XRUN_MAX_SKIPPED_CYCLES * s->last_duration) {
		atomic_fetch_add_explicit(&s->xruns, 1, memory_order_relaxed);
		if (s->engine_rt && !s->hold_rt)
			engine_note_xrun(s->engine_rt);
	}
	s->last_position = p;
	s->last_duration = d;
	atomic_store_explicit(&s->quantum, (unsigned)d, memory_order_relaxed);
	atomic_store_explicit(&s->rate, pos->clock.rate.denom, memory_order_relaxed);
}

/* Samples in a buffer, with the chunk's offset and size clamped to the mapped size: the graph's
 * metadata is not trusted. */
static const float *buffer_samples(struct pw_buffer *b, uint32_t *n)
{
	struct spa_data *d;
	uint32_t off, size;

	*n = 0;
	if (b == NULL || b->buffer->n_datas < 1)
		return NULL;
	d = &b->buffer->datas[0];
	if (d->data == NULL || d->chunk == NULL)
		return NULL;
	off = d->chunk->offset < d->maxsize ? d->chunk->offset : d->maxsize;
	size = d->chunk->size < d->maxsize - off ? d->chunk->size : d->maxsize - off;
	*n = size / sizeof(float);
	return SPA_PTROFF(d->data, off, const float);
}

/* Capture side: file the block under its graph position for the output callback (see handoff.h
 * for why this is not a trigger). */
static void capture_process(void *data)
{
	struct mic_streams *s = data;
	struct spa_io_position *pos = atomic_load_explicit(&s->capture_position,
							   memory_order_acquire);
	struct pw_stream *st = s->capture_rt;
	struct pw_buffer *b;
	const float *src;
	uint32_t n;

	if (st == NULL)
		return;
	while ((b = pw_stream_dequeue_buffer(st)) != NULL) {
		src = buffer_samples(b, &n);
		if (src != NULL && pos != NULL && !atomic_load_explicit(&s->reset_handoff,
									memory_order_relaxed))
			handoff_write(&s->handoff, pos->clock.position, src, n);
		pw_stream_queue_buffer(st, b);
	}
	atomic_fetch_add_explicit(&s->capture_cycles, 1, memory_order_relaxed);
}

static void output_process(void *data)
{
	struct mic_streams *s = data;
	struct spa_io_position *pos = atomic_load_explicit(&s->position, memory_order_acquire);
	uint64_t t0 = now_ns(), dt;
	struct pw_buffer *out;
	struct spa_data *dd;
	uint32_t n, cap, missing;
	float *dst;

	if (atomic_load_explicit(&s->reset_handoff, memory_order_acquire)) {
		handoff_reset(&s->handoff);
		s->last_duration = 0;
		atomic_store_explicit(&s->reset_handoff, false, memory_order_release);
	}
	if (pos)
		track_position(s, pos);
	out = pw_stream_dequeue_buffer(s->output);
	if (out == NULL || out->buffer->n_datas < 1 || out->buffer->datas[0].data == NULL) {
		atomic_fetch_add_explicit(&s->no_output_buffer, 1, memory_order_relaxed);
		return;
	}
	dd = &out->buffer->datas[0];
	cap = dd->maxsize / sizeof(float);
	n = (uint32_t)out->requested;
	if (n == 0)
		n = pos ? (uint32_t)pos->clock.duration : cap;
	if (n > cap)
		n = cap;
	dst = dd->data;
	if (s->capture_rt == NULL || pos == NULL) {
		/* No device: plain silence, and the engine is left alone (nothing to denoise). */
		memset(dst, 0, (size_t)n * sizeof(float));
		missing = n;
	} else {
		/* The cycle's input, read in place from the hand-off (dst is only its scratch): the
		 * engine reads it from there and writes dst, one copy fewer on the way. */
		const float *src = handoff_read(&s->handoff, pos->clock.position, n, dst, &missing);

		atomic_store_explicit(&s->input_peak, peak_of(src, n), memory_order_relaxed);
		if (s->hold_rt)
			memset(dst, 0, (size_t)n * sizeof(float));
		else if (s->engine_rt && s->ra_rt)
			rate_adapter_process(s->ra_rt, src, dst, n, run_engine_48k, s->engine_rt);
		else if (s->engine_rt)
			run_engine(s->engine_rt, src, dst, n);
		else if (src != dst) /* no engine (a graph rate it cannot run at): pass through */
			memcpy(dst, src, (size_t)n * sizeof(float));
	}
	if (missing > 0)
		atomic_fetch_add_explicit(&s->cycles_no_capture, 1, memory_order_relaxed);
	atomic_store_explicit(&s->output_peak, peak_of(dst, n), memory_order_relaxed);
	dd->chunk->offset = 0;
	dd->chunk->stride = sizeof(float);
	dd->chunk->size = n * sizeof(float);
	pw_stream_queue_buffer(s->output, out);
	atomic_fetch_add_explicit(&s->cycles, 1, memory_order_relaxed);
	atomic_store_explicit(&s->handoff_switches, s->handoff.n_switches, memory_order_relaxed);
	atomic_store_explicit(&s->handoff_recoveries, s->handoff.n_recoveries, memory_order_relaxed);
	atomic_store_explicit(&s->handoff_delay, handoff_delay(&s->handoff), memory_order_relaxed);
	if (s->ra_rt)
		atomic_store_explicit(&s->adapter_latency, rate_adapter_latency_samples(s->ra_rt),
				      memory_order_relaxed);
	dt = now_ns() - t0;
	if (s->cycle_times) /* seqlock writer: a few stores, never waits */
		telemetry_record_latency_us(s->cycle_times, dt / 1000 > UINT32_MAX ? UINT32_MAX :
							     (uint32_t)(dt / 1000));
	atomic_fetch_add_explicit(&s->process_ns, dt, memory_order_relaxed);
	if (dt > atomic_load_explicit(&s->process_ns_max, memory_order_relaxed))
		atomic_store_explicit(&s->process_ns_max, (unsigned)(dt > UINT32_MAX ? UINT32_MAX : dt),
				      memory_order_relaxed);
}

static void output_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct mic_streams *s = data;

	if (id == SPA_IO_Position)
		atomic_store_explicit(&s->position,
				      size >= sizeof(struct spa_io_position) ? area : NULL,
				      memory_order_release);
}

static void capture_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct mic_streams *s = data;

	if (id == SPA_IO_Position)
		atomic_store_explicit(&s->capture_position,
				      size >= sizeof(struct spa_io_position) ? area : NULL,
				      memory_order_release);
}

/* ---- Swapping what the data thread uses ------------------------------------------------- */

enum swap_what { SWAP_CAPTURE, SWAP_ENGINE, SWAP_ADAPTER, SWAP_HOLD, SWAP_RESET_INLINE };

struct swap_msg {
	enum swap_what what;
	void *ptr;
};

static int do_swap(struct spa_loop *loop, bool async, uint32_t seq, const void *data, size_t size,
		   void *user_data)
{
	struct mic_streams *s = user_data;
	const struct swap_msg *m = data;

	switch (m->what) {
	case SWAP_CAPTURE:
		s->capture_rt = m->ptr;
		break;
	case SWAP_ENGINE:
		s->engine_rt = m->ptr;
		break;
	case SWAP_ADAPTER:
		s->ra_rt = m->ptr;
		break;
	case SWAP_HOLD:
		s->hold_rt = m->ptr != NULL;
		break;
	case SWAP_RESET_INLINE: /* on the data thread, between two cycles: memsets only */
		if (s->engine_rt)
			*(int *)m->ptr = engine_reset_inline(s->engine_rt);
		break;
	}
	return 0;
}

static void swap_rt(struct mic_streams *s, enum swap_what what, void *ptr)
{
	struct swap_msg m = { .what = what, .ptr = ptr };

	/* Blocking: when this returns the data thread no longer holds the old pointer. */
	pw_loop_invoke(s->data_loop, do_swap, 0, &m, sizeof(m), true, s);
}

/* ---- Main thread -------------------------------------------------------------------------- */

/* A new graph rate: 48 kHz runs the engine directly, any other rate through a rate adapter. If
 * the adapter cannot be made, the engine leaves the path (pass-through, reported in the stats)
 * rather than run at the wrong rate. */
static void update_adapter(struct mic_streams *s, uint32_t rate)
{
	struct rate_adapter *ra = NULL, *old = s->ra;
	bool unusable = false;

	if (rate != VOCANA_SAMPLE_RATE && rate != 0) {
		if (s->ra && rate_adapter_graph_rate(s->ra) == rate)
			return;
		unusable = rate_adapter_create(rate, MIC_MAX_BLOCK, &ra) < 0;
	} else if (s->ra == NULL && !s->rate_unusable) {
		return;
	}
	/* Engine out first, adapter swapped, engine back: the data thread never runs the engine
	 * through a missing or wrong adapter. */
	swap_rt(s, SWAP_ENGINE, NULL);
	swap_rt(s, SWAP_ADAPTER, ra);
	s->ra = ra;
	rate_adapter_destroy(old);
	s->rate_unusable = unusable;
	atomic_store(&s->rate_unsupported, unusable);
	atomic_store(&s->adapter_latency, 0);
	if (!unusable)
		swap_rt(s, SWAP_ENGINE, s->engine);
}

static void output_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
	struct mic_streams *s = data;
	struct spa_audio_info_raw info;

	if (id != SPA_PARAM_Format || param == NULL)
		return;
	memset(&info, 0, sizeof(info));
	if (spa_format_audio_raw_parse(param, &info) < 0)
		return;
	update_adapter(s, info.rate);
}

static void output_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
				 const char *error)
{
	struct mic_streams *s = data;

	atomic_store(&s->output_streaming, state == PW_STREAM_STATE_STREAMING);
	if (state == PW_STREAM_STATE_STREAMING && old != PW_STREAM_STATE_STREAMING) {
		atomic_store(&s->reset_handoff, true);
		if (s->events->session_started)
			s->events->session_started(s->data);
	} else if (state == PW_STREAM_STATE_ERROR || (state == PW_STREAM_STATE_UNCONNECTED &&
						      old != PW_STREAM_STATE_UNCONNECTED)) {
		if (s->events->output_failed)
			s->events->output_failed(s->data, error ? error : "disconnected");
	}
}

static void capture_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
				  const char *error)
{
	struct mic_streams *s = data;

	atomic_store(&s->capture_streaming, state == PW_STREAM_STATE_STREAMING);
	atomic_store(&s->capture_state, (int)state);
	if (state == PW_STREAM_STATE_ERROR ||
	    (state == PW_STREAM_STATE_UNCONNECTED && old != PW_STREAM_STATE_UNCONNECTED)) {
		if (s->events->capture_lost)
			s->events->capture_lost(s->data);
	}
}

static const struct pw_stream_events output_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = output_state_changed,
	.io_changed = output_io_changed,
	.param_changed = output_param_changed,
	.process = output_process,
};

static const struct pw_stream_events capture_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = capture_state_changed,
	.io_changed = capture_io_changed,
	.process = capture_process,
};

/* F32 mono; no rate, so the stream follows the graph (the adapter resamples if it is not 48 k). */
static const struct spa_pod *build_format(struct spa_pod_builder *b)
{
	struct spa_audio_info_raw info = {
		.format = SPA_AUDIO_FORMAT_F32P,
		.channels = 1,
		.position = { SPA_AUDIO_CHANNEL_MONO },
	};

	return spa_format_audio_raw_build(b, SPA_PARAM_EnumFormat, &info);
}

static int copy_name(char *dst, const char *src)
{
	size_t n = strlen(src);

	if (n == 0 || n >= NAME_MAX_BYTES)
		return -EINVAL;
	memcpy(dst, src, n + 1);
	return 0;
}

static void destroy_capture(struct mic_streams *s)
{
	if (s->capture == NULL)
		return;
	swap_rt(s, SWAP_CAPTURE, NULL);
	/* pw_stream_destroy() takes the stream off the data loop, so its callbacks are done. */
	spa_hook_remove(&s->capture_listener);
	pw_stream_destroy(s->capture);
	atomic_store(&s->capture_position, NULL);
	s->capture = NULL;
	atomic_store(&s->capture_streaming, false);
	atomic_store(&s->capture_state, (int)PW_STREAM_STATE_UNCONNECTED);
}

int mic_streams_set_target(struct mic_streams *s, const char *target, bool capture_sink)
{
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];
	struct pw_properties *props;
	struct pw_stream *st;
	char name[NAME_MAX_BYTES + 16];
	int res;

	destroy_capture(s);
	s->has_target = false;
	if (target == NULL)
		return 0;
	if ((res = copy_name(s->target, target)) < 0)
		return res;
	snprintf(name, sizeof(name), "%s.capture", s->node_name);
	props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio",
				  PW_KEY_MEDIA_CATEGORY, "Capture",
				  PW_KEY_MEDIA_CLASS, "Stream/Input/Audio",
				  PW_KEY_NODE_NAME, name,
				  PW_KEY_NODE_DESCRIPTION, s->description,
				  PW_KEY_NODE_GROUP, s->group,
				  PW_KEY_NODE_LINK_GROUP, s->group,
				  PW_KEY_NODE_VIRTUAL, "true",
				  /* Passive: our link alone does not start the microphone or the graph. */
				  PW_KEY_NODE_PASSIVE, "true",
				  /* If the device goes away WirePlumber must not move us to another one:
				   * we pick the next device ourselves (explicit --input or the default). */
				  PW_KEY_NODE_DONT_RECONNECT, "true",
				  PW_KEY_TARGET_OBJECT, target,
				  SUSPEND_TIMEOUT_KEY, "0",
				  NULL);
	if (props == NULL)
		return -errno;
	if (capture_sink)
		pw_properties_set(props, "stream.capture.sink", "true");
	st = pw_stream_new(s->core, name, props);
	if (st == NULL)
		return -errno;
	pw_stream_add_listener(st, &s->capture_listener, &capture_events, s);
	params[0] = build_format(&b);
	res = pw_stream_connect(st, PW_DIRECTION_INPUT, PW_ID_ANY,
				PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
				PW_STREAM_FLAG_RT_PROCESS | PW_STREAM_FLAG_DONT_RECONNECT,
				params, 1);
	if (res < 0) {
		spa_hook_remove(&s->capture_listener);
		pw_stream_destroy(st);
		return res;
	}
	s->capture = st;
	s->has_target = true;
	swap_rt(s, SWAP_CAPTURE, st);
	return 0;
}

const char *mic_streams_target(const struct mic_streams *s)
{
	return s->has_target ? s->target : NULL;
}

void mic_streams_hold_engine(struct mic_streams *s, bool hold)
{
	static int token; /* any non-NULL pointer means "hold" */

	swap_rt(s, SWAP_HOLD, hold ? &token : NULL);
}

int mic_streams_reset_engine_inline(struct mic_streams *s)
{
	int res = -ENOENT;

	swap_rt(s, SWAP_RESET_INLINE, &res);
	return res;
}

struct engine *mic_streams_set_engine(struct mic_streams *s, struct engine *engine)
{
	struct engine *old = s->engine;

	s->engine = engine;
	if (!s->rate_unusable)
		swap_rt(s, SWAP_ENGINE, engine);
	return old;
}

int mic_streams_create(struct pw_core *core, const struct mic_streams_config *cfg,
		       struct engine *engine, const struct mic_streams_events *events, void *data,
		       struct mic_streams **out)
{
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];
	struct pw_context *context = pw_core_get_context(core);
	struct pw_properties *props;
	struct mic_streams *s;
	int res;

	/* Aligned for the hand-off's samples (handoff.h); sizeof is a multiple of the alignment. */
	s = aligned_alloc(alignof(struct mic_streams), sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	memset(s, 0, sizeof(*s));
	s->core = core;
	s->data_loop = pw_data_loop_get_loop(pw_context_get_data_loop(context));
	s->events = events;
	s->data = data;
	s->cycle_times = cfg->cycle_times;
	s->engine = engine;
	s->engine_rt = engine; /* nothing runs on the data thread for us yet */
	handoff_reset(&s->handoff);
	if ((res = copy_name(s->node_name, cfg->node_name)) < 0 ||
	    (res = copy_name(s->description, cfg->description)) < 0 ||
	    (res = copy_name(s->group, cfg->group)) < 0)
		goto error;
	props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio",
				  PW_KEY_MEDIA_CLASS, "Audio/Source",
				  PW_KEY_NODE_NAME, s->node_name,
				  PW_KEY_NODE_DESCRIPTION, s->description,
				  PW_KEY_NODE_GROUP, s->group,
				  PW_KEY_NODE_LINK_GROUP, s->group,
				  PW_KEY_NODE_VIRTUAL, "true",
				  "media.icon-name", "audio-input-microphone",
				  SUSPEND_TIMEOUT_KEY, "0",
				  NULL);
	if (props == NULL) {
		res = -errno;
		goto error;
	}
	s->output = pw_stream_new(core, s->node_name, props);
	if (s->output == NULL) {
		res = -errno;
		goto error;
	}
	pw_stream_add_listener(s->output, &s->output_listener, &output_events, s);
	params[0] = build_format(&b);
	/* Scheduled by the graph like any source (no TRIGGER: see handoff.h); it outputs silence
	 * until a capture stream exists. */
	res = pw_stream_connect(s->output, PW_DIRECTION_OUTPUT, PW_ID_ANY,
				PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
				PW_STREAM_FLAG_RT_PROCESS,
				params, 1);
	if (res < 0)
		goto error;
	*out = s;
	return 0;
error:
	mic_streams_destroy(s);
	return res;
}

void mic_streams_destroy(struct mic_streams *s)
{
	if (s == NULL)
		return;
	destroy_capture(s);
	if (s->output) {
		spa_hook_remove(&s->output_listener);
		pw_stream_destroy(s->output);
	}
	rate_adapter_destroy(s->ra);
	free(s);
}

void mic_streams_get_stats(const struct mic_streams *s, struct mic_streams_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->cycles = atomic_load(&s->cycles);
	st->cycles_no_capture = atomic_load(&s->cycles_no_capture);
	st->capture_cycles = atomic_load(&s->capture_cycles);
	st->handoff_switches = atomic_load(&s->handoff_switches);
	st->handoff_recoveries = atomic_load(&s->handoff_recoveries);
	st->handoff_delay = atomic_load(&s->handoff_delay);
	st->xruns = atomic_load(&s->xruns);
	st->no_output_buffer = atomic_load(&s->no_output_buffer);
	st->process_ns = atomic_load(&s->process_ns);
	st->process_ns_max = atomic_load(&s->process_ns_max);
	st->quantum = atomic_load(&s->quantum);
	st->rate = atomic_load(&s->rate);
	st->adapter_latency = atomic_load(&s->adapter_latency);
	st->input_peak = atomic_load(&s->input_peak);
	st->output_peak = atomic_load(&s->output_peak);
	st->capturing = atomic_load(&s->capture_streaming);
	st->capture_state = pw_stream_state_as_string((enum pw_stream_state)atomic_load(&s->capture_state));
	st->streaming = atomic_load(&s->output_streaming);
	st->rate_unsupported = atomic_load(&s->rate_unsupported);
}

uint32_t mic_streams_output_node_id(const struct mic_streams *s)
{
	return s->output ? pw_stream_get_node_id(s->output) : SPA_ID_INVALID;
}
