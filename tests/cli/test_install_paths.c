/* SPDX-License-Identifier: MIT */
/*
 * src/cli/install_paths.c, built here for the prefix /opt/vocana-test (bin, libexec/vocana; see
 * tests/cli/meson.build): a build tree is recognised by its build.ninja and nothing else is; the
 * helpers of a staged copy (DESTDIR, an unpacked package) are its own, not the configured prefix's;
 * the installed program is looked up on PATH, never a build tree's.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/install_paths.h"
#include "test_util.h"

static char tmp[] = "/tmp/vocana-install-paths-XXXXXX";

static void make_file(const char *rel, int mode)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	f = fopen(path, "w");
	CHECK_MSG(f != NULL, "%s", path);
	if (f) {
		fputs("#!/bin/sh\n", f);
		fclose(f);
	}
	chmod(path, (mode_t)mode);
}

static void make_dir(const char *rel)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", tmp, rel);
	CHECK_MSG(mkdir(path, 0700) == 0, "%s", path);
}

static void test_build_tree(void)
{
	char exe[PATH_MAX];

	make_dir("build");
	make_dir("build/src");
	make_dir("build/src/cli");
	make_file("build/src/cli/vocana", 0755);
	snprintf(exe, sizeof(exe), "%s/build/src/cli/vocana", tmp);
	CHECK(!install_in_build_tree(exe)); /* no build.ninja yet */
	make_file("build/build.ninja", 0644);
	CHECK(install_in_build_tree(exe));
	snprintf(exe, sizeof(exe), "%s/build/vocana", tmp); /* one level up: not the layout */
	CHECK(!install_in_build_tree(exe));
	CHECK(!install_in_build_tree("vocana"));
	CHECK(!install_in_build_tree("/usr/bin/vocana"));
}

static void test_libexec_dir(void)
{
	char dir[PATH_MAX];

	/* Staged under DESTDIR: its own helpers. */
	CHECK(install_libexec_dir("/tmp/stage/opt/vocana-test/bin/vocana", dir, sizeof(dir)) == 0);
	CHECK_MSG(strcmp(dir, "/tmp/stage/opt/vocana-test/libexec/vocana") == 0, "%s", dir);
	/* Where it was configured to be. */
	CHECK(install_libexec_dir("/opt/vocana-test/bin/vocana", dir, sizeof(dir)) == 0);
	CHECK_MSG(strcmp(dir, "/opt/vocana-test/libexec/vocana") == 0, "%s", dir);
	/* Not in a bin directory (copied somewhere): the configured place. */
	CHECK(install_libexec_dir("/home/u/tools/vocana", dir, sizeof(dir)) == 0);
	CHECK_MSG(strcmp(dir, "/opt/vocana-test/libexec/vocana") == 0, "%s", dir);
	/* "xbin" is not "bin". */
	CHECK(install_libexec_dir("/srv/xbin/vocana", dir, sizeof(dir)) == 0);
	CHECK_MSG(strcmp(dir, "/opt/vocana-test/libexec/vocana") == 0, "%s", dir);
	CHECK(install_libexec_dir("/x/bin/vocana", dir, 8) == -ENAMETOOLONG);
}

static void test_find_program(void)
{
	char path[PATH_MAX], found[PATH_MAX], want[PATH_MAX];

	/* The configured /opt/vocana-test/bin/vocana does not exist: PATH is searched, skipping
	 * relative entries, a build tree's program and a file that is not executable. */
	make_dir("bin1");
	make_dir("bin2");
	make_file("bin1/vocana", 0644);
	make_file("bin2/vocana", 0755);
	snprintf(path, sizeof(path), "bin2:%s/build/src/cli:%s/bin1:%s/bin2", tmp, tmp, tmp);
	setenv("PATH", path, 1);
	CHECK(install_find_program(found, sizeof(found)) == 0);
	snprintf(want, sizeof(want), "%s/bin2/vocana", tmp);
	CHECK_MSG(strcmp(found, want) == 0, "found %s", found);

	snprintf(path, sizeof(path), "%s/build/src/cli:%s/bin1", tmp, tmp);
	setenv("PATH", path, 1);
	CHECK(install_find_program(found, sizeof(found)) == -ENOENT);
	unsetenv("PATH");
	CHECK(install_find_program(found, sizeof(found)) == -ENOENT);
}

static void test_self(void)
{
	char exe[PATH_MAX];

	CHECK(install_self_exe(exe, sizeof(exe)) == 0);
	CHECK_MSG(strstr(exe, "test_install_paths") != NULL, "%s", exe);
	CHECK(install_self_exe(exe, 4) == -ENAMETOOLONG);
}

int main(void)
{
	char cmd[PATH_MAX + 16];

	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	RUN_TEST(test_build_tree);
	RUN_TEST(test_libexec_dir);
	RUN_TEST(test_find_program);
	RUN_TEST(test_self);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	return test_finish();
}
