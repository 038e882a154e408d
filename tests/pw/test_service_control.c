/* SPDX-License-Identifier: MIT */
/*
 * The control socket (src/service/control.c): protocol, stale and busy sockets, and the
 * SO_PEERCRED check, which refuses a client running as another user (run as root, the test
 * forks a client that switches to uid 65534; otherwise that part is skipped with a note).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "control_thread.h"
#include "service/control.h"
#include "service/sock_loop_poll.h"
#include "test_util.h"

static char tmpdir[256], sock_path[300];
static struct sock_poll_loop *poll_loop;
static const struct sock_loop *loop;

static void handler(void *data, const char *req, struct control_reply *r)
{
	int *calls = data;

	(*calls)++;
	if (strcmp(req, "status") == 0) {
		control_reply_add(r, "running", "yes");
		control_reply_add(r, "input", "line\nbreak");
	} else if (strcmp(req, "big") == 0) {
		for (int i = 0; i < 1000; i++)
			control_reply_add(r, "k", "%0100d", i);
	} else {
		control_reply_add(r, "ignored", "x");
		control_reply_error(r, "unknown request '%s'", req);
	}
}

static void test_protocol(void)
{
	struct control_server *s2 = NULL;
	struct control_thread srv;
	char reply[CONTROL_MAX_REPLY + 1], value[64], req[400];
	struct stat st;
	int calls = 0;

	CHECK(control_thread_start(&srv, sock_path, handler, &calls) == 0);
	CHECK(stat(sock_path, &st) == 0 && S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600);
	/* A second server on a live socket is refused and leaves it alone. */
	CHECK(control_server_create(sock_path, loop, handler, &calls, &s2) == -EADDRINUSE);

	CHECK(control_request(sock_path, "status", reply, sizeof(reply)) == 0);
	CHECK(strncmp(reply, "ok\n", 3) == 0);
	CHECK(control_reply_get(reply, "running", value, sizeof(value)) == 0 &&
	      strcmp(value, "yes") == 0);
	/* A newline in a value must not start a fake line. */
	CHECK(control_reply_get(reply, "input", value, sizeof(value)) == 0 &&
	      strcmp(value, "line break") == 0);
	CHECK(control_reply_get(reply, "missing", value, sizeof(value)) == -ENOENT);

	CHECK(control_request(sock_path, "frobnicate", reply, sizeof(reply)) == 0);
	CHECK(strcmp(reply, "error: unknown request 'frobnicate'\n") == 0);

	/* A reply larger than the buffer keeps whole lines only. */
	CHECK(control_request(sock_path, "big", reply, sizeof(reply)) == 0);
	CHECK(strlen(reply) < CONTROL_MAX_REPLY && reply[strlen(reply) - 1] == '\n');

	/* Requests with a newline or longer than the limit are refused by the client... */
	CHECK(control_request(sock_path, "a\nb", reply, sizeof(reply)) == -EINVAL);
	memset(req, 'x', sizeof(req) - 1);
	req[sizeof(req) - 1] = '\0';
	CHECK(control_request(sock_path, req, reply, sizeof(reply)) == -EINVAL);
	CHECK(calls == 3);

	control_thread_stop(&srv);
	CHECK(access(sock_path, F_OK) != 0); /* removed */
	CHECK(control_request(sock_path, "status", reply, sizeof(reply)) == -ENOENT);
}

/* ...and by the server, if a raw client sends one anyway. */
static void test_raw_client(void)
{
	struct control_server *s = NULL;
	char big[600], reply[256];
	int calls = 0, fd;
	pid_t pid;

	CHECK(control_server_create(sock_path, loop, handler, &calls, &s) == 0);
	if (s == NULL)
		return;
	pid = fork();
	if (pid == 0) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		ssize_t n;

		strcpy(a.sun_path, sock_path);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			_exit(2);
		memset(big, 'y', sizeof(big));
		big[sizeof(big) - 1] = '\n';
		n = send(fd, big, sizeof(big), MSG_NOSIGNAL);
		n = recv(fd, reply, sizeof(reply) - 1, 0);
		reply[n > 0 ? n : 0] = '\0';
		_exit(strstr(reply, "error: request longer") ? 0 : 1);
	}
	{
		int status = -1;

		for (int i = 0; i < 250 && waitpid(pid, &status, WNOHANG) == 0; i++)
			sock_poll_loop_run_once(poll_loop, 20);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		CHECK(calls == 0);
	}
	control_server_destroy(s);
}

static void test_stale_socket(void)
{
	struct control_server *s = NULL;
	char other[320];
	int calls = 0;

	/* A socket file nobody listens on (a crashed service) is replaced. */
	{
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		strcpy(a.sun_path, sock_path);
		CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
		close(fd); /* the crash: the file stays, nobody listens */
	}
	CHECK(control_server_create(sock_path, loop, handler, &calls, &s) == 0);
	control_server_destroy(s);
	/* A regular file in the socket's place is never deleted. */
	snprintf(other, sizeof(other), "%s/not-a-socket", tmpdir);
	fclose(fopen(other, "w"));
	CHECK(control_server_create(other, loop, handler, &calls, &s) == -EEXIST);
	CHECK(access(other, F_OK) == 0);
}

static void test_peer_check_socketpair(void)
{
	int sv[2];

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(control_check_peer(sv[0], geteuid()) == 0);
	CHECK(control_check_peer(sv[0], geteuid() + 1) == -EPERM);
	close(sv[0]);
	close(sv[1]);
}

/* A client running as another user reaches the socket (the directory is opened up for this test
 * only) and must be refused by the credential check. */
static void test_foreign_uid(void)
{
	struct control_server *s = NULL;
	char dir[300], path[340];
	int calls = 0, status = -1;
	pid_t pid;

	if (geteuid() != 0) {
		fprintf(stderr, "test_foreign_uid: not root, cannot switch user: skipped\n");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/open", tmpdir);
	mkdir(dir, 0777);
	chmod(dir, 0777);
	chmod(tmpdir, 0755);
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	CHECK(control_server_create(path, loop, handler, &calls, &s) == 0);
	if (s == NULL)
		return;
	chmod(path, 0666); /* the real service never does this: only the SO_PEERCRED check remains */
	pid = fork();
	if (pid == 0) {
		char reply[256];

		if (setgid(65534) != 0 || setuid(65534) != 0)
			_exit(3);
		if (control_request(path, "status", reply, sizeof(reply)) != 0)
			_exit(4);
		_exit(strcmp(reply, "error: permission denied\n") == 0 ? 0 : 5);
	}
	for (int i = 0; i < 250 && waitpid(pid, &status, WNOHANG) == 0; i++)
		sock_poll_loop_run_once(poll_loop, 20);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	CHECK(calls == 0);
	CHECK(control_server_refused(s) == 1);
	control_server_destroy(s);
	chmod(tmpdir, 0700);
}

int main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vocana-test-control.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	snprintf(sock_path, sizeof(sock_path), "%s/control.sock", tmpdir);
	if (sock_poll_loop_create(&poll_loop, &loop) < 0)
		return 1;
	RUN_TEST(test_protocol);
	RUN_TEST(test_raw_client);
	RUN_TEST(test_stale_socket);
	RUN_TEST(test_peer_check_socketpair);
	RUN_TEST(test_foreign_uid);
	sock_poll_loop_destroy(poll_loop);
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return test_finish();
}
