/* SPDX-License-Identifier: MIT */
#include "cli/settings_offline.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "service/config.h"
#include "service/paths.h"

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
	if (ch->set_enabled)
		c.enabled = ch->enabled;
	return service_config_store(path, &c, warn, warn_size);
}
