/* SPDX-License-Identifier: MIT */
/*
 * Model file parser and loader (docs/model-format.md). Validate at load, then trust: after this
 * file accepts a model, the compute code never checks a shape or a value again.
 *
 * Every read goes through model_rd16/32/64 at an offset that was first checked against the
 * buffer size, and every size computed from the file is bounded by the hyper-parameter limits,
 * so no arithmetic here overflows. The fuzzer (tests/lib/nn/fuzz_model_loader.c) holds us to it.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "nn/cpu.h"
#include "nn/crc32.h"
#include "nn/half.h"
#include "nn/model_file.h"

_Static_assert(sizeof(float) == 4, "the model format stores IEEE 754 binary32");

static float f32_from_bits(uint32_t bits)
{
	float f;

	memcpy(&f, &bits, sizeof(f));
	return f;
}

static bool name_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.';
}

/* The name field: [A-Za-z0-9_.]+, then a NUL, then NUL padding to 32 bytes. */
static int parse_name(const unsigned char *p, char name[NN_TENSOR_NAME_SIZE])
{
	size_t len = 0;

	while (len < NN_TENSOR_NAME_SIZE && p[len] != 0) {
		if (!name_char_ok(p[len]))
			return -EBADMSG;
		len++;
	}
	if (len == 0 || len == NN_TENSOR_NAME_SIZE) /* empty, or no NUL */
		return -EBADMSG;
	for (size_t i = len; i < NN_TENSOR_NAME_SIZE; i++)
		if (p[i] != 0)
			return -EBADMSG;
	memcpy(name, p, len + 1);
	return 0;
}

static uint64_t dtype_size(uint32_t dtype)
{
	switch (dtype) {
	case MODEL_DTYPE_F32: return 4;
	case MODEL_DTYPE_F16: return 2;
	case MODEL_DTYPE_INT8: return 1;
	default: return 0;
	}
}

/* One 64-byte tensor record at p, matched against the tensors the hyper-parameters require. */
static int parse_record(const unsigned char *p, const struct nn_tensor_spec *specs, size_t n_specs,
			bool *seen, uint64_t data_begin, uint64_t data_end,
			struct model_file_tensor *t)
{
	const struct nn_tensor_spec *spec = NULL;
	uint32_t scale_bits;
	uint64_t elem_size;
	int res;

	if ((res = parse_name(p + MODEL_RECORD_OFF_NAME, t->name)) < 0)
		return res;
	for (size_t i = 0; i < n_specs; i++) {
		if (strcmp(specs[i].name, t->name) == 0) {
			spec = &specs[i];
			t->spec_index = i;
			break;
		}
	}
	if (!spec) /* unknown name: a typo or another architecture must not load silently */
		return -EBADMSG;
	if (seen[t->spec_index]) /* duplicate */
		return -EBADMSG;
	seen[t->spec_index] = true;

	t->dtype = model_rd32(p + MODEL_RECORD_OFF_DTYPE);
	t->ndim = model_rd32(p + MODEL_RECORD_OFF_NDIM);
	t->rows = model_rd32(p + MODEL_RECORD_OFF_SHAPE);
	t->cols = model_rd32(p + MODEL_RECORD_OFF_SHAPE + 4);
	scale_bits = model_rd32(p + MODEL_RECORD_OFF_SCALE);
	t->scale = f32_from_bits(scale_bits);
	t->offset = model_rd64(p + MODEL_RECORD_OFF_OFFSET);

	elem_size = dtype_size(t->dtype);
	if (elem_size == 0)
		return -EBADMSG;
	if (model_rd32(p + MODEL_RECORD_OFF_RESERVED) != 0)
		return -EBADMSG;
	if (t->dtype == MODEL_DTYPE_INT8 ? !isfinite(t->scale) : scale_bits != 0)
		return -EBADMSG;
	/* The exact shape, ndim included (a bias is 1-D with cols = 1, a weight 2-D). Checking it
	 * before computing the byte size bounds rows * cols by the hyper-parameter limits. */
	if (t->ndim != spec->ndim || t->rows != spec->rows || t->cols != spec->cols)
		return -EBADMSG;
	t->n_bytes = (uint64_t)t->rows * t->cols * elem_size;
	if (t->offset % MODEL_FILE_ALIGN != 0)
		return -EBADMSG;
	/* Inside [table end, crc), written so nothing can wrap around. */
	if (t->offset < data_begin || t->offset > data_end || t->n_bytes > data_end - t->offset)
		return -EBADMSG;
	return 0;
}

