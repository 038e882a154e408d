/* SPDX-License-Identifier: MIT */
/*
 * The built LV2 and LADSPA plugin files, called through their descriptors the way a host calls
 * them (tests/plugins/plugin_host.c loads them with dlopen()):
 *   - descriptors: URIs, labels, IDs, ports, hints, properties; nothing else exported;
 *   - the output is vocana_denoiser's on the same input (block size 0), sample for sample, at
 *     the reported latency, for blocks of 1, 7, 480 and 8192 samples, mono and both stereo
 *     channels; at 44.1 kHz it is the 48 kHz denoiser between the same converters `vocana
 *     denoise` uses, at the reported latency;
 *   - strength and enable: applied at once before the first run (a restored session), with the
 *     denoiser's own glide and crossfade afterwards, clamped, NaN ignored;
 *   - NaN/Inf/huge input gives finite output; in-place and crossed buffers; activate() again
 *     starts from scratch; a rate outside 8..384 kHz is refused with a message.
 * Usage: test_plugin_descriptors LV2_SO LADSPA_SO ("-" for one that was not built).
 */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ladspa.h>
#include <lv2/core/lv2.h>

#include "io/resample.h"
#include "plugin_host.h"
#include "test_util.h"
#include "vocana/vocana.h"

#define RATE 48000
#define LV2_MONO "urn:vocana:lv2:vocana#mono"
#define LV2_STEREO "urn:vocana:lv2:vocana#stereo"

static const char *lv2_file, *ladspa_file;

/* Speech-like bursts (harmonics with a gliding pitch) over white noise and hum, between 0.1 s of
 * silence at each end: an offline reference cuts its converters' and denoiser's output off at
 * both ends of the file, a plugin keeps streaming, and silence there makes both the same. */
static float *make_noisy(uint32_t rate, size_t n, unsigned seed)
{
	float *x = calloc(n, sizeof(float));
	const size_t lead = rate / 10;
	double phase = 0.0;

	for (size_t t = lead; t + lead < n; t++) {
		double u = (double)(t - lead) / rate;
		double f0 = 120.0 + 40.0 * sin(2.0 * M_PI * 0.7 * u);
		double env = fmax(0.0, sin(2.0 * M_PI * 1.3 * u));
		float v = 0.0f;

		phase += 2.0 * M_PI * f0 / rate;
		for (int h = 1; h <= 12 && f0 * h < 0.4 * rate; h++)
			v += (float)(sin(phase * h) / h);
		x[t] = 0.2f * (float)(env * env) * v + 0.03f * test_randf(&seed) +
		       0.01f * (float)sin(2.0 * M_PI * 50.0 * (double)t / rate);
	}
	return x;
}

/* vocana_denoiser (block size 0, its own default model) over x: what the plugin should output. */
static float *reference(const float *x, size_t n, int strength, bool bypass)
{
	struct vocana_denoiser *d = NULL;
	float *y = malloc(n * sizeof(float));

	CHECK(vocana_denoiser_create(NULL, 0, &d) == 0);
	vocana_denoiser_set_strength(d, strength);
	vocana_denoiser_set_bypass(d, bypass);
	vocana_denoiser_reset(d); /* no glide from the defaults, as the plugin's first run */
	vocana_denoiser_process(d, x, y, n);
	vocana_denoiser_destroy(d);
	return y;
}

static uint32_t reference_latency(void)
{
	struct vocana_denoiser *d = NULL;
	uint32_t lat;

	CHECK(vocana_denoiser_create(NULL, 0, &d) == 0);
	lat = vocana_denoiser_latency_samples(d);
	vocana_denoiser_destroy(d);
	return lat;
}

/* Run a loaded plugin over every channel's input in blocks of `block` (0: one call). */
static void run_all(struct host_plugin *p, float **in, float **out, size_t n, size_t block)
{
	if (block == 0)
		block = n;
	for (size_t i = 0; i < n; i += block) {
		size_t m = n - i < block ? n - i : block;
		float *pi[2] = { in[0] + i, p->n_channels > 1 ? in[1] + i : NULL };
		float *po[2] = { out[0] + i, p->n_channels > 1 ? out[1] + i : NULL };
		host_run(p, pi, po, m);
	}
}

