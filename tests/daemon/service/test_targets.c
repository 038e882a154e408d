/* SPDX-License-Identifier: MIT */
/* Performance targets (src/daemon/service/targets.c): defaults, parsing from vocana.conf, judging. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service/targets.h"
#include "test_util.h"

static int parse(const char *text, struct targets *t, char *err)
{
	return targets_parse(text, strlen(text), t, err, 128);
}

static void test_defaults_and_names(void)
{
	struct targets t;

	targets_defaults(&t);
	CHECK(t.limit[TARGET_ADDED_LATENCY_MS] == 15 && t.alert[TARGET_ADDED_LATENCY_MS] == 30);
	CHECK(t.limit[TARGET_ALGO_LATENCY_MS] == 10 && t.alert[TARGET_ALGO_LATENCY_MS] == 20);
	CHECK(t.limit[TARGET_FRAME_TIME_US] == 100 && t.alert[TARGET_FRAME_TIME_US] == 300);
	CHECK(t.limit[TARGET_RTF] == 0.01 && t.alert[TARGET_RTF] == 0.03);
	CHECK(t.limit[TARGET_CPU_IDLE_PCT] == 0.5 && t.alert[TARGET_CPU_IDLE_PCT] == 2);
	CHECK(t.limit[TARGET_CPU_ACTIVE_PCT] == 3 && t.alert[TARGET_CPU_ACTIVE_PCT] == 10);
	CHECK(t.limit[TARGET_MEMORY_MB] == 16 && t.alert[TARGET_MEMORY_MB] == 32);
	CHECK(t.limit[TARGET_XRUNS_PER_HOUR] == 0 && t.alert[TARGET_XRUNS_PER_HOUR] == 60);
	for (int i = 0; i < TARGET_COUNT; i++) {
		CHECK(target_key(i) != NULL && target_label(i) != NULL && target_unit(i) != NULL);
		CHECK(t.alert[i] >= t.limit[i]);
		for (int j = 0; j < i; j++)
			CHECK(strcmp(target_key(i), target_key(j)) != 0);
	}
	CHECK(strcmp(target_key(TARGET_MEMORY_MB), "memory_mb") == 0);
	CHECK(target_key(TARGET_COUNT) == NULL && target_label(-1) == NULL &&
	      target_unit(TARGET_COUNT) == NULL);
}

static void test_check(void)
{
	struct targets t;

	targets_defaults(&t);
	CHECK(targets_check(&t, TARGET_FRAME_TIME_US, 50) == TARGET_MET);
	CHECK(targets_check(&t, TARGET_FRAME_TIME_US, 100) == TARGET_MET); /* at the limit: met */
	CHECK(targets_check(&t, TARGET_FRAME_TIME_US, 100.5) == TARGET_MISSED);
	CHECK(targets_check(&t, TARGET_FRAME_TIME_US, 300) == TARGET_MISSED);
	CHECK(targets_check(&t, TARGET_FRAME_TIME_US, 301) == TARGET_ALERT);
	CHECK(targets_check(&t, TARGET_FRAME_TIME_US, NAN) == TARGET_UNKNOWN);
	CHECK(targets_check(&t, TARGET_FRAME_TIME_US, INFINITY) == TARGET_ALERT);
	CHECK(targets_check(&t, TARGET_XRUNS_PER_HOUR, 0) == TARGET_MET);
	CHECK(targets_check(&t, TARGET_XRUNS_PER_HOUR, 1) == TARGET_MISSED);
	CHECK(targets_check(&t, TARGET_COUNT, 1) == TARGET_UNKNOWN);
	CHECK(strcmp(target_status_name(TARGET_MET), "met") == 0);
	CHECK(strcmp(target_status_name(TARGET_MISSED), "missed") == 0);
	CHECK(strcmp(target_status_name(TARGET_ALERT), "alert") == 0);
	CHECK(strcmp(target_status_name(TARGET_UNKNOWN), "n/a") == 0);
}

static void test_parse_good(void)
{
	struct targets t;
	char err[128];

	targets_defaults(&t);
	/* The mic's own settings, comments, unknown keys and unknown targets are all skipped. */
	CHECK(parse("# my settings\nstrength = 80\nenabled = false\nfuture = x\n"
		    "target.future_knob = 3\nalert.future_knob = nope\n"
		    "target.memory_mb = 24   # roomier\n"
		    "  alert.memory_mb=48\n"
		    "target.rtf = 2.5e-2\n",
		    &t, err) == 0);
	CHECK(t.limit[TARGET_MEMORY_MB] == 24 && t.alert[TARGET_MEMORY_MB] == 48);
	CHECK(t.limit[TARGET_RTF] == 0.025);
	/* The default alert (0.03) is above the new limit: kept. */
	CHECK(t.alert[TARGET_RTF] == 0.03);
	CHECK(t.limit[TARGET_ADDED_LATENCY_MS] == 15); /* untouched */

	/* An alert below its limit is raised to the limit, whichever line came first. */
	targets_defaults(&t);
	CHECK(parse("alert.frame_time_us = 50\ntarget.frame_time_us = 200\n", &t, err) == 0);
	CHECK(t.limit[TARGET_FRAME_TIME_US] == 200 && t.alert[TARGET_FRAME_TIME_US] == 200);
	targets_defaults(&t);
	CHECK(parse("target.added_latency_ms = 40\n", &t, err) == 0); /* default alert 30 < 40 */
	CHECK(t.alert[TARGET_ADDED_LATENCY_MS] == 40);
	CHECK(targets_check(&t, TARGET_ADDED_LATENCY_MS, 41) == TARGET_ALERT);
	/* Zero is a valid (strict) target. */
	CHECK(parse("target.cpu_idle_pct = 0\n", &t, err) == 0 && t.limit[TARGET_CPU_IDLE_PCT] == 0);
}

