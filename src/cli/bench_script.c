/* SPDX-License-Identifier: MIT */
/*
 * Runs one of the benchmark scripts of bench/ (latency.sh, load.sh) and turns its 'stat' lines
 * into bench results. Driving a private PipeWire, WirePlumber and the test clients is a shell
 * script's job (the end-to-end tests in tests/pw share its helpers); this file only finds the
 * pieces, runs the script and parses what it prints, so the figures land in the same table and
 * JSON as every other benchmark.
 *
 * The pieces: in a build tree, the scripts of the source tree and the test clients of the build
 * tree; installed, the copies 'meson install' puts in PKGLIBEXECDIR (install_paths.h):
 *   bench/latency.sh, bench/load.sh, bench/bench-lib.sh, bench/pw-env.sh, bench/mic-test-lib.sh,
 *   pw_play_record, pw_analyze
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/bench_script.h"
#include "cli/cli.h"
#include "cli/install_paths.h"
#include "io/sysio.h"

#ifndef VOCANA_SOURCE_DIR
#error "VOCANA_SOURCE_DIR must be defined (src/cli/meson.build)"
#endif

#define SCRIPT_EXIT_SKIP 77 /* Meson's 'skipped', as the end-to-end tests use */

struct script_paths {
	char vocana[PATH_MAX];
	char script[PATH_MAX];
	char play_record[PATH_MAX];
	char analyze[PATH_MAX];
	bool build_tree;
};

static int path_join(char *buf, size_t size, const char *dir, const char *name)
{
	int n = snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Say which piece is missing and what to do; -ENOTSUP. */
static int missing(const struct script_paths *p, const char *path)
{
	if (p->build_tree)
		cli_warn("%s is missing: the PipeWire benchmarks of a build tree need its source tree "
			 "(" VOCANA_SOURCE_DIR ") and the test clients of tests/pw", path);
	else
		cli_warn("%s is missing: this installation of vocana is incomplete (reinstall it, "
			 "or run a build tree's vocana)", path);
	return -ENOTSUP;
}

static int find_paths(const char *name, struct script_paths *p)
{
	char dir[PATH_MAX], rel[64];
	int res;

	if ((res = install_self_exe(p->vocana, sizeof(p->vocana))) < 0)
		return res;
	p->build_tree = install_in_build_tree(p->vocana);
	snprintf(rel, sizeof(rel), "bench/%s", name);
	if (p->build_tree) {
		/* <builddir>/src/cli/vocana: the clients are in <builddir>/tests/pw. */
		char *slash = strrchr(p->vocana, '/');

		snprintf(dir, sizeof(dir), "%.*s/../../tests/pw", (int)(slash - p->vocana), p->vocana);
		if ((res = path_join(p->script, sizeof(p->script), VOCANA_SOURCE_DIR, rel)) < 0)
			return res;
	} else {
		if ((res = install_libexec_dir(p->vocana, dir, sizeof(dir))) < 0 ||
		    (res = path_join(p->script, sizeof(p->script), dir, rel)) < 0)
			return res;
	}
	if ((res = path_join(p->play_record, sizeof(p->play_record), dir, "pw_play_record")) < 0 ||
	    (res = path_join(p->analyze, sizeof(p->analyze), dir, "pw_analyze")) < 0)
		return res;
	if (access(p->script, X_OK) != 0)
		return missing(p, p->script);
	if (access(p->play_record, X_OK) != 0)
		return missing(p, p->play_record);
	if (access(p->analyze, X_OK) != 0)
		return missing(p, p->analyze);
	return 0;
}

/* Value of KEY in "... KEY=VALUE ..." (VALUE ends at a space or the end); NULL if absent.
 * Terminates VALUE in place and sets *next to the rest of the line, so look keys up in the
 * order they appear. */
static char *line_value(char *line, const char *key, char **next)
{
	size_t len = strlen(key);
	for (char *tok = line; (tok = strstr(tok, key)) != NULL; tok += len) {
		if ((tok == line || tok[-1] == ' ') && tok[len] == '=') {
			char *v = tok + len + 1;
			size_t n = strcspn(v, " ");
			*next = v[n] != '\0' ? v + n + 1 : v + n;
			v[n] = '\0';
			return v;
		}
	}
	return NULL;
}

/* One line of the script's output: a figure, an unmeasured figure, or something else (ignored,
 * so the script may grow other lines). */
static void parse_script_line(char *line, bench_emit_fn emit, void *ctx)
{
	char *pos;

	line[strcspn(line, "\n")] = '\0';
	if (strncmp(line, "unmeasured ", 11) == 0) {
		char *name = line_value(line + 11, "name", &pos);
		if (name == NULL)
			return;
		char *unit = line_value(pos, "unit", &pos);
		char *reason = line_value(pos, "reason", &pos);
		/* Still a row, so a table or JSON always lists every figure: NaN is "no figure". */
		struct bench_stat st = { name, unit ? unit : "ms", NAN, NAN, NAN, NAN, 0 };
		emit(ctx, &st);
		cli_warn("%s not measured: %s", name,
			 reason && strcmp(reason, "glitches") == 0
				 ? "every recording glitched (the machine was too busy for this quantum)"
				 : (reason ? reason : "unknown reason"));
		return;
	}
	if (strncmp(line, "stat ", 5) != 0)
		return;
	/* The values are separate strings cut in place: parse them in the script's key order. */
	const char *keys[] = { "name", "unit", "median", "p99", "min", "max", "repeats" };
	char *vals[7];
	pos = line + 5;
	for (size_t i = 0; i < 7; i++) {
		vals[i] = line_value(pos, keys[i], &pos);
		if (vals[i] == NULL)
			return;
	}
	struct bench_stat st = {
		vals[0], vals[1], strtod(vals[2], NULL), strtod(vals[3], NULL),
		strtod(vals[4], NULL), strtod(vals[5], NULL), (unsigned)strtoul(vals[6], NULL, 10),
	};
	emit(ctx, &st);
}

int bench_run_script(const char *name, bench_emit_fn emit, void *ctx, int quick)
{
	struct script_paths paths;
	const char *script = paths.script;
	int fds[2];
	int res = find_paths(name, &paths);
	if (res < 0)
		return res;
	if (pipe(fds) != 0)
		return -errno;
	fflush(stdout); /* the child inherits our buffers' file, not their contents */
	pid_t pid = fork();
	if (pid < 0) {
		res = -errno;
		close(fds[0]);
		close(fds[1]);
		return res;
	}
	if (pid == 0) {
		/* stdout into the pipe; stderr stays ours (the script only writes there on failure). */
		close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		close(fds[1]);
		execl(script, script, paths.vocana, paths.play_record, paths.analyze,
		      quick ? "--quick" : (char *)NULL, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);

	FILE *out = fdopen(fds[0], "r");
	if (out == NULL) {
		res = -errno;
		close(fds[0]);
	} else {
		/* Line by line as the script prints them: a full run takes a minute or more. */
		char *line = NULL;
		size_t cap = 0;
		while (getline(&line, &cap, out) >= 0)
			parse_script_line(line, emit, ctx);
		free(line);
		fclose(out);
	}

	int status, waited = sysio_waitpid(pid, &status);
	if (waited < 0)
		return waited;
	if (res < 0)
		return res;
	if (WIFEXITED(status) && WEXITSTATUS(status) == SCRIPT_EXIT_SKIP) {
		cli_warn("%s needs PipeWire, WirePlumber and pipewire-pulse installed", script);
		return -ENOTSUP;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return -EIO;
	return 0;
}
