/* SPDX-License-Identifier: MIT */
/* The app's model of the running service (see app_service.h). */
#include "app/app_service.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app_client.h"
#include "app/app_launch.h"
#include "service/number.h"
#include "service/paths.h"
#include "service/proc_usage.h"

#define METER_LEASE_S 5       /* renewed every METER_RENEW_MS while the window is visible */
#define METER_RENEW_MS 2000
#define DEVICES_EVERY_MS 3000
#define START_WAIT_MS 10000   /* a started service that has not answered by then has failed */
#define MAX_LISTENERS 4

struct listener {
	app_service_changed_fn fn;
	void *data;
};

struct app_service {
	char socket_path[4096];
	struct app_snapshot snap;
	struct listener listeners[MAX_LISTENERS];
	int n_listeners;
	gboolean visible;
	guint poll_id;
	gboolean poll_in_flight;
	gint64 poll_sent_us;
	guint slow_id;
	gint64 last_meter_us, last_devices_us, last_history_us;
	/* Strength of each direction: the value wanted, and whether a request is out (then the
	 * newest value goes when it returns). */
	int strength_wanted[APP_DIR_N], strength_sent[APP_DIR_N];
	gboolean strength_in_flight[APP_DIR_N];
	gint64 start_deadline_us;
	struct monitor_cpu cpu;
};

/* A request whose reply handler needs to know its service. */
struct call {
	struct app_service *svc;
	char what[24];
};

/* What differs between the directions in the requests and replies. */
static const struct dir_keys {
	const char *what_strength; /* the setting, as 'set' names it, and the call's tag */
	const char *device_setting;
	const char *enable, *disable;
	const char *device, *device_state, *follows_default; /* in 'status' */
	const char *default_device;                          /* in 'devices' */
} dir_keys[APP_DIR_N] = {
	[APP_DIR_MIC] = { "strength", "input", "enable", "disable", "input", "input_state",
			  "input_follows_default", "default" },
	[APP_DIR_SPEAKER] = { "speaker.strength", "speaker.output", "enable speaker",
			      "disable speaker", "speaker.output", "speaker.output_state",
			      "speaker.output_follows_default", "default_sink" },
};

static void notify_changed(struct app_service *svc)
{
	for (int i = 0; i < svc->n_listeners; i++)
		svc->listeners[i].fn(svc, svc->listeners[i].data);
}

const char *app_state_name(enum app_state s)
{
	switch (s) {
	case APP_STATE_UNKNOWN:
		return "Connecting";
	case APP_STATE_RUNNING:
		return "Running";
	case APP_STATE_NOT_RUNNING:
		return "Not running";
	case APP_STATE_STARTING:
		return "Starting";
	case APP_STATE_START_FAILED:
		return "Could not start";
	case APP_STATE_SLOW:
		return "Slow to answer";
	case APP_STATE_NOT_ANSWERING:
		return "Not answering";
	case APP_STATE_FOREIGN:
		return "Belongs to another user";
	}
	return "?";
}

static void schedule_poll(struct app_service *svc, guint ms);

static void send(struct app_service *svc, const char *req, const char *what, app_reply_fn fn)
{
	struct call *c = g_new0(struct call, 1);

	c->svc = svc;
	g_strlcpy(c->what, what, sizeof(c->what));
	app_request(svc->socket_path, req, APP_TIMEOUT_MS, fn, c);
}

/* ---- Parsing ------------------------------------------------------------------------------ */

static void parse_devices(struct app_snapshot *s, const char *body)
{
	char key[64], v[16];
	long n = 0;

	/* A count out of range is no list at all, never a wrapped one (atoi overflows). */
	if (!app_reply_get(body, "devices", v, sizeof(v)) || number_parse(v, 0, INT_MAX, &n) < 0)
		return;
	if (n > APP_MAX_DEVICES)
		n = APP_MAX_DEVICES;
	for (int i = 0; i < (int)n; i++) {
		struct app_device *d = &s->devices[i];

		snprintf(key, sizeof(key), "device.%d.name", i);
		if (!app_reply_get(body, key, d->name, sizeof(d->name)))
			d->name[0] = '\0';
		snprintf(key, sizeof(key), "device.%d.description", i);
		if (!app_reply_get(body, key, d->description, sizeof(d->description)) ||
		    d->description[0] == '\0')
			g_strlcpy(d->description, d->name, sizeof(d->description));
		snprintf(key, sizeof(key), "device.%d.kind", i);
		d->sink = app_reply_get(body, key, v, sizeof(v)) && strcmp(v, "sink") == 0;
	}
	s->n_devices = n;
	for (int i = 0; i < APP_DIR_N; i++)
		if (!app_reply_get(body, dir_keys[i].default_device, s->default_device[i],
				   sizeof(s->default_device[i])))
			s->default_device[i][0] = '\0';
}

