/* SPDX-License-Identifier: MIT */
/* A direction's page, the Microphone or the Speaker (see app_dir_page.h). */
#include "app/app_dir_page.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <adwaita.h>

#define METER_FLOOR_DBFS -60.0 /* the bars span -60 .. 0 dBFS, as in 'vocana monitor' */
#define USER_HOLD_US 1500000   /* a control the user just moved is not overwritten by a poll */

/* What differs between the directions: texts (row titles are also the controls' accessible
 * names, so the two pages' controls never share one) and the figures each shows. */
struct dir_info {
	const char *group_title, *group_description, *not_published;
	const char *device_missing, *no_device;
	const char *switch_title, *switch_subtitle, *strength_name;
	const char *device_title, *device_subtitle;
	const char *levels_description;
	const char *level_title[3], *level_subtitle[3];
	enum stat_id published, on, strength, level[3], live;
	gboolean sinks_only, listen;
};

static const struct dir_info dir_info[APP_DIR_N] = {
	[APP_DIR_MIC] = {
		.group_title = "Noise Cancellation",
		.group_description =
			"Apps that record from “Vocana Microphone” hear your voice without the noise.",
		.not_published = "The service does not publish the Vocana Microphone (it runs with "
				 "--no-mic).",
		.device_missing = NULL, /* the window's banner says it: the mic is the main thing */
		.no_device = NULL,
		.switch_title = "Noise Cancellation",
		.switch_subtitle = "Off passes your microphone through unchanged",
		.strength_name = "Strength",
		.device_title = "Input Device",
		.device_subtitle = "The real microphone that Vocana cleans up",
		.levels_description = "Live while this window is open. Speak: the input moves, the "
				      "noise stays out of the output.",
		.level_title = { "Input", "Output", "Voice" },
		.level_subtitle = { "Your microphone", "What apps hear",
				    "How sure the model is that you speak" },
		.published = STAT_mic, .on = STAT_enabled, .strength = STAT_strength,
		.level = { STAT_input_dbfs, STAT_output_dbfs, STAT_vad }, .live = STAT_recording,
		.sinks_only = FALSE, .listen = TRUE,
	},
	[APP_DIR_SPEAKER] = {
		.group_title = "Vocana Speaker",
		.group_description =
			"Choose “Vocana Speaker” as the output of your call app: you hear the others "
			"without their noise.",
		.not_published = "The Vocana Speaker is off: no app can play into it. Switch it on, "
				 "then choose it as the output of your call app.",
		.device_missing = "The chosen output device is missing. Plug it in, or choose another "
				  "one below.",
		.no_device = "No output device found: the Vocana Speaker plays nowhere.",
		.switch_title = "Vocana Speaker",
		.switch_subtitle = "Off removes the speaker; apps playing into it move to another output",
		.strength_name = "Speaker Strength",
		.device_title = "Output Device",
		.device_subtitle = "The real speakers or headphones you hear the cleaned sound on",
		.levels_description = "Live while an app plays into “Vocana Speaker”.",
		.level_title = { "Incoming", "To Your Speakers", "Voice Heard" },
		.level_subtitle = { "What apps play into Vocana Speaker", "What you hear",
				    "How sure the model is that someone speaks" },
		.published = STAT_speaker, .on = STAT_speaker, .strength = STAT_speaker_strength,
		.level = { STAT_speaker_input_dbfs, STAT_speaker_output_dbfs, STAT_speaker_vad },
		.live = STAT_speaker_playing,
		.sinks_only = TRUE, .listen = FALSE,
	},
};

struct app_dir_page {
	struct app_service *svc;
	enum app_direction dir;
	const struct dir_info *info;
	GtkWidget *control_group;
	char state_text[256];
	GtkWidget *root;
	GtkWidget *enable_switch, *strength_scale, *strength_label;
	GtkWidget *device_row;
	GtkStringList *device_model;
	char device_names[APP_MAX_DEVICES + 1][256]; /* [0] = "" (the default) */
	guint n_device_names;
	GtkWidget *in_bar, *out_bar, *vad_bar, *in_label, *out_label, *vad_label;
	GtkWidget *listen_button, *listen_row;
	gboolean updating;      /* set while the page writes the service's state into the controls */
	/* When the user last moved each control: a poll sent before the change reached the service
	 * would otherwise flip it back for a moment. */
	gint64 strength_touched_us, switch_touched_us, device_touched_us, listen_touched_us;
};

