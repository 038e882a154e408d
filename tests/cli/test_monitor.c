/* SPDX-License-Identifier: MIT */
/*
 * The pure pieces of `vocana monitor`: level bars, JSON and logfmt escaping, the bounded string
 * builder, parsing the service's reply (including garbled and missing keys and the older
 * "status" reply), histograms, the CPU window, target judgement and text, the JSON and log lines,
 * the terminal frame (width, height, escape sequences), and the request over a real control
 * socket with the fallback to "status" for older services. The end-to-end run against a real
 * 'vocana mic' is tests/pw/test_mic_monitor.sh.
 */
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/monitor_data.h"
#include "cli/monitor_output.h"
#include "cli/monitor_targets.h"
#include "cli/monitor_text.h"
#include "cli/monitor_view.h"
#include "control_thread.h"
#include "service/control.h"
#include "service/proc_usage.h"
#include "test_util.h"

static const char *bar(int width, double fraction)
{
	static char text[256];
	struct mbuf b;

	mbuf_init(&b, text, sizeof(text));
	mbuf_bar(&b, width, fraction);
	return text;
}

static void test_bars(void)
{
	CHECK(strcmp(bar(10, 0.0), "----------") == 0);
	CHECK(strcmp(bar(10, 1.0), "##########") == 0);
	CHECK(strcmp(bar(10, 0.5), "#####-----") == 0);
	CHECK(strcmp(bar(10, 0.26), "###-------") == 0); /* rounds to the nearest cell */
	CHECK(strcmp(bar(4, 7.0), "####") == 0);          /* clamped */
	CHECK(strcmp(bar(4, -3.0), "----") == 0);
	CHECK(strcmp(bar(5, NAN), "?????") == 0);         /* not measured is not "silent" */
	CHECK(strcmp(bar(0, 0.5), "") == 0);
	CHECK(monitor_level_fraction(-60.0) == 0.0);
	CHECK(monitor_level_fraction(0.0) == 1.0);
	CHECK_NEAR(monitor_level_fraction(-30.0), 0.5, 1e-12);
	CHECK(strcmp(bar(10, monitor_level_fraction(-120.0)), "----------") == 0);
	CHECK(isnan(monitor_level_fraction(NAN)));
}

static void test_mbuf(void)
{
	char small[8];
	struct mbuf b;

	mbuf_init(&b, small, sizeof(small));
	mbuf_puts(&b, "abc");
	CHECK(!b.truncated && strcmp(small, "abc") == 0);
	mbuf_printf(&b, "%d", 123456);
	CHECK(b.truncated);
	CHECK(strlen(small) == 7 && strcmp(small, "abc1234") == 0);
	mbuf_putc(&b, 'x');
	CHECK(strlen(small) == 7);
}

static const char *json_str(const char *s)
{
	static char text[256];
	struct mbuf b;

	mbuf_init(&b, text, sizeof(text));
	mbuf_json_string(&b, s);
	return text;
}

static const char *json_num(double v)
{
	static char text[64];
	struct mbuf b;

	mbuf_init(&b, text, sizeof(text));
	mbuf_json_number(&b, v);
	return text;
}

static const char *logfmt(const char *s)
{
	static char text[256];
	struct mbuf b;

	mbuf_init(&b, text, sizeof(text));
	mbuf_logfmt_value(&b, s);
	return text;
}

