/* SPDX-License-Identifier: MIT */
/* Test-only model file writer: see model_builder.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_builder.h"

static unsigned mb_rand(unsigned *state) /* xorshift32, as tests/test_util.h */
{
	unsigned x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

static float mb_randf(unsigned *state) /* [-1, 1) */
{
	return (float)((mb_rand(state) >> 8) * (2.0 / 16777216.0) - 1.0);
}

void mb_put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

void mb_put64(unsigned char *p, uint64_t v)
{
	mb_put32(p, (uint32_t)v);
	mb_put32(p + 4, (uint32_t)(v >> 32));
}

uint32_t mb_get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint64_t mb_get64(const unsigned char *p)
{
	return mb_get32(p) | (uint64_t)mb_get32(p + 4) << 32;
}

uint32_t mb_crc32_bitwise(const unsigned char *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < n; i++) {
		crc ^= p[i];
		for (int b = 0; b < 8; b++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

uint16_t mb_f32_to_f16(float f)
{
	uint16_t sign = signbit(f) ? 0x8000 : 0;
	float a = fabsf(f);
	int e;

	if (isnan(f))
		return 0x7e00;
	if (a >= 65520.0f) /* rounds to Inf */
		return sign | 0x7c00;
	if (a < 6.103515625e-05f) /* below 2^-14: subnormal, units of 2^-24 */
		return sign | (uint16_t)lrintf(a * 16777216.0f); /* 1024 carries into the exponent */
	frexpf(a, &e);            /* a = m * 2^e, m in [0.5, 1) */
	/* a = (1 + mant/1024) * 2^(e-1); a mantissa rounding up to 1024 carries into the exponent. */
	long mant = lrintf((ldexpf(a, 1 - e) - 1.0f) * 1024.0f);
	return sign | (uint16_t)(((unsigned)(e - 1 + 15) << 10) + (unsigned long)mant);
}

float mb_f16_to_f32(uint16_t h)
{
	/* Built through the binary32 bit pattern. src/lib/nn/half.h does the same; test_kernels checks
	 * that one against an ldexp formula for all 65536 halves. */
	uint32_t sign = (uint32_t)(h & 0x8000) << 16;
	uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff, bits;
	float f;

	if (exp == 0x1f) {
		bits = sign | 0x7f800000u | (mant << 13);
	} else if (exp == 0) {
		f = (float)mant / 16777216.0f;
		return sign ? -f : f;
	} else {
		bits = sign | ((exp + 112) << 23) | (mant << 13);
	}
	memcpy(&f, &bits, 4);
	return f;
}

static void add_tensor(struct mb_model *m, const char *name, uint32_t ndim, uint32_t rows,
		       uint32_t cols, uint32_t dtype, float amp, unsigned *rng)
{
	struct mb_tensor *t = &m->tensors[m->n_tensors++];
	float max_abs = 0.0f;

	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->dtype = dtype;
	t->ndim = ndim;
	t->rows = rows;
	t->cols = cols;
	t->n_values = (size_t)rows * cols;
	t->values = malloc(t->n_values * sizeof(float));
	if (!t->values)
		abort();
	for (size_t i = 0; i < t->n_values; i++) {
		t->values[i] = amp * mb_randf(rng);
		if (fabsf(t->values[i]) > max_abs)
			max_abs = fabsf(t->values[i]);
	}
	/* Round to what the file can hold, so values[] is exactly what a loader must return. */
	if (dtype == MB_F16) {
		for (size_t i = 0; i < t->n_values; i++)
			t->values[i] = mb_f16_to_f32(mb_f32_to_f16(t->values[i]));
	} else if (dtype == MB_INT8) {
		t->scale = max_abs > 0.0f ? max_abs / 127.0f : 1.0f;
		for (size_t i = 0; i < t->n_values; i++)
			t->values[i] = (float)lrintf(t->values[i] / t->scale) * t->scale;
	}
}

void mb_init(struct mb_model *m, const uint32_t hp[6], unsigned seed, uint32_t dtype, float amp)
{
	const uint32_t n_erb = hp[0], n_df = hp[1], order = hp[2], e = hp[3], h = hp[4];
	const uint32_t n_gru = hp[5];
	unsigned rng = seed ? seed : 1;
	char name[40];

	memset(m, 0, sizeof(*m));
	memcpy(m->magic, "VOCANAM1", 8);
	m->format_version = 1;
	m->arch_id = 1;
	m->n_hparams = 6;
	memcpy(m->hparams, hp, 6 * sizeof(uint32_t));
	/* architecture.md, "Tensor names". */
	add_tensor(m, "enc_erb.weight", 2, e, n_erb, dtype, amp, &rng);
	add_tensor(m, "enc_erb.bias", 1, e, 1, dtype, amp, &rng);
	add_tensor(m, "enc_df.weight", 2, e, 2 * n_df, dtype, amp, &rng);
	add_tensor(m, "enc_df.bias", 1, e, 1, dtype, amp, &rng);
	for (uint32_t i = 1; i <= n_gru && i <= 9; i++) {
		snprintf(name, sizeof(name), "gru%u.weight_ih", (unsigned)i);
		add_tensor(m, name, 2, 3 * h, i == 1 ? 2 * e : h, dtype, amp, &rng);
		snprintf(name, sizeof(name), "gru%u.weight_hh", (unsigned)i);
		add_tensor(m, name, 2, 3 * h, h, dtype, amp, &rng);
		snprintf(name, sizeof(name), "gru%u.bias_ih", (unsigned)i);
		add_tensor(m, name, 1, 3 * h, 1, dtype, amp, &rng);
		snprintf(name, sizeof(name), "gru%u.bias_hh", (unsigned)i);
		add_tensor(m, name, 1, 3 * h, 1, dtype, amp, &rng);
	}
	add_tensor(m, "head_gain.weight", 2, n_erb, h, dtype, amp, &rng);
	add_tensor(m, "head_gain.bias", 1, n_erb, 1, dtype, amp, &rng);
	add_tensor(m, "head_df.weight", 2, n_df * order * 2, h, dtype, amp, &rng);
	add_tensor(m, "head_df.bias", 1, n_df * order * 2, 1, dtype, amp, &rng);
	add_tensor(m, "head_vad.weight", 2, 1, h, dtype, amp, &rng);
	add_tensor(m, "head_vad.bias", 1, 1, 1, dtype, amp, &rng);
}

unsigned char *mb_small_random_file(unsigned seed, uint32_t delay, size_t *size)
{
	struct mb_model mb;
	const uint32_t hp[6] = { 32, 96, 3, 16, 24, 2 };
	mb_init(&mb, hp, seed, MB_F32, 0.3f);
	if (delay) {
		mb.n_hparams = 7;
		mb.hparams[6] = delay;
	}
	unsigned char *bytes = mb_serialize(&mb, size);
	mb_clear(&mb);
	return bytes;
}

void mb_clear(struct mb_model *m)
{
	for (size_t i = 0; i < m->n_tensors; i++) {
		free(m->tensors[i].values);
		m->tensors[i].values = NULL;
	}
	m->n_tensors = 0;
}

int mb_find(const struct mb_model *m, const char *name)
{
	for (size_t i = 0; i < m->n_tensors; i++)
		if (strcmp(m->tensors[i].name, name) == 0)
			return (int)i;
	return -1;
}

void mb_remove(struct mb_model *m, size_t i)
{
	free(m->tensors[i].values);
	memmove(&m->tensors[i], &m->tensors[i + 1], (m->n_tensors - i - 1) * sizeof(m->tensors[0]));
	m->n_tensors--;
}

void mb_duplicate(struct mb_model *m, size_t i)
{
	struct mb_tensor *t = &m->tensors[m->n_tensors];

	*t = m->tensors[i];
	t->values = malloc(t->n_values * sizeof(float));
	if (!t->values)
		abort();
	memcpy(t->values, m->tensors[i].values, t->n_values * sizeof(float));
	m->n_tensors++;
}

static size_t align64(size_t x)
{
	return (x + 63) / 64 * 64;
}

size_t mb_table_offset(uint32_t n_hparams)
{
	return align64(64 + 4 * (size_t)n_hparams);
}

size_t mb_record_offset(const struct mb_model *m, size_t i)
{
	return mb_table_offset(m->n_hparams) + 64 * i;
}

static size_t dtype_bytes(uint32_t dtype)
{
	return dtype == MB_F32 ? 4 : dtype == MB_F16 ? 2 : 1;
}

unsigned char *mb_serialize(const struct mb_model *m, size_t *size)
{
	uint64_t offsets[MB_MAX_TENSORS];
	size_t pos = mb_record_offset(m, m->n_tensors);
	size_t end = 0;
	unsigned char *buf;

	/* Data after the table, each tensor at the next 64-byte boundary (or where preset). */
	for (size_t i = 0; i < m->n_tensors; i++) {
		const struct mb_tensor *t = &m->tensors[i];
		const size_t n_bytes = t->n_values * dtype_bytes(t->dtype);

		pos = align64(pos);
		offsets[i] = t->offset ? t->offset : pos;
		if (!t->offset)
			pos += n_bytes;
		if (offsets[i] + n_bytes > end)
			end = (size_t)(offsets[i] + n_bytes);
	}
	if (pos > end)
		end = pos;
	*size = end + 4;
	buf = calloc(1, *size);
	if (!buf)
		return NULL;

	memcpy(buf, m->magic, 8);
	mb_put32(buf + 8, m->format_version);
	mb_put32(buf + 12, m->arch_id);
	mb_put32(buf + 16, m->n_hparams);
	mb_put32(buf + 20, (uint32_t)m->n_tensors);
	for (uint32_t i = 0; i < m->n_hparams && i < MB_MAX_HPARAMS; i++)
		mb_put32(buf + 64 + 4 * i, m->hparams[i]);
	for (size_t i = 0; i < m->n_tensors; i++) {
		const struct mb_tensor *t = &m->tensors[i];
		unsigned char *rec = buf + mb_record_offset(m, i);
		unsigned char *data = buf + offsets[i];
		uint32_t scale_bits;

		/* Up to 32 name bytes: a 32-character name has no NUL (to test that rejection). */
		memcpy(rec, t->name, strnlen(t->name, 32));
		mb_put32(rec + 32, t->dtype);
		mb_put32(rec + 36, t->ndim);
		mb_put32(rec + 40, t->rows);
		mb_put32(rec + 44, t->cols);
		memcpy(&scale_bits, &t->scale, 4);
		mb_put32(rec + 48, scale_bits);
		mb_put64(rec + 56, offsets[i]);
		if (offsets[i] + t->n_values * dtype_bytes(t->dtype) > end)
			continue; /* preset out of bounds: record only */
		for (size_t k = 0; k < t->n_values; k++) {
			if (t->dtype == MB_F16) {
				uint16_t h = mb_f32_to_f16(t->values[k]);

				data[2 * k] = (unsigned char)h;
				data[2 * k + 1] = (unsigned char)(h >> 8);
			} else if (t->dtype == MB_INT8) {
				const long q = lrintf(t->values[k] / t->scale);

				data[k] = (unsigned char)(q & 0xff);
			} else {
				uint32_t bits;

				memcpy(&bits, &t->values[k], 4);
				mb_put32(data + 4 * k, bits);
			}
		}
	}
	mb_fix_crc(buf, *size);
	return buf;
}

void mb_fix_crc(unsigned char *buf, size_t size)
{
	if (size >= 32)
		mb_put64(buf + 24, size);
	if (size >= 4)
		mb_put32(buf + size - 4, mb_crc32_bitwise(buf, size - 4));
}

size_t mb_expected_params(const uint32_t hp[6])
{
	const size_t n_erb = hp[0], n_df = hp[1], order = hp[2], e = hp[3], h = hp[4];
	const size_t n_gru = hp[5], n_coefs = n_df * order * 2;
	size_t n = 0;

	n += e * n_erb + e;                   /* enc_erb */
	n += e * 2 * n_df + e;                /* enc_df */
	n += 3 * h * 2 * e + 3 * h * h + 6 * h; /* gru1 */
	n += (n_gru - 1) * (3 * h * h * 2 + 6 * h);
	n += n_erb * h + n_erb;               /* head_gain */
	n += n_coefs * h + n_coefs;           /* head_df */
	n += h + 1;                           /* head_vad */
	return n;
}
