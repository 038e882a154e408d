/* SPDX-License-Identifier: MIT */
#include "io/safe_output.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/sysio.h"

/* Keep the file's own mode (or the umask default for a new one) rather than force one. */
#define KEEP_MODE (~0u)

/* The one temporary file the signal handler may remove. The path is written only while
 * pending_armed is 0, and the fences keep the compiler from moving those writes past the flag,
 * so the handler never sees a half-copied path. */
static char pending_tmp_path[PATH_MAX];
static volatile sig_atomic_t pending_armed;

static void pending_arm(const char *tmp_path)
{
	pending_armed = 0;
	atomic_signal_fence(memory_order_seq_cst);
	snprintf(pending_tmp_path, sizeof(pending_tmp_path), "%s", tmp_path);
	atomic_signal_fence(memory_order_seq_cst);
	pending_armed = 1;
}

static void pending_disarm(void)
{
	pending_armed = 0;
	atomic_signal_fence(memory_order_seq_cst);
}

static void on_fatal_signal(int sig)
{
	/* Only async-signal-safe calls here: unlink() and raise(). SA_RESETHAND restored the
	 * default action, so the re-raised signal kills us with the usual status once we return. */
	if (pending_armed)
		unlink(pending_tmp_path);
	raise(sig);
}

void safe_output_install_signal_cleanup(void)
{
	/* SIGQUIT too (Ctrl+Backslash): it ends the program like the others, and used to leave the
	 * temporary file behind (issue #13, item 10). */
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = (int)SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		struct sigaction old;
		/* A signal the parent shell ignores (nohup, background jobs) stays ignored. */
		if (sigaction(signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(signals[i], &sa, NULL);
	}
}

static mode_t default_file_mode(void)
{
	/* umask() can only be read by setting it; the tools are single-threaded at this point. */
	mode_t mask = umask(0);
	umask(mask);
	return (mode_t)0666 & ~mask;
}

static int open_output(struct safe_output *o, const char *path, unsigned force_mode, char *err,
		       size_t err_size)
{
	struct stat st;
	mode_t mode;
	int res;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	if (path == NULL || path[0] == '\0') {
		snprintf(err, err_size, "empty output file name");
		return -EINVAL;
	}
	if (strlen(path) >= sizeof(o->path)) {
		snprintf(err, err_size, "output file name too long");
		return -ENAMETOOLONG;
	}
	snprintf(o->path, sizeof(o->path), "%s", path);

	/* Rename over the link's target, not the link itself, so "out.wav -> /data/x.wav" keeps
	 * pointing at the new data. A dangling link is simply replaced. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char resolved[PATH_MAX];
		if (realpath(path, resolved) != NULL)
			snprintf(o->path, sizeof(o->path), "%s", resolved);
	}

	mode = force_mode != KEEP_MODE ? (mode_t)force_mode : default_file_mode();
	if (stat(o->path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, err_size, "output '%s' is a directory", path);
			return -EISDIR;
		}
		if (!S_ISREG(st.st_mode)) {
			o->fd = open(o->path, O_WRONLY | O_TRUNC | O_CLOEXEC);
			if (o->fd < 0) {
				res = -errno;
				snprintf(err, err_size, "cannot open output '%s': %s", path, strerror(-res));
				return res;
			}
			return 0;
		}
		if (force_mode == KEEP_MODE)
			mode = st.st_mode & 07777; /* replacing a file keeps its permissions */
	}

	if (snprintf(o->tmp_path, sizeof(o->tmp_path), "%s.tmp-XXXXXX", o->path) >=
	    (int)sizeof(o->tmp_path)) {
		o->tmp_path[0] = '\0';
		snprintf(err, err_size, "output file name too long: '%s'", path);
		return -ENAMETOOLONG;
	}
	/* Hold the cleanup signals while the file is created and registered: a signal between
	 * mkostemp() and pending_arm() would otherwise leave the temporary file behind. */
	sigset_t block, old_mask;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	o->fd = mkostemp(o->tmp_path, O_CLOEXEC);
	if (o->fd >= 0)
		pending_arm(o->tmp_path);
	res = -errno;
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (o->fd < 0) {
		o->tmp_path[0] = '\0';
		snprintf(err, err_size, "cannot create output '%s': %s", path, strerror(-res));
		return res;
	}
	/* mkostemp() creates the file 0600; a failure here only leaves it private, so go on. */
	(void)fchmod(o->fd, mode);
	return 0;
}

int safe_output_open(struct safe_output *o, const char *path, char *err, size_t err_size)
{
	return open_output(o, path, KEEP_MODE, err, err_size);
}

int safe_output_open_mode(struct safe_output *o, const char *path, unsigned mode, char *err,
			  size_t err_size)
{
	return open_output(o, path, mode & 07777, err, err_size);
}

int safe_output_write_file(const char *path, const void *data, size_t size, unsigned mode,
			   char *err, size_t err_size)
{
	struct safe_output o;
	int res;

	if ((res = safe_output_open_mode(&o, path, mode, err, err_size)) < 0)
		return res;
	if ((res = sysio_write_all(o.fd, data, size)) < 0) {
		snprintf(err, err_size, "cannot write output '%s': %s", o.path, strerror(-res));
		safe_output_abort(&o);
		return res;
	}
	return safe_output_commit(&o, err, err_size);
}

int safe_output_commit(struct safe_output *o, char *err, size_t err_size)
{
	int res = 0;

	if (o->fd < 0) {
		snprintf(err, err_size, "output '%s' is not open", o->path);
		return -EBADF;
	}
	if (o->tmp_path[0] == '\0') { /* written directly */
		if (close(o->fd) < 0 && errno != EINTR) {
			res = -errno;
			snprintf(err, err_size, "cannot write output '%s': %s", o->path, strerror(-res));
		}
		o->fd = -1;
		return res;
	}
	/* fsync before rename: otherwise a crash soon after can leave OUT renamed but empty on
	 * file systems that reorder metadata and data (ext4 with delalloc, XFS). */
	if (fsync(o->fd) < 0 && errno != EINVAL && errno != EROFS) {
		res = -errno;
		goto error;
	}
	if (close(o->fd) < 0 && errno != EINTR) {
		o->fd = -1;
		res = -errno;
		goto error;
	}
	o->fd = -1;
	if (rename(o->tmp_path, o->path) < 0) {
		res = -errno;
		goto error;
	}
	/* Disarm only after the rename: a signal in between finds the temporary name gone, and
	 * unlink() of a missing file is harmless. */
	pending_disarm();
	o->tmp_path[0] = '\0';
	return 0;

error:
	snprintf(err, err_size, "cannot write output '%s': %s", o->path, strerror(-res));
	safe_output_abort(o);
	return res;
}

void safe_output_abort(struct safe_output *o)
{
	if (o->fd >= 0) {
		close(o->fd);
		o->fd = -1;
	}
	if (o->tmp_path[0] != '\0') {
		unlink(o->tmp_path);
		pending_disarm();
		o->tmp_path[0] = '\0';
	}
}
