/* SPDX-License-Identifier: MIT */
/* The terminal view of `vocana monitor` (see monitor_view.h). */
#include "cli/monitor_view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/monitor_targets.h"

#define LINE_MAX_BYTES 1024
#define BAR_MIN 10
#define BAR_MAX 60
#define ESC "\x1b"

enum line_color { PLAIN = 0, GREEN, YELLOW, RED, BOLD };

struct screen {
	struct mbuf *out;
	const struct monitor_view_opts *o;
	int row;  /* lines written so far */
};

static const char *const color_seq[] = {
	[PLAIN] = "", [GREEN] = ESC "[32m", [YELLOW] = ESC "[33m", [RED] = ESC "[31m",
	[BOLD] = ESC "[1m",
};

/* Write one line cut at the terminal's width (UTF-8 continuation bytes take no column). */
static void emit(struct screen *sc, enum line_color color, const char *text)
{
	const struct monitor_view_opts *o = sc->o;
	int cols = 0;

	if (o->live && sc->row >= o->rows)
		return; /* below the screen: it would scroll */
	if (o->live && sc->row > 0)
		mbuf_puts(sc->out, "\r\n");
	if (o->live && o->color && color != PLAIN)
		mbuf_puts(sc->out, color_seq[color]);
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		bool continuation = (*p & 0xc0) == 0x80;

		if (!continuation && o->live && cols >= o->cols)
			break;
		mbuf_putc(sc->out, (char)*p);
		cols += !continuation;
	}
	if (o->live && o->color && color != PLAIN)
		mbuf_puts(sc->out, ESC "[0m");
	if (o->live)
		mbuf_puts(sc->out, ESC "[K");
	else
		mbuf_putc(sc->out, '\n');
	sc->row++;
}

/* A number with fmt, or "n/a" when it is missing. */
static void put_num(struct mbuf *b, const char *fmt, double v)
{
	if (isnan(v))
		mbuf_puts(b, "n/a");
	else
		mbuf_printf(b, fmt, v);
}

static const char *text_or_na(const char *s)
{
	return s[0] ? s : "n/a";
}

static const char *flag_text(int flag, const char *yes, const char *no)
{
	return flag < 0 ? "n/a" : flag ? yes : no;
}

static int bar_width(const struct monitor_view_opts *o)
{
	int w = (o->live ? o->cols : 80) - 26; /* label, brackets and the value after the bar */

	return w < BAR_MIN ? BAR_MIN : w > BAR_MAX ? BAR_MAX : w;
}

static void bar_line(struct screen *sc, const char *label, double fraction, const char *value_fmt,
		     double value, const char *unit)
{
	char text[LINE_MAX_BYTES];
	struct mbuf l;

	mbuf_init(&l, text, sizeof(text));
	mbuf_printf(&l, "%-9s[", label);
	mbuf_bar(&l, bar_width(sc->o), fraction);
	mbuf_puts(&l, "] ");
	put_num(&l, value_fmt, value);
	if (!isnan(value))
		mbuf_puts(&l, unit);
	emit(sc, PLAIN, text);
}

/* The timing figures of each histogram: p50, p99, max and mean (us), then the count. */
static const enum stat_id model_ids[5] = { STAT_model_time_p50_us, STAT_model_time_p99_us,
					   STAT_model_time_max_us, STAT_model_time_mean_us,
					   STAT_model_time_count };
static const enum stat_id cycle_ids[5] = { STAT_cycle_time_p50_us, STAT_cycle_time_p99_us,
					   STAT_cycle_time_max_us, STAT_cycle_time_mean_us,
					   STAT_cycle_time_count };

static void times_line(struct screen *sc, const char *label, const struct monitor_stats *s,
		       const enum stat_id ids[5])
{
	static const char *const names[] = { "p50", "p99", "max", "mean" };
	char text[LINE_MAX_BYTES];
	struct mbuf l;

	mbuf_init(&l, text, sizeof(text));
	mbuf_printf(&l, "%-11s", label);
	for (int i = 0; i < 4; i++) {
		mbuf_printf(&l, "%s ", names[i]);
		put_num(&l, "%.0f us", s->num[ids[i]]);
		mbuf_puts(&l, "  ");
	}
	mbuf_puts(&l, "(");
	put_num(&l, "%.0f", s->num[ids[4]]);
	mbuf_puts(&l, " timed)");
	emit(sc, PLAIN, text);
}