static bool all_finite(const float *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isfinite(y[i]))
			return false;
	return true;
}

static size_t first_difference(const float *a, const float *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return i;
	return n;
}

/* ---- descriptors ----------------------------------------------------------------------------- */

static void test_lv2_descriptors(void)
{
	void *lib = dlopen(lv2_file, RTLD_NOW | RTLD_LOCAL);
	LV2_Descriptor_Function fn;

	CHECK(lib != NULL);
	if (lib == NULL)
		return;
	host_entry(lib, "lv2_descriptor", &fn, sizeof(fn));
	CHECK(fn != NULL);
	if (fn != NULL) {
		CHECK(fn(0) != NULL && strcmp(fn(0)->URI, LV2_MONO) == 0);
		CHECK(fn(1) != NULL && strcmp(fn(1)->URI, LV2_STEREO) == 0);
		CHECK(fn(2) == NULL);
		CHECK(fn(0) != NULL && fn(0)->extension_data("urn:nothing") == NULL);
	}
	/* Only the entry point is exported: the core stays private. */
	CHECK(dlsym(lib, "vp_instance_create") == NULL);
	CHECK(dlsym(lib, "ladspa_descriptor") == NULL);
	dlclose(lib);
}

static void test_ladspa_descriptors(void)
{
	void *lib = dlopen(ladspa_file, RTLD_NOW | RTLD_LOCAL);
	LADSPA_Descriptor_Function fn;

	CHECK(lib != NULL);
	if (lib == NULL)
		return;
	host_entry(lib, "ladspa_descriptor", &fn, sizeof(fn));
	CHECK(fn != NULL);
	CHECK(dlsym(lib, "vp_instance_create") == NULL);
	CHECK(dlsym(lib, "lv2_descriptor") == NULL);
	for (unsigned long i = 0; fn != NULL && i < 2; i++) {
		const LADSPA_Descriptor *d = fn(i);
		const unsigned long n_ch = i + 1, s = 2 * n_ch;

		CHECK(d != NULL);
		if (d == NULL)
			continue;
		CHECK(d->UniqueID == 5656387UL + i && d->UniqueID < 0x1000000UL);
		CHECK(strcmp(d->Label, i ? "vocana_stereo" : "vocana_mono") == 0);
		CHECK(LADSPA_IS_HARD_RT_CAPABLE(d->Properties));
		CHECK(!LADSPA_IS_INPLACE_BROKEN(d->Properties));
		CHECK(!LADSPA_IS_REALTIME(d->Properties)); /* no real-time dependency */
		CHECK(d->PortCount == 2 * n_ch + 3);
		for (unsigned long c = 0; c < n_ch; c++) {
			CHECK(d->PortDescriptors[c] == (LADSPA_PORT_INPUT | LADSPA_PORT_AUDIO));
			CHECK(d->PortDescriptors[n_ch + c] == (LADSPA_PORT_OUTPUT | LADSPA_PORT_AUDIO));
		}
		CHECK(strcmp(d->PortNames[s], "Strength") == 0);
		CHECK(d->PortRangeHints[s].LowerBound == 0.0f);
		CHECK(d->PortRangeHints[s].UpperBound == 100.0f);
		CHECK(LADSPA_IS_HINT_INTEGER(d->PortRangeHints[s].HintDescriptor));
		CHECK(LADSPA_IS_HINT_DEFAULT_MAXIMUM(d->PortRangeHints[s].HintDescriptor));
		CHECK(strcmp(d->PortNames[s + 1], "Enable") == 0);
		CHECK(LADSPA_IS_HINT_TOGGLED(d->PortRangeHints[s + 1].HintDescriptor));
		CHECK(LADSPA_IS_HINT_DEFAULT_1(d->PortRangeHints[s + 1].HintDescriptor));
		/* The name LADSPA hosts look for to learn a plugin's delay. */
		CHECK(strcmp(d->PortNames[s + 2], "latency") == 0);
		CHECK(d->PortDescriptors[s + 2] == (LADSPA_PORT_OUTPUT | LADSPA_PORT_CONTROL));
		CHECK(d->run_adding == NULL && d->set_run_adding_gain == NULL);
	}
	CHECK(fn == NULL || fn(2) == NULL);
	dlclose(lib);
}

