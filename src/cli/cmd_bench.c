/* SPDX-License-Identifier: MIT */
/*
 * vocana bench GROUP [--json] [--quick] [--config PATH] [--baseline FILE] ...
 *
 * Runs the benchmarks of bench/ and formats what they emit: an aligned table for people or one
 * JSON document for scripts. Each figure is judged against its performance target
 * (src/daemon/service/targets.h, overridable in vocana.conf) and, with --baseline, compared with an
 * earlier run by ratio. The exit status is 0 only if every target the requested groups cover was
 * measured and met and nothing regressed. A new benchmark is one line in a group's table below; a
 * new group is one more bench_groups entry.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cli/bench/bench_baseline.h"
#include "cli/bench/bench_file.h"
#include "cli/bench/bench_latency.h"
#include "cli/bench/bench_results.h"
#include "cli/cli.h"
#include "io/safe_output.h"
#include "service/paths.h"
#include "service/targets.h"

#define DEFAULT_REGRESS_RATIO 1.25

struct bench_entry {
	const char *name;
	int (*run)(bench_emit_fn emit, void *ctx, int quick);
};

struct bench_group {
	const char *name;
	const char *summary;
	const struct bench_entry *entries;
	size_t n_entries;
	/* The targets this group's figures judge: unmeasured when the group ran = not a pass. */
	const enum target_id *targets;
	size_t n_targets;
};

static const struct bench_entry core_entries[] = {
	{ "ring", bench_ring },
	{ "stft", bench_stft },
};

static const struct bench_entry model_entries[] = {
	{ "network", bench_model },
	{ "denoiser", bench_denoise },
	{ "latency", bench_algo_latency },
	{ "file", bench_denoise_file },
};
static const enum target_id model_targets[] = { TARGET_ALGO_LATENCY_MS, TARGET_FRAME_TIME_US,
						TARGET_RTF };

static const struct bench_entry pipeline_entries[] = {
	{ "latency", bench_latency },
};
static const enum target_id pipeline_targets[] = { TARGET_ADDED_LATENCY_MS, TARGET_CPU_IDLE_PCT,
						   TARGET_CPU_ACTIVE_PCT, TARGET_MEMORY_MB,
						   TARGET_BOTH_CPU_RATIO };

static const struct bench_entry load_entries[] = {
	{ "load", bench_load },
};
static const enum target_id load_targets[] = { TARGET_XRUNS_PER_HOUR };

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define GROUP(name, summary, entries, targets) \
	{ name, summary, entries, N_OF(entries), targets, N_OF(targets) }

static const struct bench_group bench_groups[] = {
	{ "core", "lock-free ring and STFT", core_entries, N_OF(core_entries), NULL, 0 },
	GROUP("model",
	      "network and whole denoiser per 10 ms frame, scalar vs SIMD; real-time factor; "
	      "algorithmic latency; a file end to end",
	      model_entries, model_targets),
	GROUP("pipeline",
	      "Vocana Microphone and Speaker through a private PipeWire: added latency per quantum, "
	      "service CPU idle/active/both directions, memory (~2-3 min; needs PipeWire, WirePlumber, "
	      "pipewire-pulse)",
	      pipeline_entries, pipeline_targets),
	GROUP("load",
	      "60 s recording at quantum 256 with every core busy: xruns and deadline misses "
	      "(--quick: 10 s; needs PipeWire, WirePlumber, pipewire-pulse)",
	      load_entries, load_targets),
};

#define N_GROUPS N_OF(bench_groups)

static const char usage_text[] =
	"usage: vocana bench GROUP [--json] [--quick] [--config PATH] [--baseline FILE]\n"
	"                          [--save-baseline FILE] [--regress-ratio R]\n"
	"\n"
	"Run benchmarks and print, for each figure, the median, 99th percentile, minimum and maximum\n"
	"over its repeats, and how the median compares with its performance target (met, missed,\n"
	"alert). GROUP is one of the groups below, or 'all'. The exit status is 0 only if every target\n"
	"the groups cover was measured and met, and no figure regressed against the baseline.\n"
	"\n"
	"options:\n"
	"  --json                print one JSON document instead of a table\n"
	"  --quick               short runs (for tests; the figures are noisier)\n"
	"  --config PATH         read the targets (target.KEY / alert.KEY lines) from PATH instead of\n"
	"                        the mic's settings file ($XDG_CONFIG_HOME/vocana/vocana.conf)\n"
	"  --baseline FILE       compare with an earlier run's JSON: a figure whose median grew by more\n"
	"                        than the regression ratio is a regression. If FILE does not exist,\n"
	"                        this run is saved there\n"
	"  --save-baseline FILE  save this run's JSON to FILE (replacing it)\n"
	"  --regress-ratio R     new/old median above R is a regression (default 1.25)\n"
	"  -h, --help            show this help\n"
	"\n"
	"groups:\n";