static enum line_color status_color(enum target_status st)
{
	switch (st) {
	case TARGET_MET:
		return GREEN;
	case TARGET_MISSED:
		return YELLOW;
	case TARGET_ALERT:
		return RED;
	default:
		return PLAIN;
	}
}

static void targets_block(struct screen *sc, const struct monitor_reading *r,
			  const struct targets *t)
{
	struct monitor_target_row rows[MONITOR_TARGET_ROWS];
	char text[LINE_MAX_BYTES], value[64], limit[64];
	struct mbuf l, v;

	monitor_targets_eval(t, r, rows);
	snprintf(text, sizeof(text), "%-26s %-12s %-14s %s", "targets", "measured", "limit",
		 "status");
	emit(sc, BOLD, text);
	for (int i = 0; i < MONITOR_TARGET_ROWS; i++) {
		const char *label = target_label(rows[i].id);

		mbuf_init(&v, value, sizeof(value));
		monitor_format_value(&v, rows[i].id, rows[i].value);
		mbuf_init(&v, limit, sizeof(limit));
		mbuf_puts(&v, "<= ");
		monitor_format_value(&v, rows[i].id, t->limit[rows[i].id]);
		mbuf_init(&l, text, sizeof(text));
		mbuf_printf(&l, "  %-24s %-12s %-14s %s", label ? label : "?", value, limit,
			    target_status_name(rows[i].status));
		emit(sc, status_color(rows[i].status), text);
	}
}

static void header(struct screen *sc, const struct monitor_reading *r)
{
	char text[LINE_MAX_BYTES];
	struct mbuf l;

	mbuf_init(&l, text, sizeof(text));
	mbuf_puts(&l, "Vocana Microphone monitor");
	if (r) {
		const struct monitor_stats *s = &r->stats;
		double up = s->num[STAT_uptime_s];

		mbuf_puts(&l, "   pid ");
		put_num(&l, "%.0f", s->num[STAT_pid]);
		mbuf_puts(&l, "   up ");
		if (isnan(up))
			mbuf_puts(&l, "n/a");
		else
			mbuf_printf(&l, "%ld:%02ld:%02ld", (long)up / 3600, (long)up / 60 % 60,
				    (long)up % 60);
		mbuf_printf(&l, "   version %s", text_or_na(s->str[STAT_version]));
	}
	emit(sc, BOLD, text);
}

