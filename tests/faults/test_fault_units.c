/* SPDX-License-Identifier: MIT */
/*
 * The pieces behind the service's fault promises (docs/reliability.md), one regression function
 * per item of issue #13, without a running service:
 *   item 1  the control server (sock_server.h under control.h) on a poll loop in its own thread:
 *           silent clients, a full table, over-long and unterminated requests, slow readers;
 *   item 4  a FIFO as the settings file is refused at once (an alarm fails the test if it waits);
 *   item 5  one bad line keeps the others; a saved value always reads back;
 *   item 6  a symlinked settings file (absolute, relative, chained) and directory: written through;
 *   item 7  numbers: range-checked, never wrapped.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "control_thread.h"
#include "service/config.h"
#include "service/number.h"
#include "test_util.h"

static char tmpdir[256];

static const char *in_tmp(const char *name)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmpdir, name);
	return buf[i];
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* ---- item 7: numbers ----------------------------------------------------------------------- */

static void test_numbers(void)
{
	static const char *bad[] = { "", "-", "+5", " 5", "5 ", "5x", "0x10", "1e3", "50.0" };
	long v = -1;

	CHECK(number_parse("50", 0, 100, &v) == 0 && v == 50);
	CHECK(number_parse("0", 0, 100, &v) == 0 && v == 0);
	CHECK(number_parse("-0", 0, 100, &v) == 0 && v == 0);
	CHECK(number_parse("007", 0, 100, &v) == 0 && v == 7);
	CHECK(number_parse("-5", -10, 10, &v) == 0 && v == -5);
	/* The wrap of issue #13: 4294967346 = 2^32 + 50 was taken as 50. */
	CHECK(number_parse("4294967346", 0, 100, &v) == -ERANGE);
	CHECK(number_parse("2147483698", 0, 100, &v) == -ERANGE);
	CHECK(number_parse("-4294967246", 0, 100, &v) == -ERANGE);
	CHECK(number_parse("101", 0, 100, &v) == -ERANGE);
	CHECK(number_parse("99999999999999999999999", 0, 100, &v) == -ERANGE);
	CHECK(number_parse("99999999999999999999999x", 0, 100, &v) == -EINVAL);
	CHECK(number_parse("9223372036854775807", LONG_MIN, LONG_MAX, &v) == 0 && v == LONG_MAX);
	CHECK(number_parse("9223372036854775808", LONG_MIN, LONG_MAX, &v) == -ERANGE);
	CHECK(number_parse("-9223372036854775808", LONG_MIN, LONG_MAX, &v) == 0 && v == LONG_MIN);
	CHECK(number_parse("-9223372036854775809", LONG_MIN, LONG_MAX, &v) == -ERANGE);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_MSG(number_parse(bad[i], -1000, 1000, &v) == -EINVAL, "accepted '%s'", bad[i]);
}

/* ---- items 4, 5, 6: the settings file ------------------------------------------------------- */

static void on_alarm(int sig)
{
	static const char msg[] = "FAIL: reading a FIFO settings file waited (still blocked after 5 s)\n";

	(void)sig;
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	_exit(1);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
}

static void test_fifo_settings(void)
{
	struct service_config c;
	char err[256], msg[512];

	CHECK(mkfifo(in_tmp("fifo.conf"), 0600) == 0);
	signal(SIGALRM, on_alarm);
	alarm(5);
	service_config_defaults(&c);
	CHECK(service_config_load(in_tmp("fifo.conf"), &c, err, sizeof(err)) == -EINVAL);
	CHECK_MSG(strstr(err, "not a regular file") != NULL, "err: %s", err);
	CHECK(c.strength == 100 && c.enabled);
	c.strength = 30;
	CHECK(service_config_store(in_tmp("fifo.conf"), &c, msg, sizeof(msg)) == -EINVAL);
	CHECK_MSG(strstr(msg, "left alone") != NULL, "msg: %s", msg);
	alarm(0);
	{
		struct stat st;

		CHECK(lstat(in_tmp("fifo.conf"), &st) == 0 && S_ISFIFO(st.st_mode)); /* not replaced */
	}
}

