/* SPDX-License-Identifier: MIT */
/*
 * Out of memory, in the style of SQLite's test_malloc.c: fail the 1st, 2nd, ... allocation of
 * each creating call until it succeeds; every failure must return -ENOMEM and leave *out NULL,
 * and (under ASan) leak nothing.
 *
 * The failures are injected at link time (-Wl,--wrap=malloc,--wrap=aligned_alloc in
 * tests/lib/nn/meson.build): the library's calls go to the __wrap_ functions below, so the library
 * needs no test hooks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model_builder.h"
#include "nn/network.h"
#include "test_util.h"
#include "vocana/vocana.h"

void *__real_malloc(size_t size);
void *__real_aligned_alloc(size_t alignment, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_aligned_alloc(size_t alignment, size_t size);

static int fail_countdown = -1; /* < 0: never fail; 0: fail the next allocation */
static int n_failed;

static int should_fail(void)
{
	if (fail_countdown < 0)
		return 0;
	if (fail_countdown-- == 0) {
		n_failed++;
		return 1;
	}
	return 0;
}

void *__wrap_malloc(size_t size)
{
	return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_aligned_alloc(size_t alignment, size_t size)
{
	return should_fail() ? NULL : __real_aligned_alloc(alignment, size);
}

static const uint32_t hp[6] = { 32, 3, 2, 4, 6, 2 };

static void test_load_memory(void)
{
	struct mb_model d;
	size_t size;
	unsigned char *buf;
	int n;

	mb_init(&d, hp, 1, MB_F16, 1.0f);
	buf = mb_serialize(&d, &size);
	for (n = 0; n < 100; n++) {
		struct vocana_model *m = (struct vocana_model *)&m;
		int res;

		n_failed = 0;
		fail_countdown = n;
		res = vocana_model_load_memory(buf, size, &m);
		fail_countdown = -1;
		if (res == 0) {
			CHECK(n_failed == 0);
			vocana_model_free(m);
			break;
		}
		CHECK_MSG(res == -ENOMEM && n_failed == 1, "allocation %d: %d", n, res);
		CHECK(m == NULL);
	}
	CHECK(n >= 2); /* the loader allocates at least twice: the table info, the model */
	fprintf(stderr, "  load_memory: %d allocations\n", n);
	free(buf);
	mb_clear(&d);
}

static void test_load_file(void)
{
	char path[] = "/tmp/vocana-test-alloc-XXXXXX";
	struct mb_model d;
	size_t size;
	unsigned char *buf;
	int fd, n;

	mb_init(&d, hp, 2, MB_INT8, 1.0f);
	buf = mb_serialize(&d, &size);
	fd = mkstemp(path);
	CHECK(fd >= 0 && write(fd, buf, size) == (ssize_t)size);
	close(fd);
	for (n = 0; n < 100; n++) {
		struct vocana_model *m = NULL;
		int res;

		n_failed = 0;
		fail_countdown = n;
		res = vocana_model_load_file(path, &m);
		fail_countdown = -1;
		if (res == 0) {
			vocana_model_free(m);
			break;
		}
		CHECK_MSG(res == -ENOMEM && n_failed == 1, "allocation %d: %d", n, res);
		CHECK(m == NULL);
	}
	CHECK(n >= 3);
	fprintf(stderr, "  load_file: %d allocations\n", n);
	unlink(path);
	free(buf);
	mb_clear(&d);
}

static void test_state_create(void)
{
	struct mb_model d;
	struct vocana_model *m = NULL;
	size_t size;
	unsigned char *buf;
	int n;

	mb_init(&d, hp, 3, MB_F32, 1.0f);
	buf = mb_serialize(&d, &size);
	CHECK(vocana_model_load_memory(buf, size, &m) == 0);
	for (n = 0; m && n < 100; n++) {
		struct nn_state *s = (struct nn_state *)&s;
		int res;

		n_failed = 0;
		fail_countdown = n;
		res = nn_state_create(m, &s);
		fail_countdown = -1;
		if (res == 0) {
			nn_state_destroy(s);
			break;
		}
		CHECK_MSG(res == -ENOMEM && n_failed == 1, "allocation %d: %d", n, res);
		CHECK(s == NULL);
	}
	CHECK(n == 1); /* one allocation: state and buffers together */
	vocana_model_free(m);
	free(buf);
	mb_clear(&d);
}

int main(void)
{
	RUN_TEST(test_load_memory);
	RUN_TEST(test_load_file);
	RUN_TEST(test_state_create);
	return test_finish();
}