struct run_state {
	struct bench_results results;
	bool json;
	bool compare; /* a baseline is loaded: table has its columns */
};

static void format_number(char *buf, size_t size, double v)
{
	if (isfinite(v))
		snprintf(buf, size, "%.4g", v);
	else
		snprintf(buf, size, "-");
}

static void print_table_header(const struct run_state *st)
{
	printf("%-30s %-10s %10s %10s %10s %10s %7s %10s %-7s", "name", "unit", "median", "p99",
	       "min", "max", "repeats", "target", "status");
	if (st->compare)
		printf(" %10s %7s", "baseline", "ratio");
	putchar('\n');
}

static void print_table_row(const struct run_state *st, const struct bench_result *r)
{
	char med[32], p99[32], min[32], max[32], target[32], base[32], ratio[32];
	const char *status = r->target >= 0 ? target_status_name(r->status) : "-";

	format_number(med, sizeof(med), r->median);
	format_number(p99, sizeof(p99), r->p99);
	format_number(min, sizeof(min), r->min);
	format_number(max, sizeof(max), r->max);
	format_number(target, sizeof(target),
		      r->target >= 0 ? st->results.targets.limit[r->target] : NAN);
	printf("%-30s %-10s %10s %10s %10s %10s %7u %10s %-7s", r->name, r->unit, med, p99, min, max,
	       r->repeats, target, status);
	if (st->compare) {
		format_number(base, sizeof(base), r->baseline);
		format_number(ratio, sizeof(ratio), r->ratio);
		printf(" %10s %7s%s", base, ratio, r->regression ? " REGRESSION" : "");
	}
	putchar('\n');
}

static void emit_stat(void *ctx, const struct bench_stat *s)
{
	struct run_state *st = ctx;
	const struct bench_result *r = bench_results_add(&st->results, s);

	if (r == NULL) {
		cli_warn("out of memory: figure %s dropped", s->name);
		return;
	}
	if (!st->json) {
		print_table_row(st, r);
		fflush(stdout); /* long runs: show each result as soon as it exists */
	}
}

/* Runs one group; returns the number of benchmarks that failed. *skipped counts those that
 * could not run here. */
