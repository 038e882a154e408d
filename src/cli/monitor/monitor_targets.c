/* SPDX-License-Identifier: MIT */
/* Live judgement of the performance targets (see monitor_targets.h). */
#include "cli/monitor/monitor_targets.h"

#include <math.h>

static void set_row(struct monitor_target_row *row, const struct targets *t, enum target_id id,
		    double value)
{
	row->id = id;
	row->value = value;
	row->status = targets_check(t, id, value);
}

void monitor_targets_eval(const struct targets *t, const struct monitor_reading *r,
			  struct monitor_target_row rows[MONITOR_TARGET_ROWS])
{
	const struct monitor_stats *s = &r->stats;
	int recording = monitor_flag(s, STAT_recording);

	set_row(&rows[0], t, TARGET_ADDED_LATENCY_MS, s->num[STAT_latency_ms]);
	set_row(&rows[1], t, TARGET_FRAME_TIME_US, s->num[STAT_model_time_p50_us]);
	/* Unknown recording state: judge against the stricter idle target would be unfair, the
	 * active one could hide an idle problem; say nothing instead. */
	set_row(&rows[2], t, recording == 0 ? TARGET_CPU_IDLE_PCT : TARGET_CPU_ACTIVE_PCT,
		recording < 0 ? NAN : r->cpu_percent);
	set_row(&rows[3], t, TARGET_MEMORY_MB, r->rss_kib / 1024.0);
	set_row(&rows[4], t, TARGET_XRUNS_PER_HOUR, r->xruns_per_hour);
}

void monitor_format_value(struct mbuf *b, enum target_id id, double value)
{
	if (isnan(value)) {
		mbuf_puts(b, "n/a");
		return;
	}
	switch (id) {
	case TARGET_ADDED_LATENCY_MS:
	case TARGET_ALGO_LATENCY_MS:
		mbuf_printf(b, "%.2f ms", value);
		break;
	case TARGET_FRAME_TIME_US:
		mbuf_printf(b, "%.0f us", value);
		break;
	case TARGET_RTF:
		mbuf_printf(b, "%.3f", value);
		break;
	case TARGET_CPU_IDLE_PCT:
	case TARGET_CPU_ACTIVE_PCT:
		mbuf_printf(b, "%.1f %%", value);
		break;
	case TARGET_MEMORY_MB:
		mbuf_printf(b, "%.1f MiB", value);
		break;
	case TARGET_XRUNS_PER_HOUR:
		mbuf_printf(b, "%.1f /h", value);
		break;
	default:
		mbuf_printf(b, "%g", value);
	}
}

void monitor_target_describe(struct mbuf *b, const struct targets *t,
			     const struct monitor_target_row *row)
{
	const char *label = target_label(row->id);

	mbuf_printf(b, "%s ", label ? label : "?");
	monitor_format_value(b, row->id, row->value);
	mbuf_puts(b, " (limit ");
	monitor_format_value(b, row->id, t->limit[row->id]);
	mbuf_puts(b, ", alert ");
	monitor_format_value(b, row->id, t->alert[row->id]);
	mbuf_printf(b, "): %s", target_status_name(row->status));
}
