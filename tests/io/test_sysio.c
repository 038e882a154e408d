/* SPDX-License-Identifier: MIT */
/*
 * src/io/sysio.c: reads, writes and waits that a signal interrupts (a SIGALRM handler installed
 * without SA_RESTART, firing every 20 ms, so blocking calls really fail with EINTR inside), short
 * reads and writes through a pipe, end of file, and EAGAIN passed on.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "io/sysio.h"
#include "test_util.h"

#define BIG_BYTES (1u << 20) /* well over a pipe's 64 KiB: write() must come back short */

static volatile sig_atomic_t n_alarms;

static void on_alarm(int sig)
{
	n_alarms++;
}

/* SIGALRM every 20 ms, interrupting (not restarting) whatever blocks. */
static void alarms(bool on)
{
	struct itimerval t = { { 0, on ? 20000 : 0 }, { 0, on ? 20000 : 0 } };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm; /* no SA_RESTART: blocking calls fail with EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &t, NULL);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A child that writes parts with pauses between them into fd, then exits. */
static pid_t writer(int fd, const char *const *parts, long pause_ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		signal(SIGALRM, SIG_IGN);
		for (; *parts; parts++) {
			sleep_ms(pause_ms);
			if (write(fd, *parts, strlen(*parts)) < 0)
				_exit(1);
		}
		_exit(0);
	}
	return pid;
}

static void test_read(void)
{
	static const char *const parts[] = { "ab", "cd", NULL };
	char buf[8] = { 0 };
	int fds[2], status = -1;
	pid_t pid;

	CHECK(pipe(fds) == 0);
	n_alarms = 0;
	alarms(true);
	pid = writer(fds[1], parts, 150);
	close(fds[1]);
	/* Blocks 150 ms (several alarms) for "ab", then 150 ms more for "cd", then end of file. */
	CHECK(sysio_read_full(fds[0], buf, 4) == 4 && memcmp(buf, "abcd", 4) == 0);
	CHECK(sysio_read(fds[0], buf, sizeof(buf)) == 0);
	CHECK(sysio_read_full(fds[0], buf, sizeof(buf)) == 0);
	CHECK(sysio_waitpid(pid, &status) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	alarms(false);
	CHECK_MSG(n_alarms >= 5, "only %d alarms: nothing was interrupted", (int)n_alarms);
	close(fds[0]);
	CHECK(sysio_read(fds[0], buf, 1) == -EBADF);
}

static void test_write_all(void)
{
	static unsigned char big[BIG_BYTES];
	int fds[2], status = -1;
	pid_t pid;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(i * 7u);
	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) { /* a slow reader that checks every byte */
		static unsigned char got[BIG_BYTES];
		size_t n = 0;
		ssize_t r;

		signal(SIGALRM, SIG_IGN);
		close(fds[1]);
		while ((r = read(fds[0], got + n, n + 4096 <= sizeof(got) ? 4096 : sizeof(got) - n)) > 0) {
			n += (size_t)r;
			if (n % (64 * 1024) == 0)
				sleep_ms(5);
		}
		_exit(n == sizeof(got) && memcmp(got, big, sizeof(got)) == 0 ? 0 : 1);
	}
	close(fds[0]);
	n_alarms = 0;
	alarms(true);
	CHECK(sysio_write_all(fds[1], big, sizeof(big)) == 0);
	close(fds[1]);
	CHECK(sysio_waitpid(pid, &status) == 0);
	alarms(false);
	CHECK_MSG(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the reader saw other bytes");
	CHECK(sysio_write_all(fds[1], big, 1) == -EBADF);
}

static void test_wait_and_sockets(void)
{
	char c = 0;
	int sv[2], status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		sleep_ms(120);
		_exit(3);
	}
	n_alarms = 0;
	alarms(true);
	CHECK(sysio_waitpid(pid, &status) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 3);
	alarms(false);
	CHECK(n_alarms >= 2);
	CHECK(sysio_waitpid(pid, &status) == -ECHILD);

	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	CHECK(sysio_recv(sv[0], &c, 1, MSG_DONTWAIT) == -EAGAIN); /* passed on, not waited for */
	CHECK(sysio_send(sv[1], "x", 1, MSG_NOSIGNAL) == 1);
	CHECK(sysio_recv(sv[0], &c, 1, 0) == 1 && c == 'x');
	close(sv[1]);
	CHECK(sysio_recv(sv[0], &c, 1, 0) == 0);
	CHECK(sysio_send(sv[0], "x", 1, MSG_NOSIGNAL) == -EPIPE);
	close(sv[0]);
}

int main(void)
{
	RUN_TEST(test_read);
	RUN_TEST(test_write_all);
	RUN_TEST(test_wait_and_sockets);
	return test_finish();
}
