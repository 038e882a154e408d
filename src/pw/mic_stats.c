/* SPDX-License-Identifier: MIT */
/*
 * What the mic service reports: one snapshot of everything (mic_report_collect), rendered as the
 * control socket's 'status' and 'stats' replies here and as Prometheus metrics in mic_metrics.c.
 * Main thread only. The audio thread never waits for any of this: every value it produces is an
 * atomic or lives in a seqlock histogram (core/telemetry.h) that is copied here.
 */
#include "pw/mic_private.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "service/metrics_text.h"
#include "service/proc_usage.h"
#include "vocana_config.h"

static const char *breaker_name(enum engine_breaker_state b)
{
	switch (b) {
	case ENGINE_BREAKER_CLOSED:
		return "closed";
	case ENGINE_BREAKER_OPEN:
		return "open";
	case ENGINE_BREAKER_HALF_OPEN:
		return "half-open";
	}
	return "unknown";
}

void mic_report_collect(struct mic *m, struct mic_report *r)
{
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
	r->overflows = r->es.late_frames_dropped + r->es.submit_failures;
}

static void add_status_keys(struct mic *m, const struct mic_report *rp, struct control_reply *r)
{
	const struct mic_streams_stats *ss = &rp->ss;
	const struct engine_stats *es = &rp->es;
	const char *target = m->streams ? mic_streams_target(m->streams) : NULL;

	control_reply_add(r, "running", "yes");
	control_reply_add(r, "pid", "%ld", (long)getpid());
	control_reply_add(r, "version", "%s", VOCANA_VERSION_STRING);
	control_reply_add(r, "connected", "%s", m->connected ? "yes" : "no");
	control_reply_add(r, "node", "%s", m->node_name);
	control_reply_add(r, "description", "%s", m->description);
	control_reply_add(r, "input", "%s", target ? target : "(none)");
	control_reply_add(r, "input_follows_default", "%s", m->opts.input ? "no" : "yes");
	control_reply_add(r, "input_active", "%s", ss->capturing ? "yes" : "no");
	control_reply_add(r, "input_state", "%s", ss->capture_state ? ss->capture_state : "unconnected");
	control_reply_add(r, "recording", "%s", ss->streaming ? "yes" : "no");
	control_reply_add(r, "mode", "%s", m->opts.mode == ENGINE_WORKER ? "worker" : "inline");
	control_reply_add(r, "rate", "%u", ss->rate);
	control_reply_add(r, "quantum", "%u", ss->quantum);
	control_reply_add(r, "latency_samples", "%u", rp->latency_samples);
	control_reply_add(r, "latency_ms", "%.2f", 1000.0 * rp->latency_samples / rp->rate);
	control_reply_add(r, "resampling", "%s",
			  ss->rate_unsupported ? "unsupported (pass-through)" :
			  (ss->rate && ss->rate != VOCANA_SAMPLE_RATE) ? "yes" : "no");
	control_reply_add(r, "cpu_percent", "%.2f", m->cpu_percent);
	control_reply_add(r, "dsp_load_percent", "%.2f", m->dsp_load_percent);
	control_reply_add(r, "process_max_us", "%u", ss->process_ns_max / 1000);
	control_reply_add(r, "cycles", "%llu", (unsigned long long)ss->cycles);
	control_reply_add(r, "cycles_without_input", "%llu",
			  (unsigned long long)ss->cycles_no_capture);
	control_reply_add(r, "capture_cycles", "%llu", (unsigned long long)ss->capture_cycles);
	control_reply_add(r, "handoff_delay", "%u", ss->handoff_delay);
	control_reply_add(r, "handoff_switches", "%llu", (unsigned long long)ss->handoff_switches);
	control_reply_add(r, "handoff_recoveries", "%llu",
			  (unsigned long long)ss->handoff_recoveries);
	control_reply_add(r, "no_output_buffer", "%llu", (unsigned long long)ss->no_output_buffer);
	control_reply_add(r, "frames", "%llu", (unsigned long long)es->frames);
	control_reply_add(r, "frames_denoised", "%llu", (unsigned long long)es->frames_denoised);
	control_reply_add(r, "misses", "%llu", (unsigned long long)es->deadline_misses);
	control_reply_add(r, "xruns", "%llu", (unsigned long long)ss->xruns);
	control_reply_add(r, "breaker", "%s", breaker_name(es->breaker));
	control_reply_add(r, "breaker_trips", "%llu", (unsigned long long)es->breaker_trips);
	control_reply_add(r, "model_p99_us", "%.0f", telemetry_percentile_us(&rp->model_times, 99.0));
	control_reply_add(r, "input_peak", "%.4f", ss->input_peak);
	control_reply_add(r, "output_peak", "%.4f", ss->output_peak);
	control_reply_add(r, "strength", "%d", m->settings.strength);
	control_reply_add(r, "enabled", "%s", m->settings.enabled ? "yes" : "no");
	control_reply_add(r, "rss_kib", "%lld", rp->rss_kib);
	control_reply_add(r, "uptime_s", "%.1f", rp->uptime_s);
	control_reply_add(r, "connects", "%u", m->n_connects);
	control_reply_add(r, "settings", "%s", m->config_path[0] ? m->config_path : "(none)");
}

