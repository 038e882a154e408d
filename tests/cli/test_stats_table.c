/* SPDX-License-Identifier: MIT */
/*
 * The figures table (src/daemon/service/stats_table.h) and everything it drives, checked figure by
 * figure over the whole table, so a line added to it is tested here without touching this file:
 *  - the table itself: keys and Prometheus names well formed and unique, units that /metrics
 *    can convert to the base unit its name carries, counters named _total; the speaker's part
 *    ("speaker." keys) sharing its metrics with the first part's copies;
 *  - the control reply: every figure's line, 'status' only the status figures, and the monitor
 *    parsing the reply back to the same value (the service's and the CLI's sides agree);
 *  - the Prometheus exposition: every named figure with its value in base units, unknown
 *    numbers left out, the speaker's samples labelled direction="speaker" and only while the
 *    speaker is on;
 *  - the monitor's JSON and log lines: every figure's key;
 *  - docs/microphone.md (argv[1]): every key documented.
 */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/monitor/monitor_data.h"
#include "cli/monitor/monitor_output.h"
#include "core/telemetry.h"
#include "json_check.h"
#include "service/control.h"
#include "service/metrics_text.h"
#include "service/stats_table.h"
#include "service/targets.h"
#include "test_util.h"

static const char *docs_path;
static struct telemetry_snapshot hist_values;

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static bool is_snake_case(const char *s)
{
	if (!islower((unsigned char)s[0]))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

static int n_state_names(const struct stats_figure *f)
{
	char name[64];
	int n = 0;

	while (stats_state_name(f, n, name, sizeof(name))[0])
		n++;
	return n;
}

static void test_table(void)
{
	bool status_part = true;
	int n_hist = 0;

	for (int i = 0; i < STATS_N; i++) {
		const struct stats_figure *f = stats_figure(i);
		const char *p = f->prometheus;
		const char *base = f->key + (f->speaker ? strlen(STATS_SPEAKER_PREFIX) : 0);

		/* The speaker's keys are "speaker." + a key of the same kind. */
		CHECK_MSG(f->speaker == (strncmp(f->key, STATS_SPEAKER_PREFIX,
						 strlen(STATS_SPEAKER_PREFIX)) == 0), "key '%s'", f->key);
		CHECK_MSG(is_snake_case(base), "key '%s'", f->key);
		if (!f->speaker && stats_speaker_twin(i) >= 0) {
			const struct stats_figure *t = stats_figure(stats_speaker_twin(i));

			CHECK_MSG(t->type == f->type && strcmp(t->unit, f->unit) == 0 &&
					  strcmp(t->prometheus, p) == 0 && t->in_status == f->in_status,
				  "%s and its speaker copy differ", f->key);
		}
		CHECK_MSG(stats_find(f->key) == i, "key '%s' twice", f->key);
		CHECK_MSG(f->help[0] && ends_with(f->help, "."), "%s: help is one sentence", f->key);
		/* 'status' figures come first: 'stats' is 'status' plus more, in the same order. */
		CHECK_MSG(!f->in_status || status_part, "%s: a status figure after stats ones", f->key);
		status_part = f->in_status;
		CHECK_MSG(f->type == STATS_TYPE_COUNT ? f->decimals == 0 : true, "%s", f->key);
		if (f->type == STATS_TYPE_STATE)
			CHECK_MSG(n_state_names(f) >= 2, "%s: a state needs its names", f->key);
		if (f->type == STATS_TYPE_HIST) {
			CHECK_MSG(strcmp(f->unit, "us") == 0, "%s: histograms are in us", f->key);
			CHECK(stats_hist_slot(i) == n_hist++);
		} else {
			CHECK(stats_hist_slot(i) == -1);
		}
		if (p[0] == '\0')
			continue;
		CHECK_MSG(is_snake_case(p), "%s: metric '%s'", f->key, p);
		/* Counters are _total (histograms bring their own _count); nothing else is. */
		CHECK_MSG((f->type == STATS_TYPE_COUNT) == ends_with(p, "_total"), "%s: %s", f->key, p);
		/* The name carries the base unit, the figure's unit converts to it. */
		if (ends_with(p, "_seconds") || ends_with(p, "_seconds_total"))
			CHECK_MSG(strcmp(f->unit, "s") == 0 || strcmp(f->unit, "ms") == 0 ||
					  strcmp(f->unit, "us") == 0,
				  "%s: %s from '%s'", f->key, p, f->unit);
		if (ends_with(p, "_bytes"))
			CHECK_MSG(strcmp(f->unit, "KiB") == 0, "%s: %s from '%s'", f->key, p, f->unit);
		if (strcmp(f->unit, "ms") == 0 || strcmp(f->unit, "us") == 0 ||
		    strcmp(f->unit, "s") == 0)
			CHECK_MSG(strstr(p, "_seconds") != NULL, "%s: %s lacks its unit", f->key, p);
		/* One figure per metric, except the labels of an info metric and the speaker's copy
		 * of a direction's figure. */
		for (int j = 0; j < i; j++)
			if (strcmp(stats_figure(j)->prometheus, p) == 0)
				CHECK_MSG((f->type == STATS_TYPE_TEXT &&
					   stats_figure(j)->type == STATS_TYPE_TEXT) ||
						  stats_speaker_twin(j) == i,
					  "%s and %s share %s", stats_figure(j)->key, f->key, p);
	}
	CHECK(n_hist == STATS_N_HIST);
	CHECK(stats_find("no_such_key") == -1);
	CHECK(stats_unit_to_base("ms") == 1e-3 && stats_unit_to_base("KiB") == 1024.0 &&
	      stats_unit_to_base("samples") == 1.0);
	CHECK(stats_state_index(stats_figure(STAT_breaker), "half-open") == 2);
	CHECK(stats_state_index(stats_figure(STAT_breaker), "half") == -1);
}

/* A distinct value for every figure, by its type. */
static void fill(struct stats_values *v, char texts[STATS_N][64])
{
	static const uint32_t us[] = { 3, 40, 40, 900, 131072 };
	struct telemetry *t = NULL;

	CHECK(telemetry_create(&t) == 0);
	for (size_t i = 0; t && i < sizeof(us) / sizeof(us[0]); i++)
		telemetry_record_latency_us(t, us[i]);
	if (t)
		CHECK(telemetry_snapshot(t, &hist_values) == 0);
	telemetry_destroy(t);

	memset(v, 0, sizeof(*v));
	for (int i = 0; i < STATS_N; i++) {
		const struct stats_figure *f = stats_figure(i);

		switch (f->type) {
		case STATS_TYPE_COUNT:
			v->v[i].num = 1000 + i;
			break;
		case STATS_TYPE_NUMBER:
			v->v[i].num = 10 + i + 0.3;
			break;
		case STATS_TYPE_LEVEL:
			v->v[i].num = -(10 + i + 0.3);
			break;
		case STATS_TYPE_FLAG:
			/* The speaker is on: its samples are in the exposition. */
			v->v[i].num = i == STAT_speaker ? 1 : i % 2;
			break;
		case STATS_TYPE_STATE:
			v->v[i].num = n_state_names(f) - 1;
			break;
		case STATS_TYPE_TEXT:
			snprintf(texts[i], 64, "text of %s", f->key);
			v->v[i].text = texts[i];
			break;
		case STATS_TYPE_HIST:
			v->v[i].hist = &hist_values;
			break;
		}
	}
}

/* Whether a reply's text has a line "key=...". */
static bool has_line(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == '=')
			return true;
	return false;
}

