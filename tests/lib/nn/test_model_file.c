/* SPDX-License-Identifier: MIT */
/*
 * Model file loader (src/lib/nn/model_file.c, model_api.c): valid files load with the exact values
 * and parameter count; every kind of corruption is rejected with the documented errno and without
 * reading out of bounds (run this under ASan to see the latter).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "model_builder.h"
#include "nn/cpu.h"
#include "nn/crc32.h"
#include "nn/model.h"
#include "nn/model_file.h"
#include "test_util.h"
#include "vocana/vocana.h"

/* Small but complete: every code path of the loader, a few KB per file. */
static const uint32_t hp_tiny[6] = { 32, 3, 2, 4, 5, 2 };

/* Where the loaded model keeps tensor name; *half says whether as IEEE binary16 (a weight matrix
 * from f16 data) or as floats. NULL if not bound. */
static const void *model_tensor(const struct vocana_model *m, const char *name, bool *half)
{
	static const char *const gru_names[4] = { "weight_ih", "weight_hh", "bias_ih", "bias_hh" };
	const struct nn_matrix *w = NULL;

	*half = false;
	if (!strcmp(name, "enc_erb.weight")) w = &m->enc_erb.weight;
	if (!strcmp(name, "enc_erb.bias")) return m->enc_erb.bias;
	if (!strcmp(name, "enc_df.weight")) w = &m->enc_df.weight;
	if (!strcmp(name, "enc_df.bias")) return m->enc_df.bias;
	if (!strcmp(name, "head_gain.weight")) w = &m->head_gain.weight;
	if (!strcmp(name, "head_gain.bias")) return m->head_gain.bias;
	if (!strcmp(name, "head_df.weight")) w = &m->head_df.weight;
	if (!strcmp(name, "head_df.bias")) return m->head_df.bias;
	if (!strcmp(name, "head_vad.weight")) w = &m->head_vad.weight;
	if (!strcmp(name, "head_vad.bias")) return m->head_vad.bias;
	for (unsigned i = 0; i < 4 && !w; i++) {
		for (unsigned k = 0; k < 4; k++) {
			char buf[40];

			snprintf(buf, sizeof(buf), "gru%u.%s", i + 1, gru_names[k]);
			if (!strcmp(name, buf)) {
				const struct nn_gru *g = &m->gru[i];

				if (k == 0) w = &g->weight_ih;
				if (k == 1) w = &g->weight_hh;
				if (k == 2) return g->bias_ih;
				if (k == 3) return g->bias_hh;
			}
		}
	}
	if (!w)
		return NULL;
	/* Exactly one of the two is set. */
	CHECK_MSG((w->f16 != NULL) != (w->f32 != NULL), "%s: f32 %p, f16 %p", name,
		  (const void *)w->f32, (const void *)w->f16);
	*half = w->f16 != NULL;
	return *half ? (const void *)w->f16 : (const void *)w->f32;
}

/* Load bytes; returns the result and frees the model. */
static int try_load(const unsigned char *buf, size_t size)
{
	struct vocana_model *m = (struct vocana_model *)&m; /* must be reset to NULL on failure */
	int res = vocana_model_load_memory(buf, size, &m);

	if (res < 0)
		CHECK(m == NULL);
	vocana_model_free(m);
	return res;
}

/* Serialize an edited description and expect err. */
static void expect_desc(const struct mb_model *d, int err, const char *what)
{
	size_t size;
	unsigned char *buf = mb_serialize(d, &size);
	int res;

	CHECK(buf != NULL);
	res = try_load(buf, size);
	CHECK_MSG(res == err, "%s: got %d, want %d", what, res, err);
	free(buf);
}

static void test_crc32(void)
{
	unsigned rng = 12345;
	unsigned char buf[1000];

	CHECK(nn_crc32(0, "123456789", 9) == 0xCBF43926u); /* the standard check value */
	CHECK(nn_crc32(0, "", 0) == 0);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)test_rand(&rng);
	for (size_t n = 0; n <= sizeof(buf); n += 37) {
		const uint32_t whole = nn_crc32(0, buf, n);

		CHECK(whole == mb_crc32_bitwise(buf, n));
		CHECK(nn_crc32(nn_crc32(0, buf, n / 3), buf + n / 3, n - n / 3) == whole);
	}
}

