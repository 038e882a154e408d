/* SPDX-License-Identifier: MIT */
/*
 * Autostart without root, and the Startup page that switches it:
 *   - "Noise cancellation at login": the systemd user unit of 'vocana mic' (the same file as
 *     'vocana install-service', src/daemon/service/unit.c) is written and enabled with
 *     'systemctl --user enable --now'; switched off, it is disabled and removed. Without a user
 *     manager the file is still written, and the page says it starts at the next login.
 *   - "Tray icon at login": $XDG_CONFIG_HOME/autostart/APP_ID.desktop, running 'vocana-app
 *     --hidden' (XDG Autostart; every desktop with a tray honours it).
 * The switches show what is on disk, so they are right after a change made elsewhere.
 */
#ifndef VOCANA_APP_AUTOSTART_H
#define VOCANA_APP_AUTOSTART_H

#include <gtk/gtk.h>

#define APP_ID "org.vocana.Vocana"

/* Paths (g_free() them). */
char *app_autostart_unit_path(void);
char *app_autostart_desktop_path(void);

/* Synchronous file work (small files in the user's config directory) plus asynchronous
 * systemctl calls; done(ok, message) is called on the main loop when everything finished. */
typedef void (*app_autostart_fn)(gboolean ok, const char *message, void *data);
void app_autostart_set_service(gboolean on, app_autostart_fn done, void *data);
gboolean app_autostart_set_tray(gboolean on, char **error);
gboolean app_autostart_service_installed(void);
gboolean app_autostart_tray_installed(void);

struct app_autostart_page;
struct app_autostart_page *app_autostart_page_new(void);
GtkWidget *app_autostart_page_widget(struct app_autostart_page *p);
/* For tests: the two switches, and the page's last result line. */
GtkWidget *app_autostart_page_service_switch(struct app_autostart_page *p);
GtkWidget *app_autostart_page_tray_switch(struct app_autostart_page *p);
const char *app_autostart_page_result(struct app_autostart_page *p);

#endif /* VOCANA_APP_AUTOSTART_H */
