/* SPDX-License-Identifier: MIT */
/* The engine's expected inline latency for the embedded model, derived from the denoiser (the
 * model's algorithmic delay) rather than written down, so the tests follow the model. */
#ifndef VOCANA_TESTS_ENGINE_LATENCY_H
#define VOCANA_TESTS_ENGINE_LATENCY_H

#include <stdint.h>

#include "engine/engine_constants.h"
#include "vocana/vocana.h"

/* Model delay + FIFO alignment (engine_constants.h); 0 if no denoiser could be made. */
static inline uint32_t expected_inline_latency(void)
{
	struct vocana_denoiser *d = NULL;
	if (vocana_denoiser_create(NULL, ENGINE_FRAME_SAMPLES, &d) < 0)
		return 0;
	uint32_t lat = vocana_denoiser_latency_samples(d) + ENGINE_ALIGN_SAMPLES;
	vocana_denoiser_destroy(d);
	return lat;
}

#endif