static void check_model_matches(const struct vocana_model *m, const struct mb_model *d)
{
	const bool hw_widen = nn_kernels_find(NULL, nn_cpu_detect()) != &nn_kernels_c;
	uint32_t hp[6] = { m->hp.n_erb, m->hp.n_df, m->hp.df_order, m->hp.enc_dim, m->hp.hidden,
			   m->hp.n_gru };

	CHECK(memcmp(hp, d->hparams, sizeof(hp)) == 0);
	CHECK(vocana_model_parameter_count(m) == mb_expected_params(d->hparams));
	CHECK((uintptr_t)m % NN_ALIGN == 0);
	for (size_t i = 0; i < d->n_tensors; i++) {
		const struct mb_tensor *t = &d->tensors[i];
		bool half;
		const void *v = model_tensor(m, t->name, &half);
		size_t elem;

		CHECK_MSG(v != NULL, "%s not bound", t->name);
		if (!v)
			continue;
		/* f16 weight matrices stay f16 in memory where a SIMD set widens them; everything
		 * else is f32. */
		CHECK_MSG(half == (t->dtype == MB_F16 && t->ndim == 2 && hw_widen),
			  "%s (dtype %u) half %d", t->name, t->dtype, half);
		elem = half ? sizeof(uint16_t) : sizeof(float);
		CHECK_MSG((uintptr_t)v % NN_ALIGN == 0, "%s misaligned", t->name);
		/* Exact: f16 and int8 widen exactly; the builder already rounded values[]. A kept
		 * half is widened here by the builder's own conversion, not the library's. */
		if (half) {
			const uint16_t *h = v;
			size_t bad = 0;

			for (size_t j = 0; j < t->n_values; j++)
				bad += mb_f16_to_f32(h[j]) != t->values[j];
			CHECK_MSG(bad == 0, "%s: %zu half values differ", t->name, bad);
		} else {
			CHECK_MSG(memcmp(v, t->values, t->n_values * sizeof(float)) == 0,
				  "%s values differ", t->name);
		}
		/* Every tensor lies inside the model's one allocation. */
		CHECK((const char *)v >= (const char *)m &&
		      (const char *)v + t->n_values * elem <= (const char *)m + m->alloc_bytes);
	}
}

static void test_valid(void)
{
	static const uint32_t hps[][6] = {
		{ 32, 3, 2, 4, 5, 2 }, { 32, 1, 1, 1, 1, 1 }, { 32, 7, 3, 9, 17, 3 },
		{ 32, 2, 8, 3, 4, 4 }, { 32, 96, 3, 16, 24, 2 },
	};
	static const uint32_t dtypes[] = { MB_F32, MB_F16, MB_INT8 };

	for (size_t h = 0; h < sizeof(hps) / sizeof(hps[0]); h++) {
		for (size_t k = 0; k < 3; k++) {
			struct mb_model d;
			struct vocana_model *m = NULL;
			size_t size;
			unsigned char *buf;
			int res;

			mb_init(&d, hps[h], 100 + (unsigned)h, dtypes[k], 0.5f);
			buf = mb_serialize(&d, &size);
			res = vocana_model_load_memory(buf, size, &m);
			CHECK_MSG(res == 0, "hparams set %zu dtype %u: %d", h, dtypes[k], res);
			if (m)
				check_model_matches(m, &d);
			vocana_model_free(m);
			free(buf);
			mb_clear(&d);
		}
	}
	CHECK(vocana_model_parameter_count(NULL) == 0);
	vocana_model_free(NULL);
}

