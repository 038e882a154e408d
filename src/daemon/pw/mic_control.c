/* SPDX-License-Identifier: MIT */
/*
 * The mic service's side of the control socket (commands in src/service/control.h), its settings
 * file, the engines it takes turns with, and the once-a-second statistics (CPU %, DSP load) the
 * status command reports (the replies themselves are built in mic_stats.c).
 */
#include "pw/mic_private.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/number.h"
#include "service/paths.h"
#include "vocana_config.h"
#if VOCANA_TEST_HOOKS
#include "engine/engine_test.h"
#endif

#define MIC_WORKER_PRIORITY 70 /* SCHED_FIFO, below PipeWire's data thread (module-rt: 88) */
#define GLITCH_LOG_INTERVAL_NS 10000000000ull /* at most one glitch warning per 10 s */

/* ---- Engine -------------------------------------------------------------------------------- */

static void fill_engine_config(const struct mic *m, struct engine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = m->opts.mode;
	cfg->max_block = MIC_MAX_BLOCK;
	cfg->model = m->model;
	cfg->strength = m->settings.strength;
	cfg->enabled = m->settings.enabled;
	cfg->worker_priority = m->opts.mode == ENGINE_WORKER ? MIC_WORKER_PRIORITY : 0;
}

static int new_engine(struct mic *m, struct engine **out)
{
	struct engine_config cfg;
	int res;

	fill_engine_config(m, &cfg);
	if ((res = engine_create(&cfg, out)) < 0)
		return res;
#if VOCANA_TEST_HOOKS
	if (m->test_slow_model_us)
		engine_test_slow_model(*out, m->test_slow_model_us);
#endif
	return 0;
}

/* Recreating the engine for every recording (the first design) grew RSS from 12 to 15-19 MiB
 * over a few recordings: each engine is a few hundred KiB of arena, denoiser and queues, freed
 * while the next one was already allocated, and the allocator could not give that back. A spare
 * engine taking turns kept RSS flat but at +2.2 MiB. Resetting the one engine in place, while the
 * data thread leaves it alone for a cycle or two (silence, as a fresh engine outputs anyway for
 * its first 20 ms), allocates nothing per recording (in worker mode: the worker's small queues,
 * the same sizes every time). */
int mic_engine_renew(struct mic *m)
{
	struct engine_stats es;
	struct engine *e, *old;
	int res;

	if (m->engine == NULL)
		return new_engine(m, &m->engine);
	engine_get_stats(m->engine, &es);
	if (es.cycles == 0)
		return 0; /* never ran: already fresh */
	/* Inline: reset on the data thread between two cycles, losing nothing. Worker: the worker
	 * must be stopped, which the audio thread cannot wait for; hold the engine meanwhile. */
	if (m->streams && m->opts.mode == ENGINE_INLINE &&
	    mic_streams_reset_engine_inline(m->streams) == 0)
		return 0;
	if (m->streams)
		mic_streams_hold_engine(m->streams, true);
	res = engine_reset(m->engine);
	if (m->streams)
		mic_streams_hold_engine(m->streams, false);
	if (res == 0)
		return 0;
	/* The worker did not restart: replace the engine (the stats start over). */
	mic_log(m, "warning", "cannot reset the denoiser (%s): creating a new one", vocana_strerror(res));
	if ((res = new_engine(m, &e)) < 0) {
		mic_log(m, "warning", "cannot renew the denoiser: %s", vocana_strerror(res));
		return res;
	}
	old = m->streams ? mic_streams_set_engine(m->streams, e) : m->engine;
	m->engine = e;
	engine_destroy(old);
	return 0;
}

/* ---- Settings -------------------------------------------------------------------------------- */

