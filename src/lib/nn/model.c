/* SPDX-License-Identifier: MIT */
/* Architecture 1 ("vdfl"): hyper-parameter limits and the tensor list they imply. The names and
 * shapes mirror docs/architecture.md ("Network") and train/'s PyTorch module names. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nn/cpu.h"
#include "nn/model.h"

int nn_hparams_parse(const uint32_t *v, uint32_t n, struct nn_hparams *hp)
{
	if (n != NN_N_HPARAMS && n != NN_N_HPARAMS_V1)
		return -EBADMSG;
	/* A version-1 file has no delay: it was trained with the symmetric window (480). */
	const uint32_t delay = n > NN_HP_DELAY ? v[NN_HP_DELAY] : NN_MAX_DELAY;
	if (delay < NN_MIN_DELAY || delay > NN_MAX_DELAY)
		return -EBADMSG;
	/* Upper limits: docs/model-format.md. They keep every tensor under 2^25 elements, so
	 * size arithmetic in size_t (and in uint64_t on 32-bit hosts) cannot overflow. */
	if (v[NN_HP_N_ERB] != NN_N_ERB)
		return -EBADMSG;
	if (v[NN_HP_N_DF] < 1 || v[NN_HP_N_DF] > NN_MAX_N_DF)
		return -EBADMSG;
	if (v[NN_HP_DF_ORDER] < 1 || v[NN_HP_DF_ORDER] > NN_MAX_DF_ORDER)
		return -EBADMSG;
	if (v[NN_HP_ENC_DIM] < 1 || v[NN_HP_ENC_DIM] > NN_MAX_ENC_DIM)
		return -EBADMSG;
	if (v[NN_HP_HIDDEN] < 1 || v[NN_HP_HIDDEN] > NN_MAX_HIDDEN)
		return -EBADMSG;
	if (v[NN_HP_N_GRU] < 1 || v[NN_HP_N_GRU] > NN_MAX_GRU)
		return -EBADMSG;
	hp->n_erb = v[NN_HP_N_ERB];
	hp->n_df = v[NN_HP_N_DF];
	hp->df_order = v[NN_HP_DF_ORDER];
	hp->enc_dim = v[NN_HP_ENC_DIM];
	hp->hidden = v[NN_HP_HIDDEN];
	hp->n_gru = v[NN_HP_N_GRU];
	hp->delay = delay;
	return 0;
}

static void spec_set(struct nn_tensor_spec *s, const char *name, uint32_t ndim, uint32_t rows,
		     uint32_t cols, size_t field_offset)
{
	/* Names are at most "gru4.weight_ih" long: always fit, always NUL-terminated. */
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->ndim = ndim;
	s->rows = rows;
	s->cols = cols;
	s->field_offset = field_offset;
}

#define DENSE_FIELD(layer, member) \
	(offsetof(struct vocana_model, layer) + offsetof(struct nn_dense, member))
#define GRU_FIELD(i, member) \
	(offsetof(struct vocana_model, gru) + (size_t)(i) * sizeof(struct nn_gru) + \
	 offsetof(struct nn_gru, member))

