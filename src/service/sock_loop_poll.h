/* SPDX-License-Identifier: MIT */
/*
 * A minimal sock_loop (sock_loop.h) on poll(), for owners without an event loop of their own: the
 * unit tests of the control socket, the monitor and the app's client run a control server on it.
 * The mic service uses PipeWire's main loop instead (src/pw/mic_sock_loop.c).
 *
 * One thread runs it (sock_poll_loop_run_once() in a loop); nothing is locked.
 */
#ifndef VOCANA_SERVICE_SOCK_LOOP_POLL_H
#define VOCANA_SERVICE_SOCK_LOOP_POLL_H

#include "service/sock_loop.h"

struct sock_poll_loop;

/* 0 or -ENOMEM. *loop_out points into the poll loop and lives as long as it. */
int sock_poll_loop_create(struct sock_poll_loop **out, const struct sock_loop **loop_out);

/* Watches and timers still registered are freed too (their owners must be gone). NULL: no-op. */
void sock_poll_loop_destroy(struct sock_poll_loop *l);

/* Wait at most timeout_ms (or until the next timer) for events, then dispatch them and any timer
 * that is due. Returns the number of callbacks run, or a negative errno from poll(). */
int sock_poll_loop_run_once(struct sock_poll_loop *l, int timeout_ms);

#endif /* VOCANA_SERVICE_SOCK_LOOP_POLL_H */
