/* SPDX-License-Identifier: MIT */
/* Run-time choice of kernel set: a const table, best first and scalar last, filtered by what
 * the CPU has, with two overrides for tests and benchmarks (vocana_dev_force_isa, VOCANA_CPU). */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "nn/cpu.h"
#include "vocana_config.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#include <cpuid.h>
#endif

static const struct nn_kernels *const kernel_table[] = {
#if VOCANA_HAVE_AVX2
	&nn_kernels_avx2,
#endif
#if VOCANA_HAVE_NEON
	&nn_kernels_neon,
#endif
	&nn_kernels_c, /* always present, always last */
};

#define N_KERNEL_SETS (sizeof(kernel_table) / sizeof(kernel_table[0]))

/* Set only by nn_force_isa(), read at object creation. Atomic so that a test forcing a set
 * while another thread creates a denoiser is a defined race (either set is valid), not UB. */
static _Atomic(const struct nn_kernels *) forced_kernels;

unsigned nn_cpu_detect(void)
{
	unsigned flags = 0;

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
	/* CPUID alone is not enough for AVX: the OS must also save the YMM registers on context
	 * switches (CPUID.OSXSAVE and XGETBV bits 1-2). GCC's libgcc (since GCC 4.8) and clang's
	 * compiler-rt both check that before reporting "avx", "avx2" or "fma" here, so a kernel
	 * with AVX disabled by the OS (or a hypervisor) falls back to scalar instead of faulting.
	 * __builtin_cpu_init() is only required before main (ifunc resolvers, constructors), but
	 * it is cheap and idempotent. */
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx2"))
		flags |= NN_CPU_AVX2;
	if (__builtin_cpu_supports("fma"))
		flags |= NN_CPU_FMA;
	/* F16C from CPUID directly: __builtin_cpu_supports("f16c") needs GCC 11 / a recent clang.
	 * It uses the YMM state, which the "avx2" answer above already saw enabled. */
	{
		unsigned eax, ebx, ecx, edx;

		if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C))
			flags |= NN_CPU_F16C;
	}
#endif
#if defined(__aarch64__)
	flags |= NN_CPU_NEON; /* Advanced SIMD is mandatory in AArch64 */
#endif
	return flags;
}

const struct nn_kernels *const *nn_kernels_all(size_t *n)
{
	*n = N_KERNEL_SETS;
	return kernel_table;
}

const struct nn_kernels *nn_kernels_find(const char *name, unsigned cpu_flags)
{
	const bool best = !name || strcmp(name, "auto") == 0;

	for (size_t i = 0; i < N_KERNEL_SETS; i++) {
		const struct nn_kernels *k = kernel_table[i];

		if ((k->cpu_flags & cpu_flags) != k->cpu_flags)
			continue;
		if (best || strcmp(name, k->name) == 0)
			return k;
	}
	return NULL;
}

const struct nn_kernels *nn_kernels_select(void)
{
	const struct nn_kernels *k = atomic_load_explicit(&forced_kernels, memory_order_acquire);
	const unsigned flags = nn_cpu_detect();
	const char *env;

	if (k)
		return k;
	/* VOCANA_CPU=c reproduces a scalar-only machine without rebuilding; a value this build
	 * or CPU can't honour is ignored rather than failing creation (the library never
	 * prints, so it can't warn; `vocana_dev_isa_name()` shows what was chosen). */
	env = getenv("VOCANA_CPU");
	if (env && (k = nn_kernels_find(env, flags)))
		return k;
	return nn_kernels_find(NULL, flags);
}

int nn_force_isa(const char *name)
{
	const struct nn_kernels *k = NULL;

	if (name && strcmp(name, "auto") != 0) {
		k = nn_kernels_find(name, nn_cpu_detect());
		if (!k)
			return -ENOTSUP;
	}
	atomic_store_explicit(&forced_kernels, k, memory_order_release);
	return 0;
}
