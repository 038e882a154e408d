/* SPDX-License-Identifier: MIT */
/*
 * One direction's page, the Microphone or the Speaker: noise cancellation on/off, strength,
 * device (the mic's input, the speaker's output), live levels and voice activity, and for the
 * mic "Listen" (hear yourself through the denoiser for APP_LISTEN_S seconds). One widget for both
 * directions: only texts, figure ids and requests differ (a const table in app_dir_page.c). Each
 * control sends its change to the service at once (app_service.h) and shows the service's state
 * from the next poll, so what the page shows is what the service does.
 *
 * The switch: the mic's denoising on or bypass ('enable'); the speaker published or removed
 * ('enable speaker'). A direction the service does not publish says so on its page.
 */
#ifndef VOCANA_APP_DIR_PAGE_H
#define VOCANA_APP_DIR_PAGE_H

#include <gtk/gtk.h>

#include "app/app_service.h"

struct app_dir_page;

struct app_dir_page *app_dir_page_new(struct app_service *svc, enum app_direction dir);
GtkWidget *app_dir_page_widget(struct app_dir_page *p);
void app_dir_page_update(struct app_dir_page *p, const struct app_snapshot *s);

/* The controls, for tests that drive the page like a person would. */
GtkWidget *app_dir_page_switch(struct app_dir_page *p);
GtkWidget *app_dir_page_scale(struct app_dir_page *p);
GtkWidget *app_dir_page_device_row(struct app_dir_page *p);
GtkWidget *app_dir_page_listen_button(struct app_dir_page *p); /* NULL on the speaker's page */
GtkWidget *app_dir_page_input_bar(struct app_dir_page *p);
/* The page's state line (the controls group's description): "not published", missing device. */
const char *app_dir_page_state_text(struct app_dir_page *p);
/* The node.name behind position i of the device row (0 = the default), NULL if none. */
const char *app_dir_page_device_name(struct app_dir_page *p, guint i);

#endif /* VOCANA_APP_DIR_PAGE_H */
