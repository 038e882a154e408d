/* SPDX-License-Identifier: MIT */
/*
 * A direction's main-thread side (direction.h): its engines, its two streams (which of them is
 * the in and which the out stream depends on the kind), their targets and activity, the order
 * check, and its figures. The data thread's side is direction_rt.c.
 */
#include "pw/direction_private.h"

#include <errno.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <spa/param/audio/format-utils.h>
#include <spa/pod/builder.h>

#include "vocana/vocana.h"
#include "vocana_config.h"
#if VOCANA_TEST_HOOKS
#include "engine/engine_test.h"
#endif

/* WirePlumber 0.4.13's suspend-node.lua arms a 5 s timer when an Audio node goes idle and never
 * cancels it when the node is destroyed: the timer then crashes WirePlumber (segfault, all links
 * gone). Our device streams go idle whenever nobody uses the node and are destroyed when their
 * device vanishes, so that happened in tests/daemon/pw. Suspending our own stream nodes gains nothing
 * (the device node is still suspended), so opt out: 0 = never. */
#define SUSPEND_TIMEOUT_KEY "session.suspend-timeout-seconds"
/* The order check restarts the node after this many seconds of out-first cycles, doubling after
 * each restart that did not help (a graph we cannot order), up to the maximum. */
#define REORDER_WAIT_MIN_S 1
#define REORDER_WAIT_MAX_S 64

/* ---- Engines ------------------------------------------------------------------------------ */

static int new_engine(const struct direction *d, struct engine **out)
{
	int res = engine_create(&d->engine_cfg, out);

#if VOCANA_TEST_HOOKS
	if (res == 0 && d->test_slow_model_us)
		engine_test_slow_model(*out, d->test_slow_model_us);
#endif
	return res;
}

/* Two or more channels with inline engines: one network for all (direction_private.h), unless the
 * user asked for one per channel (separate: a different voice in each channel, where the mid's
 * gains would open a silent channel for its neighbour's voice). The worker mode keeps one network
 * per channel: its engines run their hops on their own threads, out of the step the link needs. */
static int link_channels(struct direction *d, bool separate)
{
	struct direction_channel *mid = &d->ch[d->channels];
	int res;

	if (d->channels < 2 || d->engine_cfg.mode != ENGINE_INLINE || separate)
		return 0;
	d->mid_buf = malloc(DIRECTION_MAX_BLOCK * sizeof(float));
	if (d->mid_buf == NULL)
		return -ENOMEM;
	/* Touched now, not in the first cycle (calloc may hand out untouched zero pages). */
	memset(d->mid_buf, 0, DIRECTION_MAX_BLOCK * sizeof(float));
	if ((res = new_engine(d, &mid->engine)) < 0)
		return res;
	mid->engine_rt = mid->engine;
	d->n_paths = d->channels + 1; /* destroyed last: after its followers */
	for (uint32_t c = 0; c < d->channels; c++)
		if ((res = engine_link(d->ch[c].engine, mid->engine)) < 0)
			return res;
	d->linked = true;
	return 0;
}

int direction_create(const struct direction_config *cfg, struct direction **out)
{
	struct direction *d;
	int res = -EINVAL;

	*out = NULL;
	if (cfg->channels < 1 || cfg->channels > DIRECTION_MAX_CHANNELS ||
	    strlen(cfg->node_name) - 1 >= DIRECTION_NAME_MAX - 1 ||
	    strlen(cfg->description) - 1 >= DIRECTION_NAME_MAX - 1 ||
	    strlen(cfg->group) - 1 >= DIRECTION_NAME_MAX - 1)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return -ENOMEM;
	d->kind = cfg->kind;
	d->channels = cfg->channels;
	memcpy(d->node_name, cfg->node_name, strlen(cfg->node_name) + 1);
	memcpy(d->description, cfg->description, strlen(cfg->description) + 1);
	memcpy(d->group, cfg->group, strlen(cfg->group) + 1);
	d->engine_cfg = cfg->engine;
	d->engine_cfg.max_block = DIRECTION_MAX_BLOCK;
	d->test_slow_model_us = cfg->test_slow_model_us;
	d->reorder_wait_s = REORDER_WAIT_MIN_S;
	atomic_init(&d->device_state, (int)PW_STREAM_STATE_UNCONNECTED);
	if ((res = telemetry_create(&d->cycle_times)) < 0)
		goto error;
	for (uint32_t c = 0; c < d->channels; c++) {
		struct direction_channel *ch = &d->ch[c];

		/* Aligned for the hand-off's samples (handoff.h); its size is a multiple of it. */
		ch->handoff = aligned_alloc(alignof(struct handoff), sizeof(struct handoff));
		if (ch->handoff == NULL) {
			res = -ENOMEM;
			goto error;
		}
		memset(ch->handoff, 0, sizeof(*ch->handoff)); /* touched now, not on the audio thread */
		handoff_reset(ch->handoff);
		if ((res = new_engine(d, &ch->engine)) < 0)
			goto error;
		ch->engine_rt = ch->engine; /* nothing runs on the data thread for us yet */
	}
	d->n_paths = d->channels;
	if ((res = link_channels(d, cfg->separate_channels)) < 0)
		goto error;
	*out = d;
	return 0;
error:
	direction_destroy(d);
	return res;
}

