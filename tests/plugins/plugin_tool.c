/* SPDX-License-Identifier: MIT */
/*
 * plugin_tool: test signals and measurements for the plugin tests that run real hosts
 * (lv2apply, applyplugin, PipeWire's filter-chain).
 *
 *   plugin_tool latency lv2|ladspa PLUGIN.so NAME RATE
 *       Instantiate plugin NAME (LV2 URI or LADSPA label) at RATE as a host would, run it for
 *       0 samples, print the value of its latency port.
 *
 *   plugin_tool mix SPEECH.wav|- RATE CHANNELS PREFIX
 *       A noisy test recording from a speech file (any format libsndfile reads; "-" or a missing
 *       file: synthetic harmonic "speech"), laid out as
 *         0.5 s digital silence | 2 s noise | speech | 1 s noise | speech | 1 s noise | 0.3 s silence
 *       with white-ish noise (one-pole low-passed) and a 50 Hz hum at about 0 dB SNR. Writes
 *       PREFIX.wav (RATE, CHANNELS; channel 2 has other noise and the speech 0.25 s later) and,
 *       at 48 kHz mono raw float for pw_play_record, PREFIX.clean.f32 and PREFIX.noisy.f32.
 *
 *   plugin_tool compare REF.wav OUT.wav LAG [MIN_SNR_DB]
 *       OUT[t + LAG] against REF[t], every channel: "snr_db=S max_diff=M frames=N"; exit 1 when
 *       snr_db < MIN_SNR_DB.
 *
 *   plugin_tool gain CLEAN.f32 NOISY.f32 REC.f32 [MIN_NOISE_DB MIN_SISDR_DB]
 *       REC is NOISY played through a denoiser (48 kHz mono raw float, any delay up to 1 s).
 *       Aligns REC with CLEAN, then prints "lag=L noise_reduction_db=N sisdr_in_db=A
 *       sisdr_out_db=B sisdr_gain_db=G noise_reduction_windows_db=N1,N2,N3": N compares the
 *       level of the noise-only stretches (after 1 s of noise, the time the model's
 *       normalisation takes to settle; N1..N3 each stretch alone) in NOISY and REC; A and B are
 *       the scale-invariant SDR of NOISY and REC against CLEAN over the speech.
 *       Exit 1 below either minimum.
 */
#include <fftw3.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio_metrics.h"
#include "io/resample.h"
#include "plugin_host.h"
#include "test_util.h"

#define RATE 48000
#define MAX_LAG RATE
/* The layout of `mix` (seconds); `gain` measures by it. */
#define LEAD_SILENCE_S 0.5
#define NOISE_FIRST_S 2.0
#define GAP_S 1.0
#define NOISE_LAST_S 1.0
#define TAIL_SILENCE_S 0.3
#define SETTLE_S 1.0      /* noise heard before measuring: the feature normaliser's time constant */
#define EDGE_S 0.2        /* keep speech tails (and the denoiser's release) out of noise windows */
#define STEREO_OFFSET_S 0.25

struct layout {
	size_t n;                 /* total samples */
	size_t speech_len;
	size_t speech_at[2];      /* where the two copies start */
	size_t noise_win[3][2];   /* noise-only measurement windows [begin, end) */
};

static struct layout make_layout(size_t speech_len, size_t rate)
{
	struct layout l = { .speech_len = speech_len };
	size_t t = (size_t)(LEAD_SILENCE_S * rate);
	size_t noise_start = t;

	t += (size_t)(NOISE_FIRST_S * rate);
	l.noise_win[0][0] = noise_start + (size_t)(SETTLE_S * rate);
	l.noise_win[0][1] = t;
	l.speech_at[0] = t;
	t += speech_len;
	l.noise_win[1][0] = t + (size_t)(EDGE_S * rate);
	t += (size_t)(GAP_S * rate);
	l.noise_win[1][1] = t - (size_t)(EDGE_S * rate);
	l.speech_at[1] = t;
	t += speech_len;
	l.noise_win[2][0] = t + (size_t)(EDGE_S * rate);
	t += (size_t)(NOISE_LAST_S * rate);
	l.noise_win[2][1] = t;
	l.n = t + (size_t)(TAIL_SILENCE_S * rate);
	return l;
}

