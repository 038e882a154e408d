/* SPDX-License-Identifier: MIT */
/*
 * The Microphone page: noise cancellation on/off, strength, input device, live levels and voice
 * activity, and "Listen" (hear yourself through the denoiser for APP_LISTEN_S seconds). Each
 * control sends its change to the service at once (app_service.h) and shows the service's state
 * from the next poll, so what the page shows is what the service does.
 */
#ifndef VOCANA_APP_MIC_PAGE_H
#define VOCANA_APP_MIC_PAGE_H

#include <gtk/gtk.h>

#include "app/app_service.h"

struct app_mic_page;

struct app_mic_page *app_mic_page_new(struct app_service *svc);
GtkWidget *app_mic_page_widget(struct app_mic_page *p);
void app_mic_page_update(struct app_mic_page *p, const struct app_snapshot *s);

/* The controls, for tests that drive the page like a person would. */
GtkWidget *app_mic_page_switch(struct app_mic_page *p);
GtkWidget *app_mic_page_scale(struct app_mic_page *p);
GtkWidget *app_mic_page_device_row(struct app_mic_page *p);
GtkWidget *app_mic_page_listen_button(struct app_mic_page *p);
GtkWidget *app_mic_page_input_bar(struct app_mic_page *p);
/* The node.name behind position i of the device row (0 = the default), NULL if none. */
const char *app_mic_page_device_name(struct app_mic_page *p, guint i);

#endif /* VOCANA_APP_MIC_PAGE_H */
