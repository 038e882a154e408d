/* SPDX-License-Identifier: MIT */
#include "service/control.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "io/sysio.h"

struct control_server {
	struct sock_server *server;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	control_handler_fn handler;
	void *data;
	unsigned n_refused;
};

/* ---- Replies --------------------------------------------------------------------------- */

static void sanitize_line(char *s)
{
	for (; *s != '\0'; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

void control_reply_add(struct control_reply *r, const char *key, const char *fmt, ...)
{
	char value[CONTROL_MAX_VALUE];
	va_list ap;
	int n;

	if (r->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	sanitize_line(value);
	n = snprintf(r->text + r->len, sizeof(r->text) - r->len, "%s=%s\n", key, value);
	/* A line that does not fit is left out whole rather than cut (a cut value would lie). */
	if (n > 0 && (size_t)n < sizeof(r->text) - r->len)
		r->len += (size_t)n;
	else
		r->text[r->len] = '\0';
}

void control_reply_error(struct control_reply *r, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sanitize_line(msg);
	n = snprintf(r->text, sizeof(r->text), "error: %s\n", msg);
	r->len = (n < 0) ? 0 : ((size_t)n >= sizeof(r->text) ? sizeof(r->text) - 1 : (size_t)n);
	r->failed = true;
}

int control_reply_get(const char *reply, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);

	for (const char *p = reply; p != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t vlen = len - klen - 1;

			if (size == 0)
				return -ENOSPC;
			if (vlen >= size)
				vlen = size - 1;
			memcpy(buf, p + klen + 1, vlen);
			buf[vlen] = '\0';
			return 0;
		}
		p = nl ? nl + 1 : NULL;
	}
	return -ENOENT;
}

/* ---- Client I/O (the server's is in sock_server.c) --------------------------------------- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for events on fd until deadline_ms (CLOCK_MONOTONIC). 0, -ETIMEDOUT or -errno. */
static int wait_fd(int fd, short events, int64_t deadline_ms)
{
	for (;;) {
		int64_t left = deadline_ms - now_ms();
		struct pollfd p = { .fd = fd, .events = events };
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n > 0)
			return 0;
	}
}

