/* SPDX-License-Identifier: MIT */
#include "cli/bench/bench_results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vocana/vocana_dev.h"

int bench_target_of(const char *name)
{
	static const struct {
		const char *name;
		int target;
	} fixed[] = {
		{ "pipeline.latency.q256", TARGET_ADDED_LATENCY_MS },
		{ "denoiser.algo_latency", TARGET_ALGO_LATENCY_MS },
		{ "service.cpu.idle", TARGET_CPU_IDLE_PCT },
		{ "service.cpu.active", TARGET_CPU_ACTIVE_PCT },
		{ "service.rss", TARGET_MEMORY_MB },
		{ "load.xruns_per_hour", TARGET_XRUNS_PER_HOUR },
		{ "service.cpu.both_ratio", TARGET_BOTH_CPU_RATIO },
	};
	const char *isa = vocana_dev_isa_name();

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (strcmp(name, fixed[i].name) == 0)
			return fixed[i].target;
	/* The denoiser is measured with every kernel set; the target is about the one a real caller
	 * (the mic, 'vocana denoise') gets on this machine, normally the SIMD one. */
	if (strncmp(name, "denoiser.frame.", 15) == 0 && strcmp(name + 15, isa) == 0)
		return TARGET_FRAME_TIME_US;
	if (strncmp(name, "denoiser.rtf.", 13) == 0 && strcmp(name + 13, isa) == 0)
		return TARGET_RTF;
	return -1;
}

bool bench_unit_is_compared(const char *unit)
{
	static const char *const compared[] = { "ns/sample", "us/frame", "x realtime", "ms", "%core",
						"MiB" };

	for (size_t i = 0; i < sizeof(compared) / sizeof(compared[0]); i++)
		if (strcmp(unit, compared[i]) == 0)
			return true;
	return false;
}

static const struct bench_baseline_entry *find_baseline(const struct bench_baseline *b,
							const char *name)
{
	for (size_t i = 0; b != NULL && i < b->n; i++)
		if (strcmp(b->v[i].name, name) == 0)
			return &b->v[i];
	return NULL;
}

const struct bench_result *bench_results_add(struct bench_results *r, const struct bench_stat *s)
{
	struct bench_result *res;
	const struct bench_baseline_entry *old;

	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 32;
		struct bench_result *v = realloc(r->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		r->v = v;
		r->cap = cap;
	}
	res = &r->v[r->n];
	*res = (struct bench_result){
		.name = strdup(s->name), .unit = strdup(s->unit), .median = s->median,
		.p99 = s->p99, .min = s->min, .max = s->max, .repeats = s->repeats,
		.target = bench_target_of(s->name), .status = TARGET_UNKNOWN,
		.baseline = NAN, .ratio = NAN,
	};
	if (res->name == NULL || res->unit == NULL) {
		free(res->name);
		free(res->unit);
		return NULL;
	}
	/* A figure without repeats has no median, whatever the benchmark left in it. */
	if (res->repeats == 0)
		res->median = res->p99 = res->min = res->max = NAN;
	if (res->target >= 0)
		res->status = targets_check(&r->targets, (enum target_id)res->target, res->median);
	old = find_baseline(r->baseline, res->name);
	if (old != NULL) {
		res->baseline = old->median;
		/* Ratios, not differences: machines differ, a slowdown by a factor does not. */
		if (bench_unit_is_compared(res->unit) && strcmp(old->unit, res->unit) == 0 &&
		    isfinite(res->median) && isfinite(old->median) && old->median > 0) {
			res->ratio = res->median / old->median;
			res->regression = res->ratio > r->regress_ratio;
		}
	}
	r->n++;
	return res;
}

bool bench_results_measured(const struct bench_results *r, int target)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].target == target && r->v[i].status != TARGET_UNKNOWN)
			return true;
	return false;
}

void bench_results_free(struct bench_results *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].unit);
	}
	free(r->v);
	r->v = NULL;
	r->n = r->cap = 0;
}

void bench_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void bench_json_number(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, "%.6g", v);
	else
		fputs("null", f);
}

static void write_field(FILE *f, const char *key, double v)
{
	fprintf(f, ", \"%s\": ", key);
	bench_json_number(f, v);
}

void bench_results_write_json(const struct bench_results *r, FILE *f)
{
	fputc('[', f);
	for (size_t i = 0; i < r->n; i++) {
		const struct bench_result *x = &r->v[i];
		bool judged = x->target >= 0;

		fprintf(f, "%s\n    {\"name\": ", i > 0 ? "," : "");
		bench_json_string(f, x->name);
		fprintf(f, ", \"unit\": ");
		bench_json_string(f, x->unit);
		write_field(f, "median", x->median);
		write_field(f, "p99", x->p99);
		write_field(f, "min", x->min);
		write_field(f, "max", x->max);
		fprintf(f, ", \"repeats\": %u", x->repeats);
		write_field(f, "target", judged ? r->targets.limit[x->target] : NAN);
		write_field(f, "alert", judged ? r->targets.alert[x->target] : NAN);
		fprintf(f, ", \"target_key\": ");
		if (judged)
			bench_json_string(f, target_key((enum target_id)x->target));
		else
			fputs("null", f);
		fprintf(f, ", \"status\": \"%s\"", target_status_name(x->status));
		if (r->baseline != NULL) {
			write_field(f, "baseline", x->baseline);
			write_field(f, "ratio", x->ratio);
			fprintf(f, ", \"regression\": %s", x->regression ? "true" : "false");
		}
		fputc('}', f);
	}
	fputs(r->n > 0 ? "\n  ]" : "]", f);
}