void direction_destroy(struct direction *d)
{
	if (d == NULL)
		return;
	direction_disconnect(d);
	for (uint32_t c = 0; c < DIRECTION_MAX_PATHS; c++) { /* followers before the mid */
		engine_destroy(d->ch[c].engine);
		rate_adapter_destroy(d->ch[c].ra);
		free(d->ch[c].handoff);
	}
	free(d->mid_buf);
	telemetry_destroy(d->cycle_times);
	free(d);
}

/* Recreating the engine for every recording (the first design) grew RSS from 12 to 15-19 MiB
 * over a few recordings: each engine is a few hundred KiB of arena, denoiser and queues, freed
 * while the next one was already allocated, and the allocator could not give that back. Resetting
 * the engines in place, while the data thread leaves them alone for a cycle or two (silence, as a
 * fresh engine outputs anyway for its first 20 ms), allocates nothing per session (in worker
 * mode: the worker's small queues, the same sizes every time). */
int direction_renew(struct direction *d)
{
	struct engine_stats es;
	int res = 0;

	engine_get_stats(d->ch[0].engine, &es);
	if (es.cycles == 0)
		return 0; /* never ran: already fresh */
	/* Inline: reset on the data thread between two cycles, losing nothing. Worker: the worker
	 * must be stopped, which the audio thread cannot wait for; hold the engines meanwhile. */
	if (d->engine_cfg.mode == ENGINE_INLINE && d->data_loop != NULL) {
		res = -ENOENT;
		direction_swap_rt(d, DIRECTION_SWAP_RESET_INLINE, &res);
		if (res == 0)
			return 0;
	}
	if (d->data_loop)
		direction_swap_rt(d, DIRECTION_SWAP_HOLD, d);
	res = 0;
	for (uint32_t c = 0; c < d->n_paths; c++) {
		struct engine *e;
		int r = engine_reset(d->ch[c].engine);

		if (r == 0)
			continue;
		/* The worker did not restart: replace this channel's engine (its stats start over). */
		if ((r = new_engine(d, &e)) < 0) {
			res = r;
			continue;
		}
		if (d->data_loop)
			direction_swap_rt(d, DIRECTION_SWAP_ENGINES, NULL);
		engine_destroy(d->ch[c].engine);
		d->ch[c].engine = e;
		if (d->data_loop && !d->rate_unusable)
			direction_swap_rt(d, DIRECTION_SWAP_ENGINES, d);
	}
	if (d->data_loop)
		direction_swap_rt(d, DIRECTION_SWAP_HOLD, NULL);
	return res;
}

void direction_set_strength(struct direction *d, int strength)
{
	for (uint32_t c = 0; c < d->n_paths; c++)
		engine_set_strength(d->ch[c].engine, strength);
}

void direction_set_enabled(struct direction *d, bool enabled)
{
	for (uint32_t c = 0; c < d->n_paths; c++)
		engine_set_enabled(d->ch[c].engine, enabled);
}

/* ---- Graph rate --------------------------------------------------------------------------- */

/* A new graph rate: 48 kHz runs the engines directly, any other rate through one rate adapter
 * per path (each channel's and the linked channels' mid). If the adapters cannot be made, the
 * engines leave the path (pass-through, reported in the stats) rather than run at the wrong rate. */