static void test_escaping(void)
{
	CHECK(strcmp(json_str("plain"), "\"plain\"") == 0);
	CHECK(strcmp(json_str("a\"b\\c"), "\"a\\\"b\\\\c\"") == 0);
	CHECK(strcmp(json_str("l1\nl2\tx\r"), "\"l1\\nl2\\tx\\r\"") == 0);
	CHECK(strcmp(json_str("\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"") == 0);
	CHECK(strcmp(json_str("Mikrofon \xc3\xa9"), "\"Mikrofon \xc3\xa9\"") == 0); /* UTF-8 kept */
	CHECK(strcmp(json_str(NULL), "null") == 0);
	CHECK(strcmp(json_num(NAN), "null") == 0);
	CHECK(strcmp(json_num(INFINITY), "null") == 0);
	CHECK(strcmp(json_num(42.0), "42") == 0);
	CHECK(strcmp(json_num(-120.0), "-120") == 0);
	CHECK(strcmp(json_num(2.5), "2.5") == 0);
	CHECK(strcmp(logfmt("closed"), "closed") == 0);
	CHECK(strcmp(logfmt("Built-in Audio"), "\"Built-in Audio\"") == 0);
	CHECK(strcmp(logfmt("a\"b=c"), "\"a\\\"b=c\"") == 0);
	CHECK(strcmp(logfmt(""), "\"\"") == 0);
	CHECK(strcmp(logfmt("x\ny"), "\"x?y\"") == 0);
}

static const char full_stats[] =
	"ok\n"
	"pid=4242\nuptime_s=1800.5\nversion=0.4.0\nconnected=yes\nnode=vocana_mic\n"
	"input=alsa_input.usb-mic\nmode=worker\nrate=48000\nquantum=256\nrecording=yes\n"
	"strength=80\nenabled=yes\nmodel=default\nframes=1000\nframes_denoised=990\nmisses=2\n"
	"xruns=1\nbreaker=half-open\nbreaker_trips=3\noverflows=0\nfifo_fill_samples=480\n"
	"latency_samples=720\nlatency_ms=15.00\nmargin_frames=1\ninput_dbfs=-23.5\n"
	"output_dbfs=-120\nvad=0.75\nmodel_time_p50_us=800\nmodel_time_p99_us=1500\n"
	"model_time_max_us=4000\nmodel_time_mean_us=850.5\nmodel_time_count=990\n"
	"cycle_time_p50_us=900\ncycle_time_p99_us=1700\ncycle_time_max_us=4500\n"
	"cycle_time_mean_us=950\ncycle_time_count=1000\n"
	"model_time_hist=0:10,500:900,1000:80\ncycle_time_hist=0:5,1000:995\n"
	"cpu_time_ms=12345\ncpu_percent=2.50\nrss_kib=20480\n"
	"worker_realtime=yes\n";

static void test_parse_stats(void)
{
	const struct monitor_hist *model;
	struct monitor_stats s;

	monitor_parse_reply(full_stats, &s);
	CHECK(s.num[STAT_pid] == 4242);
	CHECK(s.num[STAT_uptime_s] == 1800.5);
	CHECK(s.num[STAT_rate] == 48000 && s.num[STAT_quantum] == 256);
	CHECK(s.num[STAT_latency_ms] == 15.0);
	CHECK(s.num[STAT_input_dbfs] == -23.5 && s.num[STAT_output_dbfs] == -120);
	CHECK(s.num[STAT_vad] == 0.75);
	CHECK(s.num[STAT_model_time_p50_us] == 800 && s.num[STAT_model_time_p99_us] == 1500);
	CHECK(s.num[STAT_model_time_mean_us] == 850.5 && s.num[STAT_cycle_time_count] == 1000);
	CHECK(s.num[STAT_cpu_time_ms] == 12345 && s.num[STAT_rss_kib] == 20480);
	CHECK(strcmp(s.str[STAT_breaker], "half-open") == 0);
	CHECK(strcmp(s.str[STAT_input], "alsa_input.usb-mic") == 0);
	CHECK(strcmp(s.str[STAT_version], "0.4.0") == 0);
	CHECK(monitor_flag(&s, STAT_recording) == 1 && monitor_flag(&s, STAT_enabled) == 1);
	CHECK(monitor_flag(&s, STAT_worker_realtime) == 1);
	model = monitor_hist_of(&s, STAT_model_time_hist);
	CHECK(model->n == 3 && model->lower_us[1] == 500 && model->count[1] == 900);
	CHECK(monitor_hist_of(&s, STAT_cycle_time_hist)->n == 2);
	/* Every numeric figure in the reply is read: none stays missing. */
	for (int k = 0; k < STATS_N; k++) {
		char key[64];
		snprintf(key, sizeof(key), "\n%s=", stats_figure(k)->key);
		enum stats_type t = stats_figure(k)->type;

		if (strstr(full_stats, key) &&
		    (t == STATS_TYPE_COUNT || t == STATS_TYPE_NUMBER || t == STATS_TYPE_LEVEL))
			CHECK_MSG(!isnan(s.num[k]), "%s missing", stats_figure(k)->key);
	}
}

static void test_parse_garbled(void)
{
	struct monitor_stats s;
	static char longline[9000];

	monitor_parse_reply("pid=12x\nlatency_ms=\nvad=nan\nframes=1e999\nrecording=maybe\n"
			    "=5\nnoequals\nmisses=-\nxruns= 3\ninput=dev\x1b[2Jice\n"
			    "model_time_hist=0:1,x\nunknown_key=7\nrate=44100\n", &s);
	CHECK(isnan(s.num[STAT_pid]));
	CHECK(isnan(s.num[STAT_latency_ms]));
	CHECK(isnan(s.num[STAT_vad]));
	CHECK(isnan(s.num[STAT_frames]));
	CHECK(isnan(s.num[STAT_misses]));
	CHECK(s.num[STAT_rate] == 44100); /* good keys after bad ones still count */
	CHECK(monitor_flag(&s, STAT_recording) == -1);
	CHECK(monitor_hist_of(&s, STAT_model_time_hist)->n == -1);
	/* A terminal escape in a device name must not reach the terminal. */
	CHECK(strchr(s.str[STAT_input], '\x1b') == NULL);
	CHECK(strcmp(s.str[STAT_input], "dev?[2Jice") == 0);
	/* -1 is the service's "unknown"; only levels are negative. */
	monitor_parse_reply("rss_kib=-1\ncpu_time_ms=-1\ninput_dbfs=-120\n", &s);
	CHECK(isnan(s.num[STAT_rss_kib]) && isnan(s.num[STAT_cpu_time_ms]));
	CHECK(s.num[STAT_input_dbfs] == -120);

	monitor_parse_reply("", &s);
	CHECK(isnan(s.num[STAT_latency_ms]) && monitor_flag(&s, STAT_enabled) == -1 &&
	      s.str[STAT_mode][0] == 0);

	/* An over-long value is skipped whole, and long strings are cut, not overflowed. */
	memset(longline, 'a', sizeof(longline));
	memcpy(longline, "input=", 6);
	longline[sizeof(longline) - 1] = '\0';
	monitor_parse_reply(longline, &s);
	CHECK(s.str[STAT_input][0] == '\0');
	longline[600] = '\0';
	monitor_parse_reply(longline, &s);
	CHECK(strlen(s.str[STAT_input]) == MONITOR_STR_MAX - 1);
}

static void test_parse_status_fallback(void)
{
	struct monitor_stats s;

	/* The "status" reply of services before "stats": linear peaks, model_p99_us. */
	monitor_parse_reply("ok\nrunning=yes\npid=7\ninput_peak=0.5\noutput_peak=0.0000\n"
			    "model_p99_us=1234\nrecording=no\n", &s);
	CHECK_NEAR(s.num[STAT_input_dbfs], -6.0206, 1e-3);
	CHECK(s.num[STAT_output_dbfs] == -120.0);
	CHECK(s.num[STAT_model_time_p99_us] == 1234);
	CHECK(isnan(s.num[STAT_model_time_p50_us]) && isnan(s.num[STAT_vad]));
	/* The newer key wins when both are there. */
	monitor_parse_reply("input_peak=0.5\ninput_dbfs=-40\n", &s);
	CHECK(s.num[STAT_input_dbfs] == -40);
	CHECK(monitor_peak_to_dbfs(1.0) == 0.0);
	CHECK(isnan(monitor_peak_to_dbfs(NAN)));
}

static void test_hist(void)
{
	struct monitor_hist h;
	char many[2048];
	struct mbuf b;

	CHECK(monitor_parse_hist("0:5", &h) == 1 && h.n == 1 && h.count[0] == 5);
	CHECK(monitor_parse_hist("0:5,250:7,500:0", &h) == 3 && h.lower_us[2] == 500);
	CHECK(monitor_parse_hist("", &h) == 0 && h.n == 0); /* nothing timed yet */
	CHECK(monitor_parse_hist(NULL, &h) == -1 && h.n == -1);
	CHECK(monitor_parse_hist("0:5,", &h) == -1);
	CHECK(monitor_parse_hist("0:5;1:2", &h) == -1);
	CHECK(monitor_parse_hist("0:-5", &h) == -1);
	CHECK(monitor_parse_hist(":5", &h) == -1);
	CHECK(monitor_parse_hist("5", &h) == -1);
	mbuf_init(&b, many, sizeof(many));
	for (int i = 0; i <= MONITOR_HIST_MAX; i++)
		mbuf_printf(&b, "%s%d:1", i ? "," : "", i * 10);
	CHECK(monitor_parse_hist(many, &h) == -1); /* more bins than we keep: refused, not cut */
}

static void test_cpu_window(void)
{
	struct monitor_cpu c;

	monitor_cpu_init(&c);
	monitor_cpu_update(&c, 10, 100.0, 500, 100);
	CHECK(isnan(c.percent));
	monitor_cpu_update(&c, 10, 100.5, 520, 100);
	CHECK(isnan(c.percent)); /* window not complete yet */
	monitor_cpu_update(&c, 10, 101.0, 550, 100);
	CHECK_NEAR(c.percent, 50.0, 1e-9); /* 50 ticks of 10 ms in 1 s */
	CHECK_NEAR(c.window_s, 1.0, 1e-9);
	monitor_cpu_update(&c, 10, 103.0, 552, 100);
	CHECK_NEAR(c.percent, 1.0, 1e-9);
	monitor_cpu_update(&c, 11, 104.0, 9000, 100); /* restarted service: start over */
	CHECK(isnan(c.percent) && c.pid == 11);
	monitor_cpu_update(&c, 11, 105.0, 9000, 100);
	CHECK(c.percent == 0.0);
}

static void test_proc(void)
{
	long long ticks, rss;
	pid_t child;

	CHECK(proc_usage_read(getpid(), &ticks, &rss) == 0);
	CHECK(ticks >= 0);
	CHECK(rss > 0);
	/* A process that is gone. */
	child = fork();
	if (child == 0)
		_exit(0);
	CHECK(child > 0);
	waitpid(child, NULL, 0);
	CHECK(proc_usage_read(child, &ticks, &rss) == -ENOENT);
	CHECK(proc_usage_read(0, &ticks, &rss) < 0);
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void make_reading(struct monitor_reading *r, const char *reply)
{
	memset(r, 0, sizeof(*r));
	monitor_parse_reply(reply, &r->stats);
	r->cpu_percent = 2.0;
	r->cpu_window_s = 1.0;
	r->cpu_time_ms = 1000;
	r->rss_kib = 20480;
	r->rss_from_proc = true;
	monitor_reading_derive(r);
}

static void test_targets(void)
{
	struct monitor_target_row rows[MONITOR_TARGET_ROWS];
	struct monitor_reading r;
	struct targets t;
	char text[256];
	struct mbuf b;

	targets_defaults(&t);
	t.limit[TARGET_ADDED_LATENCY_MS] = 15;
	t.alert[TARGET_ADDED_LATENCY_MS] = 30;
	t.limit[TARGET_FRAME_TIME_US] = 1000;
	t.alert[TARGET_FRAME_TIME_US] = 5000;
	t.limit[TARGET_CPU_ACTIVE_PCT] = 3;
	t.alert[TARGET_CPU_ACTIVE_PCT] = 10;
	t.limit[TARGET_CPU_IDLE_PCT] = 0.5;
	t.alert[TARGET_CPU_IDLE_PCT] = 2;
	t.limit[TARGET_MEMORY_MB] = 16;
	t.alert[TARGET_MEMORY_MB] = 32;
	t.limit[TARGET_XRUNS_PER_HOUR] = 0;
	t.alert[TARGET_XRUNS_PER_HOUR] = 60;

	make_reading(&r, full_stats);
	/* 3 glitches in half an hour of uptime, recording: 6 per hour. */
	CHECK_NEAR(r.xruns_per_hour, 3.0 / (1800.5 / 3600.0), 1e-9);
	monitor_targets_eval(&t, &r, rows);
	CHECK(rows[0].id == TARGET_ADDED_LATENCY_MS && rows[0].status == TARGET_MET); /* 15 <= 15 */
	CHECK(rows[1].id == TARGET_FRAME_TIME_US && rows[1].value == 800 &&
	      rows[1].status == TARGET_MET);
	CHECK(rows[2].id == TARGET_CPU_ACTIVE_PCT && rows[2].status == TARGET_MET);
	CHECK(rows[3].id == TARGET_MEMORY_MB && rows[3].value == 20.0 &&
	      rows[3].status == TARGET_MISSED);
	CHECK(rows[4].id == TARGET_XRUNS_PER_HOUR && rows[4].status == TARGET_MISSED);

	mbuf_init(&b, text, sizeof(text));
	monitor_target_describe(&b, &t, &rows[0]);
	CHECK_MSG(strcmp(text, "added latency 15.00 ms (limit 15.00 ms, alert 30.00 ms): met") == 0,
		  "'%s'", text);
	mbuf_init(&b, text, sizeof(text));
	monitor_target_describe(&b, &t, &rows[3]);
	CHECK_MSG(strcmp(text, "resident memory 20.0 MiB (limit 16.0 MiB, alert 32.0 MiB): missed") ==
			  0, "'%s'", text);

	/* Idle: the idle CPU target, no xruns-per-hour figure; alert above the alert threshold. */
	make_reading(&r, "recording=no\nlatency_ms=40\nuptime_s=100\nxruns=5\n");
	r.cpu_percent = 2.5;
	monitor_targets_eval(&t, &r, rows);
	CHECK(rows[0].status == TARGET_ALERT);
	CHECK(rows[1].status == TARGET_UNKNOWN && isnan(rows[1].value));
	CHECK(rows[2].id == TARGET_CPU_IDLE_PCT && rows[2].status == TARGET_ALERT); /* 2.5 % > 2 */
	CHECK(rows[4].status == TARGET_UNKNOWN);
	mbuf_init(&b, text, sizeof(text));
	monitor_target_describe(&b, &t, &rows[1]);
	CHECK_MSG(strstr(text, "n/a (limit 1000 us, alert 5000 us): n/a") != NULL, "'%s'", text);

	/* Unknown recording state: the CPU figure is not judged. */
	make_reading(&r, "latency_ms=1\n");
	monitor_targets_eval(&t, &r, rows);
	CHECK(rows[2].status == TARGET_UNKNOWN);
}

static void test_lines(void)
{
	static char text[MONITOR_LINE_MAX];
	struct monitor_reading r;
	struct targets t;
	struct mbuf b;

	targets_defaults(&t);
	make_reading(&r, "pid=5\nlatency_ms=12.5\ninput=Mic \"USB\"\nrecording=yes\nuptime_s=60\n"
			 "xruns=0\nmisses=0\nmodel_time_hist=0:3,100:4\n");
	r.stats.from_stats = true;
	mbuf_init(&b, text, sizeof(text));
	monitor_json_line(&b, "2026-01-01T00:00:00.000Z", &r, &t);
	CHECK(!b.truncated);
	CHECK(starts_with(text, "{\"time\":\"2026-01-01T00:00:00.000Z\",\"running\":true,"));
	CHECK(strstr(text, "\"latency_ms\":12.5,") != NULL);
	CHECK(strstr(text, "\"vad\":null,") != NULL);
	CHECK(strstr(text, "\"input\":\"Mic \\\"USB\\\"\"") != NULL);
	CHECK(strstr(text, "\"recording\":true,") != NULL);
	CHECK(strstr(text, "\"enabled\":null,") != NULL);
	CHECK(strstr(text, "\"model_time_hist\":[[0,3],[100,4]]") != NULL);
	CHECK(strstr(text, "\"cycle_time_hist\":null") != NULL);
	CHECK(strstr(text, "\"cpu_percent\":2,") != NULL);
	CHECK(strstr(text, "\"service_cpu_percent\":null") != NULL);
	CHECK(strstr(text, "\"xruns_per_hour\":0,") != NULL);
	CHECK(strstr(text, "\"added_latency_ms\":{\"label\":\"added latency\",\"value\":12.5,") !=
	      NULL);
	CHECK(strstr(text, "\"status\":\"met\"") != NULL);
	CHECK(strcmp(text + strlen(text) - 3, "}}\n") == 0);
	CHECK(strchr(text, '\n') == text + strlen(text) - 1); /* exactly one line */

	mbuf_init(&b, text, sizeof(text));
	monitor_log_line(&b, "T", &r, &t);
	CHECK(starts_with(text, "time=T running=yes source=stats "));
	CHECK(strstr(text, " latency_ms=12.5 ") != NULL);
	CHECK(strstr(text, " vad=n/a ") != NULL);
	CHECK(strstr(text, " input=\"Mic \\\"USB\\\"\" ") != NULL);
	CHECK(strstr(text, " rss_kib=20480 ") != NULL);
	CHECK(strstr(text, " target.added_latency_ms=met") != NULL);
	CHECK(strchr(text, '\n') == text + strlen(text) - 1);

	mbuf_init(&b, text, sizeof(text));
	monitor_log_down_line(&b, "T", "no service answers on /x y");
	CHECK(strcmp(text, "time=T running=no error=\"no service answers on /x y\"\n") == 0);
}

/* Visible columns of each line of a live frame (escape sequences take none). */
static void check_frame_fits(const char *frame, int cols, int rows)
{
	int lines = 1, col = 0, widest = 0;

	for (const char *p = frame; *p; p++) {
		if (*p == '\x1b') { /* CSI: ESC [ params final */
			p++;
			while (p[1] && !(p[1] >= '@' && p[1] <= '~' && p[1] != '['))
				p++;
			if (p[1])
				p++;
			continue;
		}
		if (*p == '\r')
			continue;
		if (*p == '\n') {
			lines++;
			col = 0;
			continue;
		}
		if ((*p & 0xc0) != 0x80 && ++col > widest)
			widest = col;
	}
	CHECK_MSG(lines <= rows, "%d lines on a %d-line terminal", lines, rows);
	CHECK_MSG(widest <= cols, "a line of %d columns on a %d-column terminal", widest, cols);
}

static void test_view(void)
{
	static char frame[MONITOR_FRAME_MAX];
	struct monitor_view_opts o = { .cols = 80, .rows = 24, .live = true, .color = true,
				       .interval_ms = 250, .socket_path = "/run/x.sock" };
	struct monitor_reading r;
	struct targets t;
	struct mbuf b;

	targets_defaults(&t);
	make_reading(&r, full_stats);
	mbuf_init(&b, frame, sizeof(frame));
	monitor_view_render(&b, &o, &r, NULL, &t);
	CHECK(!b.truncated);
	CHECK(strncmp(frame, "\x1b[H", 3) == 0);                       /* home, no full clear */
	CHECK(strstr(frame, "\x1b[2J") == NULL);
	CHECK(strcmp(frame + strlen(frame) - 3, "\x1b[J") == 0);       /* clear below */
	CHECK(strstr(frame, "\x1b[K") != NULL);
	CHECK(strstr(frame, "-23.5 dBFS") != NULL);
	CHECK(strstr(frame, "15.00 ms added") != NULL);
	CHECK(strstr(frame, "p50 800 us") != NULL);
	CHECK(strstr(frame, "breaker half-open") != NULL);
	CHECK(strstr(frame, "48000 Hz, quantum 256") != NULL);
	CHECK(strstr(frame, "20.0 MiB resident") != NULL);
	check_frame_fits(frame, 80, 24);

	/* A small terminal: cut, never wrapped or scrolled. */
	o.cols = 30;
	o.rows = 8;
	mbuf_init(&b, frame, sizeof(frame));
	monitor_view_render(&b, &o, &r, NULL, &t);
	check_frame_fits(frame, 30, 8);

	/* Everything missing still renders (n/a), without colour when asked. */
	o.cols = 100;
	o.rows = 40;
	o.color = false;
	make_reading(&r, "");
	r.cpu_percent = NAN;
	r.rss_kib = NAN;
	mbuf_init(&b, frame, sizeof(frame));
	monitor_view_render(&b, &o, &r, NULL, &t);
	CHECK(strstr(frame, "n/a") != NULL);
	CHECK(strstr(frame, "\x1b[3") == NULL);
	check_frame_fits(frame, 100, 40);

	/* No service. */
	mbuf_init(&b, frame, sizeof(frame));
	monitor_view_render(&b, &o, NULL, "no service answers on /run/x.sock", &t);
	CHECK(strstr(frame, "service not running, waiting...") != NULL);

	/* --once on a terminal: plain lines, no escape sequences at all. */
	o.live = false;
	make_reading(&r, full_stats);
	mbuf_init(&b, frame, sizeof(frame));
	monitor_view_render(&b, &o, &r, NULL, &t);
	CHECK(strchr(frame, '\x1b') == NULL);
	CHECK(frame[strlen(frame) - 1] == '\n');
}

/* ---- monitor_collect over a real control socket -------------------------------------------- */

enum service_kind { SERVICE_NEW, SERVICE_OLD, SERVICE_BROKEN };

static atomic_int stats_requests, status_requests;

/* The request handling of a new service ("stats"), one from before "stats" (the same "unknown
 * request" error text as src/pw/mic_control.c had), and one that fails every request. */
static void service_handler(void *data, const char *req, struct control_reply *r)
{
	enum service_kind kind = *(const enum service_kind *)data;

	if (strcmp(req, "stats") == 0)
		atomic_fetch_add(&stats_requests, 1);
	if (strcmp(req, "status") == 0)
		atomic_fetch_add(&status_requests, 1);
	if (kind == SERVICE_BROKEN) {
		control_reply_error(r, "engine on fire");
	} else if (kind == SERVICE_NEW && strcmp(req, "stats") == 0) {
		control_reply_add(r, "pid", "%d", 99);
		control_reply_add(r, "vad", "%.3f", 0.5);
		control_reply_add(r, "model_time_hist", "%s", "");
	} else if (strcmp(req, "status") == 0) {
		control_reply_add(r, "pid", "%d", 98);
		control_reply_add(r, "input_peak", "%.4f", 1.0);
	} else {
		control_reply_error(r, "unknown request '%.40s' (status, set, enable, disable)", req);
	}
}

static void collect_from(enum service_kind kind, const char *path, int expect_res,
			 struct monitor_stats *s, char *err, size_t err_size)
{
	struct control_thread srv;
	int res;

	res = control_thread_start(&srv, path, service_handler, &kind);
	CHECK(res == 0);
	if (res < 0)
		return;
	res = monitor_collect(path, s, err, err_size);
	CHECK_MSG(res == expect_res, "service kind %d: %d, expected %d", (int)kind, res, expect_res);
	control_thread_stop(&srv);
}

static void test_collect(void)
{
	char dir[] = "/tmp/vocana-monitor-test.XXXXXX", path[128], err[256];
	struct monitor_stats s;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	CHECK(monitor_collect(path, &s, err, sizeof(err)) == -ENOENT); /* nobody listens */

	collect_from(SERVICE_NEW, path, 0, &s, err, sizeof(err));
	CHECK(s.from_stats && s.num[STAT_pid] == 99 && s.num[STAT_vad] == 0.5);
	CHECK(monitor_hist_of(&s, STAT_model_time_hist)->n == 0);
	CHECK(monitor_hist_of(&s, STAT_cycle_time_hist)->n == -1);
	CHECK(atomic_load(&status_requests) == 0);

	/* An older service: "stats" is unknown, so the monitor asks "status" instead. */
	collect_from(SERVICE_OLD, path, 0, &s, err, sizeof(err));
	CHECK(!s.from_stats && s.num[STAT_pid] == 98 && s.num[STAT_input_dbfs] == 0.0);
	CHECK(isnan(s.num[STAT_vad]));
	CHECK(atomic_load(&stats_requests) == 2 && atomic_load(&status_requests) == 1);

	/* Any other error is reported with the service's words, not retried as "status". */
	collect_from(SERVICE_BROKEN, path, -EPROTO, &s, err, sizeof(err));
	CHECK_MSG(strcmp(err, "engine on fire") == 0, "'%s'", err);
	CHECK(atomic_load(&status_requests) == 1);
	rmdir(dir);
}

int main(void)
{
	RUN_TEST(test_bars);
	RUN_TEST(test_mbuf);
	RUN_TEST(test_escaping);
	RUN_TEST(test_parse_stats);
	RUN_TEST(test_parse_garbled);
	RUN_TEST(test_parse_status_fallback);
	RUN_TEST(test_hist);
	RUN_TEST(test_cpu_window);
	RUN_TEST(test_proc);
	RUN_TEST(test_targets);
	RUN_TEST(test_lines);
	RUN_TEST(test_view);
	RUN_TEST(test_collect);
	return test_finish();
}
