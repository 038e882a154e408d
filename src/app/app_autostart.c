/* SPDX-License-Identifier: MIT */
/* Autostart of the service (systemd user unit) and of the tray (XDG autostart), and the Startup
 * page (see app_autostart.h). */
#include "app/app_autostart.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "app/app_launch.h"
#include "service/paths.h"
#include "service/unit.h"

char *app_autostart_unit_path(void)
{
	char dir[4096];

	if (paths_user_unit_dir(dir, sizeof(dir)) < 0)
		return NULL;
	return g_build_filename(dir, UNIT_FILE_NAME, NULL);
}

char *app_autostart_desktop_path(void)
{
	return g_build_filename(g_get_user_config_dir(), "autostart", APP_ID ".desktop", NULL);
}

gboolean app_autostart_service_installed(void)
{
	char *path = app_autostart_unit_path();
	gboolean yes = path != NULL && g_file_test(path, G_FILE_TEST_EXISTS);

	g_free(path);
	return yes;
}

gboolean app_autostart_tray_installed(void)
{
	char *path = app_autostart_desktop_path();
	gboolean yes = g_file_test(path, G_FILE_TEST_EXISTS);

	g_free(path);
	return yes;
}

/* ---- The systemd unit ------------------------------------------------------------------ */

struct job {
	gboolean on;
	app_autostart_fn done;
	void *data;
	char **steps; /* remaining systemctl argument lists, "|"-separated words */
	int next;
	char *unit_path;
};

static void job_finish(struct job *j, gboolean ok, const char *message)
{
	if (ok && !j->on && j->unit_path != NULL && g_unlink(j->unit_path) < 0 && errno != ENOENT) {
		ok = FALSE;
		message = "cannot remove the unit file";
	}
	j->done(ok, message, j->data);
	g_strfreev(j->steps);
	g_free(j->unit_path);
	g_free(j);
}

static void job_run_next(struct job *j);

static void on_step_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct job *j = data;
	GSubprocess *p = G_SUBPROCESS(source);
	char *err_text = NULL;
	gboolean ok = g_subprocess_communicate_utf8_finish(p, result, NULL, &err_text, NULL) &&
		      g_subprocess_get_successful(p);

	g_object_unref(p);
	if (!ok) {
		char *msg = g_strdup_printf("systemctl failed: %s",
					    err_text && *err_text ? g_strstrip(err_text) : "no reason");

		g_free(err_text);
		job_finish(j, FALSE, msg);
		g_free(msg);
		return;
	}
	g_free(err_text);
	job_run_next(j);
}

static void job_run_next(struct job *j)
{
	GSubprocess *p;
	GError *error = NULL;
	char **argv;

	if (j->steps == NULL || j->steps[j->next] == NULL) {
		job_finish(j, TRUE, j->on ? "Starts at login." : "No longer starts at login.");
		return;
	}
	argv = g_strsplit(j->steps[j->next++], "|", -1);
	p = g_subprocess_newv((const char *const *)argv,
			      G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
			      &error);
	g_strfreev(argv);
	if (p == NULL) {
		char *msg = g_strdup_printf("cannot run systemctl: %s", error->message);

		g_error_free(error);
		job_finish(j, FALSE, msg);
		g_free(msg);
		return;
	}
	g_subprocess_communicate_utf8_async(p, NULL, NULL, on_step_done, j);
}

static gboolean service_socket_exists(void)
{
	char path[4096];
	struct stat st;

	return paths_control_socket(path, sizeof(path)) == 0 && stat(path, &st) == 0 &&
	       S_ISSOCK(st.st_mode);
}