static void load_settings(struct mic *m)
{
	char err[256];
	int res;

	service_config_defaults(&m->settings);
	if (m->opts.config_path)
		snprintf(m->config_path, sizeof(m->config_path), "%s", m->opts.config_path);
	else if ((res = paths_config_file(m->config_path, sizeof(m->config_path))) < 0)
		m->config_path[0] = '\0';
	if (m->config_path[0] != '\0') {
		res = service_config_load(m->config_path, &m->settings, err, sizeof(err));
		/* Bad lines are skipped, the good ones apply: say which line, and that the rest
		 * counts. A file that cannot be read at all leaves the defaults. */
		if (res == -EINVAL && strncmp(err, "line ", 5) == 0)
			mic_log(m, "warning", "settings file %s: %s: ignored; the other settings apply",
				m->config_path, err);
		else if (res < 0 && res != -ENOENT)
			mic_log(m, "warning", "ignoring settings file %s: %s (using defaults)",
				m->config_path, err[0] ? err : strerror(-res));
	}
	/* The saved input, unless --input names one for this run. Copied into m->input, which
	 * 'set input' changes later (opts.input points there, see mic_private.h). */
	if (m->opts.input == NULL && m->settings.input[0] != '\0') {
		snprintf(m->input, sizeof(m->input), "%s", m->settings.input);
		m->opts.input = m->input;
	}
	/* Command-line values win for this run but are not saved. */
	if (m->opts.strength >= 0)
		m->settings.strength = m->opts.strength;
	if (m->opts.enabled >= 0)
		m->settings.enabled = m->opts.enabled != 0;
}

/* SIGHUP: read the settings file again (edited by hand, or by 'vocana set' while the service was
 * not running) and apply it, except what the command line fixed for this run (--strength,
 * --disabled, --input). A file that cannot be read changes nothing. */
void mic_settings_reload(struct mic *m)
{
	struct service_config c = m->settings;
	bool input_from_cli = m->opts.input != NULL && m->opts.input != m->input;
	char err[256];
	int res;

	if (m->config_path[0] == '\0')
		return;
	service_config_defaults(&c);
	res = service_config_load(m->config_path, &c, err, sizeof(err));
	if (res == -EINVAL && strncmp(err, "line ", 5) == 0) {
		mic_log(m, "warning", "settings file %s: %s: ignored; the other settings apply",
			m->config_path, err);
	} else if (res < 0) {
		mic_log(m, "warning", "SIGHUP: cannot reload %s: %s (settings unchanged)", m->config_path,
			err[0] ? err : strerror(-res));
		return;
	}
	if (m->opts.strength < 0) {
		m->settings.strength = c.strength;
		engine_set_strength(m->engine, c.strength);
	}
	if (m->opts.enabled < 0) {
		m->settings.enabled = c.enabled;
		engine_set_enabled(m->engine, c.enabled);
	}
	if (!input_from_cli && strcmp(c.input, m->settings.input) != 0) {
		snprintf(m->settings.input, sizeof(m->settings.input), "%s", c.input);
		snprintf(m->input, sizeof(m->input), "%s", c.input);
		m->opts.input = m->input[0] ? m->input : NULL;
		mic_reconcile_soon(m);
	}
	mic_log(m, "info", "reloaded %s: strength %d, %s, input %s", m->config_path,
		m->settings.strength, m->settings.enabled ? "enabled" : "bypass",
		m->opts.input ? m->opts.input : "the default source");
}

/* Returns 0 or a negative errno; msg says why it failed, or warns about lines of the file that
 * are kept but ignored (empty when there is nothing to say). */
static int save_settings(struct mic *m, char *msg, size_t msg_size)
{
	int res;

	if (m->config_path[0] == '\0') {
		snprintf(msg, msg_size, "no settings directory (set XDG_CONFIG_HOME or HOME)");
		return -ENOENT;
	}
	res = service_config_store(m->config_path, &m->settings, msg, msg_size);
	if (res < 0)
		mic_log(m, "warning", "cannot save settings to %s: %s", m->config_path,
			msg[0] ? msg : strerror(-res));
	return res;
}

/* ---- Commands -------------------------------------------------------------------------------- */

static void reply_saved(struct mic *m, struct control_reply *r)
{
	char msg[512];

	if (save_settings(m, msg, sizeof(msg)) < 0) {
		control_reply_add(r, "saved", "no: %s", msg);
		return;
	}
	control_reply_add(r, "saved", "yes");
	if (msg[0] != '\0')
		control_reply_add(r, "saved_warning", "%s", msg);
}

/* 'set input NAME' / 'set input default': capture NAME (a node.name from 'devices'), or follow
 * the default source again. Saved, so the service captures it again after a restart. */
