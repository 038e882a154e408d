/* SPDX-License-Identifier: MIT */
/*
 * Self-measurement for the targets ('vocana-app --measure SECONDS --measure-out FILE'):
 *   1. window open, meters updating at their normal rate: every frame's time from the frame
 *      clock's start of the frame (GdkFrameTimings frame_time) to the end of its paint
 *      (after-paint), and the app's own CPU (CLOCK_PROCESS_CPUTIME_ID) over SECONDS;
 *   2. window hidden (tray only): the app's CPU over SECONDS;
 * then writes one JSON object to FILE and quits. A warm-up of 2 s precedes each phase.
 */
#ifndef VOCANA_APP_MEASURE_H
#define VOCANA_APP_MEASURE_H

#include <gtk/gtk.h>

void app_measure_start(GApplication *app, GtkWindow *window, guint seconds, const char *out_path);

/* p (0..100) percentile of n values (sorted in place), nearest rank; NaN for n == 0. */
double app_percentile(double *v, guint n, double p);

#endif /* VOCANA_APP_MEASURE_H */
