/* SPDX-License-Identifier: MIT */
/*
 * What the service reports: one snapshot of everything, each direction's part and the service's
 * (mic_report_collect), turned into the values of the figures table (service/stats_table.h: its value column is expanded here and only
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

static void collect_direction(const struct mic_dir *md, struct dir_report *d)
{
	const char *target = md->d ? direction_target(md->d) : NULL;

	d->on = md->d != NULL;
	d->node = md->node_name;
	d->description = md->description;
	d->strength = mic_dir_strength(md);
	d->enabled = mic_dir_enabled(md);
	d->follows_default = md->device == NULL;
	d->wanted = md->device ? md->device : "(default)";
	d->device_missing = md->device_missing;
	d->dsp_load_percent = md->dsp_load_percent;
	if (md->d)
		direction_get_stats(md->d, &d->ds);
	d->rate = d->ds.rate ? d->ds.rate : VOCANA_SAMPLE_RATE;
	/* Engine latency is in 48 kHz samples; the adapter's is at the graph rate. */
	d->latency_samples = (uint32_t)((uint64_t)d->ds.es.latency_samples * d->rate /
					VOCANA_SAMPLE_RATE) + d->ds.adapter_latency + d->ds.handoff_delay;
	d->device = target ? target : "(none)";
	d->device_state = d->ds.device_state ? d->ds.device_state : "unconnected";
	d->resampling = d->ds.rate_unsupported ? "unsupported (pass-through)" :
			(d->ds.rate && d->ds.rate != VOCANA_SAMPLE_RATE) ? "yes" : "no";
}

void mic_report_collect(struct mic *m, struct mic_report *r)
{
	long ticks_per_s = sysconf(_SC_CLK_TCK);
	long long ticks;

	memset(r, 0, sizeof(*r));
	for (int k = 0; k < DIRECTION_N; k++)
		collect_direction(&m->dir[k], &r->dir[k]);
	r->uptime_s = (double)(mic_now_ns(CLOCK_MONOTONIC) - m->started_ns) / 1e9;
	proc_usage_read(getpid(), &ticks, &r->rss_kib);
	r->cpu_time_ms = ticks >= 0 && ticks_per_s > 0 ? (double)ticks * 1000.0 / (double)ticks_per_s
						       : -1.0;
	r->mode = m->opts.mode == ENGINE_WORKER ? "worker" : "inline";
}

void mic_stats_values(struct mic *m, const struct mic_report *r, struct stats_values *v)
{
	/* One assignment per line of the table and part, converted by the figure's type: the first
	 * part's direction figures are the mic's, the speaker's part its own. */
#define MIC_VALUE_(key, scope, type, decimals, unit, prom, value, help)                             \
	STATS_KEEP_MIC_##scope(v->v[STAT_##key] = STATS_VALUE_##type(value);)
#define SPK_VALUE_(key, scope, type, decimals, unit, prom, value, help)                             \
	STATS_KEEP_SPK_##scope(v->v[STAT_speaker_##key] = STATS_VALUE_##type(value);)
	{
		const struct dir_report *d = &r->dir[DIRECTION_MIC];

		STATS_TABLE_STATUS(MIC_VALUE_)
		STATS_TABLE_STATS(MIC_VALUE_)
	}
	{
		const struct dir_report *d = &r->dir[DIRECTION_SPEAKER];

		STATS_TABLE_STATUS(SPK_VALUE_)
		STATS_TABLE_STATS(SPK_VALUE_)
	}
#undef MIC_VALUE_
#undef SPK_VALUE_
}

void mic_reply_figures(struct mic *m, struct control_reply *reply, bool status_only)
{
	struct mic_report r;
	struct stats_values v;

	mic_report_collect(m, &r);
	mic_stats_values(m, &r, &v);
	stats_reply_add(reply, &v, status_only);
}
