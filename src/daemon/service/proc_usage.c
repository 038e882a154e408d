/* SPDX-License-Identifier: MIT */
#include "service/proc_usage.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static long long read_cpu_ticks(pid_t pid, int *err)
{
	char path[64], text[1024];
	unsigned long utime, stime;
	const char *paren;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "re")) == NULL) {
		*err = -errno;
		return -1;
	}
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	/* The command name (field 2) may hold spaces and parentheses: fields resume after the last
	 * ')'. Then state (3), ppid..tpgid (4-8), flags (9), four fault counters (10-13), utime (14)
	 * and stime (15). */
	if ((paren = strrchr(text, ')')) == NULL ||
	    sscanf(paren + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
		   &stime) != 2)
		return -1;
	return (long long)utime + (long long)stime;
}

static long long read_rss_kib(pid_t pid)
{
	char path[64], line[256];
	long long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %lld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

int proc_usage_read(pid_t pid, long long *cpu_ticks, long long *rss_kib)
{
	int err = 0;

	*rss_kib = -1;
	if (pid <= 0) {
		*cpu_ticks = -1;
		return -EINVAL;
	}
	*cpu_ticks = read_cpu_ticks(pid, &err);
	if (err < 0)
		return err;
	*rss_kib = read_rss_kib(pid);
	return 0;
}
