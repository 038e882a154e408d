/* SPDX-License-Identifier: MIT */
/*
 * Machine-readable output of `vocana monitor`: one JSON object per line (--json, JSON Lines) or
 * one logfmt-style key=value line (stdout not a terminal). Both are built in memory by pure
 * functions, so tests check them without a service; the caller writes the line.
 */
#ifndef VOCANA_CLI_MONITOR_OUTPUT_H
#define VOCANA_CLI_MONITOR_OUTPUT_H

#include "cli/monitor/monitor_data.h"
#include "cli/monitor/monitor_targets.h"
#include "cli/monitor/monitor_text.h"
#include "service/targets.h"

/* Room for one line with both histograms at their largest. */
#define MONITOR_LINE_MAX 16384

/* Current UTC wall-clock time as "2026-11-24T05:20:11.123Z". */
void monitor_timestamp(char *buf, size_t size);

/* {"time":..., "running":true, every figure (null when missing), "targets":{...}} + '\n'. */
void monitor_json_line(struct mbuf *b, const char *time, const struct monitor_reading *r,
		       const struct targets *t);

/* time=... running=yes pid=... figures (n/a when missing) target.KEY=STATUS ... + '\n'. */
void monitor_log_line(struct mbuf *b, const char *time, const struct monitor_reading *r,
		      const struct targets *t);

/* The line for a service that does not answer: time=... running=no error="..." + '\n'. */
void monitor_log_down_line(struct mbuf *b, const char *time, const char *why);

#endif /* VOCANA_CLI_MONITOR_OUTPUT_H */
