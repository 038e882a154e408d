/* SPDX-License-Identifier: MIT */
/*
 * vocana-app: the desktop window and tray icon of the Vocana Microphone. It only talks to the
 * running service over its control socket (src/daemon/service/control.h) and starts it when it is not
 * running; it never processes audio itself. Layout: app_service (the model, polling),
 * app_window + pages (what people see), app_tray + app_menu (StatusNotifierItem), app_autostart
 * (login), app_launch (starting the service), app_shots / app_measure (for the docs and tests).
 */
#include <stdio.h>
#include <stdlib.h>

#include <adwaita.h>

#include "app/app_autostart.h"
#include "app/app_measure.h"
#include "app/app_service.h"
#include "app/app_shots.h"
#include "app/app_tray.h"
#include "app/app_window.h"

#define NO_HOST_GRACE_MS 3000 /* --hidden without a tray host after this long: show the window */

struct app {
	AdwApplication *gapp;
	struct app_service *svc;
	struct app_window *window;
	struct app_tray *tray;
	gboolean has_host, held;
	/* options */
	gboolean hidden, no_tray;
	char *socket_path, *shots_dir, *measure_out, *page;
	int measure_s, shots_settle_ms;
};

static void show_window(struct app *a)
{
	gtk_window_present(app_window_gtk(a->window));
}

static void tray_open(void *data)
{
	show_window(data);
}

static void tray_quit(void *data)
{
	struct app *a = data;

	g_application_quit(G_APPLICATION(a->gapp));
}

static void tray_host_changed(gboolean has_host, void *data)
{
	struct app *a = data;

	a->has_host = has_host;
	/* With a tray the app lives on when its window closes; without one, closing quits (a
	 * hidden app nobody can reach would be a silent failure). */
	app_window_set_hide_on_close(a->window, has_host);
	if (has_host && !a->held) {
		g_application_hold(G_APPLICATION(a->gapp));
		a->held = TRUE;
	} else if (!has_host && a->held) {
		a->held = FALSE;
		if (!gtk_widget_get_visible(GTK_WIDGET(app_window_gtk(a->window))))
			show_window(a); /* the tray went away: the window is the only way in */
		g_application_release(G_APPLICATION(a->gapp));
	}
}

static const struct app_tray_events tray_events = {
	.open = tray_open,
	.quit = tray_quit,
	.host_changed = tray_host_changed,
};

static gboolean on_no_host_grace(gpointer data)
{
	struct app *a = data;

	if (!a->has_host)
		show_window(a);
	g_application_release(G_APPLICATION(a->gapp)); /* the hold taken in on_activate */
	return G_SOURCE_REMOVE;
}

static void on_activate(GApplication *gapp, gpointer data)
{
	struct app *a = data;

	if (a->window != NULL) { /* a second launch: bring the window back */
		show_window(a);
		return;
	}
	a->svc = app_service_new(a->socket_path);
	a->window = app_window_new(a->gapp, a->svc);
	if (a->page)
		app_window_show_page(a->window, a->page);
	if (!a->no_tray)
		a->tray = app_tray_new(a->svc, &tray_events, a);
	if (a->shots_dir) {
		/* Tall enough that every page, plots included, fits without scrolling. */
		gtk_window_set_default_size(app_window_gtk(a->window), 560, 1400);
		show_window(a);
		app_shots_start(gapp, a->window, a->shots_dir, (guint)a->shots_settle_ms);
	} else if (a->measure_s > 0) {
		show_window(a);
		app_measure_start(gapp, app_window_gtk(a->window), (guint)a->measure_s,
				  a->measure_out ? a->measure_out : "vocana-app-measure.json");
	} else if (a->hidden) {
		/* Started at login for the tray: stay hidden unless no tray host shows up. */
		g_application_hold(gapp);
		g_timeout_add(NO_HOST_GRACE_MS, on_no_host_grace, a);
	} else {
		show_window(a);
	}
}

int main(int argc, char **argv)
{
	struct app a = { 0 };
	GOptionEntry entries[] = {
		{ "hidden", 0, 0, G_OPTION_ARG_NONE, &a.hidden,
		  "Start in the tray without a window (the window opens if there is no tray)", NULL },
		{ "no-tray", 0, 0, G_OPTION_ARG_NONE, &a.no_tray, "No tray icon", NULL },
		{ "socket", 0, 0, G_OPTION_ARG_FILENAME, &a.socket_path,
		  "The service's control socket (default: $XDG_RUNTIME_DIR/vocana/control.sock)",
		  "PATH" },
		{ "page", 0, 0, G_OPTION_ARG_STRING, &a.page, "Open on a page: mic, speaker, perf or startup",
		  "NAME" },
		{ "screenshots", 0, 0, G_OPTION_ARG_FILENAME, &a.shots_dir,
		  "Save every page in light and dark style as PNG files in DIR, then quit", "DIR" },
		{ "screenshots-settle", 0, 0, G_OPTION_ARG_INT, &a.shots_settle_ms,
		  "Wait this long before the first screenshot (default 3000)", "MS" },
		{ "measure", 0, 0, G_OPTION_ARG_INT, &a.measure_s,
		  "Measure frame times and CPU for SECONDS visible and SECONDS hidden, then quit",
		  "SECONDS" },
		{ "measure-out", 0, 0, G_OPTION_ARG_FILENAME, &a.measure_out,
		  "Where --measure writes its JSON", "FILE" },
		{ NULL, 0, 0, 0, NULL, NULL, NULL },
	};
	int status;

	a.shots_settle_ms = 3000;
	/* Cairo unless the user picks a renderer: this window is small and redraws its meters
	 * 5 times a second, which the Cairo renderer does in about 1 ms and 0.8 % of a core; GTK's
	 * default GL renderer took 13 % and a 90-130 ms p99 wherever GL is Mesa's software
	 * rasteriser (VMs, Xvfb: docs/app.md, "Measured"). With a GPU, GSK_RENDERER=gl works too. */
	g_setenv("GSK_RENDERER", "cairo", FALSE);
	/* NON_UNIQUE for the test and measurement modes: they must not hand over to (or be
	 * confused with) an instance the user runs. */
	a.gapp = adw_application_new(APP_ID, G_APPLICATION_DEFAULT_FLAGS);
	g_application_add_main_option_entries(G_APPLICATION(a.gapp), entries);
	g_signal_connect(a.gapp, "activate", G_CALLBACK(on_activate), &a);
	for (int i = 1; i < argc; i++)
		if (g_str_has_prefix(argv[i], "--screenshots") || g_str_has_prefix(argv[i], "--measure") ||
		    g_str_has_prefix(argv[i], "--socket"))
			g_application_set_flags(G_APPLICATION(a.gapp), G_APPLICATION_NON_UNIQUE);
	status = g_application_run(G_APPLICATION(a.gapp), argc, argv);
	app_tray_free(a.tray);
	g_object_unref(a.gapp);
	return status;
}