void direction_format(struct direction *d, uint32_t rate)
{
	struct rate_adapter *ra[DIRECTION_MAX_PATHS] = { NULL }, *old[DIRECTION_MAX_PATHS];
	bool unusable = false;

	if (rate != VOCANA_SAMPLE_RATE && rate != 0) {
		if (d->ch[0].ra && rate_adapter_graph_rate(d->ch[0].ra) == rate)
			return;
		for (uint32_t c = 0; c < d->n_paths && !unusable; c++)
			unusable = rate_adapter_create(rate, DIRECTION_MAX_BLOCK, &ra[c]) < 0;
		if (unusable)
			for (uint32_t c = 0; c < d->n_paths; c++) {
				rate_adapter_destroy(ra[c]);
				ra[c] = NULL;
			}
	} else if (d->ch[0].ra == NULL && !d->rate_unusable) {
		return;
	}
	/* Engines out first, adapters swapped, engines back: the data thread never runs an engine
	 * through a missing or wrong adapter. */
	direction_swap_rt(d, DIRECTION_SWAP_ENGINES, NULL);
	direction_swap_rt(d, DIRECTION_SWAP_ADAPTERS, ra);
	for (uint32_t c = 0; c < d->n_paths; c++) {
		old[c] = d->ch[c].ra;
		d->ch[c].ra = ra[c];
		rate_adapter_destroy(old[c]);
	}
	d->rate_unusable = unusable;
	atomic_store(&d->rate_unsupported, unusable);
	atomic_store(&d->adapter_latency, 0);
	if (!unusable)
		direction_swap_rt(d, DIRECTION_SWAP_ENGINES, d);
}

/* ---- Streams ------------------------------------------------------------------------------ */

/* F32 planar with the standard positions for the channel count; no rate, so the streams follow
 * the graph (the adapters resample if it is not 48 kHz). */
static const struct spa_pod *build_format(const struct direction *d, struct spa_pod_builder *b)
{
	static const uint32_t layouts[DIRECTION_MAX_CHANNELS][DIRECTION_MAX_CHANNELS] = {
		{ SPA_AUDIO_CHANNEL_MONO },
		{ SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR },
		{ SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR, SPA_AUDIO_CHANNEL_FC },
		{ SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR, SPA_AUDIO_CHANNEL_RL,
		  SPA_AUDIO_CHANNEL_RR },
		{ SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR, SPA_AUDIO_CHANNEL_FC,
		  SPA_AUDIO_CHANNEL_RL, SPA_AUDIO_CHANNEL_RR },
		{ SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR, SPA_AUDIO_CHANNEL_FC,
		  SPA_AUDIO_CHANNEL_LFE, SPA_AUDIO_CHANNEL_RL, SPA_AUDIO_CHANNEL_RR },
		{ SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR, SPA_AUDIO_CHANNEL_FC,
		  SPA_AUDIO_CHANNEL_LFE, SPA_AUDIO_CHANNEL_RL, SPA_AUDIO_CHANNEL_RR,
		  SPA_AUDIO_CHANNEL_RC },
		{ SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR, SPA_AUDIO_CHANNEL_FC,
		  SPA_AUDIO_CHANNEL_LFE, SPA_AUDIO_CHANNEL_RL, SPA_AUDIO_CHANNEL_RR,
		  SPA_AUDIO_CHANNEL_SL, SPA_AUDIO_CHANNEL_SR },
	};
	struct spa_audio_info_raw info = {
		.format = SPA_AUDIO_FORMAT_F32P,
		.channels = d->channels,
	};

	memcpy(info.position, layouts[d->channels - 1], sizeof(layouts[0]));
	return spa_format_audio_raw_build(b, SPA_PARAM_EnumFormat, &info);
}

static struct pw_properties *node_props(const struct direction *d)
{
	bool mic = d->kind == DIRECTION_MIC;

	return pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio",
				 PW_KEY_MEDIA_CLASS, mic ? "Audio/Source" : "Audio/Sink",
				 PW_KEY_NODE_NAME, d->node_name,
				 PW_KEY_NODE_DESCRIPTION, d->description,
				 PW_KEY_NODE_GROUP, d->group,
				 PW_KEY_NODE_LINK_GROUP, d->group,
				 PW_KEY_NODE_VIRTUAL, "true",
				 "media.icon-name", mic ? "audio-input-microphone" : "audio-speakers",
				 SUSPEND_TIMEOUT_KEY, "0",
				 NULL);
}

