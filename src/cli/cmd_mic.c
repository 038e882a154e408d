/* SPDX-License-Identifier: MIT */
/* vocana service (and its older name, vocana mic): run the Vocana service (src/daemon/pw/mic.c) in the
 * foreground: the Vocana Microphone and, when turned on, the Vocana Speaker. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_service.h"
#include "pw/mic.h"

static const char mic_usage[] =
	"usage: vocana service [options]   (or: vocana mic [options])\n"
	"\n"
	"Publish a PipeWire source \"" MIC_DEFAULT_DESCRIPTION "\" that carries the denoised sound\n"
	"of a real microphone and, when turned on ('vocana enable speaker', --speaker), a PipeWire\n"
	"sink \"" SPEAKER_DESCRIPTION "\" whose audio is denoised on its way to your real output.\n"
	"Runs until interrupted (Ctrl-C, SIGTERM); 'vocana install-service' runs it as a systemd\n"
	"user service instead. Control it with 'vocana status', 'vocana set', 'vocana enable' and\n"
	"'vocana disable'.\n"
	"\n"
	"options:\n"
	"  -i, --input NAME      capture this node (its node.name, see 'pactl list sources short');\n"
	"                        default: the default source, followed when it changes\n"
	"  -m, --mode MODE       inline: denoise inside the audio callback (lowest latency, default)\n"
	"                        worker: denoise on a separate thread with deadlines (robust under\n"
	"                        CPU load; a late frame passes through dry instead of glitching)\n"
	"      --model FILE      use this model instead of the built-in one\n"
	"  -s, --strength N      0..100 for this run (default: the saved setting, else 100)\n"
	"      --disabled        start in bypass for this run\n"
	"      --node-name NAME  node.name of the source (default " MIC_DEFAULT_NODE_NAME ")\n"
	"      --description TEXT  the name apps show (default \"" MIC_DEFAULT_DESCRIPTION "\")\n"
	"      --metrics-port PORT  serve Prometheus metrics at http://127.0.0.1:PORT/metrics\n"
	"                        (loopback only, but any local user may read them; default: off)\n"
	"      --metrics-token-file FILE  answer /metrics only with 'Authorization: Bearer TOKEN',\n"
	"                        TOKEN being the first line of FILE (mode 0600)\n"
	"      --speaker, --no-speaker  publish the Vocana Speaker, or not, for this run\n"
	"                        (default: the saved setting, else not)\n"
	"      --no-mic          do not publish the Vocana Microphone this run\n"
	"      --speaker-output NAME  play the speaker into this sink (default: the saved one,\n"
	"                        else the default sink, followed when it changes)\n"
	"      --speaker-channels N   channels of the Vocana Speaker, 1..8 (default 2)\n"
	"      --speaker-separate-channels  one network per speaker channel instead of one for\n"
	"                        all (for stereo with a different voice in each channel; about\n"
	"                        twice the speaker's CPU)\n"
	"  -v, --verbose         log every device change and reconnection attempt\n"
	"  -h, --help            show this help\n";

enum {
	OPT_MODEL = 256,
	OPT_DISABLED,
	OPT_NODE_NAME,
	OPT_DESCRIPTION,
	OPT_METRICS_PORT,
	OPT_METRICS_TOKEN_FILE,
	OPT_SPEAKER,
	OPT_NO_SPEAKER,
	OPT_NO_MIC,
	OPT_SPEAKER_OUTPUT,
	OPT_SPEAKER_CHANNELS,
	OPT_SPEAKER_SEPARATE_CHANNELS,
};

int cmd_mic(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "mode", required_argument, NULL, 'm' },
		{ "model", required_argument, NULL, OPT_MODEL },
		{ "strength", required_argument, NULL, 's' },
		{ "disabled", no_argument, NULL, OPT_DISABLED },
		{ "node-name", required_argument, NULL, OPT_NODE_NAME },
		{ "description", required_argument, NULL, OPT_DESCRIPTION },
		{ "metrics-port", required_argument, NULL, OPT_METRICS_PORT },
		{ "metrics-token-file", required_argument, NULL, OPT_METRICS_TOKEN_FILE },
		{ "speaker", no_argument, NULL, OPT_SPEAKER },
		{ "no-speaker", no_argument, NULL, OPT_NO_SPEAKER },
		{ "no-mic", no_argument, NULL, OPT_NO_MIC },
		{ "speaker-output", required_argument, NULL, OPT_SPEAKER_OUTPUT },
		{ "speaker-channels", required_argument, NULL, OPT_SPEAKER_CHANNELS },
		{ "speaker-separate-channels", no_argument, NULL, OPT_SPEAKER_SEPARATE_CHANNELS },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct mic_options o = {
		.mode = ENGINE_INLINE,
		.strength = -1,
		.enabled = -1,
		.mic = -1,
		.speaker = -1,
	};
	const char *name = argv[0];
	long strength, port, channels;
	int c, res;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:m:s:vh", long_opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			o.input = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "inline") == 0)
				o.mode = ENGINE_INLINE;
			else if (strcmp(optarg, "worker") == 0)
				o.mode = ENGINE_WORKER;
			else
				return cli_usage_error(name, "--mode must be inline or worker, not '%s'",
						       optarg);
			break;
		case OPT_MODEL:
			o.model_path = optarg;
			break;
		case 's':
			if (cli_parse_int(optarg, 0, 100, &strength) < 0)
				return cli_usage_error(name, "--strength must be a whole number from "
						       "0 to 100, not '%s'", optarg);
			o.strength = (int)strength;
			break;
		case OPT_DISABLED:
			o.enabled = 0;
			break;
		case OPT_NODE_NAME:
			o.node_name = optarg;
			break;
		case OPT_DESCRIPTION:
			o.description = optarg;
			break;
		case OPT_METRICS_PORT:
			if (cli_parse_int(optarg, 1, 65535, &port) < 0)
				return cli_usage_error(name, "--metrics-port must be a TCP port from 1 "
						       "to 65535, not '%s'", optarg);
			o.metrics_port = (int)port;
			break;
		case OPT_METRICS_TOKEN_FILE:
			o.metrics_token_file = optarg;
			break;
		case OPT_SPEAKER:
		case OPT_NO_SPEAKER:
			o.speaker = c == OPT_SPEAKER;
			break;
		case OPT_NO_MIC:
			o.mic = 0;
			break;
		case OPT_SPEAKER_OUTPUT:
			o.speaker_output = optarg;
			break;
		case OPT_SPEAKER_CHANNELS:
			if (cli_parse_int(optarg, 1, 8, &channels) < 0)
				return cli_usage_error(name, "--speaker-channels must be 1 to 8, not '%s'",
						       optarg);
			o.speaker_channels = (unsigned)channels;
			break;
		case OPT_SPEAKER_SEPARATE_CHANNELS:
			o.speaker_separate_channels = true;
			break;
		case 'v':
			o.verbose = true;
			break;
		case 'h':
			fputs(mic_usage, stdout);
			return CLI_EXIT_OK;
		case ':':
			return cli_usage_error(name, "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(name, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(name, "unexpected argument '%s'", argv[optind]);
	if (o.mic == 0 && o.speaker == 0)
		return cli_usage_error(name, "--no-mic and --no-speaker: nothing to run");
	if (o.metrics_token_file != NULL && o.metrics_port == 0)
		return cli_usage_error(name, "--metrics-token-file needs --metrics-port");
	res = mic_run(&o);
	/* mic_run() has already said what went wrong, in one line. */
	return res < 0 ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
}
