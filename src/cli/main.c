/* SPDX-License-Identifier: MIT */
/*
 * vocana: command-line front end of libvocana.
 *
 *   vocana denoise IN OUT [options]     remove noise from an audio file (cmd_denoise.c)
 *   vocana model info [FILE]            describe a model (cmd_model.c)
 *   vocana bench GROUP [--json]         benchmarks (cmd_bench.c)
 *   vocana service | mic | status | set | enable | disable | install-service
 *                                       the service (cmd_mic.c, cmd_control.c)
 */
#include <samplerate.h>
#include <sndfile.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_service.h"
#include "cli/monitor_cmd.h"
#include "vocana/vocana.h"
#include "vocana_config.h"

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "denoise", cmd_denoise },
	{ "model", cmd_model },
	{ "bench", cmd_bench },
	{ "service", cmd_mic },
	{ "mic", cmd_mic },
	{ "status", cmd_status },
	{ "monitor", cmd_monitor },
	{ "set", cmd_set },
	{ "enable", cmd_enable },
	{ "disable", cmd_disable },
	{ "install-service", cmd_install_service },
};

static const char usage_text[] =
	"usage: vocana COMMAND [ARGS...]\n"
	"\n"
	"Real-time neural noise suppression for speech.\n"
	"\n"
	"commands:\n"
	"  denoise IN OUT [options]          remove background noise from an audio file\n"
	"  model info [FILE]                 show a model's format, hyper-parameters and size\n"
	"  bench GROUP [--json] [--quick]    run benchmarks (core, model, pipeline, load, all)\n"
	"  service [options]                 run the denoised microphone and speaker (alias: mic)\n"
	"  status [--raw]                    show the running service\n"
	"  monitor [--json] [--once]         live view of the running service and its targets\n"
	"  set [speaker.]strength N          change a suppression strength (0-100)\n"
	"  enable | disable                  denoise, or pass the microphone through\n"
	"  enable | disable mic|speaker      turn the microphone or the speaker on or off\n"
	"  install-service                   install and start the systemd user unit\n"
	"  help                              show this help\n"
	"\n"
	"options:\n"
	"  -h, --help       show this help\n"
	"  -V, --version    show the version\n"
	"\n"
	"Run 'vocana COMMAND --help' for the options of a command.\n";

static void print_version(void)
{
	char sndfile_version[64];
	const char *src_version = src_get_version();
	/* "libsamplerate-0.2.2 (c) 2002-2008 ...": keep the name and number only */
	int src_len = (int)strcspn(src_version, " ");

	sf_command(NULL, SFC_GET_LIB_VERSION, sndfile_version, sizeof(sndfile_version));
	printf("vocana %s (libvocana %s, %s, %.*s)\n", VOCANA_VERSION_STRING, vocana_version_string(),
	       sndfile_version, src_len, src_version);
}

int main(int argc, char **argv)
{
	const char *name;

	if (argc < 2) {
		fputs(usage_text, stderr);
		return CLI_EXIT_USAGE;
	}
	name = argv[1];
	if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
		fputs(usage_text, stdout);
		return CLI_EXIT_OK;
	}
	if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
		print_version();
		return CLI_EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(name, commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);

	fprintf(stderr, "vocana: unknown command '%s'\n", name);
	fputs(usage_text, stderr);
	return CLI_EXIT_USAGE;
}
