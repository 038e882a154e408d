/* SPDX-License-Identifier: MIT */
#include "baseline_io.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int bl_parse_args(int argc, char **argv, const char *prog, const char *what, struct bl_args *args)
{
	int i = 1;

	memset(args, 0, sizeof(*args));
	if (i < argc && strcmp(argv[i], "-t") == 0) {
		args->report_timing = 1;
		i++;
	}
	if (argc - i != 2) {
		fprintf(stderr,
			"usage: %s [-t] IN.f32 OUT.f32\n"
			"  %s\n"
			"  IN/OUT: raw little-endian float32, mono, %d Hz, full scale +-1.0; OUT has IN's length\n"
			"  and is NOT delay-compensated. -t: print processing time and real-time factor.\n",
			prog, what, BL_SAMPLE_RATE_HZ);
		return -EINVAL;
	}
	args->in_path = argv[i];
	args->out_path = argv[i + 1];
	return 0;
}

int bl_read_f32(const char *path, float **samples, size_t *n_samples)
{
	FILE *f = NULL;
	float *buf = NULL;
	long bytes;
	size_t n, padded;
	int res;

	f = fopen(path, "rb");
	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) != 0 || (bytes = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		res = -EIO;
		goto error;
	}
	if (bytes % (long)sizeof(float) != 0) {
		res = -EBADMSG;        /* not a float32 file */
		goto error;
	}
	n = (size_t)bytes / sizeof(float);
	padded = (n + BL_FRAME_SAMPLES - 1) / BL_FRAME_SAMPLES * BL_FRAME_SAMPLES;
	buf = calloc(padded ? padded : 1, sizeof(float));
	if (!buf) {
		res = -ENOMEM;
		goto error;
	}
	if (fread(buf, sizeof(float), n, f) != n) {
		res = -EIO;
		goto error;
	}
	fclose(f);
	*samples = buf;
	*n_samples = n;
	return 0;
error:
	free(buf);
	fclose(f);
	return res;
}

int bl_write_f32(const char *path, const float *samples, size_t n_samples)
{
	FILE *f = fopen(path, "wb");
	int res = 0;

	if (!f)
		return -errno;
	if (fwrite(samples, sizeof(float), n_samples, f) != n_samples)
		res = -EIO;
	if (fclose(f) != 0 && res == 0)
		res = -EIO;
	return res;
}

double bl_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void bl_report_timing(const char *name, size_t n_samples, double processing_s)
{
	double audio_s = (double)n_samples / BL_SAMPLE_RATE_HZ;

	fprintf(stderr, "%s: %zu samples (%.3f s of audio) in %.6f s: real-time factor %.5f\n",
		name, n_samples, audio_s, processing_s, audio_s > 0 ? processing_s / audio_s : 0.0);
}
