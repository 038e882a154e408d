/* SPDX-License-Identifier: MIT */
/*
 * 'vocana mic --metrics-port PORT': Prometheus metrics (text format 0.0.4) at
 * http://127.0.0.1:PORT/metrics, served by the service's main loop.
 *
 * Why it cannot disturb the audio: everything here runs on the PipeWire main loop (never the data
 * thread), every socket is non-blocking, and the values come from the same lock-free snapshot as
 * 'vocana stats' (mic_report_collect). Why a client cannot wedge the loop: at most
 * METRICS_MAX_CLIENTS connections at a time (more are closed at once), a request head is read
 * into a fixed HTTP_MAX_REQUEST buffer as it arrives (never waited for), and a connection that has
 * not been answered and fully written within METRICS_CLIENT_TIMEOUT_MS is closed by a timer.
 * Only loopback is bound: the numbers say when someone is recording, which is nobody else's
 * business. One request per connection ("Connection: close").
 */
#include "pw/mic_private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "io/sysio.h"
#include "service/metrics_http.h"
#include "service/metrics_text.h"
#include "service/stats_table.h"

#define METRICS_MAX_CLIENTS 4
#define METRICS_CLIENT_TIMEOUT_MS 2000
#define METRICS_SWEEP_MS 250      /* how often the timer looks for clients past their deadline */
#define METRICS_LISTEN_BACKLOG 8
#define METRICS_PATH "/metrics"

struct metrics_client {
	struct mic_metrics *srv;
	int fd;                       /* -1: slot free */
	struct spa_source *source;
	char req[HTTP_MAX_REQUEST];
	size_t req_len;
	bool writing;
	struct text_buf resp;
	size_t sent;
	uint64_t deadline_ns;
};

