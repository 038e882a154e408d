/* SPDX-License-Identifier: MIT */
#include "cli/progress.h"

#include <stdio.h>

#include "cli/cli.h"

#define PROGRESS_REDRAW_S 0.1 /* faster redraws only cost terminal time */
#define PROGRESS_BAR_WIDTH 30

void progress_init(struct progress *p, bool enabled, double total_s)
{
	p->enabled = enabled && total_s > 0.0;
	p->drawn = false;
	p->total_s = total_s;
	p->last_draw = 0.0;
}

void progress_update(struct progress *p, double done_s)
{
	char bar[PROGRESS_BAR_WIDTH + 1];
	double now, fraction;
	int filled;

	if (!p->enabled)
		return;
	now = cli_now_s();
	if (p->drawn && now - p->last_draw < PROGRESS_REDRAW_S)
		return;
	p->last_draw = now;
	fraction = done_s / p->total_s;
	/* The header's length is only a claim: never draw past 100 %. */
	if (fraction > 1.0)
		fraction = 1.0;
	filled = (int)(fraction * PROGRESS_BAR_WIDTH + 0.5);
	for (int i = 0; i < PROGRESS_BAR_WIDTH; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[PROGRESS_BAR_WIDTH] = '\0';
	fprintf(stderr, "\r\033[Kvocana: [%s] %3.0f%%  %.1f / %.1f s", bar, fraction * 100.0, done_s,
		p->total_s);
	fflush(stderr);
	p->drawn = true;
}

void progress_clear(struct progress *p)
{
	if (!p->drawn)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	p->drawn = false;
}
