/* SPDX-License-Identifier: MIT */
/*
 * A plugin instance as the LV2 and the LADSPA host drive it: the variant's port layout, the
 * buffers the host connected to those ports, and the instance (plugin_core.h) behind them. Both
 * plugins' connect_port, activate, run and cleanup are this module; each plugin keeps its
 * descriptors and how it reports a failed instantiate.
 */
#ifndef VOCANA_PLUGINS_PLUGIN_PORTS_H
#define VOCANA_PLUGINS_PLUGIN_PORTS_H

#include <stddef.h>
#include <stdint.h>

#include "plugins/plugin_core.h"

/* Where each kind of port sits in a variant (the host's port indices). */
struct vp_port_layout {
	uint32_t n_channels;
	uint32_t in[VP_MAX_CHANNELS], out[VP_MAX_CHANNELS];
	uint32_t strength, enable, latency;
};

struct vp_ports;

/*
 * An instance with layout's ports at rate_hz; layout must outlive it. On failure returns NULL
 * with a sentence for the user in err (err_size > 0 bytes), e.g. an unsupported rate; err is left
 * empty only when the handle itself could not be allocated.
 */
struct vp_ports *vp_ports_create(const struct vp_port_layout *layout, double rate_hz, char *err,
				 size_t err_size);

/* Connects data to port; an index that is no port of the layout is ignored. */
void vp_ports_connect(struct vp_ports *p, unsigned long port, void *data);

/* vp_instance_activate(). */
void vp_ports_activate(struct vp_ports *p);

/*
 * Writes the latency port (when connected), then processes n samples from the input ports to the
 * output ports with the control ports' values (an unconnected control reads as NaN: "keep the
 * current value"). Does nothing more while an audio port is unconnected. RT-safe.
 */
void vp_ports_run(struct vp_ports *p, size_t n);

/* Frees the instance and the handle. */
void vp_ports_destroy(struct vp_ports *p);

#endif /* VOCANA_PLUGINS_PLUGIN_PORTS_H */
