/* SPDX-License-Identifier: MIT */
#include "service/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/safe_output.h"
#include "io/sysio.h"
#include "service/paths.h"

#define CONFIG_MAX_LINE 512 /* bytes; longer lines are an error, not silently cut */

void service_config_defaults(struct service_config *c)
{
	c->strength = 100;
	c->enabled = true;
	c->input[0] = '\0';
	c->mic = true;
	c->speaker = false;
	c->speaker_strength = 100;
	c->speaker_output[0] = '\0';
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

bool config_key_is(const struct config_kv *kv, const char *word)
{
	return token_is(kv->key, kv->key_end, word);
}

int config_split_line(const char *b, const char *e, struct config_kv *kv)
{
	const char *hash = memchr(b, '#', (size_t)(e - b));
	const char *eq;

	if (hash != NULL)
		e = hash;
	trim(&b, &e);
	if (b == e)
		return 0;
	eq = memchr(b, '=', (size_t)(e - b));
	if (eq == NULL)
		return -EINVAL;
	kv->key = b;
	kv->key_end = eq;
	kv->value = eq + 1;
	kv->value_end = e;
	trim(&kv->key, &kv->key_end);
	trim(&kv->value, &kv->value_end);
	return 1;
}

/* Note a bad line: the first one's reason goes to err, later ones are only counted. */
static void note_bad(unsigned *n_bad, char *err, size_t err_size, const char *msg)
{
	if ((*n_bad)++ == 0 && err_size > 0)
		snprintf(err, err_size, "%s", msg);
}

int config_for_each_kv(const char *text, size_t len, config_kv_fn fn, void *ctx, char *err,
		       size_t err_size)
{
	const char *p = text, *end = text + len;
	unsigned line_no = 0, n_bad = 0;
	char msg[256];
	size_t first_len;

	if (err_size > 0)
		err[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *lb = p, *le = nl ? nl : end;
		struct config_kv kv;
		int res;

		line_no++;
		p = nl ? nl + 1 : end;
		/* A bad line is skipped, never the whole file: the lines around it still count. */
		if (le - lb > CONFIG_MAX_LINE) {
			snprintf(msg, sizeof(msg), "line %u: longer than %d bytes", line_no,
				 CONFIG_MAX_LINE);
			note_bad(&n_bad, err, err_size, msg);
			continue;
		}
		if (memchr(lb, '\0', (size_t)(le - lb)) != NULL) {
			snprintf(msg, sizeof(msg), "line %u: contains a NUL byte", line_no);
			note_bad(&n_bad, err, err_size, msg);
			continue;
		}
		res = config_split_line(lb, le, &kv);
		if (res < 0) {
			snprintf(msg, sizeof(msg), "line %u: expected 'key = value'", line_no);
			note_bad(&n_bad, err, err_size, msg);
			continue;
		}
		if (res == 0)
			continue;
		kv.line_no = line_no;
		msg[0] = '\0';
		if (fn(&kv, ctx, msg, sizeof(msg)) < 0)
			note_bad(&n_bad, err, err_size, msg);
	}
	if (n_bad == 0)
		return 0;
	first_len = strlen(err);
	if (n_bad > 1 && first_len < err_size)
		snprintf(err + first_len, err_size - first_len, " (and %u more bad line%s)", n_bad - 1,
			 n_bad > 2 ? "s" : "");
	return -EINVAL;
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

/* A node name: 1..SERVICE_CONFIG_INPUT_MAX-1 bytes, no spaces or control characters (the control
 * socket's 'set input' accepts the same); "default" means none. */
static int parse_input(const char *b, const char *e, char *out)
{
	size_t len = (size_t)(e - b);

	if (len == 0 || len >= SERVICE_CONFIG_INPUT_MAX)
		return -EINVAL;
	for (const char *p = b; p < e; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return -EINVAL;
	if (token_is(b, e, "default"))
		len = 0;
	memcpy(out, b, len);
	out[len] = '\0';
	return 0;
}

static int apply_setting(const struct config_kv *kv, void *ctx, char *err, size_t err_size)
{
	struct service_config *c = ctx;

	if (config_key_is(kv, "strength")) {
		if (parse_strength(kv->value, kv->value_end, &c->strength) < 0) {
			snprintf(err, err_size, "line %u: strength must be a whole number 0..100",
				 kv->line_no);
			return -EINVAL;
		}
	} else if (config_key_is(kv, "enabled")) {
		if (parse_bool(kv->value, kv->value_end, &c->enabled) < 0) {
			snprintf(err, err_size, "line %u: enabled must be true or false", kv->line_no);
			return -EINVAL;
		}
	} else if (config_key_is(kv, "input") || config_key_is(kv, "speaker.output")) {
		if (parse_input(kv->value, kv->value_end,
				config_key_is(kv, "input") ? c->input : c->speaker_output) < 0) {
			snprintf(err, err_size, "line %u: %.*s must be a node name (no spaces) or default",
				 kv->line_no, (int)(kv->key_end - kv->key), kv->key);
			return -EINVAL;
		}
	} else if (config_key_is(kv, "mic") || config_key_is(kv, "speaker")) {
		if (parse_bool(kv->value, kv->value_end,
			       config_key_is(kv, "mic") ? &c->mic : &c->speaker) < 0) {
			snprintf(err, err_size, "line %u: %.*s must be on or off", kv->line_no,
				 (int)(kv->key_end - kv->key), kv->key);
			return -EINVAL;
		}
	} else if (config_key_is(kv, "speaker.strength")) {
		if (parse_strength(kv->value, kv->value_end, &c->speaker_strength) < 0) {
			snprintf(err, err_size, "line %u: speaker.strength must be a whole number 0..100",
				 kv->line_no);
			return -EINVAL;
		}
	}
	/* Unknown keys: skipped on purpose, so settings written by a newer version (and the
	 * performance targets, read by targets.c) still load. */
	return 0;
}

int service_config_parse(const char *text, size_t len, struct service_config *c, char *err,
			 size_t err_size)
{
	/* Every good line applies, a bad one changes nothing (apply_setting writes a value only
	 * once it has parsed it): one typo must not throw away every other saved setting. */
	return config_for_each_kv(text, len, apply_setting, c, err, err_size);
}

int config_read_file(const char *path, char **text, size_t *len, char *err, size_t err_size)
{
	char *buf = NULL;
	struct stat st;
	ssize_t got;
	int fd, res;

	if (err_size > 0)
		err[0] = '\0';
	*text = NULL;
	*len = 0;
	/* Never waits: a FIFO here would otherwise hang the service before its loop runs, with
	 * SIGTERM blocked for that loop (issue #13, item 4). */
	fd = sysio_open_regular(path);
	if (fd == -EINVAL || fd == -EISDIR) {
		snprintf(err, err_size, "not a regular file (%s)",
			 fd == -EISDIR ? "a directory" : "a FIFO, device or socket");
		return -EINVAL;
	}
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		res = -errno;
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
	if ((got = sysio_read_full(fd, buf, SERVICE_CONFIG_MAX_BYTES)) < 0) {
		res = (int)got;
		goto done;
	}
	*text = buf;
	*len = (size_t)got;
	buf = NULL;
	res = 0;
done:
	free(buf);
	close(fd);
	return res;
}

int service_config_load(const char *path, struct service_config *c, char *err, size_t err_size)
{
	char *text;
	size_t len;
	int res = config_read_file(path, &text, &len, err, err_size);

	if (res < 0)
		return res;
	res = service_config_parse(text, len, c, err, err_size);
	free(text);
	return res;
}

/* The settings the service writes, one line each: its key, its value as text, and whether a file
 * that lacks the line gets it appended (a device only once one is chosen, "mic" only when it is
 * off, the speaker's lines once the speaker has been turned on: a file written by a mic-only
 * service stays as it was). */
struct setting_line {
	const char *key;
	char value[SERVICE_CONFIG_INPUT_MAX];
	bool append;
};

#define SETTING_LINES 7

static void setting_lines(const struct service_config *c, struct setting_line l[SETTING_LINES])
{
	const char *input = c->input[0] ? c->input : "default";
	const char *output = c->speaker_output[0] ? c->speaker_output : "default";

	l[0] = (struct setting_line){ "strength", "", true };
	snprintf(l[0].value, sizeof(l[0].value), "%d", c->strength);
	l[1] = (struct setting_line){ "enabled", "", true };
	snprintf(l[1].value, sizeof(l[1].value), "%s", c->enabled ? "true" : "false");
	l[2] = (struct setting_line){ "input", "", c->input[0] != '\0' };
	snprintf(l[2].value, sizeof(l[2].value), "%s", input);
	l[3] = (struct setting_line){ "mic", "", !c->mic };
	snprintf(l[3].value, sizeof(l[3].value), "%s", c->mic ? "on" : "off");
	l[4] = (struct setting_line){ "speaker", "", c->speaker };
	snprintf(l[4].value, sizeof(l[4].value), "%s", c->speaker ? "on" : "off");
	l[5] = (struct setting_line){ "speaker.strength", "", c->speaker };
	snprintf(l[5].value, sizeof(l[5].value), "%d", c->speaker_strength);
	l[6] = (struct setting_line){ "speaker.output", "", c->speaker && c->speaker_output[0] };
	snprintf(l[6].value, sizeof(l[6].value), "%s", output);
}

int service_config_format(const struct service_config *c, char *buf, size_t size)
{
	struct setting_line l[SETTING_LINES];
	int n = snprintf(buf, size,
			 "# Vocana settings, written by 'vocana set/enable/disable'.\n"
			 "# strength: 0..100 (0 = unchanged input); enabled: false = bypass.\n");

	setting_lines(c, l);
	for (int i = 0; i < SETTING_LINES && n >= 0 && (size_t)n < size; i++) {
		int m = l[i].append ? snprintf(buf + n, size - (size_t)n, "%s = %s\n", l[i].key,
					       l[i].value) : 0;

		n = m < 0 ? m : n + m;
	}
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

/* Append [b, e) to the growing output; out has room for everything (see merge_settings). */
static void put(char **out, const char *b, const char *e)
{
	memcpy(*out, b, (size_t)(e - b));
	*out += e - b;
}

/*
 * The old file's text with the settings' values replaced in place (every occurrence: the last one
 * wins when reading, so all must agree) and any missing one appended as setting_lines() says;
 * every other byte is kept, so comments and the targets survive 'vocana set'. Returns a new
 * buffer or NULL.
 */
static char *merge_settings(const char *old, size_t old_len, const struct service_config *c,
			    size_t *out_len)
{
	struct setting_line l[SETTING_LINES];
	bool seen[SETTING_LINES] = { false }, missing = false;
	const char *p = old, *end = old + old_len;
	size_t n_lines = 1, cap;
	char *buf, *out;

	setting_lines(c, l);
	/* Each replaced value grows by at most the longest value (a node name); the lines
	 * appended need less than that plus their keys, and make_loadable() may append every
	 * line once more. */
	for (const char *q = old; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
		n_lines++;
	cap = old_len + (n_lines + 2 * SETTING_LINES + 1) * (SERVICE_CONFIG_INPUT_MAX + 32);
	buf = malloc(cap);
	out = buf;
	if (buf == NULL)
		return NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl + 1 : end;
		struct config_kv kv;
		const char *value = NULL;

		if (config_split_line(p, nl ? nl : end, &kv) > 0)
			for (int i = 0; i < SETTING_LINES && value == NULL; i++)
				if (config_key_is(&kv, l[i].key)) {
					value = l[i].value;
					seen[i] = true;
				}
		if (value != NULL) {
			put(&out, p, kv.value);
			put(&out, value, value + strlen(value));
			put(&out, kv.value_end, le);
		} else {
			put(&out, p, le);
		}
		p = le;
	}
	for (int i = 0; i < SETTING_LINES; i++)
		missing = missing || (!seen[i] && l[i].append);
	if (missing && out > buf && out[-1] != '\n')
		*out++ = '\n';
	for (int i = 0; i < SETTING_LINES; i++)
		if (!seen[i] && l[i].append)
			out += sprintf(out, "%s = %s\n", l[i].key, l[i].value);
	*out_len = (size_t)(out - buf);
	return buf;
}

/* What a fresh start would read from text: the defaults, then every good line. */
static void load_back(const char *text, size_t len, struct service_config *out)
{
	char err[256];

	service_config_defaults(out);
	(void)service_config_parse(text, len, out, err, sizeof(err));
}

static bool same_settings(const struct service_config *a, const struct service_config *b)
{
	return a->strength == b->strength && a->enabled == b->enabled &&
	       strcmp(a->input, b->input) == 0 && a->mic == b->mic && a->speaker == b->speaker &&
	       a->speaker_strength == b->speaker_strength &&
	       strcmp(a->speaker_output, b->speaker_output) == 0;
}

/*
 * merged (len bytes, room for every setting line once more) must load back as c. When a line
 * the merge cannot repair hides a value (a "strength" line too long to read keeps its old value
 * from counting, say), append the values again: the last line wins when reading. Returns 0 or
 * -EIO if even that does not load back (never seen; better refused than saved wrong).
 */
static int make_loadable(char *merged, size_t *len, const struct service_config *c)
{
	struct service_config back;
	struct setting_line l[SETTING_LINES];
	size_t n = *len;

	load_back(merged, n, &back);
	if (same_settings(&back, c))
		return 0;
	if (n > 0 && merged[n - 1] != '\n')
		merged[n++] = '\n';
	setting_lines(c, l);
	for (int i = 0; i < SETTING_LINES; i++)
		n += (size_t)sprintf(merged + n, "%s = %s\n", l[i].key, l[i].value);
	*len = n;
	load_back(merged, n, &back);
	return same_settings(&back, c) ? 0 : -EIO;
}

int service_config_store(const char *path, const struct service_config *c, char *msg,
			 size_t msg_size)
{
	char dir[4096], fresh[2048], err[256];
	char *old = NULL, *merged;
	size_t old_len = 0, len;
	int n, res;

	if (msg_size > 0)
		msg[0] = '\0';
	if ((res = paths_dirname(path, dir, sizeof(dir))) < 0 || (res = paths_make_dir(dir, 0)) < 0) {
		snprintf(msg, msg_size, "cannot make the directory %s: %s", dir, strerror(-res));
		return res;
	}
	res = config_read_file(path, &old, &old_len, err, sizeof(err));
	if (res == -ENOENT) {
		if ((n = service_config_format(c, fresh, sizeof(fresh))) < 0)
			return n;
		res = safe_output_write_file(path, fresh, (size_t)n, SERVICE_CONFIG_MODE, err,
					     sizeof(err));
		if (res < 0)
			snprintf(msg, msg_size, "%s", err);
		return res;
	}
	if (res < 0) {
		/* Never replace a file we could not read: it may hold the user's lines (or be a
		 * FIFO someone reads from). */
		snprintf(msg, msg_size, "%s: %s, left alone", path, err[0] ? err : strerror(-res));
		return res;
	}
	merged = merge_settings(old, old_len, c, &len);
	if (merged == NULL) {
		free(old);
		return -ENOMEM;
	}
	/* Lines the service cannot read are kept as they are (they may be the user's notes, or
	 * settings of a newer version): say so, since they do nothing. */
	{
		struct service_config scratch;

		service_config_defaults(&scratch);
		if (service_config_parse(old, old_len, &scratch, err, sizeof(err)) < 0)
			snprintf(msg, msg_size, "%s: %s (left as it is, ignored)", path, err);
	}
	free(old);
	if ((res = make_loadable(merged, &len, c)) < 0) {
		snprintf(msg, msg_size, "%s: the new settings would not read back as saved", path);
	} else if ((res = safe_output_write_file(path, merged, len, SERVICE_CONFIG_MODE, err,
						 sizeof(err))) < 0) {
		snprintf(msg, msg_size, "%s", err);
	}
	free(merged);
	return res;
}

int service_config_save(const char *path, const struct service_config *c)
{
	char msg[512];

	return service_config_store(path, c, msg, sizeof(msg));
}
