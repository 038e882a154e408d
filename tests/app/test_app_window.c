/* SPDX-License-Identifier: MIT */
/*
 * The app's window against a real 'vocana mic' on a private PipeWire (test_app_e2e.sh sets it up
 * and passes the tools): the test drives the controls the way a person's clicks do (the widgets'
 * own setters fire the same signals as input events) and checks, independently of the app, that
 * the service changed ('vocana status --raw'), and that a recording through the Vocana
 * Microphone reflects it:
 *   - no input device at first (the script removed the fake mic): the banner says so; when it
 *     is back, picking it in the device row makes the service capture it (no longer following
 *     the default) and the banner clears;
 *   - the input level bar moves while audio plays (the meter lease, with nothing else recording);
 *   - the switch off: 'enabled=no', saved; a recording is the input, bit for bit (bypass);
 *   - the switch on, the slider to 35: 'strength=35', saved; a recording equals the engine run
 *     offline at strength 35;
 *   - Startup: the login switches write the systemd user unit and the tray's autostart entry,
 *     and remove them again;
 *   - Listen: the service plays the mic back ('listening=yes') and stops when toggled off;
 *   - the Speaker page: it says the speaker is off; its switch publishes it ('speaker=yes'), its
 *     slider sets 'speaker.strength' (not the mic's), its output row offers sinks only (never
 *     the speaker itself) and picking the fake sink makes the service play into it, all saved;
 *     back to the default sink and off again;
 *   - the service frozen (SIGSTOP): the window says it is slow, then not answering, and its main
 *     loop never stalls meanwhile; thawed, it shows it running again;
 *   - the service stopped: the banner offers Start; a service that refuses to start shows its
 *     own last message and Try Again; Start runs 'vocana mic' and the window shows it running.
 * Usage: test_app_window VOCANA PW_PLAY_RECORD PW_ANALYZE FAKE_MIC WORKDIR PW_ENV_SH. Exit 77
 * without a display.
 */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <adwaita.h>

#include "app/app_dir_page.h"
#include "app/app_service.h"
#include "app/app_window.h"

static const char *vocana, *playrec, *analyze, *fake_mic, *workdir, *pw_env_sh;
static struct app_service *svc;
static struct app_window *win;
static int failed;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__);                      \
			fprintf(stderr, "\n");                             \
			failed = 1;                                        \
			return;                                            \
		}                                                          \
	} while (0)

static void note(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "# ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
}

/* Run the main loop until cond() or timeout; the app keeps polling meanwhile. */
static gboolean wait_for(gboolean (*cond)(void), guint timeout_ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	while (!cond()) {
		if (g_get_monotonic_time() > end)
			return FALSE;
		g_main_context_iteration(NULL, FALSE);
		g_usleep(5000);
	}
	return TRUE;
}

/* 'vocana status --raw', key's value (static buffer), "" if missing. The CLI is a separate
 * process, so the check does not trust the app's own view. */
static const char *status_get(const char *key)
{
	static char value[512];
	char *argv[] = { (char *)vocana, "status", "--raw", NULL }, *out = NULL;
	char *prefix = g_strdup_printf("%s=", key);

	value[0] = '\0';
	if (g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, NULL,
			 NULL) && out) {
		char **lines = g_strsplit(out, "\n", -1);

		for (char **l = lines; *l; l++)
			if (g_str_has_prefix(*l, prefix))
				g_strlcpy(value, *l + strlen(prefix), sizeof(value));
		g_strfreev(lines);
	}
	g_free(out);
	g_free(prefix);
	return value;
}

static const char *want_key, *want_value;
static gboolean status_matches(void)
{
	return strcmp(status_get(want_key), want_value) == 0;
}

static gboolean wait_status(const char *key, const char *value, guint timeout_ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	want_key = key;
	want_value = value;
	/* Poll the CLI every 100 ms, spinning the app's loop in between. */
	while (!status_matches()) {
		gint64 next = g_get_monotonic_time() + 100000;

		if (g_get_monotonic_time() > end)
			return FALSE;
		while (g_get_monotonic_time() < next) {
			g_main_context_iteration(NULL, FALSE);
			g_usleep(5000);
		}
	}
	return TRUE;
}