static gboolean held(gint64 touched_us)
{
	return g_get_monotonic_time() - touched_us < USER_HOLD_US;
}

/* ---- From the user to the service ---------------------------------------------------------- */

static void on_switch(GObject *sw, GParamSpec *pspec, gpointer data)
{
	struct app_dir_page *p = data;

	if (p->updating)
		return;
	p->switch_touched_us = g_get_monotonic_time();
	app_service_set_enabled(p->svc, p->dir, gtk_switch_get_active(GTK_SWITCH(sw)));
}

static void on_strength(GtkRange *range, gpointer data)
{
	struct app_dir_page *p = data;
	int v = (int)lround(gtk_range_get_value(range));
	char text[16];

	snprintf(text, sizeof(text), "%d", v);
	gtk_label_set_text(GTK_LABEL(p->strength_label), text);
	if (p->updating)
		return;
	p->strength_touched_us = g_get_monotonic_time();
	app_service_set_strength(p->svc, p->dir, v);
}

static void on_device(GObject *row, GParamSpec *pspec, gpointer data)
{
	struct app_dir_page *p = data;
	guint i = adw_combo_row_get_selected(ADW_COMBO_ROW(row));

	if (p->updating || i == GTK_INVALID_LIST_POSITION || i >= p->n_device_names)
		return;
	p->device_touched_us = g_get_monotonic_time();
	app_service_set_device(p->svc, p->dir, i == 0 ? NULL : p->device_names[i]);
}

static void on_listen(GtkToggleButton *b, gpointer data)
{
	struct app_dir_page *p = data;

	if (p->updating)
		return;
	p->listen_touched_us = g_get_monotonic_time();
	app_service_listen(p->svc, gtk_toggle_button_get_active(b));
}

/* ---- Building ------------------------------------------------------------------------------ */

static void label_for_a11y(GtkWidget *w, const char *label)
{
	gtk_accessible_update_property(GTK_ACCESSIBLE(w), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
}

static GtkWidget *level_row(const char *title, const char *subtitle, GtkWidget **bar,
			    GtkWidget **value)
{
	GtkWidget *row = adw_action_row_new();

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
	*bar = gtk_level_bar_new_for_interval(0.0, 1.0);
	/* Plain bars: the default low/high/full offsets would colour a loud voice as a warning. */
	gtk_level_bar_remove_offset_value(GTK_LEVEL_BAR(*bar), GTK_LEVEL_BAR_OFFSET_LOW);
	gtk_level_bar_remove_offset_value(GTK_LEVEL_BAR(*bar), GTK_LEVEL_BAR_OFFSET_HIGH);
	gtk_level_bar_remove_offset_value(GTK_LEVEL_BAR(*bar), GTK_LEVEL_BAR_OFFSET_FULL);
	gtk_widget_set_size_request(*bar, 220, -1);
	gtk_widget_set_valign(*bar, GTK_ALIGN_CENTER);
	gtk_widget_set_hexpand(*bar, FALSE); /* one width: the bars line up whatever the subtitles */
	label_for_a11y(*bar, title);
	*value = gtk_label_new("–");
	gtk_label_set_width_chars(GTK_LABEL(*value), 10);
	gtk_label_set_xalign(GTK_LABEL(*value), 1.0);
	gtk_widget_add_css_class(*value, "numeric");
	gtk_widget_add_css_class(*value, "dim-label");
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), *bar);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), *value);
	return row;
}

