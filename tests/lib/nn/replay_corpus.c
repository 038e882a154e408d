/* SPDX-License-Identifier: MIT */
/*
 * Runs every file of the fuzz corpus (tests/lib/nn/corpus/, given as argv[1]) through the fuzz
 * target's entry point, so each input the fuzzer found interesting is a regression test in every
 * build (the sanitizer builds turn a bad read into a failure). Also checks each file's verdict
 * by name: files named valid_* must load, all others must be rejected.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vocana/vocana.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f)
		return -errno;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -EIO;
	}
	/* Exactly n bytes (at least 1 for malloc): ASan then catches a read one past the end. */
	*data = malloc(n > 0 ? (size_t)n : 1);
	if (!*data || fread(*data, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(*data);
		return -EIO;
	}
	fclose(f);
	*size = (size_t)n;
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
	char *names[1024];
	size_t n_names = 0;
	int failures = 0;
	struct dirent *e;
	DIR *dir;

	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
		return 2;
	}
	dir = opendir(argv[1]);
	if (!dir) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	while ((e = readdir(dir)) && n_names < sizeof(names) / sizeof(names[0]))
		if (e->d_name[0] != '.')
			names[n_names++] = strdup(e->d_name);
	closedir(dir);
	qsort(names, n_names, sizeof(names[0]), compare_names);

	for (size_t i = 0; i < n_names; i++) {
		const int want_valid = strncmp(names[i], "valid_", 6) == 0;
		char path[4096];
		struct vocana_model *m = NULL;
		uint8_t *data = NULL;
		size_t size = 0;
		int res;

		snprintf(path, sizeof(path), "%s/%s", argv[1], names[i]);
		if ((res = read_file(path, &data, &size)) < 0) {
			fprintf(stderr, "FAIL %s: cannot read: %s\n", names[i], strerror(-res));
			failures++;
			continue;
		}
		LLVMFuzzerTestOneInput(data, size); /* aborts on a broken invariant */
		res = vocana_model_load_memory(data, size, &m);
		vocana_model_free(m);
		if ((res == 0) != want_valid) {
			fprintf(stderr, "FAIL %s: load returned %d (%s), expected %s\n", names[i], res,
				res < 0 ? strerror(-res) : "ok", want_valid ? "success" : "an error");
			failures++;
		} else {
			fprintf(stderr, "ok   %s (%zu bytes): %d\n", names[i], size, res);
		}
		free(data);
		free(names[i]);
	}
	if (n_names == 0) {
		fprintf(stderr, "no corpus files in %s\n", argv[1]);
		return 1;
	}
	fprintf(stderr, "%zu files, %d failed\n", n_names, failures);
	return failures ? 1 : 0;
}
