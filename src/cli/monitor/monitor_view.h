/* SPDX-License-Identifier: MIT */
/*
 * The terminal view of `vocana monitor`: one screen of text drawn from a reading. Rendering is
 * pure (it writes into a buffer), so tests check it without a terminal.
 *
 * Live frames start with "cursor home", end every line with "clear to end of line" and the frame
 * with "clear to end of screen": each refresh overwrites the previous one in place, with no full
 * clear and so no flicker. Lines are cut at the terminal's width so nothing wraps, and at its
 * height so nothing scrolls. Plain ANSI (VT100) sequences only: works over SSH, no terminfo.
 */
#ifndef VOCANA_CLI_MONITOR_VIEW_H
#define VOCANA_CLI_MONITOR_VIEW_H

#include <stdbool.h>

#include "cli/monitor/monitor_data.h"
#include "cli/monitor/monitor_text.h"
#include "service/targets.h"

#define MONITOR_FRAME_MAX 65536

struct monitor_view_opts {
	int cols, rows;    /* terminal size */
	bool live;         /* cursor-home frame with clear-to-end sequences (else plain lines) */
	bool color;        /* colour target rows by status (green met, yellow missed, red alert) */
	int interval_ms;   /* shown in the footer */
	const char *socket_path;
};

/* A frame for a reading (r) or, with r NULL, for a service that does not answer (why says how). */
void monitor_view_render(struct mbuf *b, const struct monitor_view_opts *o,
			 const struct monitor_reading *r, const char *why, const struct targets *t);

#endif /* VOCANA_CLI_MONITOR_VIEW_H */
