/* SPDX-License-Identifier: MIT */
#include "cli/install_paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if !defined(VOCANA_PREFIX) || !defined(VOCANA_BINDIR) || !defined(VOCANA_PKGLIBEXECDIR)
#error "VOCANA_PREFIX, VOCANA_BINDIR and VOCANA_PKGLIBEXECDIR must be defined (src/cli/meson.build)"
#endif

/* snprintf that reports truncation as -ENAMETOOLONG. */
static int join(char *buf, size_t size, const char *a, const char *b, const char *c)
{
	int n = snprintf(buf, size, "%s%s%s", a, b, c);

	if (n < 0)
		return -EINVAL;
	return (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int install_self_exe(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);

	if (n < 0)
		return -errno;
	if ((size_t)n >= size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}

bool install_in_build_tree(const char *exe)
{
	char dir[PATH_MAX], marker[PATH_MAX + 32];
	const char *slash = strrchr(exe, '/');
	struct stat st;

	if (slash == NULL || (size_t)(slash - exe) >= sizeof(dir))
		return false;
	memcpy(dir, exe, (size_t)(slash - exe));
	dir[slash - exe] = '\0';
	if (join(marker, sizeof(marker), dir, "/../../", "build.ninja") < 0)
		return false;
	return stat(marker, &st) == 0 && S_ISREG(st.st_mode);
}

/* An executable regular file that is not a build tree's program. */
static bool usable_program(const char *path)
{
	char real[PATH_MAX];
	struct stat st;

	if (access(path, X_OK) != 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	return realpath(path, real) != NULL && !install_in_build_tree(real);
}

int install_find_program(char *buf, size_t size)
{
	const char *path = getenv("PATH");
	int res;

	if (VOCANA_BINDIR[0] == '/')
		res = join(buf, size, VOCANA_BINDIR, "/", "vocana");
	else
		res = join(buf, size, VOCANA_PREFIX "/", VOCANA_BINDIR, "/vocana");
	if (res == 0 && usable_program(buf))
		return 0;
	/* A package or another prefix on PATH (only absolute entries: a relative one depends on
	 * where the service would start). */
	while (path != NULL && *path != '\0') {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		char dir[PATH_MAX];

		if (len > 0 && path[0] == '/' && len < sizeof(dir)) {
			memcpy(dir, path, len);
			dir[len] = '\0';
			if (join(buf, size, dir, "/", "vocana") == 0 && usable_program(buf))
				return 0;
		}
		path = end ? end + 1 : NULL;
	}
	buf[0] = '\0';
	return -ENOENT;
}

int install_libexec_dir(const char *exe, char *buf, size_t size)
{
	const char *slash = strrchr(exe, '/');
	size_t dir_len = slash ? (size_t)(slash - exe) : 0;
	size_t bin_len = strlen(VOCANA_BINDIR);
	char prefix[PATH_MAX];

	if (VOCANA_PKGLIBEXECDIR[0] == '/')
		return join(buf, size, VOCANA_PKGLIBEXECDIR, "", "");
	/* exe = RUNTIME_PREFIX/BINDIR/vocana: the helpers are at RUNTIME_PREFIX/PKGLIBEXECDIR. */
	if (VOCANA_BINDIR[0] != '/' && dir_len > bin_len + 1 &&
	    memcmp(exe + dir_len - bin_len, VOCANA_BINDIR, bin_len) == 0 &&
	    exe[dir_len - bin_len - 1] == '/') {
		size_t prefix_len = dir_len - bin_len - 1;

		if (prefix_len >= sizeof(prefix))
			return -ENAMETOOLONG;
		memcpy(prefix, exe, prefix_len);
		prefix[prefix_len] = '\0';
		return join(buf, size, prefix, "/", VOCANA_PKGLIBEXECDIR);
	}
	return join(buf, size, VOCANA_PREFIX "/", VOCANA_PKGLIBEXECDIR, "");
}
