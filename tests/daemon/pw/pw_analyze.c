/* SPDX-License-Identifier: MIT */
/*
 * pw_analyze: signals and checks for the PipeWire end-to-end tests (raw mono f32, 48 kHz).
 *
 *   pw_analyze gen OUT.f32 [SECONDS [SEED]]
 *       Speech-like test signal: harmonic "syllables" with gliding pitch and formant-shaped
 *       spectra, over white noise and a 50 Hz hum; 1.5 s of silence first (time for the service
 *       to start a fresh denoiser and for its state to settle) and 0.2 s after.
 *
 *   pw_analyze delay REF.f32 REC.f32 [MIN_CORR]
 *       Find where REF occurs in REC (FFT cross-correlation, REC lagging by 0..1 s) and print
 *       "lag=N corr=C snr_db=S". Exit 1 if corr < MIN_CORR (default: no check).
 *
 *   pw_analyze stats FILE.f32
 *       Print "peak=P rms=R" of the whole file.
 *
 *   pw_analyze music OUT.f32 SECONDS
 *       A music clip: plucked-string chords (Karplus-Strong) over C-Am-F-G at 120 bpm, a
 *       plucked melody, a bass line, a kick drum and noise hi-hats, peaking at 0.5, after 1.5 s
 *       of silence. What someone might play into the Vocana Speaker by mistake.
 *
 *   pw_analyze noisy CLEAN.f32 OUT.f32 SNR_DB [SEED]
 *       CLEAN plus noise (white, a little of it low-passed, and a 50 Hz hum) from 1.5 s on (the
 *       pre-roll stays silent), scaled to SNR_DB against CLEAN's power over its sound: the noisy
 *       speech of the speaker's end-to-end test, with CLEAN as the reference for 'sisdr'.
 *
 *   pw_analyze sisdr REF.f32 REC.f32
 *       REC aligned with REF (as 'delay'), then the scale-invariant SDR of REC against REF over
 *       REF's sound (from its first to its last non-zero sample): "lag=N sisdr_db=S".
 *
 *   pw_analyze channel IN.f32 CHANNELS C OUT.f32
 *       Channel C (0-based) of an interleaved file; pw_analyze interleave OUT.f32 A.f32 B.f32...
 *       the other way round (as long as the shortest input).
 *
 *   pw_analyze impulses OUT.f32 SECONDS [PERIOD_MS]
 *       Single-sample impulses (0.5 full scale) every PERIOD_MS (default 250) ms, nudged by up to
 *       1/8 of the period so no two gaps are alike, after 1.5 s of silence: latency by impulse.
 *
 *   pw_analyze lags REF.f32 REC.f32
 *       For every impulse of REF (|x| > 0.25), where its peak is in REC (searched from the
 *       impulse on, over at most the gap to the next impulse): "impulses=N found=F lag_min=A
 *       lag_max=B lags=L1,L2,..." (F: impulses whose peak is at least half their height; the
 *       lags are of those). At strength 0 the service's output is its input delayed, so every
 *       lag is the delay at that moment of the recording.
 *
 *   pw_analyze offline IN.f32 REC.f32 QUANTUM STRENGTH [MIN_CORR]
 *       Run the real-time engine (inline mode, QUANTUM-sample blocks, the built-in model) over
 *       IN offline and compare with REC, the service's recording of the same input. The service
 *       started its denoiser a whole number of quanta before IN began, which fixes the phase of
 *       its 480-sample frames only modulo gcd(QUANTUM, 480): every possible phase is tried and the
 *       best match printed ("phase=P lag=N corr=C snr_db=S"). Exit 1 if corr < MIN_CORR.
 *
 *   pw_analyze blocks REF.f32 REC.f32 MIN_FRACTION [QUANTUM STRENGTH [MIN_SNR_DB]]
 *       For delays that change while recording (worker mode's adaptive margin moves the output
 *       by whole 480-sample frames): align globally, then match every 100 ms block of REF that is
 *       not silent at the global lag +- k*480 (|k| <= 8) and print the fraction of blocks that
 *       match to within MIN_SNR_DB (default 40 dB) ("blocks=N matched=M fraction=F"). With QUANTUM and STRENGTH, REF
 *       is first run through the engine offline (best phase, as in 'offline'). Exit 1 if the
 *       fraction is below MIN_FRACTION.
 */
