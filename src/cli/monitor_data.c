/* SPDX-License-Identifier: MIT */
/* Data collection of `vocana monitor` (see monitor_data.h). */
#include "cli/monitor_data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/control.h"
#include "service/metrics_text.h"

/* The reply of a "stats" request with its two histograms can outgrow the protocol's usual reply
 * size if the service ever raises it: read generously. */
#define MONITOR_REPLY_MAX (4 * CONTROL_MAX_REPLY)

static const char *const num_keys[MON_NUM_COUNT] = {
	[MON_PID] = "pid",
	[MON_UPTIME_S] = "uptime_s",
	[MON_RATE] = "rate",
	[MON_QUANTUM] = "quantum",
	[MON_STRENGTH] = "strength",
	[MON_FRAMES] = "frames",
	[MON_FRAMES_DENOISED] = "frames_denoised",
	[MON_MISSES] = "misses",
	[MON_XRUNS] = "xruns",
	[MON_BREAKER_TRIPS] = "breaker_trips",
	[MON_OVERFLOWS] = "overflows",
	[MON_FIFO_FILL_SAMPLES] = "fifo_fill_samples",
	[MON_LATENCY_SAMPLES] = "latency_samples",
	[MON_LATENCY_MS] = "latency_ms",
	[MON_MARGIN_FRAMES] = "margin_frames",
	[MON_INPUT_DBFS] = "input_dbfs",
	[MON_OUTPUT_DBFS] = "output_dbfs",
	[MON_VAD] = "vad",
	[MON_MODEL_P50_US] = "model_time_p50_us",
	[MON_MODEL_P99_US] = "model_time_p99_us",
	[MON_MODEL_MAX_US] = "model_time_max_us",
	[MON_MODEL_MEAN_US] = "model_time_mean_us",
	[MON_MODEL_COUNT] = "model_time_count",
	[MON_CYCLE_P50_US] = "cycle_time_p50_us",
	[MON_CYCLE_P99_US] = "cycle_time_p99_us",
	[MON_CYCLE_MAX_US] = "cycle_time_max_us",
	[MON_CYCLE_MEAN_US] = "cycle_time_mean_us",
	[MON_CYCLE_COUNT] = "cycle_time_count",
	[MON_SERVICE_CPU_TIME_MS] = "cpu_time_ms",
	[MON_SERVICE_CPU_PERCENT] = "cpu_percent",
	[MON_SERVICE_RSS_KIB] = "rss_kib",
};

static const char *const str_keys[MON_STR_COUNT] = {
	[MON_VERSION] = "version", [MON_NODE] = "node",   [MON_DESCRIPTION] = "description",
	[MON_INPUT] = "input",     [MON_MODE] = "mode",   [MON_BREAKER] = "breaker",
	[MON_MODEL] = "model",
};

static const char *const flag_keys[MON_FLAG_COUNT] = {
	[MON_CONNECTED] = "connected",
	[MON_RECORDING] = "recording",
	[MON_ENABLED] = "enabled",
	[MON_WORKER_REALTIME] = "worker_realtime",
};

static const char *const hist_keys[MON_HIST_COUNT] = {
	[MON_HIST_MODEL] = "model_time_hist",
	[MON_HIST_CYCLE] = "cycle_time_hist",
};

const char *monitor_num_key(enum monitor_num k)
{
	return (unsigned)k < MON_NUM_COUNT ? num_keys[k] : NULL;
}

const char *monitor_str_key(enum monitor_str k)
{
	return (unsigned)k < MON_STR_COUNT ? str_keys[k] : NULL;
}

const char *monitor_flag_key(enum monitor_flag k)
{
	return (unsigned)k < MON_FLAG_COUNT ? flag_keys[k] : NULL;
}

const char *monitor_hist_key(enum monitor_hist_id k)
{
	return (unsigned)k < MON_HIST_COUNT ? hist_keys[k] : NULL;
}

