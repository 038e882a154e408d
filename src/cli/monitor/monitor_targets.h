/* SPDX-License-Identifier: MIT */
/*
 * The performance targets (src/daemon/service/targets.h) as `vocana monitor` judges them live: which
 * measured figure goes with which target, and how a result reads. Pure, unit-tested.
 *
 *   added latency      latency_ms of the service           TARGET_ADDED_LATENCY_MS
 *   model time/frame   model_time_p50_us                   TARGET_FRAME_TIME_US
 *   CPU                measured % of a core; the active    TARGET_CPU_ACTIVE_PCT / _IDLE_PCT
 *                      target while an app records, else idle
 *   memory             measured resident memory, MiB       TARGET_MEMORY_MB
 *   xruns per hour     (xruns + misses) / hours of uptime  TARGET_XRUNS_PER_HOUR
 *                      while recording, else not measured
 */
#ifndef VOCANA_CLI_MONITOR_TARGETS_H
#define VOCANA_CLI_MONITOR_TARGETS_H

#include "cli/monitor/monitor_data.h"
#include "cli/monitor/monitor_text.h"
#include "service/targets.h"

#define MONITOR_TARGET_ROWS 5

struct monitor_target_row {
	enum target_id id;
	double value;        /* in the target's unit; NaN = not measured */
	enum target_status status;
};

/* Judge a reading against t: MONITOR_TARGET_ROWS rows, in the order above. */
void monitor_targets_eval(const struct targets *t, const struct monitor_reading *r,
			  struct monitor_target_row rows[MONITOR_TARGET_ROWS]);

/* A value in a target's unit with the precision that unit deserves: "12.30 ms", "1234 us",
 * "3.2 %", "25.1 MiB", "0.0 /h"; "n/a" for NaN. */
void monitor_format_value(struct mbuf *b, enum target_id id, double value);

/* One row for people: "added latency 12.30 ms (limit 15.00 ms, alert 30.00 ms): met". */
void monitor_target_describe(struct mbuf *b, const struct targets *t,
			     const struct monitor_target_row *row);

#endif /* VOCANA_CLI_MONITOR_TARGETS_H */
