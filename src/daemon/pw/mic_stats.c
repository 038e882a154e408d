/* SPDX-License-Identifier: MIT */
/*
 * What the mic service reports: one snapshot of everything (mic_report_collect), turned into the
 * values of the figures table (service/stats_table.h: its value column is expanded here and only
 * here), which the control socket's 'status' and 'stats' replies and /metrics (mic_metrics.c)
 * render. Main thread only. The audio thread never waits for any of this: every value it
 * produces is an atomic or lives in a seqlock histogram (core/telemetry.h) that is copied here.
 */
#include "pw/mic_private.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/metrics_text.h"
#include "service/proc_usage.h"
#include "service/stats_table.h"
#include "vocana_config.h"

/* The breaker figure lists its states by number: "closed|open|half-open". */
_Static_assert(ENGINE_BREAKER_CLOSED == 0 && ENGINE_BREAKER_OPEN == 1 &&
		       ENGINE_BREAKER_HALF_OPEN == 2,
	       "the order of the breaker figure's names in service/stats_table.h");

void mic_report_collect(struct mic *m, struct mic_report *r)
{
	const char *target = m->streams ? mic_streams_target(m->streams) : NULL;
	long ticks_per_s = sysconf(_SC_CLK_TCK);
	long long ticks;

	memset(r, 0, sizeof(*r));
	if (m->streams)
		mic_streams_get_stats(m->streams, &r->ss);
	engine_get_stats(m->engine, &r->es);
	engine_get_model_times(m->engine, &r->model_times);
	if (m->cycle_times)
		telemetry_snapshot(m->cycle_times, &r->cycle_times);
	r->rate = r->ss.rate ? r->ss.rate : VOCANA_SAMPLE_RATE;
	/* Engine latency is in 48 kHz samples; the adapter's is at the graph rate. */
	r->latency_samples = (uint32_t)((uint64_t)r->es.latency_samples * r->rate / VOCANA_SAMPLE_RATE) +
			     r->ss.adapter_latency + r->ss.handoff_delay;
	r->uptime_s = (double)(mic_now_ns(CLOCK_MONOTONIC) - m->started_ns) / 1e9;
	proc_usage_read(getpid(), &ticks, &r->rss_kib);
	r->cpu_time_ms = ticks >= 0 && ticks_per_s > 0 ? (double)ticks * 1000.0 / (double)ticks_per_s
						       : -1.0;
	r->input = target ? target : "(none)";
	r->input_state = r->ss.capture_state ? r->ss.capture_state : "unconnected";
	r->mode = m->opts.mode == ENGINE_WORKER ? "worker" : "inline";
	r->resampling = r->ss.rate_unsupported ? "unsupported (pass-through)" :
			(r->ss.rate && r->ss.rate != VOCANA_SAMPLE_RATE) ? "yes" : "no";
}

void mic_stats_values(struct mic *m, const struct mic_report *r, struct stats_values *v)
{
	/* One assignment per line of the table, converted by the figure's type. */
#define MIC_STATS_VALUE_(key, type, decimals, unit, prom, value, help)                              \
	v->v[STAT_##key] = STATS_VALUE_##type(value);
	STATS_TABLE(MIC_STATS_VALUE_)
#undef MIC_STATS_VALUE_
}

void mic_reply_figures(struct mic *m, struct control_reply *reply, bool status_only)
{
	struct mic_report r;
	struct stats_values v;

	mic_report_collect(m, &r);
	mic_stats_values(m, &r, &v);
	stats_reply_add(reply, &v, status_only);
}