static GtkWidget *build_control_group(struct app_dir_page *p)
{
	GtkWidget *group = adw_preferences_group_new(), *row, *box;

	p->control_group = group;
	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), p->info->group_title);
	adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(group),
					      p->info->group_description);

	row = adw_action_row_new();
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), p->info->switch_title);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), p->info->switch_subtitle);
	p->enable_switch = gtk_switch_new();
	gtk_widget_set_valign(p->enable_switch, GTK_ALIGN_CENTER);
	/* Its name comes from the row (activatable widget: labelled by the row's title). */
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), p->enable_switch);
	adw_action_row_set_activatable_widget(ADW_ACTION_ROW(row), p->enable_switch);
	g_signal_connect(p->enable_switch, "notify::active", G_CALLBACK(on_switch), p);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);

	row = adw_action_row_new();
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), "Strength");
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), "How much of the noise to remove");
	box = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 6);
	p->strength_scale = gtk_scale_new_with_range(GTK_ORIENTATION_HORIZONTAL, 0, 100, 1);
	gtk_scale_set_draw_value(GTK_SCALE(p->strength_scale), FALSE);
	gtk_range_set_increments(GTK_RANGE(p->strength_scale), 5, 10);
	gtk_widget_set_size_request(p->strength_scale, 220, -1);
	gtk_widget_set_hexpand(p->strength_scale, TRUE);
	gtk_widget_set_valign(p->strength_scale, GTK_ALIGN_CENTER);
	label_for_a11y(p->strength_scale, p->info->strength_name);
	p->strength_label = gtk_label_new("–");
	gtk_label_set_width_chars(GTK_LABEL(p->strength_label), 3);
	gtk_widget_add_css_class(p->strength_label, "numeric");
	gtk_box_append(GTK_BOX(box), p->strength_scale);
	gtk_box_append(GTK_BOX(box), p->strength_label);
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), box);
	g_signal_connect(p->strength_scale, "value-changed", G_CALLBACK(on_strength), p);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);

	p->device_model = gtk_string_list_new(NULL);
	p->device_row = adw_combo_row_new();
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(p->device_row), p->info->device_title);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(p->device_row), p->info->device_subtitle);
	adw_combo_row_set_model(ADW_COMBO_ROW(p->device_row), G_LIST_MODEL(p->device_model));
	g_signal_connect(p->device_row, "notify::selected", G_CALLBACK(on_device), p);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), p->device_row);
	return group;
}

static GtkWidget *build_level_group(struct app_dir_page *p)
{
	GtkWidget *group = adw_preferences_group_new();

	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), "Levels");
	GtkWidget **bars[3] = { &p->in_bar, &p->out_bar, &p->vad_bar };
	GtkWidget **labels[3] = { &p->in_label, &p->out_label, &p->vad_label };

	adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(group),
					      p->info->levels_description);
	for (int i = 0; i < 3; i++)
		adw_preferences_group_add(ADW_PREFERENCES_GROUP(group),
			level_row(p->info->level_title[i], p->info->level_subtitle[i], bars[i],
				  labels[i]));
	return group;
}

static GtkWidget *build_listen_group(struct app_dir_page *p)
{
	GtkWidget *group = adw_preferences_group_new(), *row;
	char subtitle[200];

	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), "Listen");
	row = adw_action_row_new();
	p->listen_row = row;
	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), "Hear Yourself");
	snprintf(subtitle, sizeof(subtitle),
		 "Plays the cleaned microphone back for %d seconds. Use headphones; flip Noise "
		 "Cancellation meanwhile to compare.", APP_LISTEN_S);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
	p->listen_button = gtk_toggle_button_new_with_label("Listen");
	gtk_widget_set_valign(p->listen_button, GTK_ALIGN_CENTER);
	label_for_a11y(p->listen_button, "Listen");
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), p->listen_button);
	g_signal_connect(p->listen_button, "toggled", G_CALLBACK(on_listen), p);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	return group;
}

struct app_dir_page *app_dir_page_new(struct app_service *svc, enum app_direction dir)
{
	struct app_dir_page *p = g_new0(struct app_dir_page, 1);

