/* SPDX-License-Identifier: MIT */
/* The Vorbis window (Vorbis I specification, section 4.3.1), chosen over a sine or Hann window
 * because it is power-complementary at 50 % overlap and has lower side lobes than the sine window. */
#include <math.h>

#include "dsp/window.h"

void window_vorbis(float *w, size_t n)
{
	const double pi = 3.14159265358979323846;

	for (size_t k = 0; k < n; k++) {
		double s = sin(pi * ((double)k + 0.5) / (double)n);
		w[k] = (float)sin(0.5 * pi * s * s);
	}
}
