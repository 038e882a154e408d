/* SPDX-License-Identifier: MIT */
/*
 * 'vocana mic --metrics-port PORT': Prometheus metrics (text format 0.0.4) at
 * http://127.0.0.1:PORT/metrics, served by the service's main loop.
 *
 * Why it cannot disturb the audio: everything here runs on the PipeWire main loop (never the data
 * thread), and the values come from the same lock-free snapshot as 'vocana stats'
 * (mic_report_collect). Why clients cannot wedge it or each other: the connections are served by
 * service/sock_server.h on that loop, every socket non-blocking, each with its own buffer: at most
 * METRICS_MAX_CLIENTS at once (one more evicts the oldest that has not sent a whole request, so
 * silent clients cannot lock scrapers out; if all are being answered, 503), a request head of at
 * most HTTP_MAX_REQUEST bytes (431 beyond), and METRICS_CLIENT_TIMEOUT_MS to send it (408) and read
 * the answer. Malformed requests get 400, other paths 404, other methods 405.
 *
 * Who can read it (docs/reliability.md): only loopback is bound, but any local user can connect,
 * and the numbers say when someone is recording and speaking. --metrics-token-file FILE makes
 * every request need "Authorization: Bearer TOKEN" with the token in FILE (a private file: one
 * that others may read is refused), which Prometheus sends from its credentials_file; without
 * it, 401. One request per connection ("Connection: close").
 */
#include "pw/mic_private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/sysio.h"
#include "service/metrics_http.h"
#include "service/metrics_text.h"
#include "service/sock_server.h"
#include "service/stats_table.h"

/* A scraper or two, a curl, the app: 32 is far more than honest clients need at once, and room
 * enough that a burst of them (the fault test sends 20 at a time) is never turned away. */
#define METRICS_MAX_CLIENTS 32
#define METRICS_CLIENT_TIMEOUT_MS 2000
#define METRICS_PATH "/metrics"
#define METRICS_TOKEN_MIN 16   /* characters: shorter would be guessable */
#define METRICS_TOKEN_MAX 256

struct mic_metrics {
	struct mic *m;
	struct sock_server *server;
	char token[METRICS_TOKEN_MAX + 1];
	size_t token_len; /* 0: no token needed */
};

/* ---- The exposition ------------------------------------------------------------------------ */

/* The figures table's Prometheus side (service/stats_table.h, stats_prom.c). */
static void render_metrics(struct mic *m, struct text_buf *b)
{
	struct mic_report r;
	struct stats_values v;

	mic_report_collect(m, &r);
	mic_stats_values(m, &r, &v);
	stats_prometheus(b, &v);
}

/* ---- Requests ------------------------------------------------------------------------------ */

static const char *status_body(int status)
{
	switch (status) {
	case 401:
		return "A token is needed: Authorization: Bearer TOKEN (see --metrics-token-file)\n";
	case 404:
		return "Not found: try " METRICS_PATH "\n";
	case 405:
		return "Only GET and HEAD\n";
	case 408:
		return "The request did not arrive in time\n";
	case 431:
		return "Request too large\n";
	}
	return "Bad request\n";
}

static void respond(struct mic_metrics *s, struct sock_conn *c, int status, const char *method)
{
	struct text_buf body, resp;

	text_buf_init(&body);
	text_buf_init(&resp);
	if (status == 200)
		render_metrics(s->m, &body);
	else
		text_buf_printf(&body, "%s", status_body(status));
	if (body.failed) {
		text_buf_free(&body);
		text_buf_init(&body);
		status = 500;
		text_buf_printf(&body, "out of memory\n");
	}
	http_format_response(&resp, status,
			     status == 200 ? PROMETHEUS_CONTENT_TYPE : "text/plain; charset=utf-8",
			     status == 401 ? "WWW-Authenticate: Bearer realm=\"vocana\"\r\n" : NULL,
			     body.data ? body.data : "", body.len, strcmp(method, "HEAD") == 0);
	if (!resp.failed)
		sock_conn_answer(c, resp.data, resp.len);
	/* else: no answer; the connection is closed */
	text_buf_free(&body);
	text_buf_free(&resp);
}