static void set_input(struct mic *m, const char *name, struct control_reply *r)
{
	size_t len = strlen(name);

	if (len == 0 || len >= sizeof(m->input)) {
		control_reply_error(r, "usage: set input NAME|default (NAME: 1..%zu bytes)",
				    sizeof(m->input) - 1);
		return;
	}
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			control_reply_error(r, "a node name has no spaces or control characters");
			return;
		}
	if (strcmp(name, m->node_name) == 0) {
		control_reply_error(r, "'%s' is the Vocana source itself", name);
		return;
	}
	if (strcmp(name, "default") == 0) {
		m->input[0] = '\0';
		m->opts.input = NULL;
	} else {
		memcpy(m->input, name, len + 1);
		m->opts.input = m->input;
	}
	snprintf(m->settings.input, sizeof(m->settings.input), "%s", m->input);
	mic_reconcile_soon(m);
	control_reply_add(r, "input_follows_default", "%s", m->opts.input ? "no" : "yes");
	if (m->opts.input)
		control_reply_add(r, "input", "%s", m->opts.input);
	reply_saved(m, r);
}

static void handle_set(struct mic *m, const char *args, struct control_reply *r)
{
	const char *sp = strchr(args, ' ');
	long value;
	int res;

	if (strncmp(args, "input ", 6) == 0) {
		set_input(m, args + 6, r);
		return;
	}
	if (sp == NULL) {
		control_reply_error(r, "usage: set strength N | set input NAME|default");
		return;
	}
	if ((size_t)(sp - args) != 8 || strncmp(args, "strength", 8) != 0) {
		control_reply_error(r, "unknown setting '%.*s' (settable: strength, input)",
				    (int)(sp - args < 32 ? sp - args : 32), args);
		return;
	}
	/* Range-checked, never wrapped: "4294967346" is refused, not taken as 50. */
	if ((res = number_parse(sp + 1, 0, 100, &value)) < 0) {
		control_reply_error(r, "strength must be a whole number 0..100, not '%.32s'", sp + 1);
		return;
	}
	engine_set_strength(m->engine, (int)value);
	m->settings.strength = (int)value;
	control_reply_add(r, "strength", "%ld", value);
	reply_saved(m, r);
}

static void handle_enable(struct mic *m, bool enabled, struct control_reply *r)
{
	/* The engine crossfades between denoised and dry (same latency), so this never clicks
	 * and the node stays put: apps recording from it notice nothing but the sound. */
	engine_set_enabled(m->engine, enabled);
	m->settings.enabled = enabled;
	control_reply_add(r, "enabled", "%s", enabled ? "yes" : "no");
	reply_saved(m, r);
}

/* ---- The app's requests: devices, meter and listen leases -------------------------------- */

#define METER_MAX_S 60  /* the app renews every few seconds while its window is visible */
#define LISTEN_MAX_S 30 /* hearing yourself is for a quick check, never left on by accident */

struct device_list {
	struct control_reply *r;
	unsigned n;
	const char *self;
};

static void add_device(void *data, const char *name, const char *description,
		       enum mic_node_kind kind)
{
	struct device_list *d = data;
	char key[48];

	if (strcmp(name, d->self) == 0)
		return; /* never offer our own source as the input */
	snprintf(key, sizeof(key), "device.%u.name", d->n);
	control_reply_add(d->r, key, "%s", name);
	snprintf(key, sizeof(key), "device.%u.description", d->n);
	control_reply_add(d->r, key, "%s", description);
	snprintf(key, sizeof(key), "device.%u.kind", d->n);
	control_reply_add(d->r, key, "%s", kind == MIC_NODE_SINK ? "sink" : "source");
	d->n++;
}

/* The capture devices as the service sees the graph: sources, and sinks (their monitor). */
static void handle_devices(struct mic *m, struct control_reply *r)
{
	struct device_list d = { .r = r, .self = m->node_name };
	const char *def = m->graph ? mic_graph_default_source(m->graph) : NULL;
	const char *cur = m->streams ? mic_streams_target(m->streams) : NULL;

	control_reply_add(r, "connected", "%s", m->connected ? "yes" : "no");
	control_reply_add(r, "default", "%s", def ? def : "");
	control_reply_add(r, "input", "%s", cur ? cur : "(none)");
	control_reply_add(r, "input_follows_default", "%s", m->opts.input ? "no" : "yes");
	if (m->graph)
		mic_graph_for_each(m->graph, add_device, &d);
	control_reply_add(r, "devices", "%u", d.n);
}

