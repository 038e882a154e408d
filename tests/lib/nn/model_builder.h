/* SPDX-License-Identifier: MIT */
/*
 * Test-only writer of model files (docs/model-format.md) with random weights, so the C tests need
 * no Python. It is written from the format document, independently of src/lib/nn/model_file.c: the
 * tensor names and shapes here are typed again from docs/architecture.md on purpose, so a shared
 * mistake can't hide.
 *
 * Usage: mb_init() a description, edit it (to corrupt it before layout), mb_serialize() it to
 * bytes (valid layout and checksum), and patch bytes with mb_put*() + mb_fix_crc() to corrupt it
 * after layout.
 */
#ifndef VOCANA_TESTS_MODEL_BUILDER_H
#define VOCANA_TESTS_MODEL_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#define MB_MAX_TENSORS 64
#define MB_MAX_HPARAMS 16

enum { MB_F32 = 0, MB_F16 = 1, MB_INT8 = 2 };

struct mb_tensor {
	char name[40];      /* may be made longer than the 31 characters the format allows */
	uint32_t dtype;     /* MB_F32, MB_F16, MB_INT8 (or anything, to corrupt) */
	uint32_t ndim, rows, cols;
	float scale;        /* int8 only */
	size_t n_values;    /* rows * cols when built by mb_init */
	float *values;      /* the exact values a correct loader must produce (already quantized) */
	uint64_t offset;    /* 0: mb_serialize places it; else written as is */
};

struct mb_model {
	char magic[8];
	uint32_t format_version, arch_id;
	uint32_t n_hparams;
	uint32_t hparams[MB_MAX_HPARAMS];
	size_t n_tensors;
	struct mb_tensor tensors[MB_MAX_TENSORS];
};

/* hp: n_erb, n_df, df_order, enc_dim, hidden, n_gru. Weights uniform in [-amp, amp), from a
 * seeded PRNG, rounded to what dtype can hold. Tensors in architecture.md order. */
void mb_init(struct mb_model *m, const uint32_t hp[6], unsigned seed, uint32_t dtype, float amp);

/* The bytes of a small random model (hp 32, 96, 3, 16, 24, 2, f32, weights in [-0.3, 0.3)) with
 * algorithmic delay `delay` as its 7th hyper-parameter (0: a file without that field, read as 480).
 * For tests that need any valid model quickly. NULL on allocation failure. */
unsigned char *mb_small_random_file(unsigned seed, uint32_t delay, size_t *size);

/* Frees every tensor's values. */
void mb_clear(struct mb_model *m);

/* Index of the tensor called name, or -1. */
int mb_find(const struct mb_model *m, const char *name);

/* Remove tensor i (frees its values); append a copy of tensor i (its values duplicated). */
void mb_remove(struct mb_model *m, size_t i);
void mb_duplicate(struct mb_model *m, size_t i);

/* The file bytes (malloc'd, *size set): header, tensors in order at 64-byte-aligned offsets
 * (unless a tensor's offset is preset), checksum. NULL on allocation failure. */
unsigned char *mb_serialize(const struct mb_model *m, size_t *size);

/* Byte offsets in a serialized file. */
size_t mb_table_offset(uint32_t n_hparams);
size_t mb_record_offset(const struct mb_model *m, size_t i);

void mb_put32(unsigned char *p, uint32_t v);
void mb_put64(unsigned char *p, uint64_t v);
uint32_t mb_get32(const unsigned char *p);
uint64_t mb_get64(const unsigned char *p);

/* Recompute the checksum at the end (size >= 4) over the bytes before it, and set the header's
 * file_size to size (size >= 32), so a patch reaches the checks behind those two. */
void mb_fix_crc(unsigned char *buf, size_t size);

/* CRC-32 computed bit by bit (no table): the test's independent reference. */
uint32_t mb_crc32_bitwise(const unsigned char *p, size_t n);

/* Parameter count from the formulas in architecture.md. */
size_t mb_expected_params(const uint32_t hp[6]);

/* f32 <-> IEEE half, round to nearest even. */
uint16_t mb_f32_to_f16(float f);
float mb_f16_to_f32(uint16_t h);

#endif