void monitor_stats_clear(struct monitor_stats *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < MON_NUM_COUNT; i++)
		s->num[i] = NAN;
	for (int i = 0; i < MON_FLAG_COUNT; i++)
		s->flag[i] = -1;
	for (int i = 0; i < MON_HIST_COUNT; i++)
		s->hist[i].n = -1;
}

/* A whole, finite number, or NaN. */
static double parse_number(const char *v)
{
	char *end;
	double x;

	if (*v == '\0')
		return NAN;
	errno = 0;
	x = strtod(v, &end);
	if (errno != 0 || *end != '\0' || !isfinite(x))
		return NAN;
	return x;
}

static int parse_flag(const char *v)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		return 1;
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		return 0;
	return -1;
}

static void copy_text(char *dst, const char *v)
{
	size_t i;

	for (i = 0; i + 1 < MONITOR_STR_MAX && v[i]; i++)
		dst[i] = ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) ? '?' : v[i];
	dst[i] = '\0';
}

int monitor_parse_hist(const char *text, struct monitor_hist *h)
{
	const char *p = text;
	int n = 0;

	h->n = -1;
	if (text == NULL)
		return -1;
	if (*text == '\0') { /* nothing timed yet: an empty histogram */
		h->n = 0;
		return 0;
	}
	for (;;) {
		char *end;
		double lower, count;

		if (n == MONITOR_HIST_MAX)
			return -1;
		errno = 0;
		lower = strtod(p, &end);
		if (end == p || *end != ':' || errno != 0 || !isfinite(lower) || lower < 0)
			return -1;
		p = end + 1;
		count = strtod(p, &end);
		if (end == p || errno != 0 || !isfinite(count) || count < 0)
			return -1;
		h->lower_us[n] = lower;
		h->count[n] = count;
		n++;
		p = end;
		if (*p == '\0')
			break;
		if (*p != ',')
			return -1;
		p++;
	}
	h->n = n;
	return n;
}

double monitor_peak_to_dbfs(double peak)
{
	/* The same conversion and floor as the service's own input_dbfs/output_dbfs. */
	return isnan(peak) ? peak : metrics_dbfs((float)peak);
}

/* One "key=value" line (NUL-terminated, no '\n'); the three old "status" keys go to the
 * out-parameters, to be converted once the whole reply is read. */
static void parse_line(char *line, struct monitor_stats *s, double *input_peak,
		       double *output_peak, double *model_p99_old)
{
	char *eq = strchr(line, '=');
	const char *key = line, *value;

	if (eq == NULL)
		return;
	*eq = '\0';
	value = eq + 1;
	for (int i = 0; i < MON_NUM_COUNT; i++)
		if (strcmp(key, num_keys[i]) == 0) {
			s->num[i] = parse_number(value);
			/* Only levels are negative; elsewhere the service writes -1 for "unknown". */
			if (s->num[i] < 0 && i != MON_INPUT_DBFS && i != MON_OUTPUT_DBFS)
				s->num[i] = NAN;
			return;
		}
	for (int i = 0; i < MON_STR_COUNT; i++)
		if (strcmp(key, str_keys[i]) == 0) {
			copy_text(s->str[i], value);
			return;
		}
	for (int i = 0; i < MON_FLAG_COUNT; i++)
		if (strcmp(key, flag_keys[i]) == 0) {
			s->flag[i] = parse_flag(value);
			return;
		}
	for (int i = 0; i < MON_HIST_COUNT; i++)
		if (strcmp(key, hist_keys[i]) == 0) {
			monitor_parse_hist(value, &s->hist[i]);
			return;
		}
	if (strcmp(key, "input_peak") == 0)
		*input_peak = parse_number(value);
	else if (strcmp(key, "output_peak") == 0)
		*output_peak = parse_number(value);
	else if (strcmp(key, "model_p99_us") == 0)
		*model_p99_old = parse_number(value);
}

