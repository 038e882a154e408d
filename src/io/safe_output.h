/* SPDX-License-Identifier: MIT */
/*
 * All-or-nothing output files: the tools' audio and JSON outputs, and the service's settings file
 * and systemd unit (the one implementation of "write a temporary file, fsync, rename").
 *
 * The data goes to a temporary file "OUT.tmp-XXXXXX" in the destination's directory and is
 * renamed over OUT only once it is complete, so a failure, a full disk or Ctrl-C never leaves a
 * half-written file under the user's name, and OUT may even be the file being read (the reader
 * keeps the old inode open until it is done). rename() is atomic only within one file system,
 * which is why the temporary file lives next to the destination and not in /tmp.
 *
 * Destinations that exist but are not regular files (/dev/null, a FIFO) are written directly:
 * renaming over them would replace the device node.
 *
 * One pending output per process may be registered for removal on SIGINT/SIGTERM/SIGHUP/SIGQUIT
 * (safe_output_install_signal_cleanup()); a command-line tool writes one output at a time. The
 * service never installs that handler. Not thread-safe: one thread writes outputs.
 */
#ifndef VOCANA_IO_SAFE_OUTPUT_H
#define VOCANA_IO_SAFE_OUTPUT_H

#include <limits.h>
#include <stddef.h>

struct safe_output {
	char path[PATH_MAX];     /* the destination (symbolic links resolved) */
	char tmp_path[PATH_MAX]; /* the temporary file; "" when writing directly */
	int fd;                  /* -1 when closed */
};

/*
 * Create the temporary file for path (or open a non-regular destination directly). On success
 * o->fd is open for writing and seeking. On failure returns a negative errno, writes one line of
 * text to err (no newline) and leaves nothing behind. The file gets the permissions of the file
 * it replaces, or 0666 minus the umask when new, as a tool's output should.
 */
int safe_output_open(struct safe_output *o, const char *path, char *err, size_t err_size);

/* The same, but the committed file gets exactly mode (say 0600 for private settings), whatever
 * the umask and the replaced file had. Never reads the umask, so a threaded program may call it. */
int safe_output_open_mode(struct safe_output *o, const char *path, unsigned mode, char *err,
			  size_t err_size);

/* A whole file in one call: safe_output_open_mode(), write all size bytes, commit. 0, or a
 * negative errno with a message in err; on failure nothing changed at path. */
int safe_output_write_file(const char *path, const void *data, size_t size, unsigned mode,
			   char *err, size_t err_size);

/* fsync, close and rename the temporary file over the destination. On failure the temporary
 * file is removed and a negative errno returned, with a message in err. */
int safe_output_commit(struct safe_output *o, char *err, size_t err_size);

/* Close and remove the temporary file. Safe after any safe_output_open() (failed or not), after
 * commit, and more than once. */
void safe_output_abort(struct safe_output *o);

/* Make SIGINT, SIGTERM, SIGHUP and SIGQUIT remove the pending temporary file, then die of the
 * signal as usual (so the shell still sees "killed by SIGINT"; SIGQUIT still dumps core where core
 * dumps are on). Call once, before safe_output_open(). */
void safe_output_install_signal_cleanup(void);

#endif /* VOCANA_IO_SAFE_OUTPUT_H */
