/* SPDX-License-Identifier: MIT */
/*
 * The service's side of the control socket (commands in src/daemon/service/control.h), its settings
 * file, and the once-a-second statistics (CPU %, each direction's DSP load, glitch warnings, the
 * order check) the status command reports (the replies themselves are built in mic_stats.c).
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

#define GLITCH_LOG_INTERVAL_NS 10000000000ull /* at most one glitch warning per 10 s */

int mic_dir_strength(const struct mic_dir *md)
{
	return md->kind == DIRECTION_MIC ? md->m->settings.strength :
					   md->m->settings.speaker_strength;
}

/* The speaker has no bypass of its own: 'disable speaker' turns it off, strength 0 passes its
 * audio through untouched. */
bool mic_dir_enabled(const struct mic_dir *md)
{
	return md->kind == DIRECTION_MIC ? md->m->settings.enabled : true;
}

/* ---- Settings -------------------------------------------------------------------------------- */

static void choose_device(struct mic_dir *md, const char *option, const char *saved)
{
	if (option != NULL) {
		md->device = option;
	} else if (saved[0] != '\0') {
		snprintf(md->chosen, sizeof(md->chosen), "%s", saved);
		md->device = md->chosen;
	}
}

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
	/* Each direction's device: the option for this run, else the saved one (copied into
	 * `chosen`, which 'set input' and 'set speaker.output' change later), else the default. */
	choose_device(&m->dir[DIRECTION_MIC], m->opts.input, m->settings.input);
	choose_device(&m->dir[DIRECTION_SPEAKER], m->opts.speaker_output, m->settings.speaker_output);
	/* Command-line values win for this run but are not saved. */
	if (m->opts.strength >= 0)
		m->settings.strength = m->opts.strength;
	if (m->opts.enabled >= 0)
		m->settings.enabled = m->opts.enabled != 0;
}

/* SIGHUP: read the settings file again (edited by hand, or by 'vocana set' while the service was
 * not running) and apply it, except what the command line fixed for this run (--strength,
 * --disabled, --input, --speaker-output, --no-mic/--speaker...). A file that cannot be read
 * changes nothing. */
static void reload_device(struct mic_dir *md, const char *option, char *saved, const char *loaded)
{
	/* The option fixes the device only while the direction still uses it ('set input' and
	 * 'set speaker.output' replace it with `chosen`). */
	if ((option != NULL && md->device == option) || strcmp(saved, loaded) == 0)
		return;
	snprintf(saved, SERVICE_CONFIG_INPUT_MAX, "%s", loaded);
	snprintf(md->chosen, sizeof(md->chosen), "%s", loaded);
	md->device = md->chosen[0] ? md->chosen : NULL;
	mic_reconcile_soon(md->m);
}

