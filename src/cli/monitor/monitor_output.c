/* SPDX-License-Identifier: MIT */
/* JSON Lines and key=value log lines of `vocana monitor` (see monitor_output.h). */
#include "cli/monitor/monitor_output.h"

#include <math.h>
#include <stdio.h>
#include <time.h>

void monitor_timestamp(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}

/* The service's own CPU and memory figures keep a "service_" prefix in the output: the plain
 * names are the monitor's measurements. */
static const char *figure_prefix(enum stat_id id)
{
	return id == STAT_cpu_time_ms || id == STAT_cpu_percent || id == STAT_rss_kib ? "service_" : "";
}

/* "running" is the monitor's own (the service answered); the service's says the same. */
static bool monitor_writes_itself(enum stat_id id)
{
	return id == STAT_running;
}

static void json_key(struct mbuf *b, const char *prefix, const char *key)
{
	mbuf_printf(b, ",\"%s%s\":", prefix, key);
}

static void json_hist(struct mbuf *b, const struct monitor_hist *h)
{
	if (h->n < 0) {
		mbuf_puts(b, "null");
		return;
	}
	mbuf_putc(b, '[');
	for (int i = 0; i < h->n; i++) {
		mbuf_puts(b, i ? ",[" : "[");
		mbuf_json_number(b, h->lower_us[i]);
		mbuf_putc(b, ',');
		mbuf_json_number(b, h->count[i]);
		mbuf_putc(b, ']');
	}
	mbuf_putc(b, ']');
}

void monitor_json_line(struct mbuf *b, const char *time, const struct monitor_reading *r,
		       const struct targets *t)
{
	const struct monitor_stats *s = &r->stats;
	struct monitor_target_row rows[MONITOR_TARGET_ROWS];

	mbuf_puts(b, "{\"time\":");
	mbuf_json_string(b, time);
	mbuf_printf(b, ",\"running\":true,\"source\":\"%s\"", s->from_stats ? "stats" : "status");
	for (int k = 0; k < STATS_N; k++) {
		const struct stats_figure *f = stats_figure(k);

		if (monitor_writes_itself(k))
			continue;
		json_key(b, figure_prefix(k), f->key);
		switch (f->type) {
		case STATS_TYPE_COUNT:
		case STATS_TYPE_NUMBER:
		case STATS_TYPE_LEVEL:
			mbuf_json_number(b, s->num[k]);
			break;
		case STATS_TYPE_FLAG:
			mbuf_puts(b, isnan(s->num[k]) ? "null" : s->num[k] != 0.0 ? "true" : "false");
			break;
		case STATS_TYPE_STATE:
		case STATS_TYPE_TEXT:
			mbuf_json_string(b, s->str[k][0] ? s->str[k] : NULL);
			break;
		case STATS_TYPE_HIST:
			json_hist(b, monitor_hist_of(s, k));
			break;
		}
	}
	json_key(b, "", "cpu_percent");
	mbuf_json_number(b, r->cpu_percent);
	json_key(b, "", "cpu_window_s");
	mbuf_json_number(b, isnan(r->cpu_window_s) ? NAN : round(r->cpu_window_s * 1000) / 1000);
	json_key(b, "", "cpu_time_ms");
	mbuf_json_number(b, r->cpu_time_ms);
	json_key(b, "", "rss_kib");
	mbuf_json_number(b, r->rss_kib);
	json_key(b, "", "rss_source");
	mbuf_json_string(b, isnan(r->rss_kib) ? NULL : r->rss_from_proc ? "proc" : "service");
	json_key(b, "", "xruns_per_hour");
	mbuf_json_number(b, r->xruns_per_hour);

	monitor_targets_eval(t, r, rows);
	mbuf_puts(b, ",\"targets\":{");
	for (int i = 0; i < MONITOR_TARGET_ROWS; i++) {
		const struct monitor_target_row *row = &rows[i];

		mbuf_printf(b, "%s\"%s\":{\"label\":", i ? "," : "", target_key(row->id));
		mbuf_json_string(b, target_label(row->id));
		mbuf_puts(b, ",\"value\":");
		mbuf_json_number(b, row->value);
		mbuf_puts(b, ",\"unit\":");
		mbuf_json_string(b, target_unit(row->id));
		mbuf_puts(b, ",\"limit\":");
		mbuf_json_number(b, t->limit[row->id]);
		mbuf_puts(b, ",\"alert\":");
		mbuf_json_number(b, t->alert[row->id]);
		mbuf_puts(b, ",\"status\":");
		mbuf_json_string(b, target_status_name(row->status));
		mbuf_putc(b, '}');
	}
	mbuf_puts(b, "}}\n");
}

static void log_number(struct mbuf *b, const char *prefix, const char *key, double v)
{
	mbuf_printf(b, " %s%s=", prefix, key);
	if (isnan(v))
		mbuf_puts(b, "n/a");
	else if (v == floor(v) && fabs(v) < 1e15)
		mbuf_printf(b, "%.0f", v);
	else
		mbuf_printf(b, "%.6g", v);
}

void monitor_log_line(struct mbuf *b, const char *time, const struct monitor_reading *r,
		      const struct targets *t)
{
	const struct monitor_stats *s = &r->stats;
	struct monitor_target_row rows[MONITOR_TARGET_ROWS];

	mbuf_printf(b, "time=%s running=yes source=%s", time, s->from_stats ? "stats" : "status");
	for (int k = 0; k < STATS_N; k++) {
		const struct stats_figure *f = stats_figure(k);

		if (monitor_writes_itself(k))
			continue;
		switch (f->type) {
		case STATS_TYPE_COUNT:
		case STATS_TYPE_NUMBER:
		case STATS_TYPE_LEVEL:
			log_number(b, figure_prefix(k), f->key, s->num[k]);
			break;
		case STATS_TYPE_FLAG:
			mbuf_printf(b, " %s=%s", f->key,
				    isnan(s->num[k]) ? "n/a" : s->num[k] != 0.0 ? "yes" : "no");
			break;
		case STATS_TYPE_STATE:
		case STATS_TYPE_TEXT:
			mbuf_printf(b, " %s=", f->key);
			mbuf_logfmt_value(b, s->str[k][0] ? s->str[k] : "n/a");
			break;
		case STATS_TYPE_HIST:
			break; /* too long for a log line: --json has them */
		}
	}
	log_number(b, "", "cpu_percent", isnan(r->cpu_percent) ? NAN :
					 round(r->cpu_percent * 100) / 100);
	log_number(b, "", "cpu_time_ms", r->cpu_time_ms);
	log_number(b, "", "rss_kib", r->rss_kib);
	log_number(b, "", "xruns_per_hour", isnan(r->xruns_per_hour) ? NAN :
					    round(r->xruns_per_hour * 100) / 100);
	monitor_targets_eval(t, r, rows);
	for (int i = 0; i < MONITOR_TARGET_ROWS; i++)
		mbuf_printf(b, " target.%s=%s", target_key(rows[i].id),
			    target_status_name(rows[i].status));
	mbuf_putc(b, '\n');
}

void monitor_log_down_line(struct mbuf *b, const char *time, const char *why)
{
	mbuf_printf(b, "time=%s running=no error=", time);
	mbuf_logfmt_value(b, why);
	mbuf_putc(b, '\n');
}