/* No two tensors share a byte: sort by offset (insertion sort, at most NN_MAX_TENSORS) and
 * compare neighbours. */
static int check_no_overlap(const struct model_file_info *info)
{
	const struct model_file_tensor *order[NN_MAX_TENSORS];
	const size_t n = info->n_tensors;

	for (size_t i = 0; i < n; i++) {
		const struct model_file_tensor *t = &info->tensors[i];
		size_t j = i;

		while (j > 0 && order[j - 1]->offset > t->offset) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = t;
	}
	for (size_t i = 1; i < n; i++)
		if (order[i - 1]->offset + order[i - 1]->n_bytes > order[i]->offset)
			return -EBADMSG;
	return 0;
}

int model_file_inspect(const void *data, size_t size, struct model_file_info *info)
{
	const unsigned char *p = data;
	struct nn_tensor_spec specs[NN_MAX_TENSORS];
	bool seen[NN_MAX_TENSORS] = { false };
	uint64_t data_end;
	size_t n_specs;
	int res;

	if ((!data && size) || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));

	if (size < MODEL_FILE_HEADER_SIZE || memcmp(p, MODEL_FILE_MAGIC, MODEL_FILE_MAGIC_SIZE) != 0)
		return -EBADMSG;
	/* Version and architecture come before any other check: a newer file may lay out the rest
	 * differently (even the checksum), and "unsupported" is the useful answer for it. */
	info->format_version = model_rd32(p + MODEL_FILE_OFF_VERSION);
	if (info->format_version != MODEL_FILE_VERSION)
		return -ENOTSUP;
	info->arch_id = model_rd32(p + MODEL_FILE_OFF_ARCH);
	if (info->arch_id != NN_ARCH_VDFL)
		return -ENOTSUP;

	info->n_hparams = model_rd32(p + MODEL_FILE_OFF_N_HPARAMS);
	info->n_tensors = model_rd32(p + MODEL_FILE_OFF_N_TENSORS);
	info->file_size = model_rd64(p + MODEL_FILE_OFF_FILE_SIZE);
	/* A truncated or padded file fails here, before anything else is trusted. */
	if (info->file_size != (uint64_t)size)
		return -EBADMSG;
	info->crc32 = model_rd32(p + size - MODEL_FILE_CRC_SIZE);
	if (nn_crc32(0, p, size - MODEL_FILE_CRC_SIZE) != info->crc32)
		return -EBADMSG;
	for (size_t i = MODEL_FILE_OFF_RESERVED; i < MODEL_FILE_HEADER_SIZE; i++)
		if (p[i] != 0)
			return -EBADMSG;

	if (info->n_hparams != NN_N_HPARAMS && info->n_hparams != NN_N_HPARAMS_V1)
		return -EBADMSG;
	if (info->n_tensors < 1 || info->n_tensors > MODEL_FILE_MAX_TENSORS)
		return -EBADMSG;
	info->table_offset = model_file_table_offset(info->n_hparams);
	info->data_offset = info->table_offset + (uint64_t)info->n_tensors * MODEL_FILE_RECORD_SIZE;
	data_end = info->file_size - MODEL_FILE_CRC_SIZE;
	if (info->data_offset > data_end)
		return -EBADMSG;

	for (size_t i = 0; i < info->n_hparams; i++)
		info->hparam_values[i] = model_rd32(p + MODEL_FILE_OFF_HPARAMS + 4 * i);
	if ((res = nn_hparams_parse(info->hparam_values, info->n_hparams, &info->hp)) < 0)
		return res;

	/* Each required tensor exactly once and nothing else, so the count must match; checking
	 * the records first gives the same answer and catches the unknown or duplicate name. */
	n_specs = nn_tensor_specs(&info->hp, specs);
	for (size_t i = 0; i < info->n_tensors; i++) {
		if (i >= n_specs) /* more records than tensors: one must be unknown or repeated */
			return -EBADMSG;
		res = parse_record(p + info->table_offset + i * MODEL_FILE_RECORD_SIZE, specs,
				   n_specs, seen, info->data_offset, data_end, &info->tensors[i]);
		if (res < 0)
			return res;
		info->n_params += (size_t)info->tensors[i].rows * info->tensors[i].cols;
	}
	if (info->n_tensors != n_specs) /* a required tensor is missing */
		return -EBADMSG;
	return check_no_overlap(info);
}

