/* SPDX-License-Identifier: MIT */
/*
 * A small live plot of one figure over the last minutes (the Performance page's CPU and latency):
 * a line over a shaded area and a dashed line at the target. Drawn with Cairo in a GtkDrawingArea
 * only when new data arrives (once a second), so it costs nothing between samples.
 */
#ifndef VOCANA_APP_PLOT_H
#define VOCANA_APP_PLOT_H

#include <gtk/gtk.h>

/* A plot of values in unit, the y axis from 0 to at least y_min_max; target: NaN for none. */
GtkWidget *app_plot_new(const char *unit, double y_min_max, double target);

/* Replace the data: n values, oldest first, one a second (NaN = unknown, a gap). */
void app_plot_set_data(GtkWidget *plot, const double *values, int n);

#endif /* VOCANA_APP_PLOT_H */
