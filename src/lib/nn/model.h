/* SPDX-License-Identifier: MIT */
/*
 * The loaded network (architecture 1, "vdfl", docs/architecture.md): hyper-parameters and every
 * tensor, looked up by role. Biases are f32; a weight matrix is f32, or IEEE half when the file
 * stored it as f16 (struct nn_matrix). Internal; the public API sees struct vocana_model as
 * opaque.
 *
 * A model is ONE 64-byte-aligned allocation: this struct first, then each tensor at a 64-byte
 * boundary, so vocana_model_free() is a single free() and a model is immutable after loading (any
 * number of threads may read it). Everything here was checked at load (shapes against the
 * hyper-parameters, finite values), so the compute code trusts it.
 */
#ifndef VOCANA_NN_MODEL_H
#define VOCANA_NN_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vocana/vocana.h"

#define NN_ARCH_VDFL 1     /* arch_id of "vdfl" */
#define NN_N_HPARAMS 7     /* n_erb, n_df, df_order, enc_dim, hidden, n_gru, delay */
#define NN_N_HPARAMS_V1 6  /* files from before `delay` (which then is 480) */
#define NN_MIN_DELAY 32    /* algorithmic delay: selects the STFT window pair (dsp/window.h) */
#define NN_MAX_DELAY 480
#define NN_N_ERB 32        /* ERB bands: fixed by the feature extractor */
#define NN_MAX_GRU 4       /* stacked GRUs */
#define NN_MAX_N_DF 481    /* deep-filter bins: at most the whole spectrum */
#define NN_MAX_DF_ORDER 8  /* deep-filter taps (hops) */
#define NN_MAX_ENC_DIM 1024
#define NN_MAX_HIDDEN 1024
#define NN_TENSOR_NAME_SIZE 32 /* bytes in the file record, NUL included */
/* 4 encoder tensors + 4 per GRU + 6 head tensors */
#define NN_MAX_TENSORS (4 + 4 * NN_MAX_GRU + 6)
#define NN_ALIGN 64 /* bytes: a cache line, and enough for any SIMD load */

/* Index of each value in the file's hparams[] array. */
enum nn_hparam_index {
	NN_HP_N_ERB,
	NN_HP_N_DF,
	NN_HP_DF_ORDER,
	NN_HP_ENC_DIM,
	NN_HP_HIDDEN,
	NN_HP_N_GRU,
	NN_HP_DELAY,
};

struct nn_hparams {
	uint32_t n_erb;    /* band gains out, erb features in: NN_N_ERB */
	uint32_t n_df;     /* deep-filter bins: 2 * n_df features in */
	uint32_t df_order; /* deep-filter taps: n_df * df_order * 2 coefficients out */
	uint32_t enc_dim;  /* E: width of each encoder */
	uint32_t hidden;   /* H: GRU state width */
	uint32_t n_gru;    /* stacked GRUs */
	uint32_t delay;    /* algorithmic delay in samples: the STFT window pair it was trained with */
};

/*
 * A row-major weight matrix in one of two element types; exactly one pointer is set. f16 files
 * keep their weights as IEEE binary16 (widened exactly by the kernels as they read them): the
 * weights don't stay in cache between 10 ms frames, so half the bytes is most of the time saved.
 * f32 and int8 files (int8 * scale is not a half in general) give f32.
 */
struct nn_matrix {
	const float *f32;
	const uint16_t *f16;
};

/* y = weight @ x + bias; weight row-major [n_out, n_in]. */
struct nn_dense {
	struct nn_matrix weight;
	const float *bias;
	uint32_t n_out, n_in;
};

/* torch.nn.GRU layer: gate order r, z, n; weight_ih [3H, n_in], weight_hh [3H, H]. */
struct nn_gru {
	struct nn_matrix weight_ih;
	struct nn_matrix weight_hh;
	const float *bias_ih;
	const float *bias_hh;
	uint32_t n_in, n_hidden;
};