static void reading_lines(struct screen *sc, const struct monitor_reading *r)
{
	const struct monitor_stats *s = &r->stats;
	char text[LINE_MAX_BYTES];
	struct mbuf l;

	mbuf_init(&l, text, sizeof(text));
	mbuf_printf(&l, "%-11s%s, %s, strength ", "state",
		    flag_text(monitor_flag(s, STAT_recording), "recording", "idle (nobody records)"),
		    flag_text(monitor_flag(s, STAT_enabled), "denoising", "bypass (disabled)"));
	put_num(&l, "%.0f", s->num[STAT_strength]);
	mbuf_printf(&l, ", mode %s%s", text_or_na(s->str[STAT_mode]),
		    monitor_flag(s, STAT_connected) == 0 ? ", PipeWire not connected" : "");
	emit(sc, PLAIN, text);

	mbuf_init(&l, text, sizeof(text));
	mbuf_printf(&l, "%-11s%s -> %s   ", "device", text_or_na(s->str[STAT_input]),
		    text_or_na(s->str[STAT_node]));
	put_num(&l, "%.0f", s->num[STAT_rate]);
	mbuf_puts(&l, " Hz, quantum ");
	put_num(&l, "%.0f", s->num[STAT_quantum]);
	emit(sc, PLAIN, text);
	if (monitor_flag(s, STAT_input_missing) == 1) {
		/* Silence from the source is this, not a broken denoiser: say so where it shows. */
		mbuf_init(&l, text, sizeof(text));
		mbuf_printf(&l, "%-11s'%s' not found: waiting for it (the source is silent until "
			    "then)", "", text_or_na(s->str[STAT_input_wanted]));
		emit(sc, RED, text);
	}
	emit(sc, PLAIN, "");

	bar_line(sc, "input", monitor_level_fraction(s->num[STAT_input_dbfs]), "%6.1f",
		 s->num[STAT_input_dbfs], " dBFS");
	bar_line(sc, "output", monitor_level_fraction(s->num[STAT_output_dbfs]), "%6.1f",
		 s->num[STAT_output_dbfs], " dBFS");
	bar_line(sc, "voice", s->num[STAT_vad], "%6.2f", s->num[STAT_vad], " VAD");
	emit(sc, PLAIN, "");

	mbuf_init(&l, text, sizeof(text));
	mbuf_printf(&l, "%-11s", "latency");
	put_num(&l, "%.2f ms", s->num[STAT_latency_ms]);
	mbuf_puts(&l, " added (");
	put_num(&l, "%.0f", s->num[STAT_latency_samples]);
	mbuf_puts(&l, " samples), margin ");
	put_num(&l, "%.0f", s->num[STAT_margin_frames]);
	mbuf_puts(&l, " frames, FIFO ");
	put_num(&l, "%.0f", s->num[STAT_fifo_fill_samples]);
	mbuf_puts(&l, " samples");
	emit(sc, PLAIN, text);
	times_line(sc, "model", s, model_ids);
	times_line(sc, "cycle", s, cycle_ids);

	mbuf_init(&l, text, sizeof(text));
	mbuf_printf(&l, "%-11s", "CPU");
	put_num(&l, "%.1f %% of a core", r->cpu_percent);
	if (!isnan(r->cpu_percent))
		mbuf_printf(&l, " (measured over %.1f s)", r->cpu_window_s);
	else
		mbuf_puts(&l, " (measuring...)");
	mbuf_puts(&l, ", total ");
	put_num(&l, "%.2f s", r->cpu_time_ms / 1000.0);
	emit(sc, PLAIN, text);

	mbuf_init(&l, text, sizeof(text));
	mbuf_printf(&l, "%-11s", "memory");
	put_num(&l, "%.1f", r->rss_kib / 1024.0);
	mbuf_puts(&l, " MiB resident");
	if (!isnan(r->rss_kib) && !r->rss_from_proc)
		mbuf_puts(&l, " (as the service reports it)");
	emit(sc, PLAIN, text);

	mbuf_init(&l, text, sizeof(text));
	mbuf_printf(&l, "%-11s", "frames");
	put_num(&l, "%.0f", s->num[STAT_frames]);
	mbuf_puts(&l, " (");
	put_num(&l, "%.0f", s->num[STAT_frames_denoised]);
	mbuf_puts(&l, " denoised)");
	emit(sc, PLAIN, text);

	mbuf_init(&l, text, sizeof(text));
	mbuf_printf(&l, "%-11s", "glitches");
	put_num(&l, "%.0f", s->num[STAT_misses]);
	mbuf_puts(&l, " misses, ");
	put_num(&l, "%.0f", s->num[STAT_xruns]);
	mbuf_puts(&l, " xruns, ");
	put_num(&l, "%.0f", s->num[STAT_overflows]);
	mbuf_puts(&l, " overflows");
	mbuf_printf(&l, "; breaker %s (", text_or_na(s->str[STAT_breaker]));
	put_num(&l, "%.0f", s->num[STAT_breaker_trips]);
	mbuf_puts(&l, " trips)");
	emit(sc, s->str[STAT_breaker][0] && strcmp(s->str[STAT_breaker], "closed") != 0 ? RED : PLAIN,
	     text);
	emit(sc, PLAIN, "");
}

void monitor_view_render(struct mbuf *b, const struct monitor_view_opts *o,
			 const struct monitor_reading *r, const char *why, const struct targets *t)
{
	struct screen sc = { .out = b, .o = o, .row = 0 };
	char text[LINE_MAX_BYTES];

	if (o->live)
		mbuf_puts(b, ESC "[H");
	header(&sc, r);
	if (r) {
		reading_lines(&sc, r);
		targets_block(&sc, r, t);
	} else {
		emit(&sc, PLAIN, "");
		snprintf(text, sizeof(text), "service not running, waiting... (%s)",
			 why ? why : "no answer");
		emit(&sc, YELLOW, text);
		snprintf(text, sizeof(text), "control socket: %s",
			 o->socket_path ? o->socket_path : "n/a");
		emit(&sc, PLAIN, text);
		emit(&sc, PLAIN, "start it with 'vocana mic' (or 'vocana install-service')");
	}
	if (o->live) {
		emit(&sc, PLAIN, "");
		snprintf(text, sizeof(text), "q quits   refresh every %d ms   %s", o->interval_ms,
			 r ? (r->stats.from_stats ? "source: stats" :
						   "source: status (older service)") : "");
		emit(&sc, PLAIN, text);
		mbuf_puts(b, ESC "[J"); /* whatever the last frame left below */
	}
}
