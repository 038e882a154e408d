/* SPDX-License-Identifier: MIT */
/*
 * The tray icon: a StatusNotifierItem (org.kde.StatusNotifierItem over D-Bus, shown by KDE, Xfce,
 * Cinnamon, and GNOME with the AppIndicator extension) with its menu exported as
 * com.canonical.dbusmenu (app_menu.h). Implemented on GDBus directly: no libappindicator.
 *
 * The item registers with org.kde.StatusNotifierWatcher whenever one appears on the session bus
 * and tells the app whether a tray host shows it; without one the app stays a plain window.
 * Activating the icon opens the window; the menu has on/off, strength presets, Open and Quit.
 */
#ifndef VOCANA_APP_TRAY_H
#define VOCANA_APP_TRAY_H

#include <glib.h>

#include "app/app_service.h"

struct app_tray_events {
	void (*open)(void *data);
	void (*quit)(void *data);
	/* A tray host shows the icon (TRUE) or none does (FALSE). */
	void (*host_changed)(gboolean has_host, void *data);
};

struct app_tray;

/* Connects to the session bus asynchronously; without one the tray simply never appears. */
struct app_tray *app_tray_new(struct app_service *svc, const struct app_tray_events *events,
			      void *data);
void app_tray_free(struct app_tray *t);

#endif /* VOCANA_APP_TRAY_H */
