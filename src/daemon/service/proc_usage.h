/* SPDX-License-Identifier: MIT */
/*
 * CPU time and resident memory of a process, read from /proc: what the service reports about
 * itself (cpu_time_ms, rss_kib) and what `vocana monitor` measures of the service, read the same
 * way by both. Not for the audio thread (file I/O).
 */
#ifndef VOCANA_SERVICE_PROC_USAGE_H
#define VOCANA_SERVICE_PROC_USAGE_H

#include <sys/types.h>

/* utime + stime in clock ticks (sysconf(_SC_CLK_TCK) per second) from /proc/<pid>/stat, and VmRSS
 * in KiB from /proc/<pid>/status. Returns 0, or a negative errno (-ENOENT: no such process,
 * -EINVAL: pid <= 0). A field that cannot be read is returned as -1. */
int proc_usage_read(pid_t pid, long long *cpu_ticks, long long *rss_kib);

#endif /* VOCANA_SERVICE_PROC_USAGE_H */
