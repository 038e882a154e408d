/* SPDX-License-Identifier: MIT */
#include "cli/settings_offline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "service/config.h"
#include "service/paths.h"

/* A node name as the service's 'set input' takes it: 1..255 bytes, no spaces or control
 * characters; "default" clears it. */
static int put_name(char *dst, const char *name, const char *key, char *warn, size_t warn_size)
{
	size_t len = strlen(name);

	for (const char *p = name; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			len = 0;
	if (len == 0 || len >= SERVICE_CONFIG_INPUT_MAX) {
		snprintf(warn, warn_size, "%s must be a node name (1..%d bytes, no spaces) or default",
			 key, SERVICE_CONFIG_INPUT_MAX - 1);
		return -EINVAL;
	}
	snprintf(dst, SERVICE_CONFIG_INPUT_MAX, "%s", strcmp(name, "default") == 0 ? "" : name);
	return 0;
}

int settings_offline_apply(const struct settings_change *ch, char *path, size_t path_size,
			   char *warn, size_t warn_size)
{
	struct service_config c;
	char err[256];
	int res;

	warn[0] = '\0';
	if ((res = paths_config_file(path, path_size)) < 0) {
		snprintf(warn, warn_size, "no settings directory (%s)",
			 res == -ENOENT ? "set XDG_CONFIG_HOME or HOME" : strerror(-res));
		return res;
	}
	/* Start from what the service would read, so the values not changed here stay. */
	service_config_defaults(&c);
	res = service_config_load(path, &c, err, sizeof(err));
	if (res < 0 && res != -ENOENT && !(res == -EINVAL && strncmp(err, "line ", 5) == 0)) {
		snprintf(warn, warn_size, "cannot read %s: %s", path, err[0] ? err : strerror(-res));
		return res;
	}
	if (ch->set_strength)
		c.strength = ch->strength;
	if (ch->set_speaker_strength)
		c.speaker_strength = ch->speaker_strength;
	if (ch->set_enabled)
		c.enabled = ch->enabled;
	if (ch->set_mic)
		c.mic = ch->mic;
	if (ch->set_speaker)
		c.speaker = ch->speaker;
	if (ch->input && (res = put_name(c.input, ch->input, "input", warn, warn_size)) < 0)
		return res;
	if (ch->speaker_output &&
	    (res = put_name(c.speaker_output, ch->speaker_output, "speaker.output", warn,
			    warn_size)) < 0)
		return res;
	return service_config_store(path, &c, warn, warn_size);
}