static struct pw_properties *device_props(const struct direction *d, const char *target,
					  bool monitor)
{
	bool mic = d->kind == DIRECTION_MIC;
	char name[DIRECTION_NAME_MAX + 16];
	struct pw_properties *props;

	snprintf(name, sizeof(name), "%s.%s", d->node_name, mic ? "capture" : "playback");
	props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio",
				  PW_KEY_MEDIA_CATEGORY, mic ? "Capture" : "Playback",
				  PW_KEY_MEDIA_CLASS, mic ? "Stream/Input/Audio" : "Stream/Output/Audio",
				  PW_KEY_NODE_NAME, name,
				  PW_KEY_NODE_DESCRIPTION, d->description,
				  PW_KEY_NODE_GROUP, d->group,
				  PW_KEY_NODE_LINK_GROUP, d->group,
				  PW_KEY_NODE_VIRTUAL, "true",
				  /* Passive: our link alone does not start the device or the graph. */
				  PW_KEY_NODE_PASSIVE, "true",
				  /* If the device goes away WirePlumber must not move us to another one:
				   * we pick the next device ourselves (an explicit choice, or the
				   * default). */
				  PW_KEY_NODE_DONT_RECONNECT, "true",
				  PW_KEY_TARGET_OBJECT, target,
				  SUSPEND_TIMEOUT_KEY, "0",
				  NULL);
	if (props != NULL && monitor)
		pw_properties_set(props, "stream.capture.sink", "true");
	return props;
}

static int connect_stream(struct pw_stream *st, const struct direction *d, enum pw_direction dir,
			  enum pw_stream_flags extra)
{
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1] = { build_format(d, &b) };

	return pw_stream_connect(st, dir, PW_ID_ANY,
				 PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
				 PW_STREAM_FLAG_RT_PROCESS | extra,
				 params, 1);
}

/* The data thread's view of which stream is in and which out. */
static void swap_in_out(struct direction *d)
{
	bool mic = d->kind == DIRECTION_MIC;

	direction_swap_rt(d, DIRECTION_SWAP_IN, mic ? d->device : d->node);
	direction_swap_rt(d, DIRECTION_SWAP_OUT, mic ? d->node : d->device);
}

/* Whether the node's callback triggers the device stream (the speaker's playback): only while
 * PipeWire runs it. pw_stream_trigger_process() goes around the graph's scheduling, straight
 * into the stream's adapter and converter, which PipeWire 0.3.65 sets up on the main thread
 * around the Start command (the adapter counts as started before its converter is set up) and
 * takes apart after Pause/Suspend (formats and buffers cleared). Triggered then, the converter
 * called a null function pointer on the data thread (a SEGV after sink switches, under ASan and
 * load). The stream reports streaming after its Start has gone through the adapter and the
 * converter, and paused before they are taken apart: the blocking swap here makes the data
 * thread let go of the stream right then. */
static void arm_trigger(struct direction *d, bool arm)
{
	arm = arm && d->trigger_rt && d->device != NULL;
	if (arm == d->device_armed)
		return;
	d->device_armed = arm;
	direction_swap_rt(d, DIRECTION_SWAP_TRIGGER, arm ? d->device : NULL);
}

static void destroy_device(struct direction *d)
{
	struct pw_stream *st = d->device;

	if (st == NULL)
		return;
	arm_trigger(d, false);
	d->device = NULL;
	swap_in_out(d);
	/* Off the graph first: pw_stream_disconnect() takes the stream's node off the data loop
	 * (blocking), so the graph runs none of its callbacks after it. Only then our listener
	 * goes: removing it clears the stream's real-time callbacks (PipeWire's hook_removed()),
	 * which the data thread reads unlocked while the stream is still scheduled. The state
	 * changes the disconnection emits meanwhile are this old stream's, not news. */
	d->device_closing = true;
	pw_stream_disconnect(st);
	d->device_closing = false;
	spa_hook_remove(&d->device_listener);
	pw_stream_destroy(st);
	atomic_store((d->kind == DIRECTION_MIC ? &d->in_position : &d->out_position), NULL);
	atomic_store(&d->device_streaming, false);
	atomic_store(&d->device_state, (int)PW_STREAM_STATE_UNCONNECTED);
}

static void update_activity(struct direction *d);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The device stream on d->target. It starts active, as it always did: a session then starts
 * with both streams joining the driver in one go, the device stream first. */
