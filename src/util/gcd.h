/* SPDX-License-Identifier: MIT */
/*
 * Greatest common divisor, for the sample-count arithmetic of the denoiser (block sizes against
 * the hop) and the plugins (host rates against 48 kHz). Header-only (static inline): the plugins
 * link the installed libvocana and may only use its public API, and libvocana exports nothing
 * beyond that API, so a shared function would have to live in a library of its own.
 */
#ifndef VOCANA_UTIL_GCD_H
#define VOCANA_UTIL_GCD_H

#include <stdint.h>

/* gcd(a, 0) = a, so gcd(0, b) = b and gcd(0, 0) = 0. */
static inline uint32_t gcd_u32(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

#endif /* VOCANA_UTIL_GCD_H */
