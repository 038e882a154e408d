/* SPDX-License-Identifier: MIT */
/* vocana_dev_* functions for the network stage: see vocana_dev.h. */
#include "vocana/vocana_dev.h"
