/* SPDX-License-Identifier: MIT */
/*
 * The service's socket servers (control socket, /metrics: service/sock_server.h) on PipeWire's main
 * loop: each watch is a pw_loop io source and each timer a pw_loop timer, so a client's socket is
 * only ever touched when the loop says it is ready, between PipeWire's own events.
 */
#include "pw/mic_sock_loop.h"

#include <stdlib.h>
#include <time.h>

#include <spa/support/system.h>

/* sock_loop.h uses poll()'s bit values, which are SPA's. */
_Static_assert(SOCK_IO_IN == SPA_IO_IN && SOCK_IO_OUT == SPA_IO_OUT &&
		       SOCK_IO_ERR == SPA_IO_ERR && SOCK_IO_HUP == SPA_IO_HUP,
	       "SOCK_IO_* must equal SPA_IO_*");

/* A watch's callback and its data, since pw_loop_add_io passes only one pointer. */
struct mic_watch {
	struct spa_source *source;
	sock_io_fn fn;
	void *fn_data;
};

struct mic_timer {
	struct spa_source *source;
	sock_timer_fn fn;
	void *fn_data;
};

static void on_io(void *data, int fd, uint32_t mask)
{
	struct mic_watch *w = data;

	w->fn(w->fn_data, fd, mask);
}

static void on_timer(void *data, uint64_t expirations)
{
	struct mic_timer *t = data;

	t->fn(t->fn_data);
}

static struct sock_watch *add_io(void *data, int fd, uint32_t events, sock_io_fn fn, void *fn_data)
{
	struct pw_loop *loop = data;
	struct mic_watch *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->fn = fn;
	w->fn_data = fn_data;
	/* close = false: the socket belongs to the server, which closes it itself. */
	w->source = pw_loop_add_io(loop, fd, events, false, on_io, w);
	if (w->source == NULL) {
		free(w);
		return NULL;
	}
	return (struct sock_watch *)w;
}

static void update_io(void *data, struct sock_watch *watch, uint32_t events)
{
	struct mic_watch *w = (struct mic_watch *)watch;

	pw_loop_update_io((struct pw_loop *)data, w->source, events);
}

static void remove_io(void *data, struct sock_watch *watch)
{
	struct mic_watch *w = (struct mic_watch *)watch;

	pw_loop_destroy_source((struct pw_loop *)data, w->source);
	free(w);
}

static struct sock_timer *add_timer(void *data, sock_timer_fn fn, void *fn_data)
{
	struct mic_timer *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->fn = fn;
	t->fn_data = fn_data;
	t->source = pw_loop_add_timer((struct pw_loop *)data, on_timer, t);
	if (t->source == NULL) {
		free(t);
		return NULL;
	}
	return (struct sock_timer *)t;
}

static void arm_timer(void *data, struct sock_timer *timer, uint64_t ms)
{
	struct mic_timer *t = (struct mic_timer *)timer;
	struct timespec value = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000L };

	/* 0/0 disarms; anything else fires once (no interval). */
	pw_loop_update_timer((struct pw_loop *)data, t->source, &value, NULL, false);
}

static void remove_timer(void *data, struct sock_timer *timer)
{
	struct mic_timer *t = (struct mic_timer *)timer;

	pw_loop_destroy_source((struct pw_loop *)data, t->source);
	free(t);
}

void mic_sock_loop_init(struct sock_loop *l, struct pw_loop *loop)
{
	*l = (struct sock_loop){ .data = loop, .add_io = add_io, .update_io = update_io,
				 .remove_io = remove_io, .add_timer = add_timer,
				 .arm_timer = arm_timer, .remove_timer = remove_timer };
}
