/* SPDX-License-Identifier: MIT */
/*
 * The app's view of the running service (both directions): polls it over the control socket (never blocking,
 * app_client.h), keeps the latest figures, sends the user's changes, and tells its listeners
 * (the window, the tray) when anything changed. The app never touches audio itself.
 *
 * Polling follows what is on screen: while the window is visible, 'stats' every
 * APP_POLL_VISIBLE_MS (meters, figures) plus a 'meter' lease so levels move even when no other
 * app records, and 'devices' every few seconds; while hidden (tray only), only 'status' every
 * APP_POLL_HIDDEN_MS for the tray's on/off and strength, and no lease.
 */
#ifndef VOCANA_APP_SERVICE_H
#define VOCANA_APP_SERVICE_H

#include <glib.h>

#include "cli/monitor/monitor_data.h"

#define APP_POLL_VISIBLE_MS 200
#define APP_POLL_HIDDEN_MS 5000
#define APP_SLOW_MS 1000      /* an answer later than this shows the service as slow */
#define APP_TIMEOUT_MS 3000   /* and none by then as not answering */
#define APP_LISTEN_S 10       /* how long one press of "Listen" plays you back */
#define APP_HISTORY 300       /* samples of the performance plot, one a second: 5 minutes */
#define APP_MAX_DEVICES 64

enum app_state {
	APP_STATE_UNKNOWN = 0,  /* no answer yet */
	APP_STATE_RUNNING,      /* answered "ok" */
	APP_STATE_NOT_RUNNING,  /* nothing listens on the socket */
	APP_STATE_STARTING,     /* we started it and wait for its first answer */
	APP_STATE_START_FAILED, /* it did not come up: message says why */
	APP_STATE_SLOW,         /* it answers, but late */
	APP_STATE_NOT_ANSWERING,/* the socket is there, no answer in APP_TIMEOUT_MS */
	APP_STATE_FOREIGN,      /* the socket belongs to another user */
};

struct app_device {
	char name[256];        /* node.name */
	char description[256];
	gboolean sink;         /* an Audio/Sink: the mic captures its monitor, the speaker plays into it */
};

/* The two directions the service publishes; each page, control and figure belongs to one. */
enum app_direction {
	APP_DIR_MIC = 0,       /* the Vocana Microphone (a source), figures under their plain keys */
	APP_DIR_SPEAKER,       /* the Vocana Speaker (a sink), figures under "speaker." + key */
};
#define APP_DIR_N 2

/* A direction's device, from 'status': the mic's input, the speaker's output. */
struct app_dir_device {
	char device[256];        /* the node captured / played into, "(none)" */
	char device_state[32];   /* "unconnected", "paused", "streaming", ... */
	gboolean follows_default;
};

struct app_service;

/* Everything the views show; read it in a listener or any time on the main thread. */
struct app_snapshot {
	enum app_state state;
	char message[512];       /* START_FAILED: why; any state: the last refused change */
	gboolean have_stats;     /* reading is valid (from the last 'ok') */
	struct monitor_reading reading;
	gboolean metering, listening;
	guint listen_left_ms;
	struct app_dir_device dir[APP_DIR_N];
	int n_devices;           /* -1 until the first 'devices' answer */
	struct app_device devices[APP_MAX_DEVICES];
	char default_device[APP_DIR_N][256]; /* the default source, the default sink; "" none */
	double rtt_ms;           /* time the last poll took */
	/* Performance history, oldest first: n_history samples, one a second. NaN = unknown. */
	int n_history;
	double cpu_history[APP_HISTORY];
	double latency_history[APP_HISTORY];
};

typedef void (*app_service_changed_fn)(struct app_service *svc, void *data);

/* socket_path NULL: the service's default ($XDG_RUNTIME_DIR/vocana/control.sock). */
struct app_service *app_service_new(const char *socket_path);
void app_service_free(struct app_service *svc);

void app_service_add_listener(struct app_service *svc, app_service_changed_fn fn, void *data);
const struct app_snapshot *app_service_snapshot(const struct app_service *svc);
const char *app_service_socket_path(const struct app_service *svc);

/* The window became visible or was hidden: sets the polling and the meter lease. */
void app_service_set_visible(struct app_service *svc, gboolean visible);

/* The user's changes, for one direction. Each is sent at once (strength: the latest value once
 * the previous request returned, so dragging the slider never queues requests). Enabled: the
 * mic's denoising on or bypass ('enable'), the speaker published or removed ('enable speaker').
 * Device: the mic's input or the speaker's output, NULL to follow the default. */
void app_service_set_enabled(struct app_service *svc, enum app_direction dir, gboolean enabled);
void app_service_set_strength(struct app_service *svc, enum app_direction dir, int strength);
void app_service_set_device(struct app_service *svc, enum app_direction dir,
			    const char *node_name);
void app_service_listen(struct app_service *svc, gboolean on);

/* Start the service (systemd user unit when installed, else 'vocana mic' directly); the state goes
 * to STARTING, then RUNNING or START_FAILED with a message (app_launch.h). */
void app_service_start(struct app_service *svc);

/* Poll now (after a change made elsewhere, e.g. the tray). */
void app_service_poll_now(struct app_service *svc);

/* For people: one short line per state ("Running", "Not running", ...). */
const char *app_state_name(enum app_state s);

#endif /* VOCANA_APP_SERVICE_H */
