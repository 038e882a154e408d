/* SPDX-License-Identifier: MIT */
/*
 * A reader for exactly the JSON 'vocana bench --json' writes: the "results" array of flat
 * objects whose values are strings, numbers, null or booleans. Not a general JSON parser: a
 * document that is not shaped like ours is refused with a reason, never guessed at.
 */
#include "cli/bench_baseline.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/sysio.h"

struct scanner {
	const char *p, *end;
};

static void skip_space(struct scanner *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static bool take(struct scanner *s, char c)
{
	skip_space(s);
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

/* A string into a new buffer (escapes: \" \\ \/ and \uXXXX below 0x80 only; ours never has
 * other ones). NULL on a malformed string or no memory. */
static char *read_string(struct scanner *s)
{
	char *out, *o;

	if (!take(s, '"'))
		return NULL;
	out = o = malloc((size_t)(s->end - s->p) + 1);
	if (out == NULL)
		return NULL;
	while (s->p < s->end && *s->p != '"') {
		char c = *s->p++;

		if (c == '\\') {
			if (s->p >= s->end)
				break;
			c = *s->p++;
			if (c == 'u') {
				unsigned v;

				if (s->end - s->p < 4 || sscanf(s->p, "%4x", &v) != 1 || v >= 0x80)
					break;
				s->p += 4;
				c = (char)v;
			} else if (c != '"' && c != '\\' && c != '/') {
				break;
			}
		}
		*o++ = c;
	}
	if (s->p >= s->end || *s->p != '"') {
		free(out);
		return NULL;
	}
	s->p++;
	*o = '\0';
	return out;
}

/* A number, null (NaN), true/false (ignored: NaN). */
static bool read_scalar(struct scanner *s, double *v)
{
	static const char *const words[] = { "null", "true", "false" };
	char buf[64], *end;
	size_t n = 0;

	skip_space(s);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t len = strlen(words[i]);

		if ((size_t)(s->end - s->p) >= len && strncmp(s->p, words[i], len) == 0) {
			s->p += len;
			*v = NAN;
			return true;
		}
	}
	while (s->p + n < s->end && n < sizeof(buf) - 1 && strchr("+-.0123456789eE", s->p[n]))
		n++;
	if (n == 0 || n == sizeof(buf) - 1)
		return false;
	memcpy(buf, s->p, n);
	buf[n] = '\0';
	*v = strtod(buf, &end);
	if (*end != '\0')
		return false;
	s->p += n;
	return true;
}

/* One flat result object; name/unit/median into e (others skipped). */
static int read_result(struct scanner *s, struct bench_baseline_entry *e)
{
	bool have_median = false;

	e->name = e->unit = NULL;
	e->median = NAN;
	if (!take(s, '{'))
		return -EINVAL;
	if (take(s, '}'))
		return -EINVAL;
	do {
		char *key = read_string(s);
		int res = 0;

		if (key == NULL || !take(s, ':')) {
			free(key);
			return -EINVAL;
		}
		skip_space(s);
		if (s->p < s->end && *s->p == '"') {
			char *val = read_string(s);

			if (val == NULL)
				res = -EINVAL;
			else if (strcmp(key, "name") == 0 && e->name == NULL)
				e->name = val;
			else if (strcmp(key, "unit") == 0 && e->unit == NULL)
				e->unit = val;
			else
				free(val);
		} else {
			double v;

			if (!read_scalar(s, &v))
				res = -EINVAL;
			else if (strcmp(key, "median") == 0) {
				e->median = v;
				have_median = true;
			}
		}
		free(key);
		if (res < 0)
			return res;
	} while (take(s, ','));
	if (!take(s, '}') || e->name == NULL || !have_median)
		return -EINVAL;
	if (e->unit == NULL)
		e->unit = strdup("");
	return e->unit ? 0 : -ENOMEM;
}

int bench_baseline_parse(const char *text, size_t len, struct bench_baseline *b, char *err,
			 size_t err_size)
{
	struct scanner s = { text, text + len };
	const char *key = "\"results\"";
	const char *at = NULL;
	size_t cap = 0;

	b->v = NULL;
	b->n = 0;
	if (err_size > 0)
		err[0] = '\0';
	/* The results array of the top-level object; the other top-level fields do not matter. */
	for (const char *p = text; p + strlen(key) <= text + len; p++)
		if (memcmp(p, key, strlen(key)) == 0) {
			at = p + strlen(key);
			break;
		}
	if (at == NULL || (s.p = at, !take(&s, ':')) || !take(&s, '[')) {
		snprintf(err, err_size, "not a 'vocana bench --json' document (no \"results\" array)");
		return -EINVAL;
	}
	if (take(&s, ']'))
		return 0;
	do {
		struct bench_baseline_entry e;
		int res;

		if (b->n == cap) {
			size_t new_cap = cap ? 2 * cap : 32;
			struct bench_baseline_entry *v = realloc(b->v, new_cap * sizeof(*v));

			if (v == NULL) {
				bench_baseline_free(b);
				return -ENOMEM;
			}
			b->v = v;
			cap = new_cap;
		}
		res = read_result(&s, &e);
		if (res < 0) {
			free(e.name);
			free(e.unit);
			snprintf(err, err_size, "result %zu: expected an object with a name and a median",
				 b->n + 1);
			bench_baseline_free(b);
			return res;
		}
		b->v[b->n++] = e;
	} while (take(&s, ','));
	if (!take(&s, ']')) {
		snprintf(err, err_size, "the \"results\" array is not closed after result %zu", b->n);
		bench_baseline_free(b);
		return -EINVAL;
	}
	return 0;
}

int bench_baseline_load(const char *path, struct bench_baseline *b, char *err, size_t err_size)
{
	/* Never waits: a FIFO named by mistake is refused instead of read forever. */
	int fd = sysio_open_regular(path);
	FILE *f;
	char *text;
	size_t len;
	int res;

	b->v = NULL;
	b->n = 0;
	if (err_size > 0)
		err[0] = '\0';
	if (fd == -EINVAL)
		snprintf(err, err_size, "not a regular file");
	if (fd < 0)
		return fd;
	f = fdopen(fd, "rb");
	if (f == NULL) {
		res = -errno;
		close(fd);
		return res;
	}
	text = malloc(BENCH_BASELINE_MAX_BYTES + 1);
	if (text == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	len = fread(text, 1, BENCH_BASELINE_MAX_BYTES + 1, f);
	if (ferror(f)) {
		res = -EIO;
	} else if (len > BENCH_BASELINE_MAX_BYTES) {
		snprintf(err, err_size, "larger than %d bytes", BENCH_BASELINE_MAX_BYTES);
		res = -EFBIG;
	} else {
		res = bench_baseline_parse(text, len, b, err, err_size);
	}
	free(text);
	fclose(f);
	return res;
}

void bench_baseline_free(struct bench_baseline *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->v[i].name);
		free(b->v[i].unit);
	}
	free(b->v);
	b->v = NULL;
	b->n = 0;
}
