/* SPDX-License-Identifier: MIT */
/*
 * A control server (src/service/control.h) on a poll loop (sock_loop_poll.h) of its own thread, for
 * the tests whose clients block: start, talk to path, stop.
 */
#ifndef VOCANA_TESTS_CONTROL_THREAD_H
#define VOCANA_TESTS_CONTROL_THREAD_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include "service/control.h"
#include "service/sock_loop_poll.h"

struct control_thread {
	struct sock_poll_loop *poll_loop;
	const struct sock_loop *loop;
	struct control_server *server;
	pthread_t thread;
	atomic_bool stop;
};

static inline void *control_thread_run_(void *arg)
{
	struct control_thread *t = arg;

	while (!atomic_load(&t->stop))
		sock_poll_loop_run_once(t->poll_loop, 20);
	return NULL;
}

/* 0, or the negative errno of control_server_create() (nothing is left running then). */
static inline int control_thread_start(struct control_thread *t, const char *path,
				       control_handler_fn handler, void *data)
{
	int res;

	atomic_store(&t->stop, false);
	if ((res = sock_poll_loop_create(&t->poll_loop, &t->loop)) < 0)
		return res;
	if ((res = control_server_create(path, t->loop, handler, data, &t->server)) < 0) {
		sock_poll_loop_destroy(t->poll_loop);
		return res;
	}
	if (pthread_create(&t->thread, NULL, control_thread_run_, t) != 0) {
		control_server_destroy(t->server);
		sock_poll_loop_destroy(t->poll_loop);
		return -EAGAIN;
	}
	return 0;
}

static inline void control_thread_stop(struct control_thread *t)
{
	atomic_store(&t->stop, true);
	pthread_join(t->thread, NULL);
	control_server_destroy(t->server);
	sock_poll_loop_destroy(t->poll_loop);
}

#endif /* VOCANA_TESTS_CONTROL_THREAD_H */
