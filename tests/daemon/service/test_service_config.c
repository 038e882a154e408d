/* SPDX-License-Identifier: MIT */
/* Settings file (src/daemon/service/config.c), XDG paths (paths.c) and the systemd unit (unit.c). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service/config.h"
#include "service/paths.h"
#include "service/unit.h"
#include "test_util.h"

static char tmpdir[256];

static int parse(const char *text, struct service_config *c, char *err)
{
	return service_config_parse(text, strlen(text), c, err, 128);
}

static void test_parse_good(void)
{
	struct service_config c;
	char err[128];

	service_config_defaults(&c);
	CHECK(c.strength == 100 && c.enabled);
	CHECK(parse("", &c, err) == 0);
	CHECK(c.strength == 100 && c.enabled);
	CHECK(parse("# only a comment\n\n   \n", &c, err) == 0);
	CHECK(parse("strength = 42\nenabled = false\n", &c, err) == 0);
	CHECK(c.strength == 42 && !c.enabled);
	CHECK(parse("  strength=7   # trailing comment\r\nenabled=on", &c, err) == 0);
	CHECK(c.strength == 7 && c.enabled);
	CHECK(parse("enabled = no\nstrength = 0\n", &c, err) == 0);
	CHECK(c.strength == 0 && !c.enabled);
	/* Unknown keys (from a newer version) are skipped, known ones still apply. */
	CHECK(parse("future_knob = 3\nstrength = 100\n", &c, err) == 0);
	CHECK(c.strength == 100);
}

static void test_parse_bad(void)
{
	static const char *bad[] = {
		"strength = 101\n", "strength = -1\n", "strength = 5x\n", "strength =\n",
		"strength = 1000000000000\n", "enabled = maybe\n", "just words\n",
	};
	struct service_config c;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		service_config_defaults(&c);
		CHECK_MSG(parse(bad[i], &c, err) == -EINVAL, "accepted '%s'", bad[i]);
		CHECK_MSG(strncmp(err, "line 1:", 7) == 0, "err '%s'", err);
	}
	/* Line 1 is fine, line 3 is not: line 1 still applies, line 3 changes nothing and is
	 * reported (issue #13 item 5; before, one bad line dropped the whole file). */
	service_config_defaults(&c);
	CHECK(parse("strength = 5\n\nenabled = perhaps\n", &c, err) == -EINVAL);
	CHECK(strncmp(err, "line 3:", 7) == 0);
	CHECK(c.strength == 5 && c.enabled);
	/* NUL bytes and over-long lines. */
	{
		char with_nul[] = "strength = 5\0\n";
		char *long_line = malloc(2000);

		CHECK(service_config_parse(with_nul, sizeof(with_nul) - 1, &c, err, sizeof(err)) ==
		      -EINVAL);
		memset(long_line, ' ', 1999);
		long_line[1999] = '\0';
		CHECK(parse(long_line, &c, err) == -EINVAL);
		free(long_line);
	}
}

/* Random bytes and random mutations of a valid file: never a crash, never a value out of range. */
static void test_parse_random(void)
{
	static const char alphabet[] = "strengthenabled=#\n\r\t 0123456789truefalse\0xyz";
	unsigned seed = 20240601u;
	char buf[256], err[128];

	fprintf(stderr, "test_parse_random: seed %u\n", seed);
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = test_rand(&seed) % sizeof(buf);
		struct service_config c;

		for (size_t i = 0; i < n; i++)
			buf[i] = alphabet[test_rand(&seed) % (sizeof(alphabet) - 1)];
		service_config_defaults(&c);
		int res = service_config_parse(buf, n, &c, err, sizeof(err));
		CHECK(res == 0 || res == -EINVAL);
		CHECK(c.strength >= 0 && c.strength <= 100);
	}
}

static size_t count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* The defaults with these two values: what the service saves after 'set' or 'disable'. */
static struct service_config config_with(int strength, bool enabled)
{
	struct service_config c;

	service_config_defaults(&c);
	c.strength = strength;
	c.enabled = enabled;
	return c;
}

