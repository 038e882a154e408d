/* SPDX-License-Identifier: MIT */
/* vocana monitor [--json] [--once] [--interval MS] [--socket PATH] [--config PATH]: the live
 * state of the running mic service (cmd_monitor.c, docs/monitor.md). Returns an exit status. */
#ifndef VOCANA_CLI_MONITOR_CMD_H
#define VOCANA_CLI_MONITOR_CMD_H

int cmd_monitor(int argc, char **argv);

#endif /* VOCANA_CLI_MONITOR_CMD_H */
