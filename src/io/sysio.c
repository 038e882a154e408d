/* SPDX-License-Identifier: MIT */
#include "io/sysio.h"

#include <errno.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

ssize_t sysio_read(int fd, void *buf, size_t n)
{
	for (;;) {
		ssize_t got = read(fd, buf, n);

		if (got >= 0)
			return got;
		if (errno != EINTR)
			return -errno;
	}
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
		ssize_t put = write(fd, p, n);

		if (put < 0 && errno == EINTR)
			continue;
		if (put < 0)
			return -errno;
		if (put == 0)
			return -EIO; /* would loop forever otherwise */
		p += put;
		n -= (size_t)put;
	}
	return 0;
}

ssize_t sysio_recv(int fd, void *buf, size_t n, int flags)
{
	for (;;) {
		ssize_t got = recv(fd, buf, n, flags);

		if (got >= 0)
			return got;
		if (errno != EINTR)
			return -errno;
	}
}

ssize_t sysio_send(int fd, const void *buf, size_t n, int flags)
{
	for (;;) {
		ssize_t put = send(fd, buf, n, flags);

		if (put >= 0)
			return put;
		if (errno != EINTR)
			return -errno;
	}
}

int sysio_waitpid(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}