void monitor_parse_reply(const char *reply, struct monitor_stats *s)
{
	double input_peak = NAN, output_peak = NAN, model_p99_old = NAN;
	char line[8192]; /* a histogram line of 121 buckets stays under 3 KB */
	const char *p = reply;

	monitor_stats_clear(s);
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		/* A line too long for any value we show is garbled: skip it whole. */
		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			parse_line(line, s, &input_peak, &output_peak, &model_p99_old);
		}
		p = nl ? nl + 1 : NULL;
	}
	if (isnan(s->num[MON_INPUT_DBFS]))
		s->num[MON_INPUT_DBFS] = monitor_peak_to_dbfs(input_peak);
	if (isnan(s->num[MON_OUTPUT_DBFS]))
		s->num[MON_OUTPUT_DBFS] = monitor_peak_to_dbfs(output_peak);
	if (isnan(s->num[MON_MODEL_P99_US]))
		s->num[MON_MODEL_P99_US] = model_p99_old;
}

/* ---- CPU window ------------------------------------------------------------------------------ */

void monitor_cpu_init(struct monitor_cpu *c)
{
	memset(c, 0, sizeof(*c));
	c->percent = NAN;
	c->window_s = NAN;
}

void monitor_cpu_update(struct monitor_cpu *c, pid_t pid, double now_s, long long ticks,
			long ticks_per_s)
{
	if (ticks < 0 || ticks_per_s <= 0)
		return;
	if (!c->have_ref || pid != c->pid || ticks < c->ref_ticks || now_s < c->ref_s) {
		/* A different (restarted) service: its counters mean nothing against the old. */
		if (pid != c->pid)
			monitor_cpu_init(c);
		c->pid = pid;
		c->have_ref = true;
		c->ref_s = now_s;
		c->ref_ticks = ticks;
		return;
	}
	if (now_s - c->ref_s < MONITOR_CPU_WINDOW_S)
		return;
	c->window_s = now_s - c->ref_s;
	c->percent = 100.0 * (double)(ticks - c->ref_ticks) / (double)ticks_per_s / c->window_s;
	c->ref_s = now_s;
	c->ref_ticks = ticks;
}

/* ---- the control socket ------------------------------------------------------------------------- */

static void first_line(const char *reply, char *err, size_t err_size)
{
	const char *text = strncmp(reply, "error: ", 7) == 0 ? reply + 7 : reply;
	size_t len = strcspn(text, "\n");

	snprintf(err, err_size, "%.*s", (int)len, text);
}

int monitor_collect(const char *socket_path, struct monitor_stats *s, char *err, size_t err_size)
{
	static char reply[MONITOR_REPLY_MAX]; /* one monitor per process, one thread */
	bool from_stats = true;
	int res;

	if (err_size)
		err[0] = '\0';
	if ((res = control_request(socket_path, "stats", reply, sizeof(reply))) < 0)
		return res;
	if (strncmp(reply, "error: unknown request", 22) == 0) {
		/* A service from before "stats": "status" has most of the figures. */
		from_stats = false;
		if ((res = control_request(socket_path, "status", reply, sizeof(reply))) < 0)
			return res;
	}
	if (strncmp(reply, "ok\n", 3) != 0 && strcmp(reply, "ok") != 0) {
		first_line(reply, err, err_size);
		return -EPROTO;
	}
	monitor_parse_reply(reply + 2, s);
	s->from_stats = from_stats;
	return 0;
}

void monitor_reading_derive(struct monitor_reading *r)
{
	const struct monitor_stats *s = &r->stats;
	double uptime_h = s->num[MON_UPTIME_S] / 3600.0;
	double glitches = s->num[MON_XRUNS] + s->num[MON_MISSES];

	/* Glitches only happen while an app records (the mic does no audio work otherwise), so this
	 * per-hour-of-uptime figure is a lower bound of the rate during recording. */
	r->xruns_per_hour = (s->flag[MON_RECORDING] == 1 && uptime_h > 0) ? glitches / uptime_h : NAN;
}