/* ---- the output is the denoiser's ---------------------------------------------------------- */

/* Every plugin, 48 kHz, blocks of 1, 7, 480, 8192: exactly vocana_denoiser's output. */
static void test_matches_denoiser(void)
{
	static const size_t blocks[] = { 1, 7, 480, 8192 };
	const size_t n = RATE; /* 1 s */
	float *x[2] = { make_noisy(RATE, n, 11), make_noisy(RATE, n, 22) };
	float *ref[2] = { reference(x[0], n, 100, false), reference(x[1], n, 100, false) };
	const uint32_t lat = reference_latency();
	struct { enum host_api api; const char *file, *name; } plugins[] = {
		{ HOST_LV2, lv2_file, LV2_MONO }, { HOST_LV2, lv2_file, LV2_STEREO },
		{ HOST_LADSPA, ladspa_file, "vocana_mono" },
		{ HOST_LADSPA, ladspa_file, "vocana_stereo" },
	};

	CHECK(lat == 599); /* embedded model: delay 120 + 480 - 1 at sample granularity */
	for (size_t k = 0; k < sizeof(plugins) / sizeof(plugins[0]); k++) {
		struct host_plugin p;

		if (host_load(&p, plugins[k].api, plugins[k].file, plugins[k].name) < 0) {
			CHECK(0);
			continue;
		}
		CHECK(host_instantiate(&p, RATE) == 0);
		for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]) && p.handle; b++) {
			float *y[2] = { malloc(n * sizeof(float)), malloc(n * sizeof(float)) };

			for (size_t i = 0; i < n; i++)
				y[0][i] = y[1][i] = -1.0f; /* unwritten output would show */
			host_activate(&p);
			run_all(&p, x, y, n, blocks[b]);
			CHECK_MSG(p.latency == (float)lat, "%s: latency port %g, denoiser %u",
				  p.name, p.latency, lat);
			for (uint32_t c = 0; c < p.n_channels; c++) {
				size_t at = first_difference(y[c], ref[c], n);
				CHECK_MSG(at == n, "%s, blocks of %zu, channel %u: differs from "
						   "vocana_denoiser from sample %zu (%g vs %g)",
					  p.name, blocks[b], c, at, at < n ? y[c][at] : 0.0,
					  at < n ? ref[c][at] : 0.0);
			}
			host_deactivate(&p);
			free(y[0]);
			free(y[1]);
		}
		host_unload(&p);
	}
	for (int c = 0; c < 2; c++) {
		free(x[c]);
		free(ref[c]);
	}
}

static int collect(void *ctx, const float *frames, size_t n)
{
	struct { float *x; size_t n, cap; } *s = ctx;
	return test_append_frames(&s->x, &s->n, &s->cap, 1, frames, n);
}

/* x at rate -> 48 kHz -> vocana_denoiser -> drop its latency -> rate: aligned with x, as
 * `vocana denoise` does it (src/cli/pipeline.c). */
static float *reference_resampled(const float *x, size_t n, uint32_t rate)
{
	struct { float *x; size_t n, cap; } up = { 0 }, down = { 0 };
	struct resampler *r = NULL;
	struct vocana_denoiser *d = NULL;
	uint32_t lat;
	float *y48, *y;

	CHECK(resampler_create(&r, rate, RATE, 1, RESAMPLER_FILE) == 0);
	CHECK(resampler_push(r, x, n, collect, &up) == 0);
	CHECK(resampler_finish(r, collect, &up) == 0);
	resampler_destroy(r);
	CHECK(vocana_denoiser_create(NULL, 0, &d) == 0);
	lat = vocana_denoiser_latency_samples(d);
	y48 = calloc(up.n + lat, sizeof(float));
	memcpy(y48, up.x, up.n * sizeof(float));
	vocana_denoiser_process(d, y48, y48, up.n + lat);
	vocana_denoiser_destroy(d);
	CHECK(resampler_create(&r, RATE, rate, 1, RESAMPLER_FILE) == 0);
	CHECK(resampler_push(r, y48 + lat, up.n, collect, &down) == 0);
	CHECK(resampler_finish(r, collect, &down) == 0);
	resampler_destroy(r);
	y = calloc(n, sizeof(float));
	memcpy(y, down.x, (down.n < n ? down.n : n) * sizeof(float));
	free(up.x);
	free(down.x);
	free(y48);
	return y;
}