static gboolean running(void)
{
	const struct app_snapshot *s = app_service_snapshot(svc);

	return s->state == APP_STATE_RUNNING && s->n_devices >= 0;
}

static gboolean not_running(void)
{
	return app_service_snapshot(svc)->state == APP_STATE_NOT_RUNNING;
}

/* Position of the fake mic (a null sink) in a direction's device row, 0 if not there. */
static guint fake_mic_index(enum app_direction dir)
{
	struct app_dir_page *page = app_window_dir_page(win, dir);

	for (guint i = 1; app_dir_page_device_name(page, i) != NULL; i++)
		if (strcmp(app_dir_page_device_name(page, i), fake_mic) == 0)
			return i;
	return 0;
}

static gboolean fake_mic_listed(void)
{
	return fake_mic_index(APP_DIR_MIC) > 0;
}

static gboolean fake_sink_offered(void)
{
	return fake_mic_index(APP_DIR_SPEAKER) > 0;
}

static gboolean speaker_says_off(void)
{
	return strstr(app_dir_page_state_text(app_window_dir_page(win, APP_DIR_SPEAKER)),
		      "Speaker is off") != NULL;
}

static gboolean speaker_state_plain(void)
{
	return strstr(app_dir_page_state_text(app_window_dir_page(win, APP_DIR_SPEAKER)),
		      "Choose “Vocana Speaker”") != NULL;
}

static gboolean banner_says_no_mic(void)
{
	return strstr(app_window_banner_text(win), "No microphone") != NULL;
}

static gboolean service_switch_done(void)
{
	/* Sensitive again once the job (file and, with systemd, systemctl) is done. */
	return gtk_widget_get_sensitive(
		app_autostart_page_service_switch(app_window_startup_page(win)));
}

static gboolean slow_or_hung(void)
{
	enum app_state st = app_service_snapshot(svc)->state;

	return st == APP_STATE_SLOW || st == APP_STATE_NOT_ANSWERING;
}

static gboolean not_answering(void)
{
	return app_service_snapshot(svc)->state == APP_STATE_NOT_ANSWERING;
}

/* The longest gap between two ticks of a 10 ms timer: how long the main loop was held up. */
static gint64 last_tick_us, max_gap_us;
static gboolean on_tick(gpointer data)
{
	gint64 now = g_get_monotonic_time();

	if (last_tick_us && now - last_tick_us > max_gap_us)
		max_gap_us = now - last_tick_us;
	last_tick_us = now;
	return G_SOURCE_CONTINUE;
}

static gboolean start_failed(void)
{
	return app_service_snapshot(svc)->state == APP_STATE_START_FAILED;
}

static gboolean banner_empty(void)
{
	return app_window_banner_text(win)[0] == '\0';
}

/* Play IN into the fake mic while recording the Vocana source into OUT; the app's loop runs
 * meanwhile. Returns the recorder's exit status; *max_bar gets the highest input level bar. */
