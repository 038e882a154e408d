/* SPDX-License-Identifier: MIT */
/* The service recording its own source for the app: level meter and listen (see mic_tap.h). */
#include "pw/mic_tap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>
#include <pipewire/impl-module.h>
#include <spa/param/audio/format-utils.h>

/* As in direction.c: WirePlumber 0.4.13 crashes when a node it armed an idle-suspend timer for
 * is destroyed before the timer fires, and taps are destroyed a few seconds after they go idle. */
#define SUSPEND_TIMEOUT_KEY "session.suspend-timeout-seconds"
#define TAP_NAME_MAX 300

struct mic_tap {
	struct pw_stream *stream; /* meter */
	struct spa_hook stream_listener;
	struct pw_impl_module *module; /* listen */
	struct spa_hook module_listener;
	int dead;
};

/* ---- meter: record and discard ---------------------------------------------------------- */

static void meter_process(void *data)
{
	struct mic_tap *t = data;
	struct pw_buffer *b = pw_stream_dequeue_buffer(t->stream);

	/* Real-time thread: hand the buffer straight back, the samples are not needed. */
	if (b != NULL)
		pw_stream_queue_buffer(t->stream, b);
}

static void meter_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
				const char *error)
{
	struct mic_tap *t = data;

	/* Unconnected: the source went away (PipeWire restarted); the owner makes a new tap. */
	if (state == PW_STREAM_STATE_ERROR || state == PW_STREAM_STATE_UNCONNECTED)
		t->dead = 1;
}

static const struct pw_stream_events meter_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = meter_state_changed,
	.process = meter_process,
};

int mic_tap_meter_create(struct pw_core *core, const char *node_name, struct mic_tap **out)
{
	uint8_t buffer[512];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	struct spa_audio_info_raw info = {
		.format = SPA_AUDIO_FORMAT_F32P,
		.channels = 1,
		.position = { SPA_AUDIO_CHANNEL_MONO },
	};
	const struct spa_pod *params[1];
	struct pw_properties *props;
	char name[TAP_NAME_MAX];
	struct mic_tap *t;
	int res;

	if (snprintf(name, sizeof(name), "%s.meter", node_name) >= (int)sizeof(name))
		return -ENAMETOOLONG;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio",
				  PW_KEY_MEDIA_CATEGORY, "Capture",
				  PW_KEY_MEDIA_CLASS, "Stream/Input/Audio",
				  PW_KEY_NODE_NAME, name,
				  PW_KEY_NODE_DESCRIPTION, "Vocana level meter",
				  PW_KEY_APP_NAME, "Vocana",
				  PW_KEY_TARGET_OBJECT, node_name,
				  /* Never moved to another source when ours is gone: a meter of
				   * someone else's microphone would be wrong. */
				  PW_KEY_NODE_DONT_RECONNECT, "true",
				  SUSPEND_TIMEOUT_KEY, "0",
				  NULL);
	if (props == NULL) {
		res = -errno;
		goto error;
	}
	t->stream = pw_stream_new(core, name, props);
	if (t->stream == NULL) {
		res = -errno;
		goto error;
	}
	pw_stream_add_listener(t->stream, &t->stream_listener, &meter_events, t);
	params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
	res = pw_stream_connect(t->stream, PW_DIRECTION_INPUT, PW_ID_ANY,
				PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_RT_PROCESS, params, 1);
	if (res < 0)
		goto error;
	*out = t;
	return 0;
error:
	mic_tap_destroy(t);
	return res;
}

/* ---- listen: module-loopback to the default output -------------------------------------- */

static void module_destroy(void *data)
{
	struct mic_tap *t = data;

	/* The module unloads itself when its own connection to PipeWire breaks. */
	spa_hook_remove(&t->module_listener);
	t->module = NULL;
	t->dead = 1;
}

static const struct pw_impl_module_events module_events = {
	PW_VERSION_IMPL_MODULE_EVENTS,
	.destroy = module_destroy,
};

int mic_tap_listen_create(struct pw_context *context, const char *node_name, struct mic_tap **out)
{
	char args[1024];
	struct mic_tap *t;
	int n;

	/* Node names come from our own options, never from a client: still, refuse anything that
	 * could break out of the SPA-JSON string below. */
	if (strpbrk(node_name, "\"\\{}") != NULL)
		return -EINVAL;
	n = snprintf(args, sizeof(args),
		     "{ node.description = \"Vocana listen\" audio.channels = 1 "
		     "audio.position = [ MONO ] "
		     "capture.props = { node.name = \"%s.listen\" target.object = \"%s\" "
		     "node.dont-reconnect = true " SUSPEND_TIMEOUT_KEY " = 0 } "
		     "playback.props = { node.name = \"%s.listen.playback\" "
		     "media.role = \"Communication\" " SUSPEND_TIMEOUT_KEY " = 0 } }",
		     node_name, node_name, node_name);
	if (n < 0 || (size_t)n >= sizeof(args))
		return -ENAMETOOLONG;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return -ENOMEM;
	t->module = pw_context_load_module(context, "libpipewire-module-loopback", args, NULL);
	if (t->module == NULL) {
		int res = errno ? -errno : -ENOENT;

		free(t);
		return res;
	}
	pw_impl_module_add_listener(t->module, &t->module_listener, &module_events, t);
	*out = t;
	return 0;
}

int mic_tap_alive(const struct mic_tap *t)
{
	return t != NULL && !t->dead;
}

void mic_tap_destroy(struct mic_tap *t)
{
	if (t == NULL)
		return;
	if (t->stream) {
		spa_hook_remove(&t->stream_listener);
		pw_stream_destroy(t->stream);
	}
	if (t->module) {
		spa_hook_remove(&t->module_listener);
		pw_impl_module_destroy(t->module);
	}
	free(t);
}