/* The order of records and of data in the file is free. */
static void test_valid_reordered(void)
{
	struct mb_model d;
	struct vocana_model *m = NULL;
	struct mb_tensor tmp;
	size_t size;
	unsigned char *buf;

	mb_init(&d, hp_tiny, 7, MB_F32, 1.0f);
	for (size_t i = 0; i < d.n_tensors / 2; i++) { /* reverse the records */
		tmp = d.tensors[i];
		d.tensors[i] = d.tensors[d.n_tensors - 1 - i];
		d.tensors[d.n_tensors - 1 - i] = tmp;
	}
	buf = mb_serialize(&d, &size);
	CHECK(vocana_model_load_memory(buf, size, &m) == 0);
	if (m)
		check_model_matches(m, &d);
	vocana_model_free(m);
	free(buf);

	/* Swap the data of the first two tensors (same size: the two encoder biases), keeping the
	 * records in place: offsets decrease along the table. */
	mb_clear(&d);
	mb_init(&d, hp_tiny, 7, MB_F32, 1.0f);
	buf = mb_serialize(&d, &size);
	{
		const int b0 = mb_find(&d, "enc_erb.bias"), b1 = mb_find(&d, "enc_df.bias");
		unsigned char *r0 = buf + mb_record_offset(&d, (size_t)b0);
		unsigned char *r1 = buf + mb_record_offset(&d, (size_t)b1);
		const uint64_t o0 = mb_get64(r0 + 56), o1 = mb_get64(r1 + 56);
		unsigned char save[64];
		const size_t n = d.tensors[b0].n_values * 4;

		memcpy(save, buf + o0, n);
		memcpy(buf + o0, buf + o1, n);
		memcpy(buf + o1, save, n);
		mb_put64(r0 + 56, o1);
		mb_put64(r1 + 56, o0);
		mb_fix_crc(buf, size);
	}
	m = NULL;
	CHECK(vocana_model_load_memory(buf, size, &m) == 0);
	if (m)
		check_model_matches(m, &d);
	vocana_model_free(m);
	free(buf);
	mb_clear(&d);
}

static void test_header_corruption(void)
{
	struct mb_model d;
	size_t size;
	unsigned char *buf, *copy;

	mb_init(&d, hp_tiny, 1, MB_F32, 1.0f);
	buf = mb_serialize(&d, &size);
	copy = malloc(size + 64);
	CHECK(try_load(buf, size) == 0);

	/* Magic, each byte. */
	for (size_t i = 0; i < 8; i++) {
		memcpy(copy, buf, size);
		copy[i] ^= 0x20;
		mb_fix_crc(copy, size);
		CHECK(try_load(copy, size) == -EBADMSG);
	}
	/* Unknown version or architecture: -ENOTSUP, with or without a matching checksum. */
	{
		static const uint32_t bad[] = { 0, 2, 3, 0x100, 0xffffffffu };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			for (int fix = 0; fix < 2; fix++) {
				memcpy(copy, buf, size);
				mb_put32(copy + 8, bad[i]);
				if (fix)
					mb_fix_crc(copy, size);
				CHECK(try_load(copy, size) == -ENOTSUP);
				memcpy(copy, buf, size);
				mb_put32(copy + 12, bad[i]);
				if (fix)
					mb_fix_crc(copy, size);
				CHECK(try_load(copy, size) == -ENOTSUP);
			}
		}
	}
	/* file_size disagreeing with the buffer (checksum right). */
	{
		static const int64_t delta[] = { -1, 1, -64, 64, 1 << 20 };

		for (size_t i = 0; i < sizeof(delta) / sizeof(delta[0]); i++) {
			memcpy(copy, buf, size);
			mb_put64(copy + 24, (uint64_t)((int64_t)size + delta[i]));
			mb_put32(copy + size - 4, mb_crc32_bitwise(copy, size - 4));
			CHECK(try_load(copy, size) == -EBADMSG);
		}
		memcpy(copy, buf, size);
		mb_put64(copy + 24, UINT64_MAX);
		mb_put32(copy + size - 4, mb_crc32_bitwise(copy, size - 4));
		CHECK(try_load(copy, size) == -EBADMSG);
	}
	/* Appended bytes: rejected, unless file_size and checksum are updated (then they are
	 * unused padding in the data region, which the format allows). */
	memcpy(copy, buf, size);
	memset(copy + size, 0, 64);
	CHECK(try_load(copy, size + 1) == -EBADMSG);
	CHECK(try_load(copy, size + 64) == -EBADMSG);
	mb_fix_crc(copy, size + 64);
	CHECK(try_load(copy, size + 64) == 0);
	/* Reserved header bytes. */
	for (size_t i = 32; i < 64; i++) {
		memcpy(copy, buf, size);
		copy[i] = 1;
		mb_fix_crc(copy, size);
		CHECK(try_load(copy, size) == -EBADMSG);
	}
	/* n_hparams: the table then moves or the count is wrong. */
	{
		static const uint32_t bad[] = { 0, 5, 7, 16, 17, 0xffffffffu };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			memcpy(copy, buf, size);
			mb_put32(copy + 16, bad[i]);
			mb_fix_crc(copy, size);
			CHECK(try_load(copy, size) == -EBADMSG);
		}
	}
	/* n_tensors: 0, over the format limit, huge, one short (missing), one extra. */
	{
		const uint32_t n = (uint32_t)d.n_tensors;
		const uint32_t bad[] = { 0, 257, 0xffffffffu, n - 1, n + 1, 256 };

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			memcpy(copy, buf, size);
			mb_put32(copy + 20, bad[i]);
			mb_fix_crc(copy, size);
			CHECK_MSG(try_load(copy, size) == -EBADMSG, "n_tensors %u", bad[i]);
		}
	}
	free(copy);
	free(buf);
	mb_clear(&d);
}

