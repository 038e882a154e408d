/* SPDX-License-Identifier: MIT */
/* Shared plumbing of the baseline suppressors (tools/baselines): raw float32 file I/O, the
 * command line, and the timing report. Not part of libvocana. */
#ifndef VOCANA_BASELINE_IO_H
#define VOCANA_BASELINE_IO_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The baselines' file format: headerless little-endian float32, mono, 48 kHz, full scale +-1.0.
 * (numpy: x.astype('<f4').tofile(path) / np.fromfile(path, '<f4').) */
#define BL_SAMPLE_RATE_HZ 48000
#define BL_FRAME_SAMPLES  480          /* 10 ms: both baselines' native block at 48 kHz */

struct bl_args {
	const char *in_path;
	const char *out_path;
	int report_timing;             /* -t: print processing time and real-time factor to stderr */
};

/* Parses "[-t] IN.f32 OUT.f32". Returns 0, or -EINVAL after printing usage to stderr. */
int bl_parse_args(int argc, char **argv, const char *prog, const char *what, struct bl_args *args);

/* Reads a whole raw float32 file. *samples is malloc'ed and padded with zeros up to a whole number
 * of frames; *n_samples is the unpadded length. Returns 0 or a negative errno. */
int bl_read_f32(const char *path, float **samples, size_t *n_samples);

/* Writes n_samples float32 samples. Returns 0 or a negative errno. */
int bl_write_f32(const char *path, const float *samples, size_t n_samples);

/* Monotonic clock in seconds, for the -t report. */
double bl_now_s(void);

/* Prints "NAME: N samples (S s of audio) in P s: real-time factor R" to stderr. */
void bl_report_timing(const char *name, size_t n_samples, double processing_s);

#ifdef __cplusplus
}
#endif

#endif
