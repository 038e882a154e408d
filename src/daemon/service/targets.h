/* SPDX-License-Identifier: MIT */
/*
 * Performance targets: what "good" means for Vocana, in one place, shared by `vocana monitor`
 * (live status of a running mic) and `vocana bench` (pass/fail of measured figures).
 *
 * Every target is "lower is better": a measured value at or below its limit is met; above the
 * limit it is missed; above the alert threshold (>= limit) it is an alert. Defaults come from the
 * project's design targets (docs/performance.md); users override any of them in the same settings
 * file as the mic (vocana.conf, see src/daemon/service/config.h), one "key = value" line each:
 *
 *   target.added_latency_ms = 15     # the limit
 *   alert.added_latency_ms = 30      # the alert threshold (must be >= the limit)
 *
 * Unknown "target."/"alert." keys and other settings' keys are skipped, so the mic's settings and
 * the targets live in one file; a known key with a bad value is an error naming the line.
 */
#ifndef VOCANA_SERVICE_TARGETS_H
#define VOCANA_SERVICE_TARGETS_H

#include <stddef.h>

enum target_id {
	TARGET_ADDED_LATENCY_MS = 0, /* end-to-end added latency through PipeWire (quantum 256) */
	TARGET_ALGO_LATENCY_MS,      /* the denoiser's own algorithmic latency */
	TARGET_FRAME_TIME_US,        /* model processing time per 10 ms frame (median) */
	TARGET_RTF,                  /* real-time factor of the denoiser (processing / audio time) */
	TARGET_CPU_IDLE_PCT,         /* service CPU, % of one core, while nobody records */
	TARGET_CPU_ACTIVE_PCT,       /* service CPU, % of one core, while an app records */
	TARGET_MEMORY_MB,            /* resident memory of the running mic, MiB */
	TARGET_XRUNS_PER_HOUR,       /* xruns + deadline misses per hour of recording */
	TARGET_BOTH_CPU_RATIO,       /* service CPU with mic and speaker flowing / mic alone */
	TARGET_COUNT
};

enum target_status {
	TARGET_UNKNOWN = 0, /* not measured (NaN) */
	TARGET_MET,
	TARGET_MISSED,      /* above the limit */
	TARGET_ALERT,       /* above the alert threshold */
};

struct targets {
	double limit[TARGET_COUNT];
	double alert[TARGET_COUNT];
};

/* The built-in defaults. */
void targets_defaults(struct targets *t);

/* Parse settings text (len bytes, need not be NUL-terminated) over the values already in t; all
 * or nothing. 0, or -EINVAL with a one-line reason ("line 4: target.memory_mb must be a number
 * >= 0") in err. After parsing every alert is raised to at least its limit. */
int targets_parse(const char *text, size_t len, struct targets *t, char *err, size_t err_size);

/* Load path over the values in t: 0, -ENOENT (no file: t untouched), -EINVAL (err says why), or
 * another negative errno. path NULL = the default settings file ($XDG_CONFIG_HOME/vocana/vocana.conf). */
int targets_load(const char *path, struct targets *t, char *err, size_t err_size);

/* Names: the config/JSON key ("added_latency_ms"), a label for people ("added latency"), and the
 * unit ("ms"). NULL for an id out of range. */
const char *target_key(enum target_id id);
const char *target_label(enum target_id id);
const char *target_unit(enum target_id id);

/* Judge a measured value (NaN = not measured). */
enum target_status targets_check(const struct targets *t, enum target_id id, double measured);

/* "met", "missed", "alert", "n/a". */
const char *target_status_name(enum target_status s);

#endif /* VOCANA_SERVICE_TARGETS_H */
