/* SPDX-License-Identifier: MIT */
/* Public model functions (vocana.h): loading from a file or memory, size, free. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nn/model_file.h"
#include "vocana/vocana.h"

/* Refuse larger files before reading them: the models we ship are ~1-4 MB (<= 1M parameters as
 * f32), so anything this big is a wrong path, not a model, and reading it all would only waste
 * memory. */
#define MODEL_FILE_MAX_BYTES ((off_t)64 << 20)

/* Read exactly n bytes; a file that shrank while we read it is a bad model, not an I/O error. */
static int read_all(int fd, unsigned char *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = read(fd, buf + done, n - done);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (r == 0)
			return -EBADMSG;
		done += (size_t)r;
	}
	return 0;
}

int vocana_model_load_file(const char *path, struct vocana_model **out)
{
	unsigned char *buf = NULL;
	struct stat st;
	int fd = -1;
	int res;

	if (!path || !out)
		return -EINVAL;
	*out = NULL;
	/* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever, before
	 * fstat below can refuse it. Reads of a regular file ignore the flag. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		res = -errno;
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		res = -EISDIR;
		goto out;
	}
	/* Not a FIFO, device or socket: those could block or never end. */
	if (!S_ISREG(st.st_mode)) {
		res = -EINVAL;
		goto out;
	}
	if (st.st_size > MODEL_FILE_MAX_BYTES) {
		res = -EFBIG;
		goto out;
	}
	/* malloc(0) may return NULL: read at least one byte's room; an empty file fails parsing. */
	buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (!buf) {
		res = -ENOMEM;
		goto out;
	}
	if ((res = read_all(fd, buf, (size_t)st.st_size)) < 0)
		goto out;
	res = model_file_load(buf, (size_t)st.st_size, out);
out:
	free(buf);
	close(fd);
	return res;
}

int vocana_model_load_memory(const void *data, size_t size, struct vocana_model **out)
{
	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!data)
		return -EINVAL;
	/* The loader converts every tensor into the model's own allocation: data is not kept. */
	return model_file_load(data, size, out);
}

size_t vocana_model_parameter_count(const struct vocana_model *m)
{
	return m ? m->n_params : 0;
}

void vocana_model_free(struct vocana_model *m)
{
	/* One allocation: the struct and every tensor (model_file_load). */
	free(m);
}
