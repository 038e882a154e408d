/* SPDX-License-Identifier: MIT */
/* The Performance page (see app_perf_page.h). */
#include "app/app_perf_page.h"

#include <math.h>
#include <stdio.h>

#include <adwaita.h>

#include "app/app_plot.h"
#include "cli/monitor/monitor_targets.h"

struct app_perf_page {
	GtkWidget *root;
	struct targets targets;
	GtkWidget *target_value[MONITOR_TARGET_ROWS], *target_status[MONITOR_TARGET_ROWS];
	GtkWidget *target_row[MONITOR_TARGET_ROWS];
	GtkWidget *state_value;
	/* Per direction (the speaker's group also shows its latency and DSP load: the targets
	 * above judge the mic). */
	struct dir_rows {
		GtkWidget *group, *latency, *load, *model, *glitch, *breaker;
	} dir[APP_DIR_N];
	GtkWidget *cpu_plot, *latency_plot;
};

static GtkWidget *value_label(void)
{
	GtkWidget *l = gtk_label_new("n/a");

	gtk_widget_add_css_class(l, "numeric");
	gtk_label_set_selectable(GTK_LABEL(l), TRUE);
	gtk_widget_set_valign(l, GTK_ALIGN_CENTER);
	return l;
}

static GtkWidget *info_row(GtkWidget *group, const char *title, const char *subtitle,
			   GtkWidget **value)
{
	GtkWidget *row = adw_action_row_new();

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	if (subtitle)
		adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
	*value = value_label();
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), *value);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	return row;
}

static GtkWidget *plot_row(GtkWidget *group, const char *title, GtkWidget *plot)
{
	GtkWidget *box = gtk_box_new(GTK_ORIENTATION_VERTICAL, 4), *label = gtk_label_new(title);

	gtk_label_set_xalign(GTK_LABEL(label), 0.0);
	gtk_widget_add_css_class(label, "caption-heading");
	gtk_widget_set_margin_top(box, 8);
	gtk_widget_set_margin_bottom(box, 8);
	gtk_widget_set_margin_start(box, 12);
	gtk_widget_set_margin_end(box, 12);
	gtk_box_append(GTK_BOX(box), label);
	gtk_box_append(GTK_BOX(box), plot);
	gtk_accessible_update_property(GTK_ACCESSIBLE(plot), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), box);
	return box;
}

struct app_perf_page *app_perf_page_new(void)
{
	struct app_perf_page *p = g_new0(struct app_perf_page, 1);
	GtkWidget *targets_group, *group;
	struct monitor_target_row initial[MONITOR_TARGET_ROWS];
	char err[256];

	targets_defaults(&p->targets);
	/* The same overrides 'vocana monitor' honours; a bad file keeps the defaults (the monitor
	 * reports it; the app must still open). */
	targets_load(NULL, &p->targets, err, sizeof(err));

	p->root = adw_preferences_page_new();
	targets_group = adw_preferences_group_new();
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(targets_group), "Targets");
	adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(targets_group),
		"Measured now, judged against the project's performance targets.");
	{
		/* Titles from the start (screen readers name rows at creation): judge an empty
		 * reading once to learn which target each row shows. */
		struct monitor_reading none = { 0 };

		monitor_stats_clear(&none.stats);
		none.cpu_percent = none.rss_kib = none.xruns_per_hour = NAN;
		monitor_targets_eval(&p->targets, &none, initial);
	}
	for (int i = 0; i < MONITOR_TARGET_ROWS; i++) {
		GtkWidget *row = adw_action_row_new();
		char title[64];

		g_strlcpy(title, target_label(initial[i].id), sizeof(title));
		title[0] = g_ascii_toupper(title[0]);
		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
		p->target_row[i] = row;
		p->target_value[i] = value_label();
		p->target_status[i] = gtk_label_new("n/a");
		gtk_label_set_width_chars(GTK_LABEL(p->target_status[i]), 7);
		gtk_widget_set_valign(p->target_status[i], GTK_ALIGN_CENTER);
		adw_action_row_add_suffix(ADW_ACTION_ROW(row), p->target_value[i]);
		adw_action_row_add_suffix(ADW_ACTION_ROW(row), p->target_status[i]);
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(targets_group), row);
	}
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(p->root), ADW_PREFERENCES_GROUP(targets_group));

	for (int d = 0; d < APP_DIR_N; d++) {
		struct dir_rows *r = &p->dir[d];

		r->group = group = adw_preferences_group_new();
		adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group),
						d == APP_DIR_MIC ? "Microphone" : "Speaker");
		if (d == APP_DIR_MIC)
			info_row(group, "State", NULL, &p->state_value);
		else
			info_row(group, "Added Latency", "DSP load: its share of the audio time",
				 &r->latency);
		info_row(group, "Model Time per Frame", "median / 99th percentile / maximum",
			 &r->model);
		info_row(group, "Glitches", "late model frames (misses), missed cycles (xruns)",
			 &r->glitch);
		info_row(group, "Circuit Breaker", "open: passing audio through after repeated misses",
			 &r->breaker);
		adw_preferences_page_add(ADW_PREFERENCES_PAGE(p->root), ADW_PREFERENCES_GROUP(group));
	}

	group = adw_preferences_group_new();
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), "History");
	p->cpu_plot = app_plot_new("%", 5.0, p->targets.limit[TARGET_CPU_ACTIVE_PCT]);
	p->latency_plot = app_plot_new("ms", 20.0, p->targets.limit[TARGET_ADDED_LATENCY_MS]);
	plot_row(group, "Service CPU, % of one core", p->cpu_plot);
	plot_row(group, "Added latency, ms", p->latency_plot);
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(p->root), ADW_PREFERENCES_GROUP(group));
	g_object_set_data_full(G_OBJECT(p->root), "app-perf-page", p, g_free);
	return p;
}

