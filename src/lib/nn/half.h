/* SPDX-License-Identifier: MIT */
/*
 * IEEE 754 binary16 ("half") to binary32, exactly. Weights that a model file stores as f16 stay
 * f16 in memory (half the bytes to pull from memory each frame: the network's weights don't stay
 * in cache across 10 ms frames) and are widened as the kernels read them; this is the scalar
 * widening used by the reference kernels and the loader, matching F16C's vcvtph2ps and NEON's
 * fcvtl bit for bit (every half is exactly representable as a float).
 */
#ifndef VOCANA_NN_HALF_H
#define VOCANA_NN_HALF_H

#include <stdint.h>
#include <string.h>

static inline float nn_half_to_float(uint16_t h)
{
	const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
	const uint32_t exponent = (h >> 10) & 0x1fu;
	const uint32_t mantissa = h & 0x3ffu;
	uint32_t bits;
	float f;

	if (exponent == 0x1f) { /* Inf, NaN (payload kept, as the hardware does) */
		bits = sign | 0x7f800000u | mantissa << 13;
	} else if (exponent == 0) { /* zero or subnormal: mantissa * 2^-24, exact in a float */
		f = (float)mantissa * 0x1p-24f;
		return sign ? -f : f;
	} else { /* rebias the exponent (15 -> 127), widen the mantissa (10 -> 23 bits) */
		bits = sign | (exponent + 112) << 23 | mantissa << 13;
	}
	memcpy(&f, &bits, sizeof(f));
	return f;
}

/* False for Inf and NaN (all-ones exponent), which the loader rejects. */
static inline int nn_half_is_finite(uint16_t h)
{
	return (h & 0x7c00u) != 0x7c00u;
}

#endif