static void test_bad_lines(void)
{
	struct service_config c, back;
	char err[256], msg[512], text[4096];
	char *long_line = malloc(2048);

	/* One bad value and one line without '=': both skipped, both counted, the rest applies. */
	service_config_defaults(&c);
	{
		static const char text2[] = "strength 70\nstrength = 30\nenabled = maybe\ninput = mic1\n";

		CHECK(service_config_parse(text2, strlen(text2), &c, err, sizeof(err)) == -EINVAL);
	}
	CHECK(c.strength == 30 && c.enabled && strcmp(c.input, "mic1") == 0);
	CHECK_MSG(strncmp(err, "line 1:", 7) == 0 && strstr(err, "(and 1 more bad line)") != NULL,
		  "err: %s", err);

	/* 'vocana set' on that file: the save warns about the bad lines and reads back as saved. */
	write_text(in_tmp("bad.conf"), "# mine\nstrength 70\nstrength = 30\nenabled = maybe\n");
	c.strength = 60;
	c.enabled = false;
	c.input[0] = '\0';
	CHECK(service_config_store(in_tmp("bad.conf"), &c, msg, sizeof(msg)) == 0);
	CHECK_MSG(strstr(msg, "line 2") != NULL && strstr(msg, "ignored") != NULL, "msg: %s", msg);
	service_config_defaults(&back);
	(void)service_config_load(in_tmp("bad.conf"), &back, err, sizeof(err));
	CHECK_MSG(back.strength == 60 && !back.enabled, "read back %d %d", back.strength, back.enabled);
	read_text(in_tmp("bad.conf"), text, sizeof(text));
	CHECK(strstr(text, "# mine\n") != NULL && strstr(text, "strength 70\n") != NULL);

	/* A 'strength' line too long to read: the merge cannot repair it, so the value is appended
	 * again, and the file still reads back as saved (before: silently the default). */
	if (long_line) {
		memset(long_line, ' ', 2047);
		memcpy(long_line, "strength", 8);
		memcpy(long_line + 2040, "= 5\n", 5);
		write_text(in_tmp("long.conf"), long_line);
		c.strength = 42;
		c.enabled = true;
		CHECK(service_config_store(in_tmp("long.conf"), &c, msg, sizeof(msg)) == 0);
		service_config_defaults(&back);
		(void)service_config_load(in_tmp("long.conf"), &back, err, sizeof(err));
		CHECK_MSG(back.strength == 42, "read back strength %d", back.strength);
		free(long_line);
	}
}

static void check_through_link(const char *what, const char *link, const char *target)
{
	struct service_config c, back;
	char err[256], msg[512], text[2048];
	struct stat st;

	service_config_defaults(&c);
	c.strength = 23;
	CHECK_MSG(service_config_store(link, &c, msg, sizeof(msg)) == 0, "%s: %s", what, msg);
	CHECK_MSG(lstat(link, &st) == 0 && S_ISLNK(st.st_mode), "%s: the link was replaced", what);
	read_text(target, text, sizeof(text));
	CHECK_MSG(strstr(text, "strength = 23\n") != NULL && strstr(text, "# keep\n") != NULL,
		  "%s: target holds: %s", what, text);
	service_config_defaults(&back);
	CHECK(service_config_load(link, &back, err, sizeof(err)) == 0 && back.strength == 23);
}

static void test_symlinks(void)
{
	char dir[512], link_dir[512];

	mkdir(in_tmp("dotfiles"), 0700);
	write_text(in_tmp("dotfiles/a.conf"), "# keep\nstrength = 1\n");
	CHECK(symlink(in_tmp("dotfiles/a.conf"), in_tmp("abs.conf")) == 0);
	check_through_link("absolute link", in_tmp("abs.conf"), in_tmp("dotfiles/a.conf"));

	write_text(in_tmp("dotfiles/b.conf"), "# keep\nstrength = 1\n");
	CHECK(symlink("dotfiles/b.conf", in_tmp("rel.conf")) == 0);
	check_through_link("relative link", in_tmp("rel.conf"), in_tmp("dotfiles/b.conf"));

	write_text(in_tmp("dotfiles/c.conf"), "# keep\nstrength = 1\n");
	CHECK(symlink("dotfiles/c.conf", in_tmp("hop.conf")) == 0);
	CHECK(symlink("hop.conf", in_tmp("chain.conf")) == 0);
	check_through_link("chained links", in_tmp("chain.conf"), in_tmp("dotfiles/c.conf"));

	/* ~/.config/vocana itself a link (GNU stow): the save used to fail with ENOTDIR. */
	snprintf(dir, sizeof(dir), "%s", in_tmp("stowed"));
	mkdir(dir, 0700);
	write_text(in_tmp("stowed/vocana.conf"), "# keep\nstrength = 1\n");
	snprintf(link_dir, sizeof(link_dir), "%s", in_tmp("vocana-dir"));
	CHECK(symlink(dir, link_dir) == 0);
	{
		struct service_config c;
		char msg[512], text[1024], path[600];

		service_config_defaults(&c);
		c.strength = 23;
		snprintf(path, sizeof(path), "%s/vocana.conf", link_dir);
		CHECK_MSG(service_config_store(path, &c, msg, sizeof(msg)) == 0, "linked dir: %s", msg);
		read_text(in_tmp("stowed/vocana.conf"), text, sizeof(text));
		CHECK_MSG(strstr(text, "strength = 23\n") != NULL, "linked dir: %s", text);
	}
}

