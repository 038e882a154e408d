/* SPDX-License-Identifier: MIT */
/* Starting the mic service from the app (see app_launch.h). */
#include "app/app_launch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "service/paths.h"
#include "service/unit.h"

struct launch {
	app_launch_fn done, exited;
	void *data;
};

char *app_find_vocana(void)
{
	const char *env = g_getenv("VOCANA_PROGRAM");
	char *self, *dir, *path;

	if (env != NULL && env[0] == '/' && g_file_test(env, G_FILE_TEST_IS_EXECUTABLE))
		return g_strdup(env);
	self = g_file_read_link("/proc/self/exe", NULL);
	if (self != NULL) {
		dir = g_path_get_dirname(self);
		g_free(self);
		/* Installed: both in bindir. Build tree: build/src/app/ next to build/src/cli/. */
		path = g_build_filename(dir, "vocana", NULL);
		if (!g_file_test(path, G_FILE_TEST_IS_EXECUTABLE)) {
			g_free(path);
			path = g_build_filename(dir, "..", "cli", "vocana", NULL);
		}
		g_free(dir);
		if (g_file_test(path, G_FILE_TEST_IS_EXECUTABLE)) {
			char *canon = g_canonicalize_filename(path, NULL);

			g_free(path);
			return canon;
		}
		g_free(path);
	}
	return g_find_program_in_path("vocana");
}

gboolean app_user_manager_running(void)
{
	const char *run = g_getenv("XDG_RUNTIME_DIR");
	char *path;
	struct stat st;
	gboolean yes;

	if (run == NULL || run[0] != '/')
		return FALSE;
	path = g_build_filename(run, "systemd", "private", NULL);
	yes = stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
	g_free(path);
	return yes;
}

static gboolean unit_installed(void)
{
	char dir[4096];
	char *path;
	gboolean yes;

	if (paths_user_unit_dir(dir, sizeof(dir)) < 0)
		return FALSE;
	path = g_build_filename(dir, UNIT_FILE_NAME, NULL);
	yes = g_file_test(path, G_FILE_TEST_EXISTS);
	g_free(path);
	return yes;
}

char *app_launch_log_path(void)
{
	return g_build_filename(g_get_user_state_dir(), "vocana", "mic.log", NULL);
}

char *app_launch_log_tail(void)
{
	char *path = app_launch_log_path(), *text = NULL, *line = NULL;
	gsize len = 0;

	if (g_file_get_contents(path, &text, &len, NULL)) {
		char **lines = g_strsplit(text, "\n", -1);
		int n = (int)g_strv_length(lines);

		for (int i = n - 1; i >= 0 && line == NULL; i--)
			if (g_strstrip(lines[i])[0] != '\0')
				line = g_strdup(lines[i]);
		g_strfreev(lines);
		g_free(text);
	}
	g_free(path);
	return line;
}

/* ---- systemctl --user start vocana ------------------------------------------------------- */

static void on_systemctl_done(GObject *source, GAsyncResult *result, gpointer data)
{
	struct launch *l = data;
	GSubprocess *p = G_SUBPROCESS(source);
	char *err_text = NULL;
	GError *error = NULL;

	if (!g_subprocess_communicate_utf8_finish(p, result, NULL, &err_text, &error)) {
		l->done(-EIO, error->message, l->data);
		g_error_free(error);
	} else if (!g_subprocess_get_successful(p)) {
		char *msg = g_strdup_printf("systemctl --user start vocana failed: %s",
					    err_text && *err_text ? g_strstrip(err_text) : "no reason given");

		l->done(-EIO, msg, l->data);
		g_free(msg);
	} else {
		l->done(0, "", l->data);
	}
	g_free(err_text);
	g_object_unref(p);
	g_free(l);
}

static gboolean start_with_systemd(struct launch *l)
{
	GError *error = NULL;
	GSubprocess *p = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
						  G_SUBPROCESS_FLAGS_STDERR_PIPE,
					  &error, "systemctl", "--user", "start", UNIT_FILE_NAME, NULL);

	if (p == NULL) {
		g_error_free(error);
		return FALSE; /* no systemctl: start it directly */
	}
	g_subprocess_communicate_utf8_async(p, NULL, NULL, on_systemctl_done, l);
	return TRUE;
}

/* ---- vocana mic, directly ---------------------------------------------------------------- */

static void on_child_exit(GObject *source, GAsyncResult *result, gpointer data)
{
	struct launch *l = data;
	GSubprocess *p = G_SUBPROCESS(source);
	char *tail, *msg;

	g_subprocess_wait_finish(p, result, NULL);
	tail = app_launch_log_tail();
	/* The service's own last line says why ("vocana mic: error: ..."). */
	msg = g_strdup_printf("%s", tail ? tail : "it stopped without a message");
	l->exited(-EIO, msg, l->data);
	g_free(msg);
	g_free(tail);
	g_object_unref(p);
	g_free(l);
}

static void start_directly(struct launch *l)
{
	char *exe = app_find_vocana(), *log = app_launch_log_path(), *dir, *msg;
	GSubprocessLauncher *launcher;
	GSubprocess *p;
	GError *error = NULL;

	if (exe == NULL) {
		l->done(-ENOENT, "the 'vocana' program is not installed (not next to this app, not on "
			"PATH)", l->data);
		g_free(log);
		g_free(l);
		return;
	}
	dir = g_path_get_dirname(log);
	g_mkdir_with_parents(dir, 0700);
	g_free(dir);
	launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDIN_INHERIT);
	/* Each start begins a fresh log, so its last line is this start's reason. */
	g_unlink(log);
	g_subprocess_launcher_set_stderr_file_path(launcher, log);
	g_subprocess_launcher_set_stdout_file_path(launcher, "/dev/null");
	p = g_subprocess_launcher_spawn(launcher, &error, exe, "mic", NULL);
	g_object_unref(launcher);
	if (p == NULL) {
		msg = g_strdup_printf("cannot run %s: %s", exe, error->message);
		l->done(-EIO, msg, l->data);
		g_free(msg);
		g_error_free(error);
		g_free(l);
	} else {
		l->done(0, "", l->data);
		g_subprocess_wait_async(p, NULL, on_child_exit, l);
	}
	g_free(exe);
	g_free(log);
}

void app_launch_service(app_launch_fn done, app_launch_fn exited, void *data)
{
	struct launch *l = g_new0(struct launch, 1);

	l->done = done;
	l->exited = exited;
	l->data = data;
	if (unit_installed() && app_user_manager_running() && start_with_systemd(l))
		return;
	start_directly(l);
}