	p->svc = svc;
	p->dir = dir;
	p->info = &dir_info[dir];
	p->root = adw_preferences_page_new();
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(p->root),
				 ADW_PREFERENCES_GROUP(build_control_group(p)));
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(p->root),
				 ADW_PREFERENCES_GROUP(build_level_group(p)));
	if (p->info->listen)
		adw_preferences_page_add(ADW_PREFERENCES_PAGE(p->root),
					 ADW_PREFERENCES_GROUP(build_listen_group(p)));
	/* The page lives as long as its widget. */
	g_object_set_data_full(G_OBJECT(p->root), "app-dir-page", p, g_free);
	return p;
}

/* ---- From the service to the page ---------------------------------------------------------- */

static void set_level(GtkWidget *bar, GtkWidget *label, double dbfs, gboolean live)
{
	char text[32];
	double v;

	if (!live || isnan(dbfs)) {
		gtk_level_bar_set_value(GTK_LEVEL_BAR(bar), 0.0);
		gtk_label_set_text(GTK_LABEL(label), "–");
		return;
	}
	v = (dbfs - METER_FLOOR_DBFS) / -METER_FLOOR_DBFS;
	gtk_level_bar_set_value(GTK_LEVEL_BAR(bar), v < 0 ? 0 : v > 1 ? 1 : v);
	if (dbfs <= -119.0)
		snprintf(text, sizeof(text), "silence");
	else
		snprintf(text, sizeof(text), "%.0f dBFS", dbfs);
	gtk_label_set_text(GTK_LABEL(label), text);
}

static void update_devices(struct app_dir_page *p, const struct app_snapshot *s)
{
	char def[300];
	const struct app_dir_device *dd = &s->dir[p->dir];
	const struct app_device *devs[APP_MAX_DEVICES];
	gboolean same;
	guint want = 0, n = 0;

	if (s->n_devices < 0)
		return;
	/* The mic captures any device (a sink through its monitor); the speaker plays into sinks. */
	for (int i = 0; i < s->n_devices; i++)
		if (!p->info->sinks_only || s->devices[i].sink)
			devs[n++] = &s->devices[i];
	same = n + 1 == p->n_device_names;
	for (guint i = 0; same && i < n; i++)
		same = strcmp(p->device_names[i + 1], devs[i]->name) == 0;
	if (!same) {
		const char **items = g_new0(const char *, (gsize)n + 2);
		char **labels = g_new0(char *, (gsize)n + 1);
		const char *def_desc = NULL;

		for (guint i = 0; i < n; i++)
			if (strcmp(devs[i]->name, s->default_device[p->dir]) == 0)
				def_desc = devs[i]->description;
		/* The desktop's default may be no such device at all, or Vocana itself (then the
		 * service keeps the previous real default): say "follow the desktop" then. */
		snprintf(def, sizeof(def), "Default%s%s", def_desc ? " — " : " (follow the desktop)",
			 def_desc ? def_desc : "");
		items[0] = def;
		p->device_names[0][0] = '\0';
		for (guint i = 0; i < n; i++) {
			labels[i] = devs[i]->sink && !p->info->sinks_only ?
				g_strdup_printf("Monitor of %s", devs[i]->description) :
				g_strdup(devs[i]->description);
			items[i + 1] = labels[i];
			g_strlcpy(p->device_names[i + 1], devs[i]->name, sizeof(p->device_names[0]));
		}
		p->n_device_names = n + 1;
		gtk_string_list_splice(p->device_model, 0,
				       g_list_model_get_n_items(G_LIST_MODEL(p->device_model)), items);
		for (guint i = 0; i < n; i++)
			g_free(labels[i]);
		g_free(labels);
		g_free(items);
	}
	if (!dd->follows_default)
		for (guint i = 1; i < p->n_device_names; i++)
			if (strcmp(p->device_names[i], dd->device) == 0)
				want = i;
	if (!held(p->device_touched_us) &&
	    adw_combo_row_get_selected(ADW_COMBO_ROW(p->device_row)) != want)
		adw_combo_row_set_selected(ADW_COMBO_ROW(p->device_row), want);
}

static void update_listen(struct app_dir_page *p, const struct app_snapshot *s);

