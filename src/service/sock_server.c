/* SPDX-License-Identifier: MIT */
#include "service/sock_server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "io/sysio.h"

#define DRAIN_MAX 65536          /* bytes of unread input discarded before a close */
#define ACCEPT_BURST 64          /* connections taken per wake-up: the loop's other work goes on */
#define ACCEPT_RETRY_MS 100      /* out of descriptors: listen again after this */

struct sock_conn {
	struct sock_server *srv;
	int fd;                     /* -1: the slot is free */
	struct sock_watch *watch;
	char *buf;                  /* max_request bytes, the server's */
	size_t len;
	bool eof;
	char *answer;               /* NULL until answered */
	size_t answer_len, sent;
	uint64_t accepted_ms, deadline_ms;
};

struct sock_server {
	const struct sock_loop *loop;
	struct sock_limits lim;
	const struct sock_handler *h;
	void *data;
	int listen_fd;
	struct sock_watch *listen_watch;
	struct sock_timer *timer;       /* the earliest deadline of any connection */
	struct sock_timer *retry_timer; /* listening again after running out of descriptors */
	uint64_t timer_due_ms;
	struct sock_counts counts;
	struct sock_conn *conns;        /* max_conns slots */
	char *bufs;                     /* max_conns * max_request */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Arm the timer for the earliest deadline (or disarm it). */
static void rearm(struct sock_server *s)
{
	uint64_t due = 0, now;

	for (unsigned i = 0; i < s->lim.max_conns; i++) {
		const struct sock_conn *c = &s->conns[i];

		if (c->fd >= 0 && (due == 0 || c->deadline_ms < due))
			due = c->deadline_ms;
	}
	if (due == s->timer_due_ms)
		return;
	s->timer_due_ms = due;
	now = now_ms();
	s->loop->arm_timer(s->loop->data, s->timer, due == 0 ? 0 : due > now ? due - now : 1);
}

/* Read and throw away what the client sent and nobody read, so the close is not a reset. */
static void drain(int fd)
{
	char sink[4096];
	size_t total = 0;

	while (total < DRAIN_MAX) {
		ssize_t n = sysio_recv(fd, sink, sizeof(sink), MSG_DONTWAIT);

		if (n <= 0)
			break;
		total += (size_t)n;
	}
}

static void conn_close(struct sock_conn *c, bool answered)
{
	struct sock_server *s = c->srv;

	if (c->fd < 0)
		return;
	if (c->watch)
		s->loop->remove_io(s->loop->data, c->watch);
	c->watch = NULL;
	drain(c->fd);
	close(c->fd);
	c->fd = -1;
	free(c->answer);
	c->answer = NULL;
	if (answered)
		s->counts.answered++;
	else
		s->counts.dropped++;
}

static void conn_write(struct sock_conn *c)
{
	while (c->sent < c->answer_len) {
		/* MSG_NOSIGNAL: a client that hung up must not kill the service with SIGPIPE. */
		ssize_t n = sysio_send(c->fd, c->answer + c->sent, c->answer_len - c->sent,
				       MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			c->sent += (size_t)n;
			continue;
		}
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return; /* the loop calls again when there is room */
		conn_close(c, false); /* the client went away */
		return;
	}
	conn_close(c, true);
}

int sock_conn_answer(struct sock_conn *c, const char *text, size_t len)
{
	struct sock_server *s = c->srv;

	if (c->answer != NULL)
		return -EALREADY;
	c->answer = malloc(len > 0 ? len : 1);
	if (c->answer == NULL) {
		conn_close(c, false);
		return -ENOMEM;
	}
	memcpy(c->answer, text, len);
	c->answer_len = len;
	c->sent = 0;
	/* Stop reading (whatever else the client sends is drained at the close); wait for room. */
	if (c->watch)
		s->loop->update_io(s->loop->data, c->watch, SOCK_IO_OUT);
	return 0;
}

int sock_conn_fd(const struct sock_conn *c)
{
	return c->fd;
}

/* Read what is there; let the protocol look at it; write its answer as far as possible now. */
static void conn_read(struct sock_conn *c)
{
	struct sock_server *s = c->srv;
	size_t before = c->len;
	bool full;

	while (c->len < s->lim.max_request && !c->eof) {
		ssize_t n = sysio_recv(c->fd, c->buf + c->len, s->lim.max_request - c->len, 0);

		if (n > 0) {
			c->len += (size_t)n;
		} else if (n == 0) {
			c->eof = true;
		} else if (n == -EAGAIN || n == -EWOULDBLOCK) {
			break;
		} else {
			conn_close(c, false); /* reset: nobody to answer */
			return;
		}
	}
	full = c->len == s->lim.max_request;
	if (c->len == before && !c->eof && !full)
		return; /* a spurious wake-up */
	s->h->received(s->data, c, c->buf, c->len, full, c->eof);
	if (c->fd < 0)
		return;
	if (c->answer != NULL)
		conn_write(c);
	else if (full || c->eof)
		conn_close(c, false); /* nothing more will come, and the protocol had no answer */
}

static void on_conn_io(void *data, int fd, uint32_t events)
{
	struct sock_conn *c = data;
	struct sock_server *s = c->srv;

	if (c->answer != NULL) {
		if (events & (SOCK_IO_OUT | SOCK_IO_ERR | SOCK_IO_HUP))
			conn_write(c);
	} else if (events & (SOCK_IO_IN | SOCK_IO_ERR | SOCK_IO_HUP)) {
		conn_read(c);
	}
	rearm(s);
}

/* The connection that has waited longest without a complete request, or NULL. Each candidate
 * gets its pending input read first: a request that already arrived is answered, not evicted. */
static struct sock_conn *find_victim(struct sock_server *s)
{
	for (unsigned tries = 0; tries < s->lim.max_conns; tries++) {
		struct sock_conn *oldest = NULL;

		for (unsigned i = 0; i < s->lim.max_conns; i++) {
			struct sock_conn *c = &s->conns[i];

			if (c->fd >= 0 && c->answer == NULL &&
			    (oldest == NULL || c->accepted_ms < oldest->accepted_ms))
				oldest = c;
		}
		if (oldest == NULL)
			return NULL;
		conn_read(oldest);
		if (oldest->fd >= 0 && oldest->answer == NULL)
			return oldest;
		if (oldest->fd < 0)
			return oldest; /* closed (answered at once, or gone): its slot is free */
	}
	return NULL;
}

static struct sock_conn *free_slot(struct sock_server *s)
{
	struct sock_conn *victim;

