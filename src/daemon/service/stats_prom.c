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
static void prom_state(struct text_buf *b, const struct stats_figure *f, double index)
{
	char name[64];

	text_buf_printf(b, "# HELP %s %s Values:", f->prometheus, f->help);
	for (int i = 0; stats_state_name(f, i, name, sizeof(name))[0]; i++)
		text_buf_printf(b, "%s %d %s", i ? "," : "", i, name);
	text_buf_printf(b, ".\n# TYPE %s gauge\n", f->prometheus);
	prom_sample(b, f->prometheus, index);
}

void stats_prometheus(struct text_buf *b, const struct stats_values *v)
{
	for (int i = 0; i < STATS_N; i++) {
		const struct stats_figure *f = stats_figure(i);
		double x = v->v[i].num * stats_unit_to_base(f->unit);

		if (f->prometheus[0] == '\0')
			continue;
		switch (f->type) {
		case STATS_TYPE_COUNT:
			if (x >= 0)
				prom_metric(b, f->prometheus, "counter", f->help, x);
			break;
		case STATS_TYPE_NUMBER:
			if (x >= 0)
				prom_metric(b, f->prometheus, "gauge", f->help, x);
			break;
		case STATS_TYPE_LEVEL:
		case STATS_TYPE_FLAG:
			prom_metric(b, f->prometheus, "gauge", f->help, x);
			break;
		case STATS_TYPE_STATE:
			prom_state(b, f, v->v[i].num);
			break;
		case STATS_TYPE_TEXT:
			prom_info(b, i, v);
			break;
		case STATS_TYPE_HIST:
			if (v->v[i].hist)
				prom_histogram(b, f->prometheus, f->help, v->v[i].hist);
			break;
		}
	}
}
