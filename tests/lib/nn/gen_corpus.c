/* SPDX-License-Identifier: MIT */
/*
 * Writes the seed inputs of the model-loader fuzz corpus (tests/lib/nn/corpus/): a few tiny valid
 * models (valid_*) and one corrupted variant per kind of check (bad_*), each a few KB.
 *   ninja -C BUILD tests/lib/nn/gen_corpus && BUILD/tests/lib/nn/gen_corpus tests/lib/nn/corpus
 * Files the fuzzer finds are added next to them by scripts/fuzz-model.sh's instructions.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_builder.h"

static const char *out_dir;

static void write_bytes(const char *name, const unsigned char *buf, size_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", out_dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, size, f) != size || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void write_model(const char *name, const struct mb_model *d)
{
	size_t size;
	unsigned char *buf = mb_serialize(d, &size);

	write_bytes(name, buf, size);
	free(buf);
}

/* The base model, serialized, patched at offset off with a 32- or 64-bit value, checksum fixed
 * (fix = 1) or not. */
static void write_patched(const char *name, const struct mb_model *d, size_t off, uint64_t v,
			  int width, int fix)
{
	size_t size;
	unsigned char *buf = mb_serialize(d, &size);

	if (width == 8)
		mb_put64(buf + off, v);
	else if (width == 4)
		mb_put32(buf + off, (uint32_t)v);
	else
		buf[off] = (unsigned char)v;
	if (fix)
		mb_fix_crc(buf, size);
	write_bytes(name, buf, size);
	free(buf);
}

int main(int argc, char **argv)
{
	/* Tiny: E=2, H=2, one deep-filter bin and tap; ~2.5 KB as f32. */
	static const uint32_t tiny[6] = { 32, 1, 1, 2, 2, 1 };
	static const uint32_t tiny2[6] = { 32, 2, 2, 1, 3, 2 };
	static const uint32_t tiny4[6] = { 32, 1, 1, 1, 1, 4 };
	struct mb_model d, e;
	size_t size;
	unsigned char *buf;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	out_dir = argv[1];

	mb_init(&d, tiny, 1, MB_F32, 1.0f);
	write_model("valid_tiny_f32.vcm", &d);
	mb_clear(&d);
	mb_init(&d, tiny2, 2, MB_F16, 1.0f);
	write_model("valid_tiny_f16.vcm", &d);
	mb_clear(&d);
	mb_init(&d, tiny4, 3, MB_INT8, 1.0f);
	write_model("valid_gru4_int8.vcm", &d);
	mb_clear(&d);

	mb_init(&d, tiny, 4, MB_F16, 1.0f);
	buf = mb_serialize(&d, &size);
	write_bytes("bad_empty", buf, 0);
	write_bytes("bad_magic_only", buf, 8);
	write_bytes("bad_truncated_header", buf, 40);
	write_bytes("bad_truncated_table", buf, 300);
	write_bytes("bad_truncated_data", buf, size - 5);
	free(buf);

	write_patched("bad_magic", &d, 0, 'W', 1, 1);
	write_patched("bad_version", &d, 8, 2, 4, 1);
	write_patched("bad_arch", &d, 12, 7, 4, 1);
	write_patched("bad_crc", &d, 200, 0x55, 1, 0);
	write_patched("bad_file_size", &d, 24, 100000, 8, 0);
	write_patched("bad_reserved", &d, 40, 1, 1, 1);
	write_patched("bad_n_hparams", &d, 16, 7, 4, 1);
	write_patched("bad_n_tensors_0", &d, 20, 0, 4, 1);
	write_patched("bad_n_tensors_huge", &d, 20, 0xffffffffu, 4, 1);
	write_patched("bad_hparam_n_erb", &d, 64, 31, 4, 1);
	write_patched("bad_hparam_zero", &d, 64 + 4 * 3, 0, 4, 1);
	write_patched("bad_hparam_big", &d, 64 + 4 * 4, 1025, 4, 1);
	write_patched("bad_hparam_n_gru", &d, 64 + 4 * 5, 5, 4, 1);
	write_patched("bad_dtype", &d, mb_record_offset(&d, 0) + 32, 3, 4, 1);
	write_patched("bad_ndim", &d, mb_record_offset(&d, 1) + 36, 2, 4, 1);
	write_patched("bad_shape", &d, mb_record_offset(&d, 2) + 40, 3, 4, 1);
	write_patched("bad_scale_on_f16", &d, mb_record_offset(&d, 3) + 48, 0x3f800000u, 4, 1);
	write_patched("bad_record_reserved", &d, mb_record_offset(&d, 4) + 52, 9, 4, 1);
	write_patched("bad_name_char", &d, mb_record_offset(&d, 5) + 2, '-', 1, 1);
	write_patched("bad_name_padding", &d, mb_record_offset(&d, 5) + 30, 'x', 1, 1);
	{
		buf = mb_serialize(&d, &size);
		const uint64_t o0 = mb_get64(buf + mb_record_offset(&d, 0) + 56);
		const uint64_t o1 = mb_get64(buf + mb_record_offset(&d, 1) + 56);

		free(buf);
		write_patched("bad_misaligned", &d, mb_record_offset(&d, 1) + 56, o1 + 4, 8, 1);
		write_patched("bad_overlap", &d, mb_record_offset(&d, 1) + 56, o0, 8, 1);
		write_patched("bad_out_of_bounds", &d, mb_record_offset(&d, 1) + 56, size + 60, 8, 1);
		write_patched("bad_offset_in_table", &d, mb_record_offset(&d, 1) + 56, 128, 8, 1);
		write_patched("bad_offset_wraps", &d, mb_record_offset(&d, 1) + 56,
			      UINT64_MAX - 63, 8, 1);
	}

	mb_init(&e, tiny, 5, MB_F32, 1.0f);
	mb_remove(&e, 3);
	write_model("bad_missing_tensor", &e);
	mb_clear(&e);
	mb_init(&e, tiny, 5, MB_F32, 1.0f);
	mb_duplicate(&e, 0);
	write_model("bad_duplicate_tensor", &e);
	mb_clear(&e);
	mb_init(&e, tiny, 5, MB_F32, 1.0f);
	snprintf(e.tensors[0].name, sizeof(e.tensors[0].name), "enc_erb.weights");
	write_model("bad_unknown_name", &e);
	mb_clear(&e);
	mb_init(&e, tiny, 5, MB_F32, 1.0f);
	snprintf(e.tensors[0].name, sizeof(e.tensors[0].name), "%s",
		 "enc_erb.weight_xxxxxxxxxxxxxxxxx"); /* 32 characters: no NUL */
	write_model("bad_name_no_nul", &e);
	mb_clear(&e);
	mb_init(&e, tiny, 5, MB_F32, 1.0f);
	e.tensors[6].values[0] = NAN;
	write_model("bad_nan_weight", &e);
	mb_clear(&e);
	mb_init(&e, tiny, 5, MB_F16, 1.0f);
	e.tensors[4].values[0] = INFINITY;
	write_model("bad_inf_f16", &e);
	mb_clear(&e);
	mb_init(&e, tiny, 5, MB_INT8, 1.0f);
	e.tensors[2].scale = INFINITY;
	write_model("bad_int8_scale_inf", &e);
	mb_clear(&e);

	mb_clear(&d);
	return 0;
}
