/* SPDX-License-Identifier: MIT */
/* STFT: FFT against a double-precision DFT, perfect reconstruction with a delay of exactly one
 * hop (symmetric window) or D samples (low-delay pairs), the windows' properties, and recovery
 * from NaN/Inf/denormal/huge input. */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dsp/dsp_constants.h"
#include "dsp/stft.h"
#include "dsp/window.h"
#include "test_util.h"

#define PI 3.14159265358979323846
#define N_HOPS 200

static double ref_window(size_t n)
{
	double s = sin(PI * ((double)n + 0.5) / VC_WIN);
	return sin(0.5 * PI * s * s);
}

/* Plain DFT in double of w * frame (the doc's definition of the analysis), with an exact
 * twiddle table indexed by (k * n) mod N. */
static void ref_dft(const float *frame, double *re, double *im)
{
	static double c[VC_WIN], s[VC_WIN];
	double xw[VC_WIN];

	for (size_t n = 0; n < VC_WIN; n++) {
		c[n] = cos(2.0 * PI * (double)n / VC_WIN);
		s[n] = sin(2.0 * PI * (double)n / VC_WIN);
		xw[n] = ref_window(n) * frame[n];
	}
	for (size_t k = 0; k < VC_BINS; k++) {
		double sr = 0.0, si = 0.0;
		for (size_t n = 0; n < VC_WIN; n++) {
			size_t i = (k * n) % VC_WIN;
			sr += xw[n] * c[i];
			si -= xw[n] * s[i];
		}
		re[k] = sr;
		im[k] = si;
	}
}

static void test_window(void)
{
	float w[VC_WIN];
	double worst_pc = 0.0, worst_ref = 0.0;

	window_vorbis(w, VC_WIN);
	for (size_t n = 0; n < VC_HOP; n++) {
		double pc = (double)w[n] * w[n] + (double)w[n + VC_HOP] * w[n + VC_HOP];
		worst_pc = fmax(worst_pc, fabs(pc - 1.0));
	}
	for (size_t n = 0; n < VC_WIN; n++) {
		worst_ref = fmax(worst_ref, fabs(w[n] - ref_window(n)));
		CHECK(w[n] == w[VC_WIN - 1 - n]); /* symmetric */
		CHECK(w[n] > 0.0f && w[n] <= 1.0f);
	}
	CHECK_MSG(worst_pc < 3e-7, "w^2 + w'^2 deviates from 1 by %g", worst_pc);
	CHECK_MSG(worst_ref < 1e-7, "window deviates from the formula by %g", worst_ref);
}

static void test_fft_vs_dft(void)
{
	unsigned seed = 12345;
	struct stft *s = NULL;
	float frame[VC_WIN], spec[2 * VC_BINS];
	double re[VC_BINS], im[VC_BINS];

	CHECK(stft_create(&s, VC_HOP) == 0);
	if (s == NULL)
		return;
	/* Random frames, a bin-centred sine, an off-bin sine and DC: 6 frames. */
	for (int trial = 0; trial < 6; trial++) {
		double sig = 0.0, err = 0.0;

		for (size_t n = 0; n < VC_WIN; n++) {
			switch (trial) {
			case 3: frame[n] = (float)sin(2 * PI * 37 * (double)n / VC_WIN); break;
			case 4: frame[n] = 0.3f * (float)cos(2 * PI * 123.4 * (double)n / VC_WIN + 0.5); break;
			case 5: frame[n] = 0.25f; break;
			default: frame[n] = test_randf(&seed); break;
			}
		}
		/* A fresh history: the frame is the last two hops pushed. */
		stft_reset(s);
		stft_analyze(s, frame, spec);
		stft_analyze(s, frame + VC_HOP, spec);
		ref_dft(frame, re, im);
		for (size_t k = 0; k < VC_BINS; k++) {
			double dr = spec[2 * k] - re[k], di = spec[2 * k + 1] - im[k];
			sig += re[k] * re[k] + im[k] * im[k];
			err += dr * dr + di * di;
		}
		double snr_db = 10.0 * log10(sig / fmax(err, 1e-300));
		CHECK_MSG(snr_db >= 60.0, "trial %d: FFT vs DFT SNR %.1f dB", trial, snr_db);
		/* Imaginary DC and Nyquist are zero for a real signal. */
		CHECK(spec[1] == 0.0f && spec[2 * VC_BINS - 1] == 0.0f);
	}
	stft_destroy(s);
}

/* Run x through analysis + synthesis (window pair of `delay`) with the spectrum unchanged. */
static void roundtrip(const float *x, float *y, size_t n_hops, uint32_t delay)
{
	struct stft *s = NULL;
	float spec[2 * VC_BINS];

	CHECK(stft_create(&s, delay) == 0);
	if (s == NULL)
		return;
	for (size_t t = 0; t < n_hops; t++) {
		stft_analyze(s, x + t * VC_HOP, spec);
		stft_synthesize(s, spec, y + t * VC_HOP);
	}
	stft_destroy(s);
}

