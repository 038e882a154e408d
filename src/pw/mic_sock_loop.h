/* SPDX-License-Identifier: MIT */
/* service/sock_loop.h on a PipeWire loop (the service's main loop), for its socket servers. */
#ifndef VOCANA_PW_MIC_SOCK_LOOP_H
#define VOCANA_PW_MIC_SOCK_LOOP_H

#include <pipewire/pipewire.h>

#include "service/sock_loop.h"

/* Fill l so that its watches and timers are io sources and timers of loop. */
void mic_sock_loop_init(struct sock_loop *l, struct pw_loop *loop);

#endif /* VOCANA_PW_MIC_SOCK_LOOP_H */
