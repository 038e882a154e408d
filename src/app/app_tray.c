/* SPDX-License-Identifier: MIT */
/* The StatusNotifierItem (see app_tray.h). */
#include "app/app_tray.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "app/app_autostart.h"
#include "app/app_menu.h"

#define ITEM_PATH "/StatusNotifierItem"
#define WATCHER_NAME "org.kde.StatusNotifierWatcher"
#define WATCHER_PATH "/StatusNotifierWatcher"
#define ITEM_IFACE "org.kde.StatusNotifierItem"

static const char introspection[] =
	"<node>"
	" <interface name='org.kde.StatusNotifierItem'>"
	"  <property name='Category' type='s' access='read'/>"
	"  <property name='Id' type='s' access='read'/>"
	"  <property name='Title' type='s' access='read'/>"
	"  <property name='Status' type='s' access='read'/>"
	"  <property name='WindowId' type='i' access='read'/>"
	"  <property name='IconName' type='s' access='read'/>"
	"  <property name='IconPixmap' type='a(iiay)' access='read'/>"
	"  <property name='OverlayIconName' type='s' access='read'/>"
	"  <property name='AttentionIconName' type='s' access='read'/>"
	"  <property name='ToolTip' type='(sa(iiay)ss)' access='read'/>"
	"  <property name='ItemIsMenu' type='b' access='read'/>"
	"  <property name='Menu' type='o' access='read'/>"
	"  <method name='ContextMenu'><arg name='x' type='i' direction='in'/>"
	"   <arg name='y' type='i' direction='in'/></method>"
	"  <method name='Activate'><arg name='x' type='i' direction='in'/>"
	"   <arg name='y' type='i' direction='in'/></method>"
	"  <method name='SecondaryActivate'><arg name='x' type='i' direction='in'/>"
	"   <arg name='y' type='i' direction='in'/></method>"
	"  <method name='Scroll'><arg name='delta' type='i' direction='in'/>"
	"   <arg name='orientation' type='s' direction='in'/></method>"
	"  <signal name='NewTitle'/>"
	"  <signal name='NewIcon'/>"
	"  <signal name='NewToolTip'/>"
	"  <signal name='NewStatus'><arg name='status' type='s'/></signal>"
	" </interface>"
	"</node>";

struct app_tray {
	struct app_service *svc;
	const struct app_tray_events *events;
	void *data;
	GCancellable *cancel;
	GDBusConnection *conn;
	GDBusNodeInfo *info;
	guint reg_id, own_id, watch_id, host_sub_id;
	char bus_name[64];
	struct app_menu *menu;
	gboolean has_host;
	int enabled, strength;   /* as last shown; -1 unknown */
	int speaker;             /* the speaker published: 1, 0, -1 unknown */
	char tooltip[160];
};

/* ---- State from the service -------------------------------------------------------------- */

static void emit(struct app_tray *t, const char *signal, GVariant *params)
{
	if (t->conn && t->reg_id)
		g_dbus_connection_emit_signal(t->conn, NULL, ITEM_PATH, ITEM_IFACE, signal, params, NULL);
}

static const char *icon_name(struct app_tray *t)
{
	/* A named icon: the host looks it up in the icon theme where 'meson install' put ours. */
	return t->enabled == 0 ? APP_ID "-off" : APP_ID;
}

static void on_service_changed(struct app_service *svc, void *data)
{
	struct app_tray *t = data;
	const struct app_snapshot *s = app_service_snapshot(svc);
	const struct monitor_stats *st = &s->reading.stats;
	gboolean up = s->state == APP_STATE_RUNNING || s->state == APP_STATE_SLOW;
	int enabled = up ? monitor_flag(st, STAT_enabled) : -1;
	int speaker = up ? monitor_flag(st, STAT_speaker) : -1;
	int strength = up && !isnan(st->num[STAT_strength]) ? (int)st->num[STAT_strength] : -1;
	char tip[160];

	if (!up)
		snprintf(tip, sizeof(tip), "Vocana: %s", app_state_name(s->state));
	else if (enabled == 1)
		snprintf(tip, sizeof(tip), "Vocana: noise cancellation on, strength %d%s", strength,
			 speaker == 1 ? "; speaker on" : "");
	else
		snprintf(tip, sizeof(tip), "Vocana: noise cancellation off%s",
			 speaker == 1 ? "; speaker on" : "");
	app_menu_set_state(t->menu, enabled, speaker, strength);
	t->speaker = speaker;
	if (enabled != t->enabled) {
		t->enabled = enabled;
		emit(t, "NewIcon", NULL);
	}
	t->strength = strength;
	if (strcmp(tip, t->tooltip) != 0) {
		g_strlcpy(t->tooltip, tip, sizeof(t->tooltip));
		emit(t, "NewToolTip", NULL);
	}
}

