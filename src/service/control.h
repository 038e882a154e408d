/* SPDX-License-Identifier: MIT */
/*
 * The mic service's control socket: a UNIX stream socket, one request per connection.
 *
 * Protocol (text, UTF-8, '\n'-terminated lines):
 *   client -> server   one request line, at most CONTROL_MAX_REQUEST bytes:
 *                      "status" | "stats" | "set strength N" | "enable" | "disable" | "ping"
 *                      and, for the desktop app, "devices" | "set input NAME|default" |
 *                      "meter N|off" | "listen N|off" (docs/microphone.md; src/pw/mic_control.c)
 *   server -> client   "ok" or "error: <message>" on the first line, then zero or more
 *                      "key=value" lines; the server then closes the connection.
 *                      "stats" answers every "status" key plus the telemetry (model and
 *                      callback time histograms, levels, CPU time, ...), documented key by key
 *                      in docs/microphone.md; keys are only ever added, never renamed.
 *
 * Security: the socket lives in a 0700 directory and is itself 0600, and every connection's peer
 * credentials (SO_PEERCRED) must carry the server's own uid, or it is answered with
 * "error: permission denied" and closed before the request is read.
 *
 * The server is not tied to an event loop: the owner watches control_server_fd() for input and
 * calls control_server_dispatch(), which serves every pending connection synchronously. A client
 * gets CONTROL_IO_TIMEOUT_MS to send its line; only same-uid peers get that far, and they could
 * stop the service anyway, so a slow one can only delay the service's main loop (never the audio
 * thread).
 */
#ifndef VOCANA_SERVICE_CONTROL_H
#define VOCANA_SERVICE_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define CONTROL_MAX_REQUEST 256    /* bytes, including the '\n' */
#define CONTROL_MAX_REPLY 16384    /* bytes: 'stats' carries two histograms */
#define CONTROL_MAX_VALUE 4096     /* bytes of one formatted value */
#define CONTROL_IO_TIMEOUT_MS 500  /* per request, each side */

struct control_reply {
	char text[CONTROL_MAX_REPLY];
	size_t len;
	bool failed;   /* an error line was set; key=value lines are dropped */
};

#if defined(__GNUC__)
#define CONTROL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define CONTROL_PRINTF(a, b)
#endif

/* Append "key=value\n" (value formatted, at most CONTROL_MAX_VALUE - 1 bytes; newlines in it
 * become spaces). A line that does not fit in the reply any more is left out whole. */
CONTROL_PRINTF(3, 4)
void control_reply_add(struct control_reply *r, const char *key, const char *fmt, ...);

/* Make the reply "error: <message>" (replaces anything added so far). */
CONTROL_PRINTF(2, 3) void control_reply_error(struct control_reply *r, const char *fmt, ...);

/* Called with one request line (no '\n', NUL-terminated) on the server's thread. */
typedef void (*control_handler_fn)(void *data, const char *request, struct control_reply *reply);

struct control_server;

/*
 * Listen on socket_path (its directory must exist and be private; see paths_make_dir()).
 * A stale socket file left by a crashed service is replaced; if another server answers on it,
 * returns -EADDRINUSE and leaves it alone.
 */
int control_server_create(const char *socket_path, control_handler_fn handler, void *data,
			  struct control_server **out);

/* Closes and removes the socket file. NULL is a no-op. */
void control_server_destroy(struct control_server *s);

/* The listening socket (non-blocking), to watch for input. */
int control_server_fd(const struct control_server *s);

/* Serve every connection waiting on the listening socket. */
void control_server_dispatch(struct control_server *s);

/* Number of connections refused because the peer was another user. */
unsigned control_server_refused(const struct control_server *s);

/* 0 if the peer of the connected UNIX socket fd runs as uid, -EPERM if not, or another negative
 * errno if the credentials cannot be read. */
int control_check_peer(int fd, uid_t uid);

/*
 * Client: send request (one line, without '\n') and read the whole reply into reply
 * (NUL-terminated, truncated to size - 1). Returns 0 when the server answered (whether "ok" or
 * "error: ..."), -ENOENT/-ECONNREFUSED when no service listens, -EACCES when the socket is not
 * ours, -ETIMEDOUT, -EPROTO for an empty reply, or another negative errno.
 */
int control_request(const char *socket_path, const char *request, char *reply, size_t size);

/* Find "key=value" in a reply; copies value into buf. Returns 0 or -ENOENT. */
int control_reply_get(const char *reply, const char *key, char *buf, size_t size);

#endif /* VOCANA_SERVICE_CONTROL_H */