static void test_save_load(void)
{
	struct service_config c = config_with(33, false), d;
	char path[600], dir[512], err[128];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/cfg/vocana", tmpdir);
	snprintf(path, sizeof(path), "%s/vocana.conf", dir);
	service_config_defaults(&d);
	CHECK(service_config_load(path, &d, err, sizeof(err)) == -ENOENT);
	CHECK(d.strength == 100);
	CHECK(service_config_save(path, &c) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(service_config_load(path, &d, err, sizeof(err)) == 0);
	CHECK(d.strength == 33 && !d.enabled);
	/* Overwrite: still one file, no temp files left next to it. */
	c.strength = 90;
	c.enabled = true;
	CHECK(service_config_save(path, &c) == 0);
	CHECK(service_config_load(path, &d, err, sizeof(err)) == 0);
	CHECK(d.strength == 90 && d.enabled);
	CHECK(count_files(dir) == 1);
	/* A directory is not a settings file. */
	CHECK(service_config_load(dir, &d, err, sizeof(err)) < 0);
}

static int read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return -1;
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (int)n;
}

/* 'vocana set strength N' rewrites only the settings: the user's comments, performance targets and
 * unknown keys stay, byte for byte. */
static void test_save_keeps_other_lines(void)
{
	static const char user_file[] =
		"# my microphone\n"
		"target.added_latency_ms = 20   # relaxed\n"
		"strength = 80 # was 80\n"
		"\n"
		"future_knob = 7\n"
		"alert.memory_mb = 64\n"
		"enabled=true";  /* no final newline */
	static const char expected[] =
		"# my microphone\n"
		"target.added_latency_ms = 20   # relaxed\n"
		"strength = 5 # was 80\n"
		"\n"
		"future_knob = 7\n"
		"alert.memory_mb = 64\n"
		"enabled=false";
	struct service_config c = config_with(5, false), d;
	char path[600], dir[512], text[1024], err[128];
	struct stat st;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s/keep", tmpdir);
	snprintf(path, sizeof(path), "%s/vocana.conf", dir);
	CHECK(mkdir(dir, 0700) == 0);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(user_file, f);
		fclose(f);
	}
	CHECK(service_config_save(path, &c) == 0);
	CHECK(read_text(path, text, sizeof(text)) > 0);
	CHECK_MSG(strcmp(text, expected) == 0, "saved:\n%s", text);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	service_config_defaults(&d);
	CHECK(service_config_load(path, &d, err, sizeof(err)) == 0 && d.strength == 5 && !d.enabled);

	/* Missing settings are appended (after a newline the file lacked); duplicates all follow. */
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("strength = 1\nstrength = 2\n# end", f);
		fclose(f);
	}
	c.strength = 100;
	c.enabled = true;
	CHECK(service_config_save(path, &c) == 0);
	CHECK(read_text(path, text, sizeof(text)) > 0);
	CHECK_MSG(strcmp(text, "strength = 100\nstrength = 100\n# end\nenabled = true\n") == 0,
		  "saved:\n%s", text);
	CHECK(count_files(dir) == 1);

	/* A file we cannot read as settings is never replaced. */
	CHECK(service_config_save(dir, &c) < 0);
}

/* The input device ('set input' over the socket, the app's device picker). */
static void test_input(void)
{
	struct service_config c, d;
	char err[128], text[1024], path[600], long_name[300];
	FILE *f;
	int n;

	service_config_defaults(&c);
	CHECK(c.input[0] == '\0');
	CHECK(parse("input = alsa_input.usb-Mic-00.mono # my USB mic\n", &c, err) == 0);
	CHECK(strcmp(c.input, "alsa_input.usb-Mic-00.mono") == 0);
	CHECK(parse("input = default\n", &c, err) == 0);
	CHECK(c.input[0] == '\0');
	CHECK(parse("input = two words\n", &c, err) == -EINVAL);
	CHECK(parse("input =\n", &c, err) == -EINVAL);
	memset(long_name, 'x', 256);
	long_name[256] = '\0';
	snprintf(text, sizeof(text), "input = %s\n", long_name);
	CHECK(parse(text, &c, err) == -EINVAL);
	long_name[255] = '\0';
	snprintf(text, sizeof(text), "input = %s\n", long_name);
	CHECK(parse(text, &c, err) == 0 && strlen(c.input) == 255);

	/* A fresh file has the line only when an input is chosen; it loads back. */
	service_config_defaults(&c);
	CHECK((n = service_config_format(&c, text, sizeof(text))) > 0 && strstr(text, "input =") == NULL);
	memcpy(c.input, long_name, 256); /* 255 bytes and the NUL */
	CHECK((n = service_config_format(&c, text, sizeof(text))) > 0 && strstr(text, long_name));
	snprintf(path, sizeof(path), "%s/input.conf", tmpdir);
	CHECK(service_config_save(path, &c) == 0);
	service_config_defaults(&d);
	CHECK(service_config_load(path, &d, err, sizeof(err)) == 0 && strcmp(d.input, long_name) == 0);

	/* Saving replaces the value in place, keeps the comment, and "default" when none. */
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("input = old_mic # chosen in the app\nstrength = 3\nenabled = true\n", f);
		fclose(f);
	}
	service_config_defaults(&c);
	c.strength = 3;
	memcpy(c.input, long_name, 256); /* 255 bytes and the NUL */
	CHECK(service_config_save(path, &c) == 0);
	CHECK(read_text(path, text, sizeof(text)) > 0);
	CHECK(strncmp(text, "input = xxx", 11) == 0 && strstr(text, "x # chosen in the app\n"));
	c.input[0] = '\0';
	CHECK(service_config_save(path, &c) == 0);
	CHECK(read_text(path, text, sizeof(text)) > 0);
	CHECK_MSG(strcmp(text, "input = default # chosen in the app\nstrength = 3\nenabled = true\n")
		  == 0, "saved:\n%s", text);
	/* A file without the line gets it appended once an input is chosen. */
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("strength = 3\nenabled = true", f);
		fclose(f);
	}
	snprintf(c.input, sizeof(c.input), "usb_mic");
	CHECK(service_config_save(path, &c) == 0);
	CHECK(read_text(path, text, sizeof(text)) > 0);
	CHECK_MSG(strcmp(text, "strength = 3\nenabled = true\ninput = usb_mic\n") == 0, "saved:\n%s",
		  text);
	unlink(path);
}