static int play_record(const char *in, const char *out, double *max_bar)
{
	char *argv[] = { (char *)playrec, "-p", (char *)in, "-P", (char *)fake_mic, "-r", (char *)out,
			 "-R", "vocana_mic", "-q", "1024", "-t", "30", NULL };
	GPid pid;
	int status = -1;
	GtkWidget *bar = app_dir_page_input_bar(app_window_dir_page(win, APP_DIR_MIC));

	if (!g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
			   NULL, NULL, &pid, NULL))
		return -1;
	*max_bar = 0.0;
	for (;;) {
		int res = waitpid(pid, &status, WNOHANG);

		if (res == pid)
			break;
		g_main_context_iteration(NULL, FALSE);
		if (gtk_level_bar_get_value(GTK_LEVEL_BAR(bar)) > *max_bar)
			*max_bar = gtk_level_bar_get_value(GTK_LEVEL_BAR(bar));
		g_usleep(5000);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* pw_analyze MODE ... : its output line into buf, exit status returned. */
static int analyze_run(char **argv, char *buf, size_t size)
{
	char *out = NULL;
	int status = -1;

	buf[0] = '\0';
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
			  &status, NULL))
		return -1;
	g_strlcpy(buf, out ? g_strstrip(out) : "", size);
	g_free(out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static double kv(const char *line, const char *key)
{
	char *k = g_strdup_printf("%s=", key);
	const char *p = strstr(line, k);
	double v = p ? g_ascii_strtod(p + strlen(k), NULL) : NAN;

	g_free(k);
	return v;
}

static gboolean idle_no_recording(void)
{
	return strcmp(status_get("recording"), "no") == 0;
}

static void hide_window_and_wait(void)
{
	/* Hidden, the app drops its meter lease: the next recording starts a fresh denoiser, as
	 * the offline comparison needs. */
	gtk_widget_set_visible(GTK_WIDGET(app_window_gtk(win)), FALSE);
	wait_for(idle_no_recording, 8000);
}

static void run_steps(void)
{
	struct app_dir_page *page = app_window_dir_page(win, APP_DIR_MIC);
	char in[512], rec[512], line[512], conf[512];
	char *text = NULL;
	guint fake_index = 0;
	double bar = 0.0;

	g_snprintf(in, sizeof(in), "%s/in.f32", workdir);
	g_snprintf(rec, sizeof(rec), "%s/rec.f32", workdir);
	g_snprintf(conf, sizeof(conf), "%s/vocana/vocana.conf", g_get_user_config_dir());

	CHECK(wait_for(running, 10000), "the app never saw the service running (state %s)",
	      app_state_name(app_service_snapshot(svc)->state));
	CHECK(wait_for(banner_says_no_mic, 5000),
	      "no 'input missing' message with no input device: '%s'", app_window_banner_text(win));
	note("running without an input; banner: '%s'", app_window_banner_text(win));
	{
		char *cmd = g_strdup_printf("source '%s' && pw_fake_mic_create", pw_env_sh);
		char *argv[] = { "bash", "-c", cmd, NULL };
		int status = -1;

		g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status,
			     NULL);
		g_free(cmd);
		CHECK(status == 0, "could not bring the fake mic back");
	}
	CHECK(wait_for(fake_mic_listed, 8000), "the fake mic does not appear in the device row");

	/* ---- pick the device -------------------------------------------------------------- */
	fake_index = fake_mic_index(APP_DIR_MIC);
	CHECK(fake_index > 0, "the fake mic is not in the device row");
	adw_combo_row_set_selected(ADW_COMBO_ROW(app_dir_page_device_row(page)), fake_index);
	CHECK(wait_status("input", fake_mic, 5000), "service input is '%s'", status_get("input"));
	CHECK(wait_status("input_follows_default", "no", 2000), "still follows the default");
	CHECK(wait_for(banner_empty, 5000), "banner still says '%s'", app_window_banner_text(win));
	note("device picked: the service captures %s", fake_mic);

	/* ---- the meter moves with the voice ----------------------------------------------- */
	{
		char *gen[] = { (char *)analyze, "gen", in, "3", NULL };

		CHECK(analyze_run(gen, line, sizeof(line)) == 0, "pw_analyze gen");
	}
	CHECK(play_record(in, rec, &bar) == 0, "pw_play_record failed");
	note("input level bar reached %.2f while audio played", bar);
	CHECK(bar > 0.3, "the input meter did not move (max %.2f)", bar);

	/* ---- switch off: bypass ------------------------------------------------------------- */
	gtk_switch_set_active(GTK_SWITCH(app_dir_page_switch(page)), FALSE);
	CHECK(wait_status("enabled", "no", 5000), "service still enabled");
	CHECK(g_file_get_contents(conf, &text, NULL, NULL) && strstr(text, "enabled = false"),
	      "disable not saved in %s", conf);
	g_clear_pointer(&text, g_free);
	hide_window_and_wait();
	CHECK(play_record(in, rec, &bar) == 0, "pw_play_record failed");
	{
		char *argv[] = { (char *)analyze, "delay", in, rec, NULL };

		CHECK(analyze_run(argv, line, sizeof(line)) == 0, "pw_analyze delay: %s", line);
	}
	note("switch off, recording vs input: %s", line);
	CHECK(kv(line, "snr_db") >= 100, "bypass is not the input: %s", line);

	/* ---- switch on, slider to 35 -------------------------------------------------------- */
	gtk_widget_set_visible(GTK_WIDGET(app_window_gtk(win)), TRUE);
	gtk_switch_set_active(GTK_SWITCH(app_dir_page_switch(page)), TRUE);
	CHECK(wait_status("enabled", "yes", 5000), "service not enabled again");
	/* A drag: several values in a row, the last one counts. */
	for (int v = 90; v >= 35; v -= 11)
		gtk_range_set_value(GTK_RANGE(app_dir_page_scale(page)), v < 35 ? 35 : v);
	gtk_range_set_value(GTK_RANGE(app_dir_page_scale(page)), 35);
	CHECK(wait_status("strength", "35", 5000), "service strength is %s", status_get("strength"));
	CHECK(g_file_get_contents(conf, &text, NULL, NULL) && strstr(text, "strength = 35"),
	      "strength not saved in %s", conf);
	g_clear_pointer(&text, g_free);
	hide_window_and_wait();
	CHECK(play_record(in, rec, &bar) == 0, "pw_play_record failed");
	{
		char *argv[] = { (char *)analyze, "offline", in, rec, "1024", "35", NULL };

		CHECK(analyze_run(argv, line, sizeof(line)) == 0, "pw_analyze offline: %s", line);
	}
	note("strength 35, recording vs engine offline at 35: %s", line);
	CHECK(kv(line, "corr") >= 0.999, "the recording is not the engine at strength 35: %s", line);

	/* ---- listen ------------------------------------------------------------------------- */
	gtk_widget_set_visible(GTK_WIDGET(app_window_gtk(win)), TRUE);
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(app_dir_page_listen_button(page)), TRUE);
	CHECK(wait_status("listening", "yes", 5000), "listen did not start");
	gtk_toggle_button_set_active(GTK_TOGGLE_BUTTON(app_dir_page_listen_button(page)), FALSE);
	CHECK(wait_status("listening", "no", 5000), "listen did not stop");
	note("listen: started and stopped");

	/* ---- the Speaker page: on, strength, output device, off ---------------------------- */
	{
		struct app_dir_page *spk = app_window_dir_page(win, APP_DIR_SPEAKER);
		guint out_index = 0;

		app_window_show_page(win, "speaker");
		CHECK(wait_status("speaker", "no", 2000), "the speaker is published before the test");
		CHECK(wait_for(speaker_says_off, 3000), "the Speaker page does not say it is off: '%s'",
		      app_dir_page_state_text(spk));
		note("speaker off; its page says: '%s'", app_dir_page_state_text(spk));
		gtk_switch_set_active(GTK_SWITCH(app_dir_page_switch(spk)), TRUE);
		CHECK(wait_status("speaker", "yes", 5000), "the switch did not publish the speaker");
		CHECK(wait_status("speaker.node", "vocana_speaker", 2000), "no speaker node");
		CHECK(wait_for(speaker_state_plain, 3000), "the page still says '%s'",
		      app_dir_page_state_text(spk));
		for (int v = 80; v >= 40; v -= 13)
			gtk_range_set_value(GTK_RANGE(app_dir_page_scale(spk)), v < 40 ? 40 : v);
		gtk_range_set_value(GTK_RANGE(app_dir_page_scale(spk)), 40);
		CHECK(wait_status("speaker.strength", "40", 5000), "speaker strength is %s",
		      status_get("speaker.strength"));
		CHECK(strcmp(status_get("strength"), "35") == 0, "the mic's strength moved: %s",
		      status_get("strength"));
		/* Outputs are sinks only, never the speaker itself: the fake mic is a null sink. */
		CHECK(wait_for(fake_sink_offered, 8000), "the fake sink is not an output choice");
		for (guint i = 1; app_dir_page_device_name(spk, i) != NULL; i++)
			CHECK(strcmp(app_dir_page_device_name(spk, i), "vocana_speaker") != 0,
			      "the speaker is offered as its own output");
		out_index = fake_mic_index(APP_DIR_SPEAKER);
		adw_combo_row_set_selected(ADW_COMBO_ROW(app_dir_page_device_row(spk)), out_index);
		CHECK(wait_status("speaker.output", fake_mic, 5000), "speaker output is '%s'",
		      status_get("speaker.output"));
		CHECK(wait_status("speaker.output_follows_default", "no", 2000),
		      "the speaker still follows the default sink");
		CHECK(g_file_get_contents(conf, &text, NULL, NULL) && strstr(text, "speaker = on") &&
		      strstr(text, "speaker.strength = 40") &&
		      strstr(text, "speaker.output = vocana_test_mic"),
		      "the speaker's settings are not saved in %s: %s", conf, text ? text : "");
		g_clear_pointer(&text, g_free);
		note("speaker on, strength 40, output %s: saved", fake_mic);
		adw_combo_row_set_selected(ADW_COMBO_ROW(app_dir_page_device_row(spk)), 0);
		CHECK(wait_status("speaker.output_follows_default", "yes", 5000),
		      "the speaker does not follow the default sink again");
		gtk_switch_set_active(GTK_SWITCH(app_dir_page_switch(spk)), FALSE);
		CHECK(wait_status("speaker", "no", 5000), "the switch did not remove the speaker");
		CHECK(wait_for(speaker_says_off, 3000), "the page does not say the speaker is off");
		CHECK(strcmp(status_get("enabled"), "yes") == 0, "the mic was switched too");
		note("speaker: output back to the default, switched off");
		app_window_show_page(win, "mic");
	}

	/* ---- Startup: both switches write and remove their files (no systemd here) ----------- */
	{
		struct app_autostart_page *st = app_window_startup_page(win);
		char *unit = app_autostart_unit_path(), *desktop = app_autostart_desktop_path();

		app_window_show_page(win, "startup");
		gtk_switch_set_active(GTK_SWITCH(app_autostart_page_service_switch(st)), TRUE);
		CHECK(wait_for(service_switch_done, 5000), "the unit switch never finished");
		CHECK(g_file_get_contents(unit, &text, NULL, NULL), "no unit at %s", unit);
		CHECK(strstr(text, "ExecStart=\"") && strstr(text, "\" mic\n"), "unit: %s", text);
		g_clear_pointer(&text, g_free);
		note("service at login: %s", app_autostart_page_result(st));
		gtk_switch_set_active(GTK_SWITCH(app_autostart_page_tray_switch(st)), TRUE);
		CHECK(g_file_get_contents(desktop, &text, NULL, NULL), "no autostart entry %s", desktop);
		CHECK(strstr(text, " --hidden\n") != NULL, "autostart entry: %s", text);
		g_clear_pointer(&text, g_free);
		gtk_switch_set_active(GTK_SWITCH(app_autostart_page_tray_switch(st)), FALSE);
		CHECK(!g_file_test(desktop, G_FILE_TEST_EXISTS), "autostart entry not removed");
		gtk_switch_set_active(GTK_SWITCH(app_autostart_page_service_switch(st)), FALSE);
		CHECK(wait_for(service_switch_done, 5000), "the unit switch never finished");
		CHECK(!g_file_test(unit, G_FILE_TEST_EXISTS), "unit not removed");
		note("startup switches: unit and autostart entry written and removed");
		app_window_show_page(win, "mic");
		g_free(unit);
		g_free(desktop);
	}

	/* ---- a hung service: shown as such, and the window keeps drawing ------------------- */
	{
		long pid = atol(status_get("pid"));
		guint tick = g_timeout_add(10, on_tick, NULL);

		CHECK(pid > 0, "no pid");
		kill((pid_t)pid, SIGSTOP); /* the socket still accepts (backlog); nothing answers */
		last_tick_us = max_gap_us = 0;
		CHECK(wait_for(slow_or_hung, 3000), "a stopped service is not shown as slow (%s)",
		      app_state_name(app_service_snapshot(svc)->state));
		note("service stopped (SIGSTOP); banner: '%s'", app_window_banner_text(win));
		CHECK(wait_for(not_answering, 6000), "a stopped service is not shown as not answering "
		      "(%s)", app_state_name(app_service_snapshot(svc)->state));
		note("then: '%s'; the main loop's longest gap meanwhile: %.1f ms",
		     app_window_banner_text(win), max_gap_us / 1000.0);
		CHECK(max_gap_us < 250000, "the GUI blocked for %.0f ms on a hung service",
		      max_gap_us / 1000.0);
		g_source_remove(tick);
		kill((pid_t)pid, SIGCONT);
		CHECK(wait_for(running, 8000), "the service is not shown running after SIGCONT (%s)",
		      app_state_name(app_service_snapshot(svc)->state));
	}

	/* ---- the service stops; Start brings it back ---------------------------------------- */
	{
		long pid = atol(status_get("pid"));

		CHECK(pid > 0, "no pid");
		kill((pid_t)pid, SIGTERM);
	}
	CHECK(wait_for(not_running, 8000), "the app did not notice the service stopped (%s)",
	      app_state_name(app_service_snapshot(svc)->state));
	note("stopped; banner: '%s'", app_window_banner_text(win));
	CHECK(strstr(app_window_banner_text(win), "not running") != NULL, "banner: '%s'",
	      app_window_banner_text(win));
	CHECK(gtk_widget_get_visible(app_window_banner_button(win)), "no Start button");

	/* A service that refuses to start: its last message is shown, with Try Again. */
	{
		char *fake = g_build_filename(workdir, "refusing-vocana", NULL);
		char *real = g_strdup(g_getenv("VOCANA_PROGRAM"));

		CHECK(g_file_set_contents(fake, "#!/bin/sh\necho 'vocana mic: error: refused for the "
					  "test' >&2\nexit 1\n", -1, NULL) && chmod(fake, 0755) == 0,
		      "cannot write %s", fake);
		g_setenv("VOCANA_PROGRAM", fake, TRUE);
		g_signal_emit_by_name(app_window_banner_button(win), "clicked");
		CHECK(wait_for(start_failed, 10000), "no failure shown (state %s)",
		      app_state_name(app_service_snapshot(svc)->state));
		note("refusing service; banner: '%s'", app_window_banner_text(win));
		CHECK(strstr(app_window_banner_text(win), "refused for the test") != NULL,
		      "the service's message is not shown: '%s'", app_window_banner_text(win));
		CHECK(strcmp(gtk_button_get_label(GTK_BUTTON(app_window_banner_button(win))),
			     "Try Again") == 0, "no Try Again button");
		g_setenv("VOCANA_PROGRAM", real, TRUE);
		g_free(real);
		g_free(fake);
	}
	g_signal_emit_by_name(app_window_banner_button(win), "clicked");
	CHECK(wait_for(running, 15000), "Start did not bring the service back (state %s: %s)",
	      app_state_name(app_service_snapshot(svc)->state), app_service_snapshot(svc)->message);
	note("started from the banner: pid %s", status_get("pid"));
	{
		long pid = atol(status_get("pid"));

		if (pid > 0)
			kill((pid_t)pid, SIGTERM); /* ours: the test script does not know it */
	}
}

