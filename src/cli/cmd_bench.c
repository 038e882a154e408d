/* SPDX-License-Identifier: MIT */
/*
 * vocana bench GROUP [--json] [--quick]
 *
 * Runs the benchmarks of bench/ and formats what they emit: an aligned table for people or one
 * JSON document for scripts (CI compares those between commits). A new benchmark is one line in
 * a group's table below; a new group (model, pipeline, load) is one more bench_groups entry.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "cli/bench_file.h"
#include "cli/bench_latency.h"
#include "cli/cli.h"

struct bench_entry {
	const char *name;
	int (*run)(bench_emit_fn emit, void *ctx, int quick);
};

struct bench_group {
	const char *name;
	const char *summary;
	const struct bench_entry *entries;
	size_t n_entries;
};

static const struct bench_entry core_entries[] = {
	{ "ring", bench_ring },
	{ "stft", bench_stft },
};

static const struct bench_entry model_entries[] = {
	{ "network", bench_model },
	{ "denoiser", bench_denoise },
	{ "file", bench_denoise_file },
};

static const struct bench_entry pipeline_entries[] = {
	{ "latency", bench_latency },
};

#define GROUP(name, summary, entries) { name, summary, entries, sizeof(entries) / sizeof(entries[0]) }

static const struct bench_group bench_groups[] = {
	GROUP("core", "lock-free ring and STFT", core_entries),
	GROUP("model", "network and whole denoiser per 10 ms frame, scalar vs SIMD; real-time factor", model_entries),
	GROUP("pipeline", "Vocana Microphone through a private PipeWire: added latency per quantum, "
			  "service CPU idle/active, memory (build tree only, ~1-2 min)", pipeline_entries),
};

#define N_GROUPS (sizeof(bench_groups) / sizeof(bench_groups[0]))

static const char usage_text[] =
	"usage: vocana bench GROUP [--json] [--quick]\n"
	"\n"
	"Run benchmarks and print, for each, the median, 99th percentile, minimum and maximum over\n"
	"its repeats. GROUP is one of the groups below, or 'all'.\n"
	"\n"
	"options:\n"
	"  --json     print one JSON document instead of a table\n"
	"  --quick    short runs (for tests; the figures are noisier)\n"
	"  -h, --help show this help\n"
	"\n"
	"groups:\n";

struct emitter {
	bool json;
	unsigned n_results; /* for JSON commas */
};

static void print_json_string(const char *s)
{
	putchar('"');
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_json_number(double v)
{
	if (isfinite(v))
		printf("%.6g", v);
	else
		printf("null"); /* JSON has no NaN or infinity */
}

static void emit_stat(void *ctx, const struct bench_stat *s)
{
	struct emitter *e = ctx;

	if (!e->json) {
		printf("%-32s %-12s %12.4g %12.4g %12.4g %12.4g %8u\n", s->name, s->unit, s->median, s->p99,
		       s->min, s->max, s->repeats);
	} else {
		printf("%s\n    {\"name\": ", e->n_results > 0 ? "," : "");
		print_json_string(s->name);
		printf(", \"unit\": ");
		print_json_string(s->unit);
		printf(", \"median\": ");
		print_json_number(s->median);
		printf(", \"p99\": ");
		print_json_number(s->p99);
		printf(", \"min\": ");
		print_json_number(s->min);
		printf(", \"max\": ");
		print_json_number(s->max);
		printf(", \"repeats\": %u}", s->repeats);
	}
	e->n_results++;
	fflush(stdout); /* long runs: show each result as soon as it exists */
}

/* Runs one group; returns the number of benchmarks that could not run. */
static unsigned run_group(const struct bench_group *g, struct emitter *e, int quick)
{
	unsigned n_failed = 0;

	for (size_t i = 0; i < g->n_entries; i++) {
		int res = g->entries[i].run(emit_stat, e, quick);
		if (res == -ENOTSUP) {
			/* Not a failure: this build or machine cannot run it (the entry said why), e.g.
			 * the pipeline group from an installed vocana, or without PipeWire. */
			cli_warn("benchmark %s.%s skipped: not available here", g->name, g->entries[i].name);
		} else if (res < 0) {
			fflush(stdout);
			cli_error("benchmark %s.%s failed: %s", g->name, g->entries[i].name,
				  cli_strerror(res));
			n_failed++;
		}
	}
	return n_failed;
}

static void print_usage(FILE *f)
{
	fputs(usage_text, f);
	for (size_t i = 0; i < N_GROUPS; i++)
		fprintf(f, "  %-10s %s\n", bench_groups[i].name, bench_groups[i].summary);
}

int cmd_bench(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_QUICK };
	static const struct option long_options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct emitter e = { 0 };
	const char *group;
	unsigned n_failed = 0;
	bool all, found = false;
	int quick = 0, c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: e.json = true; break;
		case OPT_QUICK: quick = 1; break;
		case 'h': print_usage(stdout); return CLI_EXIT_OK;
		default: return cli_usage_error("bench", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("bench", "expected one benchmark group");
	group = argv[optind];
	all = strcmp(group, "all") == 0;
	for (size_t i = 0; i < N_GROUPS; i++)
		found = found || strcmp(group, bench_groups[i].name) == 0;
	if (!all && !found)
		return cli_usage_error("bench", "unknown benchmark group '%s'", group);

	if (e.json) {
		printf("{\n  \"group\": ");
		print_json_string(group);
		printf(",\n  \"quick\": %s,\n  \"results\": [", quick ? "true" : "false");
	} else {
		printf("%-32s %-12s %12s %12s %12s %12s %8s\n", "name", "unit", "median", "p99", "min",
		       "max", "repeats");
	}
	for (size_t i = 0; i < N_GROUPS; i++)
		if (all || strcmp(group, bench_groups[i].name) == 0)
			n_failed += run_group(&bench_groups[i], &e, quick);
	if (e.json)
		printf("\n  ],\n  \"failed\": %u\n}\n", n_failed);
	fflush(stdout);
	return n_failed > 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
