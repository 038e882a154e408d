/* SPDX-License-Identifier: MIT */
/* The main window (see app_window.h). */
#include "app/app_window.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app/app_autostart.h"
#include "app/app_perf_page.h"

enum banner_action { ACTION_NONE = 0, ACTION_START };

struct app_window {
	struct app_service *svc;
	GtkWidget *window, *stack;
	GtkWidget *banner_revealer, *banner_label, *banner_button;
	enum banner_action banner_action;
	struct app_dir_page *dir[APP_DIR_N];
	struct app_perf_page *perf;
	struct app_autostart_page *startup;
};

static const char css[] =
	".vocana-banner { padding: 8px 12px; background-color: alpha(@accent_bg_color, 0.18); }\n"
	".vocana-banner.error { background-color: alpha(@error_bg_color, 0.25); }\n";

/* ---- The banner: the one place the service's state is explained -------------------------- */

static void on_banner_button(GtkButton *b, gpointer data)
{
	struct app_window *w = data;

	if (w->banner_action == ACTION_START)
		app_service_start(w->svc);
}

static void banner(struct app_window *w, const char *text, gboolean error, const char *button,
		   enum banner_action action)
{
	gboolean show = text != NULL;

	gtk_revealer_set_reveal_child(GTK_REVEALER(w->banner_revealer), show);
	gtk_label_set_text(GTK_LABEL(w->banner_label), show ? text : "");
	if (error)
		gtk_widget_add_css_class(gtk_revealer_get_child(GTK_REVEALER(w->banner_revealer)), "error");
	else
		gtk_widget_remove_css_class(gtk_revealer_get_child(GTK_REVEALER(w->banner_revealer)),
					    "error");
	gtk_widget_set_visible(w->banner_button, button != NULL);
	if (button)
		gtk_button_set_label(GTK_BUTTON(w->banner_button), button);
	w->banner_action = action;
}

static void update_banner(struct app_window *w, const struct app_snapshot *s)
{
	const struct monitor_stats *st = &s->reading.stats;
	char text[700];

	switch (s->state) {
	case APP_STATE_UNKNOWN:
		banner(w, "Looking for the Vocana service…", FALSE, NULL, ACTION_NONE);
		return;
	case APP_STATE_NOT_RUNNING:
		banner(w, "Noise cancellation is not running.", FALSE, "Start", ACTION_START);
		return;
	case APP_STATE_STARTING:
		banner(w, "Starting the Vocana service…", FALSE, NULL, ACTION_NONE);
		return;
	case APP_STATE_START_FAILED:
		snprintf(text, sizeof(text), "The Vocana service could not start: %s", s->message);
		banner(w, text, TRUE, "Try Again", ACTION_START);
		return;
	case APP_STATE_SLOW:
		snprintf(text, sizeof(text), "The Vocana service is slow to answer (%.0f ms).",
			 s->rtt_ms);
		banner(w, text, TRUE, NULL, ACTION_NONE);
		return;
	case APP_STATE_NOT_ANSWERING:
		banner(w, "The Vocana service does not answer. It may be stuck: restart it, or log out "
		       "and in again.", TRUE, NULL, ACTION_NONE);
		return;
	case APP_STATE_FOREIGN:
		banner(w, "The Vocana service here belongs to another user.", TRUE, NULL, ACTION_NONE);
		return;
	case APP_STATE_RUNNING:
		break;
	}
	if (monitor_flag(st, STAT_connected) == 0) {
		banner(w, "PipeWire is not running. The Vocana Microphone appears as soon as it starts.",
		       TRUE, NULL, ACTION_NONE);
	} else if (monitor_flag(st, STAT_mic) != 0 &&
		   strcmp(s->dir[APP_DIR_MIC].device, "(none)") == 0) {
		banner(w, s->dir[APP_DIR_MIC].follows_default ?
		       "No microphone found. Plug one in, or choose an input device below." :
		       "The chosen input device is missing. Plug it in, or choose another one below.",
		       TRUE, NULL, ACTION_NONE);
	} else if (s->message[0] != '\0') {
		snprintf(text, sizeof(text), "The service refused the change: %s", s->message);
		banner(w, text, TRUE, NULL, ACTION_NONE);
	} else {
		banner(w, NULL, FALSE, NULL, ACTION_NONE);
	}
}

