/* SPDX-License-Identifier: MIT */
/*
 * The vocana command-line program: one file per subcommand, plus shared message helpers.
 *
 * Conventions every subcommand follows: results go to stdout, messages to stderr; an error is
 * exactly one line ("vocana: error: ..."), so scripts can show it as is; exit status 0 on
 * success, 1 when the work failed, 2 for a usage mistake.
 */
#ifndef VOCANA_CLI_CLI_H
#define VOCANA_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>

enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1,
	CLI_EXIT_USAGE = 2,
};

/* Subcommands: argv[0] is the subcommand's name. Each returns an exit status. */
int cmd_denoise(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#if defined(__GNUC__)
#define CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CLI_PRINTF(a, b)
#endif

/* "vocana: error: <message>" as one line on stderr (newlines in the text become spaces). */
CLI_PRINTF(1, 2) void cli_error(const char *fmt, ...);

/* "vocana: warning: <message>", one line. */
CLI_PRINTF(1, 2) void cli_warn(const char *fmt, ...);

/* "vocana CMD: <message> (see 'vocana CMD --help')", one line; returns CLI_EXIT_USAGE. */
CLI_PRINTF(2, 3) int cli_usage_error(const char *cmd, const char *fmt, ...);

/* Parse a whole decimal integer in [min, max]. Returns 0 or -EINVAL. */
int cli_parse_int(const char *s, long min, long max, long *out);

/* Text for a negative errno from libvocana or the system. */
const char *cli_strerror(int res);

/* Monotonic clock, seconds. */
double cli_now_s(void);

#endif /* VOCANA_CLI_CLI_H */
