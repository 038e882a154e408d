/* SPDX-License-Identifier: MIT */
/*
 * Data collection of `vocana monitor`: ask the running mic service for its figures over the
 * control socket ("stats", or "status" from services that predate it), parse the key=value reply
 * into a struct, and measure the service's CPU use and memory ourselves from /proc.
 *
 * Every figure may be missing (an older service, a garbled line): numbers are then NaN, flags -1
 * and strings empty, and the views print "n/a". Parsing never fails on bad input.
 */
#ifndef VOCANA_CLI_MONITOR_DATA_H
#define VOCANA_CLI_MONITOR_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "service/stats_table.h"

#define MONITOR_HIST_MAX 128 /* the telemetry histogram has 121 buckets */
#define MONITOR_STR_MAX 128

/* A latency histogram: bins[i] counts values from lower_us[i] up to the next bin's lower bound.
 * n < 0: missing or garbled. */
struct monitor_hist {
	int n;
	double lower_us[MONITOR_HIST_MAX];
	double count[MONITOR_HIST_MAX];
};

/* The figures of the service's table (service/stats_table.h), as parsed from a reply. */
struct monitor_stats {
	bool from_stats;                        /* the service answered "stats" (false: "status") */
	double num[STATS_N];                    /* numbers; FLAG 1 or 0; STATE its index; NaN = missing */
	char str[STATS_N][MONITOR_STR_MAX];     /* TEXT and STATE figures; "" = missing */
	struct monitor_hist hist[STATS_N_HIST]; /* HIST figures, by stats_hist_slot() */
};

/* Everything missing. */
void monitor_stats_clear(struct monitor_stats *s);

/* A FLAG figure: 1, 0, or -1 when missing. */
int monitor_flag(const struct monitor_stats *s, enum stat_id id);

/* A HIST figure's histogram (n < 0: missing), or NULL for another figure. */
const struct monitor_hist *monitor_hist_of(const struct monitor_stats *s, enum stat_id id);

/*
 * Parse the key=value lines of a reply (after its "ok" line; an "ok" line itself is skipped) into
 * s, which is cleared first, by the figures' types. Unknown keys are ignored; values that do not
 * parse stay missing, and so do negative COUNT and NUMBER values (the service writes -1 for
 * "unknown"). An older service's reply lacks the newer keys: its input_peak/output_peak (linear)
 * then give input_dbfs/output_dbfs, and its model_p99_us gives model_time_p99_us.
 */
void monitor_parse_reply(const char *reply, struct monitor_stats *s);

/* Parse "lower_us:count,lower_us:count,..." (only non-empty bins; "" = nothing timed yet, 0 bins)
 * into h. Returns the number of bins, or -1 (h->n = -1) for garbled text or more than
 * MONITOR_HIST_MAX bins. */
int monitor_parse_hist(const char *text, struct monitor_hist *h);

/* Peak amplitude (linear, full scale 1) to dBFS, floored at -120 (silence). NaN stays NaN. */
double monitor_peak_to_dbfs(double peak);

/* ---- /proc measurements (read with service/proc_usage.h) ------------------------------------ */

/* CPU use of one process over a window of at least MONITOR_CPU_WINDOW_S: feed it readings; it
 * keeps the reference reading and the last result. */
#define MONITOR_CPU_WINDOW_S 1.0

struct monitor_cpu {
	pid_t pid;
	bool have_ref;
	double ref_s;
	long long ref_ticks;
	double percent;  /* % of one core over the last complete window; NaN until one completed */
	double window_s; /* that window's length */
};

void monitor_cpu_init(struct monitor_cpu *c);

/* One reading (now_s: a monotonic clock in seconds; ticks per second: CLK_TCK). A new pid or a
 * counter that went backwards restarts the measurement. */
void monitor_cpu_update(struct monitor_cpu *c, pid_t pid, double now_s, long long ticks,
			long ticks_per_s);

/* One sample as the views show it: the service's figures plus what the monitor measured. */
struct monitor_reading {
	struct monitor_stats stats;
	double cpu_percent;    /* % of one core from /proc deltas; NaN until a window completed */
	double cpu_window_s;   /* the window it was measured over */
	double cpu_time_ms;    /* utime + stime so far, from /proc; NaN if unreadable */
	double rss_kib;        /* VmRSS from /proc, or the service's rss_kib if /proc is unreadable */
	bool rss_from_proc;
	double xruns_per_hour; /* (xruns + misses) per hour of uptime while recording, else NaN */
};

/* Fill the derived figures of r from r->stats (call after setting the measured ones). */
void monitor_reading_derive(struct monitor_reading *r);

/* ---- the control socket -------------------------------------------------------------------------- */

/*
 * Ask the service at socket_path for "stats" (falling back to "status" when it answers "unknown
 * request") and parse the reply into s. Returns 0; -ENOENT or -ECONNREFUSED when no service
 * listens; -EPROTO with the service's error text in err; or another negative errno.
 */
int monitor_collect(const char *socket_path, struct monitor_stats *s, char *err, size_t err_size);

#endif /* VOCANA_CLI_MONITOR_DATA_H */