void mic_settings_reload(struct mic *m)
{
	struct mic_dir *mic = &m->dir[DIRECTION_MIC], *spk = &m->dir[DIRECTION_SPEAKER];
	struct service_config c = m->settings;
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
	if (m->opts.strength < 0)
		m->settings.strength = c.strength;
	if (m->opts.enabled < 0)
		m->settings.enabled = c.enabled;
	m->settings.speaker_strength = c.speaker_strength;
	if (mic->d) {
		direction_set_strength(mic->d, m->settings.strength);
		direction_set_enabled(mic->d, m->settings.enabled);
	}
	if (spk->d)
		direction_set_strength(spk->d, m->settings.speaker_strength);
	reload_device(mic, m->opts.input, m->settings.input, c.input);
	reload_device(spk, m->opts.speaker_output, m->settings.speaker_output, c.speaker_output);
	if (m->opts.mic < 0 && c.mic != m->settings.mic && mic_dir_set_on(mic, c.mic) == 0)
		m->settings.mic = c.mic;
	if (m->opts.speaker < 0 && c.speaker != m->settings.speaker &&
	    mic_dir_set_on(spk, c.speaker) == 0)
		m->settings.speaker = c.speaker;
	mic_log(m, "info", "reloaded %s: mic %s (strength %d, %s, input %s), speaker %s (strength "
		"%d, output %s)", m->config_path, mic->d ? "on" : "off", m->settings.strength,
		m->settings.enabled ? "enabled" : "bypass", mic->device ? mic->device :
		"the default source", spk->d ? "on" : "off", m->settings.speaker_strength,
		spk->device ? spk->device : "the default sink");
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

/* 'set input NAME|default' (the mic) and 'set speaker.output NAME|default': use NAME (a
 * node.name, for the mic from 'devices'), or follow the default source or sink again. Saved, so
 * the service uses it again after a restart. */
static void set_device(struct mic_dir *md, const char *name, struct control_reply *r)
{
	struct mic *m = md->m;
	bool mic = md->kind == DIRECTION_MIC;
	const char *key = mic ? "input" : "speaker.output";
	char *saved = mic ? m->settings.input : m->settings.speaker_output;
	size_t len = strlen(name);
	char reply_key[64];

	if (len == 0 || len >= sizeof(md->chosen)) {
		control_reply_error(r, "usage: set %s NAME|default (NAME: 1..%zu bytes)", key,
				    sizeof(md->chosen) - 1);
		return;
	}
	for (const char *p = name; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f) {
			control_reply_error(r, "a node name has no spaces or control characters");
			return;
		}
	if (strcmp(name, md->node_name) == 0) {
		control_reply_error(r, "'%s' is the %s itself", name, md->description);
		return;
	}
	if (strcmp(name, "default") == 0) {
		md->chosen[0] = '\0';
		md->device = NULL;
	} else {
		memcpy(md->chosen, name, len + 1);
		md->device = md->chosen;
	}
	snprintf(saved, SERVICE_CONFIG_INPUT_MAX, "%s", md->chosen);
	mic_reconcile_soon(m);
	snprintf(reply_key, sizeof(reply_key), "%s_follows_default", key);
	control_reply_add(r, reply_key, "%s", md->device ? "no" : "yes");
	if (md->device)
		control_reply_add(r, key, "%s", md->device);
	reply_saved(m, r);
}

/* 'set strength N' (the mic) and 'set speaker.strength N'; value is checked: 0..100. */
static void set_strength(struct mic_dir *md, const char *key, int value, struct control_reply *r)
{
	if (md->kind == DIRECTION_MIC)
		md->m->settings.strength = value;
	else
		md->m->settings.speaker_strength = value;
	/* The engines smooth the change over 50 ms, so it never clicks. */
	if (md->d)
		direction_set_strength(md->d, value);
	control_reply_add(r, key, "%d", value);
	reply_saved(md->m, r);
}

static void handle_set(struct mic *m, const char *args, struct control_reply *r)
{
	static const char usage[] = "usage: set strength N | set speaker.strength N | "
				    "set input NAME|default | set speaker.output NAME|default";
	const char *sp = strchr(args, ' ');
	size_t key_len = sp ? (size_t)(sp - args) : 0;
	long value;
	struct mic_dir *md = NULL;

	if (strncmp(args, "input ", 6) == 0) {
		set_device(&m->dir[DIRECTION_MIC], args + 6, r);
		return;
	}
	if (strncmp(args, "speaker.output ", 15) == 0) {
		set_device(&m->dir[DIRECTION_SPEAKER], args + 15, r);
		return;
	}
	if (sp == NULL) {
		control_reply_error(r, "%s", usage);
		return;
	}
	if (key_len == 8 && strncmp(args, "strength", 8) == 0)
		md = &m->dir[DIRECTION_MIC];
	else if (key_len == 16 && strncmp(args, "speaker.strength", 16) == 0)
		md = &m->dir[DIRECTION_SPEAKER];
	if (md == NULL) {
		control_reply_error(r, "unknown setting '%.*s' (settable: strength, speaker.strength, "
				    "input, speaker.output)", (int)(key_len < 32 ? key_len : 32), args);
		return;
	}
	/* Range-checked, never wrapped: "4294967346" is refused, not taken as 50. */
	if (number_parse(sp + 1, 0, 100, &value) < 0) {
		control_reply_error(r, "%.*s must be a whole number 0..100, not '%.32s'", (int)key_len,
				    args, sp + 1);
		return;
	}
	set_strength(md, md->kind == DIRECTION_MIC ? "strength" : "speaker.strength", (int)value, r);
}

/* 'enable' / 'disable': the mic's denoising on, or bypass. 'enable mic|speaker' / 'disable
 * mic|speaker': that direction on (its node published) or off (gone). All saved. */
static void handle_enable(struct mic *m, const char *what, bool on, struct control_reply *r)
{
	struct mic_dir *md;

	if (what[0] == '\0') {
		/* The engine crossfades between denoised and dry (same latency), so this never
		 * clicks and the node stays put: apps recording from it notice nothing but the
		 * sound. */
		if (m->dir[DIRECTION_MIC].d)
			direction_set_enabled(m->dir[DIRECTION_MIC].d, on);
		m->settings.enabled = on;
		control_reply_add(r, "enabled", "%s", on ? "yes" : "no");
		reply_saved(m, r);
		return;
	}
	if (strcmp(what, "mic") == 0) {
		md = &m->dir[DIRECTION_MIC];
	} else if (strcmp(what, "speaker") == 0) {
		md = &m->dir[DIRECTION_SPEAKER];
	} else {
		control_reply_error(r, "usage: %s [mic|speaker]", on ? "enable" : "disable");
		return;
	}
	if (mic_dir_set_on(md, on) < 0) {
		control_reply_error(r, "cannot start the %s (see the service's log)", what);
		return;
	}
	if (md->kind == DIRECTION_MIC)
		m->settings.mic = on;
	else
		m->settings.speaker = on;
	control_reply_add(r, what, "%s", on ? "yes" : "no");
	reply_saved(m, r);
}

/* ---- The app's requests: devices, meter and listen leases -------------------------------- */

#define METER_MAX_S 60  /* the app renews every few seconds while its window is visible */
#define LISTEN_MAX_S 30 /* hearing yourself is for a quick check, never left on by accident */

struct device_list {
	struct control_reply *r;
	unsigned n;
	const char *self[DIRECTION_N];
};

static void add_device(void *data, const char *name, const char *description,
		       enum mic_node_kind kind)
{
	struct device_list *d = data;
	char key[48];

	/* Never offer our own nodes: the Vocana source as the mic's input, the Vocana Speaker as
	 * its own output (a loop) or its monitor (what apps play to it, not a device). */
	for (unsigned i = 0; i < DIRECTION_N; i++)
		if (d->self[i][0] != '\0' && strcmp(name, d->self[i]) == 0)
			return;
	snprintf(key, sizeof(key), "device.%u.name", d->n);
	control_reply_add(d->r, key, "%s", name);
	snprintf(key, sizeof(key), "device.%u.description", d->n);
	control_reply_add(d->r, key, "%s", description);
	snprintf(key, sizeof(key), "device.%u.kind", d->n);
	control_reply_add(d->r, key, "%s", kind == MIC_NODE_SINK ? "sink" : "source");
	d->n++;
}

/* The devices as the service sees the graph: sources, and sinks (the mic captures their monitor;
 * the speaker plays into them), with the default of each kind. */
static void handle_devices(struct mic *m, struct control_reply *r)
{
	const struct mic_dir *md = &m->dir[DIRECTION_MIC];
	struct device_list d = { .r = r };
	const char *def = m->graph ? mic_graph_default_source(m->graph) : NULL;
	const char *def_sink = m->graph ? mic_graph_default_sink(m->graph) : NULL;
	const char *cur = md->d ? direction_target(md->d) : NULL;

	for (unsigned i = 0; i < DIRECTION_N; i++)
		d.self[i] = m->dir[i].node_name;
	control_reply_add(r, "connected", "%s", m->connected ? "yes" : "no");
	control_reply_add(r, "default", "%s", def ? def : "");
	control_reply_add(r, "default_sink", "%s", def_sink ? def_sink : "");
	control_reply_add(r, "input", "%s", cur ? cur : "(none)");
	control_reply_add(r, "input_follows_default", "%s", md->device ? "no" : "yes");
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
	/* The taps record the mic's node: none while the mic is off. */
	bool want = m->connected && m->dir[DIRECTION_MIC].d != NULL &&
		    until_ns > mic_now_ns(CLOCK_MONOTONIC);
	const char *node = m->dir[DIRECTION_MIC].node_name;
	int res;

	if (*tap != NULL && (!want || !mic_tap_alive(*tap))) {
		mic_tap_destroy(*tap);
		*tap = NULL;
	}
	if (!want || *tap != NULL)
		return;
	res = listen ? mic_tap_listen_create(m->context, node, tap) :
		       mic_tap_meter_create(m->core, node, tap);
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
	} else if (strcmp(req, "enable") == 0 || strncmp(req, "enable ", 7) == 0) {
		handle_enable(m, req[6] ? req + 7 : "", true, r);
	} else if (strcmp(req, "disable") == 0 || strncmp(req, "disable ", 8) == 0) {
		handle_enable(m, req[7] ? req + 8 : "", false, r);
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

/* A direction's DSP load over the last interval, and its glitches in the log (the audio thread
 * only counts them; they are reported here, at most once per GLITCH_LOG_INTERVAL_NS). */
static void tick_direction(struct mic_dir *md, uint64_t wall, bool measured)
{
	struct mic *m = md->m;
	struct direction_stats ds;

	if (md->d == NULL)
		return;
	direction_get_stats(md->d, &ds);
	if (measured) {
		double audio_ns = ds.rate ? (double)(ds.cycles - md->last_cycles) * ds.quantum * 1e9 /
						    ds.rate : 0.0;

		md->dsp_load_percent = (audio_ns > 0 && ds.process_ns >= md->last_process_ns) ?
			100.0 * (double)(ds.process_ns - md->last_process_ns) / audio_ns : 0.0;
	}
	md->last_process_ns = ds.process_ns;
	md->last_cycles = ds.cycles;
	if ((ds.xruns > md->reported_xruns || ds.es.deadline_misses > md->reported_misses) &&
	    wall - md->glitch_logged_ns >= GLITCH_LOG_INTERVAL_NS) {
		mic_log(m, "warning", "%s: audio glitches: %llu xruns (%.1f s of audio lost in all, "
			"the longest %.1f s), %llu late model frames so far (CPU overloaded? try a "
			"larger quantum or --mode worker)", direction_kind_name(md->kind),
			(unsigned long long)ds.xruns, (double)ds.xrun_lost_us / 1e6,
			(double)ds.xrun_max_us / 1e6, (unsigned long long)ds.es.deadline_misses);
		md->reported_xruns = ds.xruns;
		md->reported_misses = ds.es.deadline_misses;
		md->glitch_logged_ns = wall;
	}
	if (ds.rate_unsupported && !md->reported_rate_unsupported)
		mic_log(m, "warning", "%s: cannot resample the graph rate %u Hz: passing audio through "
			"undenoised", direction_kind_name(md->kind), ds.rate);
	md->reported_rate_unsupported = ds.rate_unsupported;
	if (direction_check_order(md->d))
		mic_log(m, "info", "%s: the device stream ran after the node for a while: restarting "
			"the node to put them back in order", direction_kind_name(md->kind));
}

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
	bool measured = m->last_wall_ns != 0 && wall > m->last_wall_ns;

	if (measured)
		m->cpu_percent = 100.0 * (double)(cpu - m->last_cpu_ns) /
				 (double)(wall - m->last_wall_ns);
	for (int k = 0; k < DIRECTION_N; k++)
		tick_direction(&m->dir[k], wall, measured);
	mic_reconcile_soon(m); /* devices and activity again: a wait may have run out */
	mic_taps_update(m); /* expire leases; bring taps back after a reconnect */
	m->last_wall_ns = wall;
	m->last_cpu_ns = cpu;
}