/* Every truncation of a valid file is rejected, and none reads past the end (ASan). Each
 * truncated copy is a fresh allocation of exactly that size so ASan sees any overread. */
static void test_truncation(void)
{
	struct mb_model d;
	size_t size;
	unsigned char *buf;

	mb_init(&d, hp_tiny, 2, MB_F16, 1.0f);
	buf = mb_serialize(&d, &size);
	CHECK(size > 1000);
	for (size_t n = 0; n < size; n++) {
		unsigned char *t = malloc(n ? n : 1);
		int res;

		memcpy(t, buf, n);
		res = try_load(t, n);
		CHECK_MSG(res == -EBADMSG, "truncated to %zu: %d", n, res);
		/* Also with the header's size and checksum made to match the short file. */
		if (n >= 64) {
			mb_fix_crc(t, n);
			res = try_load(t, n);
			CHECK_MSG(res == -EBADMSG, "truncated to %zu, fixed: %d", n, res);
		}
		free(t);
	}
	free(buf);
	mb_clear(&d);
}

/* Any single flipped bit is caught: by the checksum, or by the version/arch check. */
static void test_bit_flips(void)
{
	struct mb_model d;
	size_t size;
	unsigned char *buf;
	unsigned rng = 99;

	mb_init(&d, hp_tiny, 3, MB_INT8, 1.0f);
	buf = mb_serialize(&d, &size);
	for (size_t i = 0; i < size; i++) {
		const unsigned char bit = (unsigned char)(1u << (test_rand(&rng) % 8));
		int res;

		buf[i] ^= bit;
		res = try_load(buf, size);
		if (i >= 8 && i < 16)
			CHECK_MSG(res == -ENOTSUP, "byte %zu: %d", i, res);
		else
			CHECK_MSG(res == -EBADMSG, "byte %zu: %d", i, res);
		buf[i] ^= bit;
	}
	CHECK(try_load(buf, size) == 0);
	free(buf);
	mb_clear(&d);
}

/* Patch one field of tensor record i (after layout) and fix the checksum; expect -EBADMSG. */
static void expect_record_patch(const char *what, size_t i, size_t field, uint64_t value,
				int width)
{
	struct mb_model d;
	size_t size;
	unsigned char *buf;
	int res;

	mb_init(&d, hp_tiny, 4, MB_F32, 1.0f);
	buf = mb_serialize(&d, &size);
	if (width == 8)
		mb_put64(buf + mb_record_offset(&d, i) + field, value);
	else
		mb_put32(buf + mb_record_offset(&d, i) + field, (uint32_t)value);
	mb_fix_crc(buf, size);
	res = try_load(buf, size);
	CHECK_MSG(res == -EBADMSG, "%s (tensor %zu): got %d", what, i, res);
	free(buf);
	mb_clear(&d);
}

