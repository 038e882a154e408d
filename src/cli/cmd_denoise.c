/* SPDX-License-Identifier: MIT */
/*
 * vocana denoise IN OUT [options]
 *
 * Reads IN a chunk at a time, runs one vocana_denoiser per channel at 48 kHz (resampling there
 * and back when IN has another rate; see pipeline.h for how the output stays sample-aligned with
 * the input) and writes OUT in IN's format or the one OUT's extension names. OUT appears only
 * when complete (io/safe_output.h), so OUT may be IN: the input keeps being read from the old
 * file until the new one is renamed over it.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/pipeline.h"
#include "cli/progress.h"
#include "io/audio_file.h"
#include "io/audio_format.h"
#include "io/safe_output.h"
#include "vocana/vocana.h"

#define READ_CHUNK_FRAMES 4096u  /* frames read per step: bounded memory whatever the length */
#define PROGRESS_MIN_S 10.0      /* shorter files finish before a bar is worth drawing */
#define VAD_SPEECH_THRESHOLD 0.5f /* a 10 ms frame counts as speech above this probability */

static const char usage_text[] =
	"usage: vocana denoise IN OUT [options]\n"
	"\n"
	"Remove background noise from speech. IN and OUT are audio files in any format libsndfile\n"
	"handles (WAV, FLAC, Ogg Vorbis/Opus, AIFF, CAF, MP3, ...), at 8000 to 384000 Hz, with up to\n"
	"64 channels (each denoised on its own). OUT has the length, sample rate and channels of IN and\n"
	"is aligned with it sample for sample. OUT's format follows its extension (.wav .flac .ogg\n"
	".opus .aiff .caf .mp3 ...), or is IN's own if the extension is missing or unknown. OUT is\n"
	"written to a temporary file and renamed into place when complete, so OUT may be IN.\n"
	"'-' as IN or OUT streams raw samples through stdin or stdout; an OUT named *.raw or *.pcm\n"
	"is written headerless. Both need --raw-format.\n"
	"\n"
	"options:\n"
	"  -s, --strength N      suppression strength 0-100: 0 leaves the audio unchanged, 100\n"
	"                        removes all the noise the model finds (default: the library's)\n"
	"  -m, --model FILE      use the model in FILE instead of the built-in one\n"
	"  -q, --quiet           no progress bar, summary or warnings; only errors\n"
	"      --raw-format FMT  sample format of '-' streams and *.raw OUT: f32le or s16le\n"
	"      --rate HZ         sample rate of raw input from '-'\n"
	"      --channels N      channel count of raw input from '-'\n"
	"  -h, --help            show this help\n";

struct options {
	const char *in_path;
	const char *out_path;
	const char *model_path;
	long strength; /* -1: leave the library's default */
	bool quiet;
	struct audio_spec raw; /* raw format, rate and channels from the command line */
};