void mic_reply_status(struct mic *m, struct control_reply *r)
{
	struct mic_report rp;

	mic_report_collect(m, &rp);
	add_status_keys(m, &rp, r);
}

/* name_p50_us, _p99_us, _max_us, _mean_us, _count and _hist for one histogram. */
static void add_histogram_keys(struct control_reply *r, const char *name,
			       const struct telemetry_snapshot *t)
{
	char key[64], hist[CONTROL_MAX_VALUE];

	snprintf(key, sizeof(key), "%s_p50_us", name);
	control_reply_add(r, key, "%.0f", telemetry_percentile_us(t, 50.0));
	snprintf(key, sizeof(key), "%s_p99_us", name);
	control_reply_add(r, key, "%.0f", telemetry_percentile_us(t, 99.0));
	snprintf(key, sizeof(key), "%s_max_us", name);
	control_reply_add(r, key, "%u", t->max_us);
	snprintf(key, sizeof(key), "%s_mean_us", name);
	control_reply_add(r, key, "%.1f", telemetry_mean_us(t));
	snprintf(key, sizeof(key), "%s_count", name);
	control_reply_add(r, key, "%llu", (unsigned long long)t->count);
	snprintf(key, sizeof(key), "%s_hist", name);
	/* 121 buckets of "lower:count," always fit in CONTROL_MAX_VALUE; if not, an empty value
	 * rather than a cut one. */
	metrics_hist_to_text(t, hist, sizeof(hist));
	control_reply_add(r, key, "%s", hist);
}

void mic_reply_stats(struct mic *m, struct control_reply *r)
{
	struct mic_report rp;
	const struct engine_stats *es = &rp.es;

	mic_report_collect(m, &rp);
	add_status_keys(m, &rp, r);
	control_reply_add(r, "model", "%s", m->opts.model_path ? m->opts.model_path : "embedded");
	control_reply_add(r, "overflows", "%llu", (unsigned long long)rp.overflows);
	control_reply_add(r, "late_frames_dropped", "%llu",
			  (unsigned long long)es->late_frames_dropped);
	control_reply_add(r, "submit_failures", "%llu", (unsigned long long)es->submit_failures);
	control_reply_add(r, "fifo_fill_samples", "%u", es->fifo_fill_samples);
	control_reply_add(r, "margin_frames", "%u", es->margin_frames);
	control_reply_add(r, "margin_changes", "%llu", (unsigned long long)es->margin_changes);
	control_reply_add(r, "input_dbfs", "%.1f", metrics_dbfs(rp.ss.input_peak));
	control_reply_add(r, "output_dbfs", "%.1f", metrics_dbfs(rp.ss.output_peak));
	control_reply_add(r, "vad", "%.3f", es->vad);
	add_histogram_keys(r, "model_time", &rp.model_times);
	add_histogram_keys(r, "cycle_time", &rp.cycle_times);
	control_reply_add(r, "cpu_time_ms", "%.0f", rp.cpu_time_ms);
	control_reply_add(r, "worker_realtime", "%s", es->worker_realtime ? "yes" : "no");
	control_reply_add(r, "memory_locked", "%s", es->memory_locked ? "yes" : "no");
	control_reply_add(r, "test_slow_model_us", "%u", m->test_slow_model_us);
}
