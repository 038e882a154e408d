/* SPDX-License-Identifier: MIT */
/*
 * The engine's test-only interface. Production code never calls it: the engine tests do, and the
 * vocana program only when built with -Dtest_hooks=true (VOCANA_TEST_SLOW_MODEL_US, for the
 * end-to-end tests). Nothing in the engine's own paths looks at what it sets: it replaces the
 * function the worker runs the model through.
 */
#ifndef VOCANA_ENGINE_ENGINE_TEST_H
#define VOCANA_ENGINE_ENGINE_TEST_H

#include <stdint.h>

#include "engine/engine.h"

/* Worker mode: from now on every model frame takes at least us microseconds (0 = as fast as it
 * is), to force deadline misses; the time counts as model time. Any thread; kept across
 * engine_reset(). No effect in inline mode. */
void engine_test_slow_model(struct engine *e, uint32_t us);

#endif /* VOCANA_ENGINE_ENGINE_TEST_H */