static int create_device(struct direction *d)
{
	bool mic = d->kind == DIRECTION_MIC;
	struct pw_properties *props;
	struct pw_stream *st;
	int res;

	if ((props = device_props(d, d->target, d->monitor)) == NULL)
		return -errno;
	st = pw_stream_new(d->core, pw_properties_get(props, PW_KEY_NODE_NAME), props);
	if (st == NULL)
		return -errno;
	pw_stream_add_listener(st, &d->device_listener,
			       mic ? &direction_mic_device_events : &direction_speaker_device_events, d);
	/* The speaker's playback runs when the node's callback triggers it (direction.h). */
	res = connect_stream(st, d, mic ? PW_DIRECTION_INPUT : PW_DIRECTION_OUTPUT,
			     PW_STREAM_FLAG_DONT_RECONNECT | (mic ? 0 : PW_STREAM_FLAG_TRIGGER));
	if (res < 0) {
		spa_hook_remove(&d->device_listener);
		pw_stream_destroy(st);
		return res;
	}
	d->device = st;
	d->unparked_ns = d->parked ? now_ns() : 0;
	d->parked = false;
	swap_in_out(d);
	return 0;
}

int direction_set_target(struct direction *d, const char *target, bool monitor)
{
	size_t len;
	int res;

	destroy_device(d);
	d->has_target = false;
	d->parked = false;
	if (target == NULL || d->core == NULL)
		return 0;
	if ((len = strlen(target)) == 0 || len >= sizeof(d->target))
		return -EINVAL;
	memcpy(d->target, target, len + 1);
	d->monitor = monitor;
	if ((res = create_device(d)) < 0)
		return res;
	d->has_target = true;
	update_activity(d);
	return 0;
}

const char *direction_target(const struct direction *d)
{
	return d->has_target ? d->target : NULL;
}

int direction_connect(struct direction *d, struct pw_core *core,
		      const struct direction_events *events, void *data)
{
	bool mic = d->kind == DIRECTION_MIC;
	struct pw_properties *props;
	int res;

	d->core = core;
	d->data_loop = pw_data_loop_get_loop(pw_context_get_data_loop(pw_core_get_context(core)));
	d->events = events;
	d->data = data;
	d->active = false;
	d->node_on = false;
	/* Nothing runs for us yet: set directly. The speaker's playback is triggered, and it idles
	 * on silence (a paused player streaming zeros); the mic keeps the engine running on a muted
	 * microphone, as its tests compare it with the engine run offline over the same silence. */
	d->trigger_rt = !mic;
	d->idle_on_silence_rt = !mic;
	if ((props = node_props(d)) == NULL)
		return -errno;
	d->node = pw_stream_new(core, d->node_name, props);
	if (d->node == NULL)
		return -errno;
	pw_stream_add_listener(d->node, &d->node_listener,
			       mic ? &direction_mic_node_events : &direction_speaker_node_events, d);
	/* Scheduled by the graph like any source or sink (the mic's is no trigger: see
	 * direction.h); inactive until someone uses it. */
	res = connect_stream(d->node, d, mic ? PW_DIRECTION_OUTPUT : PW_DIRECTION_INPUT,
			     PW_STREAM_FLAG_INACTIVE);
	if (res < 0) {
		direction_disconnect(d);
		return res;
	}
	swap_in_out(d);
	return 0;
}

void direction_disconnect(struct direction *d)
{
	destroy_device(d);
	d->has_target = false;
	if (d->node) {
		struct pw_stream *st = d->node;

		d->node = NULL;
		swap_in_out(d);
		/* As destroy_device(): off the graph, then our listener, then the stream. Its state
		 * changes meanwhile find d->node NULL and are no news. */
		pw_stream_disconnect(st);
		spa_hook_remove(&d->node_listener);
		pw_stream_destroy(st);
	}
	atomic_store(&d->in_position, NULL);
	atomic_store(&d->out_position, NULL);
	atomic_store(&d->node_streaming, false);
	d->active = false;
	d->node_on = false;
	d->parked = false;
	d->reordering = false;
	d->core = NULL;
}

/* ---- Activity and order ------------------------------------------------------------------- */

/* Whether the node may start: the device stream has joined the graph it will run in. Linked is
 * enough on an idle device (both then start together, the device stream first); a device
 * stream back from parking on a device that runs must be running itself first, or it would
 * join the driver after the node. Should the device have stopped meanwhile it never will: after
 * DIRECTION_UNPARK_WAIT_NS linked is enough again. */
