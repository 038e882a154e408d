/* SPDX-License-Identifier: MIT */
#include "plugin_host.h"

#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <ladspa.h>
#include <lv2/core/lv2.h>
#include <lv2/log/log.h>
#include <lv2/urid/urid.h>

/* ---- LV2 features: URID map (two URIs is all the plugin maps) and a log that keeps its last
 * message, so tests can check what a user would be told. ---- */

static const char *const known_uris[] = {
	LV2_LOG__Error, LV2_LOG__Warning, LV2_LOG__Note, LV2_LOG__Trace,
};
static char last_log[512];

static LV2_URID map_uri(LV2_URID_Map_Handle h, const char *uri)
{
	(void)h;
	for (size_t i = 0; i < sizeof(known_uris) / sizeof(known_uris[0]); i++)
		if (strcmp(uri, known_uris[i]) == 0)
			return (LV2_URID)(i + 1);
	return 0;
}

static int log_vprintf(LV2_Log_Handle h, LV2_URID type, const char *fmt, va_list ap)
{
	(void)h;
	(void)type;
	return vsnprintf(last_log, sizeof(last_log), fmt, ap);
}

static int log_printf(LV2_Log_Handle h, LV2_URID type, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = log_vprintf(h, type, fmt, ap);
	va_end(ap);
	return n;
}

static LV2_URID_Map urid_map = { NULL, map_uri };
static LV2_Log_Log lv2_log = { NULL, log_printf, log_vprintf };
static const LV2_Feature map_feature = { LV2_URID__map, &urid_map };
static const LV2_Feature log_feature = { LV2_LOG__log, &lv2_log };
static const LV2_Feature *const lv2_features[] = { &map_feature, &log_feature, NULL };

const char *host_last_log(void)
{
	return last_log;
}

void host_entry(void *lib, const char *symbol, void *fn, size_t fn_size)
{
	void *sym = dlsym(lib, symbol);

	/* POSIX guarantees dlsym()'s object pointer converts to a function pointer; ISO C has no
	 * cast for it, a byte copy says the same without a warning. */
	memcpy(fn, &sym, fn_size < sizeof(sym) ? fn_size : sizeof(sym));
}

int host_load(struct host_plugin *p, enum host_api api, const char *file, const char *name)
{
	memset(p, 0, sizeof(*p));
	p->api = api;
	p->name = name;
	p->lib = dlopen(file, RTLD_NOW | RTLD_LOCAL);
	if (p->lib == NULL) {
		fprintf(stderr, "dlopen %s: %s\n", file, dlerror());
		return -1;
	}
	if (api == HOST_LV2) {
		LV2_Descriptor_Function fn = NULL;
		host_entry(p->lib, "lv2_descriptor", &fn, sizeof(fn));
		for (uint32_t i = 0; fn != NULL && fn(i) != NULL; i++)
			if (strcmp(fn(i)->URI, name) == 0)
				p->desc = fn(i);
	} else {
		LADSPA_Descriptor_Function fn = NULL;
		host_entry(p->lib, "ladspa_descriptor", &fn, sizeof(fn));
		for (unsigned long i = 0; fn != NULL && fn(i) != NULL; i++)
			if (strcmp(fn(i)->Label, name) == 0)
				p->desc = fn(i);
	}
	if (p->desc == NULL) {
		fprintf(stderr, "%s: no plugin %s\n", file, name);
		dlclose(p->lib);
		p->lib = NULL;
		return -1;
	}
	p->n_channels = strstr(name, "stereo") != NULL ? 2 : 1;
	return 0;
}

/* Ports: [in x n][out x n] strength enable latency (lv2.c, ladspa.c). */
static void connect(struct host_plugin *p, uint32_t port, void *data)
{
	if (p->api == HOST_LV2) {
		const LV2_Descriptor *d = p->desc;
		d->connect_port(p->handle, port, data);
	} else {
		const LADSPA_Descriptor *d = p->desc;
		d->connect_port(p->handle, port, data);
	}
}

int host_instantiate(struct host_plugin *p, double rate_hz)
{
	const uint32_t ctl = 2 * p->n_channels;

	last_log[0] = '\0';
	if (p->api == HOST_LV2) {
		const LV2_Descriptor *d = p->desc;
		p->handle = d->instantiate(d, rate_hz, "/nonexistent/", lv2_features);
	} else {
		const LADSPA_Descriptor *d = p->desc;
		p->handle = d->instantiate(d, (unsigned long)rate_hz);
	}
	if (p->handle == NULL)
		return -1;
	p->strength = 100.0f;
	p->enable = 1.0f;
	p->latency = -1.0f;
	connect(p, ctl, &p->strength);
	connect(p, ctl + 1, &p->enable);
	connect(p, ctl + 2, &p->latency);
	return 0;
}

void host_activate(struct host_plugin *p)
{
	if (p->api == HOST_LV2) {
		const LV2_Descriptor *d = p->desc;
		d->activate(p->handle);
	} else {
		const LADSPA_Descriptor *d = p->desc;
		d->activate(p->handle);
	}
}

void host_deactivate(struct host_plugin *p)
{
	if (p->api == HOST_LV2) {
		const LV2_Descriptor *d = p->desc;
		d->deactivate(p->handle);
	} else {
		const LADSPA_Descriptor *d = p->desc;
		if (d->deactivate != NULL)
			d->deactivate(p->handle);
	}
}

void host_run(struct host_plugin *p, float *const *in, float *const *out, size_t n)
{
	for (uint32_t c = 0; c < p->n_channels; c++) {
		connect(p, c, in[c]);
		connect(p, p->n_channels + c, out[c]);
	}
	if (p->api == HOST_LV2) {
		const LV2_Descriptor *d = p->desc;
		d->run(p->handle, (uint32_t)n);
	} else {
		const LADSPA_Descriptor *d = p->desc;
		d->run(p->handle, n);
	}
}

void host_cleanup(struct host_plugin *p)
{
	if (p->handle == NULL)
		return;
	if (p->api == HOST_LV2) {
		const LV2_Descriptor *d = p->desc;
		d->cleanup(p->handle);
	} else {
		const LADSPA_Descriptor *d = p->desc;
		d->cleanup(p->handle);
	}
	p->handle = NULL;
}

void host_unload(struct host_plugin *p)
{
	host_cleanup(p);
	if (p->lib != NULL)
		dlclose(p->lib);
	p->lib = NULL;
}