/* max |y[n] - x[n - delay]| over n in [delay, len), x = 0 before the start */
static double max_err_at_delay(const float *x, const float *y, size_t len, size_t delay)
{
	double worst = 0.0;

	for (size_t n = 0; n < len; n++) {
		double want = n >= delay ? x[n - delay] : 0.0;
		worst = fmax(worst, fabs(y[n] - want));
	}
	return worst;
}

static void test_perfect_reconstruction(void)
{
	static float x[N_HOPS * VC_HOP], y[N_HOPS * VC_HOP];
	static const uint32_t delays[] = { VC_HOP, 120, WINDOW_DELAY_MIN, 200, VC_HOP - 1 };
	const size_t len = N_HOPS * VC_HOP;
	unsigned seed = 777;

	for (int kind = 0; kind < 3 * 5; kind++) {
		const uint32_t d = delays[kind / 3];
		for (size_t n = 0; n < len; n++) {
			double t = (double)n / VC_SAMPLE_RATE;
			if (kind % 3 == 0)
				x[n] = test_randf(&seed);
			else if (kind % 3 == 1)
				x[n] = (float)(0.8 * sin(2 * PI * 440.0 * t));
			else /* chirp plus noise: no frequency stays put */
				x[n] = (float)(0.5 * sin(2 * PI * (100.0 + 5000.0 * t) * t)) +
				       0.1f * test_randf(&seed);
		}
		for (size_t n = 0; n < len; n++)
			y[n] = -1.0f; /* catch samples that are never written */
		roundtrip(x, y, N_HOPS, d);

		double e = max_err_at_delay(x, y, len, d);
		double e_early = max_err_at_delay(x, y, len, d - 1);
		double e_late = max_err_at_delay(x, y, len, d + 1);
		CHECK_MSG(e < 1e-5, "kind %d: max error at delay %u is %g", kind, d, e);
		/* The delay is exact: one sample either way is far off. */
		CHECK_MSG(e_early > 1e-3 && e_late > 1e-3, "kind %d delay %u: errors at -1/+1: %g %g",
			  kind, d, e_early, e_late);
	}
}

/* Low-delay pairs: analysis x synthesis products of frames a hop apart sum to one (what makes
 * the reconstruction exact), synthesis is zero before 480 - D (so the output is final D samples
 * before the frame's end), the analysis window's energy is that of the symmetric window (the
 * features' scale is unchanged), delay 480 gives the symmetric Vorbis pair, and bad delays fail. */
static void test_window_pairs(void)
{
	static const uint32_t delays[] = { WINDOW_DELAY_MIN, 96, 120, 200, 479, VC_HOP };
	float a[VC_WIN], s[VC_WIN], vorbis[VC_WIN];

	window_vorbis(vorbis, VC_WIN);
	for (size_t i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
		const uint32_t d = delays[i];
		double worst = 0.0, energy = 0.0;
		CHECK(window_pair(d, a, s) == 0);
		for (size_t n = 0; n < VC_HOP; n++) {
			double p = (double)a[n] * s[n] + (double)a[n + VC_HOP] * s[n + VC_HOP];
			worst = fmax(worst, fabs(p - 1.0));
		}
		for (size_t n = 0; n < VC_WIN; n++) {
			energy += (double)a[n] * a[n];
			CHECK(a[n] > 0.0f && a[n] <= 1.0f && isfinite(s[n]) && s[n] >= 0.0f && s[n] < 1.5f);
			if (n < VC_HOP - d)
				CHECK(s[n] == 0.0f);
		}
		CHECK_MSG(worst < 1e-6, "delay %u: products deviate from 1 by %g", d, worst);
		CHECK_MSG(fabs(energy - VC_HOP) < 1e-3, "delay %u: window energy %g", d, energy);
	}
	CHECK(window_pair(VC_HOP, a, s) == 0);
	CHECK(memcmp(a, vorbis, sizeof(a)) == 0 && memcmp(s, vorbis, sizeof(s)) == 0);
	CHECK(window_pair(WINDOW_DELAY_MIN - 1, a, s) == -EINVAL);
	CHECK(window_pair(VC_HOP + 1, a, s) == -EINVAL);
	CHECK(window_pair(120, NULL, s) == -EINVAL && window_pair(120, a, NULL) == -EINVAL);
	struct stft *st = NULL;
	CHECK(stft_create(&st, WINDOW_DELAY_MIN - 1) == -EINVAL && st == NULL);
	CHECK(stft_create(&st, VC_HOP + 1) == -EINVAL && st == NULL);
}