static bool device_ready(const struct direction *d)
{
	int st = atomic_load(&d->device_state);

	if (st == PW_STREAM_STATE_STREAMING)
		return true;
	return st == PW_STREAM_STATE_PAUSED &&
	       (d->unparked_ns == 0 || now_ns() - d->unparked_ns > DIRECTION_UNPARK_WAIT_NS);
}

/*
 * The node runs while it has consumers, and only once its device stream is linked (or there is
 * no device): then both join the driver in one go, the device stream first. Without consumers
 * the node is inactive, so nothing of ours runs... except the device stream when its device runs
 * for another application (its passive link puts it in that graph): then it is parked, destroyed
 * until a consumer comes. Not simply made inactive: re-activated on a device that was not running
 * then, its link could come up without the dependency on the device (PipeWire 0.3.65 counts it
 * only when the device is in a driver's graph at that moment), and the capture then reads the
 * device's buffer of the cycle before, unseen by the hand-off: one quantum more. A device stream
 * created anew links like a fresh one, with its dependency.
 */
static void update_activity(struct direction *d)
{
	bool node_on;

	if (d->node == NULL)
		return;
	if (!d->active && d->device != NULL && atomic_load(&d->device_streaming)) {
		destroy_device(d);
		d->parked = true;
	}
	if (d->active && d->parked && create_device(d) < 0) {
		d->parked = false;
		d->has_target = false; /* the owner's next reconcile tries again */
	}
	node_on = d->active && (d->device == NULL || device_ready(d));
	if (node_on != d->node_on) {
		d->node_on = node_on;
		/* Set before the first cycle of the new session can run: whatever the position did
		 * while we were inactive was nobody's loss. */
		if (node_on)
			atomic_store_explicit(&d->restart_tracking, true, memory_order_release);
		pw_stream_set_active(d->node, node_on);
	}
}

void direction_set_active(struct direction *d, bool active)
{
	d->active = active;
	update_activity(d);
}

/* ---- Latency announced to PipeWire ------------------------------------------------------- */

/* What we add, in graph samples, as the figures say it (mic_stats.c does the same sum): the
 * engine's latency at the graph rate, the rate adapter's and the hand-off's. */
static uint32_t own_latency(const struct direction *d)
{
	struct engine_stats es;
	uint32_t rate = atomic_load(&d->rate);

	engine_get_stats(d->ch[0].engine, &es);
	if (rate == 0)
		rate = VOCANA_SAMPLE_RATE;
	return (uint32_t)((uint64_t)es.latency_samples * rate / VOCANA_SAMPLE_RATE) +
	       atomic_load(&d->adapter_latency) + atomic_load(&d->handoff_delay);
}

/*
 * The node's port announces the device's latency plus ours (SPA_PARAM_Latency): the speaker's in
 * the playback direction, so a video player that asks its stream's delay (pw_stream_get_time(),
 * or pulse's latency queries through pipewire-pulse) delays its picture by what we add and keeps
 * lip sync; the mic's in the capture direction, likewise for a recorder. As module-loopback
 * passes the device's latency on, plus our own part. Only when it changed.
 */
static void publish_latency(struct direction *d)
{
	uint8_t buffer[512];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	struct spa_latency_info info = d->device_latency;
	uint32_t own = own_latency(d);
	const struct spa_pod *params[1];

	if (d->node == NULL || own == d->published_latency)
		return;
	/* The direction the node's port faces: its peers take latency of the other direction. */
	info.direction = d->kind == DIRECTION_MIC ? SPA_DIRECTION_OUTPUT : SPA_DIRECTION_INPUT;
	info.min_rate += own;
	info.max_rate += own;
	params[0] = spa_latency_build(&b, SPA_PARAM_Latency, &info);
	if (pw_stream_update_params(d->node, params, 1) == 0)
		d->published_latency = own;
}

void direction_device_latency(struct direction *d, const struct spa_pod *param)
{
	struct spa_latency_info info;

	if (spa_latency_parse(param, &info) < 0)
		return;
	/* The device's own direction (what it tells its peers) is the one we pass on. */
	if (info.direction != (d->kind == DIRECTION_MIC ? SPA_DIRECTION_OUTPUT : SPA_DIRECTION_INPUT))
		return;
	d->device_latency = info;
	d->published_latency = UINT32_MAX;
	publish_latency(d);
}

