/* SPDX-License-Identifier: MIT */
/*
 * Reads, writes and waits that a signal may interrupt (EINTR) or that may do only part of the
 * job (a short read or write), retried in one place for the service and the tools.
 *
 * Why retry EINTR at all: the service and `vocana monitor` install signal handlers, and a
 * handled signal makes a blocking call fail with EINTR; that is no error, only a reason to ask
 * again. EAGAIN is passed on: a caller with a non-blocking descriptor decides when to try again
 * (poll(), its event loop). None of these is for an audio callback: they may block.
 *
 * Every function returns a count or 0, or a negative errno; none sets errno for the caller.
 */
#ifndef VOCANA_IO_SYSIO_H
#define VOCANA_IO_SYSIO_H

#include <stddef.h>
#include <sys/types.h>

/* One read(): bytes read (0 = end of file), or a negative errno (-EAGAIN included). */
ssize_t sysio_read(int fd, void *buf, size_t n);

/* read() until n bytes or end of file: bytes read (less than n only at end of file), or a
 * negative errno (what was read before the error is lost to the caller, as it is useless). */
ssize_t sysio_read_full(int fd, void *buf, size_t n);

/* write() all n bytes: 0, or a negative errno (-EAGAIN on a full non-blocking descriptor, -EIO
 * if write() wrote nothing without saying why). */
int sysio_write_all(int fd, const void *buf, size_t n);

/* One recv() / send() with flags: bytes, or a negative errno (-EAGAIN included). */
ssize_t sysio_recv(int fd, void *buf, size_t n, int flags);
ssize_t sysio_send(int fd, const void *buf, size_t n, int flags);

/*
 * Open a file the user named that must be a regular file (settings, token, baseline files), for
 * reading, without ever waiting: O_NONBLOCK, because opening a FIFO for reading waits for a writer
 * forever (and a service that blocks its signals for its event loop then cannot even be stopped),
 * then fstat() on the descriptor itself, so nothing can be swapped in between. The returned
 * descriptor is blocking again (O_NONBLOCK cleared) and close-on-exec. Returns the descriptor, or
 * -EISDIR (a directory), -EINVAL (a FIFO, device or socket), or another negative errno.
 */
int sysio_open_regular(const char *path);

/* waitpid(pid, status, 0) until the child has ended: 0, or a negative errno. */
int sysio_waitpid(pid_t pid, int *status);

#endif /* VOCANA_IO_SYSIO_H */
