/* SPDX-License-Identifier: MIT */
/* The Performance page's small plots (see app_plot.h). */
#include "app/app_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "app/app_service.h" /* APP_HISTORY: the plot spans the history the service keeps */

struct plot {
	char unit[16];
	double y_min_max, target;
	int n;
	double values[APP_HISTORY];
};

static void draw(GtkDrawingArea *area, cairo_t *cr, int width, int height, gpointer data)
{
	struct plot *p = data;
	GdkRGBA fg;
	double top = p->y_min_max, x_step, pad_top = 14.0, h = height - pad_top;
	char text[48];
	gboolean pen_down = FALSE;

	/* Follow the theme (light or dark): draw in the widget's own foreground colour. */
	gtk_style_context_get_color(gtk_widget_get_style_context(GTK_WIDGET(area)), &fg);
	for (int i = 0; i < p->n; i++)
		if (!isnan(p->values[i]) && p->values[i] > top)
			top = p->values[i];
	if (!isnan(p->target) && p->target > top)
		top = p->target;
	top *= 1.1;
	x_step = (double)width / (APP_HISTORY - 1);

	/* Frame: the baseline and the axis label. */
	cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.15);
	cairo_rectangle(cr, 0, pad_top, width, h);
	cairo_fill(cr);
	cairo_set_source_rgba(cr, fg.red, fg.green, fg.blue, 0.6);
	cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 10.0);
	snprintf(text, sizeof(text), "%.3g %s", top, p->unit);
	cairo_move_to(cr, 2, 10);
	cairo_show_text(cr, text);
	snprintf(text, sizeof(text), "last %d min", APP_HISTORY / 60);
	cairo_move_to(cr, width - 60, 10);
	cairo_show_text(cr, text);

	if (!isnan(p->target)) {
		double y = pad_top + h - p->target / top * h;
		const double dash[] = { 4.0, 3.0 };

		cairo_set_source_rgba(cr, 0.9, 0.5, 0.1, 0.9);
		cairo_set_dash(cr, dash, 2, 0);
		cairo_set_line_width(cr, 1.0);
		cairo_move_to(cr, 0, y);
		cairo_line_to(cr, width, y);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
	}
	/* The newest sample sits at the right edge. */
	cairo_set_source_rgba(cr, 0.21, 0.52, 0.89, 1.0);
	cairo_set_line_width(cr, 1.5);
	for (int i = 0; i < p->n; i++) {
		double x = width - (p->n - 1 - i) * x_step, v = p->values[i];

		if (isnan(v)) {
			pen_down = FALSE;
			continue;
		}
		if (pen_down)
			cairo_line_to(cr, x, pad_top + h - v / top * h);
		else
			cairo_move_to(cr, x, pad_top + h - v / top * h);
		pen_down = TRUE;
	}
	cairo_stroke(cr);
}

GtkWidget *app_plot_new(const char *unit, double y_min_max, double target)
{
	GtkWidget *area = gtk_drawing_area_new();
	struct plot *p = g_new0(struct plot, 1);

	g_strlcpy(p->unit, unit, sizeof(p->unit));
	p->y_min_max = y_min_max;
	p->target = target;
	g_object_set_data_full(G_OBJECT(area), "app-plot", p, g_free);
	gtk_drawing_area_set_content_height(GTK_DRAWING_AREA(area), 80);
	gtk_widget_set_hexpand(area, TRUE);
	gtk_drawing_area_set_draw_func(GTK_DRAWING_AREA(area), draw, p, NULL);
	return area;
}

void app_plot_set_data(GtkWidget *plot, const double *values, int n)
{
	struct plot *p = g_object_get_data(G_OBJECT(plot), "app-plot");

	if (n > APP_HISTORY)
		n = APP_HISTORY;
	if (n == p->n && memcmp(values, p->values, sizeof(double) * (size_t)n) == 0)
		return; /* nothing new: no redraw */
	memcpy(p->values, values, sizeof(double) * (size_t)n);
	p->n = n;
	gtk_widget_queue_draw(plot);
}