/* ---- files ----------------------------------------------------------------------------------- */

static float *read_raw(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	float *x;
	long size;

	if (f == NULL) {
		perror(path);
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	*n = size > 0 ? (size_t)size / sizeof(float) : 0;
	x = calloc(*n + 1, sizeof(float));
	if (x != NULL && fread(x, sizeof(float), *n, f) != *n) {
		free(x);
		x = NULL;
	}
	fclose(f);
	return x;
}

static int write_raw(const char *path, const float *x, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(x, sizeof(float), n, f) != n || fclose(f) != 0) {
		fprintf(stderr, "plugin_tool: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

/* Whole file, interleaved; *frames, *channels, *rate set. */
static float *read_sound(const char *path, size_t *frames, int *channels, int *rate)
{
	SF_INFO info = { 0 };
	SNDFILE *sf = sf_open(path, SFM_READ, &info);
	float *x;

	if (sf == NULL)
		return NULL;
	x = calloc((size_t)info.frames * (size_t)info.channels + 1, sizeof(float));
	if (x != NULL)
		*frames = (size_t)sf_readf_float(sf, x, info.frames);
	*channels = info.channels;
	*rate = info.samplerate;
	sf_close(sf);
	return x;
}

static int write_wav(const char *path, const float *x, size_t frames, int channels, int rate)
{
	SF_INFO info = { .samplerate = rate, .channels = channels,
			 .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
	SNDFILE *sf = sf_open(path, SFM_WRITE, &info);

	if (sf == NULL || sf_writef_float(sf, x, (sf_count_t)frames) != (sf_count_t)frames) {
		fprintf(stderr, "plugin_tool: cannot write %s\n", path);
		if (sf != NULL)
			sf_close(sf);
		return -1;
	}
	return sf_close(sf) == 0 ? 0 : -1;
}

/* ---- latency ------------------------------------------------------------------------------- */

static int cmd_latency(char **argv)
{
	struct host_plugin p;
	float buf[1] = { 0.0f };

	if (host_load(&p, strcmp(argv[2], "lv2") == 0 ? HOST_LV2 : HOST_LADSPA, argv[3], argv[4]) < 0)
		return 1;
	if (host_instantiate(&p, atof(argv[5])) < 0) {
		fprintf(stderr, "plugin_tool: %s refused %s Hz: %s\n", argv[4], argv[5], host_last_log());
		host_unload(&p);
		return 1;
	}
	host_activate(&p);
	host_run(&p, (float *[]){ buf, buf }, (float *[]){ buf, buf }, 0);
	printf("%.0f\n", p.latency);
	host_unload(&p);
	return 0;
}

/* ---- mix ------------------------------------------------------------------------------------ */

/* Frames collected from a resampler (any channel count). */
struct sink {
	float *x;
	size_t n, cap, ch;
};

static int collect(void *ctx, const float *frames, size_t n)
{
	struct sink *s = ctx;
	return test_append_frames(&s->x, &s->n, &s->cap, s->ch, frames, n);
}

/* Interleaved x (frames of ch) from one rate to another, the whole file at once (the same
 * converter as `vocana denoise`, so lengths and timing match it). NULL on failure. */
static float *resample(const float *x, size_t frames, size_t ch, uint32_t from, uint32_t to,
		       size_t *out_frames)
{
	struct sink s = { NULL, 0, 0, ch };
	struct resampler *r = NULL;

	if (resampler_create(&r, from, to, (uint32_t)ch, RESAMPLER_FILE) < 0)
		return NULL;
	if (resampler_push(r, x, frames, collect, &s) < 0 || resampler_finish(r, collect, &s) < 0) {
		free(s.x);
		s.x = NULL;
	}
	resampler_destroy(r);
	*out_frames = s.n;
	return s.x;
}

/* Mono speech at 48 kHz from a file (its first channel), or synthetic. */
static float *load_speech(const char *path, size_t *n)
{
	size_t frames = 0;
	int ch = 0, rate = 0;
	float *x = strcmp(path, "-") == 0 ? NULL : read_sound(path, &frames, &ch, &rate);

	if (x == NULL) { /* synthetic: 1.4 s of harmonic syllables */
		unsigned seed = 99;
		double phase = 0.0;

		fprintf(stderr, "plugin_tool: no speech file, synthetic speech\n");
		*n = (size_t)(1.4 * RATE);
		x = calloc(*n, sizeof(float));
		for (size_t t = 0; t < *n; t++) {
			double u = (double)t / RATE, f0 = 130.0 + 30.0 * sin(2.0 * M_PI * 2.1 * u);
			double env = fmax(0.0, sin(2.0 * M_PI * 3.0 * u));

			phase += 2.0 * M_PI * f0 / RATE;
			for (int h = 1; h <= 20; h++)
				x[t] += (float)(env * sin(phase * h) / h) * 0.15f;
			x[t] += 0.001f * test_randf(&seed);
		}
		return x;
	}
	for (size_t t = 0; t < frames; t++)
		x[t] = x[t * (size_t)ch]; /* first channel */
	if (rate != RATE) {
		float *y = resample(x, frames, 1, (uint32_t)rate, RATE, n);
		free(x);
		return y;
	}
	*n = frames;
	return x;
}

/* The layout at 48 kHz for one channel: clean (speech only) and noisy (speech + noise). */
static void render(const float *speech, size_t speech_len, size_t offset, unsigned seed,
		   const struct layout *l, float *clean, float *noisy)
{
	const size_t noise_from = (size_t)(LEAD_SILENCE_S * RATE);
	const size_t noise_to = l->n - (size_t)(TAIL_SILENCE_S * RATE);
	float lp = 0.0f;

	memset(clean, 0, l->n * sizeof(float));
	for (int k = 0; k < 2; k++)
		for (size_t t = 0; t < speech_len && l->speech_at[k] + offset + t < noise_to; t++)
			clean[l->speech_at[k] + offset + t] = speech[t];
	for (size_t t = 0; t < l->n; t++) {
		float nz = 0.0f;

		if (t >= noise_from && t < noise_to) {
			lp = 0.7f * lp + 0.3f * test_randf(&seed); /* gently low-passed white noise */
			nz = 0.12f * lp + 0.02f * (float)sin(2.0 * M_PI * 50.0 * (double)t / RATE);
		}
		noisy[t] = clean[t] + nz;
	}
}

static int cmd_mix(char **argv)
{
	const uint32_t rate = (uint32_t)atoi(argv[3]);
	const size_t channels = (size_t)atoi(argv[4]);
	const char *prefix = argv[5];
	size_t speech_len = 0, frames;
	float *speech = load_speech(argv[2], &speech_len);
	float *clean[2] = { NULL, NULL }, *noisy[2] = { NULL, NULL }, *inter, *out;
	char path[4096];
	int res = 0;

	if (speech == NULL || channels < 1 || channels > 2 || rate < 8000 || rate > 384000) {
		fprintf(stderr, "plugin_tool mix: bad arguments or unreadable speech\n");
		return 1;
	}
	struct layout l = make_layout(speech_len, RATE);
	for (size_t c = 0; c < channels; c++) {
		clean[c] = malloc(l.n * sizeof(float));
		noisy[c] = malloc(l.n * sizeof(float));
		render(speech, speech_len, c ? (size_t)(STEREO_OFFSET_S * RATE) : 0,
		       12345u + 777u * (unsigned)c, &l, clean[c], noisy[c]);
	}
	snprintf(path, sizeof(path), "%s.clean.f32", prefix);
	res |= write_raw(path, clean[0], l.n);
	snprintf(path, sizeof(path), "%s.noisy.f32", prefix);
	res |= write_raw(path, noisy[0], l.n);

	inter = malloc(l.n * channels * sizeof(float));
	for (size_t t = 0; t < l.n; t++)
		for (size_t c = 0; c < channels; c++)
			inter[t * channels + c] = noisy[c][t];
	frames = l.n;
	out = rate == RATE ? inter : resample(inter, l.n, channels, RATE, rate, &frames);
	snprintf(path, sizeof(path), "%s.wav", prefix);
	res |= out == NULL ? -1 : write_wav(path, out, frames, (int)channels, (int)rate);
	if (out != inter)
		free(out);
	for (size_t c = 0; c < channels; c++) {
		free(clean[c]);
		free(noisy[c]);
	}
	free(inter);
	free(speech);
	return res ? 1 : 0;
}

/* ---- compare ------------------------------------------------------------------------------- */

static int cmd_compare(int argc, char **argv)
{
	size_t n_ref = 0, n_out = 0, lag = (size_t)atol(argv[4]);
	int ch_ref = 0, ch_out = 0, rate_ref = 0, rate_out = 0;
	float *ref = read_sound(argv[2], &n_ref, &ch_ref, &rate_ref);
	float *out = read_sound(argv[3], &n_out, &ch_out, &rate_out);
	double s = 0.0, e = 0.0, max_diff = 0.0, snr;
	size_t frames = 0;

	if (ref == NULL || out == NULL || ch_ref != ch_out || rate_ref != rate_out) {
		fprintf(stderr, "plugin_tool compare: unreadable files or different formats\n");
		return 1;
	}
	for (size_t t = 0; t + lag < n_out && t < n_ref; t++, frames++)
		for (int c = 0; c < ch_ref; c++) {
			double r = ref[t * (size_t)ch_ref + (size_t)c];
			double d = out[(t + lag) * (size_t)ch_ref + (size_t)c] - r;

			s += r * r;
			e += d * d;
			max_diff = fmax(max_diff, fabs(d));
		}
	snr = e > 0.0 ? 10.0 * log10(s / e) : 300.0;
	printf("snr_db=%.2f max_diff=%.3g frames=%zu\n", snr, max_diff, frames);
	free(ref);
	free(out);
	if (frames == 0 || (argc > 5 && snr < atof(argv[5]))) {
		fprintf(stderr, "plugin_tool compare: %.2f dB is below %s dB\n", snr,
			argc > 5 ? argv[5] : "?");
		return 1;
	}
	return 0;
}

/* ---- gain ----------------------------------------------------------------------------------- */

/* Lag in [0, MAX_LAG] maximising sum ref[t] * rec[t + lag]: cross-correlation by FFT
 * (rec * conj(ref) in the frequency domain), seconds of audio in milliseconds. */
static size_t align(const float *ref, size_t n_ref, const float *rec, size_t n_rec)
{
	size_t n = 1, arg = 0;
	float best = -INFINITY;

	while (n < n_ref + n_rec)
		n <<= 1;
	float *a = fftwf_alloc_real(n), *b = fftwf_alloc_real(n);
	fftwf_complex *fa = fftwf_alloc_complex(n / 2 + 1), *fb = fftwf_alloc_complex(n / 2 + 1);
	fftwf_plan pa = fftwf_plan_dft_r2c_1d((int)n, a, fa, FFTW_ESTIMATE);
	fftwf_plan pb = fftwf_plan_dft_r2c_1d((int)n, b, fb, FFTW_ESTIMATE);
	fftwf_plan pi = fftwf_plan_dft_c2r_1d((int)n, fa, a, FFTW_ESTIMATE);

	memset(a, 0, n * sizeof(float));
	memset(b, 0, n * sizeof(float));
	memcpy(a, rec, n_rec * sizeof(float));
	memcpy(b, ref, n_ref * sizeof(float));
	fftwf_execute(pa);
	fftwf_execute(pb);
	for (size_t k = 0; k < n / 2 + 1; k++) {
		float re = fa[k][0] * fb[k][0] + fa[k][1] * fb[k][1];
		float im = fa[k][1] * fb[k][0] - fa[k][0] * fb[k][1];

		fa[k][0] = re;
		fa[k][1] = im;
	}
	fftwf_execute(pi);
	for (size_t lag = 0; lag <= MAX_LAG && lag < n; lag++)
		if (a[lag] > best) {
			best = a[lag];
			arg = lag;
		}
	fftwf_destroy_plan(pa);
	fftwf_destroy_plan(pb);
	fftwf_destroy_plan(pi);
	fftwf_free(a);
	fftwf_free(b);
	fftwf_free(fa);
	fftwf_free(fb);
	return arg;
}

static int cmd_gain(int argc, char **argv)
{
	size_t n_clean, n_noisy, n_rec, lag;
	float *clean = read_raw(argv[2], &n_clean), *noisy = read_raw(argv[3], &n_noisy);
	float *rec = read_raw(argv[4], &n_rec), *y;
	double e_in = 0.0, e_out = 0.0, nr, s_in, s_out;
	size_t speech_len;
	int res = 0;

	if (clean == NULL || noisy == NULL || rec == NULL || n_clean != n_noisy) {
		fprintf(stderr, "plugin_tool gain: unreadable or mismatched files\n");
		return 1;
	}
	/* Recover the layout from the file length (mix wrote it): two copies of the speech. */
	speech_len = (n_clean - make_layout(0, RATE).n) / 2;
	struct layout l = make_layout(speech_len, RATE);
	if (l.n != n_clean) {
		fprintf(stderr, "plugin_tool gain: %s is not a 'mix' file\n", argv[2]);
		return 1;
	}
	lag = align(clean, n_clean, rec, n_rec);
	y = calloc(n_clean, sizeof(float));
	for (size_t t = 0; t < n_clean && t + lag < n_rec; t++)
		y[t] = rec[t + lag];
	double nr_win[3];
	for (int w = 0; w < 3; w++) {
		double wi = 0.0, wo = 0.0;

		for (size_t t = l.noise_win[w][0]; t < l.noise_win[w][1]; t++) {
			wi += (double)noisy[t] * noisy[t];
			wo += (double)y[t] * y[t];
		}
		nr_win[w] = 10.0 * log10(wi / fmax(wo, 1e-30));
		e_in += wi;
		e_out += wo;
	}
	nr = 10.0 * log10(e_in / fmax(e_out, 1e-30));
	s_in = 0.5 * (sisdr_db(clean, noisy, l.speech_at[0], l.speech_at[0] + speech_len) +
		      sisdr_db(clean, noisy, l.speech_at[1], l.speech_at[1] + speech_len));
	s_out = 0.5 * (sisdr_db(clean, y, l.speech_at[0], l.speech_at[0] + speech_len) +
		       sisdr_db(clean, y, l.speech_at[1], l.speech_at[1] + speech_len));
	printf("lag=%zu noise_reduction_db=%.2f sisdr_in_db=%.2f sisdr_out_db=%.2f "
	       "sisdr_gain_db=%.2f noise_reduction_windows_db=%.1f,%.1f,%.1f\n", lag, nr, s_in, s_out,
	       s_out - s_in, nr_win[0], nr_win[1], nr_win[2]);
	if (argc > 6 && (nr < atof(argv[5]) || s_out - s_in < atof(argv[6]))) {
		fprintf(stderr, "plugin_tool gain: not denoised enough (need %s dB noise reduction "
				"and %s dB SI-SDR gain)\n", argv[5], argv[6]);
		res = 1;
	}
	free(clean);
	free(noisy);
	free(rec);
	free(y);
	return res;
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "latency") == 0)
		return cmd_latency(argv);
	if (argc == 6 && strcmp(argv[1], "mix") == 0)
		return cmd_mix(argv);
	if (argc >= 5 && strcmp(argv[1], "compare") == 0)
		return cmd_compare(argc, argv);
	if (argc >= 5 && strcmp(argv[1], "gain") == 0)
		return cmd_gain(argc, argv);
	fprintf(stderr, "usage: see the comment at the top of plugin_tool.c\n");
	return 2;
}
