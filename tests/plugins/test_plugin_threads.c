/* SPDX-License-Identifier: MIT */
/*
 * Hosts may instantiate and clean up plugins from several threads at once (each instance then
 * runs in its own audio thread). The model every instance of a plugin binary shares is
 * reference-counted under a mutex (plugin_core.c): four threads creating, running and destroying
 * instances at once must neither race (ThreadSanitizer, suite 'concurrency') nor leak or double
 * free (AddressSanitizer), and every instance must produce the same output as one made alone.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "plugins/plugin_core.h"
#include "test_util.h"

#define N_THREADS 4
#define ROUNDS 6
#define N_SAMPLES 4800

static float input[N_SAMPLES];
static float expected[2][N_SAMPLES]; /* [0] 48 kHz, [1] 44.1 kHz */

static int run_once(double rate, float *out)
{
	struct vp_instance *vp = NULL;
	const float *in[1] = { input };
	float *o[1] = { out };

	if (vp_instance_create(1, rate, &vp, NULL, 0) < 0)
		return -1;
	vp_instance_activate(vp);
	vp_instance_run(vp, in, o, N_SAMPLES, 100.0f, 1.0f);
	vp_instance_destroy(vp);
	return 0;
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	float out[N_SAMPLES];
	intptr_t bad = 0;

	for (int r = 0; r < ROUNDS; r++) {
		int k = (int)(test_rand(&seed) % 2);

		if (run_once(k ? 44100.0 : 48000.0, out) < 0 ||
		    memcmp(out, expected[k], sizeof(out)) != 0)
			bad++;
	}
	return (void *)bad;
}

int main(void)
{
	pthread_t t[N_THREADS];
	unsigned seed = 7;

	for (size_t i = 0; i < N_SAMPLES; i++)
		input[i] = 0.1f * test_randf(&seed);
	/* References from a single thread (each loads and frees the model: no instance is alive
	 * in between). */
	CHECK(run_once(48000.0, expected[0]) == 0);
	CHECK(run_once(44100.0, expected[1]) == 0);
	for (int i = 0; i < N_THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)(1000u + (unsigned)i)) == 0);
	for (int i = 0; i < N_THREADS; i++) {
		void *bad = NULL;

		pthread_join(t[i], &bad);
		CHECK_MSG(bad == NULL, "thread %d: %ld instance(s) failed or differed", i, (long)(intptr_t)bad);
	}
	return test_finish();
}