static void test_reply_round_trip(void)
{
	static struct control_reply reply, status;
	static struct monitor_stats s;
	static char texts[STATS_N][64];
	struct stats_values v;

	fill(&v, texts);
	stats_reply_add(&reply, &v, false);
	stats_reply_add(&status, &v, true);
	CHECK(!reply.failed && reply.len < sizeof(reply.text) - 1); /* nothing left out */
	monitor_parse_reply(reply.text, &s);
	for (int i = 0; i < STATS_N; i++) {
		const struct stats_figure *f = stats_figure(i);
		char name[64];

		CHECK_MSG(has_line(reply.text, f->key), "%s: not in the stats reply", f->key);
		CHECK_MSG(has_line(status.text, f->key) == f->in_status, "%s: in the status reply: %d",
			  f->key, !f->in_status);
		switch (f->type) {
		case STATS_TYPE_COUNT:
		case STATS_TYPE_NUMBER:
		case STATS_TYPE_LEVEL:
			CHECK_MSG(fabs(s.num[i] - v.v[i].num) <= 0.5 * pow(10.0, -(double)f->decimals),
				  "%s: sent %g, parsed %g", f->key, v.v[i].num, s.num[i]);
			break;
		case STATS_TYPE_FLAG:
			CHECK_MSG(monitor_flag(&s, i) == (int)v.v[i].num, "%s", f->key);
			break;
		case STATS_TYPE_STATE:
			CHECK_MSG(s.num[i] == v.v[i].num, "%s: index %g", f->key, s.num[i]);
			CHECK_MSG(strcmp(s.str[i], stats_state_name(f, (int)v.v[i].num, name,
								    sizeof(name))) == 0,
				  "%s: '%s'", f->key, s.str[i]);
			break;
		case STATS_TYPE_TEXT:
			CHECK_MSG(strcmp(s.str[i], texts[i]) == 0, "%s: '%s'", f->key, s.str[i]);
			break;
		case STATS_TYPE_HIST: {
			const struct monitor_hist *h = monitor_hist_of(&s, i);
			double total = 0;

			CHECK_MSG(h && h->n == 4, "%s: %d bins", f->key, h ? h->n : -2);
			for (int k = 0; h && k < h->n; k++)
				total += h->count[k];
			CHECK_MSG(total == 5, "%s: %g values", f->key, total);
			break;
		}
		}
	}
}

