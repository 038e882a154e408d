/* SPDX-License-Identifier: MIT */
#include "service/targets.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service/config.h"
#include "service/paths.h"

struct target_info {
	const char *key;
	const char *label;
	const char *unit;
	double limit;
	double alert;
};

/* The design targets (docs/performance.md). A 10 ms frame in 100 us is 1% of one core. */
static const struct target_info target_info[TARGET_COUNT] = {
	[TARGET_ADDED_LATENCY_MS] = { "added_latency_ms", "added latency", "ms", 15, 30 },
	[TARGET_ALGO_LATENCY_MS] = { "algo_latency_ms", "algorithmic latency", "ms", 10, 20 },
	[TARGET_FRAME_TIME_US] = { "frame_time_us", "time per 10 ms frame", "us", 100, 300 },
	[TARGET_RTF] = { "rtf", "real-time factor", "x", 0.01, 0.03 },
	[TARGET_CPU_IDLE_PCT] = { "cpu_idle_pct", "CPU while idle", "% core", 0.5, 2 },
	[TARGET_CPU_ACTIVE_PCT] = { "cpu_active_pct", "CPU while recording", "% core", 3, 10 },
	[TARGET_MEMORY_MB] = { "memory_mb", "resident memory", "MiB", 16, 32 },
	[TARGET_XRUNS_PER_HOUR] = { "xruns_per_hour", "xruns + misses per hour", "/h", 0, 60 },
	/* Issue 14: the stereo speaker may cost no more than the mono mic. */
	[TARGET_BOTH_CPU_RATIO] = { "both_cpu_ratio", "CPU, both directions / mic alone", "x", 2, 3 },
};

void targets_defaults(struct targets *t)
{
	for (int i = 0; i < TARGET_COUNT; i++) {
		t->limit[i] = target_info[i].limit;
		t->alert[i] = target_info[i].alert;
	}
}

static int find_target(const char *b, const char *e)
{
	for (int i = 0; i < TARGET_COUNT; i++) {
		size_t n = strlen(target_info[i].key);

		if ((size_t)(e - b) == n && strncmp(b, target_info[i].key, n) == 0)
			return i;
	}
	return -1;
}

/* A finite number >= 0, the whole token. */
static int parse_value(const char *b, const char *e, double *out)
{
	char buf[64], *end;
	size_t n = (size_t)(e - b);
	double v;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, b, n);
	buf[n] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (*end != '\0' || errno == ERANGE || !isfinite(v) || v < 0)
		return -EINVAL;
	*out = v;
	return 0;
}

static int apply_target(const struct config_kv *kv, void *ctx, char *err, size_t err_size)
{
	static const struct {
		const char *prefix;
		int is_alert;
	} kinds[] = { { "target.", 0 }, { "alert.", 1 } };
	struct targets *t = ctx;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t plen = strlen(kinds[k].prefix);
		int id;
		double v;

		if ((size_t)(kv->key_end - kv->key) <= plen ||
		    strncmp(kv->key, kinds[k].prefix, plen) != 0)
			continue;
		/* Unknown names are skipped like every unknown key: a newer file still loads. */
		if ((id = find_target(kv->key + plen, kv->key_end)) < 0)
			return 0;
		if (parse_value(kv->value, kv->value_end, &v) < 0) {
			snprintf(err, err_size, "line %u: %s%s must be a number >= 0", kv->line_no,
				 kinds[k].prefix, target_info[id].key);
			return -EINVAL;
		}
		if (kinds[k].is_alert)
			t->alert[id] = v;
		else
			t->limit[id] = v;
		return 0;
	}
	return 0; /* the mic's settings and other keys: not ours */
}

int targets_parse(const char *text, size_t len, struct targets *t, char *err, size_t err_size)
{
	struct targets tmp = *t;
	int res = config_for_each_kv(text, len, apply_target, &tmp, err, err_size);

	if (res < 0)
		return res; /* all or nothing */
	/* An alert below its limit would call a merely missed figure an alert: raise it. */
	for (int i = 0; i < TARGET_COUNT; i++)
		if (!(tmp.alert[i] >= tmp.limit[i]))
			tmp.alert[i] = tmp.limit[i];
	*t = tmp;
	return 0;
}

int targets_load(const char *path, struct targets *t, char *err, size_t err_size)
{
	char default_path[4096], *text;
	size_t len;
	int res;

	if (err_size > 0)
		err[0] = '\0';
	if (path == NULL) {
		if ((res = paths_config_file(default_path, sizeof(default_path))) < 0)
			return res;
		path = default_path;
	}
	if ((res = config_read_file(path, &text, &len, err, err_size)) < 0)
		return res;
	res = targets_parse(text, len, t, err, err_size);
	free(text);
	return res;
}

const char *target_key(enum target_id id)
{
	return (unsigned)id < TARGET_COUNT ? target_info[id].key : NULL;
}

const char *target_label(enum target_id id)
{
	return (unsigned)id < TARGET_COUNT ? target_info[id].label : NULL;
}

const char *target_unit(enum target_id id)
{
	return (unsigned)id < TARGET_COUNT ? target_info[id].unit : NULL;
}

enum target_status targets_check(const struct targets *t, enum target_id id, double measured)
{
	if ((unsigned)id >= TARGET_COUNT || isnan(measured))
		return TARGET_UNKNOWN;
	if (measured > t->alert[id])
		return TARGET_ALERT;
	if (measured > t->limit[id])
		return TARGET_MISSED;
	return TARGET_MET;
}

const char *target_status_name(enum target_status s)
{
	switch (s) {
	case TARGET_MET:
		return "met";
	case TARGET_MISSED:
		return "missed";
	case TARGET_ALERT:
		return "alert";
	case TARGET_UNKNOWN:
		break;
	}
	return "n/a";
}
