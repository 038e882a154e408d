/* SPDX-License-Identifier: MIT */
/* The Vorbis window (Vorbis I specification, section 4.3.1), chosen over a sine or Hann window
 * because it is power-complementary at 50 % overlap and has lower side lobes than the sine window;
 * and the low-delay pair built from halves of it (see window.h). */
#include <errno.h>
#include <math.h>

#include "dsp/dsp_constants.h"
#include "dsp/window.h"

static const double pi = 3.14159265358979323846;

void window_vorbis(float *w, size_t n)
{
	for (size_t k = 0; k < n; k++) {
		double s = sin(pi * ((double)k + 0.5) / (double)n);
		w[k] = (float)sin(0.5 * pi * s * s);
	}
}

/* Rising half of a Vorbis window of 2 len samples, at position m of [0, len): from ~0 to ~1,
 * and rise(m)^2 + rise(len - 1 - m)^2 = 1 (power-complementary). */
static double vorbis_rise(double m, double len)
{
	double s = sin(0.5 * pi * (m + 0.5) / len);
	return sin(0.5 * pi * s * s);
}

int window_pair(uint32_t delay, float *analysis, float *synthesis)
{
	if (analysis == NULL || synthesis == NULL || delay < WINDOW_DELAY_MIN ||
	    delay > WINDOW_DELAY_MAX)
		return -EINVAL;
	if (delay == VC_HOP) { /* the symmetric pair, computed exactly as it always was */
		window_vorbis(analysis, VC_WIN);
		for (size_t n = 0; n < VC_WIN; n++)
			synthesis[n] = analysis[n];
		return 0;
	}
	const size_t rise = VC_WIN - delay, fade_start = VC_HOP - delay;
	double a[VC_WIN];

	/* Analysis: a long rise (frequency resolution close to the symmetric window's) and a short
	 * fall over the last D samples (the part of the frame the synthesis still overlaps). */
	for (size_t n = 0; n < rise; n++)
		a[n] = vorbis_rise((double)n, (double)rise);
	for (size_t m = 0; m < delay; m++)
		a[rise + m] = vorbis_rise((double)(delay - 1 - m), (double)delay);

	/* Synthesis s chosen so that the products p = a * s of two frames a hop apart sum to one:
	 * p = 0 before fade_start; p = r(m) = rise_D(m)^2 over the next D samples (the new frame
	 * fading in); p = 1 up to the last D samples; p = 1 - r(m) over those (fading out). On the
	 * fall p / a is simply a; wherever we divide, a > 0 (and >= 0.57 for D <= 120). */
	for (size_t n = 0; n < VC_WIN; n++) {
		double s;
		if (n < fade_start) {
			s = 0.0;
		} else if (n < VC_HOP) {
			double r = vorbis_rise((double)(n - fade_start), (double)delay);
			s = r * r / a[n];
		} else if (n < rise) {
			s = 1.0 / a[n];
		} else {
			s = a[n];
		}
		analysis[n] = (float)a[n];
		synthesis[n] = (float)s;
	}
	return 0;
}
