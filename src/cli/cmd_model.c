/* SPDX-License-Identifier: MIT */
/*
 * vocana model info [FILE]
 *
 * Loads the model through the public API first, so a file is described only after the library's
 * loader has checked every field and the checksum (docs/model-format.md); the header and tensor
 * table are then read again here, byte by byte, purely for display.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "io/sysio.h"
#include "vocana/vocana.h"
#include "vocana/vocana_dev.h"

#define MODEL_HEADER_BYTES 64
#define MODEL_TENSOR_RECORD_BYTES 64
#define MODEL_MAX_TENSORS 256
#define MODEL_MAX_HPARAMS 64 /* more than any architecture has; bounds the read below */

static const char usage_text[] =
	"usage: vocana model info [FILE]\n"
	"\n"
	"Describe a model file (docs/model-format.md): format version, architecture,\n"
	"hyper-parameters, parameter count and tensor table. Without FILE, describe the model\n"
	"built into libvocana. The file is fully checked (sizes, shapes, checksum) first.\n";

static const char *const hparam_names[7] = { "n_erb",  "n_df",  "df_order", "enc_dim",
					     "hidden", "n_gru", "delay" };

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
	return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static const char *arch_name(uint32_t arch_id)
{
	return arch_id == 1 ? "vdfl" : "unknown";
}

static const char *dtype_name(uint32_t dtype)
{
	switch (dtype) {
	case 0: return "f32";
	case 1: return "f16";
	case 2: return "int8";
	default: return "?";
	}
}

static int read_at(FILE *f, long offset, void *buf, size_t n)
{
	if (fseek(f, offset, SEEK_SET) != 0 || fread(buf, 1, n, f) != n)
		return -EIO;
	return 0;
}

/* Print the header and tensor table of a file the library has already accepted. */
static int print_file_layout(const char *path)
{
	unsigned char header[MODEL_HEADER_BYTES], record[MODEL_TENSOR_RECORD_BYTES], crc[4];
	uint32_t n_hparams, n_tensors;
	uint64_t file_size;
	long table_offset;
	/* The library has refused anything but a regular file already; open it the same way in
	 * case it was replaced meanwhile (a FIFO would block here for good). */
	int fd = sysio_open_regular(path);
	FILE *f = fd >= 0 ? fdopen(fd, "rb") : NULL;
	int res = -EIO;

	if (fd < 0)
		return fd;
	if (f == NULL) {
		res = -errno;
		close(fd);
		return res;
	}
	if (read_at(f, 0, header, sizeof(header)) < 0)
		goto out;
	n_hparams = get_u32(header + 16);
	n_tensors = get_u32(header + 20);
	file_size = get_u64(header + 24);
	if (n_hparams > MODEL_MAX_HPARAMS || n_tensors > MODEL_MAX_TENSORS || file_size < 4 ||
	    read_at(f, (long)(file_size - 4), crc, sizeof(crc)) < 0) {
		res = -EBADMSG; /* changed since the library read it */
		goto out;
	}
	printf("format:        %.8s version %u, %llu bytes, crc32 0x%08x\n", (const char *)header,
	       get_u32(header + 8), (unsigned long long)file_size, get_u32(crc));
	printf("architecture:  %u (%s)\n", get_u32(header + 12), arch_name(get_u32(header + 12)));

	/* The tensor table starts at the first 64-byte boundary after the hyper-parameters. */
	table_offset = (long)((MODEL_HEADER_BYTES + 4u * n_hparams + 63u) & ~63u);
	printf("tensors:       %u\n", n_tensors);
	printf("  %-32s %-5s %-12s %s\n", "name", "dtype", "shape", "offset");
	for (uint32_t i = 0; i < n_tensors; i++) {
		char name[33], shape[32];
		if (read_at(f, table_offset + (long)i * MODEL_TENSOR_RECORD_BYTES, record,
			    sizeof(record)) < 0)
			goto out;
		memcpy(name, record, 32);
		name[32] = '\0';
		if (get_u32(record + 36) == 1)
			snprintf(shape, sizeof(shape), "%u", get_u32(record + 40));
		else
			snprintf(shape, sizeof(shape), "%u x %u", get_u32(record + 40), get_u32(record + 44));
		printf("  %-32s %-5s %-12s %llu\n", name, dtype_name(get_u32(record + 32)), shape,
		       (unsigned long long)get_u64(record + 56));
	}
	res = 0;
out:
	fclose(f);
	return res;
}

static int model_info(const char *path)
{
	struct vocana_model *m = NULL;
	uint32_t hp[7];
	int res;

	res = path != NULL ? vocana_model_load_file(path, &m) : vocana_model_load_default(&m);
	if (res < 0) {
		if (path != NULL)
			cli_error("cannot load model '%s': %s", path, cli_strerror(res));
		else
			cli_error("cannot load the built-in model: %s", cli_strerror(res));
		return CLI_EXIT_FAILURE;
	}
	res = vocana_dev_model_hparams(m, hp);
	if (res < 0) {
		cli_error("cannot read the model's hyper-parameters: %s", cli_strerror(res));
		vocana_model_free(m);
		return CLI_EXIT_FAILURE;
	}

	if (path != NULL)
		printf("model:         %s\n", path);
	else
		printf("model:         built-in (libvocana %s)\n", vocana_version_string());
	printf("hparams:      ");
	for (size_t i = 0; i < 7; i++)
		printf(" %s=%u", hparam_names[i], hp[i]);
	printf("\n");
	printf("parameters:    %zu\n", vocana_model_parameter_count(m));
	printf("kernels:       %s\n", vocana_dev_isa_name());
	vocana_model_free(m);

	if (path != NULL && (res = print_file_layout(path)) < 0) {
		fflush(stdout);
		cli_error("cannot read the layout of '%s': %s", path, cli_strerror(res));
		return CLI_EXIT_FAILURE;
	}
	return CLI_EXIT_OK;
}

int cmd_model(int argc, char **argv)
{
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs(usage_text, stdout);
		return CLI_EXIT_OK;
	}
	if (argc < 2)
		return cli_usage_error("model", "missing subcommand (info)");
	if (strcmp(argv[1], "info") != 0)
		return cli_usage_error("model", "unknown subcommand '%s'", argv[1]);
	if (argc >= 3 && (strcmp(argv[2], "-h") == 0 || strcmp(argv[2], "--help") == 0)) {
		fputs(usage_text, stdout);
		return CLI_EXIT_OK;
	}
	if (argc > 3)
		return cli_usage_error("model", "'info' takes at most one FILE");
	return model_info(argc == 3 ? argv[2] : NULL);
}
