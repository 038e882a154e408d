/* SPDX-License-Identifier: MIT */
/*
 * The app's asynchronous control-socket client (src/app/app_client.c) against the service's real
 * control server (src/service/control.c) on a thread: ok and error answers, a long answer, no
 * service, a stale socket, and a service that accepts but never answers, which must end in
 * -ETIMEDOUT while the main loop keeps running (the GUI never blocks on the service).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "app/app_client.h"
#include "control_thread.h"
#include "service/control.h"
#include "test_util.h"

static char tmpdir[256], sock_path[300];

static void handler(void *data, const char *req, struct control_reply *r)
{
	if (strcmp(req, "status") == 0) {
		control_reply_add(r, "running", "yes");
		control_reply_add(r, "strength", "42");
	} else if (strcmp(req, "big") == 0) {
		for (int i = 0; i < 150; i++)
			control_reply_add(r, "k", "%090d", i);
	} else {
		control_reply_error(r, "unknown request '%s'", req);
	}
}

struct result {
	gboolean done;
	int res;
	char reply[CONTROL_MAX_REPLY + 1];
};

static void on_reply(int res, const char *reply, void *data)
{
	struct result *r = data;

	r->done = TRUE;
	r->res = res;
	g_strlcpy(r->reply, reply ? reply : "", sizeof(r->reply));
}

/* The longest gap between two ticks of a 10 ms timer while the request ran. */
static gint64 last_tick_us, max_gap_us;
static gboolean on_tick(gpointer data)
{
	gint64 now = g_get_monotonic_time();

	if (last_tick_us && now - last_tick_us > max_gap_us)
		max_gap_us = now - last_tick_us;
	last_tick_us = now;
	return G_SOURCE_CONTINUE;
}

static void run(const char *path, const char *req, guint timeout_ms, struct result *r)
{
	guint tick = g_timeout_add(10, on_tick, NULL);

	memset(r, 0, sizeof(*r));
	last_tick_us = 0;
	max_gap_us = 0;
	app_request(path, req, timeout_ms, on_reply, r);
	while (!r->done)
		g_main_context_iteration(NULL, TRUE);
	g_source_remove(tick);
}

int main(void)
{
	struct control_thread srv;
	struct result r;
	char value[64], hang_path[300], stale_path[300];
	const char *err, *body;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	int hang_fd, stale_fd;
	gint64 t0;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vocana-app-client-XXXXXX");
	CHECK(mkdtemp(tmpdir) != NULL);
	snprintf(sock_path, sizeof(sock_path), "%s/control.sock", tmpdir);
	CHECK(control_thread_start(&srv, sock_path, handler, NULL) == 0);

	/* ok */
	run(sock_path, "status", 2000, &r);
	CHECK(r.res == 0);
	body = app_reply_body(r.reply, &err);
	CHECK(body != NULL && err == NULL);
	CHECK(app_reply_get(body, "strength", value, sizeof(value)) && strcmp(value, "42") == 0);
	CHECK(!app_reply_get(body, "missing", value, sizeof(value)));
	CHECK(app_reply_get(body, "running", value, 3) && strcmp(value, "ye") == 0); /* cut, not overrun */

	/* error */
	run(sock_path, "frobnicate", 2000, &r);
	CHECK(r.res == 0);
	CHECK(app_reply_body(r.reply, &err) == NULL && err != NULL);
	CHECK(strncmp(err, "unknown request 'frobnicate'", 28) == 0);

	/* an answer longer than one read */
	run(sock_path, "big", 2000, &r);
	CHECK(r.res == 0);
	CHECK(strlen(r.reply) > 150 * 90);
	CHECK(strstr(r.reply, "k=000000000000000000000000000000000000000000000000000000000000000000"
			      "000000000000000000000149") != NULL);

	/* no service at all */
	snprintf(hang_path, sizeof(hang_path), "%s/nothing.sock", tmpdir);
	run(hang_path, "status", 2000, &r);
	CHECK(r.res == -ENOENT);

	/* a stale socket file: bound once, nobody listens */
	snprintf(stale_path, sizeof(stale_path), "%s/stale.sock", tmpdir);
	stale_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(addr.sun_path, stale_path);
	CHECK(bind(stale_fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	run(stale_path, "status", 2000, &r);
	CHECK(r.res == -ECONNREFUSED);
	close(stale_fd);

	/* a hung service: listening, never accepting, never answering */
	snprintf(hang_path, sizeof(hang_path), "%s/hang.sock", tmpdir);
	hang_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	strcpy(addr.sun_path, hang_path);
	CHECK(bind(hang_fd, (struct sockaddr *)&addr, sizeof(addr)) == 0);
	CHECK(listen(hang_fd, 4) == 0);
	t0 = g_get_monotonic_time();
	run(hang_path, "status", 300, &r);
	CHECK(r.res == -ETIMEDOUT);
	CHECK(g_get_monotonic_time() - t0 >= 290000);
	CHECK(g_get_monotonic_time() - t0 < 2000000);
	fprintf(stderr, "# hung service: timed out after %.0f ms, main loop's longest gap %.1f ms\n",
		(g_get_monotonic_time() - t0) / 1000.0, max_gap_us / 1000.0);
	CHECK(max_gap_us < 100000); /* the loop kept turning: nothing blocked on the socket */
	close(hang_fd);

	control_thread_stop(&srv);
	unlink(stale_path);
	unlink(hang_path);
	rmdir(tmpdir);
	fprintf(stderr, "# app client: %d failed checks\n", test_failures);
	return test_failures ? 1 : 0;
}
