/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the model loader: any bytes go to vocana_model_load_memory(), and a model
 * that loads runs a few frames through every kernel set this CPU has, which must give finite,
 * in-range outputs (else abort(): the fuzzer reports it).
 *
 * Random mutations almost never keep the checksum and file_size right, which would stop the
 * fuzzer at those two checks. So each input is also tried "repaired": file_size set to the
 * length and the CRC recomputed, which lets mutations reach every check behind them.
 *
 * Built with clang -fsanitize=fuzzer when the meson option 'fuzzing' is true
 * (scripts/fuzz-model.sh); tests/lib/nn/replay_corpus.c calls the same entry point on the corpus
 * in every normal build.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nn/cpu.h"
#include "nn/crc32.h"
#include "nn/model.h"
#include "nn/model_file.h"
#include "nn/network.h"
#include "vocana/vocana.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FRAMES 3

static void check_range(const float *v, size_t n, float lo, float hi)
{
	for (size_t i = 0; i < n; i++)
		if (!(v[i] >= lo && v[i] <= hi)) /* also false for NaN */
			abort();
}

static void run_model(const struct vocana_model *m, const uint8_t *data, size_t size)
{
	const size_t n_feat = nn_model_n_features(m), n_coefs = nn_model_n_df_coefs(m);
	const unsigned flags = nn_cpu_detect();
	float *features = malloc(n_feat * sizeof(float));
	float *out = malloc((m->hp.n_erb + n_coefs + 1) * sizeof(float));
	const struct nn_kernels *const *all;
	size_t n_all;

	if (!features || !out)
		abort();
	all = nn_kernels_all(&n_all);
	for (size_t k = 0; k < n_all; k++) {
		struct nn_state *s = NULL;

		if ((all[k]->cpu_flags & flags) != all[k]->cpu_flags)
			continue;
		if (nn_state_create_with_kernels(m, all[k], &s) < 0)
			abort();
		for (size_t t = 0; t < FUZZ_FRAMES; t++) {
			/* Features from the input bytes: deterministic, and the fuzzer steers them. */
			for (size_t i = 0; i < n_feat; i++)
				features[i] = ((float)data[(i * 31 + t * 7) % size] - 128.0f) / 16.0f;
			nn_forward(s, features, out, out + m->hp.n_erb, out + m->hp.n_erb + n_coefs);
			check_range(out, m->hp.n_erb, 0.0f, 1.0f);
			check_range(out + m->hp.n_erb, n_coefs, -1.0f, 1.0f);
			check_range(out + m->hp.n_erb + n_coefs, 1, 0.0f, 1.0f);
		}
		nn_state_destroy(s);
	}
	free(features);
	free(out);
}

static void try_load(const uint8_t *data, size_t size)
{
	struct vocana_model *m = NULL;
	int res = vocana_model_load_memory(data, size, &m);

	if (res == 0) {
		if (!m || vocana_model_parameter_count(m) == 0)
			abort();
		run_model(m, data, size);
	} else if (m || res >= 0) {
		abort(); /* failure must leave *out NULL and return a negative errno */
	}
	vocana_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;

	/* Keep the memory of one run small: real models never reach this through a fuzzer. */
	if (size > (1u << 20))
		return 0;
	try_load(data, size);
	if (size < MODEL_FILE_HEADER_SIZE + MODEL_FILE_CRC_SIZE)
		return 0;

	/* Repaired copy; its own allocation of exactly size bytes so ASan sees any overread. */
	copy = malloc(size);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	for (int i = 0; i < 8; i++)
		copy[MODEL_FILE_OFF_FILE_SIZE + i] = (uint8_t)((uint64_t)size >> (8 * i));
	{
		const uint32_t crc = nn_crc32(0, copy, size - MODEL_FILE_CRC_SIZE);

		for (int i = 0; i < 4; i++)
			copy[size - MODEL_FILE_CRC_SIZE + i] = (uint8_t)(crc >> (8 * i));
	}
	try_load(copy, size);
	free(copy);
	return 0;
}
