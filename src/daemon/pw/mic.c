/* SPDX-License-Identifier: MIT */
/*
 * 'vocana mic': lifecycle, the PipeWire connection and the choice of capture device.
 * The audio path is in mic_streams.c, the control socket's commands in mic_control.c.
 */
#include "pw/mic_private.h"

#include <errno.h>
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

/* ---- Choosing the capture device ---------------------------------------------------------- */

static void schedule_reconcile(struct mic *m, uint32_t ms)
{
	arm_timer(m, m->reconcile_timer, ms);
}

/* The device to capture: --input, else the default source, but never ourselves: when the user
 * makes Vocana the default, keep denoising the device that was the default before, or, if we
 * never saw one (Vocana was already the default when we started), the best other source. */
static const char *wanted_target(struct mic *m)
{
	const char *def;

	if (m->opts.input)
		return m->opts.input;
	def = mic_graph_default_source(m->graph);
	if (def != NULL && strcmp(def, m->node_name) != 0) {
		snprintf(m->last_real_default, sizeof(m->last_real_default), "%s", def);
		return def;
	}
	if (m->last_real_default[0])
		return m->last_real_default;
	return mic_graph_best_source(m->graph, m->node_name);
}

static void reconcile(struct mic *m)
{
	const char *want, *cur;
	enum mic_node_kind kind;
	int res;

	if (!m->connected || m->streams == NULL)
		return;
	want = wanted_target(m);
	kind = mic_graph_node_kind(m->graph, want);
	if (want != NULL && strcmp(want, m->node_name) == 0)
		kind = MIC_NODE_NONE;
	cur = mic_streams_target(m->streams);
	if (kind == MIC_NODE_NONE) {
		if (cur != NULL) {
			mic_log(m, "warning", "input '%s' is gone: the Vocana source outputs silence "
				"until %s", cur, m->opts.input ? "it returns" : "a default source exists");
			mic_streams_set_target(m->streams, NULL, false);
			if (m->opts.input)
				snprintf(m->input_missing_logged, sizeof(m->input_missing_logged), "%s",
					 m->opts.input);
		}
		/* A device asked for by name that the graph does not have (a typo, or not plugged in):
		 * say so once per name, and keep waiting for it. Only after the graph's first listing
		 * is complete: before that, the node may just not have been announced yet. */
		m->input_missing = m->opts.input != NULL && mic_graph_synced(m->graph);
		if (m->opts.input == NULL)
			m->input_missing_logged[0] = '\0';
		if (m->input_missing && strcmp(m->input_missing_logged, m->opts.input) != 0) {
			mic_log(m, "warning", "input '%s' not found: PipeWire has no node of that name "
				"('pactl list sources short' lists them); the Vocana source outputs silence "
				"until it appears", m->opts.input);
			snprintf(m->input_missing_logged, sizeof(m->input_missing_logged), "%s",
				 m->opts.input);
		}
		return;
	}
	m->input_missing = false;
	m->input_missing_logged[0] = '\0';
	if (cur != NULL && strcmp(cur, want) == 0 && !m->capture_failed)
		return;
	m->capture_failed = false;
	if ((res = mic_streams_set_target(m->streams, want, kind == MIC_NODE_SINK)) < 0) {
		mic_log(m, "error", "cannot capture from '%s': %s", want, strerror(-res));
		return;
	}
	mic_log(m, "info", "capturing from '%s'%s", want,
		kind == MIC_NODE_SINK ? " (monitor of a sink)" : "");
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

/* ---- Stream events -------------------------------------------------------------------------- */

static void schedule_reconnect(struct mic *m, uint32_t ms);

static void on_session_started(void *data)
{
	struct mic *m = data;

	/* A new recording starts from a fresh denoiser: nothing of the last session's noise
	 * estimate or network state leaks into it, and its output is reproducible. */
	mic_engine_renew(m);
	mic_log(m, NULL, "recording started");
}

static void on_capture_lost(void *data)
{
	struct mic *m = data;

	m->capture_failed = true;
	schedule_reconcile(m, CAPTURE_RETRY_MS);
}

static void on_output_failed(void *data, const char *error)
{
	struct mic *m = data;

	mic_log(m, "warning", "the Vocana source stopped (%s): reconnecting", error);
	schedule_reconnect(m, 0);
}

static const struct mic_streams_events stream_events = {
	.session_started = on_session_started,
	.capture_lost = on_capture_lost,
	.output_failed = on_output_failed,
};

/* ---- Connection ------------------------------------------------------------------------------ */

static void disconnect(struct mic *m)
{
	mic_taps_stop(m); /* the meter's stream lives on this core */
	mic_streams_destroy(m->streams);
	m->streams = NULL;
	mic_graph_destroy(m->graph);
	m->graph = NULL;
	m->input_missing = false; /* unknown until the next graph has listed its nodes */
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
	struct mic_streams_config cfg = {
		.node_name = m->node_name,
		.description = m->description,
		.group = m->group,
		.cycle_times = m->cycle_times,
	};
	int res;

	m->core = pw_context_connect(m->context, NULL, 0);
	if (m->core == NULL)
		return -errno;
	pw_core_add_listener(m->core, &m->core_listener, &core_events, m);
	if ((res = mic_graph_create(m->core, &graph_events, m, &m->graph)) < 0)
		goto error;
	if ((res = mic_streams_create(m->core, &cfg, m->engine, &stream_events, m, &m->streams)) < 0)
		goto error;
	m->connected = true;
	return 0;
error:
	disconnect(m);
	return res;
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
	mic_log(m, "info", "%s PipeWire: '%s' (%s) is up, input: %s",
		m->n_connects > 1 ? "reconnected to" : "connected to", m->description, m->node_name,
		m->opts.input ? m->opts.input : "the default source");
	schedule_reconcile(m, RECONCILE_DELAY_MS);
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
	engine_destroy(m->engine);
	telemetry_destroy(m->cycle_times);
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

static int mic_setup(struct mic *m)
{
	int res;

	if (copy_opt(m->node_name, sizeof(m->node_name), m->opts.node_name, MIC_DEFAULT_NODE_NAME) <
		    0 ||
	    copy_opt(m->description, sizeof(m->description), m->opts.description,
		     MIC_DEFAULT_DESCRIPTION) < 0) {
		mic_log(m, "error", "node name and description must be 1..%d bytes", MIC_NAME_MAX - 1);
		return -EINVAL;
	}
	snprintf(m->group, sizeof(m->group), "vocana-mic-%ld", (long)getpid());
	if (m->opts.model_path &&
	    (res = vocana_model_load_file(m->opts.model_path, &m->model)) < 0) {
		mic_log(m, "error", "model '%s': %s (try 'vocana model info %s')", m->opts.model_path,
			vocana_strerror(res), m->opts.model_path);
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
	if ((res = telemetry_create(&m->cycle_times)) < 0)
		return res;
#if VOCANA_TEST_HOOKS
	read_test_hooks(m);
#endif
	if ((res = mic_engine_renew(m)) < 0) {
		mic_log(m, "error", "cannot start the denoiser: %s", vocana_strerror(res));
		return res;
	}
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
	pw_init(NULL, NULL);
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		res = -ENOMEM;
		goto out;
	}
	m->opts = *opts;
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