static gboolean flag(const char *body, const char *key)
{
	char v[8];

	return app_reply_get(body, key, v, sizeof(v)) && strcmp(v, "yes") == 0;
}

static void parse_status(struct app_service *svc, const char *body, gboolean stats)
{
	struct app_snapshot *s = &svc->snap;
	struct monitor_reading *r = &s->reading;
	char v[32];
	long long ticks = -1, rss = -1;
	long left_ms;
	pid_t pid;

	monitor_parse_reply(body, &r->stats);
	s->have_stats = stats;
	s->metering = flag(body, "metering");
	s->listening = flag(body, "listening");
	s->listen_left_ms = app_reply_get(body, "listen_left_ms", v, sizeof(v)) &&
			    number_parse(v, 0, INT_MAX, &left_ms) == 0 ? (guint)left_ms : 0;
	for (int i = 0; i < APP_DIR_N; i++) {
		struct app_dir_device *dd = &s->dir[i];

		dd->follows_default = flag(body, dir_keys[i].follows_default);
		if (!app_reply_get(body, dir_keys[i].device, dd->device, sizeof(dd->device)))
			g_strlcpy(dd->device, "(none)", sizeof(dd->device));
		if (!app_reply_get(body, dir_keys[i].device_state, dd->device_state,
				   sizeof(dd->device_state)))
			dd->device_state[0] = '\0';
	}
	/* CPU and memory measured from /proc as 'vocana monitor' does (monitor_data.h). */
	pid = isnan(r->stats.num[STAT_pid]) ? 0 : (pid_t)r->stats.num[STAT_pid];
	r->cpu_percent = NAN;
	r->cpu_time_ms = NAN;
	r->rss_kib = r->stats.num[STAT_rss_kib];
	r->rss_from_proc = FALSE;
	if (pid > 0 && proc_usage_read(pid, &ticks, &rss) == 0) {
		long hz = sysconf(_SC_CLK_TCK);

		monitor_cpu_update(&svc->cpu, pid, g_get_monotonic_time() / 1e6, ticks, hz);
		r->cpu_percent = svc->cpu.percent;
		r->cpu_window_s = svc->cpu.window_s;
		if (ticks >= 0 && hz > 0)
			r->cpu_time_ms = 1000.0 * (double)ticks / (double)hz;
		if (rss >= 0) {
			r->rss_kib = (double)rss;
			r->rss_from_proc = TRUE;
		}
	} else {
		r->cpu_percent = r->stats.num[STAT_cpu_percent];
	}
	monitor_reading_derive(r);
}

static void push_history(struct app_service *svc)
{
	struct app_snapshot *s = &svc->snap;
	gint64 now = g_get_monotonic_time();

	if (now - svc->last_history_us < 1000000)
		return;
	svc->last_history_us = now;
	if (s->n_history == APP_HISTORY) {
		memmove(s->cpu_history, s->cpu_history + 1, sizeof(double) * (APP_HISTORY - 1));
		memmove(s->latency_history, s->latency_history + 1, sizeof(double) * (APP_HISTORY - 1));
		s->n_history--;
	}
	s->cpu_history[s->n_history] = s->reading.cpu_percent;
	s->latency_history[s->n_history] = s->reading.stats.num[STAT_latency_ms];
	s->n_history++;
}

/* ---- Polling ------------------------------------------------------------------------------ */

static void set_state(struct app_service *svc, enum app_state st)
{
	svc->snap.state = st;
}

static void on_lease_reply(int res, const char *reply, void *data)
{
	g_free(data); /* the next poll shows the lease's effect */
}

static void on_devices_reply(int res, const char *reply, void *data)
{
	struct call *c = data;
	const char *body = app_reply_body(reply, NULL);

	if (res == 0 && body != NULL) {
		parse_devices(&c->svc->snap, body);
		notify_changed(c->svc);
	}
	g_free(c);
}

/* What a failed request says about the service's state. */
static enum app_state state_for_error(struct app_service *svc, int res)
{
	if (res == -EACCES)
		return APP_STATE_FOREIGN;
	if (res == -ETIMEDOUT)
		return APP_STATE_NOT_ANSWERING;
	if (svc->snap.state == APP_STATE_STARTING &&
	    g_get_monotonic_time() < svc->start_deadline_us)
		return APP_STATE_STARTING; /* not up yet: keep waiting */
	if (svc->snap.state == APP_STATE_STARTING) {
		g_strlcpy(svc->snap.message, "the service did not answer within 10 s of starting",
			  sizeof(svc->snap.message));
		return APP_STATE_START_FAILED;
	}
	if (svc->snap.state == APP_STATE_START_FAILED)
		return APP_STATE_START_FAILED; /* keep the reason on screen until the next start */
	return APP_STATE_NOT_RUNNING;
}

