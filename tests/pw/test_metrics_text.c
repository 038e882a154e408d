/* SPDX-License-Identifier: MIT */
/*
 * The pure parts of the service's telemetry export (src/service/metrics_text.c and
 * metrics_http.c): histogram text for 'stats', dBFS, the Prometheus exposition (cumulative
 * buckets in seconds, +Inf last, _sum/_count) and HTTP request parsing and responses.
 * Real telemetry objects (core/telemetry.h) feed the histograms.
 */
#include <stdint.h>
#include <string.h>

#include "core/telemetry.h"
#include "service/metrics_http.h"
#include "service/metrics_text.h"
#include "test_util.h"

static struct telemetry_snapshot snapshot_of(const uint32_t *values, size_t n)
{
	struct telemetry *t = NULL;
	struct telemetry_snapshot s;

	memset(&s, 0, sizeof(s));
	CHECK(telemetry_create(&t) == 0);
	if (t == NULL)
		return s;
	for (size_t i = 0; i < n; i++)
		telemetry_record_latency_us(t, values[i]);
	CHECK(telemetry_snapshot(t, &s) == 0);
	telemetry_destroy(t);
	return s;
}

static void test_hist_text(void)
{
	static const uint32_t v[] = { 3, 3, 100, 1000, 1000, 1010, 200000 };
	struct telemetry_snapshot s = snapshot_of(v, sizeof(v) / sizeof(v[0]));
	char buf[4096], tiny[8];
	unsigned long long total = 0;

	int n = metrics_hist_to_text(&s, buf, sizeof(buf));
	CHECK(n > 0 && (size_t)n == strlen(buf));
	/* Ascending lower bounds, counts adding up to the number of values. */
	unsigned long prev = 0;
	bool first = true;
	for (char *p = buf; *p;) {
		char *end;
		unsigned long lower = strtoul(p, &end, 10);
		CHECK(*end == ':');
		unsigned long long c = strtoull(end + 1, &end, 10);
		CHECK(c > 0);
		CHECK(first || lower > prev);
		CHECK(telemetry_bucket_index((uint32_t)lower) < RT_HIST_N_BUCKETS);
		prev = lower;
		first = false;
		total += c;
		p = *end == ',' ? end + 1 : end;
	}
	CHECK(total == 7);
	CHECK(strncmp(buf, "3:2,", 4) == 0); /* exact below 8 us */
	/* Too small: nothing rather than a cut list. */
	CHECK(metrics_hist_to_text(&s, tiny, sizeof(tiny)) == -1 && tiny[0] == '\0');
	struct telemetry_snapshot empty;
	memset(&empty, 0, sizeof(empty));
	CHECK(metrics_hist_to_text(&empty, buf, sizeof(buf)) == 0 && buf[0] == '\0');
}

static void test_dbfs(void)
{
	CHECK_NEAR(metrics_dbfs(1.0f), 0.0, 1e-9);
	CHECK_NEAR(metrics_dbfs(0.5f), -6.0206, 1e-3);
	CHECK(metrics_dbfs(0.0f) == -120.0);
	CHECK(metrics_dbfs(1e-9f) == -120.0);
	CHECK(metrics_dbfs(NAN) == -120.0);
}

/* Value of the sample line that starts with prefix (e.g. `x_bucket{le="0.001"} `), or -1. */
static double sample_of(const char *text, const char *prefix)
{
	const char *p = text;
	size_t n = strlen(prefix);

	while ((p = strstr(p, prefix)) != NULL) {
		if (p == text || p[-1] == '\n')
			return strtod(p + n, NULL);
		p += n;
	}
	return -1.0;
}

static void test_prom_histogram(void)
{
	static const uint32_t v[] = { 0, 1, 5, 7, 100, 1000, 1000, 1024, 200000 };
	struct telemetry_snapshot s = snapshot_of(v, sizeof(v) / sizeof(v[0]));
	struct text_buf b;
	unsigned bounds[RT_HIST_N_BUCKETS];
	unsigned nb = prom_histogram_bounds_us(bounds, RT_HIST_N_BUCKETS);

	CHECK(nb > 20);
	CHECK(bounds[0] == 1 && bounds[nb - 1] == 131072);
	for (unsigned k = 1; k < nb; k++)
		CHECK(bounds[k] > bounds[k - 1]);

	text_buf_init(&b);
	prom_histogram(&b, "x_seconds", "Help text.", &s);
	CHECK(!b.failed && b.data != NULL);
	if (b.data == NULL)
		return;
	CHECK(strncmp(b.data, "# HELP x_seconds Help text.\n# TYPE x_seconds histogram\n", 55) == 0);
	/* Times are whole microseconds (truncated) in buckets [lower, upper): le = 1 us counts the
	 * readings below 1 us, a reading of 1 us (a time in [1, 2) us) counts from le = 2 us on. */
	CHECK(sample_of(b.data, "x_seconds_bucket{le=\"0.000001\"} ") == 1.0); /* only 0 < 1 */
	CHECK(sample_of(b.data, "x_seconds_bucket{le=\"0.000008\"} ") == 4.0); /* 0 1 5 7 */
	CHECK(sample_of(b.data, "x_seconds_bucket{le=\"0.000128\"} ") == 5.0); /* + 100 */
	CHECK(sample_of(b.data, "x_seconds_bucket{le=\"0.001024\"} ") == 7.0); /* + 1000 1000 */
	CHECK(sample_of(b.data, "x_seconds_bucket{le=\"0.001536\"} ") == 8.0); /* + 1024 */
	CHECK(sample_of(b.data, "x_seconds_bucket{le=\"0.131072\"} ") == 8.0); /* 200 ms overflows */
	CHECK(sample_of(b.data, "x_seconds_bucket{le=\"+Inf\"} ") == 9.0);
	CHECK(sample_of(b.data, "x_seconds_count ") == 9.0);
	CHECK_NEAR(sample_of(b.data, "x_seconds_sum "), 203137e-6, 1e-12);
	/* Cumulative: never decreasing, +Inf the last bucket line. */
	double last = -1.0;
	const char *p = b.data, *last_bucket = NULL;
	while ((p = strstr(p, "x_seconds_bucket{")) != NULL) {
		double val = strtod(strchr(p, '}') + 1, NULL);
		CHECK(val >= last);
		last = val;
		last_bucket = p;
		p++;
	}
	CHECK(last_bucket != NULL && strncmp(last_bucket, "x_seconds_bucket{le=\"+Inf\"}", 27) == 0);
	text_buf_free(&b);
}

