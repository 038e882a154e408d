/* SPDX-License-Identifier: MIT */
/*
 * vocana status | set | enable | disable: talk to the running service over its control socket
 * (src/daemon/service/control.h); set, enable and disable also work while it is not running
 * (settings_offline.h); vocana install-service: install its systemd user unit.
 */
#include <errno.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cmd_service.h"
#include "cli/install_paths.h"
#include "cli/settings_offline.h"
#include "io/sysio.h"
#include "service/control.h"
#include "service/paths.h"
#include "service/unit.h"

extern char **environ;

/* request()'s answer when offline_ok and no service runs: nothing printed, the caller edits the
 * settings file instead. */
#define NOT_RUNNING (-1)

/* Send one request; on success reply holds the server's answer after its "ok" line. Prints the
 * one-line error itself and returns CLI_EXIT_FAILURE otherwise (or NOT_RUNNING, silently, when
 * offline_ok and no service listens). */
static int request_ex(const char *req, char *reply, size_t size, bool offline_ok)
{
	char path[4096];
	int res;

	if ((res = paths_control_socket(path, sizeof(path))) < 0) {
		cli_error("cannot find the mic service: %s",
			  res == -ENOENT ? "XDG_RUNTIME_DIR is not set" : cli_strerror(res));
		return CLI_EXIT_FAILURE;
	}
	res = control_request(path, req, reply, size);
	if ((res == -ENOENT || res == -ECONNREFUSED) && offline_ok)
		return NOT_RUNNING;
	if (res == -ENOENT || res == -ECONNREFUSED) {
		cli_error("the mic service is not running (no %s at %s); start it with 'vocana mic'",
			  res == -ENOENT ? "socket" : "answer", path);
		return CLI_EXIT_FAILURE;
	}
	if (res == -EACCES || res == -EPERM) {
		cli_error("cannot talk to the mic service at %s: permission denied (it belongs to "
			  "another user)", path);
		return CLI_EXIT_FAILURE;
	}
	if (res < 0) {
		cli_error("no answer from the mic service at %s: %s", path, cli_strerror(res));
		return CLI_EXIT_FAILURE;
	}
	if (strncmp(reply, "ok\n", 3) != 0) {
		char *nl = strchr(reply, '\n');

		if (nl)
			*nl = '\0';
		cli_error("the mic service says: %s",
			  strncmp(reply, "error: ", 7) == 0 ? reply + 7 : reply);
		return CLI_EXIT_FAILURE;
	}
	memmove(reply, reply + 3, strlen(reply + 3) + 1);
	return CLI_EXIT_OK;
}

static int request(const char *req, char *reply, size_t size)
{
	return request_ex(req, reply, size, false);
}

static const char *get(const char *reply, const char *key, char *buf, size_t size)
{
	if (control_reply_get(reply, key, buf, size) < 0)
		snprintf(buf, size, "?");
	return buf;
}

static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

static void warn_unsaved(const char *reply)
{
	char saved[1024];

	if (control_reply_get(reply, "saved", saved, sizeof(saved)) == 0 &&
	    strncmp(saved, "yes", 3) != 0)
		cli_warn("applied, but not saved for the next start (%s)",
			 strncmp(saved, "no: ", 4) == 0 ? saved + 4 : saved);
	if (control_reply_get(reply, "saved_warning", saved, sizeof(saved)) == 0)
		cli_warn("%s", saved);
}

/*
 * The change req makes, sent to the running service or, when none runs, written to the settings
 * file for its next start (issue #15). Returns an exit status; *offline tells which happened.
 */
static int apply_change(const char *req, const struct settings_change *ch, char *reply,
			size_t size, bool *offline)
{
	char path[4096], warn[1024];
	int res = request_ex(req, reply, size, true);

	*offline = res == NOT_RUNNING;
	if (res != NOT_RUNNING)
		return res;
	if (settings_offline_apply(ch, path, sizeof(path), warn, sizeof(warn)) < 0) {
		cli_error("the mic service is not running, and the settings file cannot be written: %s",
			  warn);
		return CLI_EXIT_FAILURE;
	}
	if (warn[0] != '\0')
		cli_warn("%s", warn);
	/* A service that started meanwhile read the file before we wrote it: tell it too. */
	if (request_ex(req, reply, size, true) == CLI_EXIT_OK)
		*offline = false;
	else
		fprintf(stderr, "vocana: the mic service is not running: saved in %s for its next "
			"start\n", path);
	return CLI_EXIT_OK;
}

