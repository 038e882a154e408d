/* SPDX-License-Identifier: MIT */
#include "service/metrics_http.h"

#include <stdbool.h>
#include <strings.h>
#include <string.h>

/* Where the head ends (just after the empty line), or NULL. */
static const char *head_end(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return buf + i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return buf + i + 3;
	}
	return NULL;
}

/* Copy the token [p, end) into dst (size bytes with the NUL); false if empty or too long. */
static bool copy_token(const char *p, const char *end, char *dst, size_t size)
{
	size_t n = (size_t)(end - p);

	if (n == 0 || n >= size)
		return false;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return true;
}

enum http_parse_result http_parse_request(const char *buf, size_t len, char method[HTTP_MAX_METHOD],
					  char path[HTTP_MAX_PATH])
{
	const char *end, *line_end, *sp1, *sp2, *q;

	method[0] = path[0] = '\0';
	/* Any NUL or other control byte in the head (besides CR, LF, TAB) is not HTTP. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') || c == 0x7f)
			return HTTP_BAD;
	}
	end = head_end(buf, len);
	if (end == NULL)
		return HTTP_INCOMPLETE;
	line_end = memchr(buf, '\n', (size_t)(end - buf));
	if (line_end > buf && line_end[-1] == '\r')
		line_end--;
	sp1 = memchr(buf, ' ', (size_t)(line_end - buf));
	if (sp1 == NULL)
		return HTTP_BAD;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1));
	if (sp2 == NULL || memchr(sp2 + 1, ' ', (size_t)(line_end - sp2 - 1)) != NULL)
		return HTTP_BAD;
	if ((size_t)(line_end - sp2 - 1) != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) != 0 ||
	    (sp2[8] != '0' && sp2[8] != '1'))
		return HTTP_BAD;
	if (!copy_token(buf, sp1, method, HTTP_MAX_METHOD))
		return HTTP_BAD;
	for (const char *p = buf; p < sp1; p++)
		if (*p < 'A' || *p > 'Z')
			return HTTP_BAD;
	q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
	if (!copy_token(sp1 + 1, q ? q : sp2, path, HTTP_MAX_PATH) || path[0] != '/') {
		method[0] = path[0] = '\0';
		return HTTP_BAD;
	}
	return HTTP_COMPLETE;
}

const char *http_status_text(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 408:
		return "Request Timeout";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	}
	return "Error";
}

void http_format_response(struct text_buf *out, int status, const char *content_type,
			  const char *extra_headers, const char *body, size_t body_len,
			  bool head_only)
{
	text_buf_printf(out,
			"HTTP/1.1 %d %s\r\n"
			"Content-Type: %s\r\n"
			"Content-Length: %zu\r\n"
			"Cache-Control: no-store\r\n"
			"Connection: close\r\n"
			"%s"
			"\r\n",
			status, http_status_text(status), content_type, body_len,
			extra_headers ? extra_headers : "");
	if (!head_only && body_len > 0)
		text_buf_printf(out, "%.*s", (int)body_len, body);
}

static bool ascii_prefix_nocase(const char *p, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - p) >= n && strncasecmp(p, word, n) == 0;
}

bool http_bearer_matches(const char *buf, size_t len, const char *token, size_t token_len)
{
	const char *end = head_end(buf, len), *p;
	bool found = false;
	unsigned char diff = 0;
	size_t n;

	if (end == NULL || token_len == 0)
		return false;
	/* Skip the request line, then look at each header line. */
	for (p = memchr(buf, '\n', (size_t)(end - buf)); p != NULL && p + 1 < end;) {
		const char *line = p + 1, *eol = memchr(line, '\n', (size_t)(end - line));
		const char *v, *ve;

		if (eol == NULL)
			break;
		p = eol;
		if (!ascii_prefix_nocase(line, eol, "authorization:"))
			continue;
		if (found)
			return false; /* two Authorization headers: ambiguous, refused */
		found = true;
		for (v = line + 14; v < eol && (*v == ' ' || *v == '\t'); v++)
			;
		if (!ascii_prefix_nocase(v, eol, "bearer "))
			return false;
		for (v += 7; v < eol && *v == ' '; v++)
			;
		for (ve = eol; ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'); ve--)
			;
		n = (size_t)(ve - v);
		/* Constant time in the token's bytes: every byte is compared, whatever differs. */
		diff = n != token_len;
		for (size_t i = 0; i < token_len; i++)
			diff |= (unsigned char)(token[i] ^ (i < n ? v[i] : 0));
	}
	return found && diff == 0;
}