/* 44.1 kHz: the 48 kHz denoiser between the converters, at exactly the reported latency. */
static void test_matches_at_44k(void)
{
	static const size_t blocks[] = { 1, 7, 480, 8192 };
	const uint32_t rate = 44100;
	const size_t n = rate;
	float *x = make_noisy(rate, n, 33);
	float *ref = reference_resampled(x, n, rate);
	struct { enum host_api api; const char *file, *name; } plugins[] = {
		{ HOST_LV2, lv2_file, LV2_MONO }, { HOST_LADSPA, ladspa_file, "vocana_mono" },
	};

	for (size_t k = 0; k < 2; k++) {
		struct host_plugin p;

		if (host_load(&p, plugins[k].api, plugins[k].file, plugins[k].name) < 0 ||
		    host_instantiate(&p, rate) < 0) {
			CHECK(0);
			host_unload(&p);
			continue;
		}
		for (size_t b = 0; b < sizeof(blocks) / sizeof(blocks[0]); b++) {
			size_t lat, total;
			float *in, *y;
			double s = 0.0, e = 0.0;

			host_activate(&p);
			host_run(&p, (float *[]){ x }, (float *[]){ x }, 0); /* hosts may: latency only */
			lat = (size_t)p.latency;
			total = n + lat; /* run past the end so the last input comes out */
			in = calloc(total, sizeof(float));
			y = malloc(total * sizeof(float));
			memcpy(in, x, n * sizeof(float));
			run_all(&p, (float *[]){ in, NULL }, (float *[]){ y, NULL }, total, blocks[b]);
			CHECK(all_finite(y, total));
			for (size_t t = 0; t < n; t++) {
				double d = (double)y[t + lat] - ref[t];
				s += (double)ref[t] * ref[t];
				e += d * d;
			}
			double snr = e > 0 ? 10.0 * log10(s / e) : 300.0;
			if (b == 0)
				fprintf(stderr, "# %s at 44.1 kHz: latency %zu, vs vocana_denoiser between "
						"converters %.1f dB\n", p.name, lat, snr);
			CHECK_MSG(snr >= 100.0, "%s, blocks of %zu: %.1f dB from the reference at "
						"latency %zu", p.name, blocks[b], snr, lat);
			free(in);
			free(y);
		}
		host_unload(&p);
	}
	free(x);
	free(ref);
}

/* ---- controls ------------------------------------------------------------------------------ */

/* Controls set before the first run() apply from its first sample, as when a host restores a
 * session; later changes glide (strength) and crossfade (enable) exactly as the denoiser does
 * when its setters are called at the same point. */