static void test_table_corruption(void)
{
	struct mb_model d;
	size_t size;
	unsigned char *buf;

	mb_init(&d, hp_tiny, 4, MB_F32, 1.0f);
	buf = mb_serialize(&d, &size);
	for (size_t i = 0; i < d.n_tensors; i++) {
		const unsigned char *rec = buf + mb_record_offset(&d, i);
		const uint64_t off = mb_get64(rec + 56);

		expect_record_patch("misaligned offset", i, 56, off + 4, 8);
		expect_record_patch("misaligned offset", i, 56, off - 1, 8);
		expect_record_patch("offset inside the table", i, 56, 64, 8);
		expect_record_patch("offset at 0", i, 56, 0, 8);
		expect_record_patch("offset past the end", i, 56, (size + 63) / 64 * 64, 8);
		expect_record_patch("offset wrapping", i, 56, UINT64_MAX - 63, 8);
		expect_record_patch("dtype", i, 32, 3, 4);
		expect_record_patch("dtype", i, 32, 0xffffffffu, 4);
		expect_record_patch("ndim 0", i, 36, 0, 4);
		expect_record_patch("ndim 3", i, 36, 3, 4);
		expect_record_patch("ndim swapped", i, 36, d.tensors[i].ndim == 1 ? 2 : 1, 4);
		expect_record_patch("rows", i, 40, d.tensors[i].rows + 1, 4);
		expect_record_patch("rows 0", i, 40, 0, 4);
		expect_record_patch("cols", i, 44, d.tensors[i].cols + 1, 4);
		expect_record_patch("rows huge", i, 40, 0xffffffffu, 4);
		expect_record_patch("cols huge", i, 44, 0xffffffffu, 4);
		expect_record_patch("scale on f32", i, 48, 0x3f800000u, 4);
		expect_record_patch("scale -0 on f32", i, 48, 0x80000000u, 4);
		expect_record_patch("reserved", i, 52, 1, 4);
		if (i + 1 < d.n_tensors) { /* overlap: start inside or at the next tensor's data */
			const uint64_t next = mb_get64(buf + mb_record_offset(&d, i + 1) + 56);

			expect_record_patch("same offset as the next", i, 56, next, 8);
			expect_record_patch("same offset as the previous", i + 1, 56, off, 8);
		}
	}
	/* The last tensor moved to overlap the checksum. */
	{
		const size_t last = d.n_tensors - 1;
		const uint64_t off = mb_get64(buf + mb_record_offset(&d, last) + 56);

		expect_record_patch("over the checksum", last, 56, off + 64, 8);
	}
	free(buf);
	mb_clear(&d);
}

/* Partial overlap: a big tensor's data placed so it runs into the next one's. */
static void test_overlap(void)
{
	struct mb_model d;
	int iw, ib;

	mb_init(&d, hp_tiny, 5, MB_F32, 1.0f);
	iw = mb_find(&d, "gru1.weight_ih"); /* 3H x 2E floats: several 64-byte lines */
	ib = mb_find(&d, "gru1.bias_ih");
	{
		size_t size;
		unsigned char *buf = mb_serialize(&d, &size);
		const uint64_t ow = mb_get64(buf + mb_record_offset(&d, (size_t)iw) + 56);
		const uint64_t n_bytes = d.tensors[iw].n_values * 4;
		const uint64_t inside = (ow + n_bytes / 2) / 64 * 64; /* aligned, inside the weight */
		int res;

		CHECK(inside > ow && inside < ow + n_bytes);
		mb_put64(buf + mb_record_offset(&d, (size_t)ib) + 56, inside);
		mb_fix_crc(buf, size);
		res = try_load(buf, size);
		CHECK_MSG(res == -EBADMSG, "bias inside weight: %d", res);
		free(buf);
	}
	mb_clear(&d);
}