size_t nn_tensor_specs(const struct nn_hparams *hp, struct nn_tensor_spec specs[NN_MAX_TENSORS])
{
	const uint32_t e = hp->enc_dim, h = hp->hidden;
	const uint32_t n_coefs = hp->n_df * hp->df_order * 2;
	size_t n = 0;

	spec_set(&specs[n++], "enc_erb.weight", 2, e, hp->n_erb, DENSE_FIELD(enc_erb, weight));
	spec_set(&specs[n++], "enc_erb.bias", 1, e, 1, DENSE_FIELD(enc_erb, bias));
	spec_set(&specs[n++], "enc_df.weight", 2, e, 2 * hp->n_df, DENSE_FIELD(enc_df, weight));
	spec_set(&specs[n++], "enc_df.bias", 1, e, 1, DENSE_FIELD(enc_df, bias));
	for (uint32_t i = 0; i < hp->n_gru; i++) {
		/* The first GRU reads the concatenated encoders [e, d]; the others the GRU below. */
		const uint32_t n_in = i == 0 ? 2 * e : h;
		char name[NN_TENSOR_NAME_SIZE];

		/* 1-based in the file, as in architecture.md ("gru1" is the first). */
		snprintf(name, sizeof(name), "gru%u.weight_ih", (unsigned)(i + 1));
		spec_set(&specs[n++], name, 2, 3 * h, n_in, GRU_FIELD(i, weight_ih));
		snprintf(name, sizeof(name), "gru%u.weight_hh", (unsigned)(i + 1));
		spec_set(&specs[n++], name, 2, 3 * h, h, GRU_FIELD(i, weight_hh));
		snprintf(name, sizeof(name), "gru%u.bias_ih", (unsigned)(i + 1));
		spec_set(&specs[n++], name, 1, 3 * h, 1, GRU_FIELD(i, bias_ih));
		snprintf(name, sizeof(name), "gru%u.bias_hh", (unsigned)(i + 1));
		spec_set(&specs[n++], name, 1, 3 * h, 1, GRU_FIELD(i, bias_hh));
	}
	spec_set(&specs[n++], "head_gain.weight", 2, hp->n_erb, h, DENSE_FIELD(head_gain, weight));
	spec_set(&specs[n++], "head_gain.bias", 1, hp->n_erb, 1, DENSE_FIELD(head_gain, bias));
	spec_set(&specs[n++], "head_df.weight", 2, n_coefs, h, DENSE_FIELD(head_df, weight));
	spec_set(&specs[n++], "head_df.bias", 1, n_coefs, 1, DENSE_FIELD(head_df, bias));
	spec_set(&specs[n++], "head_vad.weight", 2, 1, h, DENSE_FIELD(head_vad, weight));
	spec_set(&specs[n++], "head_vad.bias", 1, 1, 1, DENSE_FIELD(head_vad, bias));
	return n;
}

static void dense_shape(struct nn_dense *d, uint32_t n_out, uint32_t n_in)
{
	d->n_out = n_out;
	d->n_in = n_in;
}

static void model_set_shapes(struct vocana_model *m)
{
	const struct nn_hparams *hp = &m->hp;

	dense_shape(&m->enc_erb, hp->enc_dim, hp->n_erb);
	dense_shape(&m->enc_df, hp->enc_dim, 2 * hp->n_df);
	for (uint32_t i = 0; i < hp->n_gru; i++) {
		m->gru[i].n_in = i == 0 ? 2 * hp->enc_dim : hp->hidden;
		m->gru[i].n_hidden = hp->hidden;
	}
	dense_shape(&m->head_gain, hp->n_erb, hp->hidden);
	dense_shape(&m->head_df, hp->n_df * hp->df_order * 2, hp->hidden);
	dense_shape(&m->head_vad, 1, hp->hidden);
}

static size_t align_up(size_t x)
{
	return (x + NN_ALIGN - 1) / NN_ALIGN * NN_ALIGN;
}

void *nn_model_tensor(struct vocana_model *m, const struct nn_tensor_spec *spec)
{
	unsigned char *field = (unsigned char *)m + spec->field_offset;
	const void *data;

	if (spec->ndim == 2) {
		const struct nn_matrix *w = (const struct nn_matrix *)(void *)field;

		data = w->f16 ? (const void *)w->f16 : (const void *)w->f32;
	} else {
		data = *(const float **)(void *)field;
	}
	/* The model owns this memory; it is const only for the users of a finished model. */
	return (void *)(uintptr_t)data;
}

/* Bytes of tensor spec in memory: 2 per element when kept as binary16, else 4. */
static size_t tensor_bytes(const struct nn_tensor_spec *spec, bool half)
{
	return (size_t)spec->rows * spec->cols * (half ? sizeof(uint16_t) : sizeof(float));
}

struct vocana_model *nn_model_alloc(const struct nn_hparams *hp, const bool *half_in)
{
	struct nn_tensor_spec specs[NN_MAX_TENSORS];
	const size_t n = nn_tensor_specs(hp, specs);
	bool half[NN_MAX_TENSORS];
	size_t total = align_up(sizeof(struct vocana_model));
	size_t n_params = 0;
	struct vocana_model *m;
	unsigned char *p;

