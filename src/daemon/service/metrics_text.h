/* SPDX-License-Identifier: MIT */
/*
 * Text renderings of the service's telemetry, shared by the control socket's 'stats' reply and
 * the Prometheus /metrics endpoint. Pure functions (no I/O, no PipeWire) so they are unit-tested.
 * Main thread only (they allocate).
 *
 *  - metrics_hist_to_text(): the non-empty buckets of a telemetry histogram (core/telemetry.h) as
 *    "lower_us:count,lower_us:count,..." (ascending), for 'stats'.
 *  - Prometheus text exposition format 0.0.4 (of the figures table: stats_prom.c): HELP/TYPE
 *    headers, samples, and histograms with
 *    cumulative _bucket{le="..."} series (le in seconds, "+Inf" last), _sum and _count.
 *    Histogram bounds are the telemetry bucket edges at 2^k and 3 * 2^k microseconds (1 us to
 *    131 ms): the cumulative count at each of them is exact, and the set never changes, as
 *    Prometheus wants.
 */
#ifndef VOCANA_SERVICE_METRICS_TEXT_H
#define VOCANA_SERVICE_METRICS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/telemetry.h"

/* A growable NUL-terminated string. After an allocation failure, `failed` is set and further
 * appends are ignored. */
struct text_buf {
	char *data;
	size_t len, cap;
	bool failed;
};

void text_buf_init(struct text_buf *b);
void text_buf_free(struct text_buf *b);
__attribute__((format(printf, 2, 3))) void text_buf_printf(struct text_buf *b, const char *fmt, ...);

/* Non-empty buckets as "lower_us:count,..."; "" when empty. Returns the length written, or -1 if
 * it did not fit in size (buf then holds "" when size > 0). */
int metrics_hist_to_text(const struct telemetry_snapshot *s, char *buf, size_t size);

/* Level in dBFS of a linear peak: 20 log10(peak), -120 for silence (and anything below). */
double metrics_dbfs(float peak);

/* "# HELP name help\n# TYPE name type\n" (type: counter, gauge, histogram). */
void prom_header(struct text_buf *b, const char *name, const char *type, const char *help);

/* "name value\n" (a full-precision float; integers print as integers). */
void prom_sample(struct text_buf *b, const char *name, double value);

/* "name{labels} value\n"; labels is 'key="value",...' (already escaped), NULL or "" for none. */
void prom_sample_labelled(struct text_buf *b, const char *name, const char *labels, double value);

/* Header and one sample. */
void prom_metric(struct text_buf *b, const char *name, const char *type, const char *help,
		 double value);

/* A whole histogram in seconds from a snapshot in microseconds (header included). */
void prom_histogram(struct text_buf *b, const char *name, const char *help,
		    const struct telemetry_snapshot *s);

/* Its samples only (_bucket, _sum, _count), with extra labels (NULL or "" for none). */
void prom_histogram_samples(struct text_buf *b, const char *name, const char *labels,
			    const struct telemetry_snapshot *s);

/* The histogram bounds in microseconds, ascending: number of bounds, copied into out[max]. */
unsigned prom_histogram_bounds_us(unsigned *out, unsigned max);

#endif /* VOCANA_SERVICE_METRICS_TEXT_H */
