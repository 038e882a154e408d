/* SPDX-License-Identifier: MIT */
/*
 * The tray's menu as com.canonical.dbusmenu (the protocol StatusNotifierItem hosts use to show an
 * item's menu): a fixed list of items whose labels and check states follow the service.
 *
 *   1 Noise Cancellation (checkmark)   9 Vocana Speaker (checkmark)   2 ---
 *   3..5 Strength presets (radio)      6 ---   7 Open Vocana   8 Quit
 *
 * (ids stay stable for hosts and tests; the speaker came later, so its id is last.)
 *
 * Any change bumps the layout revision and emits LayoutUpdated, so hosts re-read the menu.
 */
#ifndef VOCANA_APP_MENU_H
#define VOCANA_APP_MENU_H

#include <gio/gio.h>

#define APP_MENU_PATH "/MenuBar"

enum app_menu_item {
	APP_MENU_ENABLE = 1,
	APP_MENU_PRESET_LOW = 3,
	APP_MENU_PRESET_MEDIUM = 4,
	APP_MENU_PRESET_FULL = 5,
	APP_MENU_OPEN = 7,
	APP_MENU_QUIT = 8,
	APP_MENU_SPEAKER = 9,
};

/* Strength of each preset. */
#define APP_PRESET_LOW 30
#define APP_PRESET_MEDIUM 60
#define APP_PRESET_FULL 100

typedef void (*app_menu_clicked_fn)(enum app_menu_item item, void *data);

struct app_menu;

/* Export the menu on conn at APP_MENU_PATH. NULL on failure. */
struct app_menu *app_menu_new(GDBusConnection *conn, app_menu_clicked_fn clicked, void *data);
void app_menu_free(struct app_menu *m);

/* The state shown: the mic's enabled and the speaker published (-1 unknown: unchecked and
 * insensitive), the mic's strength (-1 unknown). */
void app_menu_set_state(struct app_menu *m, int enabled, int speaker, int strength);

#endif /* VOCANA_APP_MENU_H */