static int send_all(int fd, const char *buf, size_t len, int64_t deadline_ms)
{
	while (len > 0) {
		/* MSG_NOSIGNAL: a service that hung up must not kill its client with SIGPIPE. */
		ssize_t n = sysio_send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		int res;

		if (n == -EAGAIN || n == -EWOULDBLOCK) {
			if ((res = wait_fd(fd, POLLOUT, deadline_ms)) < 0)
				return res;
			continue;
		}
		if (n < 0)
			return (int)n;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Read until EOF, at most size - 1 bytes (the rest is cut); NUL-terminates. Returns the length
 * or a negative errno. */
static int recv_text(int fd, char *buf, size_t size, int64_t deadline_ms)
{
	size_t len = 0;

	for (;;) {
		ssize_t n;
		int res;

		if (len + 1 >= size) {
			buf[len] = '\0';
			return (int)len;
		}
		n = sysio_recv(fd, buf + len, size - 1 - len, MSG_DONTWAIT);
		if (n == -EAGAIN || n == -EWOULDBLOCK) {
			if ((res = wait_fd(fd, POLLIN, deadline_ms)) < 0)
				return res;
			continue;
		}
		/* A server that refuses us hangs up without reading our request, which resets the
		 * connection after its answer: what arrived before the reset still counts. */
		if (n == -ECONNRESET && len > 0)
			break;
		if (n < 0)
			return (int)n;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (int)len;
}

static int make_address(const char *path, struct sockaddr_un *addr)
{
	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(addr->sun_path))
		return -ENAMETOOLONG;
	strcpy(addr->sun_path, path);
	return 0;
}

/* ---- Server ---------------------------------------------------------------------------- */

int control_check_peer(int fd, uid_t uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	if (len != sizeof(cred))
		return -EPROTO;
	return cred.uid == uid ? 0 : -EPERM;
}

/* Is a server answering on path? Used before replacing a socket file. */
static bool socket_in_use(const char *path)
{
	struct sockaddr_un addr;
	bool used;
	int fd;

	if (make_address(path, &addr) < 0)
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	used = connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0;
	close(fd);
	return used;
}

static void answer(struct sock_conn *c, const struct control_reply *reply)
{
	sock_conn_answer(c, reply->text, reply->len);
}

static void answer_error(struct sock_conn *c, const char *fmt, ...) CONTROL_PRINTF(2, 3);

static void answer_error(struct sock_conn *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n > 0)
		sock_conn_answer(c, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

static void on_accepted(void *data, struct sock_conn *c)
{
	static const char denied[] = "error: permission denied\n";
	struct control_server *s = data;

	if (control_check_peer(sock_conn_fd(c), geteuid()) < 0) {
		s->n_refused++;
		sock_conn_answer(c, denied, sizeof(denied) - 1);
	}
}

/* One request line [line, line + len) (no newline): hand it to the handler, answer. */
static void serve_line(struct control_server *s, struct sock_conn *c, const char *line, size_t len)
{
	struct control_reply *reply;
	char req[CONTROL_MAX_REQUEST + 1];

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (memchr(line, '\0', len) != NULL) {
		answer_error(c, "error: the request contains a NUL byte\n");
		return;
	}
	memcpy(req, line, len);
	req[len] = '\0';
	/* On the heap: 16 KiB is more stack than a loop callback should take. */
	reply = calloc(1, sizeof(*reply));
	if (reply == NULL) {
		answer_error(c, "error: out of memory\n");
		return;
	}
	memcpy(reply->text, "ok\n", 4);
	reply->len = 3;
	s->handler(s->data, req, reply);
	answer(c, reply);
	free(reply);
}

static void on_received(void *data, struct sock_conn *c, const char *buf, size_t len, bool full,
			bool eof)
{
	struct control_server *s = data;
	const char *nl = memchr(buf, '\n', len);

	if (nl != NULL)
		serve_line(s, c, buf, (size_t)(nl - buf));
	else if (full)
		answer_error(c, "error: request longer than %d bytes\n", CONTROL_MAX_REQUEST);
	else if (eof && len > 0)
		serve_line(s, c, buf, len); /* the client said it is done: the line is complete */
	/* else: wait for the rest, until the timeout */
}

static void on_timed_out(void *data, struct sock_conn *c, const char *buf, size_t len)
{
	/* A client that sent nothing made no request: it is closed without a word. */
	if (len > 0)
		answer_error(c, "error: incomplete request (no newline within %d ms)\n",
			     CONTROL_TIMEOUT_MS);
}

static const struct sock_handler control_handler = {
	.accepted = on_accepted,
	.received = on_received,
	.timed_out = on_timed_out,
	.busy_answer = "error: busy (too many connections)\n",
};

int control_server_create(const char *socket_path, const struct sock_loop *loop,
			  control_handler_fn handler, void *data, struct control_server **out)
{
	static const struct sock_limits limits = {
		.max_conns = CONTROL_MAX_CLIENTS,
		.max_request = CONTROL_MAX_REQUEST,
		.timeout_ms = CONTROL_TIMEOUT_MS,
	};
	struct control_server *s;
	struct sockaddr_un addr;
	struct stat st;
	int fd = -1, res;

	if ((res = make_address(socket_path, &addr)) < 0)
		return res;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->handler = handler;
	s->data = data;
	if (lstat(socket_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			res = -EEXIST; /* never delete a file we did not make */
			goto error;
		}
		if (socket_in_use(socket_path)) {
			res = -EADDRINUSE;
			goto error;
		}
		unlink(socket_path); /* stale: its service died without cleaning up */
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		res = -errno;
		goto error;
	}
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		res = -errno;
		goto error;
	}
	strcpy(s->path, socket_path);
	/* The directory is already 0700; 0600 on the socket too, in case it is ever moved. A
	 * backlog as deep as the kernel allows: a burst of clients waits there, not refused. */
	if (chmod(socket_path, 0600) < 0 || listen(fd, SOMAXCONN) < 0) {
		res = -errno;
		goto error;
	}
	if ((res = sock_server_create(loop, fd, &limits, &control_handler, s, &s->server)) < 0)
		goto error;
	*out = s;
	return 0;
error:
	if (fd >= 0)
		close(fd);
	control_server_destroy(s);
	return res;
}

void control_server_destroy(struct control_server *s)
{
	if (s == NULL)
		return;
	sock_server_destroy(s->server); /* also closes the listening socket */
	if (s->path[0] != '\0')
		unlink(s->path);
	free(s);
}

unsigned control_server_refused(const struct control_server *s)
{
	return s->n_refused;
}

void control_server_counts(const struct control_server *s, struct sock_counts *out)
{
	sock_server_counts(s->server, out);
}

/* ---- Client ---------------------------------------------------------------------------- */

int control_request(const char *socket_path, const char *request, char *reply, size_t size)
{
	int64_t deadline = now_ms() + CONTROL_CLIENT_TIMEOUT_MS;
	struct sockaddr_un addr;
	char line[CONTROL_MAX_REQUEST + 1];
	int fd, res, n;

	if (size == 0)
		return -EINVAL;
	reply[0] = '\0';
	n = snprintf(line, sizeof(line), "%s\n", request);
	if (n < 0 || n > CONTROL_MAX_REQUEST || strchr(request, '\n') != NULL)
		return -EINVAL;
	if ((res = make_address(socket_path, &addr)) < 0)
		return res;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		res = -errno;
		goto done;
	}
	if ((res = send_all(fd, line, (size_t)n, deadline)) < 0 && res != -EPIPE &&
	    res != -ECONNRESET)
		goto done;
	/* A refused peer is answered and hung up on before its request is read, so a failed send
	 * still leaves an answer to read. */
	if ((res = recv_text(fd, reply, size, deadline)) < 0)
		goto done;
	res = (res == 0) ? -EPROTO : 0;
done:
	close(fd);
	return res;
}
