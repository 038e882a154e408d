/* SPDX-License-Identifier: MIT */
/* The figures table as Prometheus text (see stats_table.h), from metrics_text.h's pieces. */
#include "service/stats_table.h"

#include <stdbool.h>
#include <string.h>

#include "service/metrics_text.h"

/* A label value with \\, \" and newlines escaped, as the exposition format asks. */
static void put_label_value(struct text_buf *b, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			text_buf_printf(b, "\\%c", *v);
		else if (*v == '\n')
			text_buf_printf(b, "\\n");
		else
			text_buf_printf(b, "%c", *v);
	}
}

/* name{key="value",...} 1 from every TEXT figure that names this info metric, once (at the first
 * of them): facts that are text have no number of their own. */
static void prom_info(struct text_buf *b, int first, const struct stats_values *v)
{
	const char *name = stats_figure(first)->prometheus;
	bool any = false;

	for (int i = 0; i < first; i++)
		if (strcmp(stats_figure(i)->prometheus, name) == 0)
			return; /* written already */
	text_buf_printf(b, "# HELP %s Facts about the running service as labels (", name);
	for (int i = first; i < STATS_N; i++)
		if (strcmp(stats_figure(i)->prometheus, name) == 0) {
			text_buf_printf(b, "%s%s", any ? ", " : "", stats_figure(i)->key);
			any = true;
		}
	text_buf_printf(b, "); the value is always 1.\n# TYPE %s gauge\n%s{", name, name);
	any = false;
	for (int i = first; i < STATS_N; i++) {
		if (strcmp(stats_figure(i)->prometheus, name) != 0)
			continue;
		text_buf_printf(b, "%s%s=\"", any ? "," : "", stats_figure(i)->key);
		put_label_value(b, v->v[i].text);
		text_buf_printf(b, "\"");
		any = true;
	}
	text_buf_printf(b, "} 1\n");
}

/* A STATE figure's HELP: its sentence plus what each number means. */
static void prom_state_header(struct text_buf *b, const struct stats_figure *f)
{
	char name[64];

	text_buf_printf(b, "# HELP %s %s Values:", f->prometheus, f->help);
	for (int i = 0; stats_state_name(f, i, name, sizeof(name))[0]; i++)
		text_buf_printf(b, "%s %d %s", i ? "," : "", i, name);
	text_buf_printf(b, ".\n# TYPE %s gauge\n", f->prometheus);
}

#define SPEAKER_LABEL "direction=\"speaker\""

/* A figure's value in base units, or false for a number the service could not measure. */
static bool value_of(const struct stats_figure *f, const struct stats_value *v, double *x)
{
	*x = v->num * stats_unit_to_base(f->unit);
	return !((f->type == STATS_TYPE_COUNT || f->type == STATS_TYPE_NUMBER) && *x < 0);
}

/* One sample (or a histogram's samples) of a figure, with its part's label. */
static void prom_value(struct text_buf *b, const struct stats_figure *f, const struct stats_value *v)
{
	const char *labels = f->speaker ? SPEAKER_LABEL : NULL;
	double x;

	if (f->type == STATS_TYPE_HIST) {
		if (v->hist)
			prom_histogram_samples(b, f->prometheus, labels, v->hist);
	} else if (value_of(f, v, &x)) {
		prom_sample_labelled(b, f->prometheus, labels, x);
	}
}

/* The HELP and TYPE of a figure's metric, if it has any sample. */
static void prom_family(struct text_buf *b, const struct stats_figure *f, bool any)
{
	if (!any)
		return;
	if (f->type == STATS_TYPE_STATE)
		prom_state_header(b, f);
	else
		prom_header(b, f->prometheus,
			    f->type == STATS_TYPE_COUNT ? "counter" :
			    f->type == STATS_TYPE_HIST  ? "histogram" : "gauge", f->help);
}

static bool has_sample(const struct stats_figure *f, const struct stats_value *v)
{
	double x;

	return f->type == STATS_TYPE_HIST ? v->hist != NULL : value_of(f, v, &x);
}

void stats_prometheus(struct text_buf *b, const struct stats_values *v)
{
	const bool speaker_on = v->v[STAT_speaker].num != 0.0;

	for (int i = 0; i < STATS_N; i++) {
		const struct stats_figure *f = stats_figure(i);
		int twin = stats_speaker_twin(i);
		bool mine, theirs;

		if (f->prometheus[0] == '\0')
			continue;
		if (f->type == STATS_TYPE_TEXT) {
			prom_info(b, i, v);
			continue;
		}
		/* A speaker figure is written with its first-part copy (one metric, one group of
		 * lines), or alone when only the speaker has it. */
		if (f->speaker && (!speaker_on ||
				   stats_find(f->key + strlen(STATS_SPEAKER_PREFIX)) >= 0))
			continue;
		mine = has_sample(f, &v->v[i]);
		theirs = twin >= 0 && speaker_on && has_sample(stats_figure(twin), &v->v[twin]);
		prom_family(b, f, mine || theirs);
		if (mine)
			prom_value(b, f, &v->v[i]);
		if (theirs)
			prom_value(b, stats_figure(twin), &v->v[twin]);
	}
}