static void on_poll_reply(int res, const char *reply, void *data)
{
	struct call *c = data;
	struct app_service *svc = c->svc;
	gboolean stats = strcmp(c->what, "stats") == 0;
	const char *error, *body = app_reply_body(reply, &error);
	gint64 now = g_get_monotonic_time();

	g_free(c);
	svc->poll_in_flight = FALSE;
	if (svc->slow_id) {
		g_source_remove(svc->slow_id);
		svc->slow_id = 0;
	}
	svc->snap.rtt_ms = (double)(now - svc->poll_sent_us) / 1000.0;
	if (res == 0 && body != NULL) {
		/* Up at last: a start failure's reason is history (and must not read as a refused
		 * change, which shares the message). */
		if (svc->snap.state == APP_STATE_STARTING || svc->snap.state == APP_STATE_START_FAILED)
			svc->snap.message[0] = '\0';
		set_state(svc, svc->snap.rtt_ms > APP_SLOW_MS ? APP_STATE_SLOW : APP_STATE_RUNNING);
		parse_status(svc, body, stats);
		if (stats)
			push_history(svc);
		if (svc->visible && now - svc->last_meter_us >= METER_RENEW_MS * 1000) {
			char req[32];

			svc->last_meter_us = now;
			snprintf(req, sizeof(req), "meter %d", METER_LEASE_S);
			send(svc, req, "meter", on_lease_reply);
		}
		if (svc->visible && now - svc->last_devices_us >= DEVICES_EVERY_MS * 1000) {
			svc->last_devices_us = now;
			send(svc, "devices", "devices", on_devices_reply);
		}
	} else if (res == 0) {
		/* "error: ..." to a poll: a service that does not know 'stats' would say so, but every
		 * service with a control socket knows 'status', so this is only a garbled answer. */
		set_state(svc, APP_STATE_RUNNING);
		g_strlcpy(svc->snap.message, error ? error : "garbled answer", sizeof(svc->snap.message));
	} else {
		set_state(svc, state_for_error(svc, res));
		svc->snap.have_stats = FALSE;
		svc->last_meter_us = 0; /* a service that comes back gets the lease at once */
		svc->last_devices_us = 0;
	}
	notify_changed(svc);
	schedule_poll(svc, svc->visible ? APP_POLL_VISIBLE_MS :
			   (svc->snap.state == APP_STATE_STARTING ? 500 : APP_POLL_HIDDEN_MS));
}

static gboolean on_slow(gpointer data)
{
	struct app_service *svc = data;

	/* Shown while the request is still out, so a hung service is visible before the timeout. */
	svc->slow_id = 0;
	/* The banner says how long this answer has been outstanding, not the last one's time. */
	svc->snap.rtt_ms = (double)(g_get_monotonic_time() - svc->poll_sent_us) / 1000.0;
	if (svc->snap.state == APP_STATE_RUNNING) {
		set_state(svc, APP_STATE_SLOW);
		notify_changed(svc);
	}
	return G_SOURCE_REMOVE;
}

static void poll_once(struct app_service *svc)
{
	if (svc->poll_in_flight)
		return;
	svc->poll_in_flight = TRUE;
	svc->poll_sent_us = g_get_monotonic_time();
	svc->slow_id = g_timeout_add(APP_SLOW_MS, on_slow, svc);
	send(svc, svc->visible ? "stats" : "status", svc->visible ? "stats" : "status", on_poll_reply);
}

static gboolean on_poll_timer(gpointer data)
{
	struct app_service *svc = data;

	svc->poll_id = 0;
	poll_once(svc);
	return G_SOURCE_REMOVE;
}

static void schedule_poll(struct app_service *svc, guint ms)
{
	if (svc->poll_id)
		g_source_remove(svc->poll_id);
	svc->poll_id = g_timeout_add(ms, on_poll_timer, svc);
}

void app_service_poll_now(struct app_service *svc)
{
	schedule_poll(svc, 0);
}

void app_service_set_visible(struct app_service *svc, gboolean visible)
{
	if (svc->visible == visible)
		return;
	svc->visible = visible;
	if (!visible && svc->snap.state == APP_STATE_RUNNING)
		send(svc, "meter off", "meter", on_lease_reply); /* no audio work for a hidden window */
	svc->last_meter_us = 0;
	svc->last_devices_us = 0;
	app_service_poll_now(svc);
}

/* ---- Changes ---------------------------------------------------------------------------- */