/* The Vocana Speaker's part of 'vocana status', while it is on. */
static void print_speaker(const char *reply)
{
	char a[256], b[256], c[256], d[256], e[256];

	printf("%s: %s\n", get(reply, "speaker.description", a, sizeof(a)),
	       strcmp(get(reply, "speaker.playing", b, sizeof(b)), "yes") == 0 ?
		       "playing" : "idle (nothing plays into it)");
	if (strcmp(get(reply, "speaker.output_missing", a, sizeof(a)), "yes") == 0)
		printf("  output:    %s not found: waiting for it, the speaker plays nowhere until then "
		       "('pactl list sinks short' lists the devices)\n",
		       get(reply, "speaker.output_wanted", b, sizeof(b)));
	else
		printf("  output:    %s%s%s\n", get(reply, "speaker.output", a, sizeof(a)),
		       strcmp(get(reply, "speaker.output_active", b, sizeof(b)), "yes") == 0 ?
			       " (active)" : "",
		       strcmp(get(reply, "speaker.output_follows_default", c, sizeof(c)), "yes") == 0 ?
			       ", following the default sink" : "");
	printf("  graph:     %s Hz, quantum %s, %s channels\n",
	       get(reply, "speaker.rate", a, sizeof(a)), get(reply, "speaker.quantum", b, sizeof(b)),
	       get(reply, "speaker.channels", c, sizeof(c)));
	printf("  latency:   %s ms added (%s samples)\n",
	       get(reply, "speaker.latency_ms", a, sizeof(a)),
	       get(reply, "speaker.latency_samples", b, sizeof(b)));
	printf("  glitches:  %s xruns (%s ms of audio lost, the longest %s ms), %s late model "
	       "frames, breaker %s\n", get(reply, "speaker.xruns", a, sizeof(a)),
	       get(reply, "speaker.xrun_lost_ms", b, sizeof(b)),
	       get(reply, "speaker.xrun_max_ms", c, sizeof(c)),
	       get(reply, "speaker.misses", d, sizeof(d)), get(reply, "speaker.breaker", e, sizeof(e)));
	printf("  CPU:       audio callback load %s %%\n",
	       get(reply, "speaker.dsp_load_percent", a, sizeof(a)));
	printf("  strength:  %s\n", get(reply, "speaker.strength", a, sizeof(a)));
}