/* ---- item 1: the control server -------------------------------------------------------------- */

static void echo_handler(void *data, const char *req, struct control_reply *r)
{
	if (strcmp(req, "ping") == 0)
		control_reply_add(r, "pong", "yes");
	else
		control_reply_error(r, "unknown request '%.40s'", req);
}

static int connect_to(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Everything the server sends until it closes (at most size - 1 bytes, 5 s). */
static size_t read_reply(int fd, char *buf, size_t size)
{
	size_t len = 0;
	double deadline = now_ms() + 5000;

	while (len + 1 < size && now_ms() < deadline) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 100) <= 0)
			continue;
		n = recv(fd, buf + len, size - 1 - len, 0);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

static void test_control_server(void)
{
	struct control_thread srv;
	int idle[CONTROL_MAX_CLIENTS + 4], fd;
	char reply[CONTROL_MAX_REPLY + 1], big[1000];
	const char *path = in_tmp("control.sock");
	double t0;

	CHECK(control_thread_start(&srv, path, echo_handler, NULL) == 0);

	/* More silent clients than the table holds: each newcomer evicts the oldest silent one, so
	 * a real request still gets through at once. */
	for (int i = 0; i < CONTROL_MAX_CLIENTS + 4; i++)
		idle[i] = connect_to(path);
	t0 = now_ms();
	CHECK(control_request(path, "ping", reply, sizeof(reply)) == 0);
	CHECK_MSG(strcmp(reply, "ok\npong=yes\n") == 0, "reply: %s", reply);
	CHECK_MSG(now_ms() - t0 < 500, "ping took %.0f ms with silent clients", now_ms() - t0);
	for (int i = 0; i < CONTROL_MAX_CLIENTS + 4; i++)
		if (idle[i] >= 0)
			close(idle[i]);

	/* Longer than the limit, with more coming: answered, not reset. */
	fd = connect_to(path);
	memset(big, 'x', sizeof(big));
	CHECK(send(fd, big, sizeof(big), MSG_NOSIGNAL) == (ssize_t)sizeof(big));
	read_reply(fd, reply, sizeof(reply));
	CHECK_MSG(strncmp(reply, "error: request longer than 256 bytes", 36) == 0, "reply: %s", reply);
	close(fd);

	/* No newline, then EOF on the client's side: served as it is. */
	fd = connect_to(path);
	CHECK(send(fd, "ping", 4, MSG_NOSIGNAL) == 4);
	shutdown(fd, SHUT_WR);
	read_reply(fd, reply, sizeof(reply));
	CHECK_MSG(strcmp(reply, "ok\npong=yes\n") == 0, "reply: %s", reply);
	close(fd);

	/* No newline and the client waits: answered at the timeout, not left hanging. */
	fd = connect_to(path);
	t0 = now_ms();
	CHECK(send(fd, "ping", 4, MSG_NOSIGNAL) == 4);
	read_reply(fd, reply, sizeof(reply));
	CHECK_MSG(strncmp(reply, "error: incomplete request", 25) == 0, "reply: %s", reply);
	CHECK_MSG(now_ms() - t0 >= CONTROL_TIMEOUT_MS - 50 && now_ms() - t0 < CONTROL_TIMEOUT_MS + 1500,
		  "answered after %.0f ms", now_ms() - t0);
	close(fd);

	control_thread_stop(&srv);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vocana-test-faults.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	RUN_TEST(test_numbers);
	RUN_TEST(test_fifo_settings);
	RUN_TEST(test_bad_lines);
	RUN_TEST(test_symlinks);
	RUN_TEST(test_control_server);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return test_finish();
}