static void test_reset(void)
{
	static float x[10 * VC_HOP];
	float spec_a[2 * VC_BINS], spec_b[2 * VC_BINS], ya[VC_HOP], yb[VC_HOP];
	struct stft *a = NULL, *b = NULL;
	unsigned seed = 99;

	for (size_t n = 0; n < 10 * VC_HOP; n++)
		x[n] = test_randf(&seed);
	CHECK(stft_create(&a, VC_HOP) == 0 && stft_create(&b, VC_HOP) == 0);
	if (a == NULL || b == NULL)
		goto out;
	for (size_t t = 0; t < 5; t++) {
		stft_analyze(a, x + t * VC_HOP, spec_a);
		stft_synthesize(a, spec_a, ya);
	}
	stft_reset(a);
	/* After a reset, a behaves bit for bit like the fresh b. */
	for (size_t t = 5; t < 10; t++) {
		stft_analyze(a, x + t * VC_HOP, spec_a);
		stft_analyze(b, x + t * VC_HOP, spec_b);
		CHECK(memcmp(spec_a, spec_b, sizeof(spec_a)) == 0);
		stft_synthesize(a, spec_a, ya);
		stft_synthesize(b, spec_b, yb);
		CHECK(memcmp(ya, yb, sizeof(ya)) == 0);
	}
out:
	stft_destroy(a);
	stft_destroy(b);
	stft_destroy(NULL); /* no-op */
	CHECK(stft_create(NULL, VC_HOP) < 0);
}

static int all_finite(const float *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return 0;
	return 1;
}

static void test_bad_input(void)
{
	static float x[20 * VC_HOP], y[20 * VC_HOP];
	float spec[2 * VC_BINS];
	struct stft *s = NULL;
	unsigned seed = 4242;

	for (size_t n = 0; n < 20 * VC_HOP; n++)
		x[n] = 0.5f * test_randf(&seed);
	/* Hop 5 is garbage of every kind. */
	for (size_t n = 5 * VC_HOP; n < 6 * VC_HOP; n++) {
		switch (n % 6) {
		case 0: x[n] = NAN; break;
		case 1: x[n] = INFINITY; break;
		case 2: x[n] = -INFINITY; break;
		case 3: x[n] = FLT_MAX; break;
		case 4: x[n] = FLT_MIN / 8.0f; break; /* denormal */
		default: break;
		}
	}
	CHECK(stft_create(&s, VC_HOP) == 0);
	if (s == NULL)
		return;
	for (size_t t = 0; t < 20; t++) {
		stft_analyze(s, x + t * VC_HOP, spec);
		CHECK_MSG(all_finite(spec, 2 * VC_BINS), "hop %zu: non-finite spectrum", t);
		stft_synthesize(s, spec, y + t * VC_HOP);
		CHECK_MSG(all_finite(y + t * VC_HOP, VC_HOP), "hop %zu: non-finite output", t);
	}
	/* Once the bad hop has left both frames that contain it (output hops 6 and 7 overlap it),
	 * reconstruction is exact again. */
	double worst = 0.0;
	for (size_t n = 8 * VC_HOP; n < 20 * VC_HOP; n++)
		worst = fmax(worst, fabs(y[n] - x[n - VC_HOP]));
	CHECK_MSG(worst < 1e-5, "after bad input: max error %g", worst);

	/* A non-finite spectrum handed to synthesis cannot poison the overlap state either. */
	for (size_t k = 0; k < 2 * VC_BINS; k++)
		spec[k] = (k % 3 == 0) ? NAN : (k % 3 == 1) ? INFINITY : -INFINITY;
	stft_synthesize(s, spec, y);
	CHECK(all_finite(y, VC_HOP));
	stft_synthesize(s, spec, y);
	CHECK(all_finite(y, VC_HOP));

	/* Denormal-only input is silence, exactly. */
	stft_reset(s);
	for (size_t n = 0; n < VC_HOP; n++)
		x[n] = (n & 1 ? -1.0f : 1.0f) * FLT_MIN / (float)(2 + n % 7);
	for (int t = 0; t < 3; t++) {
		stft_analyze(s, x, spec);
		stft_synthesize(s, spec, y);
		for (size_t k = 0; k < 2 * VC_BINS; k++)
			CHECK(spec[k] == 0.0f);
		for (size_t n = 0; n < VC_HOP; n++)
			CHECK(y[n] == 0.0f);
	}
	stft_destroy(s);
}

int main(void)
{
	fprintf(stderr, "seeds fixed in each test (12345, 777, 99, 4242)\n");
	RUN_TEST(test_window);
	RUN_TEST(test_fft_vs_dft);
	RUN_TEST(test_perfect_reconstruction);
	RUN_TEST(test_window_pairs);
	RUN_TEST(test_reset);
	RUN_TEST(test_bad_input);
	return test_finish();
}
