/* SPDX-License-Identifier: MIT */
/* Asynchronous control-socket requests (see app_client.h). */
#include "app/app_client.h"

#include <errno.h>
#include <string.h>

#include <gio/gunixsocketaddress.h>

struct request {
	char *line;
	app_reply_fn fn;
	void *data;
	GCancellable *cancel;
	guint timeout_id;
	gboolean timed_out;
	GSocketConnection *conn;
	GString *reply;
	char chunk[4096];
};

static void finish(struct request *rq, int res)
{
	if (rq->timeout_id)
		g_source_remove(rq->timeout_id);
	rq->fn(res, res == 0 ? rq->reply->str : NULL, rq->data);
	if (rq->conn)
		g_object_unref(rq->conn);
	g_object_unref(rq->cancel);
	g_string_free(rq->reply, TRUE);
	g_free(rq->line);
	g_free(rq);
}

static int map_error(struct request *rq, const GError *error)
{
	if (rq->timed_out)
		return -ETIMEDOUT;
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
		return -ENOENT;
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
		return -ECONNREFUSED;
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
		return -EACCES;
	return -EIO;
}

static gboolean on_timeout(gpointer data)
{
	struct request *rq = data;

	rq->timeout_id = 0;
	rq->timed_out = TRUE;
	g_cancellable_cancel(rq->cancel);
	return G_SOURCE_REMOVE;
}

static void on_read(GObject *source, GAsyncResult *result, gpointer data);

/* Ask for the next chunk of the reply; on_read() gets it. */
static void read_next(struct request *rq)
{
	g_input_stream_read_async(g_io_stream_get_input_stream(G_IO_STREAM(rq->conn)), rq->chunk,
				  sizeof(rq->chunk), G_PRIORITY_DEFAULT, rq->cancel, on_read, rq);
}

static void on_read(GObject *source, GAsyncResult *result, gpointer data)
{
	struct request *rq = data;
	GError *error = NULL;
	gssize n = g_input_stream_read_finish(G_INPUT_STREAM(source), result, &error);

	if (n < 0) {
		/* A service that refuses us (another user) hangs up after its answer: what came
		 * before the reset still counts, as in control_request(). */
		int res = rq->reply->len > 0 && !rq->timed_out ? 0 : map_error(rq, error);

		g_error_free(error);
		finish(rq, res);
		return;
	}
	if (n == 0) {
		finish(rq, rq->reply->len > 0 ? 0 : -EPROTO);
		return;
	}
	g_string_append_len(rq->reply, rq->chunk, n);
	if (rq->reply->len > APP_REPLY_MAX) {
		finish(rq, -EPROTO);
		return;
	}
	read_next(rq);
}

static void on_written(GObject *source, GAsyncResult *result, gpointer data)
{
	struct request *rq = data;
	GError *error = NULL;

	/* A refused peer is answered before its request is read, so a failed write may still
	 * leave an answer to read: read in any case, unless we gave up. */
	if (!g_output_stream_write_all_finish(G_OUTPUT_STREAM(source), result, NULL, &error)) {
		gboolean give_up = rq->timed_out;

		g_error_free(error);
		if (give_up) {
			finish(rq, -ETIMEDOUT);
			return;
		}
	}
	read_next(rq);
}

static void on_connected(GObject *source, GAsyncResult *result, gpointer data)
{
	struct request *rq = data;
	GError *error = NULL;

	rq->conn = g_socket_client_connect_finish(G_SOCKET_CLIENT(source), result, &error);
	g_object_unref(source);
	if (rq->conn == NULL) {
		int res = map_error(rq, error);

		g_error_free(error);
		finish(rq, res);
		return;
	}
	g_output_stream_write_all_async(g_io_stream_get_output_stream(G_IO_STREAM(rq->conn)),
					rq->line, strlen(rq->line), G_PRIORITY_DEFAULT, rq->cancel,
					on_written, rq);
}

void app_request(const char *socket_path, const char *request, guint timeout_ms, app_reply_fn fn,
		 void *data)
{
	struct request *rq = g_new0(struct request, 1);
	GSocketAddress *addr = g_unix_socket_address_new(socket_path);
	GSocketClient *client = g_socket_client_new();

	rq->line = g_strdup_printf("%s\n", request);
	rq->fn = fn;
	rq->data = data;
	rq->cancel = g_cancellable_new();
	rq->reply = g_string_new(NULL);
	rq->timeout_id = g_timeout_add(timeout_ms, on_timeout, rq);
	g_socket_client_connect_async(client, G_SOCKET_CONNECTABLE(addr), rq->cancel, on_connected,
				      rq);
	g_object_unref(addr);
}

const char *app_reply_body(const char *reply, const char **error)
{
	if (error)
		*error = NULL;
	if (reply == NULL)
		return NULL;
	if (strncmp(reply, "ok\n", 3) == 0)
		return reply + 3;
	if (strcmp(reply, "ok") == 0)
		return reply + 2;
	if (error)
		*error = strncmp(reply, "error: ", 7) == 0 ? reply + 7 : reply;
	return NULL;
}

gboolean app_reply_get(const char *reply, const char *key, char *buf, gsize size)
{
	gsize klen = strlen(key);

	for (const char *p = reply; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		gsize len = nl ? (gsize)(nl - p) : strlen(p);

		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			gsize vlen = len - klen - 1;

			if (size == 0)
				return FALSE;
			if (vlen >= size)
				vlen = size - 1;
			memcpy(buf, p + klen + 1, vlen);
			buf[vlen] = '\0';
			return TRUE;
		}
		p = nl ? nl + 1 : NULL;
	}
	return FALSE;
}
