/* SPDX-License-Identifier: MIT */
/*
 * The Vocana service ('vocana service', also run as 'vocana mic'): up to two denoised directions
 * in one process (direction.h), controlled over a UNIX socket (see src/daemon/service/control.h) and
 * documented for users in docs/microphone.md and docs/speaker.md:
 *   the Vocana Microphone  a PipeWire Audio/Source carrying the denoised signal of a real
 *                          capture device (on unless the settings say 'mic = off');
 *   the Vocana Speaker     a PipeWire Audio/Sink whose audio is denoised and played into the
 *                          real output (off unless the settings say 'speaker = on' or --speaker).
 *
 * What it does, in one place:
 *  - publishes each direction's node as soon as PipeWire is there, and keeps it while its
 *    device comes and goes (silence meanwhile);
 *  - captures --input NAME, or else the default source, following the default when the user
 *    changes it (never itself: if Vocana is the default it keeps the last real device); the
 *    speaker plays into --speaker-output NAME or the default sink, the same way;
 *  - runs a direction's streams only while something uses its node (docs/reliability.md);
 *  - reconnects with back-off (100 ms doubling to 5 s) when PipeWire restarts or is not up yet;
 *  - restores strength/enabled from the settings file and saves changes made over the socket;
 *  - quits cleanly on SIGINT/SIGTERM, removing its socket.
 */
#ifndef VOCANA_PW_MIC_H
#define VOCANA_PW_MIC_H

#include <stdbool.h>

#include "engine/engine.h"

#define MIC_DEFAULT_NODE_NAME "vocana_mic"
#define MIC_DEFAULT_DESCRIPTION "Vocana Microphone"
#define SPEAKER_NODE_NAME "vocana_speaker"
#define SPEAKER_DESCRIPTION "Vocana Speaker"
#define SPEAKER_DEFAULT_CHANNELS 2

struct mic_options {
	const char *input;        /* node.name of the device to denoise; NULL = the saved input
				     (settings file), else the default source */
	enum engine_mode mode;    /* ENGINE_INLINE or ENGINE_WORKER */
	const char *model_path;   /* NULL = the model compiled into libvocana */
	const char *node_name;    /* NULL = MIC_DEFAULT_NODE_NAME */
	const char *description;  /* NULL = MIC_DEFAULT_DESCRIPTION */
	int strength;             /* 0..100, or -1 = from the settings file */
	int enabled;              /* 0 or 1, or -1 = from the settings file */
	bool verbose;             /* log every target change and reconnect attempt */
	const char *socket_path;  /* NULL = $XDG_RUNTIME_DIR/vocana/control.sock */
	const char *config_path;  /* NULL = $XDG_CONFIG_HOME/vocana/vocana.conf */
	int metrics_port;         /* 1..65535: serve Prometheus GET /metrics on 127.0.0.1; 0 = off */
	int mic;                  /* 0 or 1: publish the microphone; -1 = from the settings file */
	int speaker;              /* 0 or 1: publish the speaker; -1 = from the settings file */
	const char *speaker_output; /* node.name of the sink to play into; NULL = the saved one,
				     * else the default sink */
	unsigned speaker_channels; /* 1..8; 0 = SPEAKER_DEFAULT_CHANNELS */
	bool speaker_separate_channels; /* one network per speaker channel (no linked channels) */
	const char *metrics_token_file; /* NULL, or a private file holding the bearer token that
					   every /metrics request must carry */
};

/* Run until SIGINT or SIGTERM. Returns 0 after a clean shutdown, or a negative errno when it
 * cannot start (the reason has been printed to stderr as one line). */
int mic_run(const struct mic_options *opts);

#endif /* VOCANA_PW_MIC_H */
