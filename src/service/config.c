/* SPDX-License-Identifier: MIT */
#include "service/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "service/paths.h"

#define CONFIG_MAX_LINE 512 /* bytes; longer lines are an error, not silently cut */

void service_config_defaults(struct service_config *c)
{
	c->strength = 100;
	c->enabled = true;
}

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Trim [*b, *e) in place. */
static void trim(const char **b, const char **e)
{
	while (*b < *e && is_space(**b))
		(*b)++;
	while (*e > *b && is_space((*e)[-1]))
		(*e)--;
}

static bool token_is(const char *b, const char *e, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(e - b) == n && strncmp(b, word, n) == 0;
}

static int parse_bool(const char *b, const char *e, bool *out)
{
	if (token_is(b, e, "true") || token_is(b, e, "yes") || token_is(b, e, "on") ||
	    token_is(b, e, "1")) {
		*out = true;
		return 0;
	}
	if (token_is(b, e, "false") || token_is(b, e, "no") || token_is(b, e, "off") ||
	    token_is(b, e, "0")) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

static int parse_strength(const char *b, const char *e, int *out)
{
	int v = 0;

	if (b == e || e - b > 3)
		return -EINVAL;
	for (const char *p = b; p < e; p++) {
		if (*p < '0' || *p > '9')
			return -EINVAL;
		v = v * 10 + (*p - '0');
	}
	if (v > 100)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_line(const char *b, const char *e, struct service_config *c, unsigned line_no,
		      char *err, size_t err_size)
{
	const char *hash = memchr(b, '#', (size_t)(e - b));
	const char *eq, *kb, *ke, *vb, *ve;

	if (hash != NULL)
		e = hash;
	trim(&b, &e);
	if (b == e)
		return 0;
	eq = memchr(b, '=', (size_t)(e - b));
	if (eq == NULL) {
		snprintf(err, err_size, "line %u: expected 'key = value'", line_no);
		return -EINVAL;
	}
	kb = b;
	ke = eq;
	vb = eq + 1;
	ve = e;
	trim(&kb, &ke);
	trim(&vb, &ve);
	if (token_is(kb, ke, "strength")) {
		if (parse_strength(vb, ve, &c->strength) < 0) {
			snprintf(err, err_size, "line %u: strength must be a whole number 0..100",
				 line_no);
			return -EINVAL;
		}
	} else if (token_is(kb, ke, "enabled")) {
		if (parse_bool(vb, ve, &c->enabled) < 0) {
			snprintf(err, err_size, "line %u: enabled must be true or false", line_no);
			return -EINVAL;
		}
	}
	/* Unknown keys: skipped on purpose, so settings written by a newer version still load. */
	return 0;
}

int service_config_parse(const char *text, size_t len, struct service_config *c, char *err,
			 size_t err_size)
{
	struct service_config tmp = *c;
	const char *p = text, *end = text + len;
	unsigned line_no = 0;
	int res;

	if (err_size > 0)
		err[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		line_no++;
		if (le - p > CONFIG_MAX_LINE) {
			snprintf(err, err_size, "line %u: longer than %d bytes", line_no,
				 CONFIG_MAX_LINE);
			return -EINVAL;
		}
		if (memchr(p, '\0', (size_t)(le - p)) != NULL) {
			snprintf(err, err_size, "line %u: contains a NUL byte", line_no);
			return -EINVAL;
		}
		if ((res = parse_line(p, le, &tmp, line_no, err, err_size)) < 0)
			return res;
		p = nl ? nl + 1 : end;
	}
	/* All or nothing: a file with one bad line changes no setting. */
	*c = tmp;
	return 0;
}

int service_config_load(const char *path, struct service_config *c, char *err, size_t err_size)
{
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int fd, res;

	if (err_size > 0)
		err[0] = '\0';
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		res = -errno;
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, err_size, "not a regular file");
		res = -EINVAL;
		goto done;
	}
	if (st.st_size > SERVICE_CONFIG_MAX_BYTES) {
		snprintf(err, err_size, "larger than %d bytes", SERVICE_CONFIG_MAX_BYTES);
		res = -EFBIG;
		goto done;
	}
	buf = malloc(SERVICE_CONFIG_MAX_BYTES);
	if (buf == NULL) {
		res = -ENOMEM;
		goto done;
	}
	/* Read up to the limit, whatever fstat said: the file may grow while we read it. */
	while (len < SERVICE_CONFIG_MAX_BYTES) {
		ssize_t n = read(fd, buf + len, SERVICE_CONFIG_MAX_BYTES - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			res = -errno;
			goto done;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	res = service_config_parse(buf, len, c, err, err_size);
done:
	free(buf);
	close(fd);
	return res;
}

int service_config_format(const struct service_config *c, char *buf, size_t size)
{
	int n = snprintf(buf, size,
			 "# Vocana microphone settings, written by 'vocana set/enable/disable'.\n"
			 "# strength: 0..100 (0 = unchanged input); enabled: false = bypass.\n"
			 "strength = %d\n"
			 "enabled = %s\n",
			 c->strength, c->enabled ? "true" : "false");

	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

static int write_all(int fd, const void *data, size_t size)
{
	const char *p = data;

	while (size > 0) {
		ssize_t n = write(fd, p, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		size -= (size_t)n;
	}
	return 0;
}

int service_write_file_atomic(const char *path, const void *data, size_t size, unsigned mode)
{
	char tmp[4096];
	int fd, res, n;

	n = snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if ((res = write_all(fd, data, size)) < 0)
		goto error;
	if (fchmod(fd, (mode_t)mode) < 0 || fsync(fd) < 0) {
		res = -errno;
		goto error;
	}
	if (close(fd) < 0) {
		res = -errno;
		fd = -1;
		goto error;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		res = -errno;
		goto error;
	}
	return 0;
error:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	return res;
}

int service_config_save(const char *path, const struct service_config *c)
{
	char dir[4096], text[512];
	int n, res;

	if ((res = paths_dirname(path, dir, sizeof(dir))) < 0)
		return res;
	if ((res = paths_make_dir(dir, 0)) < 0)
		return res;
	if ((n = service_config_format(c, text, sizeof(text))) < 0)
		return n;
	return service_write_file_atomic(path, text, (size_t)n, 0600);
}
