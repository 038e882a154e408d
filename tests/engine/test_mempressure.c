/* SPDX-License-Identifier: MIT */
/* PSI memory-pressure parsing (valid, malformed, missing file) and the monitor's hysteresis. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/mempressure.h"
#include "test_util.h"

static const char kernel_text[] = "some avg10=12.34 avg60=5.06 avg300=0.70 total=123456789\n"
				  "full avg10=0.50 avg60=0.00 avg300=100.00 total=42\n";

static int parse_str(const char *s, struct mempressure_sample *out)
{
	return mempressure_parse(s, strlen(s), out);
}

static void test_valid(void)
{
	struct mempressure_sample s;
	CHECK(parse_str(kernel_text, &s) == 0);
	CHECK_NEAR(s.some.avg10_pct, 12.34, 1e-4);
	CHECK_NEAR(s.some.avg60_pct, 5.06, 1e-4);
	CHECK_NEAR(s.some.avg300_pct, 0.70, 1e-4);
	CHECK(s.some.total_us == 123456789u);
	CHECK(s.has_full);
	CHECK_NEAR(s.full.avg10_pct, 0.5, 1e-6);
	CHECK_NEAR(s.full.avg300_pct, 100.0, 1e-6);
	CHECK(s.full.total_us == 42u);

	/* Only "some" (older kernels for some resources), no trailing newline, integers. */
	CHECK(parse_str("some avg10=3 avg60=2 avg300=1 total=0", &s) == 0);
	CHECK(!s.has_full);
	CHECK_NEAR(s.some.avg10_pct, 3.0, 1e-6);

	/* Tolerated: CRLF, tabs and extra spaces, blank and unknown lines, unknown keys, any order. */
	CHECK(parse_str("\n  \nnew stat=1\r\nsome  total=5\tavg300=0.01 avg10=99.99 avg60=1.5 future=x\r\n"
			"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
			&s) == 0);
	CHECK_NEAR(s.some.avg10_pct, 99.99, 1e-4);
	CHECK_NEAR(s.some.avg300_pct, 0.01, 1e-6);
	CHECK(s.some.total_us == 5u);
	CHECK(s.has_full);

	/* The text need not be NUL-terminated: only len bytes are read. */
	char buf[64];
	const char *t = "some avg10=1.00 avg60=1.00 avg300=1.00 total=7";
	memcpy(buf, t, strlen(t));
	memset(buf + strlen(t), 'x', sizeof(buf) - strlen(t));
	CHECK(mempressure_parse(buf, strlen(t), &s) == 0);
	CHECK(s.some.total_us == 7u);
}

static void test_malformed(void)
{
	static const char *const bad[] = {
		"",
		"\n\n",
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",          /* no "some" */
		"some avg60=0.00 avg300=0.00 total=0\n",                     /* avg10 missing */
		"some avg10=0.00 avg60=0.00 avg300=0.00\n",                  /* total missing */
		"some avg10=abc avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=101.00 avg60=0.00 avg300=0.00 total=0\n",        /* above 100 % */
		"some avg10=100.01 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=-1.00 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=1. avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=.5 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=1.2.3 avg60=0.00 avg300=0.00 total=0\n",
		"some avg10= avg60=0.00 avg300=0.00 total=0\n",
		"some avg10=1 avg10=2 avg60=0.00 avg300=0.00 total=0\n",     /* duplicate key */
		"some avg10=1 avg60=0.00 avg300=0.00 total=0 junk\n",        /* token without '=' */
		"some avg10=1 avg60=0.00 avg300=0.00 total=0 =3\n",
		"some avg10=1 avg60=0 avg300=0 total=99999999999999999999\n", /* overflows 64 bits */
		"some avg10=1 avg60=0 avg300=0 total=-5\n",
		"some avg10=1 avg60=0 avg300=0 total=1\nsome avg10=1 avg60=0 avg300=0 total=1\n",
		"some avg10=1 avg60=0 avg300=0 total=1\nfull avg10=1 avg60=0 avg300=0\n", /* bad full */
		"someavg10=1 avg60=0 avg300=0 total=1\n", /* not a "some" line: then none */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct mempressure_sample s;
		memset(&s, 0x5a, sizeof(s));
		int res = parse_str(bad[i], &s);
		CHECK_MSG(res == -EBADMSG, "case %zu \"%s\": %d", i, bad[i], res);
		CHECK_MSG(s.some.total_us == 0 && !s.has_full && s.some.avg10_pct == 0.0f,
			  "case %zu: output not cleared", i);
	}

	/* An embedded NUL, and text far longer than any PSI file. */
	struct mempressure_sample s;
	const char nul[] = "some avg10=1 avg60=0 avg300=0 total=1\0\n";
	CHECK(mempressure_parse(nul, sizeof(nul) - 1, &s) == -EBADMSG);
	size_t big = 4096;
	char *long_text = malloc(big);
	CHECK(long_text != NULL);
	if (long_text) {
		memset(long_text, ' ', big);
		memcpy(long_text, kernel_text, strlen(kernel_text));
		CHECK(mempressure_parse(long_text, big, &s) == -EBADMSG);
		free(long_text);
	}
	CHECK(mempressure_parse(NULL, 0, &s) == -EINVAL);
	CHECK(mempressure_parse(kernel_text, 3, NULL) == -EINVAL);
}

