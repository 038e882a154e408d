/* SPDX-License-Identifier: MIT */
/*
 * Starting the mic service from the app, and finding the programs involved. With the systemd user
 * unit installed (app_autostart.h) and a user manager running, 'systemctl --user start vocana';
 * otherwise 'vocana mic' as a child of nobody in particular (it outlives the app), its messages
 * going to $XDG_STATE_HOME/vocana/mic.log so a failure can be shown. Everything is asynchronous.
 */
#ifndef VOCANA_APP_LAUNCH_H
#define VOCANA_APP_LAUNCH_H

#include <glib.h>

/* res 0: started (a process runs or systemctl accepted it); the service still has to answer.
 * res < 0: it did not start; message says why in one line. Later, if a directly started process
 * exits before the app saw it answer, exited is called with its last log line. */
typedef void (*app_launch_fn)(int res, const char *message, void *data);

void app_launch_service(app_launch_fn done, app_launch_fn exited, void *data);

/* The vocana program: $VOCANA_PROGRAM, else 'vocana' next to this program (installed side by
 * side, or src/cli/vocana of a build tree), else the one on PATH. NULL if none. g_free() it. */
char *app_find_vocana(void);

/* A systemd user manager runs in this session ($XDG_RUNTIME_DIR/systemd/private exists). */
gboolean app_user_manager_running(void);

/* The log file of a directly started service; g_free() it. */
char *app_launch_log_path(void);

/* The last non-empty line of the log (g_free() it), or NULL. */
char *app_launch_log_tail(void);

#endif /* VOCANA_APP_LAUNCH_H */