struct vocana_model {
	struct nn_hparams hp;
	size_t n_params;    /* weights and biases */
	size_t alloc_bytes; /* the whole allocation, this struct included */
	struct nn_dense enc_erb;   /* 32 -> E */
	struct nn_dense enc_df;    /* 2 * n_df -> E */
	struct nn_gru gru[NN_MAX_GRU]; /* [0] 2E -> H, then H -> H; only n_gru are set */
	struct nn_dense head_gain; /* H -> n_erb */
	struct nn_dense head_df;   /* H -> n_df * df_order * 2 */
	struct nn_dense head_vad;  /* H -> 1 */
};

/* One tensor the architecture needs: its file name, shape, and where it goes in the model. */
struct nn_tensor_spec {
	char name[NN_TENSOR_NAME_SIZE];
	uint32_t ndim;        /* 2 for weights, 1 for biases */
	uint32_t rows, cols;  /* cols = 1 when ndim = 1 */
	/* offsetof(struct vocana_model, <what it binds>): a struct nn_matrix when ndim = 2, else a
	 * const float * */
	size_t field_offset;
};

/* Copies the n file values (NN_N_HPARAMS_V1 or NN_N_HPARAMS; with 6, delay is 480) into hp;
 * -EBADMSG if n or any value is outside the limits of docs/model-format.md (which also bound
 * every tensor size, so later size arithmetic can't overflow). */
int nn_hparams_parse(const uint32_t *values, uint32_t n, struct nn_hparams *hp);

/* Fills specs[] with every tensor hp requires, in file-writing order; returns how many
 * (10 + 4 * n_gru). hp must be valid. */
size_t nn_tensor_specs(const struct nn_hparams *hp, struct nn_tensor_spec specs[NN_MAX_TENSORS]);

/*
 * Allocate a model for valid hyper-parameters hp in the one-allocation layout: the struct, then
 * every tensor of nn_tensor_specs(hp) at a 64-byte boundary, bound to its role and zeroed, with
 * the shapes and the parameter count set. half[i] true stores the 2-D tensor specs[i] as IEEE
 * binary16 (uint16_t) instead of f32; half NULL, or false for every entry: all f32 (biases are
 * always f32). The loader fills the tensors through nn_model_tensor(). NULL if out of memory.
 * Free with vocana_model_free().
 */
struct vocana_model *nn_model_alloc(const struct nn_hparams *hp, const bool *half);

/* The (writable, only while building the model) data of the tensor spec describes: uint16_t
 * halves if it was allocated as such, else floats. */
void *nn_model_tensor(struct vocana_model *m, const struct nn_tensor_spec *spec);

/* A model with uniform random weights in +-amp / sqrt(fan-in), from a fixed seed: for
 * benchmarks and tests that need no file. Stored as the models we ship (f16 files) load on this
 * CPU: weight matrices as IEEE half (truncated) if a SIMD kernel set runs here, else f32; biases
 * f32. -EINVAL for invalid hp, -ENOMEM. */
int nn_model_create_random(const struct nn_hparams *hp, uint32_t seed, float amp,
			   struct vocana_model **out);

/* The same with the weight matrices' storage chosen: f16 as above, or f32 (the same random
 * stream, not truncated), as an f32 file loads. */
int nn_model_create_random_as(const struct nn_hparams *hp, uint32_t seed, float amp, bool f16,
			      struct vocana_model **out);

/* Output sizes of one frame: n_erb band gains, n_df * df_order * 2 filter coefficients, 1 vad. */
static inline size_t nn_model_n_df_coefs(const struct vocana_model *m)
{
	return (size_t)m->hp.n_df * m->hp.df_order * 2;
}

/* Input size of one frame: 32 erb + 2 * n_df deep-filter features. */
static inline size_t nn_model_n_features(const struct vocana_model *m)
{
	return (size_t)m->hp.n_erb + 2 * (size_t)m->hp.n_df;
}

#endif