static void test_controls(void)
{
	const size_t n = RATE, half = 24000; /* a multiple of every block size used below */
	float *x = make_noisy(RATE, n, 44);
	const char *files[] = { lv2_file, ladspa_file };
	const char *names[] = { LV2_MONO, "vocana_mono" };

	for (int k = 0; k < 2; k++) {
		struct host_plugin p;
		float *y = malloc(n * sizeof(float)), *ref;
		struct vocana_denoiser *d = NULL;

		if (host_load(&p, k ? HOST_LADSPA : HOST_LV2, files[k], names[k]) < 0 ||
		    host_instantiate(&p, RATE) < 0) {
			CHECK(0);
			host_unload(&p);
			free(y);
			continue;
		}
		/* Restored values: strength 30, then disabled. */
		p.strength = 30.0f;
		host_activate(&p);
		run_all(&p, &x, &y, n, 256);
		ref = reference(x, n, 30, false);
		CHECK_MSG(first_difference(y, ref, n) == n, "%s: strength 30 from the start", p.name);
		free(ref);
		p.enable = 0.0f;
		host_activate(&p);
		run_all(&p, &x, &y, n, 256);
		ref = reference(x, n, 30, true);
		CHECK_MSG(first_difference(y, ref, n) == n, "%s: disabled from the start", p.name);
		for (size_t t = 599; t < n; t++) /* disabled: the input, delayed, bit for bit */
			if (y[t] != x[t - 599]) {
				CHECK_MSG(0, "%s: disabled output is not the delayed input at %zu", p.name, t);
				break;
			}
		free(ref);

		/* Changes mid-stream: strength 100 -> 20 at `half`, disable at 3/4, out-of-range and
		 * NaN values in between (clamped / ignored). */
		p.strength = 100.0f;
		p.enable = 1.0f;
		host_activate(&p);
		CHECK(vocana_denoiser_create(NULL, 0, &d) == 0);
		ref = malloc(n * sizeof(float));
		run_all(&p, &x, &y, half, 480);
		vocana_denoiser_process(d, x, ref, half);
		p.strength = 20.0f;
		vocana_denoiser_set_strength(d, 20);
		run_all(&p, (float *[]){ x + half }, (float *[]){ y + half }, half / 2, 7 * 480);
		vocana_denoiser_process(d, x + half, ref + half, half / 2);
		p.strength = NAN; /* ignored: stays 20 */
		p.enable = NAN;
		run_all(&p, (float *[]){ x + 3 * half / 2 }, (float *[]){ y + 3 * half / 2 }, 480, 1);
		vocana_denoiser_process(d, x + 3 * half / 2, ref + 3 * half / 2, 480);
		p.enable = 0.0f;
		p.strength = 150.0f; /* clamped to 100 (and gliding there under the crossfade) */
		vocana_denoiser_set_bypass(d, true);
		vocana_denoiser_set_strength(d, 100);
		run_all(&p, (float *[]){ x + 3 * half / 2 + 480 }, (float *[]){ y + 3 * half / 2 + 480 },
			n - 3 * half / 2 - 480, 4096);
		vocana_denoiser_process(d, x + 3 * half / 2 + 480, ref + 3 * half / 2 + 480,
					n - 3 * half / 2 - 480);
		size_t at = first_difference(y, ref, n);
		CHECK_MSG(at == n, "%s: control changes differ from the denoiser's at sample %zu",
			  p.name, at);
		/* The strength change glides: in the 10 ms after it reaches the output, the output is
		 * still closer to strength 100 than to strength 20. */
		float *r100 = reference(x, n, 100, false), *r20 = reference(x, n, 20, false);
		double e100 = 0.0, e20 = 0.0;
		for (size_t t = half + 599; t < half + 599 + 480; t++) {
			e100 += ((double)y[t] - r100[t]) * ((double)y[t] - r100[t]);
			e20 += ((double)y[t] - r20[t]) * ((double)y[t] - r20[t]);
		}
		CHECK_MSG(e100 < e20, "%s: strength jumped (%g vs %g)", p.name, e100, e20);
		free(r100);
		free(r20);
		vocana_denoiser_destroy(d);
		free(ref);
		free(y);
		host_unload(&p);
	}
	free(x);
}

/* ---- robustness ---------------------------------------------------------------------------- */

