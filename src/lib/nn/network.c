/* SPDX-License-Identifier: MIT */
/* Forward pass of architecture 1 ("vdfl"); the equations are in docs/architecture.md. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nn/cpu.h"
#include "nn/network.h"

struct nn_state {
	const struct vocana_model *model;
	const struct nn_kernels *k;
	float *enc;              /* [2E]: [e, d], the input of the first GRU */
	float *h[NN_MAX_GRU];    /* [H] each: GRU states */
	float *scratch;          /* gru_step's gate pre-activations */
	float *kept;             /* [state_floats]: h while nn_forward_keep_state runs */
	size_t state_floats;     /* h[0..n_gru) are contiguous: nn_reset clears them at once */
};

/* Floats rounded up to whole 64-byte lines, so every buffer starts aligned. */
static size_t aligned_floats(size_t n)
{
	const size_t per_line = NN_ALIGN / sizeof(float);

	return (n + per_line - 1) / per_line * per_line;
}

int nn_state_create_with_kernels(const struct vocana_model *m, const struct nn_kernels *k,
				 struct nn_state **out)
{
	const size_t header = aligned_floats((sizeof(struct nn_state) + sizeof(float) - 1) /
					     sizeof(float));
	size_t enc_n, h_n, scratch_n, total_floats;
	struct nn_state *s;
	float *p;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!m || !k)
		return -EINVAL;
	enc_n = aligned_floats(2 * (size_t)m->hp.enc_dim);
	h_n = aligned_floats(m->hp.hidden);
	scratch_n = aligned_floats(nn_gru_scratch_floats(m->hp.hidden));
	total_floats = header + enc_n + 2 * h_n * m->hp.n_gru + scratch_n;

	/* One allocation: the struct, then the buffers, each on its own cache lines. The size is a
	 * multiple of NN_ALIGN, as aligned_alloc requires. */
	s = aligned_alloc(NN_ALIGN, total_floats * sizeof(float));
	if (!s)
		return -ENOMEM;
	memset(s, 0, total_floats * sizeof(float));
	s->model = m;
	s->k = k;
	p = (float *)(void *)s + header;
	s->enc = p;
	p += enc_n;
	for (uint32_t i = 0; i < m->hp.n_gru; i++) {
		s->h[i] = p;
		p += h_n;
	}
	s->state_floats = h_n * m->hp.n_gru;
	s->kept = p;
	p += s->state_floats;
	s->scratch = p;
	*out = s;
	return 0;
}

int nn_state_create(const struct vocana_model *m, struct nn_state **out)
{
	return nn_state_create_with_kernels(m, nn_kernels_select(), out);
}

void nn_state_destroy(struct nn_state *s)
{
	free(s);
}

void nn_reset(struct nn_state *s)
{
	/* PyTorch's default h0 is zeros. */
	memset(s->h[0], 0, s->state_floats * sizeof(float));
}

void nn_forward_keep_state(struct nn_state *s, const float *features, float *gains,
			   float *df_coefs, float *vad)
{
	memcpy(s->kept, s->h[0], s->state_floats * sizeof(float));
	nn_forward(s, features, gains, df_coefs, vad);
	memcpy(s->h[0], s->kept, s->state_floats * sizeof(float));
}

/* y = layer(x), whichever way its weights are stored. */
static void dense(const struct nn_kernels *k, float *y, const struct nn_dense *d, const float *x)
{
	nn_gemv_matrix(k, y, &d->weight, d->bias, x, d->n_out, d->n_in);
}

void nn_forward(struct nn_state *s, const float *features, float *gains, float *df_coefs,
		float *vad)
{
	const struct vocana_model *m = s->model;
	const struct nn_kernels *k = s->k;
	const size_t e = m->hp.enc_dim;
	const float *x;
	const float *h;

	/* Encoders, written side by side: their concatenation [e, d] is the first GRU's input. */
	dense(k, s->enc, &m->enc_erb, features);
	dense(k, s->enc + e, &m->enc_df, features + m->hp.n_erb);
	k->relu(s->enc, s->enc, 2 * e);

	x = s->enc;
	for (uint32_t i = 0; i < m->hp.n_gru; i++) {
		k->gru_step(&m->gru[i], x, s->h[i], s->scratch);
		x = s->h[i];
	}
	h = x; /* the last GRU's state feeds every head */

	if (gains) {
		dense(k, gains, &m->head_gain, h);
		k->sigmoid(gains, gains, m->head_gain.n_out);
	}
	if (df_coefs) {
		dense(k, df_coefs, &m->head_df, h);
		k->tanh(df_coefs, df_coefs, m->head_df.n_out);
	}
	if (vad) {
		dense(k, vad, &m->head_vad, h);
		k->sigmoid(vad, vad, 1);
	}
}

const struct vocana_model *nn_state_model(const struct nn_state *s)
{
	return s->model;
}

const struct nn_kernels *nn_state_kernels(const struct nn_state *s)
{
	return s->k;
}