/* The speaker's settings: parsed, bad values refused, and a mic-only file gets no line of them
 * until the speaker has been turned on; 'mic = off' only once the mic is turned off. */
static void test_speaker(void)
{
	struct service_config c, d;
	char text[1024], path[600], err[128];
	FILE *f;

	service_config_defaults(&c);
	CHECK(c.mic && !c.speaker && c.speaker_strength == 100 && c.speaker_output[0] == '\0');
	CHECK(parse("speaker = on\nspeaker.strength = 60\nspeaker.output = alsa_output.x\n"
		    "mic = off\n", &c, err) == 0);
	CHECK(c.speaker && c.speaker_strength == 60 && strcmp(c.speaker_output, "alsa_output.x") == 0 &&
	      !c.mic);
	CHECK(parse("speaker.output = default\n", &c, err) == 0 && c.speaker_output[0] == '\0');
	CHECK(parse("speaker = maybe\n", &c, err) == -EINVAL && strstr(err, "speaker"));
	CHECK(parse("speaker.strength = 101\n", &c, err) == -EINVAL && strstr(err, "speaker.strength"));
	CHECK(parse("speaker.output = two words\n", &c, err) == -EINVAL);

	snprintf(path, sizeof(path), "%s/speaker.conf", tmpdir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("# mine\nstrength = 3\nenabled = true\n", f);
		fclose(f);
	}
	c = config_with(3, true);
	CHECK(service_config_save(path, &c) == 0);
	CHECK(read_text(path, text, sizeof(text)) > 0);
	CHECK_MSG(strcmp(text, "# mine\nstrength = 3\nenabled = true\n") == 0, "saved:\n%s", text);
	c.speaker = true;
	c.speaker_strength = 60;
	snprintf(c.speaker_output, sizeof(c.speaker_output), "hdmi");
	CHECK(service_config_save(path, &c) == 0);
	CHECK(read_text(path, text, sizeof(text)) > 0);
	CHECK_MSG(strcmp(text, "# mine\nstrength = 3\nenabled = true\nspeaker = on\n"
			       "speaker.strength = 60\nspeaker.output = hdmi\n") == 0, "saved:\n%s", text);
	/* Off again: the lines stay, with the new values; the mic off is appended. */
	c.speaker = false;
	c.mic = false;
	CHECK(service_config_save(path, &c) == 0);
	CHECK(read_text(path, text, sizeof(text)) > 0);
	CHECK_MSG(strcmp(text, "# mine\nstrength = 3\nenabled = true\nspeaker = off\n"
			       "speaker.strength = 60\nspeaker.output = hdmi\nmic = off\n") == 0,
		  "saved:\n%s", text);
	service_config_defaults(&d);
	CHECK(service_config_load(path, &d, err, sizeof(err)) == 0 && !d.speaker && !d.mic &&
	      d.speaker_strength == 60 && strcmp(d.speaker_output, "hdmi") == 0);
	unlink(path);
}