bool direction_check_order(struct direction *d)
{
	publish_latency(d); /* ours may have changed (a hand-off switch, another graph rate) */
	uint32_t rate = atomic_load(&d->rate), out_first = atomic_load(&d->out_first_samples);

	if (d->node == NULL || d->device == NULL || !d->node_on || d->reordering ||
	    !atomic_load(&d->node_streaming) || rate == 0 || out_first < rate) {
		d->out_first_seen_s = 0;
		/* Back in the same cycle (a restart helped): the next one may come soon again. */
		if (atomic_load(&d->handoff_delay) == 0)
			d->reorder_wait_s = REORDER_WAIT_MIN_S;
		return false;
	}
	if (++d->out_first_seen_s < d->reorder_wait_s)
		return false;
	/* The node leaves the driver and joins it again, now after the device stream: from the
	 * next cycle the driver runs the device stream first. Its gap is no xrun, and the
	 * hand-off returns to the same cycle at the first chance. */
	d->out_first_seen_s = 0;
	if (d->reorder_wait_s < REORDER_WAIT_MAX_S)
		d->reorder_wait_s *= 2;
	d->reordering = true;
	atomic_store_explicit(&d->restart_tracking, true, memory_order_release);
	atomic_store_explicit(&d->recover_now, true, memory_order_release);
	atomic_fetch_add(&d->reorders, 1);
	pw_stream_set_active(d->node, false);
	pw_stream_set_active(d->node, true);
	return true;
}

/* ---- State changes (from direction_rt.c's event tables) ---------------------------------- */

void direction_node_state(struct direction *d, enum pw_stream_state old, enum pw_stream_state state,
			  const char *error)
{
	if (d->node == NULL)
		return; /* direction_disconnect() is taking it down */
	atomic_store(&d->node_streaming, state == PW_STREAM_STATE_STREAMING);
	if (state == PW_STREAM_STATE_STREAMING && old != PW_STREAM_STATE_STREAMING) {
		if (d->reordering) {
			d->reordering = false; /* the same session goes on */
			return;
		}
		d->reorder_wait_s = REORDER_WAIT_MIN_S;
		/* A new session starts from fresh engines: nothing of the last one's noise estimate
		 * or network state leaks into it, and its output is reproducible. */
		direction_renew(d);
		atomic_store(&d->reset_session, true);
		if (d->events->session_started)
			d->events->session_started(d->data);
	} else if (state == PW_STREAM_STATE_ERROR || (state == PW_STREAM_STATE_UNCONNECTED &&
						      old != PW_STREAM_STATE_UNCONNECTED)) {
		if (d->events->node_failed)
			d->events->node_failed(d->data, error ? error : "disconnected");
	}
}

void direction_device_state(struct direction *d, enum pw_stream_state old,
			    enum pw_stream_state state, const char *error)
{
	if (d->device_closing)
		return;
	/* First, before PipeWire goes on reconfiguring the stream (arm_trigger()). */
	arm_trigger(d, state == PW_STREAM_STATE_STREAMING);
	atomic_store(&d->device_streaming, state == PW_STREAM_STATE_STREAMING);
	atomic_store(&d->device_state, (int)state);
	/* Linked (the node may start now), or running for another application while we are idle
	 * (park it): the owner calls direction_set_active() again soon, outside this callback. */
	if (state != old && d->events->changed)
		d->events->changed(d->data);
	if (state == PW_STREAM_STATE_ERROR ||
	    (state == PW_STREAM_STATE_UNCONNECTED && old != PW_STREAM_STATE_UNCONNECTED)) {
		if (d->events->device_lost)
			d->events->device_lost(d->data);
	}
}

/* ---- Figures ----------------------------------------------------------------------------- */

static enum engine_breaker_state worse(enum engine_breaker_state a, enum engine_breaker_state b)
{
	/* open is worst (the model is bypassed), then half-open (retrying), then closed */
	static const int rank[] = { [ENGINE_BREAKER_CLOSED] = 0, [ENGINE_BREAKER_HALF_OPEN] = 1,
				    [ENGINE_BREAKER_OPEN] = 2 };
	return rank[b] > rank[a] ? b : a;
}

/* Every channel's engine as one: counts summed (a stereo speaker does twice the frames), levels,
 * latency and margin the largest, flags true only if true for all. */
