/* SPDX-License-Identifier: MIT */
/* Pure text helpers of `vocana monitor` (see monitor_text.h). */
#include "cli/monitor/monitor_text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mbuf_init(struct mbuf *b, char *storage, size_t size)
{
	b->text = storage;
	b->size = size;
	b->len = 0;
	b->truncated = false;
	if (size > 0)
		storage[0] = '\0';
}

void mbuf_printf(struct mbuf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room = b->size > b->len ? b->size - b->len : 0;
	int n;

	if (room == 0) {
		b->truncated = true;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(b->text + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->text[b->len] = '\0';
		b->truncated = true;
	} else if ((size_t)n >= room) {
		b->len = b->size - 1;
		b->truncated = true;
	} else {
		b->len += (size_t)n;
	}
}

void mbuf_puts(struct mbuf *b, const char *s)
{
	mbuf_printf(b, "%s", s);
}

void mbuf_putc(struct mbuf *b, char c)
{
	if (b->len + 1 < b->size) {
		b->text[b->len++] = c;
		b->text[b->len] = '\0';
	} else {
		b->truncated = true;
	}
}

void mbuf_json_string(struct mbuf *b, const char *s)
{
	if (s == NULL) {
		mbuf_puts(b, "null");
		return;
	}
	mbuf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			mbuf_puts(b, "\\\"");
			break;
		case '\\':
			mbuf_puts(b, "\\\\");
			break;
		case '\n':
			mbuf_puts(b, "\\n");
			break;
		case '\r':
			mbuf_puts(b, "\\r");
			break;
		case '\t':
			mbuf_puts(b, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				mbuf_printf(b, "\\u%04x", *p);
			else
				mbuf_putc(b, (char)*p);
		}
	}
	mbuf_putc(b, '"');
}

void mbuf_json_number(struct mbuf *b, double v)
{
	if (!isfinite(v))
		mbuf_puts(b, "null");
	else if (v == floor(v) && fabs(v) < 1e15)
		mbuf_printf(b, "%.0f", v);
	else
		mbuf_printf(b, "%.6g", v);
}

static bool logfmt_needs_quotes(const char *s)
{
	if (*s == '\0')
		return true;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f)
			return true;
	return false;
}

void mbuf_logfmt_value(struct mbuf *b, const char *s)
{
	if (s == NULL)
		s = "";
	if (!logfmt_needs_quotes(s)) {
		mbuf_puts(b, s);
		return;
	}
	mbuf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			mbuf_putc(b, '\\');
			mbuf_putc(b, (char)*p);
		} else if (*p < 0x20 || *p == 0x7f) {
			mbuf_putc(b, '?');
		} else {
			mbuf_putc(b, (char)*p);
		}
	}
	mbuf_putc(b, '"');
}

void mbuf_bar(struct mbuf *b, int width, double fraction)
{
	int filled;

	if (width < 1)
		return;
	if (isnan(fraction)) {
		for (int i = 0; i < width; i++)
			mbuf_putc(b, '?');
		return;
	}
	if (fraction < 0.0)
		fraction = 0.0;
	if (fraction > 1.0)
		fraction = 1.0;
	/* Round to the nearest cell, so a full-scale level fills the bar and silence leaves it
	 * empty. */
	filled = (int)lround(fraction * width);
	for (int i = 0; i < width; i++)
		mbuf_putc(b, i < filled ? '#' : '-');
}

double monitor_level_fraction(double dbfs)
{
	if (isnan(dbfs))
		return dbfs;
	return (dbfs - MONITOR_LEVEL_FLOOR_DB) / -MONITOR_LEVEL_FLOOR_DB;
}
