/* SPDX-License-Identifier: MIT */
/* vocana_dev_* functions for the network stage: see vocana_dev.h. */
#include <errno.h>
#include <stdlib.h>

#include "nn/cpu.h"
#include "nn/model.h"
#include "nn/network.h"
#include "vocana/vocana_dev.h"

int vocana_dev_run_network(const struct vocana_model *m, const float *features, size_t n_frames,
			   float *gains, float *df, float *vad)
{
	struct nn_state *s = NULL;
	size_t n_in, n_coefs;
	int res;

	if (!m || (!features && n_frames > 0))
		return -EINVAL;
	n_in = nn_model_n_features(m);
	n_coefs = nn_model_n_df_coefs(m);
	if ((res = nn_state_create(m, &s)) < 0)
		return res;
	for (size_t t = 0; t < n_frames; t++)
		nn_forward(s, features + t * n_in, gains ? gains + t * m->hp.n_erb : NULL,
			   df ? df + t * n_coefs : NULL, vad ? vad + t : NULL);
	nn_state_destroy(s);
	return 0;
}

int vocana_dev_model_hparams(const struct vocana_model *m, uint32_t *hparams7)
{
	if (!m || !hparams7)
		return -EINVAL;
	hparams7[NN_HP_N_ERB] = m->hp.n_erb;
	hparams7[NN_HP_N_DF] = m->hp.n_df;
	hparams7[NN_HP_DF_ORDER] = m->hp.df_order;
	hparams7[NN_HP_ENC_DIM] = m->hp.enc_dim;
	hparams7[NN_HP_HIDDEN] = m->hp.hidden;
	hparams7[NN_HP_N_GRU] = m->hp.n_gru;
	hparams7[NN_HP_DELAY] = m->hp.delay;
	return 0;
}

int vocana_dev_force_isa(const char *name)
{
	return nn_force_isa(name);
}

const char *vocana_dev_isa_name(void)
{
	return nn_kernels_select()->name;
}