static unsigned run_group(const struct bench_group *g, struct run_state *st, int quick,
			  unsigned *skipped)
{
	unsigned n_failed = 0;

	for (size_t i = 0; i < g->n_entries; i++) {
		int res = g->entries[i].run(emit_stat, st, quick);

		if (res == -ENOTSUP) {
			/* This build or machine cannot run it (the entry said why), e.g. the
			 * pipeline group without PipeWire, or with its scripts missing. */
			cli_warn("benchmark %s.%s skipped: not available here", g->name,
				 g->entries[i].name);
			(*skipped)++;
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

struct verdict {
	unsigned met, missed, alerts, regressions, failed;
	bool unmeasured[TARGET_COUNT]; /* covered by a requested group, no figure */
	unsigned n_unmeasured;
};

static void write_document(FILE *f, const struct run_state *st, const char *group, int quick,
			   const char *config_path, const char *baseline_path, double regress_ratio,
			   const struct verdict *v)
{
	bool first = true;

	fprintf(f, "{\n  \"group\": ");
	bench_json_string(f, group);
	fprintf(f, ",\n  \"quick\": %s,\n  \"config\": ", quick ? "true" : "false");
	if (config_path)
		bench_json_string(f, config_path);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"results\": ");
	bench_results_write_json(&st->results, f);
	fprintf(f, ",\n  \"failed\": %u,\n  \"unmeasured\": [", v->failed);
	for (int t = 0; t < TARGET_COUNT; t++)
		if (v->unmeasured[t]) {
			fputs(first ? "" : ", ", f);
			bench_json_string(f, target_key((enum target_id)t));
			first = false;
		}
	fprintf(f, "],\n  \"met\": %u,\n  \"missed\": %u,\n  \"alerts\": %u,\n", v->met, v->missed,
		v->alerts);
	if (baseline_path) {
		fprintf(f, "  \"baseline_file\": ");
		bench_json_string(f, baseline_path);
		fprintf(f, ",\n  \"regress_ratio\": ");
		bench_json_number(f, regress_ratio);
		fprintf(f, ",\n  \"regressions\": %u,\n", v->regressions);
	}
	fprintf(f, "  \"pass\": %s\n}\n",
		v->failed + v->missed + v->alerts + v->regressions + v->n_unmeasured == 0 ? "true"
											: "false");
}

/* The run's JSON document into path, atomically. */
static int save_document(const char *path, const struct run_state *st, const char *group,
			 int quick, const char *config_path, const struct verdict *v)
{
	char *buf = NULL, err[256]; /* the caller reports the errno */
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int res;

	if (f == NULL)
		return -errno;
	/* Without a comparison: a baseline file holds this run's own figures only. */
	write_document(f, st, group, quick, config_path, NULL, NAN, v);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	res = safe_output_write_file(path, buf, len, 0644, err, sizeof(err));
	free(buf);
	return res;
}

static void judge(const struct run_state *st, const bool *group_ran, struct verdict *v)
{
	const struct bench_results *r = &st->results;

	for (size_t i = 0; i < r->n; i++) {
		const struct bench_result *x = &r->v[i];

		if (x->status == TARGET_MET)
			v->met++;
		else if (x->status == TARGET_MISSED || x->status == TARGET_ALERT) {
			if (x->status == TARGET_MISSED)
				v->missed++;
			else
				v->alerts++;
			if (x->status == TARGET_MISSED)
				cli_error("%s = %.4g %s missed the target %s = %g", x->name, x->median,
					  x->unit, target_key((enum target_id)x->target),
					  r->targets.limit[x->target]);
			else
				cli_error("%s = %.4g %s missed the target %s = %g and is above its "
					  "alert threshold %g", x->name, x->median, x->unit,
					  target_key((enum target_id)x->target),
					  r->targets.limit[x->target], r->targets.alert[x->target]);
		}
		if (x->regression) {
			v->regressions++;
			cli_error("regression: %s = %.4g %s is %.2fx the baseline's %.4g (allowed %.2fx)",
				  x->name, x->median, x->unit, x->ratio, x->baseline, r->regress_ratio);
		}
	}
	for (size_t g = 0; g < N_GROUPS; g++) {
		if (!group_ran[g])
			continue;
		for (size_t t = 0; t < bench_groups[g].n_targets; t++) {
			enum target_id id = bench_groups[g].targets[t];

			if (bench_results_measured(r, (int)id) || v->unmeasured[id])
				continue;
			v->unmeasured[id] = true;
			v->n_unmeasured++;
			cli_error("target %s (%s) not measured: the '%s' group gave no figure for it "
				  "(see the warnings above); unmeasured is not a pass",
				  target_key(id), target_label(id), bench_groups[g].name);
		}
	}
}

/* Targets from --config PATH, or the mic's settings file if it exists. *shown is the path read
 * (for the JSON), or NULL for the built-in defaults. */
static int read_targets(const char *config, struct targets *t, char *path_buf, size_t size,
			const char **shown)
{
	char err[256];
	int res;

	targets_defaults(t);
	*shown = NULL;
	if (config == NULL) {
		if (paths_config_file(path_buf, size) < 0)
			return 0; /* no HOME: the defaults */
		res = targets_load(path_buf, t, err, sizeof(err));
		if (res == -ENOENT)
			return 0;
	} else {
		snprintf(path_buf, size, "%s", config);
		res = targets_load(path_buf, t, err, sizeof(err));
	}
	if (res < 0) {
		cli_error("cannot read the targets from %s: %s", path_buf,
			  err[0] ? err : cli_strerror(res));
		return res;
	}
	*shown = path_buf;
	return 0;
}

int cmd_bench(int argc, char **argv)
{
	enum { OPT_JSON = 256, OPT_QUICK, OPT_CONFIG, OPT_BASELINE, OPT_SAVE_BASELINE, OPT_RATIO };
	static const struct option long_options[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "quick", no_argument, NULL, OPT_QUICK },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "save-baseline", required_argument, NULL, OPT_SAVE_BASELINE },
		{ "regress-ratio", required_argument, NULL, OPT_RATIO },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct run_state st = { 0 };
	struct bench_baseline baseline = { 0 };
	struct verdict v = { 0 };
	const char *group, *config = NULL, *baseline_path = NULL, *save_path = NULL;
	const char *config_shown;
	char config_buf[4096], err[256];
	double regress_ratio = DEFAULT_REGRESS_RATIO;
	bool all, found = false, group_ran[N_GROUPS] = { false }, fail;
	unsigned skipped = 0;
	int quick = 0, c, res;

	opterr = 0;
	optind = 1;
	/* Leading ':' so a missing value is reported as such, not as an unknown option. */
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_JSON: st.json = true; break;
		case OPT_QUICK: quick = 1; break;
		case OPT_CONFIG: config = optarg; break;
		case OPT_BASELINE: baseline_path = optarg; break;
		case OPT_SAVE_BASELINE: save_path = optarg; break;
		case OPT_RATIO: {
			char *end;

			regress_ratio = strtod(optarg, &end);
			if (end == optarg || *end != '\0' || !isfinite(regress_ratio) ||
			    regress_ratio <= 0)
				return cli_usage_error("bench", "--regress-ratio must be a number > 0, "
						       "not '%s'", optarg);
			break;
		}
		case 'h': print_usage(stdout); return CLI_EXIT_OK;
		case ':':
			return cli_usage_error("bench", "option '%s' needs a value", argv[optind - 1]);
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

	if (read_targets(config, &st.results.targets, config_buf, sizeof(config_buf),
			 &config_shown) < 0)
		return CLI_EXIT_FAILURE;
	st.results.regress_ratio = regress_ratio;
	if (baseline_path != NULL) {
		res = bench_baseline_load(baseline_path, &baseline, err, sizeof(err));
		if (res == 0) {
			st.results.baseline = &baseline;
			st.compare = true;
		} else if (res == -ENOENT) {
			/* First run: this one becomes the baseline. */
			if (save_path == NULL)
				save_path = baseline_path;
		} else {
			cli_error("cannot read the baseline %s: %s", baseline_path,
				  err[0] ? err : cli_strerror(res));
			return CLI_EXIT_FAILURE;
		}
	}

	if (!st.json)
		print_table_header(&st);
	for (size_t i = 0; i < N_GROUPS; i++)
		if (all || strcmp(group, bench_groups[i].name) == 0) {
			v.failed += run_group(&bench_groups[i], &st, quick, &skipped);
			group_ran[i] = true;
		}
	fflush(stdout);
	judge(&st, group_ran, &v);
	fail = v.failed + v.missed + v.alerts + v.regressions + v.n_unmeasured > 0;

	if (st.json) {
		write_document(stdout, &st, group, quick, config_shown,
			       st.compare ? baseline_path : NULL, regress_ratio, &v);
	} else {
		printf("\ntargets (%s): %u met, %u missed, %u alert, %u unmeasured",
		       config_shown ? config_shown : "built-in defaults", v.met, v.missed, v.alerts,
		       v.n_unmeasured);
		if (st.compare)
			printf("; %u regression(s) against %s (ratio > %.2f)", v.regressions,
			       baseline_path, regress_ratio);
		printf("\nresult: %s\n", fail ? "FAIL" : "PASS");
	}
	fflush(stdout);
	if (save_path != NULL) {
		res = save_document(save_path, &st, group, quick, config_shown, &v);
		if (res < 0) {
			cli_error("cannot save the baseline %s: %s", save_path, cli_strerror(res));
			fail = true;
		} else {
			fprintf(stderr, "vocana bench: saved this run as the baseline %s\n", save_path);
		}
	}
	bench_results_free(&st.results);
	bench_baseline_free(&baseline);
	return fail ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
