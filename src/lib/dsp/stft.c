/* SPDX-License-Identifier: MIT */
/* STFT analysis and overlap-add synthesis on FFTW3 single precision. See stft.h. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "dsp/dsp_constants.h"
#include "dsp/sanitize.h"
#include "dsp/stft.h"
#include "dsp/window.h"

/* We do not set FTZ/DAZ in MXCSR here because that is per-thread state belonging to the caller;
 * sanitising the input (dsp/sanitize.h) keeps denormals out instead. */
#define STFT_TINY VC_SAMPLE_TINY
#define STFT_MAX VC_SAMPLE_MAX

/* Largest spectrum magnitude analysis can produce (every sample at STFT_MAX, window <= 1):
 * synthesis clamps there, so it never alters a spectrum that analysis made. */
#define STFT_SPEC_MAX ((float)VC_WIN * STFT_MAX)

struct stft {
	/* FFTW buffers first: the object is allocated 64-byte aligned, so these are too, and FFTW
	 * may pick its SIMD codelets. The plans are bound to these exact arrays. */
	_Alignas(64) float time[VC_WIN];
	_Alignas(64) fftwf_complex freq[VC_BINS];
	fftwf_plan r2c; /* time -> freq */
	fftwf_plan c2r; /* freq -> time (destroys freq, which we refill every hop) */

	float window[VC_WIN];       /* analysis window */
	float synth_window[VC_WIN]; /* synthesis window / VC_WIN: FFTW's c2r is unnormalised */
	float prev_hop[VC_HOP];     /* previous sanitised input hop: the first half of the frame */
	float overlap[VC_HOP];      /* last `delay` samples of the previous synthesised frame */
	uint32_t delay;             /* algorithmic delay D: the synthesis overlap, in samples */
};

/* FFTW's planner (and plan destruction) uses global state and is not thread-safe; only
 * fftwf_execute is. Denoisers may be created on several threads at once (one per channel, or
 * Python threads calling vocana_dev_analyze), so every planner call in the library goes through
 * this lock. Code outside libvocana that uses FFTW in the same process is not covered. */
static pthread_mutex_t stft_planner_lock = PTHREAD_MUTEX_INITIALIZER;

static inline float stft_sanitize(float v, float max)
{
	return vc_sanitize(v, max);
}

int stft_create(struct stft **out, uint32_t delay)
{
	struct stft *s;
	size_t size = (sizeof(*s) + 63) / 64 * 64; /* aligned_alloc wants a multiple */

	if (out == NULL)
		return -EINVAL;
	*out = NULL;
	if (delay < WINDOW_DELAY_MIN || delay > WINDOW_DELAY_MAX)
		return -EINVAL;

	s = aligned_alloc(64, size);
	if (s == NULL)
		return -ENOMEM;
	memset(s, 0, size);

	s->delay = delay;
	(void)window_pair(delay, s->window, s->synth_window); /* delay checked above */
	for (size_t n = 0; n < VC_WIN; n++)
		s->synth_window[n] /= (float)VC_WIN;

	/* FFTW_ESTIMATE: plans in microseconds, deterministically (no timing runs, so the same
	 * algorithm and hence bit-identical results on every run), and leaves the arrays alone. */
	pthread_mutex_lock(&stft_planner_lock);
	s->r2c = fftwf_plan_dft_r2c_1d(VC_WIN, s->time, s->freq, FFTW_ESTIMATE);
	s->c2r = fftwf_plan_dft_c2r_1d(VC_WIN, s->freq, s->time, FFTW_ESTIMATE);
	pthread_mutex_unlock(&stft_planner_lock);
	if (s->r2c == NULL || s->c2r == NULL)
		goto error;

	*out = s;
	return 0;

error:
	stft_destroy(s);
	return -ENOMEM;
}

void stft_destroy(struct stft *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&stft_planner_lock);
	if (s->r2c != NULL)
		fftwf_destroy_plan(s->r2c);
	if (s->c2r != NULL)
		fftwf_destroy_plan(s->c2r);
	pthread_mutex_unlock(&stft_planner_lock);
	free(s);
}

void stft_reset(struct stft *s)
{
	memset(s->prev_hop, 0, sizeof(s->prev_hop));
	memset(s->overlap, 0, sizeof(s->overlap));
}

void stft_analyze(struct stft *s, const float *hop_in, float *spec)
{
	for (size_t n = 0; n < VC_HOP; n++)
		s->time[n] = s->window[n] * s->prev_hop[n];
	for (size_t n = 0; n < VC_HOP; n++) {
		float x = stft_sanitize(hop_in[n], STFT_MAX);
		s->time[VC_HOP + n] = s->window[VC_HOP + n] * x;
		s->prev_hop[n] = x; /* after the read, so hop_in may alias anything */
	}

	fftwf_execute(s->r2c);

	for (size_t k = 0; k < VC_BINS; k++) {
		spec[2 * k] = s->freq[k][0];
		spec[2 * k + 1] = s->freq[k][1];
	}
}

void stft_synthesize(struct stft *s, const float *spec, float *hop_out)
{
	for (size_t k = 0; k < VC_BINS; k++) {
		s->freq[k][0] = stft_sanitize(spec[2 * k], STFT_SPEC_MAX);
		s->freq[k][1] = stft_sanitize(spec[2 * k + 1], STFT_SPEC_MAX);
	}
	/* A real signal has no imaginary DC or Nyquist part; FFTW's c2r would ignore them anyway,
	 * zeroing makes that explicit and independent of the FFTW version. */
	s->freq[0][1] = 0.0f;
	s->freq[VC_BINS - 1][1] = 0.0f;

	fftwf_execute(s->c2r);

	/* The synthesis window is zero before fade_start: this frame's output starts there, its
	 * first D samples overlap-add with the previous frame's tail, and its last D samples are
	 * kept for the next frame. With D = VC_HOP this is plain 50 % overlap-add. */
	const uint32_t d = s->delay, fade_start = VC_HOP - d, tail = VC_WIN - d;
	for (uint32_t n = 0; n < d; n++)
		hop_out[n] = s->overlap[n] + s->synth_window[fade_start + n] * s->time[fade_start + n];
	for (uint32_t n = d; n < VC_HOP; n++)
		hop_out[n] = s->synth_window[fade_start + n] * s->time[fade_start + n];
	for (uint32_t m = 0; m < d; m++)
		s->overlap[m] = s->synth_window[tail + m] * s->time[tail + m];
}