/* The value of the sample "name value" or "name{...} value" in an exposition, whose labels start
 * with `labels` ("" for any); NAN if absent. */
static double labelled_sample_of(const char *text, const char *name, const char *labels)
{
	size_t n = strlen(name), k = strlen(labels);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, name, n) != 0 || (p[n] != ' ' && p[n] != '{'))
			continue;
		if (k > 0 && (p[n] != '{' || strncmp(p + n + 1, labels, k) != 0))
			continue;
		const char *sp = p[n] == ' ' ? p + n : strchr(p, '}') + 1;
		return strtod(sp, NULL);
	}
	return NAN;
}

static double sample_of(const char *text, const char *name)
{
	return labelled_sample_of(text, name, "");
}

#define SPEAKER_LABEL "direction=\"speaker\""

static void test_prometheus(void)
{
	static char texts[STATS_N][64];
	struct stats_values v;
	struct text_buf b;

	fill(&v, texts);
	text_buf_init(&b);
	stats_prometheus(&b, &v);
	CHECK(!b.failed && b.data != NULL);
	for (int i = 0; b.data && i < STATS_N; i++) {
		const struct stats_figure *f = stats_figure(i);
		char want[256], got_name[128];
		double x;

		const char *labels = f->speaker ? SPEAKER_LABEL : "";

		if (f->prometheus[0] == '\0')
			continue;
		snprintf(want, sizeof(want), "# TYPE %s %s\n", f->prometheus,
			 f->type == STATS_TYPE_COUNT ? "counter" :
			 f->type == STATS_TYPE_HIST  ? "histogram" : "gauge");
		CHECK_MSG(strstr(b.data, want) != NULL, "%s: no '%s'", f->key, want);
		/* One header per metric: the speaker's samples are in the first part's group. */
		CHECK_MSG(strstr(strstr(b.data, want) + 1, want) == NULL, "%s: two '%s'", f->key, want);
		switch (f->type) {
		case STATS_TYPE_HIST:
			snprintf(got_name, sizeof(got_name), "%s_count", f->prometheus);
			CHECK_MSG(labelled_sample_of(b.data, got_name, labels) == 5, "%s", got_name);
			break;
		case STATS_TYPE_TEXT:
			snprintf(want, sizeof(want), "%s=\"%s\"", f->key, texts[i]);
			CHECK_MSG(strstr(b.data, want) != NULL, "%s: no label %s", f->key, want);
			CHECK_MSG(sample_of(b.data, f->prometheus) == 1, "%s", f->prometheus);
			break;
		default:
			x = v.v[i].num * stats_unit_to_base(f->unit);
			CHECK_MSG(fabs(labelled_sample_of(b.data, f->prometheus, labels) - x) <=
					  1e-12 * fabs(x),
				  "%s: %s = %.17g, want %.17g", f->key, f->prometheus,
				  labelled_sample_of(b.data, f->prometheus, labels), x);
		}
	}
	text_buf_free(&b);

	/* The speaker off: none of its samples. */
	v.v[STAT_speaker].num = 0;
	text_buf_init(&b);
	stats_prometheus(&b, &v);
	CHECK(b.data != NULL && strstr(b.data, SPEAKER_LABEL) == NULL);
	text_buf_free(&b);
	v.v[STAT_speaker].num = 1;

	/* A number the service could not measure (-1) is left out, not served as -1. */
	for (int i = 0; i < STATS_N; i++)
		if (stats_figure(i)->type == STATS_TYPE_COUNT || stats_figure(i)->type == STATS_TYPE_NUMBER)
			v.v[i].num = -1;
	text_buf_init(&b);
	stats_prometheus(&b, &v);
	for (int i = 0; b.data && i < STATS_N; i++) {
		const struct stats_figure *f = stats_figure(i);

		if (f->prometheus[0] && (f->type == STATS_TYPE_COUNT || f->type == STATS_TYPE_NUMBER))
			CHECK_MSG(strstr(b.data, f->prometheus) == NULL, "%s served unmeasured", f->prometheus);
	}
	text_buf_free(&b);
}

