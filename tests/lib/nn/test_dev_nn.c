/* SPDX-License-Identifier: MIT */
/* The network part of the development interface (src/lib/dev_nn.c, vocana_dev.h). */
#include <errno.h>
#include <string.h>

#include "model_builder.h"
#include "nn/network.h"
#include "test_util.h"
#include "vocana/vocana_dev.h"

#define N_FRAMES 12

static void test_run_network(void)
{
	const uint32_t hp[6] = { 32, 4, 3, 6, 10, 2 };
	const size_t n_feat = 32 + 2 * 4, n_coefs = 4 * 3 * 2;
	struct mb_model d;
	struct vocana_model *m = NULL;
	struct nn_state *s = NULL;
	float features[N_FRAMES * (32 + 8)];
	float gains[N_FRAMES * 32], df[N_FRAMES * 24], vad[N_FRAMES];
	float g1[32], df1[24], v1;
	uint32_t got[7];
	unsigned rng = 5;
	unsigned char *buf;
	size_t size;

	mb_init(&d, hp, 21, MB_F32, 0.7f);
	buf = mb_serialize(&d, &size);
	CHECK(vocana_model_load_memory(buf, size, &m) == 0);
	free(buf);
	mb_clear(&d);
	if (!m)
		return;
	CHECK(vocana_dev_model_hparams(m, got) == 0);
	CHECK(memcmp(got, hp, sizeof(hp)) == 0);
	CHECK(got[6] == 480); /* a file without the delay field: the symmetric window */
	CHECK(vocana_dev_model_hparams(NULL, got) == -EINVAL);
	CHECK(vocana_dev_model_hparams(m, NULL) == -EINVAL);

	for (size_t i = 0; i < N_FRAMES * n_feat; i++)
		features[i] = test_randf(&rng);
	memset(vad, 0xff, sizeof(vad));
	CHECK(vocana_dev_run_network(m, features, N_FRAMES, gains, df, vad) == 0);
	/* Same as a fresh state driven frame by frame, with the same (selected) kernels. */
	CHECK(nn_state_create(m, &s) == 0);
	for (size_t t = 0; t < N_FRAMES; t++) {
		nn_forward(s, features + t * n_feat, g1, df1, &v1);
		CHECK(memcmp(g1, gains + t * 32, sizeof(g1)) == 0);
		CHECK(memcmp(df1, df + t * n_coefs, sizeof(df1)) == 0);
		CHECK(v1 == vad[t]);
	}
	nn_state_destroy(s);
	/* Optional outputs. */
	CHECK(vocana_dev_run_network(m, features, N_FRAMES, NULL, NULL, vad) == 0);
	CHECK(vocana_dev_run_network(m, features, 0, NULL, NULL, NULL) == 0);
	CHECK(vocana_dev_run_network(NULL, features, 1, gains, df, vad) == -EINVAL);
	CHECK(vocana_dev_run_network(m, NULL, 1, gains, df, vad) == -EINVAL);
	vocana_model_free(m);
}

static void test_force_isa(void)
{
	const char *best;

	CHECK(vocana_dev_force_isa(NULL) == 0);
	best = vocana_dev_isa_name();
	CHECK(best != NULL);
	fprintf(stderr, "note: kernel set here: %s\n", best);
	CHECK(vocana_dev_force_isa("c") == 0);
	CHECK(strcmp(vocana_dev_isa_name(), "c") == 0);
	CHECK(vocana_dev_force_isa("nonsense") == -ENOTSUP);
	CHECK(strcmp(vocana_dev_isa_name(), "c") == 0); /* a failed call changes nothing */
	CHECK(vocana_dev_force_isa("auto") == 0);
	CHECK(strcmp(vocana_dev_isa_name(), best) == 0);
}

int main(void)
{
	RUN_TEST(test_run_network);
	RUN_TEST(test_force_isa);
	return test_finish();
}
