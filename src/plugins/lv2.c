/* SPDX-License-Identifier: MIT */
/*
 * The LV2 plugins (bundle vocana.lv2, described in vocana.ttl):
 *
 *   urn:vocana:lv2:vocana#mono    in, out, strength, enable, latency
 *   urn:vocana:lv2:vocana#stereo  in_l, in_r, out_l, out_r, strength, enable, latency
 *                                 (one denoiser per channel, one shared model)
 *
 * strength (0..100, default 100) and enable (toggle, lv2:designation lv2:enabled, so hosts
 * drive it from their own bypass switch and get the denoiser's crossfade rather than a cut) are
 * plain control ports: hosts save and restore them with the session, nothing else is state.
 * latency (lv2:reportsLatency) is written on every run(), including run(0), so hosts that ask
 * that way can compensate. Any block size, any rate from 8 to 384 kHz (resampled inside); the
 * port indices below are the ones in vocana.ttl.
 *
 * Written from the LV2 core specification and the headers' documentation (lv2/core/lv2.h,
 * lv2/log/log.h, lv2/urid/urid.h).
 */
#include <stdio.h>
#include <string.h>

#include <lv2/core/lv2.h>
#include <lv2/log/log.h>
#include <lv2/urid/urid.h>

#include "plugins/plugin_ports.h"

#define VOCANA_LV2_URI "urn:vocana:lv2:vocana"

/* Port indices as vocana.ttl lists them. */
static const struct vp_port_layout mono = {
	.n_channels = 1, .in = { 0 }, .out = { 1 }, .strength = 2, .enable = 3, .latency = 4,
};
static const struct vp_port_layout stereo = {
	.n_channels = 2, .in = { 0, 1 }, .out = { 2, 3 }, .strength = 4, .enable = 5, .latency = 6,
};

/* Tell the user why instantiate failed: through the host's log if it has one, else stderr
 * (instantiate runs outside the audio thread, so printing is fine here). */
static void report_error(const LV2_Feature *const *features, const char *msg)
{
	const LV2_Log_Log *log = NULL;
	const LV2_URID_Map *map = NULL;

	for (size_t i = 0; features != NULL && features[i] != NULL; i++) {
		if (strcmp(features[i]->URI, LV2_LOG__log) == 0)
			log = features[i]->data;
		else if (strcmp(features[i]->URI, LV2_URID__map) == 0)
			map = features[i]->data;
	}
	if (log != NULL && map != NULL)
		log->printf(log->handle, map->map(map->handle, LV2_LOG__Error), "%s\n", msg);
	else
		fprintf(stderr, "%s\n", msg);
}

static LV2_Handle instantiate(const LV2_Descriptor *descriptor, double rate_hz,
			      const char *bundle_path, const LV2_Feature *const *features)
{
	const struct vp_port_layout *layout =
		strcmp(descriptor->URI, VOCANA_LV2_URI "#stereo") == 0 ? &stereo : &mono;
	char err[256];
	struct vp_ports *p = vp_ports_create(layout, rate_hz, err, sizeof(err));

	(void)bundle_path; /* everything, the model too, is in the binary and libvocana */
	if (p == NULL && err[0] != '\0')
		report_error(features, err);
	return p;
}

static void connect_port(LV2_Handle instance, uint32_t port, void *data)
{
	vp_ports_connect(instance, port, data);
}

static void activate(LV2_Handle instance)
{
	vp_ports_activate(instance);
}

static void run(LV2_Handle instance, uint32_t n)
{
	vp_ports_run(instance, n);
}

static void deactivate(LV2_Handle instance)
{
	(void)instance;
}

static void cleanup(LV2_Handle instance)
{
	vp_ports_destroy(instance);
}

static const void *extension_data(const char *uri)
{
	(void)uri;
	return NULL;
}

static const LV2_Descriptor descriptors[] = {
	{ VOCANA_LV2_URI "#mono", instantiate, connect_port, activate, run, deactivate, cleanup,
	  extension_data },
	{ VOCANA_LV2_URI "#stereo", instantiate, connect_port, activate, run, deactivate, cleanup,
	  extension_data },
};

LV2_SYMBOL_EXPORT const LV2_Descriptor *lv2_descriptor(uint32_t index)
{
	return index < sizeof(descriptors) / sizeof(descriptors[0]) ? &descriptors[index] : NULL;
}
