/* SPDX-License-Identifier: MIT */
/*
 * vocana monitor: the live state of a running Vocana Microphone (docs/monitor.md).
 *
 *   on a terminal          a screen refreshed every --interval ms (default 250), 'q' quits
 *   stdout not a terminal  one key=value line per second (or per --interval)
 *   --json                 one JSON object per interval and line (JSON Lines)
 *   --once                 one sample (after a 1 s CPU measurement window), then exit
 *
 * Figures come from the service's control socket ("stats", or "status" from older services);
 * CPU use and resident memory are measured here from /proc/<pid>, not taken on trust.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/monitor_cmd.h"
#include "cli/monitor/monitor_data.h"
#include "cli/monitor/monitor_output.h"
#include "cli/monitor/monitor_term.h"
#include "cli/monitor/monitor_text.h"
#include "cli/monitor/monitor_view.h"
#include "io/sysio.h"
#include "service/control.h"
#include "service/paths.h"
#include "service/proc_usage.h"
#include "service/targets.h"

#define DEFAULT_INTERVAL_MS 250
#define LOG_INTERVAL_MS 1000
#define MIN_INTERVAL_MS 50
#define MAX_INTERVAL_MS 3600000

struct monitor {
	bool json, once, interval_set;
	long interval_ms;
	const char *socket_arg, *config_arg;
	char socket_path[4096];
	struct targets targets;
	struct monitor_cpu cpu;
	long ticks_per_s;
	struct monitor_reading reading;
	char why[4096 + 512]; /* why the last collection failed (names the socket) */
};

static const char usage_text[] =
	"usage: vocana monitor [--json] [--once] [--interval MS] [--socket PATH] [--config PATH]\n"
	"\n"
	"Show the live state of the running Vocana Microphone: input and output level, voice\n"
	"activity, added latency, model time per frame, CPU and memory of the service, misses,\n"
	"xruns, circuit breaker, and each performance target as met, missed or alert.\n"
	"\n"
	"On a terminal it refreshes in place ('q' or Ctrl-C quits); otherwise it writes one\n"
	"key=value line per second.\n"
	"  --json           one JSON object per interval, one per line (JSON Lines)\n"
	"  --once           one sample after a 1 s CPU measurement, then exit (1: no service)\n"
	"  --interval MS    refresh interval, 50..3600000 ms (default 250; 1000 for log lines)\n"
	"  --socket PATH    the service's control socket (default $XDG_RUNTIME_DIR/vocana/control.sock)\n"
	"  --config PATH    settings file with target.* / alert.* overrides\n"
	"                   (default ~/.config/vocana/vocana.conf)\n";

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int parse_args(struct monitor *m, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage_text, stdout);
			return -1;
		} else if (strcmp(a, "--json") == 0) {
			m->json = true;
		} else if (strcmp(a, "--once") == 0) {
			m->once = true;
		} else if (strcmp(a, "--interval") == 0 || strcmp(a, "--socket") == 0 ||
			   strcmp(a, "--config") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error("monitor", "%s needs a value", a);
			if (strcmp(a, "--socket") == 0) {
				m->socket_arg = argv[++i];
			} else if (strcmp(a, "--config") == 0) {
				m->config_arg = argv[++i];
			} else if (cli_parse_int(argv[++i], MIN_INTERVAL_MS, MAX_INTERVAL_MS,
						 &m->interval_ms) < 0) {
				return cli_usage_error("monitor",
						       "--interval must be a whole number of ms from "
						       "%d to %d, not '%s'",
						       MIN_INTERVAL_MS, MAX_INTERVAL_MS, argv[i]);
			} else {
				m->interval_set = true;
			}
		} else {
			return cli_usage_error("monitor", "unknown option '%s'", a);
		}
	}
	return 0;
}

