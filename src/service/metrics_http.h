/* SPDX-License-Identifier: MIT */
/*
 * The little HTTP the /metrics endpoint speaks (src/pw/mic_metrics.c): parsing one request head
 * and building one response. Pure (no I/O) so it is unit-tested on its own.
 *
 * Only what a Prometheus scraper (or curl) sends is accepted: a request line
 * "METHOD SP TARGET SP HTTP/1.x" and header lines, ended by an empty line (CRLF or bare LF),
 * all within HTTP_MAX_REQUEST bytes. Of the headers only Authorization is read (the token mode,
 * http_bearer_matches()); no body is ever read (GET and HEAD have none); every response carries
 * "Connection: close" and the connection is closed after it, whatever the version.
 */
#ifndef VOCANA_SERVICE_METRICS_HTTP_H
#define VOCANA_SERVICE_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "service/metrics_text.h"

#define HTTP_MAX_REQUEST 4096     /* bytes of request head we accept */
#define HTTP_MAX_METHOD 16
#define HTTP_MAX_PATH 256

#define PROMETHEUS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum http_parse_result {
	HTTP_INCOMPLETE = 0,  /* no empty line yet: read more (unless the buffer is full) */
	HTTP_COMPLETE = 1,    /* method and path filled in */
	HTTP_BAD = -1,        /* malformed: answer 400 */
};

/*
 * Look at the len bytes received so far. On HTTP_COMPLETE, method gets the method (e.g. "GET")
 * and path the target without its query string (e.g. "/metrics" for "/metrics?x=1").
 */
enum http_parse_result http_parse_request(const char *buf, size_t len, char method[HTTP_MAX_METHOD],
					  char path[HTTP_MAX_PATH]);

/* Status line, headers (Content-Type, Content-Length, Connection: close, then extra_headers: NULL
 * or lines each ending in CRLF) and, unless head_only, the body. */
void http_format_response(struct text_buf *out, int status, const char *content_type,
			  const char *extra_headers, const char *body, size_t body_len,
			  bool head_only);

/* Whether the complete request head in buf carries "Authorization: Bearer TOKEN" with exactly
 * token (token_len bytes). Header name and scheme are matched without regard to case, as HTTP
 * says; the token is compared in constant time, so its bytes cannot be guessed from timing. */
bool http_bearer_matches(const char *buf, size_t len, const char *token, size_t token_len);

/* "OK", "Not Found", ... for the statuses the endpoint uses; "Error" otherwise. */
const char *http_status_text(int status);

#endif /* VOCANA_SERVICE_METRICS_HTTP_H */