void app_autostart_set_service(gboolean on, app_autostart_fn done, void *data)
{
	struct job *j = g_new0(struct job, 1);
	gboolean manager = app_user_manager_running();

	j->on = on;
	j->done = done;
	j->data = data;
	j->unit_path = app_autostart_unit_path();
	if (j->unit_path == NULL) {
		job_finish(j, FALSE, "HOME is not set");
		return;
	}
	if (on) {
		char *exe = app_find_vocana(), dir[4096], text[8192];
		int len, res;

		if (exe == NULL) {
			job_finish(j, FALSE, "the 'vocana' program is not installed");
			return;
		}
		len = unit_render(exe, text, sizeof(text));
		g_free(exe);
		if (len < 0 || (res = paths_user_unit_dir(dir, sizeof(dir))) < 0 ||
		    (res = unit_install(dir, text, (size_t)len)) < 0) {
			job_finish(j, FALSE, "cannot write the systemd user unit");
			return;
		}
		/* Already running (started by the app or by hand): enable only, or the unit's
		 * 'vocana mic' would find the socket taken and fail until the next login anyway. */
		if (manager)
			j->steps = g_strsplit(service_socket_exists() ?
					      "systemctl|--user|daemon-reload\n"
					      "systemctl|--user|enable|" UNIT_FILE_NAME :
					      "systemctl|--user|daemon-reload\n"
					      "systemctl|--user|enable|--now|" UNIT_FILE_NAME, "\n", -1);
	} else if (manager) {
		/* Disable only: switching autostart off does not stop noise cancellation now. */
		j->steps = g_strsplit("systemctl|--user|disable|" UNIT_FILE_NAME "\n"
				      "systemctl|--user|daemon-reload", "\n", -1);
	}
	if (!manager && on) {
		job_finish(j, TRUE, "Installed; it starts at your next login (no systemd user "
			   "session runs now).");
		return;
	}
	if (!manager && !on) {
		/* The unit may still be enabled by a symlink from an earlier session: remove it too. */
		char dir[4096];

		if (paths_user_unit_dir(dir, sizeof(dir)) == 0) {
			char *link = g_build_filename(dir, "default.target.wants", UNIT_FILE_NAME, NULL);

			g_unlink(link);
			g_free(link);
		}
	}
	job_run_next(j);
}

/* ---- The tray's XDG autostart entry ------------------------------------------------------ */

gboolean app_autostart_set_tray(gboolean on, char **error)
{
	char *path = app_autostart_desktop_path(), *dir, *self, *text, *quoted;
	GError *e = NULL;
	gboolean ok;

	if (!on) {
		ok = g_unlink(path) == 0 || errno == ENOENT;
		if (!ok && error)
			*error = g_strdup_printf("cannot remove %s: %s", path, g_strerror(errno));
		g_free(path);
		return ok;
	}
	self = g_file_read_link("/proc/self/exe", NULL);
	if (self == NULL) {
		if (error)
			*error = g_strdup("cannot find this program's path");
		g_free(path);
		return FALSE;
	}
	/* Desktop Entry Exec quoting: the path inside double quotes, with \ " ` $ escaped. */
	{
		GString *q = g_string_new("\"");

		for (const char *c = self; *c; c++) {
			if (strchr("\\\"`$", *c))
				g_string_append_c(q, '\\');
			g_string_append_c(q, *c);
		}
		g_string_append_c(q, '"');
		quoted = g_string_free(q, FALSE);
	}
	text = g_strdup_printf("[Desktop Entry]\n"
			       "Type=Application\n"
			       "Name=Vocana\n"
			       "Comment=Noise cancellation for your microphone (tray icon)\n"
			       "Exec=%s --hidden\n"
			       "Icon=" APP_ID "\n"
			       "Terminal=false\n"
			       "X-GNOME-Autostart-enabled=true\n", quoted);
	dir = g_path_get_dirname(path);
	ok = g_mkdir_with_parents(dir, 0700) == 0 &&
	     g_file_set_contents_full(path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &e);
	if (!ok && error)
		*error = g_strdup_printf("cannot write %s: %s", path, e ? e->message : g_strerror(errno));
	if (e)
		g_error_free(e);
	g_free(dir);
	g_free(text);
	g_free(quoted);
	g_free(self);
	g_free(path);
	return ok;
}

/* ---- The Startup page ---------------------------------------------------------------------- */

struct app_autostart_page {
	GtkWidget *root, *service_switch, *tray_switch, *result;
	gboolean updating, busy;
};

static void show_result(struct app_autostart_page *p, const char *text, gboolean error)
{
	gtk_label_set_text(GTK_LABEL(p->result), text);
	if (error)
		gtk_widget_add_css_class(p->result, "error");
	else
		gtk_widget_remove_css_class(p->result, "error");
}

static void sync_switches(struct app_autostart_page *p)
{
	p->updating = TRUE;
	gtk_switch_set_active(GTK_SWITCH(p->service_switch), app_autostart_service_installed());
	gtk_switch_set_active(GTK_SWITCH(p->tray_switch), app_autostart_tray_installed());
	p->updating = FALSE;
}