#include <errno.h>
#include <fftw3.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_metrics.h"
#include "engine/engine.h"
#include "test_util.h"

#define RATE 48000
#define PREROLL_S 1.5
#define TAIL_S 0.2
#define MAX_LAG (RATE)          /* 1 s: far more than any graph + denoiser delay */
#define ENGINE_SETTLE_S 1.2     /* silence fed before IN offline, as the service saw */

struct signal {
	float *x;
	size_t n;
};

static int load(const char *path, struct signal *s)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (f == NULL) {
		fprintf(stderr, "pw_analyze: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	s->n = size > 0 ? (size_t)size / sizeof(float) : 0;
	s->x = calloc(s->n + 1, sizeof(float));
	if (s->x == NULL || fread(s->x, sizeof(float), s->n, f) != s->n) {
		fprintf(stderr, "pw_analyze: %s: short read\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

/* ---- gen ------------------------------------------------------------------------------------ */

static float formant_gain(float f_hz)
{
	static const float centre[] = { 550.0f, 1600.0f, 2600.0f };
	static const float width[] = { 180.0f, 300.0f, 400.0f };
	float g = 0.05f;

	for (int i = 0; i < 3; i++) {
		float d = (f_hz - centre[i]) / width[i];

		g += expf(-0.5f * d * d) / (float)(i + 1);
	}
	return g;
}

static int cmd_gen(int argc, char **argv)
{
	double seconds = argc > 3 ? atof(argv[3]) : 3.0;
	unsigned seed = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) : 12345u;
	size_t pre = (size_t)(PREROLL_S * RATE), body = (size_t)(seconds * RATE);
	size_t n = pre + body + (size_t)(TAIL_S * RATE);
	float *x = calloc(n, sizeof(float));
	double phase = 0.0;
	size_t t = pre;
	FILE *f;

	if (x == NULL || seconds <= 0)
		return 1;
	fprintf(stderr, "pw_analyze gen: seed %u\n", seed);
	while (t < pre + body) {
		size_t voiced = (size_t)((0.12 + 0.23 * (test_randf(&seed) * 0.5 + 0.5)) * RATE);
		size_t gap = (size_t)((0.05 + 0.20 * (test_randf(&seed) * 0.5 + 0.5)) * RATE);
		float f0a = 110.0f + 60.0f * test_randf(&seed), f0b = f0a + 40.0f * test_randf(&seed);

		for (size_t i = 0; i < voiced && t < pre + body; i++, t++) {
			float u = (float)i / (float)voiced;
			float f0 = f0a + (f0b - f0a) * u, env = sinf((float)M_PI * u);
			float v = 0.0f;

			phase += 2.0 * M_PI * f0 / RATE;
			for (int h = 1; h <= 24 && f0 * (float)h < 8000.0f; h++)
				v += formant_gain(f0 * (float)h) * sinf((float)(phase * h)) / (float)h;
			x[t] = 0.25f * env * env * v;
		}
		t += gap;
	}
	/* Noise over the whole body (not the pre-roll: the service must see true silence first). */
	for (t = pre; t < pre + body; t++)
		x[t] += 0.02f * test_randf(&seed) + 0.01f * sinf(2.0f * (float)M_PI * 50.0f * t / RATE);
	f = fopen(argv[2], "wb");
	if (f == NULL || fwrite(x, sizeof(float), n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "pw_analyze: cannot write %s\n", argv[2]);
		return 1;
	}
	free(x);
	return 0;
}

/* ---- alignment ------------------------------------------------------------------------------ */

struct match {
	long lag;
	double corr, snr_db;
};

/* Best lag in [0, MAX_LAG] of ref inside rec (FFT cross-correlation), then exact statistics. */
static struct match align(const struct signal *ref, const struct signal *rec)
{
	size_t n = 1;
	struct match m = { 0, 0.0, -INFINITY };
	double best = -INFINITY, rr = 0, yy = 0, ry = 0, err = 0;

	while (n < ref->n + rec->n)
		n <<= 1;
	float *a = fftwf_alloc_real(n), *b = fftwf_alloc_real(n);
	fftwf_complex *fa = fftwf_alloc_complex(n / 2 + 1), *fb = fftwf_alloc_complex(n / 2 + 1);
	fftwf_plan pa = fftwf_plan_dft_r2c_1d((int)n, a, fa, FFTW_ESTIMATE);
	fftwf_plan pb = fftwf_plan_dft_r2c_1d((int)n, b, fb, FFTW_ESTIMATE);
	fftwf_plan pi = fftwf_plan_dft_c2r_1d((int)n, fa, a, FFTW_ESTIMATE);

	memset(a, 0, n * sizeof(float));
	memset(b, 0, n * sizeof(float));
	memcpy(a, rec->x, rec->n * sizeof(float));
	memcpy(b, ref->x, ref->n * sizeof(float));
	fftwf_execute(pa);
	fftwf_execute(pb);
	for (size_t k = 0; k < n / 2 + 1; k++) { /* rec * conj(ref) */
		float re = fa[k][0] * fb[k][0] + fa[k][1] * fb[k][1];
		float im = fa[k][1] * fb[k][0] - fa[k][0] * fb[k][1];

		fa[k][0] = re;
		fa[k][1] = im;
	}
	fftwf_execute(pi);
	for (long lag = 0; lag <= MAX_LAG && (size_t)lag < n; lag++)
		if (a[lag] > best) {
			best = a[lag];
			m.lag = lag;
		}
	for (size_t t = 0; t < ref->n; t++) {
		double r = ref->x[t], y = (t + (size_t)m.lag < rec->n) ? rec->x[t + (size_t)m.lag] : 0;

		rr += r * r;
		yy += y * y;
		ry += r * y;
		err += (y - r) * (y - r);
	}
	m.corr = (rr > 0 && yy > 0) ? ry / sqrt(rr * yy) : 0.0;
	m.snr_db = err > 0 ? 10.0 * log10(rr / err) : 300.0;
	fftwf_destroy_plan(pa);
	fftwf_destroy_plan(pb);
	fftwf_destroy_plan(pi);
	fftwf_free(a);
	fftwf_free(b);
	fftwf_free(fa);
	fftwf_free(fb);
	return m;
}

static int check(const struct match *m, double min_corr)
{
	if (m->corr < min_corr) {
		fprintf(stderr, "pw_analyze: correlation %.5f below %.5f\n", m->corr, min_corr);
		return 1;
	}
	return 0;
}

static int cmd_delay(int argc, char **argv)
{
	struct signal ref, rec;
	struct match m;

	if (load(argv[2], &ref) < 0 || load(argv[3], &rec) < 0)
		return 1;
	m = align(&ref, &rec);
	printf("lag=%ld corr=%.6f snr_db=%.2f\n", m.lag, m.corr, m.snr_db);
	free(ref.x);
	free(rec.x);
	return argc > 4 ? check(&m, atof(argv[4])) : 0;
}

/* ---- offline -------------------------------------------------------------------------------- */

static unsigned gcd(unsigned a, unsigned b)
{
	while (b) {
		unsigned t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* The engine's output for `silence` zeros then in, in quantum-sized blocks, minus the zeros. */
static int run_offline(const struct signal *in, unsigned quantum, int strength, size_t silence,
		       struct signal *out)
{
	struct engine_config cfg = {
		.mode = ENGINE_INLINE, .max_block = 8192, .strength = strength, .enabled = true,
	};
	size_t total = silence + in->n;
	float *buf = calloc(total + quantum, sizeof(float));
	struct engine *e;
	int res;

	if (buf == NULL)
		return -ENOMEM;
	memcpy(buf + silence, in->x, in->n * sizeof(float));
	if ((res = engine_create(&cfg, &e)) < 0) {
		free(buf);
		return res;
	}
	for (size_t t = 0; t < total; t += quantum)
		engine_process(e, buf + t, buf + t, quantum);
	engine_destroy(e);
	out->n = in->n;
	out->x = malloc(in->n * sizeof(float));
	if (out->x == NULL) {
		free(buf);
		return -ENOMEM;
	}
	memcpy(out->x, buf + silence, in->n * sizeof(float));
	free(buf);
	return 0;
}

static int cmd_offline(int argc, char **argv)
{
	struct signal in, rec;
	unsigned quantum = (unsigned)atoi(argv[4]);
	int strength = atoi(argv[5]);
	double min_corr = argc > 6 ? atof(argv[6]) : -1.0;
	struct match best = { 0, -2.0, -INFINITY };
	unsigned best_phase = 0, step, n_phases;
	size_t settle;

	if (quantum < 16 || quantum > 8192 || load(argv[2], &in) < 0 || load(argv[3], &rec) < 0)
		return 1;
	step = gcd(quantum, 480);
	n_phases = 480 / step;
	settle = ((size_t)(ENGINE_SETTLE_S * RATE) / quantum + 1) * quantum;
	for (unsigned j = 0; j < n_phases; j++) {
		struct signal y;
		struct match m;

		if (run_offline(&in, quantum, strength, settle + (size_t)j * quantum, &y) < 0)
			return 1;
		m = align(&y, &rec);
		if (m.corr > best.corr) {
			best = m;
			best_phase = (unsigned)(((settle + (size_t)j * quantum)) % 480);
		}
		free(y.x);
	}
	printf("phase=%u lag=%ld corr=%.6f snr_db=%.2f\n", best_phase, best.lag, best.corr,
	       best.snr_db);
	free(in.x);
	free(rec.x);
	return check(&best, min_corr);
}

static int cmd_stats(char **argv)
{
	struct signal x;
	double peak = 0.0, energy = 0.0;

	if (load(argv[2], &x) < 0)
		return 1;
	for (size_t i = 0; i < x.n; i++) {
		energy += (double)x.x[i] * x.x[i];
		if (fabs(x.x[i]) > peak)
			peak = fabs(x.x[i]);
	}
	printf("peak=%.6f rms=%.6f\n", peak, x.n ? sqrt(energy / (double)x.n) : 0.0);
	free(x.x);
	return 0;
}

/* ---- music ---------------------------------------------------------------------------------- */

/* Adds a plucked string (Karplus-Strong: a burst of noise in a delay line of one period,
 * averaged as it circulates) of frequency f, from sample t0 for len samples. */
static void pluck(float *x, size_t n, size_t t0, double f, size_t len, float amp, unsigned *seed)
{
	float line[1024];
	size_t period = (size_t)(RATE / f);

	if (period < 2 || period > 1024)
		return;
	for (size_t i = 0; i < period; i++)
		line[i] = test_randf(seed);
	for (size_t i = 0; i < len && t0 + i < n; i++) {
		size_t k = i % period;

		x[t0 + i] += amp * line[k];
		line[k] = 0.996f * 0.5f * (line[k] + line[(k + 1) % period]);
	}
}

static int cmd_music(char **argv)
{
	static const double chords[4][3] = { { 261.6, 329.6, 392.0 }, { 220.0, 261.6, 329.6 },
					      { 174.6, 220.0, 261.6 }, { 196.0, 246.9, 293.7 } };
	const size_t beat = RATE / 2, pre = (size_t)(PREROLL_S * RATE);
	size_t body = (size_t)(atof(argv[3]) * RATE), n = pre + body;
	float *x = calloc(n + 1, sizeof(float)), peak = 0.0f;
	unsigned seed = 4242u;
	FILE *f;

	if (x == NULL || body == 0)
		return 1;
	for (size_t b = 0; b * beat < body; b++) {
		const double *ch = chords[(b / 4) % 4];
		size_t t0 = pre + b * beat;

		for (int k = 0; k < 3; k++)
			pluck(x, n, t0, ch[k], beat * 3 / 2, 0.12f, &seed);
		pluck(x, n, t0, 2.0 * ch[b % 3], beat, 0.15f, &seed); /* melody */
		for (size_t i = 0; i < beat && t0 + i < n; i++) {
			double u = (double)i / RATE;

			x[t0 + i] += (float)(0.25 * sin(2.0 * M_PI * ch[0] / 2.0 * u) * exp(-3.0 * u));
			if (b % 2 == 0 && u < 0.15) /* kick: a falling sine */
				x[t0 + i] += (float)(0.5 * sin(2.0 * M_PI * (50.0 + 100.0 * exp(-30.0 * u)) * u) *
						     exp(-20.0 * u));
			if (fmod(u, 0.25) < 0.05) /* hi-hat: decaying noise, twice a beat */
				x[t0 + i] += 0.05f * test_randf(&seed) * (float)exp(-80.0 * fmod(u, 0.25));
		}
	}
	for (size_t t = 0; t < n; t++)
		peak = fmaxf(peak, fabsf(x[t]));
	for (size_t t = 0; t < n && peak > 0; t++)
		x[t] *= 0.5f / peak;
	f = fopen(argv[2], "wb");
	if (f == NULL || fwrite(x, sizeof(float), n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "pw_analyze: cannot write %s\n", argv[2]);
		return 1;
	}
	free(x);
	return 0;
}

static int cmd_noisy(int argc, char **argv)
{
	struct signal in;
	double snr_db = atof(argv[4]), ps = 0.0, pn = 0.0, lp = 0.0;
	unsigned seed = argc > 5 ? (unsigned)strtoul(argv[5], NULL, 10) : 4242u;
	size_t pre = (size_t)(PREROLL_S * RATE), first = 0, last = 0;
	float *noise;
	FILE *f;
	int res = 1;

	if (load(argv[2], &in) < 0)
		return 1;
	noise = calloc(in.n + 1, sizeof(float));
	if (noise == NULL)
		return 1;
	for (size_t t = 0; t < in.n; t++)
		if (in.x[t] != 0.0f) {
			if (last == 0)
				first = t;
			last = t + 1;
		}
	for (size_t t = pre; t < in.n; t++) {
		float w = test_randf(&seed);

		lp = 0.95 * lp + 0.05 * w; /* a rumble under the hiss */
		noise[t] = w + 4.0f * (float)lp + 0.5f * sinf(2.0f * (float)M_PI * 50.0f * t / RATE);
	}
	for (size_t t = first; t < last; t++) {
		ps += (double)in.x[t] * in.x[t];
		pn += (double)noise[t] * noise[t];
	}
	if (ps > 0.0 && pn > 0.0) {
		float g = (float)sqrt(ps / pn * pow(10.0, -snr_db / 10.0));

		for (size_t t = 0; t < in.n; t++)
			in.x[t] += g * noise[t];
		f = fopen(argv[3], "wb");
		res = f == NULL || fwrite(in.x, sizeof(float), in.n, f) != in.n || fclose(f) != 0;
		if (res)
			fprintf(stderr, "pw_analyze: cannot write %s\n", argv[3]);
	}
	free(noise);
	free(in.x);
	return res;
}

static int cmd_sisdr(char **argv)
{
	struct signal ref, rec, y;
	size_t first = 0, last = 0;
	struct match m;

	if (load(argv[2], &ref) < 0 || load(argv[3], &rec) < 0)
		return 1;
	m = align(&ref, &rec);
	y.n = ref.n;
	y.x = calloc(ref.n + 1, sizeof(float));
	if (y.x == NULL)
		return 1;
	for (size_t t = 0; t < ref.n && t + (size_t)m.lag < rec.n; t++)
		y.x[t] = rec.x[t + (size_t)m.lag];
	for (size_t t = 0; t < ref.n; t++)
		if (ref.x[t] != 0.0f) {
			if (last == 0)
				first = t;
			last = t + 1;
		}
	printf("lag=%ld sisdr_db=%.2f\n", m.lag, sisdr_db(ref.x, y.x, first, last));
	free(ref.x);
	free(rec.x);
	free(y.x);
	return 0;
}

static int cmd_channel(char **argv)
{
	struct signal in;
	size_t channels = (size_t)atoi(argv[3]), c = (size_t)atoi(argv[4]), n;
	FILE *f;

	if (channels < 1 || c >= channels || load(argv[2], &in) < 0)
		return 1;
	n = in.n / channels;
	for (size_t t = 0; t < n; t++)
		in.x[t] = in.x[t * channels + c];
	f = fopen(argv[5], "wb");
	if (f == NULL || fwrite(in.x, sizeof(float), n, f) != n || fclose(f) != 0)
		return 1;
	free(in.x);
	return 0;
}

static int cmd_interleave(int argc, char **argv)
{
	struct signal in[8];
	size_t channels = (size_t)argc - 3, n = SIZE_MAX;
	float *x;
	FILE *f;

	if (channels < 1 || channels > 8)
		return 1;
	for (size_t c = 0; c < channels; c++) {
		if (load(argv[3 + c], &in[c]) < 0)
			return 1;
		n = in[c].n < n ? in[c].n : n;
	}
	x = malloc((n * channels + 1) * sizeof(float));
	if (x == NULL)
		return 1;
	for (size_t t = 0; t < n; t++)
		for (size_t c = 0; c < channels; c++)
			x[t * channels + c] = in[c].x[t];
	f = fopen(argv[2], "wb");
	if (f == NULL || fwrite(x, sizeof(float), n * channels, f) != n * channels || fclose(f) != 0)
		return 1;
	for (size_t c = 0; c < channels; c++)
		free(in[c].x);
	free(x);
	return 0;
}

/* ---- latency by impulse --------------------------------------------------------------------- */

static int cmd_impulses(int argc, char **argv)
{
	double seconds = atof(argv[3]), period_ms = argc > 4 ? atof(argv[4]) : 250.0;
	size_t pre = (size_t)(PREROLL_S * RATE), n = pre + (size_t)(seconds * RATE);
	size_t period = (size_t)(period_ms * RATE / 1000.0);
	unsigned seed = 777u;
	float *x = calloc(n + 1, sizeof(float));
	FILE *f;

	if (x == NULL || seconds <= 0 || period < 64)
		return 1;
	for (size_t t = pre; t < n; t += period + (size_t)((double)period / 8 * test_randf(&seed)))
		x[t] = 0.5f;
	f = fopen(argv[2], "wb");
	if (f == NULL || fwrite(x, sizeof(float), n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "pw_analyze: cannot write %s\n", argv[2]);
		return 1;
	}
	free(x);
	return 0;
}

static int cmd_lags(char **argv)
{
	struct signal ref, rec;
	size_t n_imp = 0, found = 0;
	long lag_min = 0, lag_max = 0;
	char lags[8192] = "";
	size_t used = 0;

	if (load(argv[2], &ref) < 0 || load(argv[3], &rec) < 0)
		return 1;
	for (size_t t = 0; t < ref.n; t++) {
		size_t next = t + 1, best = t;

		if (fabsf(ref.x[t]) <= 0.25f)
			continue;
		n_imp++;
		while (next < ref.n && fabsf(ref.x[next]) <= 0.25f)
			next++;
		if (next - t > (size_t)MAX_LAG)
			next = t + (size_t)MAX_LAG;
		if (t >= rec.n)
			continue;
		for (size_t u = t; u < next && u < rec.n; u++)
			if (fabsf(rec.x[u]) > fabsf(rec.x[best]))
				best = u;
		if (fabsf(rec.x[best]) >= 0.5f * fabsf(ref.x[t])) {
			long lag = (long)(best - t);

			lag_min = found == 0 || lag < lag_min ? lag : lag_min;
			lag_max = found == 0 || lag > lag_max ? lag : lag_max;
			found++;
			if (used < sizeof(lags) - 16)
				used += (size_t)snprintf(lags + used, sizeof(lags) - used, "%s%ld",
							 used ? "," : "", lag);
		}
	}
	printf("impulses=%zu found=%zu lag_min=%ld lag_max=%ld lags=%s\n", n_imp, found, lag_min,
	       lag_max, lags);
	free(ref.x);
	free(rec.x);
	return 0;
}

/* Fraction of non-silent 100 ms blocks of ref found in rec at lag0 + k * 480, |k| <= 8. */
static double block_match(const struct signal *ref, const struct signal *rec, long lag0,
			  double min_snr_db, unsigned *n_blocks, unsigned *n_matched)
{
	const size_t block = RATE / 10;

	*n_blocks = *n_matched = 0;
	for (size_t b = 0; b + block <= ref->n; b += block) {
		double sig = 0.0, best = -INFINITY;

		for (size_t t = b; t < b + block; t++)
			sig += (double)ref->x[t] * ref->x[t];
		if (sig < 1e-6 * (double)block)
			continue; /* silence matches anything */
		for (long k = -8; k <= 8; k++) {
			long lag = lag0 + k * 480;
			double err = 0.0;

			if (lag < 0 || (size_t)lag + b + block > rec->n)
				continue;
			for (size_t t = b; t < b + block; t++) {
				double d = rec->x[t + (size_t)lag] - ref->x[t];

				err += d * d;
			}
			double snr = 10.0 * log10(sig / (err + 1e-30));
			if (snr > best)
				best = snr;
		}
		(*n_blocks)++;
		if (best >= min_snr_db)
			(*n_matched)++;
	}
	return *n_blocks ? (double)*n_matched / *n_blocks : 0.0;
}

static int cmd_blocks(int argc, char **argv)
{
	struct signal ref, rec, y = { 0 };
	double min_fraction = atof(argv[4]), fraction;
	double min_snr_db = argc >= 8 ? atof(argv[7]) : 40.0;
	unsigned n_blocks, n_matched;
	struct match m;

	if (load(argv[2], &ref) < 0 || load(argv[3], &rec) < 0)
		return 1;
	if (argc >= 7) {
		unsigned quantum = (unsigned)atoi(argv[5]), step, n_phases;
		int strength = atoi(argv[6]);
		size_t settle;
		double best_corr = -2.0;

		if (quantum < 16 || quantum > 8192)
			return 1;
		step = gcd(quantum, 480);
		n_phases = 480 / step;
		settle = ((size_t)(ENGINE_SETTLE_S * RATE) / quantum + 1) * quantum;
		for (unsigned j = 0; j < n_phases; j++) {
			struct signal c;

			if (run_offline(&ref, quantum, strength, settle + (size_t)j * quantum, &c) < 0)
				return 1;
			m = align(&c, &rec);
			if (m.corr > best_corr) {
				best_corr = m.corr;
				free(y.x);
				y = c;
			} else {
				free(c.x);
			}
		}
		free(ref.x);
		ref = y;
	}
	m = align(&ref, &rec);
	fraction = block_match(&ref, &rec, m.lag, min_snr_db, &n_blocks, &n_matched);
	printf("blocks=%u matched=%u fraction=%.3f lag=%ld\n", n_blocks, n_matched, fraction, m.lag);
	free(ref.x);
	free(rec.x);
	if (fraction < min_fraction) {
		fprintf(stderr, "pw_analyze: only %.3f of the blocks match (need %.3f)\n", fraction,
			min_fraction);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "blocks") == 0)
		return cmd_blocks(argc, argv);
	if (argc == 3 && strcmp(argv[1], "stats") == 0)
		return cmd_stats(argv);
	if (argc >= 3 && strcmp(argv[1], "gen") == 0)
		return cmd_gen(argc, argv);
	if (argc >= 4 && strcmp(argv[1], "impulses") == 0)
		return cmd_impulses(argc, argv);
	if (argc == 4 && strcmp(argv[1], "music") == 0)
		return cmd_music(argv);
	if (argc >= 5 && strcmp(argv[1], "noisy") == 0)
		return cmd_noisy(argc, argv);
	if (argc == 4 && strcmp(argv[1], "sisdr") == 0)
		return cmd_sisdr(argv);
	if (argc == 6 && strcmp(argv[1], "channel") == 0)
		return cmd_channel(argv);
	if (argc >= 4 && strcmp(argv[1], "interleave") == 0)
		return cmd_interleave(argc, argv);
	if (argc == 4 && strcmp(argv[1], "lags") == 0)
		return cmd_lags(argv);
	if (argc >= 4 && strcmp(argv[1], "delay") == 0)
		return cmd_delay(argc, argv);
	if (argc >= 6 && strcmp(argv[1], "offline") == 0)
		return cmd_offline(argc, argv);
	fprintf(stderr, "usage: see the comment at the top of pw_analyze.c\n");
	return 2;
}