static void on_activate(GApplication *app, gpointer data)
{
	svc = app_service_new(NULL);
	win = app_window_new(ADW_APPLICATION(app), svc);
	gtk_window_present(app_window_gtk(win));
	g_application_hold(app);
	run_steps();
	g_application_release(app);
	g_application_quit(app);
}

int main(int argc, char **argv)
{
	AdwApplication *app;

	if (argc != 7) {
		fprintf(stderr, "usage: test_app_window VOCANA PW_PLAY_RECORD PW_ANALYZE FAKE_MIC WORKDIR "
			"PW_ENV_SH\n");
		return 2;
	}
	vocana = argv[1];
	playrec = argv[2];
	analyze = argv[3];
	fake_mic = argv[4];
	workdir = argv[5];
	pw_env_sh = argv[6];
	if (!gtk_init_check()) {
		fprintf(stderr, "SKIP: no display\n");
		return 77;
	}
	{
		/* What the banner's Start runs (app_launch.c takes absolute paths only). */
		char *abs = g_canonicalize_filename(vocana, NULL);

		g_setenv("VOCANA_PROGRAM", abs, TRUE);
		g_free(abs);
	}
	app = adw_application_new("org.vocana.VocanaTest", G_APPLICATION_NON_UNIQUE);
	g_signal_connect(app, "activate", G_CALLBACK(on_activate), NULL);
	g_application_run(G_APPLICATION(app), 1, argv);
	g_object_unref(app);
	if (!failed)
		note("app window: all passed");
	return failed ? 1 : 0;
}