static void test_description_corruption(void)
{
	struct mb_model d;
	char what[96];

	/* Missing tensor: each in turn. */
	mb_init(&d, hp_tiny, 6, MB_F32, 1.0f);
	for (size_t i = 0; i < d.n_tensors; i++) {
		struct mb_model e;

		mb_init(&e, hp_tiny, 6, MB_F32, 1.0f);
		snprintf(what, sizeof(what), "missing %s", e.tensors[i].name);
		mb_remove(&e, i);
		expect_desc(&e, -EBADMSG, what);
		mb_clear(&e);
		/* Duplicate: an extra copy of tensor i. */
		mb_init(&e, hp_tiny, 6, MB_F32, 1.0f);
		snprintf(what, sizeof(what), "duplicate %s", e.tensors[i].name);
		mb_duplicate(&e, i);
		expect_desc(&e, -EBADMSG, what);
		mb_clear(&e);
		/* Replaced by a duplicate of another: count right, one missing, one twice. */
		mb_init(&e, hp_tiny, 6, MB_F32, 1.0f);
		snprintf(what, sizeof(what), "%s replaced", e.tensors[i].name);
		mb_duplicate(&e, (i + 1) % e.n_tensors);
		mb_remove(&e, i);
		expect_desc(&e, -EBADMSG, what);
		mb_clear(&e);
		/* Wrong shape, with consistent data size (the builder lays it out). */
		mb_init(&e, hp_tiny, 6, MB_F32, 1.0f);
		snprintf(what, sizeof(what), "%s transposed", e.tensors[i].name);
		if (e.tensors[i].ndim == 2 && e.tensors[i].rows != e.tensors[i].cols) {
			const uint32_t r = e.tensors[i].rows;

			e.tensors[i].rows = e.tensors[i].cols;
			e.tensors[i].cols = r;
			expect_desc(&e, -EBADMSG, what);
		}
		mb_clear(&e);
	}
	mb_clear(&d);

	/* Unknown names: near misses of real ones, a GRU beyond n_gru, bad characters. */
	{
		static const char *const bad[] = {
			"enc_erb.weights", "ENC_ERB.weight", "enc_erb.weight ", "gru3.weight_ih",
			"gru0.weight_ih", "enc-erb.weight", "x", "enc_erb.weight\n",
			"enc_erb.\x80weight", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 32 chars: no NUL */
			"enc_erb.weightAAAAAAAAAAAAAAAAAA", /* 32 chars, a real prefix */
		};

		for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			mb_init(&d, hp_tiny, 6, MB_F32, 1.0f);
			snprintf(d.tensors[0].name, sizeof(d.tensors[0].name), "%s", bad[k]);
			snprintf(what, sizeof(what), "name '%s'", bad[k]);
			expect_desc(&d, -EBADMSG, what);
			mb_clear(&d);
		}
	}
	/* Empty name, and garbage after the NUL. */
	{
		size_t size;
		unsigned char *buf;

		mb_init(&d, hp_tiny, 6, MB_F32, 1.0f);
		buf = mb_serialize(&d, &size);
		buf[mb_record_offset(&d, 0) + 31] = 'x'; /* "enc_erb.weight\0...\0x" */
		mb_fix_crc(buf, size);
		CHECK(try_load(buf, size) == -EBADMSG);
		memset(buf + mb_record_offset(&d, 0), 0, 32); /* "" */
		mb_fix_crc(buf, size);
		CHECK(try_load(buf, size) == -EBADMSG);
		free(buf);
		mb_clear(&d);
	}
}

static void test_bad_hparams(void)
{
	/* Per index: values just outside the limits of docs/model-format.md. */
	static const uint32_t bad[6][4] = {
		{ 0, 31, 33, 0xffffffffu }, /* n_erb must be 32 */
		{ 0, 482, 0xffffffffu, 1u << 31 },
		{ 0, 9, 0xffffffffu, 100 },
		{ 0, 1025, 0xffffffffu, 1u << 16 },
		{ 0, 1025, 0xffffffffu, 1u << 16 },
		{ 0, 5, 0xffffffffu, 8 },
	};

	for (size_t i = 0; i < 6; i++) {
		for (size_t k = 0; k < 4; k++) {
			struct mb_model d;
			char what[64];

			mb_init(&d, hp_tiny, 8, MB_F32, 1.0f);
			d.hparams[i] = bad[i][k];
			snprintf(what, sizeof(what), "hparam %zu = %u", i, bad[i][k]);
			expect_desc(&d, -EBADMSG, what);
			mb_clear(&d);
		}
	}
	/* Valid extremes of the small limits load (big ones would make huge test files). */
	{
		const uint32_t hp[6] = { 32, 1, 8, 1, 1, 4 };
		struct mb_model d;

		mb_init(&d, hp, 9, MB_F16, 1.0f);
		expect_desc(&d, 0, "extreme small hparams");
		mb_clear(&d);
	}
}

/* The 7th value, delay (the STFT window pair), is optional: 32..480 load and set the model's
 * delay; outside that, or a count other than 6 or 7, the file is rejected. */