/* Everything one run owns, so that one cleanup path frees it whichever step failed. */
struct run {
	struct audio_reader *reader;
	struct audio_writer *writer;
	struct vocana_model *model;
	struct vocana_denoiser **denoisers;
	uint32_t n_channels;
	struct pipeline *pipeline;
	float *chunk;
	uint64_t n_vad_frames;    /* per channel; the same for every channel */
	uint64_t n_speech_frames; /* summed over channels */
	int denoise_err;          /* set when the failure came from vocana_denoiser_process() */
	bool write_failed;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_RAW_FORMAT = 256, OPT_RATE, OPT_CHANNELS };
	static const struct option long_options[] = {
		{ "strength", required_argument, NULL, 's' },
		{ "model", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "raw-format", required_argument, NULL, OPT_RAW_FORMAT },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "channels", required_argument, NULL, OPT_CHANNELS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool in_stdio, out_stdio, out_raw_file;
	long v;
	int c;

	memset(o, 0, sizeof(*o));
	o->strength = -1;
	opterr = 0; /* our own one-line messages instead of getopt's */
	optind = 1;
	while ((c = getopt_long(argc, argv, ":s:m:qh", long_options, NULL)) != -1) {
		switch (c) {
		case 's':
			if (cli_parse_int(optarg, 0, 100, &o->strength) < 0)
				return cli_usage_error("denoise",
						       "--strength must be a whole number from 0 to 100, not '%s'",
						       optarg);
			break;
		case 'm':
			o->model_path = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_RAW_FORMAT:
			if (audio_raw_format_parse(optarg, &o->raw.raw) < 0)
				return cli_usage_error("denoise",
						       "--raw-format must be f32le or s16le, not '%s'", optarg);
			break;
		case OPT_RATE:
			if (cli_parse_int(optarg, 1, 100000000, &v) < 0)
				return cli_usage_error("denoise", "--rate must be a positive whole number of Hz, not '%s'",
						       optarg);
			o->raw.rate_hz = (uint32_t)v;
			break;
		case OPT_CHANNELS:
			if (cli_parse_int(optarg, 1, 1000000, &v) < 0)
				return cli_usage_error("denoise", "--channels must be a positive whole number, not '%s'",
						       optarg);
			o->raw.n_channels = (uint32_t)v;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case ':':
			return cli_usage_error("denoise", "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("denoise", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("denoise", "expected an input and an output file, got %d argument(s)",
				       argc - optind);
	o->in_path = argv[optind];
	o->out_path = argv[optind + 1];

	in_stdio = audio_path_is_stdio(o->in_path);
	out_stdio = audio_path_is_stdio(o->out_path);
	out_raw_file = !out_stdio && audio_path_is_headerless(o->out_path);
	if ((in_stdio || out_stdio) && o->raw.raw == AUDIO_RAW_NONE)
		return cli_usage_error("denoise", "'-' streams raw audio and needs --raw-format");
	if (out_raw_file && o->raw.raw == AUDIO_RAW_NONE)
		return cli_usage_error("denoise", "'%s' is headerless: give its sample format with "
				       "--raw-format f32le or s16le", o->out_path);
	if (!in_stdio && o->raw.raw != AUDIO_RAW_NONE && !out_stdio && !out_raw_file)
		return cli_usage_error("denoise",
				       "--raw-format applies only to '-' (stdin/stdout) and *.raw output");
	if (in_stdio && (o->raw.rate_hz == 0 || o->raw.n_channels == 0))
		return cli_usage_error("denoise", "raw input from '-' needs --rate and --channels");
	if (!in_stdio && (o->raw.rate_hz != 0 || o->raw.n_channels != 0))
		return cli_usage_error("denoise",
				       "--rate and --channels describe raw input from '-'; a file has its own");
	return 0;
}

static int denoise_block(void *ctx, uint32_t channel, float *block, bool padding)
{
	struct run *r = ctx;
	int res = vocana_denoiser_process(r->denoisers[channel], block, block, PIPELINE_BLOCK_FRAMES);

	if (res < 0) {
		r->denoise_err = res;
		return res;
	}
	if (!padding) {
		if (channel == 0)
			r->n_vad_frames++;
		if (vocana_denoiser_vad(r->denoisers[channel]) > VAD_SPEECH_THRESHOLD)
			r->n_speech_frames++;
	}
	return 0;
}

static int write_frames(void *ctx, const float *frames, size_t n_frames)
{
	struct run *r = ctx;
	int res = audio_writer_write(r->writer, frames, n_frames);

	if (res < 0)
		r->write_failed = true;
	return res;
}

static int load_model(const struct options *o, struct run *r)
{
	int res;

	if (o->model_path != NULL) {
		res = vocana_model_load_file(o->model_path, &r->model);
		if (res < 0)
			cli_error("cannot load model '%s': %s", o->model_path, cli_strerror(res));
	} else {
		/* Loaded once and shared by every channel's denoiser, instead of one copy each. */
		res = vocana_model_load_default(&r->model);
		if (res < 0)
			cli_error("cannot load the built-in model: %s", cli_strerror(res));
	}
	return res;
}

static int create_denoisers(const struct options *o, struct run *r)
{
	int res;

	r->denoisers = calloc(r->n_channels, sizeof(*r->denoisers));
	if (r->denoisers == NULL) {
		cli_error("out of memory");
		return -ENOMEM;
	}
	for (uint32_t c = 0; c < r->n_channels; c++) {
		/* Blocks of exactly one hop: the latency is then the minimum, 480 samples. */
		res = vocana_denoiser_create(r->model, PIPELINE_BLOCK_FRAMES, &r->denoisers[c]);
		if (res < 0) {
			cli_error("cannot create the denoiser: %s", cli_strerror(res));
			return res;
		}
		if (o->strength >= 0) {
			res = vocana_denoiser_set_strength(r->denoisers[c], (int)o->strength);
			if (res < 0) {
				cli_error("cannot set strength %ld: %s", o->strength, cli_strerror(res));
				return res;
			}
			/* Strength changes are smoothed over ~50 ms; a reset before the first sample
			 * makes the file start at the requested strength instead of gliding to it. */
			vocana_denoiser_reset(r->denoisers[c]);
		}
	}
	return 0;
}

static void run_cleanup(struct run *r)
{
	pipeline_destroy(r->pipeline);
	audio_writer_abort(r->writer); /* removes the temporary file unless committed (NULL) */
	if (r->denoisers != NULL)
		for (uint32_t c = 0; c < r->n_channels; c++)
			vocana_denoiser_destroy(r->denoisers[c]);
	free(r->denoisers);
	vocana_model_free(r->model);
	audio_reader_close(r->reader);
	free(r->chunk);
}

/* One line for a failure inside the streaming loop, naming the stage that failed. */
static void report_stream_error(const struct run *r, int res)
{
	if (r->write_failed)
		cli_error("%s", audio_writer_error(r->writer));
	else if (r->denoise_err < 0)
		cli_error("denoiser failed: %s", cli_strerror(r->denoise_err));
	else
		cli_error("processing failed: %s", cli_strerror(res));
}

static int stream(const struct options *o, struct run *r, double *audio_s)
{
	const struct audio_spec *spec = audio_reader_spec(r->reader);
	int64_t hint = audio_reader_length_hint(r->reader);
	struct progress progress;
	ssize_t n;
	int res;

	progress_init(&progress,
		      !o->quiet && isatty(STDERR_FILENO) && hint > 0 &&
			      (double)hint / spec->rate_hz > PROGRESS_MIN_S,
		      hint > 0 ? (double)hint / spec->rate_hz : 0.0);
	while ((n = audio_reader_read(r->reader, r->chunk, READ_CHUNK_FRAMES)) > 0) {
		if ((res = pipeline_push(r->pipeline, r->chunk, (size_t)n)) < 0) {
			progress_clear(&progress);
			report_stream_error(r, res);
			return res;
		}
		progress_update(&progress, (double)pipeline_frames_in(r->pipeline) / spec->rate_hz);
	}
	progress_clear(&progress);
	if (n < 0) {
		cli_error("%s", audio_reader_error(r->reader));
		return (int)n;
	}
	if (pipeline_frames_in(r->pipeline) == 0) {
		cli_error("'%s' contains no audio (0 frames)", o->in_path);
		return -ENODATA;
	}
	if ((res = pipeline_finish(r->pipeline)) < 0) {
		report_stream_error(r, res);
		return res;
	}
	*audio_s = (double)pipeline_frames_in(r->pipeline) / spec->rate_hz;
	return 0;
}

static void report_summary(const struct options *o, const struct run *r, double audio_s,
			   double wall_s)
{
	uint64_t n_bad = audio_reader_nonfinite_count(r->reader);
	size_t trailing = audio_reader_trailing_bytes(r->reader);
	char truncated[AUDIO_ERR_LEN + 256];
	double speech = r->n_vad_frames > 0 ? (double)r->n_speech_frames /
						    ((double)r->n_vad_frames * r->n_channels)
					    : 0.0;

	if (o->quiet)
		return;
	if (n_bad > 0)
		cli_warn("'%s': %llu NaN or infinite sample(s) were replaced by silence", o->in_path,
			 (unsigned long long)n_bad);
	if (trailing > 0)
		cli_warn("'%s': ignored %zu byte(s) of an incomplete last frame", o->in_path, trailing);
	/* A cut input gives a shorter output: never silently (issue #13, item 10). */
	if (audio_reader_truncated(r->reader, truncated, sizeof(truncated)))
		cli_warn("%s", truncated);
	fprintf(stderr,
		"vocana: %.2f s of audio in %.2f s (real-time factor %.4f), speech %.1f %%\n",
		audio_s, wall_s, audio_s > 0.0 ? wall_s / audio_s : 0.0, speech * 100.0);
}

int cmd_denoise(int argc, char **argv)
{
	struct options o;
	struct run r;
	struct audio_spec out_spec;
	struct pipeline_processor proc;
	char err[AUDIO_ERR_LEN];
	double start_s, audio_s = 0.0;
	int res;

	res = parse_options(argc, argv, &o);
	if (res != 0)
		return res < 0 ? CLI_EXIT_OK : res; /* -1: --help was shown */

	start_s = cli_now_s();
	memset(&r, 0, sizeof(r));
	safe_output_install_signal_cleanup();

	/* Everything that can be checked is checked before OUT is created. */
	if (audio_reader_open(&r.reader, o.in_path, &o.raw, err, sizeof(err)) < 0) {
		cli_error("%s", err);
		goto error;
	}
	r.n_channels = audio_reader_spec(r.reader)->n_channels;
	if (audio_path_is_stdio(o.out_path)) {
		out_spec = *audio_reader_spec(r.reader);
		out_spec.sf_format = 0;
		out_spec.raw = o.raw.raw;
	} else if (audio_path_is_headerless(o.out_path)) {
		out_spec = *audio_reader_spec(r.reader);
		out_spec.sf_format = audio_raw_sf_format(o.raw.raw);
		out_spec.raw = AUDIO_RAW_NONE;
	} else if (audio_format_for_output(o.out_path, audio_reader_spec(r.reader), &out_spec, err,
					   sizeof(err)) < 0) {
		cli_error("%s", err);
		goto error;
	}
	if (load_model(&o, &r) < 0 || create_denoisers(&o, &r) < 0)
		goto error;

	proc.process = denoise_block;
	proc.ctx = &r;
	proc.latency_frames = vocana_denoiser_latency_samples(r.denoisers[0]);
	r.chunk = malloc(sizeof(float) * READ_CHUNK_FRAMES * r.n_channels);
	res = pipeline_create(&r.pipeline, audio_reader_spec(r.reader)->rate_hz, r.n_channels, &proc,
			      write_frames, &r);
	if (r.chunk == NULL || res < 0) {
		cli_error("cannot set up processing: %s", cli_strerror(r.chunk == NULL ? -ENOMEM : res));
		goto error;
	}

	if (audio_writer_open(&r.writer, o.out_path, &out_spec, err, sizeof(err)) < 0) {
		cli_error("%s", err);
		goto error;
	}
	if (stream(&o, &r, &audio_s) < 0)
		goto error;
	res = audio_writer_commit(r.writer, err, sizeof(err));
	r.writer = NULL;
	if (res < 0) {
		cli_error("%s", err);
		goto error;
	}
	report_summary(&o, &r, audio_s, cli_now_s() - start_s);
	run_cleanup(&r);
	return CLI_EXIT_OK;

error:
	run_cleanup(&r);
	return CLI_EXIT_FAILURE;
}
