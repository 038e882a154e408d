/* SPDX-License-Identifier: MIT */
#include "service/paths.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Print into buf; -ENAMETOOLONG when truncated, so a too-long path is never used half-written. */
static int path_printf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int path_printf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* An XDG variable counts only if it is set to an absolute path. */
static const char *xdg_env(const char *name)
{
	const char *v = getenv(name);

	return (v != NULL && v[0] == '/') ? v : NULL;
}

int paths_runtime_dir(char *buf, size_t size)
{
	const char *run = xdg_env("XDG_RUNTIME_DIR");

	if (run == NULL)
		return -ENOENT;
	return path_printf(buf, size, "%s/vocana", run);
}

int paths_control_socket(char *buf, size_t size)
{
	const char *run = xdg_env("XDG_RUNTIME_DIR");

	if (run == NULL)
		return -ENOENT;
	return path_printf(buf, size, "%s/vocana/control.sock", run);
}

/* ${XDG_CONFIG_HOME:-$HOME/.config}/suffix */
static int config_path(char *buf, size_t size, const char *suffix)
{
	const char *cfg = xdg_env("XDG_CONFIG_HOME");
	const char *home;

	if (cfg != NULL)
		return path_printf(buf, size, "%s/%s", cfg, suffix);
	home = getenv("HOME");
	if (home == NULL || home[0] != '/')
		return -ENOENT;
	return path_printf(buf, size, "%s/.config/%s", home, suffix);
}

int paths_config_file(char *buf, size_t size)
{
	return config_path(buf, size, "vocana/vocana.conf");
}

int paths_user_unit_dir(char *buf, size_t size)
{
	return config_path(buf, size, "systemd/user");
}

int paths_dirname(const char *path, char *buf, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (slash == NULL)
		return path_printf(buf, size, ".");
	len = (slash == path) ? 1 : (size_t)(slash - path);
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(buf, path, len);
	buf[len] = '\0';
	return 0;
}

int paths_make_dir(const char *dir, int private_dir)
{
	char tmp[4096];
	struct stat st;
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(tmp))
		return len == 0 ? -EINVAL : -ENAMETOOLONG;
	memcpy(tmp, dir, len + 1);
	/* Parents first; each may exist already (EEXIST is fine, we check the last one below). */
	for (char *p = tmp + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST)
		return -errno;
	/* The private (runtime) directory: lstat, so a symlink planted in our place cannot redirect
	 * where the socket goes. Others (~/.config/vocana) may be a symlink the user made, as dotfile
	 * managers do: follow it, the target must still be our own directory. */
	if ((private_dir ? lstat(tmp, &st) : stat(tmp, &st)) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid != geteuid())
		return -EPERM;
	if (private_dir && (st.st_mode & 07777) != 0700 && chmod(tmp, 0700) < 0)
		return -errno;
	return 0;
}