/* The controls group's description: the direction's state when something is wrong with it. */
static void update_state_text(struct app_dir_page *p, const struct app_snapshot *s, gboolean up)
{
	const struct monitor_stats *st = &s->reading.stats;
	const struct app_dir_device *dd = &s->dir[p->dir];
	const char *text = p->info->group_description;

	if (up && monitor_flag(st, p->info->published) == 0)
		text = p->info->not_published;
	else if (up && p->info->device_missing && strcmp(dd->device, "(none)") == 0)
		text = dd->follows_default ? p->info->no_device : p->info->device_missing;
	if (strcmp(text, p->state_text) != 0) {
		g_strlcpy(p->state_text, text, sizeof(p->state_text));
		adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(p->control_group), text);
	}
}

void app_dir_page_update(struct app_dir_page *p, const struct app_snapshot *s)
{
	const struct monitor_stats *st = &s->reading.stats;
	const struct dir_info *in = p->info;
	gboolean up = s->state == APP_STATE_RUNNING || s->state == APP_STATE_SLOW;
	gboolean live = up && s->have_stats && monitor_flag(st, in->live) == 1;
	int on = monitor_flag(st, in->on);
	char text[64];

	p->updating = TRUE;
	gtk_widget_set_sensitive(p->root, up);
	update_state_text(p, s, up);
	if (up && on >= 0 && !held(p->switch_touched_us) &&
	    gtk_switch_get_active(GTK_SWITCH(p->enable_switch)) != (on == 1))
		gtk_switch_set_active(GTK_SWITCH(p->enable_switch), on == 1);
	if (up && !isnan(st->num[in->strength]) &&
	    !held(p->strength_touched_us) &&
	    lround(gtk_range_get_value(GTK_RANGE(p->strength_scale))) != lround(st->num[in->strength]))
		gtk_range_set_value(GTK_RANGE(p->strength_scale), st->num[in->strength]);
	if (up)
		update_devices(p, s);
	set_level(p->in_bar, p->in_label, st->num[in->level[0]], live);
	set_level(p->out_bar, p->out_label, st->num[in->level[1]], live);
	if (live && !isnan(st->num[in->level[2]])) {
		gtk_level_bar_set_value(GTK_LEVEL_BAR(p->vad_bar), st->num[in->level[2]]);
		snprintf(text, sizeof(text), "%.0f %%", 100.0 * st->num[in->level[2]]);
		gtk_label_set_text(GTK_LABEL(p->vad_label), text);
	} else {
		gtk_level_bar_set_value(GTK_LEVEL_BAR(p->vad_bar), 0.0);
		gtk_label_set_text(GTK_LABEL(p->vad_label), "–");
	}
	if (p->listen_button)
		update_listen(p, s);
	p->updating = FALSE;
}

static void update_listen(struct app_dir_page *p, const struct app_snapshot *s)
{
	char text[64];

	if (!held(p->listen_touched_us) &&
	    gtk_toggle_button_get_active(GTK_TOGGLE_BUTTON(p->listen_button)) != s->listening)
		gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(p->listen_button), s->listening);
	if (s->listening) {
		snprintf(text, sizeof(text), "Listening… %u s", (s->listen_left_ms + 999) / 1000);
		gtk_button_set_label(GTK_BUTTON(p->listen_button), text);
	} else {
		gtk_button_set_label(GTK_BUTTON(p->listen_button), "Listen");
	}
}

GtkWidget *app_dir_page_widget(struct app_dir_page *p)
{
	return p->root;
}

GtkWidget *app_dir_page_switch(struct app_dir_page *p)
{
	return p->enable_switch;
}

GtkWidget *app_dir_page_scale(struct app_dir_page *p)
{
	return p->strength_scale;
}

GtkWidget *app_dir_page_device_row(struct app_dir_page *p)
{
	return p->device_row;
}

GtkWidget *app_dir_page_listen_button(struct app_dir_page *p)
{
	return p->listen_button;
}

const char *app_dir_page_state_text(struct app_dir_page *p)
{
	return p->state_text;
}

const char *app_dir_page_device_name(struct app_dir_page *p, guint i)
{
	return i < p->n_device_names ? p->device_names[i] : NULL;
}

GtkWidget *app_dir_page_input_bar(struct app_dir_page *p)
{
	return p->in_bar;
}