static int setup(struct monitor *m)
{
	char err[256] = "";
	int res;

	if (m->socket_arg) {
		if (snprintf(m->socket_path, sizeof(m->socket_path), "%s", m->socket_arg) >=
		    (int)sizeof(m->socket_path)) {
			cli_error("socket path too long");
			return CLI_EXIT_USAGE;
		}
	} else if ((res = paths_control_socket(m->socket_path, sizeof(m->socket_path))) < 0) {
		cli_error("cannot find the mic service: %s",
			  res == -ENOENT ? "XDG_RUNTIME_DIR is not set" : cli_strerror(res));
		return CLI_EXIT_FAILURE;
	}
	targets_defaults(&m->targets);
	res = targets_load(m->config_arg, &m->targets, err, sizeof(err));
	/* No settings file is normal (defaults), unless the user named one. */
	if (res < 0 && !(res == -ENOENT && m->config_arg == NULL)) {
		cli_error("cannot read the targets from %s: %s",
			  m->config_arg ? m->config_arg : "the settings file",
			  err[0] ? err : cli_strerror(res));
		return CLI_EXIT_FAILURE;
	}
	m->ticks_per_s = sysconf(_SC_CLK_TCK);
	monitor_cpu_init(&m->cpu);
	return CLI_EXIT_OK;
}

/* Ask the service and measure its process. Returns 0 or a negative errno (m->why says why). */
static int sample(struct monitor *m)
{
	struct monitor_reading *r = &m->reading;
	struct monitor_stats *s = &r->stats;
	long long ticks = -1, rss = -1;
	char err[200] = "";
	pid_t pid;
	int res;

	res = monitor_collect(m->socket_path, s, err, sizeof(err));
	if (res < 0) {
		if (res == -ENOENT || res == -ECONNREFUSED)
			snprintf(m->why, sizeof(m->why), "no service answers on %s",
				 m->socket_path);
		else if (res == -EPROTO)
			snprintf(m->why, sizeof(m->why), "the service says: %s", err);
		else if (res == -EACCES || res == -EPERM)
			snprintf(m->why, sizeof(m->why),
				 "%s: permission denied (another user's service)", m->socket_path);
		else
			snprintf(m->why, sizeof(m->why), "no answer on %s: %s", m->socket_path,
				 cli_strerror(res));
		monitor_cpu_init(&m->cpu);
		return res;
	}
	pid = isnan(s->num[STAT_pid]) ? 0 : (pid_t)s->num[STAT_pid];
	/* The service runs as our user (the socket insists): its /proc files are ours to read. */
	if (proc_usage_read(pid, &ticks, &rss) == 0)
		monitor_cpu_update(&m->cpu, pid, now_s(), ticks, m->ticks_per_s);
	r->cpu_percent = m->cpu.pid == pid ? m->cpu.percent : NAN;
	r->cpu_window_s = m->cpu.pid == pid ? m->cpu.window_s : NAN;
	r->cpu_time_ms = ticks >= 0 ? 1000.0 * (double)ticks / (double)m->ticks_per_s : NAN;
	r->rss_from_proc = rss >= 0;
	r->rss_kib = rss >= 0 ? (double)rss : s->num[STAT_rss_kib];
	monitor_reading_derive(r);
	return 0;
}

static int write_stdout(const struct mbuf *b)
{
	if (sysio_write_all(STDOUT_FILENO, b->text, b->len) < 0)
		return CLI_EXIT_FAILURE; /* the reader went away: nothing left to tell anyone */
	return CLI_EXIT_OK;
}

static void render_line(struct monitor *m, struct mbuf *b, bool up)
{
	char time[40];

	monitor_timestamp(time, sizeof(time));
	if (!up)
		monitor_log_down_line(b, time, m->why);
	else if (m->json)
		monitor_json_line(b, time, &m->reading, &m->targets);
	else
		monitor_log_line(b, time, &m->reading, &m->targets);
}

/* --once: two samples a CPU window apart, one output. */
static int run_once(struct monitor *m, bool tty)
{
	static char out[MONITOR_FRAME_MAX];
	int no_key = -1;
	double end;
	struct mbuf b;

	if (sample(m) < 0) {
		cli_error("%s; start it with 'vocana mic'", m->why);
		return CLI_EXIT_FAILURE;
	}
	end = now_s() + MONITOR_CPU_WINDOW_S + 0.02;
	while (now_s() < end && !monitor_quit_signal())
		monitor_wait(&no_key, (int)((end - now_s()) * 1000) + 1);
	if (monitor_quit_signal())
		return CLI_EXIT_FAILURE;
	if (sample(m) < 0) {
		cli_error("%s", m->why);
		return CLI_EXIT_FAILURE;
	}
	mbuf_init(&b, out, sizeof(out));
	if (tty && !m->json) {
		struct monitor_view_opts o = { .live = false, .interval_ms = 0,
					       .socket_path = m->socket_path };

		monitor_view_render(&b, &o, &m->reading, NULL, &m->targets);
	} else {
		render_line(m, &b, true);
	}
	return write_stdout(&b);
}

