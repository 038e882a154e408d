/* SPDX-License-Identifier: MIT */
/*
 * The main window: a header bar with the page switcher, one banner line for the service's state
 * (not running, starting, failed, slow, PipeWire down, no input device: one message at a time,
 * never a dialog), and the pages Microphone, Speaker, Performance and Startup.
 */
#ifndef VOCANA_APP_WINDOW_H
#define VOCANA_APP_WINDOW_H

#include <adwaita.h>

#include "app/app_autostart.h"
#include "app/app_dir_page.h"
#include "app/app_service.h"

struct app_window;

struct app_window *app_window_new(AdwApplication *app, struct app_service *svc);
GtkWindow *app_window_gtk(struct app_window *w);

/* Show one page: "mic", "speaker", "perf" or "startup". */
void app_window_show_page(struct app_window *w, const char *name);

/* Closing hides the window instead of quitting (while a tray icon can bring it back). */
void app_window_set_hide_on_close(struct app_window *w, gboolean hide);

/* For tests: a direction's page (Microphone, Speaker), the banner's text ("" when hidden). */
struct app_dir_page *app_window_dir_page(struct app_window *w, enum app_direction dir);
struct app_autostart_page *app_window_startup_page(struct app_window *w);
const char *app_window_banner_text(struct app_window *w);
GtkWidget *app_window_banner_button(struct app_window *w); /* visible when it offers an action */

#endif /* VOCANA_APP_WINDOW_H */