static void test_prom_samples(void)
{
	struct text_buf b;

	text_buf_init(&b);
	prom_metric(&b, "a_total", "counter", "Things.", 42.0);
	prom_sample(&b, "b", 0.25);
	prom_sample(&b, "c", -120.0);
	prom_sample(&b, "d", NAN);
	prom_sample(&b, "e", INFINITY);
	CHECK(b.data && strcmp(b.data, "# HELP a_total Things.\n# TYPE a_total counter\na_total 42\n"
				      "b 0.25\nc -120\nd NaN\ne +Inf\n") == 0);
	/* Growth past the first allocation. */
	for (int i = 0; i < 2000; i++)
		text_buf_printf(&b, "line %d\n", i);
	CHECK(!b.failed && strlen(b.data) == b.len && strstr(b.data, "line 1999\n") != NULL);
	text_buf_free(&b);
	CHECK(b.data == NULL && b.len == 0);
}

static enum http_parse_result parse(const char *req, char *method, char *path)
{
	return http_parse_request(req, strlen(req), method, path);
}

static void test_http_parse(void)
{
	char method[HTTP_MAX_METHOD], path[HTTP_MAX_PATH], big[HTTP_MAX_PATH + 32];

	CHECK(parse("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", method, path) ==
	      HTTP_COMPLETE);
	CHECK(strcmp(method, "GET") == 0 && strcmp(path, "/metrics") == 0);
	CHECK(parse("HEAD /metrics?x=1&y=2 HTTP/1.0\n\n", method, path) == HTTP_COMPLETE);
	CHECK(strcmp(method, "HEAD") == 0 && strcmp(path, "/metrics") == 0);
	/* Not complete yet: no empty line. */
	CHECK(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", method, path) == HTTP_INCOMPLETE);
	CHECK(parse("GET /met", method, path) == HTTP_INCOMPLETE);
	CHECK(parse("", method, path) == HTTP_INCOMPLETE);
	/* Malformed. */
	CHECK(parse("HELLO\r\n\r\n", method, path) == HTTP_BAD);
	CHECK(parse("GET /metrics\r\n\r\n", method, path) == HTTP_BAD);
	CHECK(parse("GET /metrics HTTP/2.0\r\n\r\n", method, path) == HTTP_BAD);
	CHECK(parse("GET metrics HTTP/1.1\r\n\r\n", method, path) == HTTP_BAD);
	CHECK(parse("get /metrics HTTP/1.1\r\n\r\n", method, path) == HTTP_BAD);
	CHECK(parse("GET  /metrics HTTP/1.1\r\n\r\n", method, path) == HTTP_BAD);
	CHECK(parse("GET /metrics HTTP/1.1 x\r\n\r\n", method, path) == HTTP_BAD);
	CHECK(http_parse_request("GET /\0 HTTP/1.1\r\n\r\n", 19, method, path) == HTTP_BAD);
	CHECK(parse("\x01GET", method, path) == HTTP_BAD); /* bad bytes fail before the head ends */
	CHECK(parse("VERYLONGMETHODNAMEX / HTTP/1.1\r\n\r\n", method, path) == HTTP_BAD);
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	static const char tail[] = " HTTP/1.1\r\n\r\n";
	memcpy(big + sizeof(big) - sizeof(tail), tail, sizeof(tail)); /* with the NUL */
	CHECK(parse(big, method, path) == HTTP_BAD);
	CHECK(method[0] == '\0' && path[0] == '\0');
}

static void test_http_response(void)
{
	struct text_buf b;

	text_buf_init(&b);
	http_format_response(&b, 200, PROMETHEUS_CONTENT_TYPE, NULL, "a 1\n", 4, false);
	CHECK(b.data && strcmp(b.data, "HTTP/1.1 200 OK\r\n"
				      "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
				      "Content-Length: 4\r\n"
				      "Cache-Control: no-store\r\n"
				      "Connection: close\r\n\r\na 1\n") == 0);
	text_buf_free(&b);
	http_format_response(&b, 404, "text/plain", NULL, "nope\n", 5, true); /* HEAD: no body */
	CHECK(b.data && strncmp(b.data, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
	CHECK(b.data && strstr(b.data, "Content-Length: 5\r\n") != NULL);
	CHECK(b.data && b.len >= 4 && strcmp(b.data + b.len - 4, "\r\n\r\n") == 0);
	text_buf_free(&b);
	CHECK(strcmp(http_status_text(405), "Method Not Allowed") == 0);
	CHECK(strcmp(http_status_text(999), "Error") == 0);
}

int main(void)
{
	RUN_TEST(test_hist_text);
	RUN_TEST(test_dbfs);
	RUN_TEST(test_prom_histogram);
	RUN_TEST(test_prom_samples);
	RUN_TEST(test_http_parse);
	RUN_TEST(test_http_response);
	return test_finish();
}