static void test_monitor_lines(void)
{
	static char json[MONITOR_LINE_MAX], log[MONITOR_LINE_MAX], texts[STATS_N][64];
	static struct control_reply reply;
	static struct monitor_reading r;
	struct stats_values v;
	struct targets t;
	struct mbuf b;

	fill(&v, texts);
	stats_reply_add(&reply, &v, false);
	monitor_parse_reply(reply.text, &r.stats);
	r.stats.from_stats = true;
	r.cpu_percent = r.cpu_window_s = r.cpu_time_ms = r.rss_kib = 1;
	monitor_reading_derive(&r);
	targets_defaults(&t);
	mbuf_init(&b, json, sizeof(json));
	monitor_json_line(&b, "T", &r, &t);
	CHECK(!b.truncated && json_is_valid(json));
	mbuf_init(&b, log, sizeof(log));
	monitor_log_line(&b, "T", &r, &t);
	CHECK(!b.truncated);
	for (int i = 0; i < STATS_N; i++) {
		const struct stats_figure *f = stats_figure(i);
		/* The service's own CPU and memory figures are prefixed: the plain names are the
		 * monitor's measurements. */
		const char *prefix = i == STAT_cpu_percent || i == STAT_cpu_time_ms || i == STAT_rss_kib ?
					     "service_" : "";
		char key[128];

		snprintf(key, sizeof(key), "\"%s%s\":", prefix, f->key);
		CHECK_MSG(strstr(json, key) != NULL, "%s: not in the JSON line", f->key);
		snprintf(key, sizeof(key), " %s%s=", prefix, f->key);
		CHECK_MSG((strstr(log, key) != NULL) == (f->type != STATS_TYPE_HIST),
			  "%s: in the log line: %d", f->key, f->type == STATS_TYPE_HIST);
	}
}

/* Whether `key` is in the docs, reading `prefix{a,b}suffix` as both names. */
static bool documented(const char *docs, const char *key)
{
	for (const char *p = strchr(docs, '`'); p; p = strchr(p + 1, '`')) {
		const char *end = strchr(p + 1, '`'), *open, *close;
		char word[128];

		if (end == NULL || end - p - 1 >= (long)sizeof(word))
			continue;
		snprintf(word, sizeof(word), "%.*s", (int)(end - p - 1), p + 1);
		if (strcmp(word, key) == 0)
			return true;
		if ((open = strchr(word, '{')) == NULL || (close = strchr(open, '}')) == NULL)
			continue;
		for (const char *alt = open + 1; alt < close;) {
			const char *comma = memchr(alt, ',', (size_t)(close - alt));
			const char *alt_end = comma ? comma : close;
			char name[256];

			snprintf(name, sizeof(name), "%.*s%.*s%s", (int)(open - word), word,
				 (int)(alt_end - alt), alt, close + 1);
			if (strcmp(name, key) == 0)
				return true;
			alt = alt_end + 1;
		}
	}
	return false;
}

static void test_docs(void)
{
	static char docs[1 << 17];
	FILE *f = docs_path ? fopen(docs_path, "r") : NULL;
	size_t n;

	CHECK_MSG(f != NULL, "cannot read %s", docs_path ? docs_path : "(no path given)");
	if (f == NULL)
		return;
	n = fread(docs, 1, sizeof(docs) - 1, f);
	docs[n] = '\0';
	fclose(f);
	for (int i = 0; i < STATS_N; i++) {
		const struct stats_figure *fig = stats_figure(i);

		CHECK_MSG(documented(docs, fig->key), "%s: not documented in %s", fig->key, docs_path);
		if (fig->prometheus[0])
			CHECK_MSG(documented(docs, fig->prometheus), "%s: not documented in %s",
				  fig->prometheus, docs_path);
	}
}

int main(int argc, char **argv)
{
	docs_path = argc > 1 ? argv[1] : NULL;
	RUN_TEST(test_table);
	RUN_TEST(test_reply_round_trip);
	RUN_TEST(test_prometheus);
	RUN_TEST(test_monitor_lines);
	RUN_TEST(test_docs);
	return test_finish();
}
