/* SPDX-License-Identifier: MIT */
#include "service/sock_loop_poll.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sock_watch {
	struct sock_watch *next;
	int fd;
	uint32_t events;
	sock_io_fn fn;
	void *fn_data;
	bool removed; /* freed after the current dispatch: a callback may remove any watch */
};

struct sock_timer {
	struct sock_timer *next;
	sock_timer_fn fn;
	void *fn_data;
	uint64_t due_ms; /* CLOCK_MONOTONIC; 0 = not armed */
	bool removed;
};

struct sock_poll_loop {
	struct sock_loop ops;
	struct sock_watch *watches;
	struct sock_timer *timers;
	struct pollfd *pfds;
	struct sock_watch **pfd_watch; /* the watch of each pfds entry */
	size_t cap;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct sock_watch *add_io(void *data, int fd, uint32_t events, sock_io_fn fn, void *fn_data)
{
	struct sock_poll_loop *l = data;
	struct sock_watch *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->fd = fd;
	w->events = events;
	w->fn = fn;
	w->fn_data = fn_data;
	w->next = l->watches;
	l->watches = w;
	return w;
}

static void update_io(void *data, struct sock_watch *w, uint32_t events)
{
	w->events = events;
}

static void remove_io(void *data, struct sock_watch *w)
{
	w->removed = true;
	w->fn = NULL;
}

static struct sock_timer *add_timer(void *data, sock_timer_fn fn, void *fn_data)
{
	struct sock_poll_loop *l = data;
	struct sock_timer *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return NULL;
	t->fn = fn;
	t->fn_data = fn_data;
	t->next = l->timers;
	l->timers = t;
	return t;
}

static void arm_timer(void *data, struct sock_timer *t, uint64_t ms)
{
	t->due_ms = ms ? now_ms() + ms : 0;
}

static void remove_timer(void *data, struct sock_timer *t)
{
	t->removed = true;
	t->due_ms = 0;
}

int sock_poll_loop_create(struct sock_poll_loop **out, const struct sock_loop **loop_out)
{
	struct sock_poll_loop *l = calloc(1, sizeof(*l));

	if (l == NULL)
		return -ENOMEM;
	l->ops = (struct sock_loop){ .data = l, .add_io = add_io, .update_io = update_io,
				     .remove_io = remove_io, .add_timer = add_timer,
				     .arm_timer = arm_timer, .remove_timer = remove_timer };
	*out = l;
	*loop_out = &l->ops;
	return 0;
}

/* Free what was removed; only between dispatches, so no callback sees a freed watch. */
static void sweep(struct sock_poll_loop *l)
{
	for (struct sock_watch **pw = &l->watches; *pw != NULL;) {
		struct sock_watch *w = *pw;

		if (w->removed) {
			*pw = w->next;
			free(w);
		} else {
			pw = &w->next;
		}
	}
	for (struct sock_timer **pt = &l->timers; *pt != NULL;) {
		struct sock_timer *t = *pt;

		if (t->removed) {
			*pt = t->next;
			free(t);
		} else {
			pt = &t->next;
		}
	}
}

void sock_poll_loop_destroy(struct sock_poll_loop *l)
{
	if (l == NULL)
		return;
	for (struct sock_watch *w = l->watches; w != NULL; w = w->next)
		w->removed = true;
	for (struct sock_timer *t = l->timers; t != NULL; t = t->next)
		t->removed = true;
	sweep(l);
	free(l->pfds);
	free(l->pfd_watch);
	free(l);
}

static int grow(struct sock_poll_loop *l, size_t n)
{
	struct pollfd *p;
	struct sock_watch **pw;
	size_t cap = l->cap ? l->cap : 16;

	if (n <= l->cap)
		return 0;
	while (cap < n)
		cap *= 2;
	p = realloc(l->pfds, cap * sizeof(*p));
	if (p == NULL)
		return -ENOMEM;
	l->pfds = p;
	pw = realloc(l->pfd_watch, cap * sizeof(*pw));
	if (pw == NULL)
		return -ENOMEM;
	l->pfd_watch = pw;
	l->cap = cap;
	return 0;
}

int sock_poll_loop_run_once(struct sock_poll_loop *l, int timeout_ms)
{
	uint64_t now = now_ms();
	size_t n = 0;
	int ran = 0, res;

	sweep(l);
	for (struct sock_watch *w = l->watches; w != NULL; w = w->next)
		n++;
	if ((res = grow(l, n)) < 0)
		return res;
	n = 0;
	for (struct sock_watch *w = l->watches; w != NULL; w = w->next) {
		l->pfds[n] = (struct pollfd){ .fd = w->fd, .events = (short)w->events };
		l->pfd_watch[n++] = w;
	}
	for (struct sock_timer *t = l->timers; t != NULL; t = t->next)
		if (t->due_ms != 0) {
			uint64_t left = t->due_ms > now ? t->due_ms - now : 0;

			if (timeout_ms < 0 || left < (uint64_t)timeout_ms)
				timeout_ms = (int)left;
		}
	res = poll(l->pfds, n, timeout_ms);
	if (res < 0)
		return errno == EINTR ? 0 : -errno;
	for (size_t i = 0; i < n && res > 0; i++) {
		struct sock_watch *w = l->pfd_watch[i];

		if (l->pfds[i].revents == 0)
			continue;
		if (!w->removed && w->fn != NULL) {
			w->fn(w->fn_data, w->fd, (uint32_t)l->pfds[i].revents);
			ran++;
		}
	}
	now = now_ms();
	for (struct sock_timer *t = l->timers; t != NULL; t = t->next)
		if (!t->removed && t->due_ms != 0 && t->due_ms <= now) {
			t->due_ms = 0;
			t->fn(t->fn_data);
			ran++;
		}
	sweep(l);
	return ran;
}
