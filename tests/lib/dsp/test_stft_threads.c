/* SPDX-License-Identifier: MIT */
/* Several threads create, use and destroy STFTs (and run vocana_dev_analyze) at once: FFTW's
 * planner is not thread-safe, so this checks that stft.c serialises it, and that objects on
 * different threads are independent (each thread's results equal the single-threaded ones). */
#include <pthread.h>
#include <string.h>

#include "dsp/dsp_constants.h"
#include "dsp/stft.h"
#include "test_util.h"
#include "vocana/vocana_dev.h"

#define N_THREADS 4
#define N_ROUNDS 25
#define N_HOPS 8
#define N_DF 96

static float input[N_HOPS * VC_HOP];
static float want_out[N_HOPS * VC_HOP];
static float want_feat[N_HOPS * (VC_N_BANDS + 2 * N_DF)];

struct worker {
	pthread_t thread;
	int mismatches;
	int errors;
};

static int roundtrip(float *out)
{
	float spec[2 * VC_BINS];
	struct stft *s = NULL;
	int res = stft_create(&s, VC_HOP);

	if (res < 0)
		return res;
	for (size_t t = 0; t < N_HOPS; t++) {
		stft_analyze(s, input + t * VC_HOP, spec);
		stft_synthesize(s, spec, out + t * VC_HOP);
	}
	stft_destroy(s);
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	static _Thread_local float out[N_HOPS * VC_HOP];
	static _Thread_local float feat[N_HOPS * (VC_N_BANDS + 2 * N_DF)];

	for (int r = 0; r < N_ROUNDS; r++) {
		if (roundtrip(out) < 0)
			w->errors++;
		else if (memcmp(out, want_out, sizeof(out)) != 0)
			w->mismatches++;
		if (vocana_dev_analyze(input, N_HOPS, N_DF, 480, feat, NULL) < 0)
			w->errors++;
		else if (memcmp(feat, want_feat, sizeof(feat)) != 0)
			w->mismatches++;
	}
	return NULL;
}

static void test_parallel_create_and_run(void)
{
	struct worker workers[N_THREADS];
	unsigned seed = 606;

	for (size_t n = 0; n < N_HOPS * VC_HOP; n++)
		input[n] = test_randf(&seed);
	CHECK(roundtrip(want_out) == 0);
	CHECK(vocana_dev_analyze(input, N_HOPS, N_DF, 480, want_feat, NULL) == 0);

	memset(workers, 0, sizeof(workers));
	for (int i = 0; i < N_THREADS; i++)
		CHECK(pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) == 0);
	for (int i = 0; i < N_THREADS; i++) {
		CHECK(pthread_join(workers[i].thread, NULL) == 0);
		CHECK_MSG(workers[i].errors == 0, "thread %d: %d errors", i, workers[i].errors);
		CHECK_MSG(workers[i].mismatches == 0, "thread %d: %d mismatches", i, workers[i].mismatches);
	}
}

int main(void)
{
	RUN_TEST(test_parallel_create_and_run);
	return test_finish();
}
