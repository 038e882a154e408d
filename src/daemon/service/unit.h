/* SPDX-License-Identifier: MIT */
/*
 * The systemd user unit for 'vocana mic'. Its text is data/vocana.service, compiled in at build
 * time, so the installed unit and the one in the source tree cannot drift apart.
 */
#ifndef VOCANA_SERVICE_UNIT_H
#define VOCANA_SERVICE_UNIT_H

#include <stddef.h>

#define UNIT_FILE_NAME "vocana.service"

/* The unit text with ExecStart running "EXE mic" (exe: an absolute path, escaped for systemd).
 * Returns the text's length, -EINVAL for a relative exe or one with control characters, or
 * -ENOSPC if buf is too small. */
int unit_render(const char *exe, char *buf, size_t size);

/* Write the unit text to dir/vocana.service (atomic; dir created if missing). 0 or -errno. */
int unit_install(const char *dir, const char *text, size_t len);

#endif /* VOCANA_SERVICE_UNIT_H */
