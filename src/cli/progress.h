/* SPDX-License-Identifier: MIT */
/* A one-line progress bar on stderr, redrawn at most ten times a second. It is only for people:
 * callers enable it only when stderr is a terminal, so logs and pipes never see it. */
#ifndef VOCANA_CLI_PROGRESS_H
#define VOCANA_CLI_PROGRESS_H

#include <stdbool.h>

struct progress {
	bool enabled;
	bool drawn;       /* a bar is on screen and must be cleared */
	double total_s;   /* expected audio seconds (from the file header; a hint only) */
	double last_draw; /* monotonic seconds of the last redraw */
};

void progress_init(struct progress *p, bool enabled, double total_s);

/* done_s: audio seconds processed so far. Cheap when it does not redraw. */
void progress_update(struct progress *p, double done_s);

/* Erase the bar so the next message starts on a clean line. */
void progress_clear(struct progress *p);

#endif /* VOCANA_CLI_PROGRESS_H */
