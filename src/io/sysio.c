/* SPDX-License-Identifier: MIT */
#include "io/sysio.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum op { OP_READ, OP_WRITE, OP_RECV, OP_SEND };

/* One read(), write(), recv() or send() (into for reading, from for writing), made again after
 * EINTR: what the call returned, or -errno. The one retry loop of this file. */
static ssize_t once(enum op op, int fd, void *into, const void *from, size_t n, int flags)
{
	for (;;) {
		ssize_t done = op == OP_READ  ? read(fd, into, n) :
			       op == OP_WRITE ? write(fd, from, n) :
			       op == OP_RECV  ? recv(fd, into, n, flags) :
						send(fd, from, n, flags);

		if (done >= 0)
			return done;
		if (errno != EINTR)
			return -errno;
	}
}

ssize_t sysio_read(int fd, void *buf, size_t n)
{
	return once(OP_READ, fd, buf, NULL, n, 0);
}

ssize_t sysio_read_full(int fd, void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t done = 0;

	while (done < n) {
		ssize_t got = sysio_read(fd, p + done, n - done);

		if (got < 0)
			return got;
		if (got == 0)
			break;
		done += (size_t)got;
	}
	return (ssize_t)done;
}

int sysio_write_all(int fd, const void *buf, size_t n)
{
	const unsigned char *p = buf;

	while (n > 0) {
		ssize_t put = once(OP_WRITE, fd, NULL, p, n, 0);

		if (put < 0)
			return (int)put;
		if (put == 0)
			return -EIO; /* would loop forever otherwise */
		p += put;
		n -= (size_t)put;
	}
	return 0;
}

ssize_t sysio_recv(int fd, void *buf, size_t n, int flags)
{
	return once(OP_RECV, fd, buf, NULL, n, flags);
}

ssize_t sysio_send(int fd, const void *buf, size_t n, int flags)
{
	return once(OP_SEND, fd, NULL, buf, n, flags);
}

int sysio_open_regular(const char *path)
{
	struct stat st;
	int fd, flags, res;

	/* O_NOCTTY: a terminal named by mistake must not become our controlling terminal. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		res = -errno;
		goto error;
	}
	if (!S_ISREG(st.st_mode)) {
		res = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto error;
	}
	/* Regular files ignore O_NONBLOCK today; clear it anyway so no reader ever sees EAGAIN. */
	if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		res = -errno;
		goto error;
	}
	return fd;
error:
	close(fd);
	return res;
}

int sysio_waitpid(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}
