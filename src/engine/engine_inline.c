/* SPDX-License-Identifier: MIT */
/*
 * Inline mode: the denoiser runs on the audio thread, one exact 480-sample frame at a time, as
 * soon as the frame's last input sample has arrived. The output then needs no margin: every frame
 * is complete before its first sample is played (ENGINE_ALIGN_SAMPLES), so the engine's latency
 * is 480 (model) + 479 (alignment) samples and no frame can ever be late.
 */
#include "engine/engine_internal.h"

void engine_inline_frame(struct engine *e, struct engine_slot *s)
{
	/* The denoiser's setter is real-time safe (it stores a target; the change is smoothed over
	 * ~50 ms inside the denoiser), but skip it when nothing changed. */
	const int strength = atomic_load_explicit(&e->strength, memory_order_relaxed);
	if (strength != e->applied_strength) {
		vocana_denoiser_set_strength(e->den, strength);
		e->applied_strength = strength;
	}
	const uint64_t t0 = engine_now_us();
	vocana_denoiser_process(e->den, s->in, s->wet, ENGINE_FRAME_SAMPLES);
	const uint64_t dt = engine_now_us() - t0;
	telemetry_record_latency_us(e->tel, dt > UINT32_MAX ? UINT32_MAX : (uint32_t)dt);
	s->ready = true;
	s->vad = vocana_denoiser_vad(e->den);
	atomic_store_explicit(&e->st_vad, s->vad, memory_order_relaxed);
}