	for (unsigned i = 0; i < s->lim.max_conns; i++)
		if (s->conns[i].fd < 0)
			return &s->conns[i];
	victim = find_victim(s);
	if (victim != NULL && victim->fd >= 0) {
		conn_close(victim, false);
		s->counts.evicted++;
	}
	return victim;
}

static void turn_away(struct sock_server *s, int fd)
{
	if (s->h->busy_answer != NULL)
		(void)sysio_send(fd, s->h->busy_answer, strlen(s->h->busy_answer),
				 MSG_NOSIGNAL | MSG_DONTWAIT);
	drain(fd);
	close(fd);
	s->counts.busy++;
	s->counts.dropped++;
}

static void take(struct sock_server *s, int fd)
{
	struct sock_conn *c = free_slot(s);

	if (c == NULL) {
		turn_away(s, fd);
		return;
	}
	c->fd = fd;
	c->len = 0;
	c->eof = false;
	c->answer = NULL;
	c->answer_len = c->sent = 0;
	c->accepted_ms = now_ms();
	c->deadline_ms = c->accepted_ms + s->lim.timeout_ms;
	s->counts.accepted++;
	c->watch = s->loop->add_io(s->loop->data, fd, SOCK_IO_IN, on_conn_io, c);
	if (c->watch == NULL) {
		conn_close(c, false);
		return;
	}
	if (s->h->accepted)
		s->h->accepted(s->data, c);
	if (c->fd < 0)
		return;
	/* The request is often there already (a local client connects and sends at once): serve
	 * it now rather than on the next wake-up. */
	if (c->answer != NULL)
		conn_write(c);
	else
		conn_read(c);
}

static void on_retry_timer(void *data)
{
	struct sock_server *s = data;

	s->loop->update_io(s->loop->data, s->listen_watch, SOCK_IO_IN);
}

static void on_listen_io(void *data, int fd, uint32_t events)
{
	struct sock_server *s = data;

	for (int i = 0; i < ACCEPT_BURST; i++) {
		int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (cfd >= 0) {
			take(s, cfd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* The pending connection stays in the backlog and the socket stays readable:
			 * stop listening for a moment instead of spinning. */
			s->loop->update_io(s->loop->data, s->listen_watch, 0);
			s->loop->arm_timer(s->loop->data, s->retry_timer, ACCEPT_RETRY_MS);
		}
		break; /* EAGAIN: all taken */
	}
	rearm(s);
}

static void on_timer(void *data)
{
	struct sock_server *s = data;
	uint64_t now = now_ms();

	s->timer_due_ms = 0;
	for (unsigned i = 0; i < s->lim.max_conns; i++) {
		struct sock_conn *c = &s->conns[i];

		if (c->fd < 0 || c->deadline_ms > now)
			continue;
		if (c->answer != NULL) {
			conn_close(c, false); /* too slow to read its answer */
			s->counts.timed_out++;
			continue;
		}
		if (s->h->timed_out)
			s->h->timed_out(s->data, c, c->buf, c->len);
		if (c->fd < 0)
			continue;
		if (c->answer == NULL) {
			conn_close(c, false);
		} else {
			c->deadline_ms = now + s->lim.timeout_ms; /* time to read the answer */
			conn_write(c);
		}
		s->counts.timed_out++;
	}
	rearm(s);
}

int sock_server_create(const struct sock_loop *loop, int listen_fd, const struct sock_limits *lim,
		       const struct sock_handler *h, void *data, struct sock_server **out)
{
	struct sock_server *s;

	if (lim->max_conns == 0 || lim->max_request == 0 || lim->timeout_ms == 0 ||
	    h->received == NULL)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->loop = loop;
	s->lim = *lim;
	s->h = h;
	s->data = data;
	s->listen_fd = -1;
	s->conns = calloc(lim->max_conns, sizeof(*s->conns));
	s->bufs = malloc(lim->max_conns * lim->max_request);
	if (s->conns == NULL || s->bufs == NULL)
		goto nomem;
	for (unsigned i = 0; i < lim->max_conns; i++) {
		s->conns[i].srv = s;
		s->conns[i].fd = -1;
		s->conns[i].buf = s->bufs + (size_t)i * lim->max_request;
	}
	s->timer = loop->add_timer(loop->data, on_timer, s);
	s->retry_timer = loop->add_timer(loop->data, on_retry_timer, s);
	if (s->timer == NULL || s->retry_timer == NULL)
		goto nomem;
	s->listen_watch = loop->add_io(loop->data, listen_fd, SOCK_IO_IN, on_listen_io, s);
	if (s->listen_watch == NULL)
		goto nomem;
	s->listen_fd = listen_fd;
	*out = s;
	return 0;
nomem:
	sock_server_destroy(s);
	return -ENOMEM;
}

void sock_server_destroy(struct sock_server *s)
{
	if (s == NULL)
		return;
	if (s->conns)
		for (unsigned i = 0; i < s->lim.max_conns; i++)
			conn_close(&s->conns[i], false);
	if (s->listen_watch)
		s->loop->remove_io(s->loop->data, s->listen_watch);
	if (s->timer)
		s->loop->remove_timer(s->loop->data, s->timer);
	if (s->retry_timer)
		s->loop->remove_timer(s->loop->data, s->retry_timer);
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	free(s->conns);
	free(s->bufs);
	free(s);
}

unsigned sock_server_open_count(const struct sock_server *s)
{
	unsigned n = 0;

	for (unsigned i = 0; i < s->lim.max_conns; i++)
		n += s->conns[i].fd >= 0;
	return n;
}

void sock_server_counts(const struct sock_server *s, struct sock_counts *out)
{
	*out = s->counts;
}
