/* SPDX-License-Identifier: MIT */
/*
 * One model shared read-only by several threads, each with its own nn_state, while other threads
 * load models from the same bytes and switch the forced kernel set: every thread must compute
 * exactly what a single thread computes (suite 'concurrency': also run under ThreadSanitizer).
 */
#include <pthread.h>
#include <string.h>

#include "model_builder.h"
#include "nn/cpu.h"
#include "nn/network.h"
#include "test_util.h"
#include "vocana/vocana.h"

#define N_THREADS 4
#define N_FRAMES 60

static const uint32_t hp[6] = { 32, 6, 2, 8, 16, 2 };
#define N_FEAT (32 + 2 * 6)
#define N_OUT (32 + 6 * 2 * 2 + 1)

static struct vocana_model *shared_model;
static const struct nn_kernels *kernels; /* the set every runner uses */
static unsigned char *file_bytes;
static size_t file_size;
static float features[N_FRAMES * N_FEAT];
static float expected[N_FRAMES * N_OUT];

static void run(float *out)
{
	struct nn_state *s = NULL;

	if (nn_state_create_with_kernels(shared_model, kernels, &s) < 0)
		return;
	for (size_t t = 0; t < N_FRAMES; t++) {
		float *o = out + t * N_OUT;

		nn_forward(s, features + t * N_FEAT, o, o + 32, o + N_OUT - 1);
	}
	nn_state_destroy(s);
}

static void *runner(void *arg)
{
	float *out = malloc(sizeof(expected));
	int *ok = arg;

	run(out);
	*ok = memcmp(out, expected, sizeof(expected)) == 0;
	free(out);
	return NULL;
}

static void *loader(void *arg)
{
	int *ok = arg;

	*ok = 1;
	for (int i = 0; i < 10; i++) {
		struct vocana_model *m = NULL;
		struct nn_state *s = NULL;

		/* Forcing a set only affects objects created afterwards: the runners pass theirs
		 * explicitly, so they must not notice. */
		nn_force_isa(i % 2 ? "c" : NULL);
		if (vocana_model_load_memory(file_bytes, file_size, &m) < 0 ||
		    nn_state_create(m, &s) < 0)
			*ok = 0;
		nn_state_destroy(s);
		vocana_model_free(m);
	}
	nn_force_isa(NULL);
	return NULL;
}

static void test_shared_model(void)
{
	struct mb_model d;
	pthread_t th[N_THREADS + 1];
	int ok[N_THREADS + 1];
	unsigned rng = 3;

	mb_init(&d, hp, 31, MB_F16, 0.8f);
	file_bytes = mb_serialize(&d, &file_size);
	mb_clear(&d);
	CHECK(vocana_model_load_memory(file_bytes, file_size, &shared_model) == 0);
	if (!shared_model)
		return;
	kernels = nn_kernels_select();
	for (size_t i = 0; i < N_FRAMES * N_FEAT; i++)
		features[i] = test_randf(&rng);
	run(expected);

	for (int i = 0; i < N_THREADS; i++)
		CHECK(pthread_create(&th[i], NULL, runner, &ok[i]) == 0);
	CHECK(pthread_create(&th[N_THREADS], NULL, loader, &ok[N_THREADS]) == 0);
	for (int i = 0; i <= N_THREADS; i++) {
		pthread_join(th[i], NULL);
		CHECK_MSG(ok[i], "thread %d", i);
	}
	vocana_model_free(shared_model);
	free(file_bytes);
}

int main(void)
{
	RUN_TEST(test_shared_model);
	return test_finish();
}
