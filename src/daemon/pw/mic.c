/* SPDX-License-Identifier: MIT */
/*
 * The service ('vocana service', 'vocana mic'): lifecycle, the PipeWire connection, and for each
 * direction its device and whether its streams run. The audio path is direction.c, the control
 * socket's commands mic_control.c.
 */
#include "pw/mic_private.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/paths.h"
#include "vocana_config.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define RECONCILE_DELAY_MS 1          /* batch a burst of registry events into one decision */
#define CAPTURE_RETRY_MS 500          /* after the server dropped our capture stream */
#define STATS_INTERVAL_MS 1000
#define MIC_WORKER_PRIORITY 70 /* SCHED_FIFO, below PipeWire's data thread (module-rt: 88) */

/*
 * Every pw_stream carries PipeWire's in-process adapter and converter, with large blocks of which
 * only a few pages are ever touched (smaps: one 4.1 MiB mapping per stream, four with both
 * directions, plus two of 8.4 MiB). glibc's dynamic mmap threshold
 * rises to the size of the first such mmapped block freed (a device stream re-created), so from
 * then on they come from the heap: each re-created stream lands at a new offset there and touches
 * new pages, and the freed ones stay resident between live blocks (never trimmed). The soak with
 * both directions grew by 4.4 MiB per device change (heap 1.9 -> 24.9 MiB of address space, 14.9
 * -> 29.4 MB RSS). A fixed threshold (glibc's default, 128 KiB; fixing it turns the dynamic one
 * off) keeps every large block its own mapping, returned to the kernel when freed: RSS stays at
 * 15.2 MB through the same faults. Only the main thread allocates (nothing on the data thread),
 * and streams are made a few times per device change, so the mmap calls cost nothing that counts.
 */
static void tune_allocator(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD)
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

