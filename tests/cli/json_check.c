/* SPDX-License-Identifier: MIT */
/* Recursive descent over the JSON grammar; nesting is bounded so a hostile input cannot blow the
 * stack. Checks syntax only. */
#include "json_check.h"

#include <string.h>

#define JSON_MAX_DEPTH 64

static bool value(const char **p, int depth);

static void ws(const char **p)
{
	while (**p == ' ' || **p == '\t' || **p == '\n' || **p == '\r')
		(*p)++;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool string(const char **p)
{
	const char *s = *p;

	if (*s++ != '"')
		return false;
	while (*s != '"') {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20)
			return false; /* includes the end of the text */
		if (c == '\\') {
			s++;
			if (*s == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!strchr("0123456789abcdefABCDEF", s[i]) || s[i] == '\0')
						return false;
				s += 5;
				continue;
			}
			if (*s == '\0' || !strchr("\"\\/bfnrt", *s))
				return false;
		}
		s++;
	}
	*p = s + 1;
	return true;
}

static bool number(const char **p)
{
	const char *s = *p;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (is_digit(*s))
		while (is_digit(*s))
			s++;
	else
		return false;
	if (*s == '.') {
		s++;
		if (!is_digit(*s))
			return false;
		while (is_digit(*s))
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!is_digit(*s))
			return false;
		while (is_digit(*s))
			s++;
	}
	*p = s;
	return true;
}

static bool word(const char **p, const char *w)
{
	size_t n = strlen(w);

	if (strncmp(*p, w, n) != 0)
		return false;
	*p += n;
	return true;
}

/* '[' value (',' value)* ']' or '{' string ':' value (',' ...)* '}' */
static bool container(const char **p, int depth, char close)
{
	(*p)++;
	ws(p);
	if (**p == close) {
		(*p)++;
		return true;
	}
	for (;;) {
		ws(p);
		if (close == '}') {
			if (!string(p))
				return false;
			ws(p);
			if (*(*p)++ != ':')
				return false;
		}
		if (!value(p, depth + 1))
			return false;
		ws(p);
		if (**p == ',') {
			(*p)++;
			continue;
		}
		if (**p != close)
			return false;
		(*p)++;
		return true;
	}
}

static bool value(const char **p, int depth)
{
	if (depth > JSON_MAX_DEPTH)
		return false;
	ws(p);
	switch (**p) {
	case '{': return container(p, depth, '}');
	case '[': return container(p, depth, ']');
	case '"': return string(p);
	case 't': return word(p, "true");
	case 'f': return word(p, "false");
	case 'n': return word(p, "null");
	default: return number(p);
	}
}

bool json_is_valid(const char *s)
{
	if (s == NULL || !value(&s, 0))
		return false;
	ws(&s);
	return *s == '\0';
}