	/* Only weight matrices can be half: biases are few bytes and the kernels add them as f32. */
	for (size_t i = 0; i < n; i++)
		half[i] = half_in && half_in[i] && specs[i].ndim == 2;
	/* The hyper-parameter limits keep this far below SIZE_MAX even on 32-bit hosts. */
	for (size_t i = 0; i < n; i++) {
		total += align_up(tensor_bytes(&specs[i], half[i]));
		n_params += (size_t)specs[i].rows * specs[i].cols;
	}
	/* aligned_alloc needs a multiple of the alignment: total is one. */
	m = aligned_alloc(NN_ALIGN, total);
	if (!m)
		return NULL;
	memset(m, 0, total);
	m->hp = *hp;
	m->n_params = n_params;
	m->alloc_bytes = total;
	model_set_shapes(m);
	p = (unsigned char *)m + align_up(sizeof(struct vocana_model));
	for (size_t i = 0; i < n; i++) {
		unsigned char *field = (unsigned char *)m + specs[i].field_offset;

		if (specs[i].ndim != 2) {
			*(const float **)(void *)field = (const float *)(void *)p;
		} else if (half[i]) {
			((struct nn_matrix *)(void *)field)->f16 = (const uint16_t *)(void *)p;
		} else {
			((struct nn_matrix *)(void *)field)->f32 = (const float *)(void *)p;
		}
		p += align_up(tensor_bytes(&specs[i], half[i]));
	}
	return m;
}

/* f to a half by truncation toward zero (values below the smallest normal half, 2^-14, become
 * zero): enough for random weights, which only need to be halves, not the nearest ones. */
static uint16_t half_truncated(float f)
{
	uint32_t bits;
	uint16_t sign;
	int exponent;

	memcpy(&bits, &f, sizeof(bits));
	sign = (uint16_t)(bits >> 16 & 0x8000u);
	exponent = (int)(bits >> 23 & 0xffu) - 127 + 15;
	if (exponent <= 0)
		return sign;
	if (exponent >= 31) /* not reached for amp / sqrt(fan-in) weights; clamp to the max half */
		return (uint16_t)(sign | 0x7bffu);
	return (uint16_t)(sign | (uint32_t)exponent << 10 | (bits >> 13 & 0x3ffu));
}

int nn_model_create_random(const struct nn_hparams *hp, uint32_t seed, float amp,
			   struct vocana_model **out)
{
	/* As model_file.c keeps an f16 file's weights: f16 where the selected set widens them. */
	const bool f16 = nn_kernels_select() != &nn_kernels_c;

	return nn_model_create_random_as(hp, seed, amp, f16, out);
}

int nn_model_create_random_as(const struct nn_hparams *hp, uint32_t seed, float amp, bool f16,
			      struct vocana_model **out)
{
	bool half[NN_MAX_TENSORS] = { false };
	/* delay 0: the symmetric window, like a file without the field */
	const uint32_t v[NN_N_HPARAMS] = { hp->n_erb,  hp->n_df,   hp->df_order,
					   hp->enc_dim, hp->hidden, hp->n_gru,
					   hp->delay ? hp->delay : NN_MAX_DELAY };
	struct nn_tensor_spec specs[NN_MAX_TENSORS];
	struct nn_hparams checked;
	struct vocana_model *m;
	uint32_t state = seed;
	size_t n;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (nn_hparams_parse(v, NN_N_HPARAMS, &checked) < 0)
		return -EINVAL;
	n = nn_tensor_specs(&checked, specs);
	for (size_t i = 0; i < n; i++)
		half[i] = f16 && specs[i].ndim == 2;
	m = nn_model_alloc(&checked, half);
	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		void *t = nn_model_tensor(m, &specs[i]);
		/* A bias takes the fan-in of the weight written before it (its cols are 1). */
		const uint32_t fan_in = specs[i].ndim == 2 ? specs[i].cols : specs[i > 0 ? i - 1 : 0].cols;
		const float scale = amp / sqrtf((float)fan_in);

		for (size_t k = 0; k < (size_t)specs[i].rows * specs[i].cols; k++) {
			float w;

			state = state * 1664525u + 1013904223u; /* LCG (Numerical Recipes) */
			w = scale * ((float)(state >> 8) * (2.0f / 16777216.0f) - 1.0f);
			if (half[i])
				((uint16_t *)t)[k] = half_truncated(w);
			else
				((float *)t)[k] = w;
		}
	}
	*out = m;
	return 0;
}
