/* SPDX-License-Identifier: MIT */
/* Terminal modes and signals of the live view (see monitor_term.h). */
#include "cli/monitor/monitor_term.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "io/sysio.h"

static volatile sig_atomic_t quit_signal;
static volatile sig_atomic_t resized;
static sigset_t unblocked_mask; /* the mask to wait with: ours minus the handled signals */

static struct {
	bool active;
	bool termios_saved;
	int in_fd, out_fd;
	struct termios saved;
} term;

static void on_quit(int sig)
{
	quit_signal = sig;
}

static void on_resize(int sig)
{
	(void)sig;
	resized = 1;
}

int monitor_signals_install(void)
{
	static const int quit_sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	sigset_t block;

	sigemptyset(&block);
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_quit; /* no SA_RESTART: ppoll must return */
	for (size_t i = 0; i < sizeof(quit_sigs) / sizeof(quit_sigs[0]); i++) {
		if (sigaction(quit_sigs[i], &sa, NULL) < 0)
			return -errno;
		sigaddset(&block, quit_sigs[i]);
	}
	sa.sa_handler = on_resize;
	if (sigaction(SIGWINCH, &sa, NULL) < 0)
		return -errno;
	sigaddset(&block, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &block, &unblocked_mask) < 0)
		return -errno;
	for (size_t i = 0; i < sizeof(quit_sigs) / sizeof(quit_sigs[0]); i++)
		sigdelset(&unblocked_mask, quit_sigs[i]);
	sigdelset(&unblocked_mask, SIGWINCH);
	return 0;
}

int monitor_quit_signal(void)
{
	return quit_signal;
}

bool monitor_take_resize(void)
{
	bool r = resized != 0;

	resized = 0;
	return r;
}

void monitor_term_restore(void)
{
	if (!term.active)
		return;
	term.active = false;
	if (term.termios_saved)
		tcsetattr(term.in_fd, TCSAFLUSH, &term.saved);
	sysio_write_all(term.out_fd, MONITOR_TERM_RESTORE, strlen(MONITOR_TERM_RESTORE));
}

int monitor_term_enter(int in_fd, int out_fd)
{
	static bool atexit_done;
	struct termios raw;

	term.in_fd = in_fd;
	term.out_fd = out_fd;
	term.termios_saved = false;
	if (isatty(in_fd) && tcgetattr(in_fd, &term.saved) == 0) {
		raw = term.saved;
		/* Keys one at a time, unechoed; ISIG stays so Ctrl-C still raises SIGINT. */
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		if (tcsetattr(in_fd, TCSAFLUSH, &raw) < 0)
			return -errno;
		term.termios_saved = true;
	}
	term.active = true;
	if (!atexit_done && atexit(monitor_term_restore) == 0)
		atexit_done = true;
	return sysio_write_all(out_fd, MONITOR_TERM_ENTER, strlen(MONITOR_TERM_ENTER));
}

void monitor_term_size(int fd, int *cols, int *rows)
{
	struct winsize ws;

	*cols = 80;
	*rows = 24;
	if (ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row;
	}
}

char monitor_wait(int *key_fd, int timeout_ms)
{
	struct pollfd pfd = { .fd = *key_fd, .events = POLLIN };
	struct timespec ts;
	char key = '\0';
	int n;

	if (timeout_ms < 0)
		timeout_ms = 0;
	ts.tv_sec = timeout_ms / 1000;
	ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
	n = ppoll(&pfd, *key_fd >= 0 ? 1 : 0, &ts, &unblocked_mask);
	if (n > 0 && (pfd.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL))) {
		ssize_t got = sysio_read(*key_fd, &key, 1);

		if (got == 0 || (got < 0 && got != -EAGAIN))
			*key_fd = -1; /* EOF or a broken stdin: stop watching it */
		if (got != 1)
			key = '\0';
	}
	return key;
}
