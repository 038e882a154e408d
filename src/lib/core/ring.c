/* SPDX-License-Identifier: MIT */
/* The ring's copies in and out of the caller's buffer (core/ring.h). */
#include "core/ring.h"

#include <string.h>

void ring_write_data(const struct ring *r, void *buf, size_t esz, uint32_t index, const void *src,
		     uint32_t n)
{
	const uint32_t off = ring_slot(r, index), first = n < r->size - off ? n : r->size - off;

	memcpy((char *)buf + (size_t)off * esz, src, (size_t)first * esz);
	if (n > first) /* most copies do not wrap: spare them the second call */
		memcpy(buf, (const char *)src + (size_t)first * esz, (size_t)(n - first) * esz);
}

void ring_read_data(const struct ring *r, const void *buf, size_t esz, uint32_t index, void *dst,
		    uint32_t n)
{
	const uint32_t off = ring_slot(r, index), first = n < r->size - off ? n : r->size - off;

	memcpy(dst, (const char *)buf + (size_t)off * esz, (size_t)first * esz);
	if (n > first)
		memcpy((char *)dst + (size_t)first * esz, buf, (size_t)(n - first) * esz);
}
