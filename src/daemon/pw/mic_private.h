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
#include "pw/mic_sock_loop.h"
#include "pw/mic_streams.h"
#include "pw/mic_tap.h"
#include "core/telemetry.h"
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
	struct telemetry *cycle_times; /* output callback time per cycle; writer: the data thread */
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
	bool capture_failed;
	char last_real_default[MIC_NAME_MAX];
	/* The input asked for by name (opts.input) is not in the graph: the source outputs silence
	 * until it appears. The name last warned about, so each is reported once, not on every
	 * graph change. */
	bool input_missing;
	char input_missing_logged[MIC_NAME_MAX];

	/* The input from the settings file or 'set input NAME'; opts.input points here once set
	 * (unless --input gave one), so everything that reads opts.input (target choice, status)
	 * follows it. "" = the default source. */
	char input[MIC_NAME_MAX];
	/* The app's leases (mic_tap.h): wanted until these CLOCK_MONOTONIC times (0 = off). */
	struct mic_tap *meter, *listen;
	uint64_t meter_until_ns, listen_until_ns;

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
/* Re-decide the capture device soon (after 'set input'). */
void mic_reconcile_soon(struct mic *m);

/* mic_control.c */
int mic_control_start(struct mic *m);
/* SIGHUP: apply the settings file again (what the command line fixed for this run stays). */
void mic_settings_reload(struct mic *m);
void mic_control_stop(struct mic *m);
/* Give the streams an engine in its fresh state for a new recording: the first call creates it,
 * later ones reset it in place (no allocations per recording, issue #5). */
int mic_engine_renew(struct mic *m);
void mic_stats_tick(struct mic *m);
/* Connections of the control socket and /metrics closed without an answer (stats_table.h). */
uint64_t mic_clients_dropped(const struct mic *m);
/* Create or drop the meter and listen taps as their leases say (also after a reconnect). */
void mic_taps_update(struct mic *m);
/* Drop both taps now (before the PipeWire connection goes). */
void mic_taps_stop(struct mic *m);

/* mic_stats.c: the values of the figures table (service/stats_table.h) that 'status', 'stats'
 * and /metrics report. */
struct mic_report {
	struct mic_streams_stats ss;
	struct engine_stats es;     /* counters cumulative since start (engine_reset() keeps them) */
	struct telemetry_snapshot model_times, cycle_times;
	uint32_t rate;              /* graph rate, or 48000 before the first cycle */
	uint32_t latency_samples;   /* at the graph rate: engine + rate adapter + hand-off */
	double uptime_s;
	double cpu_time_ms;         /* utime + stime of the process from /proc; -1 if unknown */
	long long rss_kib;          /* VmRSS from /proc; -1 if unknown */
	const char *input;          /* the capture target, or "(none)" */
	const char *input_state;    /* the capture stream's state */
	const char *mode;           /* "inline" or "worker" */
	const char *resampling;     /* "yes", "no" or "unsupported (pass-through)" */
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