static void on_change_reply(int res, const char *reply, void *data)
{
	struct call *c = data;
	struct app_service *svc = c->svc;
	const char *error;

	if (res == 0 && app_reply_body(reply, &error) == NULL) {
		/* Refused: say so in the window instead of silently snapping the control back. */
		g_strlcpy(svc->snap.message, error ? error : "refused", sizeof(svc->snap.message));
		g_strchomp(svc->snap.message);
	} else if (res == 0) {
		svc->snap.message[0] = '\0';
	}
	for (int i = 0; i < APP_DIR_N; i++) {
		if (strcmp(c->what, dir_keys[i].what_strength) != 0)
			continue;
		svc->strength_in_flight[i] = FALSE;
		if (svc->strength_wanted[i] != svc->strength_sent[i])
			app_service_set_strength(svc, (enum app_direction)i, svc->strength_wanted[i]);
	}
	g_free(c);
	app_service_poll_now(svc);
}

void app_service_set_enabled(struct app_service *svc, enum app_direction dir, gboolean enabled)
{
	send(svc, enabled ? dir_keys[dir].enable : dir_keys[dir].disable, "enable", on_change_reply);
}

void app_service_set_strength(struct app_service *svc, enum app_direction dir, int strength)
{
	char req[48];

	svc->strength_wanted[dir] = strength;
	if (svc->strength_in_flight[dir])
		return;
	svc->strength_in_flight[dir] = TRUE;
	svc->strength_sent[dir] = strength;
	snprintf(req, sizeof(req), "set %s %d", dir_keys[dir].what_strength, strength);
	send(svc, req, dir_keys[dir].what_strength, on_change_reply);
}

void app_service_set_device(struct app_service *svc, enum app_direction dir,
			    const char *node_name)
{
	char *req = g_strdup_printf("set %s %s", dir_keys[dir].device_setting,
				    node_name ? node_name : "default");

	send(svc, req, "device", on_change_reply);
	g_free(req);
}

void app_service_listen(struct app_service *svc, gboolean on)
{
	char req[32];

	snprintf(req, sizeof(req), on ? "listen %d" : "listen off", APP_LISTEN_S);
	send(svc, req, "listen", on_change_reply);
}

/* ---- Starting ----------------------------------------------------------------------------- */

static void on_launched(int res, const char *message, void *data)
{
	struct app_service *svc = data;

	if (res < 0) {
		set_state(svc, APP_STATE_START_FAILED);
		g_strlcpy(svc->snap.message, message, sizeof(svc->snap.message));
		notify_changed(svc);
		return;
	}
	app_service_poll_now(svc);
}

static void on_exited(int res, const char *message, void *data)
{
	struct app_service *svc = data;

	if (svc->snap.state != APP_STATE_STARTING)
		return; /* it answered first: exiting later is the poll's business */
	set_state(svc, APP_STATE_START_FAILED);
	g_strlcpy(svc->snap.message, message, sizeof(svc->snap.message));
	notify_changed(svc);
}

void app_service_start(struct app_service *svc)
{
	set_state(svc, APP_STATE_STARTING);
	svc->snap.message[0] = '\0';
	svc->start_deadline_us = g_get_monotonic_time() + START_WAIT_MS * 1000;
	notify_changed(svc);
	app_launch_service(on_launched, on_exited, svc);
}

/* ---- Lifecycle ---------------------------------------------------------------------------- */

struct app_service *app_service_new(const char *socket_path)
{
	struct app_service *svc = g_new0(struct app_service, 1);

	if (socket_path)
		g_strlcpy(svc->socket_path, socket_path, sizeof(svc->socket_path));
	else if (paths_control_socket(svc->socket_path, sizeof(svc->socket_path)) < 0)
		/* No XDG_RUNTIME_DIR: nothing can answer there; the app says "not running". */
		g_strlcpy(svc->socket_path, "/nonexistent/vocana/control.sock",
			  sizeof(svc->socket_path));
	monitor_stats_clear(&svc->snap.reading.stats);
	svc->snap.n_devices = -1;
	for (int i = 0; i < APP_DIR_N; i++)
		svc->strength_wanted[i] = svc->strength_sent[i] = -1;
	monitor_cpu_init(&svc->cpu);
	app_service_poll_now(svc);
	return svc;
}

void app_service_free(struct app_service *svc)
{
	if (svc == NULL)
		return;
	/* Requests still out hold svc: the app frees it only when the process ends. */
	if (svc->poll_id)
		g_source_remove(svc->poll_id);
	if (svc->slow_id)
		g_source_remove(svc->slow_id);
	g_free(svc);
}

void app_service_add_listener(struct app_service *svc, app_service_changed_fn fn, void *data)
{
	g_return_if_fail(svc->n_listeners < MAX_LISTENERS);
	svc->listeners[svc->n_listeners].fn = fn;
	svc->listeners[svc->n_listeners].data = data;
	svc->n_listeners++;
}

const struct app_snapshot *app_service_snapshot(const struct app_service *svc)
{
	return &svc->snap;
}

const char *app_service_socket_path(const struct app_service *svc)
{
	return svc->socket_path;
}