/* ---- Menu and activation ----------------------------------------------------------------- */

static void on_menu_clicked(enum app_menu_item item, void *data)
{
	struct app_tray *t = data;

	switch (item) {
	case APP_MENU_ENABLE:
		app_service_set_enabled(t->svc, APP_DIR_MIC, t->enabled != 1);
		break;
	case APP_MENU_SPEAKER:
		app_service_set_enabled(t->svc, APP_DIR_SPEAKER, t->speaker != 1);
		break;
	case APP_MENU_PRESET_LOW:
		app_service_set_strength(t->svc, APP_DIR_MIC, APP_PRESET_LOW);
		break;
	case APP_MENU_PRESET_MEDIUM:
		app_service_set_strength(t->svc, APP_DIR_MIC, APP_PRESET_MEDIUM);
		break;
	case APP_MENU_PRESET_FULL:
		app_service_set_strength(t->svc, APP_DIR_MIC, APP_PRESET_FULL);
		break;
	case APP_MENU_OPEN:
		t->events->open(t->data);
		break;
	case APP_MENU_QUIT:
		t->events->quit(t->data);
		break;
	}
}

static void on_method(GDBusConnection *conn, const char *sender, const char *path,
		      const char *iface, const char *method, GVariant *params,
		      GDBusMethodInvocation *inv, gpointer data)
{
	struct app_tray *t = data;

	g_dbus_method_invocation_return_value(inv, NULL);
	if (strcmp(method, "Activate") == 0)
		t->events->open(t->data);
	else if (strcmp(method, "SecondaryActivate") == 0)
		/* Middle click: the quickest on/off. */
		app_service_set_enabled(t->svc, APP_DIR_MIC, t->enabled != 1);
}

static GVariant *on_get_property(GDBusConnection *conn, const char *sender, const char *path,
				 const char *iface, const char *name, GError **error, gpointer data)
{
	struct app_tray *t = data;

	if (strcmp(name, "Category") == 0)
		return g_variant_new_string("Hardware");
	if (strcmp(name, "Id") == 0)
		return g_variant_new_string(APP_ID);
	if (strcmp(name, "Title") == 0)
		return g_variant_new_string("Vocana");
	if (strcmp(name, "Status") == 0)
		return g_variant_new_string("Active");
	if (strcmp(name, "WindowId") == 0)
		return g_variant_new_int32(0);
	if (strcmp(name, "IconName") == 0)
		return g_variant_new_string(icon_name(t));
	if (strcmp(name, "IconPixmap") == 0)
		return g_variant_new_array(G_VARIANT_TYPE("(iiay)"), NULL, 0);
	if (strcmp(name, "OverlayIconName") == 0 || strcmp(name, "AttentionIconName") == 0)
		return g_variant_new_string("");
	if (strcmp(name, "ToolTip") == 0)
		return g_variant_new("(s@a(iiay)ss)", icon_name(t),
				     g_variant_new_array(G_VARIANT_TYPE("(iiay)"), NULL, 0), "Vocana",
				     t->tooltip);
	if (strcmp(name, "ItemIsMenu") == 0)
		return g_variant_new_boolean(FALSE);
	if (strcmp(name, "Menu") == 0)
		return g_variant_new_object_path(APP_MENU_PATH);
	g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "no property %s", name);
	return NULL;
}

static const GDBusInterfaceVTable vtable = { on_method, on_get_property, NULL, { 0 } };

/* ---- The watcher --------------------------------------------------------------------------- */

static void set_host(struct app_tray *t, gboolean has)
{
	if (has == t->has_host)
		return;
	t->has_host = has;
	t->events->host_changed(has, t->data);
}

static void on_host_property(GObject *source, GAsyncResult *result, gpointer data)
{
	struct app_tray *t = data;
	GVariant *v = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, NULL);
	gboolean has = FALSE;

	if (v == NULL)
		return; /* cancelled (t is gone) or no watcher: keep what we know */
	{
		GVariant *inner = NULL;

		g_variant_get(v, "(v)", &inner);
		has = g_variant_is_of_type(inner, G_VARIANT_TYPE_BOOLEAN) &&
		      g_variant_get_boolean(inner);
		g_variant_unref(inner);
	}
	g_variant_unref(v);
	set_host(t, has);
}

static void query_host(struct app_tray *t)
{
	g_dbus_connection_call(t->conn, WATCHER_NAME, WATCHER_PATH, "org.freedesktop.DBus.Properties",
			       "Get", g_variant_new("(ss)", WATCHER_NAME,
						    "IsStatusNotifierHostRegistered"),
			       G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, 2000, t->cancel,
			       on_host_property, t);
}