static void test_paths(void)
{
	char buf[512];

	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	CHECK(paths_control_socket(buf, sizeof(buf)) == 0);
	CHECK(strcmp(buf, "/run/user/1000/vocana/control.sock") == 0);
	CHECK(paths_control_socket(buf, 10) == -ENAMETOOLONG);
	setenv("XDG_RUNTIME_DIR", "relative/dir", 1);
	CHECK(paths_runtime_dir(buf, sizeof(buf)) == -ENOENT);
	unsetenv("XDG_RUNTIME_DIR");
	CHECK(paths_control_socket(buf, sizeof(buf)) == -ENOENT);

	setenv("XDG_CONFIG_HOME", "/cfg", 1);
	CHECK(paths_config_file(buf, sizeof(buf)) == 0 && strcmp(buf, "/cfg/vocana/vocana.conf") == 0);
	CHECK(paths_user_unit_dir(buf, sizeof(buf)) == 0 && strcmp(buf, "/cfg/systemd/user") == 0);
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/home/u", 1);
	CHECK(paths_config_file(buf, sizeof(buf)) == 0 &&
	      strcmp(buf, "/home/u/.config/vocana/vocana.conf") == 0);
	unsetenv("HOME");
	CHECK(paths_config_file(buf, sizeof(buf)) == -ENOENT);

	CHECK(paths_dirname("/a/b/c.sock", buf, sizeof(buf)) == 0 && strcmp(buf, "/a/b") == 0);
	CHECK(paths_dirname("/c.sock", buf, sizeof(buf)) == 0 && strcmp(buf, "/") == 0);
	CHECK(paths_dirname("c.sock", buf, sizeof(buf)) == 0 && strcmp(buf, ".") == 0);
}

static void test_make_dir(void)
{
	char dir[512], file[600];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/run/a/vocana", tmpdir);
	CHECK(paths_make_dir(dir, 1) == 0);
	CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
	chmod(dir, 0755);
	CHECK(paths_make_dir(dir, 1) == 0); /* exists: mode forced back */
	CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
	/* A file or a symlink where the directory should be is refused. */
	snprintf(file, sizeof(file), "%s/run/file", tmpdir);
	fclose(fopen(file, "w"));
	CHECK(paths_make_dir(file, 1) == -ENOTDIR);
	snprintf(file, sizeof(file), "%s/run/link", tmpdir);
	CHECK(symlink(dir, file) == 0);
	CHECK(paths_make_dir(file, 1) == -ENOTDIR);
}

static void test_unit(void)
{
	char text[8192], dir[512], path[600], back[8192];
	int n;
	FILE *f;

	n = unit_render("/usr/bin/vocana", text, sizeof(text));
	CHECK(n > 0);
	CHECK(strstr(text, "\nExecStart=\"/usr/bin/vocana\" mic\n") != NULL);
	CHECK(strstr(text, "%h/.local/bin") == NULL);
	CHECK(strstr(text, "Restart=on-failure") != NULL);
	CHECK(strstr(text, "[Install]") != NULL);
	/* Quoting: spaces stay inside the quotes, '%' is doubled, '"' and '\' escaped. */
	n = unit_render("/opt/my apps/50%/\"v\\", text, sizeof(text));
	CHECK(n > 0 && strstr(text, "ExecStart=\"/opt/my apps/50%%/\\\"v\\\\\" mic\n") != NULL);
	CHECK(unit_render("vocana", text, sizeof(text)) == -EINVAL);
	CHECK(unit_render("/bin/a\nb", text, sizeof(text)) == -EINVAL);
	CHECK(unit_render("/usr/bin/vocana", text, 64) == -ENOSPC);

	n = unit_render("/usr/bin/vocana", text, sizeof(text));
	snprintf(dir, sizeof(dir), "%s/home/.config/systemd/user", tmpdir);
	CHECK(unit_install(dir, text, (size_t)n) == 0);
	snprintf(path, sizeof(path), "%s/%s", dir, UNIT_FILE_NAME);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (f) {
		size_t got = fread(back, 1, sizeof(back) - 1, f);

		back[got] = '\0';
		fclose(f);
		CHECK(got == (size_t)n && strcmp(back, text) == 0);
	}
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vocana-test-config.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	RUN_TEST(test_parse_good);
	RUN_TEST(test_parse_bad);
	RUN_TEST(test_parse_random);
	RUN_TEST(test_save_load);
	RUN_TEST(test_save_keeps_other_lines);
	RUN_TEST(test_input);
	RUN_TEST(test_speaker);
	RUN_TEST(test_paths);
	RUN_TEST(test_make_dir);
	RUN_TEST(test_unit);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return test_finish();
}
