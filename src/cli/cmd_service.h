/* SPDX-License-Identifier: MIT */
/*
 * The microphone service's commands (cmd_mic.c, cmd_control.c). argv[0] is the command's name;
 * each returns an exit status (CLI_EXIT_*).
 *
 *   vocana mic [options]            run the Vocana Microphone (a long-running user service)
 *   vocana status [--raw]           ask the running service how it is doing
 *   vocana set strength N           change the suppression strength (0..100), saved
 *   vocana enable | disable         denoise, or pass the input through (bypass), saved
 *   vocana install-service          install and start the systemd user unit
 */
#ifndef VOCANA_CLI_CMD_SERVICE_H
#define VOCANA_CLI_CMD_SERVICE_H

int cmd_mic(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_enable(int argc, char **argv);
int cmd_disable(int argc, char **argv);
int cmd_install_service(int argc, char **argv);

#endif /* VOCANA_CLI_CMD_SERVICE_H */
