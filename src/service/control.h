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
 * The server never waits for a client (docs/reliability.md): it runs on the owner's event loop
 * (service/sock_loop.h; in the service, PipeWire's main loop) through sock_server.h, every socket
 * non-blocking, one buffer per connection. Every request gets an answer: one longer than
 * CONTROL_MAX_REQUEST bytes gets "error: request longer than ...", one whose client shuts down its
 * sending side without the final newline is served as it is, and one whose newline has not come
 * CONTROL_TIMEOUT_MS after connecting gets "error: incomplete request ...". At most
 * CONTROL_MAX_CLIENTS connections are open at once; one more evicts the oldest that has not sent
 * a complete request (so clients that connect and say nothing cannot lock anyone out), or, when
 * every one is being answered, is answered "error: busy".
 */
#ifndef VOCANA_SERVICE_CONTROL_H
#define VOCANA_SERVICE_CONTROL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "service/sock_loop.h"
#include "service/sock_server.h"

#define CONTROL_MAX_REQUEST 256    /* bytes, including the '\n' */
#define CONTROL_MAX_REPLY 16384    /* bytes: 'stats' carries two histograms */
#define CONTROL_MAX_VALUE 4096     /* bytes of one formatted value */
/* Server: from connecting to the last byte of the answer. A local client sends its line at once
 * and the answer is ready at once (a few ms on a busy machine), so 2 s is only ever reached by a
 * client that stalls. */
#define CONTROL_TIMEOUT_MS 2000
#define CONTROL_CLIENT_TIMEOUT_MS 1000 /* control_request(): send and read, in all (as before) */
#define CONTROL_MAX_CLIENTS 16     /* open at once; the service's own clients use one or two */

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
 * Listen on socket_path (its directory must exist and be private; see paths_make_dir()) and serve
 * it on loop (which must outlive the server). A stale socket file left by a crashed service is
 * replaced; if another server answers on it, returns -EADDRINUSE and leaves it alone.
 */
int control_server_create(const char *socket_path, const struct sock_loop *loop,
			  control_handler_fn handler, void *data, struct control_server **out);

/* Closes every connection and removes the socket file. NULL is a no-op. */
void control_server_destroy(struct control_server *s);

/* Number of connections refused because the peer was another user. */
unsigned control_server_refused(const struct control_server *s);

/* Connections taken, answered and dropped (idle past the timeout, evicted, turned away). */
void control_server_counts(const struct control_server *s, struct sock_counts *out);

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