static int write_temp(const char *text, char *path, size_t path_size)
{
	snprintf(path, path_size, "vocana-psi-test-XXXXXX"); /* in the test's working directory */
	int fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	size_t len = strlen(text);
	ssize_t w = write(fd, text, len);
	close(fd);
	return w == (ssize_t)len ? 0 : -EIO;
}

static void test_read(void)
{
	struct mempressure_sample s;
	CHECK(mempressure_read("/nonexistent/vocana/pressure/memory", &s) == -ENOTSUP);
	CHECK(mempressure_read(NULL, NULL) == -EINVAL);

	char path[64];
	CHECK(write_temp(kernel_text, path, sizeof(path)) == 0);
	CHECK(mempressure_read(path, &s) == 0);
	CHECK(s.some.total_us == 123456789u && s.has_full);
	unlink(path);

	CHECK(write_temp("some avg10=nope\n", path, sizeof(path)) == 0);
	CHECK(mempressure_read(path, &s) == -EBADMSG);
	unlink(path);

	CHECK(mempressure_read("/", &s) == -EISDIR); /* other errors pass through as -errno */

	/* This machine: PSI present (parses) or absent (unsupported); nothing else is acceptable. */
	int res = mempressure_read(NULL, &s);
	CHECK_MSG(res == 0 || res == -ENOTSUP, "%s: %d", MEMPRESSURE_PATH, res);
	fprintf(stderr, "  %s: %s", MEMPRESSURE_PATH, res == 0 ? "" : "not supported\n");
	if (res == 0)
		fprintf(stderr, "some avg10=%.2f, level %s\n", (double)s.some.avg10_pct,
			mempressure_level_name(mempressure_classify(&s)));
}

static struct mempressure_sample sample(float some10, float full10, bool has_full)
{
	struct mempressure_sample s;
	memset(&s, 0, sizeof(s));
	s.some.avg10_pct = some10;
	s.full.avg10_pct = full10;
	s.has_full = has_full;
	return s;
}

static void test_levels(void)
{
	struct mempressure_sample s = sample(9.99f, 0.0f, true);
	CHECK(mempressure_classify(&s) == MEMPRESSURE_NORMAL);
	s = sample(10.0f, 9.99f, true);
	CHECK(mempressure_classify(&s) == MEMPRESSURE_ELEVATED);
	s = sample(10.0f, 10.0f, true);
	CHECK(mempressure_classify(&s) == MEMPRESSURE_CRITICAL);
	s = sample(45.0f, 0.0f, true); /* "full" is authoritative when present */
	CHECK(mempressure_classify(&s) == MEMPRESSURE_ELEVATED);
	s = sample(45.0f, 0.0f, false);
	CHECK(mempressure_classify(&s) == MEMPRESSURE_CRITICAL);
	CHECK(strcmp(mempressure_level_name(MEMPRESSURE_CRITICAL), "critical") == 0);

	struct mempressure_monitor m;
	mempressure_monitor_init(&m);
	s = sample(1.0f, 0.0f, true);
	CHECK(mempressure_monitor_update(&m, &s) == MEMPRESSURE_NORMAL);
	s = sample(30.0f, 20.0f, true); /* rises at once, straight to critical */
	CHECK(mempressure_monitor_update(&m, &s) == MEMPRESSURE_CRITICAL);
	/* Below the entry threshold but above half of it: stays critical however long. */
	s = sample(30.0f, 6.0f, true);
	for (int i = 0; i < 3 * MEMPRESSURE_CALM_POLLS; i++)
		CHECK(mempressure_monitor_update(&m, &s) == MEMPRESSURE_CRITICAL);
	/* Calm: one step down after MEMPRESSURE_CALM_POLLS polls, not before. */
	s = sample(30.0f, 1.0f, true);
	for (int i = 0; i < MEMPRESSURE_CALM_POLLS - 1; i++)
		CHECK(mempressure_monitor_update(&m, &s) == MEMPRESSURE_CRITICAL);
	CHECK(mempressure_monitor_update(&m, &s) == MEMPRESSURE_ELEVATED);
	/* A relapse above half the threshold restarts the count. */
	s = sample(1.0f, 0.0f, true);
	for (int i = 0; i < MEMPRESSURE_CALM_POLLS - 1; i++)
		CHECK(mempressure_monitor_update(&m, &s) == MEMPRESSURE_ELEVATED);
	s = sample(6.0f, 0.0f, true);
	CHECK(mempressure_monitor_update(&m, &s) == MEMPRESSURE_ELEVATED);
	s = sample(1.0f, 0.0f, true);
	for (int i = 0; i < MEMPRESSURE_CALM_POLLS - 1; i++)
		CHECK(mempressure_monitor_update(&m, &s) == MEMPRESSURE_ELEVATED);
	CHECK(mempressure_monitor_update(&m, &s) == MEMPRESSURE_NORMAL);
	CHECK(mempressure_monitor_update(&m, NULL) == MEMPRESSURE_NORMAL);
}

int main(void)
{
	RUN_TEST(test_valid);
	RUN_TEST(test_malformed);
	RUN_TEST(test_read);
	RUN_TEST(test_levels);
	return test_finish();
}
