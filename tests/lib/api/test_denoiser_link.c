/* SPDX-License-Identifier: MIT */
/*
 * Linked channels (src/lib/denoiser_internal.h, "Linked channels"), on the embedded model: a
 * follower that applies its leader's network output gives, for the same signal, exactly what a
 * denoiser of its own gives (dual mono: the speaker's usual stereo); a silent channel beside a
 * loud one stays silent; a follower that cannot find its leader's hop runs its own network,
 * counted, and links again after both are reset; the rules of denoiser_link().
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "denoiser_internal.h"
#include "test_util.h"

#define HOP VOCANA_FRAME_SIZE
#define N_SAMPLES (150 * HOP)

static struct vocana_model *model;

/* A voice-like tone with noise over it, loud enough for the model to act on. */
static void fill_noisy(float *x, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		const float env = (i / 9600) % 2 ? 1.0f : 0.0f; /* 200 ms on, 200 ms off */
		x[i] = env * 0.2f * sinf(0.0393f * (float)i) + 0.05f * test_randf(&seed);
	}
}

static struct vocana_denoiser *make(int strength)
{
	struct vocana_denoiser *d = NULL;
	CHECK(vocana_denoiser_create(model, 0, &d) == 0);
	if (d)
		CHECK(vocana_denoiser_set_strength(d, strength) == 0);
	return d;
}

/* Each channel's block after the leader's, in varied block sizes. */
static void run_linked(struct vocana_denoiser *lead, struct vocana_denoiser **ch, uint32_t n_ch,
		       float *const *x, float *const *y, size_t n)
{
	float *mid = malloc(1500 * sizeof(float));
	unsigned seed = 7;
	size_t done = 0;
	CHECK(mid != NULL);
	while (mid && done < n) {
		size_t k = 1 + test_rand(&seed) % 1500;
		if (k > n - done)
			k = n - done;
		for (size_t i = 0; i < k; i++) {
			float s = 0.0f;
			for (uint32_t c = 0; c < n_ch; c++)
				s += x[c][done + i];
			mid[i] = s / (float)n_ch;
		}
		CHECK(vocana_denoiser_process(lead, mid, mid, k) == 0);
		for (uint32_t c = 0; c < n_ch; c++)
			CHECK(vocana_denoiser_process(ch[c], x[c] + done, y[c] + done, k) == 0);
		done += k;
	}
	free(mid);
}

static void test_dual_mono_matches_own_network(int strength)
{
	float *x = malloc(N_SAMPLES * sizeof(float)), *ref = malloc(N_SAMPLES * sizeof(float));
	float *y0 = malloc(N_SAMPLES * sizeof(float)), *y1 = malloc(N_SAMPLES * sizeof(float));
	struct vocana_denoiser *own = make(strength), *lead = make(strength);
	struct vocana_denoiser *ch[2] = { make(strength), make(strength) };
	CHECK(x && ref && y0 && y1);
	if (!(x && ref && y0 && y1 && own && lead && ch[0] && ch[1]))
		goto out;
	CHECK(denoiser_link(ch[0], lead) == 0 && denoiser_link(ch[1], lead) == 0);
	fill_noisy(x, N_SAMPLES, 3);
	CHECK(vocana_denoiser_process(own, x, ref, N_SAMPLES) == 0);
	run_linked(lead, ch, 2, (float *const[]){ x, x }, (float *const[]){ y0, y1 }, N_SAMPLES);
	float worst = 0.0f, e_in = 0.0f, e_out = 0.0f;
	for (size_t i = 0; i < N_SAMPLES; i++) {
		worst = fmaxf(worst, fmaxf(fabsf(y0[i] - ref[i]), fabsf(y1[i] - ref[i])));
		e_in += x[i] * x[i];
		e_out += y0[i] * y0[i];
	}
	CHECK_MSG(worst <= 1e-6f, "strength %d: linked channel differs from its own network by %g",
		  strength, (double)worst);
	CHECK_MSG(e_out < 0.9f * e_in, "strength %d: nothing removed (%g of %g)", strength,
		  (double)e_out, (double)e_in);
	CHECK(ch[0]->own_network_hops == 0 && ch[1]->own_network_hops == 0);
out:
	vocana_denoiser_destroy(ch[0]);
	vocana_denoiser_destroy(ch[1]);
	vocana_denoiser_destroy(lead);
	vocana_denoiser_destroy(own);
	free(x);
	free(ref);
	free(y0);
	free(y1);
}

