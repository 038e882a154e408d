/* SPDX-License-Identifier: MIT */
/*
 * The Performance page: the figures of 'vocana monitor' (docs/monitor.md) for people. Each target
 * row shows the measured value, its limit and met / missed / alert, judged exactly as the monitor
 * judges it (src/cli/monitor/monitor_targets.c, the user's target.* settings included); below them model
 * time, misses and xruns, the circuit breaker, and live plots of CPU and added latency over the
 * last APP_HISTORY seconds.
 */
#ifndef VOCANA_APP_PERF_PAGE_H
#define VOCANA_APP_PERF_PAGE_H

#include <gtk/gtk.h>

#include "app/app_service.h"

struct app_perf_page;

struct app_perf_page *app_perf_page_new(void);
GtkWidget *app_perf_page_widget(struct app_perf_page *p);
void app_perf_page_update(struct app_perf_page *p, const struct app_snapshot *s);

#endif /* VOCANA_APP_PERF_PAGE_H */