static void on_service_changed(struct app_service *svc, void *data)
{
	struct app_window *w = data;
	const struct app_snapshot *s = app_service_snapshot(svc);

	update_banner(w, s);
	for (int i = 0; i < APP_DIR_N; i++)
		app_dir_page_update(w->dir[i], s);
	/* The performance page only while it is the one on screen: its plots cost redraws. */
	if (strcmp(adw_view_stack_get_visible_child_name(ADW_VIEW_STACK(w->stack)), "perf") == 0)
		app_perf_page_update(w->perf, s);
}

/* ---- Visibility drives polling ----------------------------------------------------------- */

static void on_map(GtkWidget *widget, gpointer data)
{
	struct app_window *w = data;

	app_service_set_visible(w->svc, TRUE);
}

static void on_unmap(GtkWidget *widget, gpointer data)
{
	struct app_window *w = data;

	app_service_set_visible(w->svc, FALSE);
}

static void on_page_changed(GObject *stack, GParamSpec *pspec, gpointer data)
{
	struct app_window *w = data;

	on_service_changed(w->svc, w);
}

/* ---- Building ------------------------------------------------------------------------------ */

static GtkWidget *build_banner(struct app_window *w)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 12);

	gtk_widget_add_css_class(box, "vocana-banner");
	w->banner_label = gtk_label_new("");
	gtk_label_set_wrap(GTK_LABEL(w->banner_label), TRUE);
	gtk_label_set_xalign(GTK_LABEL(w->banner_label), 0.0);
	gtk_widget_set_hexpand(w->banner_label, TRUE);
	w->banner_button = gtk_button_new_with_label("Start");
	gtk_widget_add_css_class(w->banner_button, "suggested-action");
	gtk_widget_set_valign(w->banner_button, GTK_ALIGN_CENTER);
	g_signal_connect(w->banner_button, "clicked", G_CALLBACK(on_banner_button), w);
	gtk_box_append(GTK_BOX(box), w->banner_label);
	gtk_box_append(GTK_BOX(box), w->banner_button);
	w->banner_revealer = gtk_revealer_new();
	gtk_revealer_set_child(GTK_REVEALER(w->banner_revealer), box);
	/* Messages are text for people and for screen readers alike. */
	gtk_accessible_update_property(GTK_ACCESSIBLE(w->banner_label),
				       GTK_ACCESSIBLE_PROPERTY_LABEL, "Service status", -1);
	return w->banner_revealer;
}

