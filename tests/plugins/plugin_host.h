/* SPDX-License-Identifier: MIT */
/*
 * A minimal LV2 / LADSPA host for the plugin tests: loads the built plugin file with dlopen() as a
 * real host does (so only its exported entry point is reachable), instantiates one of its
 * plugins, connects every port and runs it. The port layout (audio in, audio out, strength,
 * enable, latency) is the one documented in src/plugins/lv2.c and ladspa.c.
 */
#ifndef VOCANA_TESTS_PLUGIN_HOST_H
#define VOCANA_TESTS_PLUGIN_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum host_api { HOST_LV2, HOST_LADSPA };

struct host_plugin {
	enum host_api api;
	const char *name;   /* LV2 URI or LADSPA label */
	uint32_t n_channels;
	void *lib;          /* dlopen() handle */
	const void *desc;   /* LV2_Descriptor or LADSPA_Descriptor */
	void *handle;       /* the instance */
	float strength, enable, latency; /* the control ports' memory */
};

/* The entry point `symbol` of a dlopen()ed library into the function pointer *fn (NULL if
 * missing). */
void host_entry(void *lib, const char *symbol, void *fn, size_t fn_size);

/* Load file (the plugin .so) and find the plugin called name; 0 or -1 (message on stderr). */
int host_load(struct host_plugin *p, enum host_api api, const char *file, const char *name);

/* Instantiate at rate_hz (LV2: with a log feature whose last message host_last_log() returns)
 * and connect the control ports; strength 100, enable 1. Returns 0, or -1 if the plugin refused. */
int host_instantiate(struct host_plugin *p, double rate_hz);

/* The plugin's log message from the last instantiate (LV2), "" if none. */
const char *host_last_log(void);

void host_activate(struct host_plugin *p);
void host_deactivate(struct host_plugin *p);

/* Connect in[c]/out[c] for every channel and run n samples. */
void host_run(struct host_plugin *p, float *const *in, float *const *out, size_t n);

/* Cleanup the instance (keeps the library loaded). */
void host_cleanup(struct host_plugin *p);

/* Cleanup (if instantiated) and dlclose(). */
void host_unload(struct host_plugin *p);

#endif /* VOCANA_TESTS_PLUGIN_HOST_H */