static void on_service_done(gboolean ok, const char *message, void *data)
{
	struct app_autostart_page *p = data;

	p->busy = FALSE;
	gtk_widget_set_sensitive(p->service_switch, TRUE);
	show_result(p, message, !ok);
	sync_switches(p);
}

static void on_service_switch(GObject *sw, GParamSpec *pspec, gpointer data)
{
	struct app_autostart_page *p = data;

	if (p->updating || p->busy)
		return;
	p->busy = TRUE;
	gtk_widget_set_sensitive(p->service_switch, FALSE); /* until systemctl is done */
	show_result(p, "Working…", FALSE);
	app_autostart_set_service(gtk_switch_get_active(GTK_SWITCH(sw)), on_service_done, p);
}

static void on_tray_switch(GObject *sw, GParamSpec *pspec, gpointer data)
{
	struct app_autostart_page *p = data;
	char *error = NULL;
	gboolean on = gtk_switch_get_active(GTK_SWITCH(sw));

	if (p->updating)
		return;
	if (app_autostart_set_tray(on, &error))
		show_result(p, on ? "The tray icon appears at login." :
				    "The tray icon no longer appears at login.", FALSE);
	else
		show_result(p, error, TRUE);
	g_free(error);
	sync_switches(p);
}

static void on_map(GtkWidget *w, gpointer data)
{
	sync_switches(data);
}

static GtkWidget *switch_row(GtkWidget *group, const char *title, const char *subtitle,
			     GtkWidget **sw)
{
	GtkWidget *row = adw_action_row_new();

	adw_preferences_row_set_title(ADW_PREFERENCES_ROW(row), title);
	adw_action_row_set_subtitle(ADW_ACTION_ROW(row), subtitle);
	*sw = gtk_switch_new();
	gtk_widget_set_valign(*sw, GTK_ALIGN_CENTER);
	/* Named by the row's title (activatable widget), for screen readers and AT-SPI tests. */
	adw_action_row_add_suffix(ADW_ACTION_ROW(row), *sw);
	adw_action_row_set_activatable_widget(ADW_ACTION_ROW(row), *sw);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), row);
	return row;
}

struct app_autostart_page *app_autostart_page_new(void)
{
	struct app_autostart_page *p = g_new0(struct app_autostart_page, 1);
	GtkWidget *group = adw_preferences_group_new();

	adw_preferences_group_set_title(ADW_PREFERENCES_GROUP(group), "At Login");
	adw_preferences_group_set_description(ADW_PREFERENCES_GROUP(group),
		"No administrator password needed: both live in your own settings.");
	switch_row(group, "Start Noise Cancellation",
		   "The Vocana Microphone is there as soon as you log in", &p->service_switch);
	switch_row(group, "Show the Tray Icon",
		   "Quick on/off and strength from the panel", &p->tray_switch);
	p->result = gtk_label_new("");
	gtk_label_set_wrap(GTK_LABEL(p->result), TRUE);
	gtk_label_set_xalign(GTK_LABEL(p->result), 0.0);
	gtk_widget_add_css_class(p->result, "dim-label");
	gtk_widget_set_margin_top(p->result, 12);
	adw_preferences_group_add(ADW_PREFERENCES_GROUP(group), p->result);
	p->root = adw_preferences_page_new();
	adw_preferences_page_add(ADW_PREFERENCES_PAGE(p->root), ADW_PREFERENCES_GROUP(group));
	sync_switches(p);
	g_signal_connect(p->service_switch, "notify::active", G_CALLBACK(on_service_switch), p);
	g_signal_connect(p->tray_switch, "notify::active", G_CALLBACK(on_tray_switch), p);
	g_signal_connect(p->root, "map", G_CALLBACK(on_map), p);
	g_object_set_data_full(G_OBJECT(p->root), "app-autostart-page", p, g_free);
	return p;
}

GtkWidget *app_autostart_page_widget(struct app_autostart_page *p)
{
	return p->root;
}

GtkWidget *app_autostart_page_service_switch(struct app_autostart_page *p)
{
	return p->service_switch;
}

GtkWidget *app_autostart_page_tray_switch(struct app_autostart_page *p)
{
	return p->tray_switch;
}

const char *app_autostart_page_result(struct app_autostart_page *p)
{
	return gtk_label_get_text(GTK_LABEL(p->result));
}
