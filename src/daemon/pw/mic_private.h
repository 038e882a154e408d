/* SPDX-License-Identifier: MIT */
/* State shared by the service's files: mic.c (lifecycle, the connection, each direction's device
 * and activity), mic_control.c (the control socket's commands, settings), mic_stats.c (the
 * figures) and mic_metrics.c (/metrics). The service began as the microphone alone, hence the
 * names; it now runs both directions (direction.h). Main thread only. */
#ifndef VOCANA_PW_MIC_PRIVATE_H
#define VOCANA_PW_MIC_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include <pipewire/pipewire.h>

#include "pw/direction.h"
#include "pw/mic.h"
#include "pw/mic_graph.h"
#include "pw/mic_sock_loop.h"
#include "pw/mic_tap.h"
#include "core/telemetry.h"
#include "service/config.h"
#include "service/control.h"

#define MIC_PATH_MAX 4096
#define MIC_NAME_MAX 256

struct mic;

/* One direction as the service runs it: whether it is on, its names, which device it uses. */
struct mic_dir {
	struct mic *m;
	enum direction_kind kind;
	bool on;                      /* published (settings 'mic' and 'speaker', or options) */
	struct direction *d;          /* NULL while off */
	char node_name[MIC_NAME_MAX];
	char description[MIC_NAME_MAX];
	char group[MIC_NAME_MAX];
	uint32_t channels;
	/* The device chosen (--input / --speaker-output, the settings file, 'set input NAME'), or
	 * NULL: follow the default source (mic) or sink (speaker). Points into `chosen` or into the
	 * options, so everything that reads it (the target choice, status) follows changes. */
	const char *device;
	char chosen[MIC_NAME_MAX];
	char last_real_default[MIC_NAME_MAX];
	bool device_failed;           /* the server dropped the device stream: try again soon */
	/* The device asked for by name (`device`) is not in the graph: the mic outputs silence, the
	 * speaker plays nowhere, until it appears. The name last warned about, so each is reported
	 * once, not on every graph change. */
	bool device_missing;
	char missing_logged[MIC_NAME_MAX];
	/* Refreshed every second by the stats timer. */
	uint64_t last_process_ns, last_cycles;
	double dsp_load_percent;      /* out callback time / audio time, last interval */
	uint64_t reported_xruns, reported_misses, glitch_logged_ns;
	bool reported_rate_unsupported;
};

struct mic {
	struct mic_options opts;
	struct mic_dir dir[DIRECTION_N];

	struct pw_main_loop *main_loop;
	struct pw_loop *loop;
	struct pw_context *context;
	struct pw_core *core;
	struct spa_hook core_listener;
	struct mic_graph *graph;
	/* The one model every engine of both directions runs (loaded once: the embedded one, or
	 * --model): its weights are shared, never copied per engine or channel. */
	struct vocana_model *model;
	uint32_t test_slow_model_us;   /* VOCANA_TEST_SLOW_MODEL_US test hook (-Dtest_hooks=true
					* builds), 0 = off; `stats` reports it */
	struct mic_metrics *metrics;   /* the /metrics endpoint, NULL = off */

	struct sock_loop sock_loop;    /* the main loop, for the socket servers (mic_sock_loop.h) */
	struct control_server *control;
	struct spa_source *reconnect_timer;
	struct spa_source *reconcile_timer;
	struct spa_source *stats_timer;
	struct spa_source *sig_int, *sig_term, *sig_hup;

	uint32_t backoff_ms;
	bool connected;
	bool waiting_logged;
	uint32_t n_connects;

	/* The app's leases (mic_tap.h): wanted until these CLOCK_MONOTONIC times (0 = off). */
	struct mic_tap *meter, *listen;
	uint64_t meter_until_ns, listen_until_ns;

	struct service_config settings;
	char config_path[MIC_PATH_MAX];
	char socket_path[MIC_PATH_MAX];

	/* Refreshed every second by the stats timer. */
	uint64_t started_ns;
	uint64_t last_wall_ns, last_cpu_ns;
	double cpu_percent;       /* whole process, last interval */
};

/* mic.c */
void mic_log(const struct mic *m, const char *level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint64_t mic_now_ns(clockid_t clock);
/* Re-decide the devices and activity soon (after 'set input', a direction turned on, ...). */
void mic_reconcile_soon(struct mic *m);
/* Turn a direction on (its engines made, its node published while connected) or off (its node
 * gone, its engines freed). 0 or a negative errno (the reason logged). */
int mic_dir_set_on(struct mic_dir *md, bool on);

/* mic_control.c */
int mic_control_start(struct mic *m);
/* SIGHUP: apply the settings file again (what the command line fixed for this run stays). */
void mic_settings_reload(struct mic *m);
void mic_control_stop(struct mic *m);
/* The settings of a direction's engines: strength, enabled. */
int mic_dir_strength(const struct mic_dir *md);
bool mic_dir_enabled(const struct mic_dir *md);
void mic_stats_tick(struct mic *m);
/* Connections of the control socket and /metrics closed without an answer (stats_table.h). */
uint64_t mic_clients_dropped(const struct mic *m);
/* Create or drop the meter and listen taps as their leases say (also after a reconnect). */
void mic_taps_update(struct mic *m);
/* Drop both taps now (before the PipeWire connection goes). */
void mic_taps_stop(struct mic *m);

/* mic_stats.c: the values of the figures table (service/stats_table.h) that 'status', 'stats'
 * and /metrics report. */
struct dir_report {
	bool on;                    /* the direction runs (the rest is zeros while it is off) */
	struct direction_stats ds;  /* engine counters cumulative since start (resets keep them) */
	uint32_t rate;              /* graph rate, or 48000 before the first cycle */
	uint32_t latency_samples;   /* at the graph rate: engine + rate adapter + hand-off */
	const char *node, *description;
	const char *device;         /* the device captured / played into, or "(none)" */
	bool follows_default;       /* no device chosen: the default is followed */
	const char *wanted;         /* the device chosen by name, or "(default)" */
	bool device_missing;        /* ... and the graph has no node of that name */
	const char *device_state;   /* the device stream's state */
	const char *resampling;     /* "yes", "no" or "unsupported (pass-through)" */
	int strength;
	bool enabled;
	double dsp_load_percent;
};

struct mic_report {
	struct dir_report dir[DIRECTION_N];
	double uptime_s;
	double cpu_time_ms;         /* utime + stime of the process from /proc; -1 if unknown */
	long long rss_kib;          /* VmRSS from /proc; -1 if unknown */
	const char *mode;           /* "inline" or "worker" */
};
struct stats_values;
void mic_report_collect(struct mic *m, struct mic_report *r);
/* The figures' values from a report (the values point into r: keep it while they are used). */
void mic_stats_values(struct mic *m, const struct mic_report *r, struct stats_values *v);
/* The 'status' (status_only) or 'stats' reply. */
void mic_reply_figures(struct mic *m, struct control_reply *reply, bool status_only);

/* mic_metrics.c: Prometheus /metrics on 127.0.0.1:port, served from the main loop; token_path:
 * NULL, or a private file whose first line is the bearer token every request must carry. */
struct mic_metrics;
int mic_metrics_start(struct mic *m, int port, const char *token_path);
void mic_metrics_stop(struct mic *m);
/* The endpoint's connection counters (all 0 when it is off). */
void mic_metrics_counts(const struct mic *m, struct sock_counts *out);

#endif /* VOCANA_PW_MIC_PRIVATE_H */
