/* SPDX-License-Identifier: MIT */
/*
 * One request to the mic service's control socket (protocol: src/daemon/service/control.h), without ever
 * blocking the GTK main loop: connect, write and read are GIO async calls, and a timeout cancels
 * the whole exchange. The service serves one request per connection and closes it after its
 * answer, so the reply is everything read until end of file.
 */
#ifndef VOCANA_APP_CLIENT_H
#define VOCANA_APP_CLIENT_H

#include <gio/gio.h>

#define APP_REPLY_MAX (64 * 1024) /* a 'stats' reply is under 16 KiB; more is not our service */

/*
 * Called once on the main loop. res: 0 when the service answered (reply starts with "ok" or
 * "error: "); -ENOENT or -ECONNREFUSED when nothing listens (not running), -EACCES when the socket
 * belongs to someone else, -ETIMEDOUT after timeout_ms, -EPROTO for an empty or oversized answer,
 * -EIO for anything else. reply is NULL unless res is 0, and only valid during the call.
 */
typedef void (*app_reply_fn)(int res, const char *reply, void *data);

void app_request(const char *socket_path, const char *request, guint timeout_ms, app_reply_fn fn,
		 void *data);

/* The text after "ok\n", or NULL when the reply is not "ok" (then *error, if given, points at
 * the message after "error: "; the caller copies what it keeps). */
const char *app_reply_body(const char *reply, const char **error);

/* Value of key in a key=value reply, copied into buf (NUL-terminated, cut to size); FALSE if the
 * key is missing. */
gboolean app_reply_get(const char *reply, const char *key, char *buf, gsize size);

#endif /* VOCANA_APP_CLIENT_H */
