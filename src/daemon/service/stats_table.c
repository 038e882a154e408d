/* SPDX-License-Identifier: MIT */
/* The table of the service's figures and their key=value lines (see stats_table.h). */
#include "service/stats_table.h"

#include <stdio.h>
#include <string.h>

#include "service/control.h"
#include "service/metrics_text.h"

/* The table without its value column: what the CLI may see too. One macro per part of the table
 * (stats_table.h: the status and stats lists, each for the first part and the speaker's). */
#define STATS_FIGURE_(part, key_text, key, scope, type, decimals, unit, prom, status, speaker, help) \
	STATS_KEEP_##part##_##scope(                                                                \
		{ key_text, STATS_TYPE_##type, decimals, unit, prom, help, status, speaker },)
#define STATS_MIC_STATUS_(key, scope, type, decimals, unit, prom, value, help)                      \
	STATS_FIGURE_(MIC, #key, key, scope, type, decimals, unit, prom, true, false, help)
#define STATS_SPK_STATUS_(key, scope, type, decimals, unit, prom, value, help)                      \
	STATS_FIGURE_(SPK, STATS_SPEAKER_PREFIX #key, key, scope, type, decimals, unit, prom, true,  \
		      true, help)
#define STATS_MIC_STATS_(key, scope, type, decimals, unit, prom, value, help)                       \
	STATS_FIGURE_(MIC, #key, key, scope, type, decimals, unit, prom, false, false, help)
#define STATS_SPK_STATS_(key, scope, type, decimals, unit, prom, value, help)                       \
	STATS_FIGURE_(SPK, STATS_SPEAKER_PREFIX #key, key, scope, type, decimals, unit, prom, false, \
		      true, help)

static const struct stats_figure figures[STATS_N] = {
	STATS_TABLE(STATS_MIC_STATUS_, STATS_SPK_STATUS_, STATS_MIC_STATS_, STATS_SPK_STATS_)
};
#undef STATS_FIGURE_
#undef STATS_MIC_STATUS_
#undef STATS_SPK_STATUS_
#undef STATS_MIC_STATS_
#undef STATS_SPK_STATS_

const struct stats_figure *stats_figure(enum stat_id id)
{
	return (unsigned)id < STATS_N ? &figures[id] : NULL;
}

int stats_find(const char *key)
{
	for (int i = 0; i < STATS_N; i++)
		if (strcmp(figures[i].key, key) == 0)
			return i;
	return -1;
}

int stats_speaker_twin(enum stat_id id)
{
	char key[128];

	if ((unsigned)id >= STATS_N || figures[id].speaker)
		return -1;
	snprintf(key, sizeof(key), STATS_SPEAKER_PREFIX "%s", figures[id].key);
	return stats_find(key);
}

int stats_hist_slot(enum stat_id id)
{
	int slot = 0;

	if ((unsigned)id >= STATS_N || figures[id].type != STATS_TYPE_HIST)
		return -1;
	for (int i = 0; i < (int)id; i++)
		slot += figures[i].type == STATS_TYPE_HIST;
	return slot;
}

/* The index-th '|'-separated name of a STATE figure's unit: [*b, *e), or false. */
static bool state_name_at(const struct stats_figure *f, int index, const char **b, const char **e)
{
	const char *p = f->unit;

	if (f->type != STATS_TYPE_STATE || index < 0)
		return false;
	for (int i = 0;; i++) {
		const char *end = strchr(p, '|');

		if (end == NULL)
			end = p + strlen(p);
		if (i == index) {
			*b = p;
			*e = end;
			return true;
		}
		if (*end == '\0')
			return false;
		p = end + 1;
	}
}

const char *stats_state_name(const struct stats_figure *f, int index, char *buf, size_t size)
{
	const char *b, *e;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (state_name_at(f, index, &b, &e))
		snprintf(buf, size, "%.*s", (int)(e - b), b);
	return buf;
}

int stats_state_index(const struct stats_figure *f, const char *name)
{
	const char *b, *e;

	for (int i = 0; state_name_at(f, i, &b, &e); i++)
		if ((size_t)(e - b) == strlen(name) && strncmp(b, name, (size_t)(e - b)) == 0)
			return i;
	return -1;
}

double stats_unit_to_base(const char *unit)
{
	if (strcmp(unit, "ms") == 0)
		return 1e-3;
	if (strcmp(unit, "us") == 0)
		return 1e-6;
	if (strcmp(unit, "KiB") == 0)
		return 1024.0;
	return 1.0;
}

static void add_line(struct control_reply *r, const struct stats_figure *f,
		     const struct stats_value *v)
{
	char text[CONTROL_MAX_VALUE];

	switch (f->type) {
	case STATS_TYPE_COUNT:
	case STATS_TYPE_NUMBER:
	case STATS_TYPE_LEVEL:
		control_reply_add(r, f->key, "%.*f", (int)f->decimals, v->num);
		break;
	case STATS_TYPE_FLAG:
		control_reply_add(r, f->key, "%s", v->num != 0.0 ? "yes" : "no");
		break;
	case STATS_TYPE_STATE:
		stats_state_name(f, (int)v->num, text, sizeof(text));
		control_reply_add(r, f->key, "%s", text[0] ? text : "unknown");
		break;
	case STATS_TYPE_TEXT:
		control_reply_add(r, f->key, "%s", v->text ? v->text : "");
		break;
	case STATS_TYPE_HIST:
		/* 121 buckets of "lower:count," always fit in CONTROL_MAX_VALUE; if not, an empty
		 * value rather than a cut one. */
		text[0] = '\0';
		if (v->hist)
			metrics_hist_to_text(v->hist, text, sizeof(text));
		control_reply_add(r, f->key, "%s", text);
		break;
	}
}

void stats_reply_add(struct control_reply *r, const struct stats_values *v, bool status_only)
{
	for (int i = 0; i < STATS_N; i++)
		if (figures[i].in_status || !status_only)
			add_line(r, &figures[i], &v->v[i]);
}
