/* SPDX-License-Identifier: MIT */
/*
 * Run a 48 kHz processor inside a graph that runs at another rate (44.1 kHz, 96 kHz, ...).
 *
 * Per graph cycle: n samples at the graph rate are resampled to 48 kHz (libsamplerate), handed to
 * the processor in place, resampled back and queued in an output FIFO, from which exactly n samples
 * are taken. The two converters' lengths vary by a sample or two from cycle to cycle, so the FIFO
 * first fills to n + RATE_ADAPTER_MARGIN samples before it gives anything out (silence until then),
 * which fixes the extra latency. If it ever runs short (a quantum grew), the missing samples are
 * silence and it refills: counted in underruns.
 *
 * rate_adapter_process() is real-time safe: the converters are the project's libsamplerate
 * wrapper (io/resample.h, RESAMPLER_REALTIME), which allocates only in create. One thread at a
 * time.
 */
#ifndef VOCANA_PW_RATE_ADAPTER_H
#define VOCANA_PW_RATE_ADAPTER_H

#include <stdint.h>

#define RATE_ADAPTER_MARGIN 32 /* samples at the graph rate: > the converters' per-cycle jitter */

/* Processes n 48 kHz samples in place (n <= the max_block_48k given to create). */
typedef void (*rate_adapter_fn)(void *data, float *buf, uint32_t n);

struct rate_adapter;

/* graph_rate in Hz (8000..384000); max_block: the largest n at the graph rate. */
int rate_adapter_create(uint32_t graph_rate, uint32_t max_block, struct rate_adapter **out);
void rate_adapter_destroy(struct rate_adapter *ra);

/* The largest block the processor is handed, in 48 kHz samples. */
uint32_t rate_adapter_max_block_48k(const struct rate_adapter *ra);

uint32_t rate_adapter_graph_rate(const struct rate_adapter *ra);

/* in[0..n) -> out[0..n) at the graph rate (in == out allowed). */
void rate_adapter_process(struct rate_adapter *ra, const float *in, float *out, uint32_t n,
			  rate_adapter_fn fn, void *data);

/* Current delay of the adapter itself (converters + FIFO), in graph-rate samples. */
uint32_t rate_adapter_latency_samples(const struct rate_adapter *ra);

uint64_t rate_adapter_underruns(const struct rate_adapter *ra);

#endif /* VOCANA_PW_RATE_ADAPTER_H */
