/* SPDX-License-Identifier: MIT */
/*
 * The model file format (.vcm, docs/model-format.md): constants, a validating parser, and the
 * loader into one struct vocana_model allocation (f16 weight matrices stay f16, everything else
 * is widened to f32).
 */
#ifndef VOCANA_NN_MODEL_FILE_H
#define VOCANA_NN_MODEL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "nn/model.h"

#define MODEL_FILE_MAGIC "VOCANAM1" /* 8 bytes, no NUL in the file */
#define MODEL_FILE_MAGIC_SIZE 8
#define MODEL_FILE_VERSION 1
#define MODEL_FILE_HEADER_SIZE 64
#define MODEL_FILE_RECORD_SIZE 64 /* one tensor table record */
#define MODEL_FILE_ALIGN 64       /* tensor table and tensor data offsets */
#define MODEL_FILE_CRC_SIZE 4
#define MODEL_FILE_MAX_TENSORS 256 /* format limit on n_tensors */

/* Header field offsets. */
#define MODEL_FILE_OFF_VERSION 8
#define MODEL_FILE_OFF_ARCH 12
#define MODEL_FILE_OFF_N_HPARAMS 16
#define MODEL_FILE_OFF_N_TENSORS 20
#define MODEL_FILE_OFF_FILE_SIZE 24
#define MODEL_FILE_OFF_RESERVED 32
#define MODEL_FILE_OFF_HPARAMS 64

/* Tensor record field offsets. */
#define MODEL_RECORD_OFF_NAME 0
#define MODEL_RECORD_OFF_DTYPE 32
#define MODEL_RECORD_OFF_NDIM 36
#define MODEL_RECORD_OFF_SHAPE 40
#define MODEL_RECORD_OFF_SCALE 48
#define MODEL_RECORD_OFF_RESERVED 52
#define MODEL_RECORD_OFF_OFFSET 56

enum model_dtype {
	MODEL_DTYPE_F32 = 0,
	MODEL_DTYPE_F16 = 1,  /* IEEE 754 binary16 */
	MODEL_DTYPE_INT8 = 2, /* value = int8 * scale */
};

/* One validated tensor record. */
struct model_file_tensor {
	char name[NN_TENSOR_NAME_SIZE]; /* NUL-terminated */
	uint32_t dtype;                 /* enum model_dtype */
	uint32_t ndim, rows, cols;
	float scale;       /* int8 only */
	uint64_t offset;   /* of the data, from the start of the file */
	uint64_t n_bytes;  /* of the data in the file */
	size_t spec_index; /* which entry of nn_tensor_specs() it is */
};

/* Everything the header and tensor table say, after full validation. */
struct model_file_info {
	uint32_t format_version, arch_id, n_hparams, n_tensors;
	uint64_t file_size;
	uint32_t crc32;
	uint32_t hparam_values[NN_N_HPARAMS];
	struct nn_hparams hp;
	uint64_t table_offset; /* first tensor record */
	uint64_t data_offset;  /* end of the table: tensor data may start here */
	size_t n_params;
	struct model_file_tensor tensors[NN_MAX_TENSORS]; /* in file order */
};

/* Little-endian reads; p must have 2/4/8 readable bytes. Byte by byte: no alignment or
 * byte-order assumptions. */
static inline uint16_t model_rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static inline uint32_t model_rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t model_rd64(const unsigned char *p)
{
	return (uint64_t)model_rd32(p) | (uint64_t)model_rd32(p + 4) << 32;
}

/* Offset of the tensor table: the first 64-byte boundary after the hyper-parameters. */
static inline uint64_t model_file_table_offset(uint32_t n_hparams)
{
	uint64_t end = MODEL_FILE_OFF_HPARAMS + 4 * (uint64_t)n_hparams;
	return (end + MODEL_FILE_ALIGN - 1) / MODEL_FILE_ALIGN * MODEL_FILE_ALIGN;
}

/*
 * Validate data[0..size) as a model file without converting the weights (values are checked
 * by model_file_load). Returns 0 and fills *info, -ENOTSUP for an unknown format version or
 * architecture, -EBADMSG for anything else wrong, -EINVAL for bad arguments. Never reads outside
 * data[0..size).
 */
int model_file_inspect(const void *data, size_t size, struct model_file_info *info);

/*
 * Validate and load: on success *out is one aligned allocation (free with vocana_model_free).
 * Non-finite weights (NaN/Inf in f32 or f16 data, or an int8 scale that makes them so) are
 * rejected with -EBADMSG: a network with them would output NaN for every input.
 */
int model_file_load(const void *data, size_t size, struct vocana_model **out);

#endif
