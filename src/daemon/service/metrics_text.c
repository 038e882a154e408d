/* SPDX-License-Identifier: MIT */
#include "service/metrics_text.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_BUF_MIN_CAP 4096
#define DBFS_FLOOR -120.0

void text_buf_init(struct text_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void text_buf_free(struct text_buf *b)
{
	free(b->data);
	text_buf_init(b);
}

static bool text_buf_reserve(struct text_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1, cap = b->cap ? b->cap : TEXT_BUF_MIN_CAP;
	char *p;

	if (b->failed)
		return false;
	if (need <= b->cap)
		return true;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (p == NULL) {
		b->failed = true;
		return false;
	}
	b->data = p;
	b->cap = cap;
	return true;
}

void text_buf_printf(struct text_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !text_buf_reserve(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

int metrics_hist_to_text(const struct telemetry_snapshot *s, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return -1;
	buf[0] = '\0';
	for (unsigned i = 0; i < RT_HIST_N_BUCKETS; i++) {
		int n;

		if (s->bucket[i] == 0)
			continue;
		n = snprintf(buf + len, size - len, "%s%u:%llu", len ? "," : "",
			     telemetry_bucket_lower_us(i), (unsigned long long)s->bucket[i]);
		if (n < 0 || (size_t)n >= size - len) {
			buf[0] = '\0';
			return -1;
		}
		len += (size_t)n;
	}
	return (int)len;
}

double metrics_dbfs(float peak)
{
	double db;

	if (!(peak > 0.0f))
		return DBFS_FLOOR;
	db = 20.0 * log10((double)peak);
	return db < DBFS_FLOOR ? DBFS_FLOOR : db;
}

void prom_header(struct text_buf *b, const char *name, const char *type, const char *help)
{
	text_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Prometheus floats: integers exactly, others with full precision; never "nan"/"inf" spelled
 * the C way. */
static void format_value(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "NaN");
	else if (isinf(v))
		snprintf(buf, size, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 9007199254740992.0) /* 2^53: exact as an integer */
		snprintf(buf, size, "%.0f", v);
	else
		snprintf(buf, size, "%.17g", v);
}

void prom_sample(struct text_buf *b, const char *name, double value)
{
	prom_sample_labelled(b, name, NULL, value);
}

void prom_sample_labelled(struct text_buf *b, const char *name, const char *labels, double value)
{
	char v[64];

	format_value(v, sizeof(v), value);
	if (labels && labels[0])
		text_buf_printf(b, "%s{%s} %s\n", name, labels, v);
	else
		text_buf_printf(b, "%s %s\n", name, v);
}

void prom_metric(struct text_buf *b, const char *name, const char *type, const char *help,
		 double value)
{
	prom_header(b, name, type, help);
	prom_sample(b, name, value);
}

static bool is_pow2(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

unsigned prom_histogram_bounds_us(unsigned *out, unsigned max)
{
	unsigned n = 0;

	/* The last bucket is the overflow bucket: its upper edge is not a bound. */
	for (unsigned i = 0; i + 1 < RT_HIST_N_BUCKETS; i++) {
		uint32_t u = telemetry_bucket_upper_us(i);

		if ((is_pow2(u) || (u % 3 == 0 && is_pow2(u / 3))) && n < max)
			out[n++] = u;
	}
	return n;
}

/* Exact decimal seconds for a whole number of microseconds: 1 -> "0.000001", 1500 -> "0.0015". */
static void format_us_as_seconds(char *buf, size_t size, unsigned us)
{
	int n = snprintf(buf, size, "%u.%06u", us / 1000000u, us % 1000000u);

	while (n > 2 && buf[n - 1] == '0' && buf[n - 2] != '.')
		buf[--n] = '\0';
}

void prom_histogram(struct text_buf *b, const char *name, const char *help,
		    const struct telemetry_snapshot *s)
{
	prom_header(b, name, "histogram", help);
	prom_histogram_samples(b, name, NULL, s);
}

void prom_histogram_samples(struct text_buf *b, const char *name, const char *labels,
			    const struct telemetry_snapshot *s)
{
	unsigned bounds[RT_HIST_N_BUCKETS];
	unsigned n_bounds = prom_histogram_bounds_us(bounds, RT_HIST_N_BUCKETS);
	unsigned bucket = 0;
	uint64_t cum = 0;
	char sum[64];
	/* Extra labels go before le (and stand alone on _sum and _count). */
	const char *sep = labels && labels[0] ? "," : "";

	if (labels == NULL)
		labels = "";
	for (unsigned k = 0; k < n_bounds; k++) {
		char le[64];

		/* Buckets are [lower, upper): every value in those below the bound is <= it. */
		while (bucket + 1 < RT_HIST_N_BUCKETS && telemetry_bucket_upper_us(bucket) <= bounds[k])
			cum += s->bucket[bucket++];
		format_us_as_seconds(le, sizeof(le), bounds[k]);
		text_buf_printf(b, "%s_bucket{%s%sle=\"%s\"} %llu\n", name, labels, sep, le,
				(unsigned long long)cum);
	}
	text_buf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep,
			(unsigned long long)s->count);
	format_value(sum, sizeof(sum), (double)s->sum_us / 1e6);
	if (labels[0]) {
		text_buf_printf(b, "%s_sum{%s} %s\n", name, labels, sum);
		text_buf_printf(b, "%s_count{%s} %llu\n", name, labels, (unsigned long long)s->count);
	} else {
		text_buf_printf(b, "%s_sum %s\n", name, sum);
		text_buf_printf(b, "%s_count %llu\n", name, (unsigned long long)s->count);
	}
}
