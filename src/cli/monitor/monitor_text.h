/* SPDX-License-Identifier: MIT */
/*
 * Text building blocks of `vocana monitor`, all pure (no I/O) so they are unit-tested:
 * a bounded string builder, JSON string escaping, logfmt value quoting and level bars.
 */
#ifndef VOCANA_CLI_MONITOR_TEXT_H
#define VOCANA_CLI_MONITOR_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#if defined(__GNUC__)
#define MONITOR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define MONITOR_PRINTF(a, b)
#endif

/* A string being built in a caller-owned buffer: never overflows, always NUL-terminated;
 * truncated says some text did not fit. */
struct mbuf {
	char *text;
	size_t size, len;
	bool truncated;
};

void mbuf_init(struct mbuf *b, char *storage, size_t size);
MONITOR_PRINTF(2, 3) void mbuf_printf(struct mbuf *b, const char *fmt, ...);
void mbuf_puts(struct mbuf *b, const char *s);
void mbuf_putc(struct mbuf *b, char c);

/* s as a JSON string literal, quotes included: ", \ and control characters escaped (\n, \t,
 * \u00XX); other bytes (UTF-8) copied as they are. NULL is written as null. */
void mbuf_json_string(struct mbuf *b, const char *s);

/* A number as JSON: NaN or infinity (not measured) become null; integral values print without
 * a fraction. */
void mbuf_json_number(struct mbuf *b, double v);

/* s as a logfmt value: bare when it is non-empty and has no space, '"', '=', '\\' or control
 * character, otherwise in double quotes with " and \ escaped and control characters as '?'. */
void mbuf_logfmt_value(struct mbuf *b, const char *s);

/* A bar of exactly width cells, '#' for the filled part and '-' for the rest, for fraction
 * (clamped to 0..1); NaN (not measured) gives width '?' cells. width < 1 writes nothing. */
void mbuf_bar(struct mbuf *b, int width, double fraction);

/* Fraction of a level bar for a level in dBFS: -60 dBFS (or less) is empty, 0 dBFS full.
 * NaN stays NaN. */
double monitor_level_fraction(double dbfs);

#define MONITOR_LEVEL_FLOOR_DB (-60.0)

#endif /* VOCANA_CLI_MONITOR_TEXT_H */