/* "meter N" / "listen N" (seconds) or "... off": set the lease and apply it now. */
static void handle_lease(struct mic *m, const char *what, const char *arg, int max_s,
		      uint64_t *until_ns, struct control_reply *r)
{
	long seconds;

	if (strcmp(arg, "off") == 0) {
		*until_ns = 0;
	} else if (number_parse(arg, 1, max_s, &seconds) == 0) {
		*until_ns = mic_now_ns(CLOCK_MONOTONIC) + (uint64_t)seconds * 1000000000ull;
	} else {
		control_reply_error(r, "usage: %s SECONDS (1..%d) | %s off", what, max_s, what);
		return;
	}
	mic_taps_update(m);
}

static unsigned lease_left_ms(uint64_t until_ns)
{
	uint64_t now = mic_now_ns(CLOCK_MONOTONIC);

	return until_ns > now ? (unsigned)((until_ns - now) / 1000000u) : 0;
}

/* Keys of the leases, on every status/stats/meter/listen reply. */
static void add_lease_keys(struct mic *m, struct control_reply *r)
{
	control_reply_add(r, "metering", "%s", mic_tap_alive(m->meter) ? "yes" : "no");
	control_reply_add(r, "listening", "%s", mic_tap_alive(m->listen) ? "yes" : "no");
	control_reply_add(r, "listen_left_ms", "%u", m->listen ? lease_left_ms(m->listen_until_ns) : 0);
}

static void update_tap(struct mic *m, struct mic_tap **tap, uint64_t until_ns, bool listen)
{
	bool want = m->connected && until_ns > mic_now_ns(CLOCK_MONOTONIC);
	int res;

	if (*tap != NULL && (!want || !mic_tap_alive(*tap))) {
		mic_tap_destroy(*tap);
		*tap = NULL;
	}
	if (!want || *tap != NULL)
		return;
	res = listen ? mic_tap_listen_create(m->context, m->node_name, tap) :
		       mic_tap_meter_create(m->core, m->node_name, tap);
	if (res < 0) {
		*tap = NULL;
		mic_log(m, "warning", "cannot start the %s: %s", listen ? "listen loopback" :
			"level meter", strerror(-res));
	}
}

void mic_taps_update(struct mic *m)
{
	update_tap(m, &m->meter, m->meter_until_ns, false);
	update_tap(m, &m->listen, m->listen_until_ns, true);
}

void mic_taps_stop(struct mic *m)
{
	mic_tap_destroy(m->meter);
	m->meter = NULL;
	mic_tap_destroy(m->listen);
	m->listen = NULL;
}

static void handle_request(void *data, const char *req, struct control_reply *r)
{
	struct mic *m = data;

	if (strcmp(req, "status") == 0) {
		mic_reply_figures(m, r, true);
		add_lease_keys(m, r);
	} else if (strcmp(req, "stats") == 0) {
		mic_reply_figures(m, r, false);
		add_lease_keys(m, r);
	} else if (strcmp(req, "ping") == 0) {
		control_reply_add(r, "pid", "%ld", (long)getpid());
	} else if (strncmp(req, "set ", 4) == 0) {
		handle_set(m, req + 4, r);
	} else if (strcmp(req, "enable") == 0) {
		handle_enable(m, true, r);
	} else if (strcmp(req, "disable") == 0) {
		handle_enable(m, false, r);
	} else if (strcmp(req, "devices") == 0) {
		handle_devices(m, r);
	} else if (strncmp(req, "meter ", 6) == 0) {
		handle_lease(m, "meter", req + 6, METER_MAX_S, &m->meter_until_ns, r);
		add_lease_keys(m, r);
	} else if (strncmp(req, "listen ", 7) == 0) {
		handle_lease(m, "listen", req + 7, LISTEN_MAX_S, &m->listen_until_ns, r);
		add_lease_keys(m, r);
	} else {
		control_reply_error(r, "unknown request '%.40s' (status, stats, set, enable, disable, "
				    "devices, meter, listen)", req);
	}
}