void mic_log(const struct mic *m, const char *level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (level == NULL && !m->opts.verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	/* One write per line, so lines from the log and from PipeWire never interleave. */
	fprintf(stderr, "vocana mic: %s%s%s\n", level ? level : "", level ? ": " : "", msg);
	fflush(stderr);
}

uint64_t mic_now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void arm_timer(struct mic *m, struct spa_source *timer, uint32_t ms)
{
	struct timespec value = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	if (ms == 0)
		value.tv_nsec = 1; /* 0/0 would disarm the timer */
	pw_loop_update_timer(m->loop, timer, &value, NULL, false);
}

/* ---- Choosing each direction's device and activity ----------------------------------------- */

static void schedule_reconcile(struct mic *m, uint32_t ms)
{
	arm_timer(m, m->reconcile_timer, ms);
}

/* The device for a direction: the one chosen, else the default (source for the mic, sink for the
 * speaker), but never our own node: when the user makes Vocana the default, keep the device that
 * was the default before, or, if we never saw one (Vocana was already the default when we
 * started), the best other one. */
static const char *wanted_target(struct mic_dir *md)
{
	struct mic *m = md->m;
	bool mic = md->kind == DIRECTION_MIC;
	const char *def;

	if (md->device)
		return md->device;
	def = mic ? mic_graph_default_source(m->graph) : mic_graph_default_sink(m->graph);
	if (def != NULL && strcmp(def, md->node_name) != 0) {
		snprintf(md->last_real_default, sizeof(md->last_real_default), "%s", def);
		return def;
	}
	if (md->last_real_default[0])
		return md->last_real_default;
	return mic ? mic_graph_best_source(m->graph, md->node_name) :
		     mic_graph_best_sink(m->graph, md->node_name);
}

static void reconcile_target(struct mic_dir *md)
{
	struct mic *m = md->m;
	bool mic = md->kind == DIRECTION_MIC;
	const char *want = wanted_target(md), *cur = direction_target(md->d);
	enum mic_node_kind kind = mic_graph_node_kind(m->graph, want);
	int res;

	/* Never ourselves; the speaker plays into sinks only. */
	if ((want != NULL && strcmp(want, md->node_name) == 0) || (!mic && kind != MIC_NODE_SINK))
		kind = MIC_NODE_NONE;
	if (kind == MIC_NODE_NONE) {
		if (cur != NULL) {
			mic_log(m, "warning", "%s '%s' is gone: the %s %s until %s", mic ? "input" : "output",
				cur, md->description, mic ? "outputs silence" : "plays nowhere",
				md->device ? "it returns" : mic ? "a default source exists" :
				"a default sink exists");
			direction_set_target(md->d, NULL, false);
			if (md->device)
				snprintf(md->missing_logged, sizeof(md->missing_logged), "%s", md->device);
		}
		/* A device asked for by name that the graph does not have (a typo, or not plugged in):
		 * say so once per name, and keep waiting for it. Only after the graph's first listing
		 * is complete: before that, the node may just not have been announced yet. */
		md->device_missing = md->device != NULL && mic_graph_synced(m->graph);
		if (md->device == NULL)
			md->missing_logged[0] = '\0';
		if (md->device_missing && strcmp(md->missing_logged, md->device) != 0) {
			mic_log(m, "warning", "%s '%s' not found: PipeWire has no %s of that name "
				"('pactl list %s short' lists them); the %s %s until it appears",
				mic ? "input" : "output", md->device, mic ? "node" : "sink",
				mic ? "sources" : "sinks", md->description,
				mic ? "outputs silence" : "plays nowhere");
			snprintf(md->missing_logged, sizeof(md->missing_logged), "%s", md->device);
		}
		return;
	}
	md->device_missing = false;
	md->missing_logged[0] = '\0';
	if (cur != NULL && strcmp(cur, want) == 0 && !md->device_failed)
		return;
	md->device_failed = false;
	if ((res = direction_set_target(md->d, want, mic && kind == MIC_NODE_SINK)) < 0) {
		mic_log(m, "error", "cannot %s '%s': %s", mic ? "capture from" : "play into", want,
			strerror(-res));
		return;
	}
	mic_log(m, "info", "%s '%s'%s", mic ? "capturing from" : "the speaker plays into", want,
		mic && kind == MIC_NODE_SINK ? " (monitor of a sink)" : "");
}

/* The streams run while something uses the node (a link at it): see direction.h. */
static void reconcile_activity(struct mic_dir *md)
{
	uint32_t id = direction_node_id(md->d);

	direction_set_active(md->d, id != SPA_ID_INVALID && mic_graph_links_of(md->m->graph, id) > 0);
}

static void reconcile(struct mic *m)
{
	if (!m->connected)
		return;
	for (int k = 0; k < DIRECTION_N; k++) {
		struct mic_dir *md = &m->dir[k];

		if (md->d == NULL)
			continue;
		reconcile_target(md);
		reconcile_activity(md);
	}
}

void mic_reconcile_soon(struct mic *m)
{
	schedule_reconcile(m, RECONCILE_DELAY_MS);
}

static void on_reconcile_timer(void *data, uint64_t expirations)
{
	reconcile(data);
}

static void on_graph_changed(void *data)
{
	schedule_reconcile(data, RECONCILE_DELAY_MS);
}

static const struct mic_graph_events graph_events = {
	.changed = on_graph_changed,
};

/* ---- Direction events ---------------------------------------------------------------------- */

static void schedule_reconnect(struct mic *m, uint32_t ms);

static void on_session_started(void *data)
{
	struct mic_dir *md = data;

	mic_log(md->m, NULL, "%s: %s started", direction_kind_name(md->kind),
		md->kind == DIRECTION_MIC ? "recording" : "playback");
}

static void on_device_lost(void *data)
{
	struct mic_dir *md = data;

	md->device_failed = true;
	schedule_reconcile(md->m, CAPTURE_RETRY_MS);
}

static void on_node_failed(void *data, const char *error)
{
	struct mic_dir *md = data;

	mic_log(md->m, "warning", "the %s stopped (%s): reconnecting", md->description, error);
	schedule_reconnect(md->m, 0);
}

static void on_direction_changed(void *data)
{
	struct mic_dir *md = data;

	schedule_reconcile(md->m, RECONCILE_DELAY_MS);
}

static const struct direction_events direction_events = {
	.session_started = on_session_started,
	.device_lost = on_device_lost,
	.node_failed = on_node_failed,
	.changed = on_direction_changed,
};

/* ---- Connection ------------------------------------------------------------------------------ */

static void disconnect(struct mic *m)
{
	mic_taps_stop(m); /* the meter's stream lives on this core */
	for (int k = 0; k < DIRECTION_N; k++)
		if (m->dir[k].d)
			direction_disconnect(m->dir[k].d);
	mic_graph_destroy(m->graph);
	m->graph = NULL;
	for (int k = 0; k < DIRECTION_N; k++)
		m->dir[k].device_missing = false; /* unknown until the next graph has listed its nodes */
	if (m->core) {
		spa_hook_remove(&m->core_listener);
		pw_core_disconnect(m->core);
		m->core = NULL;
	}
	m->connected = false;
}

static void schedule_reconnect(struct mic *m, uint32_t ms)
{
	arm_timer(m, m->reconnect_timer, ms);
}

static void on_core_error(void *data, uint32_t id, int seq, int res, const char *message)
{
	struct mic *m = data;

	if (id == PW_ID_CORE && res == -EPIPE) {
		/* The daemon went away (restart, crash). Tear down outside this callback. */
		if (m->connected)
			mic_log(m, "warning", "lost the connection to PipeWire: reconnecting");
		m->connected = false;
		schedule_reconnect(m, 0);
		return;
	}
	mic_log(m, NULL, "PipeWire error on object %u: %s (%s)", id, message ? message : "",
		strerror(res < 0 ? -res : res));
}

static const struct pw_core_events core_events = {
	PW_VERSION_CORE_EVENTS,
	.error = on_core_error,
};

static int try_connect(struct mic *m)
{
	int res;

	m->core = pw_context_connect(m->context, NULL, 0);
	if (m->core == NULL)
		return -errno;
	pw_core_add_listener(m->core, &m->core_listener, &core_events, m);
	if ((res = mic_graph_create(m->core, &graph_events, m, &m->graph)) < 0)
		goto error;
	for (int k = 0; k < DIRECTION_N; k++)
		if (m->dir[k].d &&
		    (res = direction_connect(m->dir[k].d, m->core, &direction_events, &m->dir[k])) < 0)
			goto error;
	m->connected = true;
	return 0;
error:
	disconnect(m);
	return res;
}

/* What the log says each direction does. */
static void log_connected(struct mic *m)
{
	for (int k = 0; k < DIRECTION_N; k++) {
		const struct mic_dir *md = &m->dir[k];

		if (md->d)
			mic_log(m, "info", "%s PipeWire: '%s' (%s) is up, %s: %s",
				m->n_connects > 1 ? "reconnected to" : "connected to", md->description,
				md->node_name, md->kind == DIRECTION_MIC ? "input" : "output",
				md->device ? md->device : md->kind == DIRECTION_MIC ?
				"the default source" : "the default sink");
	}
}

static void on_reconnect_timer(void *data, uint64_t expirations)
{
	struct mic *m = data;
	int res;

	disconnect(m);
	if ((res = try_connect(m)) < 0) {
		if (!m->waiting_logged || m->opts.verbose)
			mic_log(m, "info", "waiting for PipeWire (%s); retrying every %u s at most",
				strerror(-res), BACKOFF_MAX_MS / 1000);
		m->waiting_logged = true;
		schedule_reconnect(m, m->backoff_ms);
		m->backoff_ms = m->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : m->backoff_ms * 2;
		return;
	}
	m->n_connects++;
	m->waiting_logged = false;
	m->backoff_ms = BACKOFF_MIN_MS;
	log_connected(m);
	schedule_reconcile(m, RECONCILE_DELAY_MS);
}

/* ---- Directions on and off ------------------------------------------------------------------ */

static int make_direction(struct mic_dir *md)
{
	struct mic *m = md->m;
	struct direction_config cfg = {
		.kind = md->kind,
		.node_name = md->node_name,
		.description = md->description,
		.group = md->group,
		.channels = md->channels,
		.separate_channels = m->opts.speaker_separate_channels,
		.engine = {
			.mode = m->opts.mode,
			.model = m->model,
			.strength = mic_dir_strength(md),
			.enabled = mic_dir_enabled(md),
			.worker_priority = m->opts.mode == ENGINE_WORKER ? MIC_WORKER_PRIORITY : 0,
		},
		.test_slow_model_us = m->test_slow_model_us,
	};

	return direction_create(&cfg, &md->d);
}

int mic_dir_set_on(struct mic_dir *md, bool on)
{
	struct mic *m = md->m;
	int res;

	md->on = on;
	if (!on) {
		if (md->d == NULL)
			return 0;
		if (md->kind == DIRECTION_MIC)
			mic_taps_stop(m); /* they record the mic's node */
		direction_destroy(md->d);
		md->d = NULL;
		mic_log(m, "info", "'%s' is off", md->description);
		return 0;
	}
	if (md->d != NULL)
		return 0;
	if ((res = make_direction(md)) < 0) {
		mic_log(m, "error", "cannot start the %s's denoiser: %s", direction_kind_name(md->kind),
			vocana_strerror(res));
		md->on = false;
		return res;
	}
	if (m->connected &&
	    (res = direction_connect(md->d, m->core, &direction_events, md)) < 0) {
		mic_log(m, "warning", "cannot publish '%s': %s (reconnecting)", md->description,
			strerror(-res));
		schedule_reconnect(m, 0);
	}
	mic_reconcile_soon(m);
	return 0;
}

static void on_stats_timer(void *data, uint64_t expirations)
{
	mic_stats_tick(data);
}

/* ---- Lifecycle -------------------------------------------------------------------------------- */

static void on_signal(void *data, int signal_number)
{
	struct mic *m = data;

	if (signal_number == SIGHUP) {
		mic_settings_reload(m); /* 'systemctl --user reload vocana' (ExecReload) */
		return;
	}
	mic_log(m, "info", "%s: shutting down", strsignal(signal_number));
	pw_main_loop_quit(m->main_loop);
}

static void mic_destroy(struct mic *m)
{
	mic_metrics_stop(m);
	mic_control_stop(m);
	disconnect(m);
	for (int k = 0; k < DIRECTION_N; k++)
		direction_destroy(m->dir[k].d);
	vocana_model_free(m->model);
	if (m->loop) {
		if (m->reconnect_timer)
			pw_loop_destroy_source(m->loop, m->reconnect_timer);
		if (m->reconcile_timer)
			pw_loop_destroy_source(m->loop, m->reconcile_timer);
		if (m->stats_timer)
			pw_loop_destroy_source(m->loop, m->stats_timer);
		if (m->sig_int)
			pw_loop_destroy_source(m->loop, m->sig_int);
		if (m->sig_term)
			pw_loop_destroy_source(m->loop, m->sig_term);
		if (m->sig_hup)
			pw_loop_destroy_source(m->loop, m->sig_hup);
	}
	if (m->context)
		pw_context_destroy(m->context);
	if (m->main_loop)
		pw_main_loop_destroy(m->main_loop);
	free(m);
}

static int copy_opt(char *dst, size_t size, const char *value, const char *fallback)
{
	const char *v = value ? value : fallback;

	if (strlen(v) == 0 || strlen(v) >= size)
		return -EINVAL;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

#if VOCANA_TEST_HOOKS
/* Test hooks from the environment, for the end-to-end tests only (docs/microphone.md, Tests), in
 * builds configured with -Dtest_hooks=true. Announced on stderr so a hook left set by accident is
 * noticed. */
static void read_test_hooks(struct mic *m)
{
	const char *v = getenv("VOCANA_TEST_SLOW_MODEL_US");
	char *end;
	unsigned long us;

	if (v == NULL || *v == '\0')
		return;
	errno = 0;
	us = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || us > 1000000ul) {
		mic_log(m, "warning", "ignoring VOCANA_TEST_SLOW_MODEL_US='%s' (0..1000000)", v);
		return;
	}
	m->test_slow_model_us = (uint32_t)us;
	mic_log(m, "warning", "test hook: every model frame takes at least %lu us "
		"(VOCANA_TEST_SLOW_MODEL_US; worker mode only)", us);
}
#endif

/* A direction's names and its node group (unique per process and direction: the two directions
 * must not share a driver, their devices may run on different clocks). */
static int name_direction(struct mic *m, struct mic_dir *md)
{
	bool mic = md->kind == DIRECTION_MIC;

	if (copy_opt(md->node_name, sizeof(md->node_name), mic ? m->opts.node_name : NULL,
		     mic ? MIC_DEFAULT_NODE_NAME : SPEAKER_NODE_NAME) < 0 ||
	    copy_opt(md->description, sizeof(md->description), mic ? m->opts.description : NULL,
		     mic ? MIC_DEFAULT_DESCRIPTION : SPEAKER_DESCRIPTION) < 0) {
		mic_log(m, "error", "node name and description must be 1..%d bytes", MIC_NAME_MAX - 1);
		return -EINVAL;
	}
	snprintf(md->group, sizeof(md->group), "vocana-%s-%ld", direction_kind_name(md->kind),
		 (long)getpid());
	md->channels = mic ? 1 : m->opts.speaker_channels ? m->opts.speaker_channels :
			     SPEAKER_DEFAULT_CHANNELS;
	if (md->channels > DIRECTION_MAX_CHANNELS) {
		mic_log(m, "error", "the speaker has 1..%d channels", DIRECTION_MAX_CHANNELS);
		return -EINVAL;
	}
	return 0;
}

static int mic_setup(struct mic *m)
{
	int res;

	for (int k = 0; k < DIRECTION_N; k++)
		if ((res = name_direction(m, &m->dir[k])) < 0)
			return res;
	/* One model for every engine of both directions, loaded once. */
	res = m->opts.model_path ? vocana_model_load_file(m->opts.model_path, &m->model) :
				   vocana_model_load_default(&m->model);
	if (res < 0) {
		mic_log(m, "error", "model '%s': %s (try 'vocana model info %s')",
			m->opts.model_path ? m->opts.model_path : "embedded", vocana_strerror(res),
			m->opts.model_path ? m->opts.model_path : "");
		return res;
	}
	m->main_loop = pw_main_loop_new(NULL);
	if (m->main_loop == NULL)
		return -errno;
	m->loop = pw_main_loop_get_loop(m->main_loop);
	mic_sock_loop_init(&m->sock_loop, m->loop);
	/* client-rt.conf loads module-rt, which gives the data thread (our process callbacks)
	 * real-time priority; the plain client.conf would leave it at normal priority. */
	m->context = pw_context_new(m->loop,
				    pw_properties_new(PW_KEY_CONFIG_NAME, "client-rt.conf",
						      PW_KEY_APP_NAME, "Vocana",
						      NULL),
				    0);
	if (m->context == NULL) {
		res = -errno;
		mic_log(m, "error", "cannot create a PipeWire context: %s", strerror(-res));
		return res;
	}
	m->reconnect_timer = pw_loop_add_timer(m->loop, on_reconnect_timer, m);
	m->reconcile_timer = pw_loop_add_timer(m->loop, on_reconcile_timer, m);
	m->stats_timer = pw_loop_add_timer(m->loop, on_stats_timer, m);
	m->sig_int = pw_loop_add_signal(m->loop, SIGINT, on_signal, m);
	m->sig_term = pw_loop_add_signal(m->loop, SIGTERM, on_signal, m);
	m->sig_hup = pw_loop_add_signal(m->loop, SIGHUP, on_signal, m);
	if (!m->reconnect_timer || !m->reconcile_timer || !m->stats_timer || !m->sig_int ||
	    !m->sig_term || !m->sig_hup)
		return -ENOMEM;
	/* Settings and the socket come before PipeWire: 'vocana status' answers even while the
	 * service waits for the daemon. */
	if ((res = mic_control_start(m)) < 0)
		return res;
#if VOCANA_TEST_HOOKS
	read_test_hooks(m);
#endif
	/* Each direction as the options say for this run, else as the settings file says. */
	if ((res = mic_dir_set_on(&m->dir[DIRECTION_MIC], m->opts.mic >= 0 ? m->opts.mic != 0 :
							 m->settings.mic)) < 0 ||
	    (res = mic_dir_set_on(&m->dir[DIRECTION_SPEAKER],
				  m->opts.speaker >= 0 ? m->opts.speaker != 0 : m->settings.speaker)) < 0)
		return res;
	if (m->opts.metrics_port > 0 && (res = mic_metrics_start(m, m->opts.metrics_port,
							 m->opts.metrics_token_file)) < 0)
		return res;
	return 0;
}

int mic_run(const struct mic_options *opts)
{
	struct timespec interval = { .tv_sec = STATS_INTERVAL_MS / 1000,
				     .tv_nsec = (STATS_INTERVAL_MS % 1000) * 1000000L };
	sigset_t quit_signals, old_mask;
	struct mic *m;
	int res;

	/* A client that hangs up on the control socket must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	/* Block SIGINT/SIGTERM/SIGHUP before any thread exists (PipeWire's data thread, the engine's
	 * worker): threads inherit the mask, so the signals reach only the main loop's signalfd
	 * (pw_loop_add_signal) instead of killing the process from another thread. SIGHUP reloads
	 * the settings file. */
	sigemptyset(&quit_signals);
	sigaddset(&quit_signals, SIGINT);
	sigaddset(&quit_signals, SIGTERM);
	sigaddset(&quit_signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &quit_signals, &old_mask);
	tune_allocator();
	pw_init(NULL, NULL);
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		res = -ENOMEM;
		goto out;
	}
	m->opts = *opts;
	for (int k = 0; k < DIRECTION_N; k++) {
		m->dir[k].m = m;
		m->dir[k].kind = (enum direction_kind)k;
	}
	m->backoff_ms = BACKOFF_MIN_MS;
	m->started_ns = mic_now_ns(CLOCK_MONOTONIC);
	if ((res = mic_setup(m)) < 0) {
		if (res == -ENOMEM)
			mic_log(m, "error", "out of memory");
		goto out;
	}
	pw_loop_update_timer(m->loop, m->stats_timer, &interval, &interval, false);
	schedule_reconnect(m, 0);
	pw_main_loop_run(m->main_loop);
	res = 0;
out:
	if (m)
		mic_destroy(m);
	pw_deinit();
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
	return res;
}