static void test_parse_bad(void)
{
	static const char *bad[] = {
		"target.memory_mb = -1\n",  "target.memory_mb = \n",	  "target.memory_mb = 1x\n",
		"alert.rtf = nan\n",	    "alert.rtf = inf\n",	  "target.rtf = 1e999\n",
		"target.rtf = 0x\n",	    "target.rtf = ten\n",	  "target.rtf\n",
	};
	struct targets t, before;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int res;

		targets_defaults(&t);
		res = parse(bad[i], &t, err);
		CHECK_MSG(res == -EINVAL, "accepted '%s'", bad[i]);
		CHECK_MSG(strncmp(err, "line 1:", 7) == 0, "err '%s'", err);
	}
	/* The tokenizer is shared, but the mic's values are the mic's to judge. */
	CHECK(parse("strength = 500\n", &t, err) == 0);
	/* The error names the line and the key; nothing changes (all or nothing). */
	targets_defaults(&t);
	before = t;
	CHECK(parse("target.memory_mb = 20\n# c\n\nalert.cpu_idle_pct = lots\n", &t, err) == -EINVAL);
	CHECK_MSG(strcmp(err, "line 4: alert.cpu_idle_pct must be a number >= 0") == 0, "err '%s'",
		  err);
	CHECK(memcmp(&t, &before, sizeof(t)) == 0);
}

static void test_load(void)
{
	char dir[] = "/tmp/vocana-test-targets.XXXXXX", path[128], err[128];
	struct targets t;
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/vocana.conf", dir);
	targets_defaults(&t);
	CHECK(targets_load(path, &t, err, sizeof(err)) == -ENOENT);
	CHECK(t.limit[TARGET_MEMORY_MB] == 16);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("strength = 50\ntarget.xruns_per_hour = 6\nalert.xruns_per_hour = 12\n", f);
		fclose(f);
	}
	CHECK(targets_load(path, &t, err, sizeof(err)) == 0);
	CHECK(t.limit[TARGET_XRUNS_PER_HOUR] == 6 && t.alert[TARGET_XRUNS_PER_HOUR] == 12);
	/* The default path follows XDG_CONFIG_HOME, like the mic's settings. */
	setenv("XDG_CONFIG_HOME", dir, 1);
	snprintf(path, sizeof(path), "%s/vocana", dir);
	CHECK(mkdir(path, 0700) == 0);
	snprintf(path, sizeof(path), "%s/vocana/vocana.conf", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("target.rtf = 0.5\n", f);
		fclose(f);
	}
	targets_defaults(&t);
	CHECK(targets_load(NULL, &t, err, sizeof(err)) == 0 && t.limit[TARGET_RTF] == 0.5);
	/* A directory is not a settings file. */
	CHECK(targets_load(dir, &t, err, sizeof(err)) == -EINVAL);
	unlink(path);
	snprintf(path, sizeof(path), "%s/vocana", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/vocana.conf", dir);
	unlink(path);
	CHECK(rmdir(dir) == 0);
}

/* Random bytes: never a crash, and after any successful parse every alert >= its limit. */
static void test_parse_random(void)
{
	static const char alphabet[] = "target.alert.memory_mbrtf=#\n\r\t 0123456789.e-+nax\0";
	unsigned seed = 20261124u;
	char buf[256], err[128];

	fprintf(stderr, "test_parse_random: seed %u\n", seed);
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = test_rand(&seed) % sizeof(buf);
		struct targets t;
		int res;

		for (size_t i = 0; i < n; i++)
			buf[i] = alphabet[test_rand(&seed) % (sizeof(alphabet) - 1)];
		targets_defaults(&t);
		res = targets_parse(buf, n, &t, err, sizeof(err));
		CHECK(res == 0 || res == -EINVAL);
		for (int i = 0; i < TARGET_COUNT; i++)
			CHECK(t.limit[i] >= 0 && isfinite(t.limit[i]) && t.alert[i] >= t.limit[i]);
	}
}

int main(void)
{
	RUN_TEST(test_defaults_and_names);
	RUN_TEST(test_check);
	RUN_TEST(test_parse_good);
	RUN_TEST(test_parse_bad);
	RUN_TEST(test_load);
	RUN_TEST(test_parse_random);
	return test_finish();
}