GtkWidget *app_perf_page_widget(struct app_perf_page *p)
{
	return p->root;
}

static void set_status(GtkWidget *label, enum target_status st)
{
	static const char *const classes[] = { "success", "warning", "error", "dim-label" };

	for (unsigned i = 0; i < G_N_ELEMENTS(classes); i++)
		gtk_widget_remove_css_class(label, classes[i]);
	gtk_label_set_text(GTK_LABEL(label), target_status_name(st));
	gtk_widget_add_css_class(label, st == TARGET_MET ? "success" : st == TARGET_MISSED ?
			"warning" : st == TARGET_ALERT ? "error" : "dim-label");
}

static void fmt_num(char *buf, size_t size, double v, const char *unit)
{
	if (isnan(v))
		snprintf(buf, size, "n/a");
	else
		snprintf(buf, size, "%.0f%s", v, unit);
}

/* A direction's figure: the mic's under its id, the speaker's twin ("speaker." + key). */
static double dir_num(const struct monitor_stats *st, enum app_direction dir, enum stat_id id,
		      gboolean have)
{
	int twin = dir == APP_DIR_SPEAKER ? stats_speaker_twin(id) : (int)id;

	return have && twin >= 0 ? st->num[twin] : NAN;
}

static void update_dir(struct dir_rows *r, const struct monitor_stats *st, enum app_direction dir,
		       gboolean have)
{
	char text[256], a[32], b[32], c[32];
	int breaker = dir == APP_DIR_SPEAKER ? stats_speaker_twin(STAT_breaker) : STAT_breaker;

	if (r->latency) {
		double ms = dir_num(st, dir, STAT_latency_ms, have);

		if (isnan(ms))
			snprintf(a, sizeof(a), "n/a");
		else
			snprintf(a, sizeof(a), "%.2f ms", ms);
		fmt_num(b, sizeof(b), dir_num(st, dir, STAT_dsp_load_percent, have), " %");
		snprintf(text, sizeof(text), "%s, load %s", a, b);
		gtk_label_set_text(GTK_LABEL(r->latency), have ? text : "off");
	}
	fmt_num(a, sizeof(a), dir_num(st, dir, STAT_model_time_p50_us, have), " µs");
	fmt_num(b, sizeof(b), dir_num(st, dir, STAT_model_time_p99_us, have), " µs");
	fmt_num(c, sizeof(c), dir_num(st, dir, STAT_model_time_max_us, have), " µs");
	snprintf(text, sizeof(text), "%s / %s / %s", a, b, c);
	gtk_label_set_text(GTK_LABEL(r->model), text);
	fmt_num(a, sizeof(a), dir_num(st, dir, STAT_misses, have), " misses");
	fmt_num(b, sizeof(b), dir_num(st, dir, STAT_xruns, have), " xruns");
	snprintf(text, sizeof(text), "%s, %s", a, b);
	gtk_label_set_text(GTK_LABEL(r->glitch), text);
	fmt_num(a, sizeof(a), dir_num(st, dir, STAT_breaker_trips, have), " trips");
	snprintf(text, sizeof(text), "%s (%s)", have && breaker >= 0 && st->str[breaker][0] ?
		 st->str[breaker] : "n/a", a);
	gtk_label_set_text(GTK_LABEL(r->breaker), text);
}

void app_perf_page_update(struct app_perf_page *p, const struct app_snapshot *s)
{
	const struct monitor_stats *st = &s->reading.stats;
	struct monitor_target_row rows[MONITOR_TARGET_ROWS];
	char text[256], lim[48];
	gboolean have = s->have_stats;

	monitor_targets_eval(&p->targets, &s->reading, rows);
	for (int i = 0; i < MONITOR_TARGET_ROWS; i++) {
		struct mbuf mb;

		if (!have)
			rows[i].status = TARGET_UNKNOWN;
		/* Sentence case for the title, as the HIG asks of row titles. */
		g_strlcpy(text, target_label(rows[i].id), sizeof(text));
		text[0] = g_ascii_toupper(text[0]);
		adw_preferences_row_set_title(ADW_PREFERENCES_ROW(p->target_row[i]), text);
		mbuf_init(&mb, lim, sizeof(lim));
		mbuf_puts(&mb, "target ≤ ");
		monitor_format_value(&mb, rows[i].id, p->targets.limit[rows[i].id]);
		adw_action_row_set_subtitle(ADW_ACTION_ROW(p->target_row[i]), lim);
		mbuf_init(&mb, text, sizeof(text));
		monitor_format_value(&mb, rows[i].id, have ? rows[i].value : NAN);
		gtk_label_set_text(GTK_LABEL(p->target_value[i]), text);
		set_status(p->target_status[i], rows[i].status);
	}
	snprintf(text, sizeof(text), "%s%s%s", app_state_name(s->state),
		 !have ? "" : monitor_flag(st, STAT_recording) == 1 ? ", recording" : ", idle",
		 !have || monitor_flag(st, STAT_speaker) != 1 ? "" :
		 monitor_flag(st, STAT_speaker_playing) == 1 ? "; speaker playing" : "; speaker idle");
	gtk_label_set_text(GTK_LABEL(p->state_value), text);
	for (int d = 0; d < APP_DIR_N; d++)
		update_dir(&p->dir[d], st, (enum app_direction)d,
			   have && (d == APP_DIR_MIC || monitor_flag(st, STAT_speaker) == 1));
	app_plot_set_data(p->cpu_plot, s->cpu_history, s->n_history);
	app_plot_set_data(p->latency_plot, s->latency_history, s->n_history);
}
