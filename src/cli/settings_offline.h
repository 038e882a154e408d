/* SPDX-License-Identifier: MIT */
/*
 * 'vocana set', 'enable' and 'disable' while no mic service runs (issue #15): the change is written
 * to the settings file (service/config.h, the same atomic merge the service does), and the service
 * uses it when it starts.
 */
#ifndef VOCANA_CLI_SETTINGS_OFFLINE_H
#define VOCANA_CLI_SETTINGS_OFFLINE_H

#include <stdbool.h>
#include <stddef.h>

struct settings_change {
	bool set_strength;
	int strength;      /* 0..100 */
	bool set_speaker_strength;
	int speaker_strength; /* 0..100 */
	bool set_enabled;
	bool enabled;
	bool set_mic;      /* 'enable mic' / 'disable mic' */
	bool mic;
	bool set_speaker;  /* 'enable speaker' / 'disable speaker' */
	bool speaker;
	const char *input;          /* a node.name or "default"; NULL = unchanged */
	const char *speaker_output; /* the same for the speaker's sink */
};

/*
 * Apply ch to the settings file (${XDG_CONFIG_HOME:-~/.config}/vocana/vocana.conf), keeping every
 * other line. On success returns 0, path gets the file's name and warn one line about lines of
 * the file that are ignored (or ""). On failure returns a negative errno and warn says why.
 */
int settings_offline_apply(const struct settings_change *ch, char *path, size_t path_size,
			   char *warn, size_t warn_size);

#endif /* VOCANA_CLI_SETTINGS_OFFLINE_H */