static void test_delay_hparam(void)
{
	static const struct {
		uint32_t n, delay;
		int want;
	} cases[] = {
		{ 7, 120, 0 }, { 7, 32, 0 }, { 7, 480, 0 }, { 7, 0, -EBADMSG }, { 7, 31, -EBADMSG },
		{ 7, 481, -EBADMSG }, { 7, 0xffffffffu, -EBADMSG }, { 8, 120, -EBADMSG },
		{ 5, 0, -EBADMSG },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mb_model d;
		struct vocana_model *m = NULL;
		char what[64];
		size_t size;

		mb_init(&d, hp_tiny, 8, MB_F32, 1.0f);
		d.n_hparams = cases[i].n;
		d.hparams[6] = cases[i].delay;
		d.hparams[7] = 0;
		snprintf(what, sizeof(what), "n_hparams %u delay %u", cases[i].n, cases[i].delay);
		expect_desc(&d, cases[i].want, what);
		unsigned char *buf = mb_serialize(&d, &size);
		if (cases[i].want == 0 && buf && vocana_model_load_memory(buf, size, &m) == 0) {
			CHECK_MSG(m->hp.delay == cases[i].delay, "%s: delay %u", what, m->hp.delay);
			vocana_model_free(m);
		}
		free(buf);
		mb_clear(&d);
	}
	/* Without the field (6 values) a model has the symmetric window's delay. */
	{
		struct mb_model d;
		struct vocana_model *m = NULL;
		size_t size;

		mb_init(&d, hp_tiny, 8, MB_F32, 1.0f);
		unsigned char *buf = mb_serialize(&d, &size);
		CHECK(buf && vocana_model_load_memory(buf, size, &m) == 0);
		CHECK(m && m->hp.delay == 480);
		vocana_model_free(m);
		free(buf);
		mb_clear(&d);
	}
}

/* Non-finite weights are rejected (-EBADMSG), in every dtype. */
static void test_non_finite(void)
{
	static const float bad[] = { NAN, INFINITY, -INFINITY };
	static const uint32_t dtypes[] = { MB_F32, MB_F16 };
	struct mb_model d;

	for (size_t t = 0; t < 2; t++) {
		for (size_t k = 0; k < 3; k++) {
			mb_init(&d, hp_tiny, 10, dtypes[t], 1.0f);
			d.tensors[5].values[3] = bad[k];
			expect_desc(&d, -EBADMSG, "non-finite weight");
			mb_clear(&d);
		}
	}
	/* f16 overflow: 1e5 is finite as f32 but Inf as half. */
	mb_init(&d, hp_tiny, 10, MB_F16, 1.0f);
	d.tensors[0].values[0] = 1e5f;
	expect_desc(&d, -EBADMSG, "f16 overflow");
	mb_clear(&d);
	/* int8: a non-finite scale, and a finite scale whose products overflow. */
	for (size_t k = 0; k < 3; k++) {
		mb_init(&d, hp_tiny, 10, MB_INT8, 1.0f);
		d.tensors[2].scale = bad[k];
		expect_desc(&d, -EBADMSG, "int8 scale");
		mb_clear(&d);
	}
	{
		size_t size;
		unsigned char *buf;
		int i;

		mb_init(&d, hp_tiny, 10, MB_INT8, 1.0f);
		i = mb_find(&d, "enc_df.weight");
		buf = mb_serialize(&d, &size);
		mb_put32(buf + mb_record_offset(&d, (size_t)i) + 48, 0x7f7fffffu); /* FLT_MAX */
		mb_fix_crc(buf, size);
		CHECK(try_load(buf, size) == -EBADMSG);
		/* ... but a small scale is fine, a zero one too (all-zero weights). */
		mb_put32(buf + mb_record_offset(&d, (size_t)i) + 48, 0);
		mb_fix_crc(buf, size);
		CHECK(try_load(buf, size) == 0);
		free(buf);
		mb_clear(&d);
	}
}

static void test_api_arguments(void)
{
	struct vocana_model *m = (struct vocana_model *)&m;
	unsigned char byte = 0;

	CHECK(vocana_model_load_memory(NULL, 10, &m) == -EINVAL);
	CHECK(m == NULL);
	CHECK(vocana_model_load_memory(&byte, 1, NULL) == -EINVAL);
	CHECK(vocana_model_load_memory(&byte, 0, &m) == -EBADMSG);
	CHECK(vocana_model_load_file(NULL, &m) == -EINVAL);
	CHECK(vocana_model_load_file("/nonexistent", NULL) == -EINVAL);
}

