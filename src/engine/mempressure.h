/* SPDX-License-Identifier: MIT */
/*
 * Memory pressure from Linux PSI (pressure stall information, Linux >= 4.20 with CONFIG_PSI; the
 * kernel parameter psi=0 turns it off). /proc/pressure/memory reads
 *     some avg10=1.53 avg60=0.87 avg300=0.20 total=4127388
 *     full avg10=0.00 avg60=0.13 avg300=0.04 total=1043118
 * "some" is the share of wall time (percent, averaged over 10, 60 and 300 s) in which at least one
 * task was stalled waiting for memory (reclaim, swap-in, refaults); "full" the share in which all
 * non-idle tasks were stalled at once; total is the cumulated stall time in microseconds.
 * The kernel refreshes the averages every 2 s: poll about that often, from the main loop (these
 * functions read a file and are not real-time safe).
 *
 * Policy (what the service does on each level; the engine itself never polls):
 *  - NORMAL: nothing.
 *  - ELEVATED (some avg10 >= 10 %): the kernel is evicting pages, and a major page fault on the
 *    audio or worker thread is a stall of milliseconds. Lock the process's memory
 *    (mempressure_lock_memory(), once, unless it was locked at start) and keep denoising; if the
 *    lock is refused (RLIMIT_MEMLOCK), report that once with the fix.
 *  - CRITICAL (full avg10 >= 10 %, or some avg10 >= 40 % when the kernel gives no "full" line):
 *    the machine is thrashing. engine_set_pressure_bypass(e, true): the output goes dry at the
 *    same latency (crossfaded) and in worker mode no frames reach the model, so the worker, its
 *    ~1 MB of weights and its scratch memory go idle instead of adding page faults and deadline
 *    misses. Clear it when the level drops.
 * Levels rise at once and fall one step at a time, after MEMPRESSURE_CALM_POLLS consecutive polls
 * below half the entry threshold (hysteresis: no flapping around a threshold).
 */
#ifndef VOCANA_ENGINE_MEMPRESSURE_H
#define VOCANA_ENGINE_MEMPRESSURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEMPRESSURE_PATH "/proc/pressure/memory"

/* Entry thresholds in percent (see the policy above); exits at half of them. */
#define MEMPRESSURE_ELEVATED_SOME_PCT 10.0f
#define MEMPRESSURE_CRITICAL_FULL_PCT 10.0f
#define MEMPRESSURE_CRITICAL_SOME_PCT 40.0f /* only without a "full" line */
/* Polls (about 2 s each) below the exit threshold before a level is left: ~10 s. */
#define MEMPRESSURE_CALM_POLLS 5

struct mempressure_line {
	float avg10_pct, avg60_pct, avg300_pct;
	uint64_t total_us;
};

struct mempressure_sample {
	struct mempressure_line some;
	struct mempressure_line full;
	bool has_full;
};

enum mempressure_level {
	MEMPRESSURE_NORMAL = 0,
	MEMPRESSURE_ELEVATED = 1,
	MEMPRESSURE_CRITICAL = 2,
};

struct mempressure_monitor {
	enum mempressure_level level;
	uint32_t calm_polls;
};

/*
 * Parse PSI text (len bytes, need not be NUL-terminated). A "some" line is required, "full" is
 * optional (kernels before 5.13 omit it for some resources); each needs avg10, avg60, avg300 (0 to
 * 100) and total; unknown keys and unknown lines are ignored (later kernels may add some).
 * 0, or -EBADMSG for anything malformed (out is then zeroed), -EINVAL for NULL arguments.
 */
int mempressure_parse(const char *text, size_t len, struct mempressure_sample *out);

/* Read and parse a PSI file (path NULL = MEMPRESSURE_PATH). -ENOTSUP when the kernel has no PSI
 * (file missing, or reading it fails with EOPNOTSUPP), -EBADMSG when malformed, else -errno. */
int mempressure_read(const char *path, struct mempressure_sample *out);

/* Level of one sample at the entry thresholds, without hysteresis. */
enum mempressure_level mempressure_classify(const struct mempressure_sample *s);

void mempressure_monitor_init(struct mempressure_monitor *m);

/* Feed one sample; returns the level after it (with hysteresis). */
enum mempressure_level mempressure_monitor_update(struct mempressure_monitor *m,
						  const struct mempressure_sample *s);

/* "normal", "elevated", "critical". */
const char *mempressure_level_name(enum mempressure_level level);

/* mlockall(MCL_CURRENT | MCL_FUTURE): keep every page of the process resident. 0 or -errno
 * (-EPERM/-ENOMEM: RLIMIT_MEMLOCK too low; raise it, e.g. LimitMEMLOCK= in the systemd unit). */
int mempressure_lock_memory(void);

#endif /* VOCANA_ENGINE_MEMPRESSURE_H */
