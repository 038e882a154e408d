/* SPDX-License-Identifier: MIT */
/*
 * The event loop a socket server (sock_server.h) runs on, as a table of functions, so the servers
 * in src/service stay free of PipeWire: the mic service passes PipeWire's main loop (its io
 * sources and timers, src/pw/mic_sock_loop.c); tests and other owners can use the small poll()
 * loop in sock_loop_poll.h.
 *
 * Contract: callbacks run on the loop's thread, one at a time; a callback may add, update or
 * remove any watch or timer, including its own. Nothing here ever blocks: the loop waits, the
 * callbacks only do what is ready.
 */
#ifndef VOCANA_SERVICE_SOCK_LOOP_H
#define VOCANA_SERVICE_SOCK_LOOP_H

#include <stdint.h>

/* Event bits: the values of poll()'s POLLIN, POLLOUT, POLLERR and POLLHUP (and of SPA_IO_*). */
#define SOCK_IO_IN 0x001u
#define SOCK_IO_OUT 0x004u
#define SOCK_IO_ERR 0x008u
#define SOCK_IO_HUP 0x010u

struct sock_watch; /* an fd watched by the loop; opaque, owned by the loop */
struct sock_timer; /* a one-shot timer; opaque, owned by the loop */

typedef void (*sock_io_fn)(void *data, int fd, uint32_t events);
typedef void (*sock_timer_fn)(void *data);

struct sock_loop {
	void *data; /* passed to every function below */
	/* Watch fd for events (SOCK_IO_IN, SOCK_IO_OUT; errors and hang-ups always report). NULL
	 * when out of memory. */
	struct sock_watch *(*add_io)(void *data, int fd, uint32_t events, sock_io_fn fn,
				     void *fn_data);
	void (*update_io)(void *data, struct sock_watch *w, uint32_t events);
	void (*remove_io)(void *data, struct sock_watch *w);
	struct sock_timer *(*add_timer)(void *data, sock_timer_fn fn, void *fn_data);
	/* Fire once, ms milliseconds from now (0: disarm). Re-arming replaces the old time. */
	void (*arm_timer)(void *data, struct sock_timer *t, uint64_t ms);
	void (*remove_timer)(void *data, struct sock_timer *t);
};

#endif /* VOCANA_SERVICE_SOCK_LOOP_H */
