/* SPDX-License-Identifier: MIT */
/*
 * Two ways the service records its own Vocana source, for the desktop app (src/app/):
 *
 *   meter   a capture stream of the source that throws the audio away. While it exists the
 *           source is "recording", so the engine runs and 'stats' carries live levels and voice
 *           activity even when no other app records: the app's meters show your voice as soon
 *           as its window is open. Without it the passive design (docs/microphone.md) would
 *           show silence until a call starts.
 *   listen  PipeWire's own module-loopback from the source to the default output: you hear
 *           yourself through the denoiser (flip 'enable'/'disable' meanwhile for an A/B).
 *
 * Both are leases: the app asks for N seconds and renews while it wants them, so an app that
 * crashes or hides leaves nothing running for long (mic_control.c expires them). Main thread only.
 */
#ifndef VOCANA_PW_MIC_TAP_H
#define VOCANA_PW_MIC_TAP_H

struct pw_core;
struct pw_context;
struct mic_tap;

/* A capture stream named node_name + ".meter" on the source node_name (node.name). */
int mic_tap_meter_create(struct pw_core *core, const char *node_name, struct mic_tap **out);

/* module-loopback from the source node_name to the default sink, loaded into context. */
int mic_tap_listen_create(struct pw_context *context, const char *node_name, struct mic_tap **out);

/* False once PipeWire dropped it (stream error, module unloaded on a lost connection). */
int mic_tap_alive(const struct mic_tap *t);

/* NULL is a no-op. */
void mic_tap_destroy(struct mic_tap *t);

#endif /* VOCANA_PW_MIC_TAP_H */