static void add_css(void)
{
	GtkCssProvider *provider = gtk_css_provider_new();

	gtk_css_provider_load_from_data(provider, css, -1);
	gtk_style_context_add_provider_for_display(gdk_display_get_default(),
						   GTK_STYLE_PROVIDER(provider),
						   GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
	g_object_unref(provider);
}

static void free_window(gpointer data)
{
	g_free(data);
}

struct app_window *app_window_new(AdwApplication *app, struct app_service *svc)
{
	struct app_window *w = g_new0(struct app_window, 1);
	GtkWidget *box, *header, *title, *bar;
	AdwViewStackPage *page;

	w->svc = svc;
	add_css();
	w->window = adw_application_window_new(GTK_APPLICATION(app));
	gtk_window_set_title(GTK_WINDOW(w->window), "Vocana");
	gtk_window_set_default_size(GTK_WINDOW(w->window), 560, 760);
	w->stack = adw_view_stack_new();
	w->dir[APP_DIR_MIC] = app_dir_page_new(svc, APP_DIR_MIC);
	w->dir[APP_DIR_SPEAKER] = app_dir_page_new(svc, APP_DIR_SPEAKER);
	w->perf = app_perf_page_new();
	w->startup = app_autostart_page_new();
	page = adw_view_stack_add_titled(ADW_VIEW_STACK(w->stack),
					 app_dir_page_widget(w->dir[APP_DIR_MIC]), "mic", "Microphone");
	adw_view_stack_page_set_icon_name(page, "audio-input-microphone-symbolic");
	page = adw_view_stack_add_titled(ADW_VIEW_STACK(w->stack),
					 app_dir_page_widget(w->dir[APP_DIR_SPEAKER]), "speaker",
					 "Speaker");
	adw_view_stack_page_set_icon_name(page, "audio-speakers-symbolic");
	page = adw_view_stack_add_titled(ADW_VIEW_STACK(w->stack), app_perf_page_widget(w->perf),
					 "perf", "Performance");
	adw_view_stack_page_set_icon_name(page, "utilities-system-monitor-symbolic");
	page = adw_view_stack_add_titled(ADW_VIEW_STACK(w->stack),
					 app_autostart_page_widget(w->startup), "startup", "Startup");
	adw_view_stack_page_set_icon_name(page, "system-run-symbolic");

	header = adw_header_bar_new();
	title = adw_view_switcher_title_new();
	adw_view_switcher_title_set_stack(ADW_VIEW_SWITCHER_TITLE(title), ADW_VIEW_STACK(w->stack));
	adw_view_switcher_title_set_title(ADW_VIEW_SWITCHER_TITLE(title), "Vocana");
	adw_header_bar_set_title_widget(ADW_HEADER_BAR(header), title);
	/* Narrow windows get the switcher at the bottom, as the HIG's adaptive pattern asks. */
	bar = adw_view_switcher_bar_new();
	adw_view_switcher_bar_set_stack(ADW_VIEW_SWITCHER_BAR(bar), ADW_VIEW_STACK(w->stack));
	g_object_bind_property(title, "title-visible", bar, "reveal", G_BINDING_SYNC_CREATE);

	box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 0);
	gtk_box_append(GTK_BOX(box), header);
	gtk_box_append(GTK_BOX(box), build_banner(w));
	gtk_widget_set_vexpand(w->stack, TRUE);
	gtk_box_append(GTK_BOX(box), w->stack);
	gtk_box_append(GTK_BOX(box), bar);
	adw_application_window_set_content(ADW_APPLICATION_WINDOW(w->window), box);

	g_signal_connect(w->window, "map", G_CALLBACK(on_map), w);
	g_signal_connect(w->window, "unmap", G_CALLBACK(on_unmap), w);
	g_signal_connect(w->stack, "notify::visible-child-name", G_CALLBACK(on_page_changed), w);
	g_object_set_data_full(G_OBJECT(w->window), "app-window", w, free_window);
	app_service_add_listener(svc, on_service_changed, w);
	on_service_changed(svc, w);
	return w;
}

GtkWindow *app_window_gtk(struct app_window *w)
{
	return GTK_WINDOW(w->window);
}

void app_window_show_page(struct app_window *w, const char *name)
{
	adw_view_stack_set_visible_child_name(ADW_VIEW_STACK(w->stack), name);
}

void app_window_set_hide_on_close(struct app_window *w, gboolean hide)
{
	gtk_window_set_hide_on_close(GTK_WINDOW(w->window), hide);
}

struct app_dir_page *app_window_dir_page(struct app_window *w, enum app_direction dir)
{
	return w->dir[dir];
}

const char *app_window_banner_text(struct app_window *w)
{
	return gtk_revealer_get_reveal_child(GTK_REVEALER(w->banner_revealer)) ?
		gtk_label_get_text(GTK_LABEL(w->banner_label)) : "";
}

GtkWidget *app_window_banner_button(struct app_window *w)
{
	return w->banner_button;
}

struct app_autostart_page *app_window_startup_page(struct app_window *w)
{
	return w->startup;
}
