/* SPDX-License-Identifier: MIT */
/* Frame-time and CPU self-measurement (see app_measure.h). */
#include "app/app_measure.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define WARMUP_MS 2000

struct measure {
	GApplication *app;
	GtkWindow *window;
	guint seconds;
	char *out_path;
	GdkFrameClock *clock;
	gulong paint_handler;
	GArray *frame_ms;
	gboolean recording;
	double cpu0_s, wall0_s;
	double cpu_visible, cpu_hidden, wall_visible;
};

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
	return (double)g_get_monotonic_time() / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double app_percentile(double *v, guint n, double p)
{
	guint rank;

	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(double), cmp_double);
	rank = (guint)ceil(p / 100.0 * n);
	return v[rank == 0 ? 0 : rank - 1];
}

static void on_after_paint(GdkFrameClock *clock, gpointer data)
{
	struct measure *m = data;
	GdkFrameTimings *t = gdk_frame_clock_get_current_timings(clock);
	double ms;

	if (!m->recording || t == NULL)
		return;
	/* frame_time: when this frame's cycle started (µs, monotonic). */
	ms = (double)(g_get_monotonic_time() - gdk_frame_timings_get_frame_time(t)) / 1000.0;
	g_array_append_val(m->frame_ms, ms);
}

static void finish(struct measure *m)
{
	guint n = m->frame_ms->len;
	double *v = (double *)(void *)m->frame_ms->data;
	double p50 = app_percentile(v, n, 50), p99 = app_percentile(v, n, 99);
	double max = n ? v[n - 1] : NAN;
	FILE *f = fopen(m->out_path, "w");

	if (f != NULL) {
		fprintf(f, "{\"seconds\": %u, \"frames\": %u, \"frames_per_s\": %.2f, "
			"\"frame_ms_p50\": %.3f, \"frame_ms_p99\": %.3f, \"frame_ms_max\": %.3f, "
			"\"cpu_visible_pct\": %.3f, \"cpu_hidden_pct\": %.3f, \"renderer\": \"%s\"}\n",
			m->seconds, n, n / m->wall_visible, p50, p99, max, m->cpu_visible, m->cpu_hidden,
			G_OBJECT_TYPE_NAME(gtk_native_get_renderer(GTK_NATIVE(m->window))));
		fclose(f);
	} else {
		g_printerr("vocana-app: cannot write %s\n", m->out_path);
	}
	g_application_quit(m->app);
}

static gboolean end_hidden(gpointer data)
{
	struct measure *m = data;

	m->cpu_hidden = 100.0 * (cpu_s() - m->cpu0_s) / (wall_s() - m->wall0_s);
	finish(m);
	return G_SOURCE_REMOVE;
}

static gboolean start_hidden(gpointer data)
{
	struct measure *m = data;

	m->cpu0_s = cpu_s();
	m->wall0_s = wall_s();
	g_timeout_add(m->seconds * 1000, end_hidden, m);
	return G_SOURCE_REMOVE;
}

static gboolean end_visible(gpointer data)
{
	struct measure *m = data;

	m->recording = FALSE;
	m->wall_visible = wall_s() - m->wall0_s;
	m->cpu_visible = 100.0 * (cpu_s() - m->cpu0_s) / m->wall_visible;
	g_signal_handler_disconnect(m->clock, m->paint_handler);
	/* Hidden to the tray: the app holds itself (main.c), so hiding does not quit it. */
	gtk_widget_set_visible(GTK_WIDGET(m->window), FALSE);
	g_timeout_add(WARMUP_MS, start_hidden, m);
	return G_SOURCE_REMOVE;
}

static gboolean start_visible(gpointer data)
{
	struct measure *m = data;

	m->clock = gtk_widget_get_frame_clock(GTK_WIDGET(m->window));
	if (m->clock == NULL) {
		g_printerr("vocana-app: --measure: the window has no frame clock (not shown?)\n");
		g_application_quit(m->app);
		return G_SOURCE_REMOVE;
	}
	m->paint_handler = g_signal_connect(m->clock, "after-paint", G_CALLBACK(on_after_paint), m);
	m->recording = TRUE;
	m->cpu0_s = cpu_s();
	m->wall0_s = wall_s();
	g_timeout_add(m->seconds * 1000, end_visible, m);
	return G_SOURCE_REMOVE;
}

void app_measure_start(GApplication *app, GtkWindow *window, guint seconds, const char *out_path)
{
	struct measure *m = g_new0(struct measure, 1); /* lives until the app quits */

	m->app = app;
	m->window = window;
	m->seconds = seconds;
	m->out_path = g_strdup(out_path);
	m->frame_ms = g_array_new(FALSE, FALSE, sizeof(double));
	g_application_hold(app);
	g_timeout_add(WARMUP_MS, start_visible, m);
}