/* Lines to a pipe or file: log lines (keep going while the service is away) or JSON Lines. */
static int run_lines(struct monitor *m)
{
	static char out[MONITOR_LINE_MAX];
	long period = m->json || m->interval_set ? m->interval_ms : LOG_INTERVAL_MS;
	double next = now_s();
	int no_key = -1;
	struct mbuf b;

	/* A first reading now starts the CPU window, so the first line (one period later) has a
	 * measured CPU figure whenever the period covers a window. */
	sample(m);
	while (!monitor_quit_signal()) {
		next += (double)period / 1000.0;
		while (!monitor_quit_signal() && now_s() < next)
			monitor_wait(&no_key, (int)((next - now_s()) * 1000) + 1);
		if (monitor_quit_signal())
			break;
		if (now_s() > next + (double)period / 1000.0)
			next = now_s(); /* suspended or stalled: don't catch up in a burst */
		bool up = sample(m) == 0;

		if (!up && m->json) {
			cli_error("%s", m->why);
			return CLI_EXIT_FAILURE;
		}
		mbuf_init(&b, out, sizeof(out));
		render_line(m, &b, up);
		if (write_stdout(&b) != CLI_EXIT_OK)
			return CLI_EXIT_FAILURE;
	}
	return CLI_EXIT_OK;
}

/* The live screen. */
static int run_tty(struct monitor *m)
{
	static char out[MONITOR_FRAME_MAX];
	struct monitor_view_opts o = { .live = true, .interval_ms = (int)m->interval_ms,
				       .socket_path = m->socket_path };
	int key_fd = isatty(STDIN_FILENO) ? STDIN_FILENO : -1;
	const char *no_color = getenv("NO_COLOR");
	double next = now_s();
	struct mbuf b;
	int res;

	o.color = no_color == NULL || no_color[0] == '\0';
	monitor_term_size(STDOUT_FILENO, &o.cols, &o.rows);
	if ((res = monitor_term_enter(key_fd, STDOUT_FILENO)) < 0) {
		monitor_term_restore();
		cli_error("cannot set up the terminal: %s", cli_strerror(res));
		return CLI_EXIT_FAILURE;
	}
	while (!monitor_quit_signal()) {
		bool up = sample(m) == 0;

		mbuf_init(&b, out, sizeof(out));
		if (monitor_take_resize()) {
			/* The old layout may have left text where the new one writes nothing. */
			monitor_term_size(STDOUT_FILENO, &o.cols, &o.rows);
			mbuf_puts(&b, "\x1b[2J");
		}
		monitor_view_render(&b, &o, up ? &m->reading : NULL, m->why, &m->targets);
		if (write_stdout(&b) != CLI_EXIT_OK)
			break;
		next += (double)m->interval_ms / 1000.0;
		if (now_s() > next)
			next = now_s() + (double)m->interval_ms / 1000.0;
		/* Sleep until the next frame; a key or a resize wakes us early. */
		while (!monitor_quit_signal() && now_s() < next) {
			char key = monitor_wait(&key_fd, (int)((next - now_s()) * 1000) + 1);

			if (key == 'q' || key == 'Q')
				goto done;
			if (monitor_take_resize()) {
				monitor_term_size(STDOUT_FILENO, &o.cols, &o.rows);
				mbuf_init(&b, out, sizeof(out));
				mbuf_puts(&b, "\x1b[2J");
				monitor_view_render(&b, &o, up ? &m->reading : NULL, m->why,
						    &m->targets);
				write_stdout(&b);
			}
		}
	}
done:
	monitor_term_restore();
	return CLI_EXIT_OK;
}

int cmd_monitor(int argc, char **argv)
{
	static struct monitor m;
	bool tty = isatty(STDOUT_FILENO);
	int res;

	memset(&m, 0, sizeof(m));
	m.interval_ms = DEFAULT_INTERVAL_MS;
	if ((res = parse_args(&m, argc, argv)) != 0)
		return res < 0 ? CLI_EXIT_OK : res;
	if ((res = setup(&m)) != CLI_EXIT_OK)
		return res;
	if ((res = monitor_signals_install()) < 0) {
		cli_error("cannot install signal handlers: %s", cli_strerror(res));
		return CLI_EXIT_FAILURE;
	}
	if (m.once)
		return run_once(&m, tty);
	if (m.json || !tty)
		return run_lines(&m);
	return run_tty(&m);
}
