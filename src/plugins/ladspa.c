/* SPDX-License-Identifier: MIT */
/*
 * The LADSPA plugins, for hosts that only do LADSPA (and PipeWire's filter-chain, Audacity, Ardour,
 * which do both):
 *
 *   label vocana_mono    ID 5656387  Input, Output, Strength, Enable, latency
 *   label vocana_stereo  ID 5656388  Input L, Input R, Output L, Output R, Strength, Enable, latency
 *
 * Strength (0..100, integer, default 100) and Enable (toggle, default on) behave as in the LV2
 * plugin (plugin_core.h). The output control port is named exactly "latency", the name LADSPA
 * hosts (Ardour among them) look for to learn a plugin's delay; its value is written on every
 * run(). Sample rates from 8 to 384 kHz are resampled inside; outside that instantiate()
 * returns NULL after saying why on stderr (LADSPA gives a plugin no other channel).
 *
 * The IDs are 0x564F43 ("VOC") and the next one: LADSPA has no registry any more, they are
 * below the 0x1000000 hosts may assume, and clash with no plugin Debian ships.
 *
 * Written from the LADSPA 1.1 header's documentation (ladspa.h).
 */
#include <stdio.h>

#include <ladspa.h>

#include "plugins/plugin_core.h"
#include "plugins/plugin_ports.h"

#define VOCANA_LADSPA_ID_MONO 5656387UL
#define VOCANA_LADSPA_ID_STEREO 5656388UL

/* ladspa.h declares ladspa_descriptor() without an export attribute; the project builds with
 * -fvisibility=hidden, so give the definition one. */
#define VOCANA_LADSPA_EXPORT __attribute__((visibility("default")))

static const struct vp_port_layout mono = {
	.n_channels = 1, .in = { 0 }, .out = { 1 }, .strength = 2, .enable = 3, .latency = 4,
};
static const struct vp_port_layout stereo = {
	.n_channels = 2, .in = { 0, 1 }, .out = { 2, 3 }, .strength = 4, .enable = 5, .latency = 6,
};

#define AUDIO_IN (LADSPA_PORT_INPUT | LADSPA_PORT_AUDIO)
#define AUDIO_OUT (LADSPA_PORT_OUTPUT | LADSPA_PORT_AUDIO)
#define CONTROL_IN (LADSPA_PORT_INPUT | LADSPA_PORT_CONTROL)
#define CONTROL_OUT (LADSPA_PORT_OUTPUT | LADSPA_PORT_CONTROL)

#define HINT_NONE { 0, 0.0f, 0.0f }
#define HINT_STRENGTH                                                                          \
	{ LADSPA_HINT_BOUNDED_BELOW | LADSPA_HINT_BOUNDED_ABOVE | LADSPA_HINT_INTEGER |         \
		  LADSPA_HINT_DEFAULT_MAXIMUM,                                                  \
	  0.0f, (float)VP_STRENGTH_MAX }
#define HINT_ENABLE { LADSPA_HINT_TOGGLED | LADSPA_HINT_DEFAULT_1, 0.0f, 1.0f }
#define HINT_LATENCY { LADSPA_HINT_BOUNDED_BELOW, 0.0f, 0.0f }

static const LADSPA_PortDescriptor mono_ports[] = {
	AUDIO_IN, AUDIO_OUT, CONTROL_IN, CONTROL_IN, CONTROL_OUT,
};
static const char *const mono_names[] = {
	"Input", "Output", "Strength", "Enable", "latency",
};
static const LADSPA_PortRangeHint mono_hints[] = {
	HINT_NONE, HINT_NONE, HINT_STRENGTH, HINT_ENABLE, HINT_LATENCY,
};

static const LADSPA_PortDescriptor stereo_ports[] = {
	AUDIO_IN, AUDIO_IN, AUDIO_OUT, AUDIO_OUT, CONTROL_IN, CONTROL_IN, CONTROL_OUT,
};
static const char *const stereo_names[] = {
	"Input L", "Input R", "Output L", "Output R", "Strength", "Enable", "latency",
};
static const LADSPA_PortRangeHint stereo_hints[] = {
	HINT_NONE, HINT_NONE, HINT_NONE, HINT_NONE, HINT_STRENGTH, HINT_ENABLE, HINT_LATENCY,
};

static LADSPA_Handle instantiate(const LADSPA_Descriptor *descriptor, unsigned long rate_hz)
{
	char err[256];
	struct vp_ports *p =
		vp_ports_create(descriptor->ImplementationData, (double)rate_hz, err, sizeof(err));

	if (p == NULL && err[0] != '\0')
		fprintf(stderr, "%s\n", err);
	return p;
}

static void connect_port(LADSPA_Handle instance, unsigned long port, LADSPA_Data *data)
{
	vp_ports_connect(instance, port, data);
}

static void activate(LADSPA_Handle instance)
{
	vp_ports_activate(instance);
}

static void run(LADSPA_Handle instance, unsigned long n)
{
	vp_ports_run(instance, n);
}

static void cleanup(LADSPA_Handle instance)
{
	vp_ports_destroy(instance);
}

static const LADSPA_Descriptor descriptors[] = {
	{
		.UniqueID = VOCANA_LADSPA_ID_MONO,
		.Label = "vocana_mono",
		.Properties = LADSPA_PROPERTY_HARD_RT_CAPABLE,
		.Name = "Vocana noise suppression (mono)",
		.Maker = "Vocana",
		.Copyright = "MIT",
		.PortCount = sizeof(mono_ports) / sizeof(mono_ports[0]),
		.PortDescriptors = mono_ports,
		.PortNames = mono_names,
		.PortRangeHints = mono_hints,
		.ImplementationData = (void *)&mono,
		.instantiate = instantiate,
		.connect_port = connect_port,
		.activate = activate,
		.run = run,
		.cleanup = cleanup,
	},
	{
		.UniqueID = VOCANA_LADSPA_ID_STEREO,
		.Label = "vocana_stereo",
		.Properties = LADSPA_PROPERTY_HARD_RT_CAPABLE,
		.Name = "Vocana noise suppression (stereo)",
		.Maker = "Vocana",
		.Copyright = "MIT",
		.PortCount = sizeof(stereo_ports) / sizeof(stereo_ports[0]),
		.PortDescriptors = stereo_ports,
		.PortNames = stereo_names,
		.PortRangeHints = stereo_hints,
		.ImplementationData = (void *)&stereo,
		.instantiate = instantiate,
		.connect_port = connect_port,
		.activate = activate,
		.run = run,
		.cleanup = cleanup,
	},
};

VOCANA_LADSPA_EXPORT const LADSPA_Descriptor *ladspa_descriptor(unsigned long index)
{
	return index < sizeof(descriptors) / sizeof(descriptors[0]) ? &descriptors[index] : NULL;
}
