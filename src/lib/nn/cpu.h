/* SPDX-License-Identifier: MIT */
/* CPU feature detection and the choice of kernel set. */
#ifndef VOCANA_NN_CPU_H
#define VOCANA_NN_CPU_H

#include <stddef.h>

#include "nn/kernels.h"

/* NN_CPU_* bits of this CPU (and OS: AVX state must be enabled). */
unsigned nn_cpu_detect(void);

/* Every kernel set built in, best first, scalar last; *n gets the count. */
const struct nn_kernels *const *nn_kernels_all(size_t *n);

/* The set called name ("c", "avx2", "neon") if it is built in and cpu_flags has what it needs;
 * NULL otherwise. name NULL or "auto": the best set cpu_flags allows (never NULL). */
const struct nn_kernels *nn_kernels_find(const char *name, unsigned cpu_flags);

/*
 * The set objects created now use: the one forced by nn_force_isa(), else the one named by the
 * environment variable VOCANA_CPU (c|avx2|neon; ignored if unknown or unsupported here), else the
 * best this CPU supports. Call at creation, not on the audio thread (it reads the environment).
 */
const struct nn_kernels *nn_kernels_select(void);

/* Force the set for later selections: name as for nn_kernels_find; NULL or "auto" clears the
 * override. -ENOTSUP if the set is not built in or this CPU lacks it. */
int nn_force_isa(const char *name);

#endif
