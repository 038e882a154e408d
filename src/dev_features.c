/* SPDX-License-Identifier: MIT */
/* vocana_dev_* functions for the analysis stage (STFT + features): see vocana_dev.h. */
#include "vocana/vocana_dev.h"