static int write_file(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, data, n);
	close(fd);
	return w == (ssize_t)n ? 0 : -EIO;
}

static void test_load_file(void)
{
	char dir[] = "/tmp/vocana-test-model-XXXXXX";
	char path[128];
	struct mb_model d;
	struct vocana_model *m = NULL;
	size_t size;
	unsigned char *buf;
	int res, fd;

	CHECK(mkdtemp(dir) != NULL);
	mb_init(&d, hp_tiny, 11, MB_F16, 1.0f);
	buf = mb_serialize(&d, &size);

	snprintf(path, sizeof(path), "%s/model.vcm", dir);
	CHECK(write_file(path, buf, size) == 0);
	res = vocana_model_load_file(path, &m);
	CHECK_MSG(res == 0, "load_file: %d", res);
	if (m)
		check_model_matches(m, &d);
	vocana_model_free(m);

	/* Truncated on disk. */
	CHECK(write_file(path, buf, size - 1) == 0);
	m = (struct vocana_model *)&m;
	CHECK(vocana_model_load_file(path, &m) == -EBADMSG);
	CHECK(m == NULL);
	/* Empty file. */
	CHECK(write_file(path, buf, 0) == 0);
	CHECK(vocana_model_load_file(path, &m) == -EBADMSG);
	/* Too big: a sparse 65 MiB file is refused before reading. */
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && ftruncate(fd, (off_t)65 << 20) == 0);
	close(fd);
	CHECK(vocana_model_load_file(path, &m) == -EFBIG);
	unlink(path);

	CHECK(vocana_model_load_file(path, &m) == -ENOENT); /* missing */
	/* A FIFO nobody writes to is refused at once (opening it for reading used to wait for a
	 * writer forever); the alarm turns a hang into a failed test instead of a stuck one. */
	CHECK(mkfifo(path, 0600) == 0);
	alarm(10);
	CHECK(vocana_model_load_file(path, &m) == -EINVAL);
	alarm(0);
	unlink(path);
	CHECK(vocana_model_load_file(dir, &m) == -EISDIR);  /* a directory */
	CHECK(vocana_model_load_file("/dev/null", &m) == -EINVAL); /* not a regular file */
	CHECK(m == NULL);
	rmdir(dir);
	free(buf);
	mb_clear(&d);
}

static void test_inspect(void)
{
	struct mb_model d;
	struct model_file_info *info = malloc(sizeof(*info));
	size_t size;
	unsigned char *buf;

	mb_init(&d, hp_tiny, 12, MB_INT8, 1.0f);
	buf = mb_serialize(&d, &size);
	CHECK(model_file_inspect(buf, size, info) == 0);
	CHECK(info->file_size == size);
	CHECK(info->n_tensors == d.n_tensors);
	CHECK(info->crc32 == mb_get32(buf + size - 4));
	CHECK(info->n_params == mb_expected_params(hp_tiny));
	CHECK(info->table_offset == 128);
	for (size_t i = 0; i < d.n_tensors; i++) {
		CHECK(strcmp(info->tensors[i].name, d.tensors[i].name) == 0);
		CHECK(info->tensors[i].dtype == MB_INT8);
		CHECK(info->tensors[i].scale == d.tensors[i].scale);
	}
	CHECK(model_file_inspect(NULL, 1, info) == -EINVAL);
	CHECK(model_file_inspect(buf, size, NULL) == -EINVAL);
	free(info);
	free(buf);
	mb_clear(&d);
}

int main(void)
{
	RUN_TEST(test_crc32);
	RUN_TEST(test_valid);
	RUN_TEST(test_valid_reordered);
	RUN_TEST(test_header_corruption);
	RUN_TEST(test_truncation);
	RUN_TEST(test_bit_flips);
	RUN_TEST(test_table_corruption);
	RUN_TEST(test_overlap);
	RUN_TEST(test_description_corruption);
	RUN_TEST(test_bad_hparams);
	RUN_TEST(test_delay_hparam);
	RUN_TEST(test_non_finite);
	RUN_TEST(test_api_arguments);
	RUN_TEST(test_load_file);
	RUN_TEST(test_inspect);
	return test_finish();
}
