/* SPDX-License-Identifier: MIT */
/*
 * Screenshots of every page in the light and the dark style ('vocana-app --screenshots DIR'):
 * DIR/PAGE-light.png and DIR/PAGE-dark.png, rendered from the window's own render nodes (no
 * screen grabber needed, the same pixels on any display server), then the app quits.
 * scripts/app-screenshots.sh runs it against a private service; docs/app.md shows the result.
 */
#ifndef VOCANA_APP_SHOTS_H
#define VOCANA_APP_SHOTS_H

#include <gtk/gtk.h>

#include "app/app_window.h"

/* First shot after settle_ms (so meters and the performance plot have data). */
void app_shots_start(GApplication *app, struct app_window *w, const char *dir, guint settle_ms);

/* Render widget into a PNG at path. 0, or -1 with the reason printed. */
int app_shot_save(GtkWidget *widget, const char *path);

#endif /* VOCANA_APP_SHOTS_H */