int cmd_status(int argc, char **argv)
{
	char reply[CONTROL_MAX_REPLY + 1];
	char a[256], b[256], c[256], d[256], e[256];
	bool raw = false;
	int res;

	if (wants_help(argc, argv)) {
		fputs("usage: vocana status [--raw]\n\n"
		      "Show whether the Vocana Microphone (and the Vocana Speaker, when on) runs and\n"
		      "how: its device, graph rate and quantum, added latency, CPU use, glitch\n"
		      "counters (xruns with the audio they lost) and settings.\n"
		      "--raw prints the service's key=value lines, for scripts.\n", stdout);
		return CLI_EXIT_OK;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--raw") == 0)
			raw = true;
		else
			return cli_usage_error("status", "unexpected argument '%s'", argv[i]);
	}
	if ((res = request("status", reply, sizeof(reply))) != CLI_EXIT_OK)
		return res;
	if (raw) {
		fputs(reply, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(get(reply, "mic", a, sizeof(a)), "no") == 0) {
		/* Only the speaker runs: none of the mic's figures mean anything. */
		printf("Vocana service: running (pid %s), the Vocana Microphone is off\n",
		       get(reply, "pid", b, sizeof(b)));
		if (strcmp(get(reply, "connected", a, sizeof(a)), "yes") != 0)
			printf("  PipeWire:  not connected (waiting for the daemon)\n");
		printf("  CPU:       %s %% of a core\n", get(reply, "cpu_percent", a, sizeof(a)));
		if (strcmp(get(reply, "speaker", a, sizeof(a)), "yes") == 0)
			print_speaker(reply);
		return CLI_EXIT_OK;
	}
	printf("%s: running (pid %s), %s\n", get(reply, "description", a, sizeof(a)),
	       get(reply, "pid", b, sizeof(b)),
	       strcmp(get(reply, "recording", c, sizeof(c)), "yes") == 0 ?
		       "recording" : "idle (nobody records from it)");
	if (strcmp(get(reply, "connected", a, sizeof(a)), "yes") != 0)
		printf("  PipeWire:  not connected (waiting for the daemon)\n");
	if (strcmp(get(reply, "input_missing", a, sizeof(a)), "yes") == 0)
		printf("  input:     %s not found: waiting for it, the source is silent until then "
		       "('pactl list sources short' lists the devices)\n",
		       get(reply, "input_wanted", b, sizeof(b)));
	else
		printf("  input:     %s%s%s\n", get(reply, "input", a, sizeof(a)),
		       strcmp(get(reply, "input_active", b, sizeof(b)), "yes") == 0 ? " (active)" : "",
		       strcmp(get(reply, "input_follows_default", c, sizeof(c)), "yes") == 0 ?
			       ", following the default source" : "");
	printf("  graph:     %s Hz, quantum %s, mode %s\n", get(reply, "rate", a, sizeof(a)),
	       get(reply, "quantum", b, sizeof(b)), get(reply, "mode", c, sizeof(c)));
	printf("  latency:   %s ms added (%s samples)\n", get(reply, "latency_ms", a, sizeof(a)),
	       get(reply, "latency_samples", b, sizeof(b)));
	printf("  CPU:       %s %% of a core (audio callback load %s %%)\n",
	       get(reply, "cpu_percent", a, sizeof(a)), get(reply, "dsp_load_percent", b, sizeof(b)));
	printf("  glitches:  %s xruns (%s ms of audio lost, the longest %s ms), %s late model "
	       "frames, breaker %s\n", get(reply, "xruns", a, sizeof(a)),
	       get(reply, "xrun_lost_ms", b, sizeof(b)), get(reply, "xrun_max_ms", c, sizeof(c)),
	       get(reply, "misses", d, sizeof(d)), get(reply, "breaker", e, sizeof(e)));
	printf("  strength:  %s, denoising %s\n", get(reply, "strength", a, sizeof(a)),
	       strcmp(get(reply, "enabled", d, sizeof(d)), "yes") == 0 ? "enabled" :
										"disabled (bypass)");
	if (strcmp(get(reply, "speaker", a, sizeof(a)), "yes") == 0)
		print_speaker(reply);
	return CLI_EXIT_OK;
}

int cmd_set(int argc, char **argv)
{
	static const char *const numbers[] = { "strength", "speaker.strength" };
	static const char *const names[] = { "input", "speaker.output" };
	char reply[CONTROL_MAX_REPLY + 1], req[CONTROL_MAX_REQUEST], value[256];
	struct settings_change ch = { 0 };
	bool number = false, name = false;
	long strength;
	bool offline;
	int res;

	if (wants_help(argc, argv)) {
		fputs("usage: vocana set strength N | speaker.strength N | input NAME|default |\n"
		      "                  speaker.output NAME|default\n\n"
		      "Set the suppression strength of the service's microphone or speaker: 0\n"
		      "leaves the sound unchanged, 100 removes all the noise the model finds; or the\n"
		      "device it uses (a node.name, or default: follow the default source or sink).\n"
		      "Saved for the next start; when the service is not running, only saved (it uses\n"
		      "it when it starts).\n", stdout);
		return CLI_EXIT_OK;
	}
	if (argc != 3)
		return cli_usage_error("set", "expected 'set SETTING VALUE'");
	for (size_t i = 0; i < 2; i++) {
		number = number || strcmp(argv[1], numbers[i]) == 0;
		name = name || strcmp(argv[1], names[i]) == 0;
	}
	if (!number && !name)
		return cli_usage_error("set", "unknown setting '%s' (settable: strength, "
				       "speaker.strength, input, speaker.output)", argv[1]);
	if (number && cli_parse_int(argv[2], 0, 100, &strength) < 0)
		return cli_usage_error("set", "%s must be a whole number from 0 to 100, not '%s'",
				       argv[1], argv[2]);
	if (number)
		snprintf(req, sizeof(req), "set %s %ld", argv[1], strength);
	else if (snprintf(req, sizeof(req), "set %s %s", argv[1], argv[2]) >= (int)sizeof(req))
		return cli_usage_error("set", "the node name is too long");
	if (strcmp(argv[1], "strength") == 0) {
		ch.set_strength = true;
		ch.strength = (int)strength;
	} else if (strcmp(argv[1], "speaker.strength") == 0) {
		ch.set_speaker_strength = true;
		ch.speaker_strength = (int)strength;
	} else if (strcmp(argv[1], "input") == 0) {
		ch.input = argv[2];
	} else {
		ch.speaker_output = argv[2];
	}
	if ((res = apply_change(req, &ch, reply, sizeof(reply), &offline)) != CLI_EXIT_OK)
		return res;
	if (offline) {
		if (number)
			printf("%s: %ld\n", argv[1], strength);
		else
			printf("%s: %s\n", argv[1], argv[2]);
		return CLI_EXIT_OK;
	}
	printf("%s: %s\n", argv[1], get(reply, argv[1], value, sizeof(value)));
	warn_unsaved(reply);
	return CLI_EXIT_OK;
}

static int enable_or_disable(int argc, char **argv, bool enable)
{
	char reply[CONTROL_MAX_REPLY + 1], req[64];
	const char *what = argc == 2 ? argv[1] : NULL;
	struct settings_change ch = { 0 };
	bool offline;
	int res;

	if (wants_help(argc, argv)) {
		printf("usage: vocana %s [mic|speaker]\n\n%s\n", argv[0],
		       enable ? "Turn denoising back on in the running service's microphone (saved).\n"
				"With mic or speaker: publish the Vocana Microphone or the Vocana Speaker\n"
				"again, or for the first time (saved)." :
				"Pass the microphone through undenoised (bypass, with a short crossfade;\n"
				"the source stays, apps keep recording). Saved for the next start.\n"
				"With mic or speaker: remove the Vocana Microphone or the Vocana Speaker\n"
				"(apps that used it move to another device; saved).");
		return CLI_EXIT_OK;
	}
	if (argc > 2 || (what && strcmp(what, "mic") != 0 && strcmp(what, "speaker") != 0))
		return cli_usage_error(argv[0], "expected '%s [mic|speaker]'", argv[0]);
	snprintf(req, sizeof(req), "%s%s%s", enable ? "enable" : "disable", what ? " " : "",
		 what ? what : "");
	if (what == NULL) {
		ch.set_enabled = true;
		ch.enabled = enable;
	} else if (strcmp(what, "mic") == 0) {
		ch.set_mic = true;
		ch.mic = enable;
	} else {
		ch.set_speaker = true;
		ch.speaker = enable;
	}
	if ((res = apply_change(req, &ch, reply, sizeof(reply), &offline)) != CLI_EXIT_OK)
		return res;
	if (what)
		printf("%s %s\n", strcmp(what, "mic") == 0 ? "Vocana Microphone" : "Vocana Speaker",
		       enable ? "on" : "off");
	else
		printf("denoising %s\n", enable ? "enabled" : "disabled (bypass)");
	if (!offline)
		warn_unsaved(reply);
	return CLI_EXIT_OK;
}

int cmd_enable(int argc, char **argv)
{
	return enable_or_disable(argc, argv, true);
}

int cmd_disable(int argc, char **argv)
{
	return enable_or_disable(argc, argv, false);
}

/* ---- install-service ------------------------------------------------------------------------ */

/* Run argv (no shell); returns its exit status, or -errno if it could not start. */
static int run_program(char *const argv[])
{
	pid_t pid;
	int status, res;

	res = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (res != 0)
		return -res;
	if ((res = sysio_waitpid(pid, &status)) < 0)
		return res;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A user manager listens on $XDG_RUNTIME_DIR/systemd/private while it runs. */
static bool user_manager_running(void)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	char path[4096];
	struct stat st;

	if (run == NULL || run[0] != '/')
		return false;
	snprintf(path, sizeof(path), "%s/systemd/private", run);
	return stat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* The program the unit runs: this one when it is installed; from a build tree (which may be
 * rebuilt or deleted under the running service) the installed one, or this one with --build-tree.
 * Prints the one-line error itself and returns CLI_EXIT_FAILURE when there is none. */
static int choose_program(bool build_tree_ok, char *exe, size_t size)
{
	char self[PATH_MAX];
	int res;

	if ((res = install_self_exe(self, sizeof(self))) < 0) {
		cli_error("cannot find this program's path: %s", cli_strerror(res));
		return CLI_EXIT_FAILURE;
	}
	if (!install_in_build_tree(self) || build_tree_ok) {
		snprintf(exe, size, "%s", self);
		return CLI_EXIT_OK;
	}
	if (install_find_program(exe, size) == 0) {
		fprintf(stderr, "vocana install-service: this vocana runs from a build tree: the unit "
			"runs the installed %s instead (--build-tree: this one)\n", exe);
		return CLI_EXIT_OK;
	}
	cli_error("this vocana runs from a build tree (%s), which may be rebuilt or deleted under the "
		  "service, and no installed vocana was found: install it ('meson install', or the "
		  "Debian package) and run the installed 'vocana install-service', or pass "
		  "--build-tree to use this program anyway", self);
	return CLI_EXIT_FAILURE;
}

int cmd_install_service(int argc, char **argv)
{
	static char *const reload[] = { "systemctl", "--user", "daemon-reload", NULL };
	static char *const enable[] = { "systemctl", "--user", "enable", "--now",
					UNIT_FILE_NAME, NULL };
	char exe[PATH_MAX], dir[4096], text[8192];
	bool no_enable = false, print_only = false, build_tree_ok = false;
	int len, res;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs("usage: vocana install-service [--no-enable] [--print] [--build-tree]\n\n"
			      "Write the systemd user unit " UNIT_FILE_NAME " (running 'vocana mic' from\n"
			      "the installed vocana) to ~/.config/systemd/user/, then enable and start it\n"
			      "when a systemd user manager runs. No root needed. Run from a build tree, it\n"
			      "uses the installed vocana, or refuses if there is none: the build tree may be\n"
			      "rebuilt or deleted under the running service.\n"
			      "  --no-enable   only write the unit\n"
			      "  --print       print the unit instead of writing it\n"
			      "  --build-tree  run this build tree's vocana (for development)\n", stdout);
			return CLI_EXIT_OK;
		} else if (strcmp(argv[i], "--no-enable") == 0) {
			no_enable = true;
		} else if (strcmp(argv[i], "--print") == 0) {
			print_only = true;
		} else if (strcmp(argv[i], "--build-tree") == 0) {
			build_tree_ok = true;
		} else {
			return cli_usage_error("install-service", "unknown option '%s'", argv[i]);
		}
	}
	if ((res = choose_program(build_tree_ok, exe, sizeof(exe))) != CLI_EXIT_OK)
		return res;
	if ((len = unit_render(exe, text, sizeof(text))) < 0) {
		cli_error("cannot write a unit for '%s': %s", exe, cli_strerror(len));
		return CLI_EXIT_FAILURE;
	}
	if (print_only) {
		fwrite(text, 1, (size_t)len, stdout);
		return CLI_EXIT_OK;
	}
	if ((res = paths_user_unit_dir(dir, sizeof(dir))) < 0 ||
	    (res = unit_install(dir, text, (size_t)len)) < 0) {
		cli_error("cannot install %s/%s: %s", dir, UNIT_FILE_NAME,
			  res == -ENOENT ? "HOME is not set" : cli_strerror(res));
		return CLI_EXIT_FAILURE;
	}
	printf("installed %s/%s (ExecStart=%s mic)\n", dir, UNIT_FILE_NAME, exe);
	if (no_enable) {
		printf("start it with: systemctl --user daemon-reload && "
		       "systemctl --user enable --now vocana\n");
		return CLI_EXIT_OK;
	}
	if (!user_manager_running()) {
		printf("no systemd user manager is running in this session, so it was not started.\n"
		       "In a desktop session run: systemctl --user daemon-reload && "
		       "systemctl --user enable --now vocana\n");
		return CLI_EXIT_OK;
	}
	res = run_program(reload);
	if (res == 0)
		res = run_program(enable);
	if (res == -ENOENT) {
		printf("systemctl is not installed: run 'vocana mic' from your session's autostart "
		       "instead\n");
		return CLI_EXIT_OK;
	}
	if (res != 0) {
		cli_error("'systemctl --user enable --now vocana' failed (%s); see "
			  "'systemctl --user status vocana'",
			  res < 0 ? cli_strerror(res) : "non-zero exit status");
		return CLI_EXIT_FAILURE;
	}
	printf("enabled and started: 'vocana status' shows it, "
	       "'systemctl --user disable --now vocana' removes it\n");
	return CLI_EXIT_OK;
}
