/* SPDX-License-Identifier: MIT */
/*
 * PSI memory-pressure reader, parser and level monitor (mempressure.h). Numbers are parsed by
 * hand, not with strtod: strtod follows the process locale, and a service that called setlocale()
 * for its messages would read "1.53" as 1 under a locale with a decimal comma.
 */
#include "engine/mempressure.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* PSI files are two lines of about 55 characters; anything longer than this is not PSI. */
#define MEMPRESSURE_MAX_TEXT 1024

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Unsigned decimal integer, the whole of s[0..n). */
static bool parse_u64(const char *s, size_t n, uint64_t *out)
{
	if (n == 0)
		return false;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return false;
		uint64_t d = (uint64_t)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

/* Percentage "I" or "I.F" (the kernel writes %lu.%02lu), 0 to 100. */
static bool parse_pct(const char *s, size_t n, float *out)
{
	size_t dot = 0;
	while (dot < n && s[dot] != '.')
		dot++;
	uint64_t ip;
	if (!parse_u64(s, dot, &ip) || ip > 100)
		return false;
	double v = (double)ip;
	if (dot < n) {
		size_t nf = n - dot - 1;
		if (nf == 0 || nf > 9)
			return false;
		uint64_t fp;
		if (!parse_u64(s + dot + 1, nf, &fp))
			return false;
		double scale = 1.0;
		for (size_t i = 0; i < nf; i++)
			scale *= 10.0;
		v += (double)fp / scale;
	}
	if (v > 100.0)
		return false;
	*out = (float)v;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The key=value tokens after "some"/"full". */
static bool parse_fields(const char *s, size_t n, struct mempressure_line *out)
{
	enum { AVG10 = 1, AVG60 = 2, AVG300 = 4, TOTAL = 8, ALL = 15 };
	unsigned seen = 0;
	size_t i = 0;
	while (i < n) {
		while (i < n && is_space(s[i]))
			i++;
		if (i == n)
			break;
		size_t start = i;
		while (i < n && !is_space(s[i]))
			i++;
		const char *tok = s + start;
		size_t len = i - start;
		const char *eq = memchr(tok, '=', len);
		if (!eq || eq == tok)
			return false;
		size_t klen = (size_t)(eq - tok);
		const char *val = eq + 1;
		size_t vlen = len - klen - 1;
		unsigned bit = 0;
		bool ok = true;
		if (klen == 5 && memcmp(tok, "avg10", 5) == 0) {
			bit = AVG10;
			ok = parse_pct(val, vlen, &out->avg10_pct);
		} else if (klen == 5 && memcmp(tok, "avg60", 5) == 0) {
			bit = AVG60;
			ok = parse_pct(val, vlen, &out->avg60_pct);
		} else if (klen == 6 && memcmp(tok, "avg300", 6) == 0) {
			bit = AVG300;
			ok = parse_pct(val, vlen, &out->avg300_pct);
		} else if (klen == 5 && memcmp(tok, "total", 5) == 0) {
			bit = TOTAL;
			ok = parse_u64(val, vlen, &out->total_us);
		} /* else: a key a later kernel added; its value is not ours to judge */
		if (!ok || (seen & bit))
			return false;
		seen |= bit;
	}
	return seen == ALL;
}

int mempressure_parse(const char *text, size_t len, struct mempressure_sample *out)
{
	if (!text || !out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	if (len > MEMPRESSURE_MAX_TEXT || memchr(text, '\0', len))
		return -EBADMSG;
	bool has_some = false;
	size_t i = 0;
	while (i < len) {
		const char *line = text + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t n = nl ? (size_t)(nl - line) : len - i;
		i += n + (nl ? 1 : 0);

		size_t w = 0;
		while (w < n && !is_space(line[w]))
			w++;
		struct mempressure_line *dst = NULL;
		bool *flag = NULL;
		if (w == 4 && memcmp(line, "some", 4) == 0) {
			dst = &out->some;
			flag = &has_some;
		} else if (w == 4 && memcmp(line, "full", 4) == 0) {
			dst = &out->full;
			flag = &out->has_full;
		}
		if (!dst)
			continue; /* blank or unknown line */
		if (*flag || !parse_fields(line + w, n - w, dst))
			goto bad;
		*flag = true;
	}
	if (!has_some)
		goto bad;
	return 0;
bad:
	memset(out, 0, sizeof(*out));
	return -EBADMSG;
}

int mempressure_read(const char *path, struct mempressure_sample *out)
{
	if (!out)
		return -EINVAL;
	int fd = open(path ? path : MEMPRESSURE_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ENOTSUP : -errno;
	char buf[MEMPRESSURE_MAX_TEXT + 1];
	size_t got = 0;
	int res = 0;
	while (got < sizeof(buf)) {
		ssize_t r = read(fd, buf + got, sizeof(buf) - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			res = errno == EOPNOTSUPP ? -ENOTSUP : -errno;
			break;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	if (res < 0)
		return res;
	return mempressure_parse(buf, got, out); /* more than the maximum: -EBADMSG */
}

static enum mempressure_level classify_at(const struct mempressure_sample *s, float scale)
{
	if (s->has_full ? s->full.avg10_pct >= MEMPRESSURE_CRITICAL_FULL_PCT * scale
			: s->some.avg10_pct >= MEMPRESSURE_CRITICAL_SOME_PCT * scale)
		return MEMPRESSURE_CRITICAL;
	if (s->some.avg10_pct >= MEMPRESSURE_ELEVATED_SOME_PCT * scale)
		return MEMPRESSURE_ELEVATED;
	return MEMPRESSURE_NORMAL;
}

enum mempressure_level mempressure_classify(const struct mempressure_sample *s)
{
	return s ? classify_at(s, 1.0f) : MEMPRESSURE_NORMAL;
}

void mempressure_monitor_init(struct mempressure_monitor *m)
{
	if (m) {
		m->level = MEMPRESSURE_NORMAL;
		m->calm_polls = 0;
	}
}

enum mempressure_level mempressure_monitor_update(struct mempressure_monitor *m,
						  const struct mempressure_sample *s)
{
	if (!m)
		return MEMPRESSURE_NORMAL;
	if (!s)
		return m->level;
	enum mempressure_level now = classify_at(s, 1.0f);
	if (now > m->level) {
		m->level = now;
		m->calm_polls = 0;
	} else if (classify_at(s, 0.5f) < m->level) {
		if (++m->calm_polls >= MEMPRESSURE_CALM_POLLS) {
			m->level = (enum mempressure_level)(m->level - 1);
			m->calm_polls = 0;
		}
	} else {
		m->calm_polls = 0;
	}
	return m->level;
}

const char *mempressure_level_name(enum mempressure_level level)
{
	switch (level) {
	case MEMPRESSURE_NORMAL:
		return "normal";
	case MEMPRESSURE_ELEVATED:
		return "elevated";
	case MEMPRESSURE_CRITICAL:
		return "critical";
	}
	return "unknown";
}

int mempressure_lock_memory(void)
{
	return mlockall(MCL_CURRENT | MCL_FUTURE) == 0 ? 0 : -errno;
}
