/* SPDX-License-Identifier: MIT */
/* The engine's test-only interface (engine_test.h). */
#include "engine/engine_test.h"

#include <errno.h>
#include <time.h>

#include "engine/engine_internal.h"

/* The model, then a sleep until the frame has taken test_slow_us (absolute, so the model's own
 * time is part of it). */
static void slow_hop(struct engine *e, const float *frame, float *wet)
{
	const uint64_t t_us = telemetry_now_us() +
			      atomic_load_explicit(&e->test_slow_us, memory_order_relaxed);
	const struct timespec ts = {
		.tv_sec = (time_t)(t_us / 1000000u),
		.tv_nsec = (long)(t_us % 1000000u) * 1000,
	};
	engine_run_hop(e, frame, wet);
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

void engine_test_slow_model(struct engine *e, uint32_t us)
{
	if (!e)
		return;
	atomic_store_explicit(&e->test_slow_us, us, memory_order_relaxed);
	atomic_store_explicit(&e->run_hop, us ? slow_hop : engine_run_hop, memory_order_relaxed);
}