static void test_bad_input(void)
{
	static const double rates[] = { 48000, 44100 };
	const size_t n = 24000;

	for (size_t r = 0; r < 2; r++) {
		struct host_plugin p;
		float *x = make_noisy((uint32_t)rates[r], n, 55), *y = malloc(n * sizeof(float));

		for (size_t t = 3000; t < n; t += 997) {
			x[t] = NAN;
			x[t + 1] = INFINITY;
			x[t + 2] = -INFINITY;
			x[t + 3] = 1e30f;
			x[t + 4] = 1e-42f; /* denormal */
		}
		if (host_load(&p, HOST_LV2, lv2_file, LV2_STEREO) == 0 &&
		    host_instantiate(&p, rates[r]) == 0) {
			host_activate(&p);
			float *z = malloc(n * sizeof(float));
			run_all(&p, (float *[]){ x, x }, (float *[]){ y, z }, n, 333);
			CHECK_MSG(all_finite(y, n) && all_finite(z, n), "%g Hz: non-finite output",
				  rates[r]);
			free(z);
		} else {
			CHECK(0);
		}
		host_unload(&p);
		free(x);
		free(y);
	}
}

/* Hosts may pass one buffer as input and output (in place), even across channels. */
static void test_shared_buffers(void)
{
	const size_t n = 9600;
	float *x[2] = { make_noisy(RATE, n, 66), make_noisy(RATE, n, 77) };
	float *ref[2] = { reference(x[0], n, 100, false), reference(x[1], n, 100, false) };
	struct host_plugin p;

	if (host_load(&p, HOST_LV2, lv2_file, LV2_STEREO) < 0 || host_instantiate(&p, RATE) < 0) {
		CHECK(0);
		host_unload(&p);
		return;
	}
	float *a = malloc(n * sizeof(float)), *b = malloc(n * sizeof(float));
	memcpy(a, x[0], n * sizeof(float));
	memcpy(b, x[1], n * sizeof(float));
	host_activate(&p);
	/* in L = a, in R = b, out L = b, out R = a: crossed. */
	run_all(&p, (float *[]){ a, b }, (float *[]){ b, a }, n, 1000);
	CHECK_MSG(first_difference(b, ref[0], n) == n, "crossed buffers: left wrong");
	CHECK_MSG(first_difference(a, ref[1], n) == n, "crossed buffers: right wrong");
	memcpy(a, x[0], n * sizeof(float));
	memcpy(b, x[1], n * sizeof(float));
	host_activate(&p); /* and activate() again starts from scratch */
	run_all(&p, (float *[]){ a, b }, (float *[]){ a, b }, n, 480);
	CHECK_MSG(first_difference(a, ref[0], n) == n, "in place: left wrong");
	CHECK_MSG(first_difference(b, ref[1], n) == n, "in place: right wrong");
	host_unload(&p);
	free(a);
	free(b);
	for (int c = 0; c < 2; c++) {
		free(x[c]);
		free(ref[c]);
	}
}

static void test_refused_rate(void)
{
	struct host_plugin p;

	if (host_load(&p, HOST_LV2, lv2_file, LV2_MONO) == 0) {
		CHECK(host_instantiate(&p, 4000.0) < 0);
		CHECK_MSG(strstr(host_last_log(), "sample rate 4000 Hz is not supported") != NULL,
			  "LV2 log said '%s'", host_last_log());
		CHECK(host_instantiate(&p, 192000.0) == 0); /* and a high rate is fine */
		host_unload(&p);
	}
	if (host_load(&p, HOST_LADSPA, ladspa_file, "vocana_stereo") == 0) {
		CHECK(host_instantiate(&p, 400000.0) < 0); /* message on stderr */
		host_unload(&p);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: test_plugin_descriptors LV2_SO|- LADSPA_SO|-\n");
		return 2;
	}
	lv2_file = argv[1];
	ladspa_file = argv[2];
	if (strcmp(lv2_file, "-") == 0 || strcmp(ladspa_file, "-") == 0) {
		fprintf(stderr, "SKIP: needs both plugins (lv2-dev and ladspa-sdk)\n");
		return 77;
	}
	RUN_TEST(test_lv2_descriptors);
	RUN_TEST(test_ladspa_descriptors);
	RUN_TEST(test_matches_denoiser);
	RUN_TEST(test_matches_at_44k);
	RUN_TEST(test_controls);
	RUN_TEST(test_bad_input);
	RUN_TEST(test_shared_buffers);
	RUN_TEST(test_refused_rate);
	return test_finish();
}
