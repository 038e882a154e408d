/* SPDX-License-Identifier: MIT */
/*
 * Where this vocana runs from, and where its installation keeps its other pieces.
 *
 * A program in a Meson build directory (<builddir>/src/cli/vocana) is "in a build tree": it may be
 * rebuilt or deleted at any time, and it finds its benchmark scripts in the source tree and its
 * test clients in the build tree. Anything else is an installation: PREFIX/BINDIR/vocana as
 * configured, or the same layout staged elsewhere (DESTDIR, an unpacked package), whose helpers
 * are found relative to the program, at PKGLIBEXECDIR (default PREFIX/libexec/vocana).
 *
 * The paths come from the build configuration (src/cli/meson.build): VOCANA_PREFIX (absolute),
 * VOCANA_BINDIR and VOCANA_PKGLIBEXECDIR (relative to the prefix, or absolute).
 */
#ifndef VOCANA_CLI_INSTALL_PATHS_H
#define VOCANA_CLI_INSTALL_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/* This program's absolute path (/proc/self/exe) into buf. 0 or a negative errno. */
int install_self_exe(char *buf, size_t size);

/* Whether exe (an absolute path) is a program of a Meson build directory: its directory's
 * grandparent holds build.ninja (the layout <builddir>/src/cli/vocana). */
bool install_in_build_tree(const char *exe);

/* The installed vocana: PREFIX/BINDIR/vocana as configured if it is an executable file that is
 * not in a build tree, else the first 'vocana' on PATH that is neither. 0, -ENOENT if there is
 * none, or -ENAMETOOLONG. */
int install_find_program(char *buf, size_t size);

/* PKGLIBEXECDIR of the installation exe belongs to: exe's directory with BINDIR taken off the end
 * stands for the prefix (so a staged or relocated copy finds its own helpers); the configured
 * absolute PKGLIBEXECDIR when exe is not in a BINDIR or PKGLIBEXECDIR is absolute. 0 or a
 * negative errno. */
int install_libexec_dir(const char *exe, char *buf, size_t size);

#endif /* VOCANA_CLI_INSTALL_PATHS_H */