/* Whether tensor t stays IEEE half in memory (nn_model_alloc's half[]): f16 weight matrices,
 * when the kernel set objects get now (nn_kernels_select(): the CPU's best, or the one forced by
 * VOCANA_CPU / vocana_dev_force_isa) widens halves in hardware (F16C, NEON). The scalar set can
 * run f16 weights too (a model loaded before forcing it), but widening in C costs it several
 * times its f32 time, more than the memory traffic saved, so it gets f32 weights as before. f16
 * biases are always widened (a few hundred bytes; the kernels add f32 biases). */
static bool keep_half(const struct model_file_tensor *t, bool hw_widen)
{
	return hw_widen && t->dtype == MODEL_DTYPE_F16 && t->ndim == 2;
}

/* Copy one tensor into dst: as is for a kept half (see keep_half), else widened to f32. False
 * if a value is not finite. */
static bool convert_tensor(const unsigned char *src, const struct model_file_tensor *t,
			   bool half, void *dst)
{
	const size_t n = (size_t)t->rows * t->cols;
	bool finite = true;

	if (half) {
		uint16_t *d16 = dst;

		for (size_t i = 0; i < n; i++) {
			d16[i] = model_rd16(src + 2 * i);
			finite &= nn_half_is_finite(d16[i]) != 0;
		}
		return finite;
	}
	float *dst32 = dst;

	switch (t->dtype) {
	case MODEL_DTYPE_F32:
		for (size_t i = 0; i < n; i++) {
			dst32[i] = f32_from_bits(model_rd32(src + 4 * i));
			finite &= isfinite(dst32[i]) != 0;
		}
		break;
	case MODEL_DTYPE_F16:
		for (size_t i = 0; i < n; i++) {
			dst32[i] = nn_half_to_float(model_rd16(src + 2 * i));
			finite &= isfinite(dst32[i]) != 0;
		}
		break;
	default: /* MODEL_DTYPE_INT8, the only other dtype inspect lets through */
		for (size_t i = 0; i < n; i++) {
			/* Two's complement byte to -128..127 without implementation-defined casts. */
			const int q = (int)src[i] - (src[i] >= 128 ? 256 : 0);

			/* A huge scale can overflow to Inf: checked like any other value. */
			dst32[i] = (float)q * t->scale;
			finite &= isfinite(dst32[i]) != 0;
		}
		break;
	}
	return finite;
}

int model_file_load(const void *data, size_t size, struct vocana_model **out)
{
	struct model_file_info *info = NULL;
	struct nn_tensor_spec specs[NN_MAX_TENSORS];
	bool half[NN_MAX_TENSORS] = { false };
	const bool hw_widen = nn_kernels_select() != &nn_kernels_c;
	struct vocana_model *m = NULL;
	int res;

	if (!out)
		return -EINVAL;
	*out = NULL;
	/* ~3 KiB: on the heap, to keep the loader's stack use modest. */
	info = malloc(sizeof(*info));
	if (!info)
		return -ENOMEM;
	if ((res = model_file_inspect(data, size, info)) < 0)
		goto error;

	for (size_t i = 0; i < info->n_tensors; i++)
		half[info->tensors[i].spec_index] = keep_half(&info->tensors[i], hw_widen);
	m = nn_model_alloc(&info->hp, half);
	if (!m) {
		res = -ENOMEM;
		goto error;
	}
	nn_tensor_specs(&info->hp, specs);
	for (size_t i = 0; i < info->n_tensors; i++) {
		const struct model_file_tensor *t = &info->tensors[i];

		if (!convert_tensor((const unsigned char *)data + t->offset, t, half[t->spec_index],
				    nn_model_tensor(m, &specs[t->spec_index]))) {
			res = -EBADMSG;
			goto error;
		}
	}
	free(info);
	*out = m;
	return 0;

error:
	free(m);
	free(info);
	return res;
}