static void on_received(void *data, struct sock_conn *c, const char *buf, size_t len, bool full,
			bool eof)
{
	struct mic_metrics *s = data;
	char method[HTTP_MAX_METHOD], path[HTTP_MAX_PATH];

	switch (http_parse_request(buf, len, method, path)) {
	case HTTP_COMPLETE:
		if (s->token_len > 0 && !http_bearer_matches(buf, len, s->token, s->token_len))
			respond(s, c, 401, method); /* before the path: nothing is told for free */
		else if (strcmp(path, METRICS_PATH) != 0)
			respond(s, c, 404, method);
		else if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			respond(s, c, 405, method);
		else
			respond(s, c, 200, method);
		break;
	case HTTP_BAD:
		respond(s, c, 400, "");
		break;
	case HTTP_INCOMPLETE:
		if (full)
			respond(s, c, 431, "");
		/* at EOF: a request cut short, nobody to answer; else wait for the rest */
		break;
	}
}

static void on_timed_out(void *data, struct sock_conn *c, const char *buf, size_t len)
{
	/* Half a request: say why it is closed. Nothing at all: no request to answer. */
	if (len > 0)
		respond(data, c, 408, "");
}

static const struct sock_handler metrics_handler = {
	.received = on_received,
	.timed_out = on_timed_out,
	.busy_answer = "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n"
		       "Connection: close\r\n\r\n",
};

/* ---- Start and stop -------------------------------------------------------------------------- */

static int open_listener(int port)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd, one = 1, res;

	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* Restarting the service must not fail on the last run's TIME_WAIT connections. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* A backlog as deep as the kernel allows: a burst of scrapers waits there instead of
	 * having its connections refused (SYN retries cost a client a second each). */
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, SOMAXCONN) < 0) {
		res = -errno;
		close(fd);
		return res;
	}
	return fd;
}

/* The token: the first line of a private regular file, trimmed; printable, no spaces. */
static int read_token(struct mic *m, const char *path, struct mic_metrics *s)
{
	char buf[METRICS_TOKEN_MAX + 2];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd = sysio_open_regular(path);

	if (fd < 0) {
		mic_log(m, "error", "metrics token file %s: %s", path,
			fd == -EINVAL ? "not a regular file" : strerror(-fd));
		return fd;
	}
	if (fstat(fd, &st) < 0 || (st.st_mode & 0077) != 0) {
		mic_log(m, "error", "metrics token file %s is readable by others (mode %03o): "
			"'chmod 600 %s' and start again", path, (unsigned)(st.st_mode & 0777), path);
		close(fd);
		return -EPERM;
	}
	n = sysio_read_full(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		mic_log(m, "error", "cannot read the metrics token file %s: %s", path,
			strerror((int)-n));
		return (int)n;
	}
	buf[n] = '\0';
	len = strcspn(buf, "\r\n");
	while (len > 0 && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
		len--;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)buf[i] <= ' ' || (unsigned char)buf[i] >= 0x7f)
			len = 0; /* refused below */
	if (len < METRICS_TOKEN_MIN || len > METRICS_TOKEN_MAX) {
		mic_log(m, "error", "metrics token file %s: the token (its first line) must be %d to %d "
			"printable characters without spaces (e.g. 'openssl rand -hex 32')", path,
			METRICS_TOKEN_MIN, METRICS_TOKEN_MAX);
		return -EINVAL;
	}
	memcpy(s->token, buf, len);
	s->token[len] = '\0';
	s->token_len = len;
	return 0;
}

int mic_metrics_start(struct mic *m, int port, const char *token_path)
{
	static const struct sock_limits limits = {
		.max_conns = METRICS_MAX_CLIENTS,
		.max_request = HTTP_MAX_REQUEST,
		.timeout_ms = METRICS_CLIENT_TIMEOUT_MS,
	};
	struct mic_metrics *s;
	int fd, res;

	if (port <= 0 || port > 65535)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->m = m;
	m->metrics = s;
	if (token_path != NULL && (res = read_token(m, token_path, s)) < 0)
		return res;
	fd = open_listener(port);
	if (fd < 0) {
		mic_log(m, "error", "cannot serve metrics on 127.0.0.1:%d: %s", port, strerror(-fd));
		return fd;
	}
	if ((res = sock_server_create(&m->sock_loop, fd, &limits, &metrics_handler, s,
				      &s->server)) < 0) {
		close(fd);
		return res;
	}
	mic_log(m, "info", "metrics at http://127.0.0.1:%d" METRICS_PATH "%s", port,
		s->token_len ? " (a bearer token is needed)" : "");
	return 0;
}

void mic_metrics_stop(struct mic *m)
{
	struct mic_metrics *s = m->metrics;

	if (s == NULL)
		return;
	sock_server_destroy(s->server);
	explicit_bzero(s->token, sizeof(s->token));
	free(s);
	m->metrics = NULL;
}

void mic_metrics_counts(const struct mic *m, struct sock_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (m->metrics && m->metrics->server)
		sock_server_counts(m->metrics->server, out);
}