static void test_dual_mono_strength_100(void)
{
	test_dual_mono_matches_own_network(100);
}

static void test_dual_mono_strength_60(void)
{
	test_dual_mono_matches_own_network(60);
}

static void test_silent_channel_stays_silent(void)
{
	float *x = malloc(N_SAMPLES * sizeof(float)), *z = calloc(N_SAMPLES, sizeof(float));
	float *y0 = malloc(N_SAMPLES * sizeof(float)), *y1 = malloc(N_SAMPLES * sizeof(float));
	struct vocana_denoiser *lead = make(100), *ch[2] = { make(100), make(100) };
	CHECK(x && z && y0 && y1);
	if (!(x && z && y0 && y1 && lead && ch[0] && ch[1]))
		goto out;
	CHECK(denoiser_link(ch[0], lead) == 0 && denoiser_link(ch[1], lead) == 0);
	fill_noisy(x, N_SAMPLES, 11);
	run_linked(lead, ch, 2, (float *const[]){ x, z }, (float *const[]){ y0, y1 }, N_SAMPLES);
	size_t loud = 0, bad = 0;
	for (size_t i = 0; i < N_SAMPLES; i++) {
		loud += y1[i] != 0.0f;
		bad += !isfinite(y0[i]);
	}
	CHECK_MSG(loud == 0, "%zu samples of sound out of a silent channel", loud);
	CHECK(bad == 0);
out:
	vocana_denoiser_destroy(ch[0]);
	vocana_denoiser_destroy(ch[1]);
	vocana_denoiser_destroy(lead);
	free(x);
	free(z);
	free(y0);
	free(y1);
}

static void test_follower_without_leader(void)
{
	float *x = malloc(N_SAMPLES * sizeof(float)), *y = malloc(N_SAMPLES * sizeof(float));
	struct vocana_denoiser *lead = make(100), *f = make(100);
	CHECK(x && y);
	if (!(x && y && lead && f))
		goto out;
	CHECK(denoiser_link(f, lead) == 0);
	fill_noisy(x, N_SAMPLES, 5);
	/* The leader never ran: every hop is the follower's own. */
	CHECK(vocana_denoiser_process(f, x, y, N_SAMPLES) == 0);
	CHECK_MSG(f->own_network_hops == N_SAMPLES / HOP, "%llu own hops of %d",
		  (unsigned long long)f->own_network_hops, N_SAMPLES / HOP);
	size_t bad = 0;
	for (size_t i = 0; i < N_SAMPLES; i++)
		bad += !isfinite(y[i]);
	CHECK(bad == 0);
	/* Reset together, they are in step again. */
	vocana_denoiser_reset(lead);
	vocana_denoiser_reset(f);
	const uint64_t before = f->own_network_hops;
	struct vocana_denoiser *ch[1] = { f };
	run_linked(lead, ch, 1, (float *const[]){ x }, (float *const[]){ y }, N_SAMPLES);
	CHECK_MSG(f->own_network_hops == before, "%llu hops fell back after the reset",
		  (unsigned long long)(f->own_network_hops - before));
out:
	vocana_denoiser_destroy(f);
	vocana_denoiser_destroy(lead);
	free(x);
	free(y);
}

static void test_link_rules(void)
{
	struct vocana_denoiser *a = make(100), *b = make(100), *c = make(100);
	if (a && b && c) {
		CHECK(denoiser_link(a, a) < 0);
		CHECK(denoiser_link(NULL, a) < 0 && denoiser_link(a, NULL) < 0);
		CHECK(denoiser_link(b, a) == 0);
		CHECK(denoiser_link(a, c) < 0); /* a leader does not follow */
		CHECK(denoiser_link(c, b) < 0); /* a follower does not lead */
	}
	vocana_denoiser_destroy(b);
	vocana_denoiser_destroy(c);
	vocana_denoiser_destroy(a);
}

int main(void)
{
	CHECK(vocana_model_load_default(&model) == 0);
	if (!model)
		return test_finish();
	RUN_TEST(test_dual_mono_strength_100);
	RUN_TEST(test_dual_mono_strength_60);
	RUN_TEST(test_silent_channel_stays_silent);
	RUN_TEST(test_follower_without_leader);
	RUN_TEST(test_link_rules);
	vocana_model_free(model);
	return test_finish();
}
