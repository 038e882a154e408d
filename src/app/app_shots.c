/* SPDX-License-Identifier: MIT */
/* Screenshots of the pages (see app_shots.h). */
#include "app/app_shots.h"

#include <stdio.h>

#define PAGE_SETTLE_MS 1200 /* a page switch, a style change and a couple of polls */

static const char *const pages[] = { "mic", "speaker", "perf", "startup" };

struct shots {
	GApplication *app;
	struct app_window *w;
	char *dir;
	guint step; /* theme * G_N_ELEMENTS(pages) + page */
	int failures;
};

int app_shot_save(GtkWidget *widget, const char *path)
{
	int width = gtk_widget_get_width(widget), height = gtk_widget_get_height(widget);
	GdkPaintable *paintable;
	GtkSnapshot *snap;
	GskRenderNode *node;
	GdkTexture *texture;
	GskRenderer *renderer = gtk_native_get_renderer(gtk_widget_get_native(widget));
	int res = 0;

	if (width <= 0 || height <= 0 || renderer == NULL) {
		g_printerr("vocana-app: nothing to capture for %s (widget not shown)\n", path);
		return -1;
	}
	paintable = gtk_widget_paintable_new(widget);
	snap = gtk_snapshot_new();
	gdk_paintable_snapshot(paintable, snap, width, height);
	node = gtk_snapshot_free_to_node(snap);
	if (node == NULL) {
		g_object_unref(paintable);
		g_printerr("vocana-app: empty render for %s\n", path);
		return -1;
	}
	texture = gsk_renderer_render_texture(renderer, node,
					      &GRAPHENE_RECT_INIT(0, 0, (float)width, (float)height));
	if (!gdk_texture_save_to_png(texture, path)) {
		g_printerr("vocana-app: cannot write %s\n", path);
		res = -1;
	}
	g_object_unref(texture);
	gsk_render_node_unref(node);
	g_object_unref(paintable);
	return res;
}

static void apply_step(struct shots *s)
{
	guint theme = s->step / G_N_ELEMENTS(pages);

	adw_style_manager_set_color_scheme(adw_style_manager_get_default(),
					   theme == 0 ? ADW_COLOR_SCHEME_FORCE_LIGHT :
							ADW_COLOR_SCHEME_FORCE_DARK);
	app_window_show_page(s->w, pages[s->step % G_N_ELEMENTS(pages)]);
}

static gboolean take(gpointer data)
{
	struct shots *s = data;
	guint theme = s->step / G_N_ELEMENTS(pages);
	char *name = g_strdup_printf("%s-%s.png", pages[s->step % G_N_ELEMENTS(pages)],
				     theme == 0 ? "light" : "dark");
	char *path = g_build_filename(s->dir, name, NULL);

	if (app_shot_save(GTK_WIDGET(app_window_gtk(s->w)), path) < 0)
		s->failures++;
	else
		g_print("%s\n", path);
	g_free(path);
	g_free(name);
	s->step++;
	if (s->step == 2 * G_N_ELEMENTS(pages)) {
		if (s->failures)
			g_printerr("vocana-app: %d screenshots failed\n", s->failures);
		g_application_quit(s->app);
		return G_SOURCE_REMOVE;
	}
	apply_step(s);
	g_timeout_add(PAGE_SETTLE_MS, take, s);
	return G_SOURCE_REMOVE;
}

void app_shots_start(GApplication *app, struct app_window *w, const char *dir, guint settle_ms)
{
	struct shots *s = g_new0(struct shots, 1); /* lives until the app quits */

	s->app = app;
	s->w = w;
	s->dir = g_strdup(dir);
	g_mkdir_with_parents(dir, 0755);
	apply_step(s);
	g_timeout_add(settle_ms > PAGE_SETTLE_MS ? settle_ms : PAGE_SETTLE_MS, take, s);
}
