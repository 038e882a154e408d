/* SPDX-License-Identifier: MIT */
/* Data collection of `vocana monitor` (see monitor_data.h). */
#include "cli/monitor/monitor_data.h"

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

void monitor_stats_clear(struct monitor_stats *s)
{
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < STATS_N; i++)
		s->num[i] = NAN;
	for (int i = 0; i < STATS_N_HIST; i++)
		s->hist[i].n = -1;
}

int monitor_flag(const struct monitor_stats *s, enum stat_id id)
{
	return isnan(s->num[id]) ? -1 : s->num[id] != 0.0;
}

const struct monitor_hist *monitor_hist_of(const struct monitor_stats *s, enum stat_id id)
{
	int slot = stats_hist_slot(id);

	return slot < 0 ? NULL : &s->hist[slot];
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

/* 1, 0 or NaN. */
static double parse_flag(const char *v)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		return 1.0;
	if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		return 0.0;
	return NAN;
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

/* One "key=value" line (NUL-terminated, no '\n') into its figure, by the figure's type. */
static void parse_reply_line(char *line, struct monitor_stats *s)
{
	char *eq = strchr(line, '=');
	const struct stats_figure *f;
	const char *value;
	int id, state;

	if (eq == NULL)
		return;
	*eq = '\0';
	value = eq + 1;
	if ((id = stats_find(line)) < 0)
		return;
	f = stats_figure(id);
	switch (f->type) {
	case STATS_TYPE_COUNT:
	case STATS_TYPE_NUMBER:
		s->num[id] = parse_number(value);
		if (s->num[id] < 0) /* the service's "unknown" */
			s->num[id] = NAN;
		break;
	case STATS_TYPE_LEVEL:
		s->num[id] = parse_number(value);
		break;
	case STATS_TYPE_FLAG:
		s->num[id] = parse_flag(value);
		break;
	case STATS_TYPE_STATE:
		copy_text(s->str[id], value);
		state = stats_state_index(f, value);
		s->num[id] = state < 0 ? NAN : state;
		break;
	case STATS_TYPE_TEXT:
		copy_text(s->str[id], value);
		break;
	case STATS_TYPE_HIST:
		monitor_parse_hist(value, &s->hist[stats_hist_slot(id)]);
		break;
	}
}

void monitor_parse_reply(const char *reply, struct monitor_stats *s)
{
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
			parse_reply_line(line, s);
		}
		p = nl ? nl + 1 : NULL;
	}
	/* The older 'status' reply's figures, where the newer ones are missing. */
	if (isnan(s->num[STAT_input_dbfs]))
		s->num[STAT_input_dbfs] = monitor_peak_to_dbfs(s->num[STAT_input_peak]);
	if (isnan(s->num[STAT_output_dbfs]))
		s->num[STAT_output_dbfs] = monitor_peak_to_dbfs(s->num[STAT_output_peak]);
	if (isnan(s->num[STAT_model_time_p99_us]))
		s->num[STAT_model_time_p99_us] = s->num[STAT_model_p99_us];
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
	double uptime_h = s->num[STAT_uptime_s] / 3600.0;
	double glitches = s->num[STAT_xruns] + s->num[STAT_misses];

	/* Glitches only happen while an app records (the mic does no audio work otherwise), so this
	 * per-hour-of-uptime figure is a lower bound of the rate during recording. */
	r->xruns_per_hour = (monitor_flag(s, STAT_recording) == 1 && uptime_h > 0) ? glitches / uptime_h : NAN;
}
