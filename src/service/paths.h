/* SPDX-License-Identifier: MIT */
/*
 * Where the mic service keeps its files (XDG base directories):
 *   control socket   $XDG_RUNTIME_DIR/vocana/control.sock      (directory 0700, socket 0600)
 *   settings         ${XDG_CONFIG_HOME:-$HOME/.config}/vocana/vocana.conf
 *   systemd unit     ${XDG_CONFIG_HOME:-$HOME/.config}/systemd/user/vocana.service
 *
 * Each function writes a NUL-terminated path into buf and returns 0, -ENAMETOOLONG if it does
 * not fit, or -ENOENT when the environment gives no base directory (XDG_RUNTIME_DIR unset; neither
 * XDG_CONFIG_HOME nor HOME set). Relative XDG_* values are ignored, as the XDG spec requires.
 */
#ifndef VOCANA_SERVICE_PATHS_H
#define VOCANA_SERVICE_PATHS_H

#include <stddef.h>
#include <sys/types.h>

int paths_runtime_dir(char *buf, size_t size);
int paths_control_socket(char *buf, size_t size);
int paths_config_file(char *buf, size_t size);
int paths_user_unit_dir(char *buf, size_t size);

/* Create dir and its missing parents (parents get 0700 too, as XDG asks for new base directories).
 * The last component must end up a directory owned by us: when private_dir is true a real one (not
 * a symlink), its mode forced to 0700; otherwise a symlink to such a directory is fine (a dotfile
 * manager's ~/.config/vocana). Returns 0 or a negative errno (-ENOTDIR, -EPERM if someone else owns
 * it). */
int paths_make_dir(const char *dir, int private_dir);

/* The directory part of path (everything before the last '/'), into buf. */
int paths_dirname(const char *path, char *buf, size_t size);

#endif /* VOCANA_SERVICE_PATHS_H */