struct mic_metrics {
	struct mic *m;
	int port;
	int listen_fd;
	struct spa_source *listen_source;
	struct spa_source *sweep_timer;
	bool sweeping;
	struct metrics_client clients[METRICS_MAX_CLIENTS];
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

/* ---- Connections --------------------------------------------------------------------------- */

static void client_close(struct metrics_client *c)
{
	struct pw_loop *loop = c->srv->m->loop;

	if (c->fd < 0)
		return;
	if (c->source)
		pw_loop_destroy_source(loop, c->source);
	c->source = NULL;
	close(c->fd);
	c->fd = -1;
	text_buf_free(&c->resp);
}

static void respond(struct metrics_client *c, int status, const char *method)
{
	static const char *const texts[] = { "Bad request\n", "Not found: try /metrics\n",
					     "Only GET and HEAD\n", "Request too large\n" };
	struct text_buf body;
	const char *text = status == 404 ? texts[1] : status == 405 ? texts[2] :
			   status == 431 ? texts[3] : texts[0];

	text_buf_init(&body);
	if (status == 200)
		render_metrics(c->srv->m, &body);
	else
		text_buf_printf(&body, "%s", text);
	if (body.failed) {
		text_buf_free(&body);
		text_buf_init(&body);
		status = 500;
		text_buf_printf(&body, "out of memory\n");
	}
	http_format_response(&c->resp, status,
			     status == 200 ? PROMETHEUS_CONTENT_TYPE : "text/plain; charset=utf-8",
			     body.data ? body.data : "", body.len, strcmp(method, "HEAD") == 0);
	text_buf_free(&body);
	c->writing = true;
	c->sent = 0;
	/* Stop reading (whatever else the client sends is ignored), wait for room to write. */
	pw_loop_update_io(c->srv->m->loop, c->source, SPA_IO_OUT);
}

static void route(struct metrics_client *c, const char *method, const char *path)
{
	bool get_or_head = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

	if (strcmp(path, METRICS_PATH) != 0)
		respond(c, 404, method);
	else if (!get_or_head)
		respond(c, 405, method);
	else
		respond(c, 200, method);
}

static void client_read(struct metrics_client *c)
{
	char method[HTTP_MAX_METHOD], path[HTTP_MAX_PATH];
	ssize_t n;

	for (;;) {
		if (c->req_len == sizeof(c->req)) {
			respond(c, 431, "");
			return;
		}
		n = sysio_recv(c->fd, c->req + c->req_len, sizeof(c->req) - c->req_len, 0);
		if (n > 0) {
			c->req_len += (size_t)n;
			continue;
		}
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			break;
		/* EOF or error before a whole request: nobody to answer. */
		if (http_parse_request(c->req, c->req_len, method, path) != HTTP_COMPLETE) {
			client_close(c);
			return;
		}
		break;
	}
	switch (http_parse_request(c->req, c->req_len, method, path)) {
	case HTTP_COMPLETE:
		route(c, method, path);
		break;
	case HTTP_BAD:
		respond(c, 400, "");
		break;
	case HTTP_INCOMPLETE:
		break; /* wait for more, until the deadline */
	}
}

static void client_write(struct metrics_client *c)
{
	while (c->sent < c->resp.len) {
		ssize_t n = sysio_send(c->fd, c->resp.data + c->sent, c->resp.len - c->sent,
				       MSG_NOSIGNAL);

		if (n > 0) {
			c->sent += (size_t)n;
			continue;
		}
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return; /* the loop calls again when there is room */
		break;          /* the client went away */
	}
	client_close(c);
}

static void on_client_io(void *data, int fd, uint32_t mask)
{
	struct metrics_client *c = data;

	if (c->writing && (mask & (SPA_IO_OUT | SPA_IO_ERR | SPA_IO_HUP)))
		client_write(c);
	else if (!c->writing && (mask & (SPA_IO_IN | SPA_IO_ERR | SPA_IO_HUP)))
		client_read(c);
}

static void arm_sweep(struct mic_metrics *s, bool on)
{
	struct timespec period = { 0, METRICS_SWEEP_MS * 1000000L }, off = { 0, 0 };

	if (on == s->sweeping)
		return;
	s->sweeping = on;
	pw_loop_update_timer(s->m->loop, s->sweep_timer, on ? &period : &off, on ? &period : &off,
			     false);
}

static void on_sweep_timer(void *data, uint64_t expirations)
{
	struct mic_metrics *s = data;
	uint64_t now = mic_now_ns(CLOCK_MONOTONIC);
	bool any = false;

	for (int i = 0; i < METRICS_MAX_CLIENTS; i++) {
		struct metrics_client *c = &s->clients[i];

		if (c->fd >= 0 && now >= c->deadline_ns)
			client_close(c); /* too slow to ask or to read the answer */
		any |= c->fd >= 0;
	}
	if (!any)
		arm_sweep(s, false);
}

static void on_listen_io(void *data, int fd, uint32_t mask)
{
	struct mic_metrics *s = data;

	for (;;) {
		struct metrics_client *c = NULL;
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd < 0)
			return; /* EAGAIN: all taken; anything else: try again on the next event */
		for (int i = 0; i < METRICS_MAX_CLIENTS && c == NULL; i++)
			if (s->clients[i].fd < 0)
				c = &s->clients[i];
		if (c == NULL) {
			close(cfd); /* busy: a scraper retries on its next interval */
			continue;
		}
		c->fd = cfd;
		c->req_len = 0;
		c->writing = false;
		c->sent = 0;
		text_buf_init(&c->resp);
		c->deadline_ns = mic_now_ns(CLOCK_MONOTONIC) +
				 (uint64_t)METRICS_CLIENT_TIMEOUT_MS * 1000000u;
		c->source = pw_loop_add_io(s->m->loop, cfd, SPA_IO_IN, false, on_client_io, c);
		if (c->source == NULL) {
			close(cfd);
			c->fd = -1;
			continue;
		}
		arm_sweep(s, true);
	}
}

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
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    listen(fd, METRICS_LISTEN_BACKLOG) < 0) {
		res = -errno;
		close(fd);
		return res;
	}
	return fd;
}

int mic_metrics_start(struct mic *m, int port)
{
	struct mic_metrics *s;
	int res;

	if (port <= 0 || port > 65535)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->m = m;
	s->port = port;
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++) {
		s->clients[i].srv = s;
		s->clients[i].fd = -1;
	}
	m->metrics = s;
	s->listen_fd = open_listener(port);
	if (s->listen_fd < 0) {
		res = s->listen_fd;
		mic_log(m, "error", "cannot serve metrics on 127.0.0.1:%d: %s", port, strerror(-res));
		return res;
	}
	s->listen_source = pw_loop_add_io(m->loop, s->listen_fd, SPA_IO_IN, false, on_listen_io, s);
	s->sweep_timer = pw_loop_add_timer(m->loop, on_sweep_timer, s);
	if (s->listen_source == NULL || s->sweep_timer == NULL)
		return -ENOMEM;
	mic_log(m, "info", "metrics at http://127.0.0.1:%d" METRICS_PATH, port);
	return 0;
}

void mic_metrics_stop(struct mic *m)
{
	struct mic_metrics *s = m->metrics;

	if (s == NULL)
		return;
	for (int i = 0; i < METRICS_MAX_CLIENTS; i++)
		client_close(&s->clients[i]);
	if (s->listen_source)
		pw_loop_destroy_source(m->loop, s->listen_source);
	if (s->sweep_timer)
		pw_loop_destroy_source(m->loop, s->sweep_timer);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	free(s);
	m->metrics = NULL;
}