int mic_control_start(struct mic *m)
{
	char dir[MIC_PATH_MAX];
	int res;

	load_settings(m);
	if (m->opts.socket_path)
		res = snprintf(m->socket_path, sizeof(m->socket_path), "%s", m->opts.socket_path) <
			      (int)sizeof(m->socket_path) ? 0 : -ENAMETOOLONG;
	else
		res = paths_control_socket(m->socket_path, sizeof(m->socket_path));
	if (res < 0) {
		mic_log(m, "error", "no place for the control socket: %s",
			res == -ENOENT ? "XDG_RUNTIME_DIR is not set" : strerror(-res));
		return res;
	}
	if ((res = paths_dirname(m->socket_path, dir, sizeof(dir))) < 0 ||
	    (res = paths_make_dir(dir, 1)) < 0) {
		mic_log(m, "error", "cannot make the private directory %s: %s", dir, strerror(-res));
		return res;
	}
	res = control_server_create(m->socket_path, &m->sock_loop, handle_request, m, &m->control);
	if (res == -EADDRINUSE) {
		mic_log(m, "error", "another 'vocana mic' is already running (it answers on %s)",
			m->socket_path);
		return res;
	}
	if (res < 0) {
		mic_log(m, "error", "cannot listen on %s: %s", m->socket_path, strerror(-res));
		return res;
	}
	return 0;
}

void mic_control_stop(struct mic *m)
{
	control_server_destroy(m->control); /* also removes the socket file */
	m->control = NULL;
}

/* ---- Statistics ------------------------------------------------------------------------------ */

uint64_t mic_clients_dropped(const struct mic *m)
{
	struct sock_counts control = { 0 }, metrics;

	if (m->control)
		control_server_counts(m->control, &control);
	mic_metrics_counts(m, &metrics);
	return control.dropped + metrics.dropped;
}

void mic_stats_tick(struct mic *m)
{
	uint64_t wall = mic_now_ns(CLOCK_MONOTONIC), cpu = mic_now_ns(CLOCK_PROCESS_CPUTIME_ID);
	struct mic_streams_stats ss = { 0 };
	struct engine_stats es;

	if (m->streams)
		mic_streams_get_stats(m->streams, &ss);
	engine_get_stats(m->engine, &es);
	if (m->last_wall_ns != 0 && wall > m->last_wall_ns) {
		double dt = (double)(wall - m->last_wall_ns);
		double audio_ns = ss.rate ? (double)(ss.cycles - m->last_cycles) * ss.quantum * 1e9 /
						   ss.rate : 0.0;

		m->cpu_percent = 100.0 * (double)(cpu - m->last_cpu_ns) / dt;
		m->dsp_load_percent = (audio_ns > 0 && ss.process_ns >= m->last_process_ns) ?
			100.0 * (double)(ss.process_ns - m->last_process_ns) / audio_ns : 0.0;
	}
	mic_taps_update(m); /* expire leases; bring taps back after a reconnect */
	m->last_wall_ns = wall;
	m->last_cpu_ns = cpu;
	m->last_process_ns = ss.process_ns;
	m->last_cycles = ss.cycles;

	/* The audio thread only counts; problems are reported here, once per change. */
	if ((ss.xruns > m->reported_xruns || es.deadline_misses > m->reported_misses) &&
	    wall - m->glitch_logged_ns >= GLITCH_LOG_INTERVAL_NS) {
		mic_log(m, "warning", "audio glitches: %llu xruns, %llu late model frames so far "
			"(CPU overloaded? try a larger quantum or --mode worker)",
			(unsigned long long)ss.xruns, (unsigned long long)es.deadline_misses);
		m->reported_xruns = ss.xruns;
		m->reported_misses = es.deadline_misses;
		m->glitch_logged_ns = wall;
	}
	if (ss.rate_unsupported && !m->reported_rate_unsupported)
		mic_log(m, "warning", "cannot resample the graph rate %u Hz: passing audio through "
			"undenoised", ss.rate);
	m->reported_rate_unsupported = ss.rate_unsupported;
}