static void on_registered(GObject *source, GAsyncResult *result, gpointer data)
{
	struct app_tray *t;
	GError *error = NULL;
	GVariant *v = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), result, &error);

	if (v == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_message("tray: the StatusNotifierWatcher refused the item: %s", error->message);
		g_error_free(error);
		return;
	}
	g_variant_unref(v);
	t = data;
	query_host(t);
}

static void on_watcher_appeared(GDBusConnection *conn, const char *name, const char *owner,
				gpointer data)
{
	struct app_tray *t = data;

	g_dbus_connection_call(conn, WATCHER_NAME, WATCHER_PATH, WATCHER_NAME,
			       "RegisterStatusNotifierItem", g_variant_new("(s)", t->bus_name), NULL,
			       G_DBUS_CALL_FLAGS_NONE, 2000, t->cancel, on_registered, t);
}

static void on_watcher_vanished(GDBusConnection *conn, const char *name, gpointer data)
{
	set_host(data, FALSE);
}

static void on_host_signal(GDBusConnection *conn, const char *sender, const char *path,
			   const char *iface, const char *signal, GVariant *params, gpointer data)
{
	struct app_tray *t = data;

	if (strcmp(signal, "StatusNotifierHostRegistered") == 0)
		set_host(t, TRUE);
	else
		query_host(t);
}

/* ---- Setup --------------------------------------------------------------------------------- */

static void on_name_acquired(GDBusConnection *conn, const char *name, gpointer data)
{
	struct app_tray *t = data;

	/* Only now can the watcher find us by this name. */
	t->watch_id = g_bus_watch_name_on_connection(conn, WATCHER_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
						     on_watcher_appeared, on_watcher_vanished, t, NULL);
}

static void on_bus(GObject *source, GAsyncResult *result, gpointer data)
{
	struct app_tray *t;
	GError *error = NULL;
	GDBusConnection *conn = g_bus_get_finish(result, &error);

	if (conn == NULL) {
		if (!g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
			g_message("tray: no session bus (%s): window only", error->message);
		g_error_free(error);
		return;
	}
	t = data;
	t->conn = conn;
	t->info = g_dbus_node_info_new_for_xml(introspection, NULL);
	t->reg_id = g_dbus_connection_register_object(conn, ITEM_PATH, t->info->interfaces[0],
						      &vtable, t, NULL, &error);
	if (t->reg_id == 0) {
		g_message("tray: %s: window only", error->message);
		g_error_free(error);
		return;
	}
	t->menu = app_menu_new(conn, on_menu_clicked, t);
	t->host_sub_id = g_dbus_connection_signal_subscribe(conn, WATCHER_NAME, WATCHER_NAME, NULL,
							    WATCHER_PATH, NULL,
							    G_DBUS_SIGNAL_FLAGS_NONE, on_host_signal,
							    t, NULL);
	/* The name the specification asks for: org.kde.StatusNotifierItem-PID-ID. */
	snprintf(t->bus_name, sizeof(t->bus_name), "org.kde.StatusNotifierItem-%ld-1", (long)getpid());
	t->own_id = g_bus_own_name_on_connection(conn, t->bus_name, G_BUS_NAME_OWNER_FLAGS_NONE,
						 on_name_acquired, NULL, t, NULL);
	on_service_changed(t->svc, t);
}

struct app_tray *app_tray_new(struct app_service *svc, const struct app_tray_events *events,
			      void *data)
{
	struct app_tray *t = g_new0(struct app_tray, 1);

	t->svc = svc;
	t->events = events;
	t->data = data;
	t->enabled = t->strength = t->speaker = -1;
	t->cancel = g_cancellable_new();
	app_service_add_listener(svc, on_service_changed, t);
	g_bus_get(G_BUS_TYPE_SESSION, t->cancel, on_bus, t);
	return t;
}

void app_tray_free(struct app_tray *t)
{
	if (t == NULL)
		return;
	/* Calls still out hold t: cancel them first (their callbacks then touch nothing). */
	g_cancellable_cancel(t->cancel);
	g_object_unref(t->cancel);
	if (t->watch_id)
		g_bus_unwatch_name(t->watch_id);
	if (t->own_id)
		g_bus_unown_name(t->own_id);
	if (t->conn && t->host_sub_id)
		g_dbus_connection_signal_unsubscribe(t->conn, t->host_sub_id);
	app_menu_free(t->menu);
	if (t->conn && t->reg_id)
		g_dbus_connection_unregister_object(t->conn, t->reg_id);
	if (t->info)
		g_dbus_node_info_unref(t->info);
	if (t->conn)
		g_object_unref(t->conn);
	g_free(t);
}
