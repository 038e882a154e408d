/* SPDX-License-Identifier: MIT */
/*
 * The mic service's persistent settings: a small "key = value" file (see docs/microphone.md).
 *
 *   # comment
 *   strength = 80        # 0..100, as 'vocana set strength'
 *   enabled = true       # false = bypass, as 'vocana disable'
 *
 * Blank lines and '#' comments are allowed; keys the service does not know are skipped (so a newer
 * file still loads); a known key with a bad value is an error naming the line. Saving writes a
 * temporary file next to the target, fsyncs it and renames it over, so a crash leaves either the
 * old or the new file, never half of one.
 */
#ifndef VOCANA_SERVICE_CONFIG_H
#define VOCANA_SERVICE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define SERVICE_CONFIG_MAX_BYTES 65536 /* a settings file is a few lines; anything bigger is not ours */

struct service_config {
	int strength;  /* 0..100 */
	bool enabled;  /* false = bypass */
};

void service_config_defaults(struct service_config *c);

/* Parse text (len bytes, need not be NUL-terminated) over the values already in c. Returns 0 or
 * -EINVAL, with a one-line reason ("line 3: strength must be 0..100") in err. */
int service_config_parse(const char *text, size_t len, struct service_config *c, char *err,
			 size_t err_size);

/* Load path over the values in c: 0, -ENOENT if there is no file (c untouched), -EINVAL (err says
 * why), -EFBIG, or another negative errno from reading. */
int service_config_load(const char *path, struct service_config *c, char *err, size_t err_size);

/* The file's text for c, NUL-terminated; returns its length or -ENOSPC. */
int service_config_format(const struct service_config *c, char *buf, size_t size);

/* Write c to path atomically, creating the directory (0700) if needed. 0 or a negative errno. */
int service_config_save(const char *path, const struct service_config *c);

/* Write size bytes to path atomically (temp file in the same directory, fsync, rename) with the
 * given mode. Shared with the systemd unit installer. 0 or a negative errno. */
int service_write_file_atomic(const char *path, const void *data, size_t size, unsigned mode);

#endif /* VOCANA_SERVICE_CONFIG_H */
