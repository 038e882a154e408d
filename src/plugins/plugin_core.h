/* SPDX-License-Identifier: MIT */
/*
 * What the LV2 and the LADSPA plugin share: one instance = one chain per channel (plugin_chain.h)
 * running the model every instance of this plugin binary shares, and the two controls.
 *
 * The model: the embedded default is loaded once per plugin binary, on the first instantiate,
 * and freed when the last instance is cleaned up (reference-counted under a mutex: hosts may
 * instantiate from several threads). It is about 1 MB (f16 weights) and read-only, so ten
 * instances cost one model, not ten; each channel only adds its denoiser's own state.
 *
 * Controls, read from the host's ports on every run():
 *   strength  0..100 (rounded; out-of-range values clamped, NaN ignored): the denoiser glides to
 *             a new value over about 50 ms
 *   enable    > 0 denoises, <= 0 passes the input through at the same latency (NaN ignored):
 *             the denoiser crossfades over 10 ms
 * On the first run() after activate() both take effect at once (a host restoring a saved session
 * sets them before audio starts: no glide from the defaults is heard).
 *
 * Real-time safety: vp_instance_run() and vp_instance_latency() only compute. Everything else
 * allocates or locks and belongs in the hosts' instantiation threads.
 */
#ifndef VOCANA_PLUGINS_PLUGIN_CORE_H
#define VOCANA_PLUGINS_PLUGIN_CORE_H

#include <stddef.h>
#include <stdint.h>

#define VP_MAX_CHANNELS 2
#define VP_STRENGTH_DEFAULT 100
#define VP_STRENGTH_MAX 100

struct vp_instance;

/*
 * An instance with n_channels (1 or 2) at rate_hz. On failure returns a negative errno and, when
 * err is not NULL, a sentence for the user in err (err_size bytes), e.g. an unsupported rate.
 */
int vp_instance_create(uint32_t n_channels, double rate_hz, struct vp_instance **out, char *err,
		       size_t err_size);

/* NULL is a no-op. Releases this instance's hold on the shared model. */
void vp_instance_destroy(struct vp_instance *vp);

/* Start (again) from silence: resets every channel; the next run() applies the controls at once. */
void vp_instance_activate(struct vp_instance *vp);

/*
 * Process n samples of every channel: in[c] and out[c] for c < n_channels, any n. Any output
 * buffer may be any input buffer (in place, or crossed): all input of a chunk is read before its
 * output is written. RT-safe.
 */
void vp_instance_run(struct vp_instance *vp, const float *const *in, float *const *out, size_t n,
		     float strength, float enable);

/* Delay of every output behind its input, in host samples; constant for the instance's life. */
uint32_t vp_instance_latency(const struct vp_instance *vp);

/* For tests: samples the chains had to invent (see vp_chain_faults()); always 0. */
uint64_t vp_instance_faults(const struct vp_instance *vp);

#endif /* VOCANA_PLUGINS_PLUGIN_CORE_H */
