/* SPDX-License-Identifier: MIT */
/* State shared by mic.c (lifecycle, connection, capture target) and mic_control.c (the control
 * socket's commands, settings). Main thread only. */
#ifndef VOCANA_PW_MIC_PRIVATE_H
#define VOCANA_PW_MIC_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <pipewire/pipewire.h>

#include "pw/mic.h"
#include "pw/mic_graph.h"
#include "pw/mic_streams.h"
#include "service/config.h"
#include "service/control.h"

#define MIC_PATH_MAX 4096
#define MIC_NAME_MAX 256

struct mic {
	struct mic_options opts;
	char node_name[MIC_NAME_MAX];
	char description[MIC_NAME_MAX];
	char group[MIC_NAME_MAX];

	struct pw_main_loop *main_loop;
	struct pw_loop *loop;
	struct pw_context *context;
	struct pw_core *core;
	struct spa_hook core_listener;
	struct mic_graph *graph;
	struct mic_streams *streams;
	struct vocana_model *model;
	struct engine *engine;

	struct control_server *control;
	struct spa_source *control_source;
	struct spa_source *reconnect_timer;
	struct spa_source *reconcile_timer;
	struct spa_source *stats_timer;
	struct spa_source *sig_int, *sig_term;

	uint32_t backoff_ms;
	bool connected;
	bool waiting_logged;
	uint32_t n_connects;
	bool capture_failed;
	char last_real_default[MIC_NAME_MAX];

	struct service_config settings;
	char config_path[MIC_PATH_MAX];
	char socket_path[MIC_PATH_MAX];

	/* Refreshed every second by the stats timer. */
	uint64_t started_ns;
	uint64_t last_wall_ns, last_cpu_ns, last_process_ns, last_cycles;
	double cpu_percent;       /* whole process, last interval */
	double dsp_load_percent;  /* output callback time / audio time, last interval */
	uint64_t reported_xruns, reported_misses, glitch_logged_ns;
	bool reported_rate_unsupported;
};

/* mic.c */
void mic_log(const struct mic *m, const char *level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint64_t mic_now_ns(clockid_t clock);

/* mic_control.c */
int mic_control_start(struct mic *m);
void mic_control_stop(struct mic *m);
/* Recreate the engine from the current settings (fresh state) and hand it to the streams. */
int mic_engine_renew(struct mic *m);
void mic_stats_tick(struct mic *m);

#endif /* VOCANA_PW_MIC_PRIVATE_H */