static void add_engine_stats(struct engine_stats *sum, const struct engine_stats *e, bool first)
{
	if (first) {
		*sum = *e;
		return;
	}
	sum->cycles += e->cycles;
	sum->frames += e->frames;
	sum->frames_denoised += e->frames_denoised;
	sum->deadline_misses += e->deadline_misses;
	sum->xruns += e->xruns;
	sum->breaker_trips += e->breaker_trips;
	sum->breaker = worse(sum->breaker, e->breaker);
	sum->latency_samples = e->latency_samples > sum->latency_samples ? e->latency_samples :
									   sum->latency_samples;
	sum->margin_frames = e->margin_frames > sum->margin_frames ? e->margin_frames :
								     sum->margin_frames;
	sum->input_peak = e->input_peak > sum->input_peak ? e->input_peak : sum->input_peak;
	sum->output_peak = e->output_peak > sum->output_peak ? e->output_peak : sum->output_peak;
	sum->vad = e->vad > sum->vad ? e->vad : sum->vad;
	sum->block_violations += e->block_violations;
	sum->late_frames_dropped += e->late_frames_dropped;
	sum->margin_changes += e->margin_changes;
	sum->worker_realtime = sum->worker_realtime && e->worker_realtime;
	sum->memory_locked = sum->memory_locked && e->memory_locked;
	sum->submit_failures += e->submit_failures;
	sum->own_network_hops += e->own_network_hops;
	sum->fifo_fill_samples = e->fifo_fill_samples > sum->fifo_fill_samples ?
					 e->fifo_fill_samples : sum->fifo_fill_samples;
}

void direction_get_stats(const struct direction *d, struct direction_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->cycles = atomic_load(&d->cycles);
	st->cycles_no_input = atomic_load(&d->cycles_no_input);
	st->in_cycles = atomic_load(&d->in_cycles);
	st->handoff_switches = atomic_load(&d->handoff_switches);
	st->handoff_recoveries = atomic_load(&d->handoff_recoveries);
	st->handoff_delay = atomic_load(&d->handoff_delay);
	st->reorders = atomic_load(&d->reorders);
	st->silent_cycles = atomic_load(&d->silent_cycles);
	st->xruns = atomic_load(&d->xruns);
	st->xrun_lost_us = atomic_load(&d->xrun_lost_us);
	st->xrun_max_us = atomic_load(&d->xrun_max_us);
	st->no_output_buffer = atomic_load(&d->no_output_buffer);
	st->stale_buffers = atomic_load(&d->stale_buffers);
	st->process_ns = atomic_load(&d->process_ns);
	st->process_ns_max = atomic_load(&d->process_ns_max);
	st->quantum = atomic_load(&d->quantum);
	st->rate = atomic_load(&d->rate);
	st->adapter_latency = atomic_load(&d->adapter_latency);
	st->input_peak = atomic_load(&d->input_peak);
	st->output_peak = atomic_load(&d->output_peak);
	st->channels = d->channels;
	st->device_streaming = atomic_load(&d->device_streaming);
	st->device_state = d->parked ? "parked" :
		pw_stream_state_as_string((enum pw_stream_state)atomic_load(&d->device_state));
	st->streaming = atomic_load(&d->node_streaming);
	st->active = d->node_on;
	st->rate_unsupported = atomic_load(&d->rate_unsupported);
	for (uint32_t c = 0; c < d->channels; c++) {
		struct engine_stats es;

		engine_get_stats(d->ch[c].engine, &es);
		add_engine_stats(&st->es, &es, c == 0);
	}
	/* The model's time per hop: the channels', and the mid's, which runs the network. */
	for (uint32_t c = 0; c < d->n_paths; c++) {
		struct telemetry_snapshot t;

		if (engine_get_model_times(d->ch[c].engine, &t) == 0)
			telemetry_snapshot_add(&st->model_times, &t);
	}
	st->linked = d->linked;
	telemetry_snapshot(d->cycle_times, &st->cycle_times);
}

uint32_t direction_node_id(const struct direction *d)
{
	return d->node ? pw_stream_get_node_id(d->node) : SPA_ID_INVALID;
}

enum direction_kind direction_kind(const struct direction *d)
{
	return d->kind;
}

const char *direction_kind_name(enum direction_kind kind)
{
	return kind == DIRECTION_MIC ? "mic" : "speaker";
}
