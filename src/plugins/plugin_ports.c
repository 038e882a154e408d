/* SPDX-License-Identifier: MIT */
#include "plugins/plugin_ports.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct vp_ports {
	const struct vp_port_layout *layout;
	struct vp_instance *vp;
	const float *in[VP_MAX_CHANNELS];
	float *out[VP_MAX_CHANNELS];
	const float *strength;
	const float *enable;
	float *latency;
};

struct vp_ports *vp_ports_create(const struct vp_port_layout *layout, double rate_hz, char *err,
				 size_t err_size)
{
	struct vp_ports *p = calloc(1, sizeof(*p));

	err[0] = '\0';
	if (p == NULL)
		return NULL;
	p->layout = layout;
	if (vp_instance_create(layout->n_channels, rate_hz, &p->vp, err, err_size) < 0) {
		if (err[0] == '\0')
			snprintf(err, err_size, "Vocana: out of memory");
		free(p);
		return NULL;
	}
	return p;
}

void vp_ports_connect(struct vp_ports *p, unsigned long port, void *data)
{
	const struct vp_port_layout *l = p->layout;

	for (uint32_t ch = 0; ch < l->n_channels; ch++) {
		if (port == l->in[ch])
			p->in[ch] = data;
		else if (port == l->out[ch])
			p->out[ch] = data;
	}
	if (port == l->strength)
		p->strength = data;
	else if (port == l->enable)
		p->enable = data;
	else if (port == l->latency)
		p->latency = data;
}

void vp_ports_activate(struct vp_ports *p)
{
	vp_instance_activate(p->vp);
}

void vp_ports_run(struct vp_ports *p, size_t n)
{
	if (p->latency != NULL)
		*p->latency = (float)vp_instance_latency(p->vp);
	for (uint32_t ch = 0; ch < p->layout->n_channels; ch++)
		if (p->in[ch] == NULL || p->out[ch] == NULL)
			return; /* a host bug (every port must be connected); never crash the host */
	vp_instance_run(p->vp, p->in, p->out, n, p->strength ? *p->strength : NAN,
			p->enable ? *p->enable : NAN);
}

void vp_ports_destroy(struct vp_ports *p)
{
	vp_instance_destroy(p->vp);
	free(p);
}
