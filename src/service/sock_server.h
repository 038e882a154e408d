/* SPDX-License-Identifier: MIT */
/*
 * A stream-socket server for one-request-per-connection protocols (the control socket, control.h;
 * /metrics, src/pw/mic_metrics.c) that never waits for a client: every socket is non-blocking and
 * watched by the owner's event loop (sock_loop.h), each connection has its own fixed buffer, and
 * limits bound what any client can hold:
 *
 *   - at most max_conns connections at once. One more evicts the connection that has waited longest
 *     without sending a complete request (idle clients go first, never one whose answer is being
 *     written); if every connection is being answered, the newcomer gets busy_answer and is closed;
 *   - a request is at most max_request bytes: the protocol answers when the buffer is full;
 *   - timeout_ms from accept to the last byte of the answer. A client still sending at the deadline
 *     gets the protocol's timeout answer (if it has one) and one more timeout_ms to read it.
 *
 * Before a connection is closed, whatever the client sent and nobody read is drained (up to
 * DRAIN_MAX bytes): closing a socket with unread input makes the kernel reset the connection, and
 * the client may lose the answer it has not read yet.
 *
 * Main thread (the loop's) only. Allocates per connection (its buffer) and per answer; never on an
 * audio thread, which never sees any of this.
 */
#ifndef VOCANA_SERVICE_SOCK_SERVER_H
#define VOCANA_SERVICE_SOCK_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "service/sock_loop.h"

struct sock_limits {
	unsigned max_conns;
	size_t max_request;   /* bytes buffered per connection */
	uint32_t timeout_ms;  /* accept to the end of the answer */
};

struct sock_conn; /* one client; valid until the server closes it (never inside a callback) */

struct sock_handler {
	/* A new connection (fd non-blocking, close-on-exec). May answer at once (sock_conn_answer()),
	 * e.g. to refuse the peer; then nothing is read from it. NULL: nothing to check. */
	void (*accepted)(void *data, struct sock_conn *c);
	/* Input arrived: buf holds all len bytes received so far (not NUL-terminated). full: the
	 * buffer is full (len == max_request); eof: the client shut down its sending side. Answer
	 * with sock_conn_answer(), or return to wait for more; a connection that is full or at EOF
	 * and not answered is closed. */
	void (*received)(void *data, struct sock_conn *c, const char *buf, size_t len, bool full,
			 bool eof);
	/* The deadline passed before an answer: answer (a timeout message) or not (closed).
	 * NULL: closed. */
	void (*timed_out)(void *data, struct sock_conn *c, const char *buf, size_t len);
	/* Written, best effort, to a connection turned away because every slot is busy answering.
	 * NULL: closed without a word. */
	const char *busy_answer;
};

struct sock_counts {
	uint64_t accepted;  /* connections taken */
	uint64_t answered;  /* answers written completely */
	uint64_t dropped;   /* closed without a complete answer: timeouts, evictions, busy, gone */
	uint64_t evicted;   /* of dropped: evicted to make room for a newer connection */
	uint64_t busy;      /* of dropped: turned away (every slot answering) */
	uint64_t timed_out; /* of dropped: past the deadline */
};

struct sock_server;

/* Serve listen_fd (a listening, non-blocking stream socket; the server closes it when destroyed).
 * 0, -EINVAL or -ENOMEM (then listen_fd is left to the caller). */
int sock_server_create(const struct sock_loop *loop, int listen_fd, const struct sock_limits *lim,
		       const struct sock_handler *h, void *data, struct sock_server **out);

/* Closes every connection and the listening socket. NULL is a no-op. */
void sock_server_destroy(struct sock_server *s);

/* Queue the answer (copied) and close the connection once it is written. Only the first answer
 * of a connection counts; 0, -EALREADY or -ENOMEM (the connection is then closed). */
int sock_conn_answer(struct sock_conn *c, const char *text, size_t len);

int sock_conn_fd(const struct sock_conn *c);

/* Connections open now. */
unsigned sock_server_open_count(const struct sock_server *s);

void sock_server_counts(const struct sock_server *s, struct sock_counts *out);

#endif /* VOCANA_SERVICE_SOCK_SERVER_H */
