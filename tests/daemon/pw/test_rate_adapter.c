/* SPDX-License-Identifier: MIT */
/*
 * The rate adapter (src/daemon/pw/rate_adapter.c): a 48 kHz processor inside graphs at other rates.
 * With an identity processor the output must be the input, delayed by a constant that matches
 * rate_adapter_latency_samples(), for any block size, with no underruns once primed; the
 * processor must see the right number of 48 kHz samples; a gain processor must show up exactly.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pw/rate_adapter.h"
#include "test_util.h"

struct counter {
	uint64_t samples;
	uint32_t max_n;
	float gain;
};

static void count_and_scale(void *data, float *buf, uint32_t n)
{
	struct counter *c = data;

	c->samples += n;
	if (n > c->max_n)
		c->max_n = n;
	for (uint32_t i = 0; i < n; i++)
		buf[i] *= c->gain;
}

/* A sum of tones (incommensurate, below 0.4 x the lowest Nyquist tested, so the converters pass
 * them and the best lag is unambiguous) through the adapter in blocks cycling through `blocks`;
 * returns the SNR (dB) of the output against the input delayed by the best integer lag, measured
 * after a settling time. */
static double run_tones(uint32_t rate, const uint32_t *blocks, size_t n_blocks, float gain,
		       long *lag_out, struct counter *cnt, struct rate_adapter **ra_out)
{
	const size_t total = (size_t)rate * 2; /* 2 s */
	static const double f_hz[] = { 313.0, 997.0, 2503.0, 4001.0 };
	float *in = malloc(total * sizeof(float)), *out = malloc(total * sizeof(float));
	struct rate_adapter *ra = NULL;
	double best_snr = -INFINITY;
	size_t t = 0, b = 0;

	for (size_t i = 0; i < total; i++) {
		double v = 0.0;

		for (size_t k = 0; k < sizeof(f_hz) / sizeof(f_hz[0]); k++)
			v += sin(2.0 * M_PI * f_hz[k] * (double)i / rate + (double)k);
		in[i] = (float)(0.2 * v);
	}
	CHECK(rate_adapter_create(rate, 4096, &ra) == 0);
	if (ra == NULL)
		return -INFINITY;
	cnt->gain = gain;
	while (t < total) {
		uint32_t n = blocks[b++ % n_blocks];

		if (n > total - t)
			n = (uint32_t)(total - t);
		rate_adapter_process(ra, in + t, out + t, n, count_and_scale, cnt);
		t += n;
	}
	/* Best lag over 0..1000 samples, judged over the second half. */
	for (long lag = 0; lag < 1000; lag++) {
		double sig = 0, err = 0;

		for (size_t i = total / 2; i < total; i++) {
			double ref = gain * in[i - (size_t)lag];

			sig += ref * ref;
			err += (out[i] - ref) * (out[i] - ref);
		}
		double snr = 10.0 * log10(sig / (err + 1e-30));
		if (snr > best_snr) {
			best_snr = snr;
			*lag_out = lag;
		}
	}
	free(in);
	free(out);
	*ra_out = ra;
	return best_snr;
}

static void check_rate(uint32_t rate)
{
	static const uint32_t blocks_a[] = { 256 };
	static const uint32_t blocks_b[] = { 441, 1024, 64, 333, 2048 };
	const uint32_t *sets[] = { blocks_a, blocks_b };
	const size_t lens[] = { 1, 5 };

	for (int s = 0; s < 2; s++) {
		struct counter cnt = { 0 };
		struct rate_adapter *ra = NULL;
		long lag = -1;
		double snr = run_tones(rate, sets[s], lens[s], 0.5f, &lag, &cnt, &ra);
		uint64_t expect48 = (uint64_t)rate * 2 * 48000 / rate;

		/* SINC_FASTEST twice over: about 60 dB or better for a 1 kHz tone. */
		CHECK_MSG(snr > 50.0, "rate %u set %d: snr %.1f dB at lag %ld", rate, s, snr, lag);
		/* The adapter reports its own delay exactly (it counts inserted and dropped samples). */
		if (ra) {
			long reported = (long)rate_adapter_latency_samples(ra);

			CHECK_MSG(labs(reported - lag) <= 1, "rate %u: reported %ld, measured %ld",
				  rate, reported, lag);
			CHECK(rate_adapter_underruns(ra) == 0);
			CHECK(cnt.max_n <= rate_adapter_max_block_48k(ra));
		}
		/* The processor saw 2 s of 48 kHz audio (minus what the converters hold). */
		CHECK_MSG(cnt.samples <= expect48 && cnt.samples + 512 >= expect48,
			  "rate %u: processor saw %llu samples, expected ~%llu", rate,
			  (unsigned long long)cnt.samples, (unsigned long long)expect48);
		fprintf(stderr, "  rate %6u blocks %s: snr %.1f dB, delay %ld samples\n", rate,
			s ? "mixed" : "256  ", snr, lag);
		rate_adapter_destroy(ra);
	}
}

static void test_rates(void)
{
	check_rate(44100);
	check_rate(96000);
	check_rate(32000);
	check_rate(22050);
}

static void test_bad_args(void)
{
	struct rate_adapter *ra = NULL;

	CHECK(rate_adapter_create(0, 256, &ra) == -EINVAL);
	CHECK(rate_adapter_create(44100, 0, &ra) == -EINVAL);
	CHECK(rate_adapter_create(1000000, 256, &ra) == -EINVAL);
	rate_adapter_destroy(NULL);
}

int main(void)
{
	RUN_TEST(test_rates);
	RUN_TEST(test_bad_args);
	return test_finish();
}
