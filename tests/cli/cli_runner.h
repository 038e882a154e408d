/* SPDX-License-Identifier: MIT */
/*
 * Runs the vocana program for the end-to-end tests: a private scratch directory, stdin from a
 * file or a pipe, stdout and stderr captured, a time limit (a hang fails instead of stalling).
 */
#ifndef VOCANA_TESTS_CLI_RUNNER_H
#define VOCANA_TESTS_CLI_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define RUN_TIMEOUT_S 60.0

struct result {
	int status; /* exit code; 128 + signal if killed; -1 if it could not run or timed out */
	char err[8192];
	unsigned err_lines;
	char *out; /* stdout, malloc'd (NUL-terminated) */
	size_t out_len;
};

/* The program to run and a fresh scratch directory. Returns 0 or -1. */
int runner_init(const char *vocana_path);

/* Remove the scratch directory and everything in it. */
void runner_cleanup(void);

/* The scratch directory. */
const char *runner_dir(void);

/* dir/name. The result lives in a ring of 128 buffers: copy it to keep it across many calls. */
const char *path_in_dir(const char *name);

/* Start vocana with args (NULL-terminated, without the program); stdin from stdin_path (NULL:
 * /dev/null) or, if stdin_fd >= 0, from that descriptor. */
pid_t runner_spawn(const char *const *args, const char *stdin_path, int stdin_fd);

/* Wait at most timeout_s; kills on timeout. Exit code, 128 + signal, or -1. */
int runner_wait(pid_t pid, double timeout_s);

/* Fill r from the finished run's captured output. */
void runner_collect(struct result *r, int status);

/* Spawn, wait, collect. */
struct result run_args(const char *stdin_path, const char *const *args);

#define RUN(stdin_path, ...) run_args((stdin_path), (const char *const[]){ __VA_ARGS__, NULL })

void result_free(struct result *r);

bool exists(const char *path);

/* Leftover temporary files ("*.tmp-XXXXXX") in the scratch directory, or -1. */
int count_temp_files(void);

bool contains(const char *haystack, const char *needle);

double now_s(void);
void sleep_ms(long ms);

#endif /* VOCANA_TESTS_CLI_RUNNER_H */
