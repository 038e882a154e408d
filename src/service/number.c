/* SPDX-License-Identifier: MIT */
#include "service/number.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

int number_parse_span(const char *b, const char *e, long min, long max, long *out)
{
	bool negative = b < e && *b == '-';
	unsigned long v = 0;
	/* The magnitude's limit: |LONG_MIN| for negative numbers, LONG_MAX otherwise. */
	unsigned long limit = negative ? (unsigned long)LONG_MAX + 1u : (unsigned long)LONG_MAX;
	bool too_big = false;

	if (negative)
		b++;
	if (b == e)
		return -EINVAL;
	for (const char *p = b; p < e; p++) {
		unsigned d;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		d = (unsigned)(*p - '0');
		/* Keep reading after an overflow: "99999999999999999999x" is still not a number. */
		if (too_big || v > (limit - d) / 10u)
			too_big = true;
		else
			v = v * 10u + d;
	}
	if (too_big)
		return -ERANGE;
	if (negative) {
		long n = v == (unsigned long)LONG_MAX + 1u ? LONG_MIN : -(long)v;

		if (n < min || n > max)
			return -ERANGE;
		*out = n;
		return 0;
	}
	if ((long)v < min || (long)v > max)
		return -ERANGE;
	*out = (long)v;
	return 0;
}

int number_parse(const char *s, long min, long max, long *out)
{
	return number_parse_span(s, s + strlen(s), min, max, out);
}
