/* SPDX-License-Identifier: MIT */
/* The tray menu over com.canonical.dbusmenu (see app_menu.h). */
#include "app/app_menu.h"

#include <stdio.h>
#include <string.h>

static const char introspection[] =
	"<node>"
	" <interface name='com.canonical.dbusmenu'>"
	"  <method name='GetLayout'>"
	"   <arg type='i' name='parentId' direction='in'/>"
	"   <arg type='i' name='recursionDepth' direction='in'/>"
	"   <arg type='as' name='propertyNames' direction='in'/>"
	"   <arg type='u' name='revision' direction='out'/>"
	"   <arg type='(ia{sv}av)' name='layout' direction='out'/>"
	"  </method>"
	"  <method name='GetGroupProperties'>"
	"   <arg type='ai' name='ids' direction='in'/>"
	"   <arg type='as' name='propertyNames' direction='in'/>"
	"   <arg type='a(ia{sv})' name='properties' direction='out'/>"
	"  </method>"
	"  <method name='GetProperty'>"
	"   <arg type='i' name='id' direction='in'/>"
	"   <arg type='s' name='name' direction='in'/>"
	"   <arg type='v' name='value' direction='out'/>"
	"  </method>"
	"  <method name='Event'>"
	"   <arg type='i' name='id' direction='in'/>"
	"   <arg type='s' name='eventId' direction='in'/>"
	"   <arg type='v' name='data' direction='in'/>"
	"   <arg type='u' name='timestamp' direction='in'/>"
	"  </method>"
	"  <method name='EventGroup'>"
	"   <arg type='a(isvu)' name='events' direction='in'/>"
	"   <arg type='ai' name='idErrors' direction='out'/>"
	"  </method>"
	"  <method name='AboutToShow'>"
	"   <arg type='i' name='id' direction='in'/>"
	"   <arg type='b' name='needUpdate' direction='out'/>"
	"  </method>"
	"  <method name='AboutToShowGroup'>"
	"   <arg type='ai' name='ids' direction='in'/>"
	"   <arg type='ai' name='updatesNeeded' direction='out'/>"
	"   <arg type='ai' name='idErrors' direction='out'/>"
	"  </method>"
	"  <signal name='ItemsPropertiesUpdated'>"
	"   <arg type='a(ia{sv})' name='updatedProps'/>"
	"   <arg type='a(ias)' name='removedProps'/>"
	"  </signal>"
	"  <signal name='LayoutUpdated'>"
	"   <arg type='u' name='revision'/>"
	"   <arg type='i' name='parent'/>"
	"  </signal>"
	"  <signal name='ItemActivationRequested'>"
	"   <arg type='i' name='id'/>"
	"   <arg type='u' name='timestamp'/>"
	"  </signal>"
	"  <property name='Version' type='u' access='read'/>"
	"  <property name='TextDirection' type='s' access='read'/>"
	"  <property name='Status' type='s' access='read'/>"
	"  <property name='IconThemePath' type='as' access='read'/>"
	" </interface>"
	"</node>";

#define N_ITEMS 10 /* ids 0 (root) .. 9 */
/* The root's children in menu order (app_menu.h). */
static const int menu_order[] = { APP_MENU_ENABLE, APP_MENU_SPEAKER, 2, APP_MENU_PRESET_LOW,
				  APP_MENU_PRESET_MEDIUM, APP_MENU_PRESET_FULL, 6, APP_MENU_OPEN,
				  APP_MENU_QUIT };

struct app_menu {
	GDBusConnection *conn;
	GDBusNodeInfo *info;
	guint reg_id;
	guint revision;
	int enabled, speaker, strength;
	app_menu_clicked_fn clicked;
	void *data;
};

/* A checkmark item's properties: state 1 checked, 0 not, -1 unknown (unchecked, insensitive). */
static GVariant *checkmark(GVariantBuilder *b, const char *label, int state)
{
	g_variant_builder_add(b, "{sv}", "label", g_variant_new_string(label));
	g_variant_builder_add(b, "{sv}", "toggle-type", g_variant_new_string("checkmark"));
	g_variant_builder_add(b, "{sv}", "toggle-state", g_variant_new_int32(state == 1));
	g_variant_builder_add(b, "{sv}", "enabled", g_variant_new_boolean(state >= 0));
	return g_variant_builder_end(b);
}

/* Properties of item id (a{sv}); NULL for an id we do not have. */
static GVariant *item_props(struct app_menu *m, int id)
{
	GVariantBuilder b;
	const char *label = NULL;
	int preset = -1;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
	switch (id) {
	case 0:
		g_variant_builder_add(&b, "{sv}", "children-display", g_variant_new_string("submenu"));
		return g_variant_builder_end(&b);
	case APP_MENU_ENABLE:
		return checkmark(&b, "Noise Cancellation", m->enabled);
	case APP_MENU_SPEAKER:
		return checkmark(&b, "Vocana Speaker", m->speaker);
	case 2:
	case 6:
		g_variant_builder_add(&b, "{sv}", "type", g_variant_new_string("separator"));
		return g_variant_builder_end(&b);
	case APP_MENU_PRESET_LOW:
		label = "Mic strength: Light (30)";
		preset = APP_PRESET_LOW;
		break;
	case APP_MENU_PRESET_MEDIUM:
		label = "Mic strength: Medium (60)";
		preset = APP_PRESET_MEDIUM;
		break;
	case APP_MENU_PRESET_FULL:
		label = "Mic strength: Full (100)";
		preset = APP_PRESET_FULL;
		break;
	case APP_MENU_OPEN:
		label = "Open Vocana";
		break;
	case APP_MENU_QUIT:
		label = "Quit";
		break;
	default:
		g_variant_builder_clear(&b);
		return NULL;
	}
	g_variant_builder_add(&b, "{sv}", "label", g_variant_new_string(label));
	if (preset >= 0) {
		g_variant_builder_add(&b, "{sv}", "toggle-type", g_variant_new_string("radio"));
		g_variant_builder_add(&b, "{sv}", "toggle-state",
				      g_variant_new_int32(m->strength == preset));
		g_variant_builder_add(&b, "{sv}", "enabled", g_variant_new_boolean(m->strength >= 0));
	}
	return g_variant_builder_end(&b);
}

/* (ia{sv}av) for id and, for the root, its children. */
static GVariant *layout(struct app_menu *m, int id, int depth)
{
	GVariantBuilder children;

	g_variant_builder_init(&children, G_VARIANT_TYPE("av"));
	if (id == 0 && depth != 0)
		for (unsigned i = 0; i < G_N_ELEMENTS(menu_order); i++)
			g_variant_builder_add(&children, "v", layout(m, menu_order[i], depth - 1));
	return g_variant_new("(i@a{sv}av)", id, item_props(m, id), &children);
}

static void handle_event(struct app_menu *m, int id, const char *event)
{
	if (strcmp(event, "clicked") == 0 && id >= 1 && id < N_ITEMS && m->clicked)
		m->clicked((enum app_menu_item)id, m->data);
}

static void on_method(GDBusConnection *conn, const char *sender, const char *path,
		      const char *iface, const char *method, GVariant *params,
		      GDBusMethodInvocation *inv, gpointer data)
{
	struct app_menu *m = data;

	if (strcmp(method, "GetLayout") == 0) {
		int parent, depth;

		g_variant_get(params, "(ii@as)", &parent, &depth, NULL);
		if (parent < 0 || parent >= N_ITEMS) {
			g_dbus_method_invocation_return_dbus_error(inv, "com.canonical.dbusmenu.Error",
								   "no such item");
			return;
		}
		g_dbus_method_invocation_return_value(inv, g_variant_new("(u@(ia{sv}av))", m->revision,
									 layout(m, parent, depth)));
	} else if (strcmp(method, "GetGroupProperties") == 0) {
		GVariantIter *ids;
		GVariantBuilder b;
		int id;

		g_variant_get(params, "(ai@as)", &ids, NULL);
		g_variant_builder_init(&b, G_VARIANT_TYPE("a(ia{sv})"));
		while (g_variant_iter_next(ids, "i", &id)) {
			GVariant *props = item_props(m, id);

			if (props)
				g_variant_builder_add(&b, "(i@a{sv})", id, props);
		}
		g_variant_iter_free(ids);
		g_dbus_method_invocation_return_value(inv, g_variant_new("(a(ia{sv}))", &b));
	} else if (strcmp(method, "GetProperty") == 0) {
		const char *name;
		GVariant *props, *v;
		int id;

		g_variant_get(params, "(i&s)", &id, &name);
		props = item_props(m, id);
		v = props ? g_variant_lookup_value(props, name, NULL) : NULL;
		if (props)
			g_variant_unref(g_variant_ref_sink(props));
		if (v == NULL) {
			g_dbus_method_invocation_return_dbus_error(inv, "com.canonical.dbusmenu.Error",
								   "no such property");
			return;
		}
		g_dbus_method_invocation_return_value(inv, g_variant_new("(v)", v));
		g_variant_unref(v);
	} else if (strcmp(method, "Event") == 0) {
		const char *event;
		int id;

		g_variant_get(params, "(i&svu)", &id, &event, NULL, NULL);
		/* Answer first: the handler may quit the app. */
		g_dbus_method_invocation_return_value(inv, NULL);
		handle_event(m, id, event);
	} else if (strcmp(method, "EventGroup") == 0) {
		GVariantIter *events;
		const char *event;
		GVariantBuilder errors;
		GArray *clicks = g_array_new(FALSE, FALSE, sizeof(int));
		int id;

		g_variant_get(params, "(a(isvu))", &events);
		g_variant_builder_init(&errors, G_VARIANT_TYPE("ai"));
		while (g_variant_iter_next(events, "(i&svu)", &id, &event, NULL, NULL)) {
			if (id < 0 || id >= N_ITEMS)
				g_variant_builder_add(&errors, "i", id);
			else if (strcmp(event, "clicked") == 0)
				g_array_append_val(clicks, id);
		}
		g_variant_iter_free(events);
		g_dbus_method_invocation_return_value(inv, g_variant_new("(ai)", &errors));
		for (guint i = 0; i < clicks->len; i++)
			handle_event(m, g_array_index(clicks, int, i), "clicked");
		g_array_free(clicks, TRUE);
	} else if (strcmp(method, "AboutToShow") == 0) {
		g_dbus_method_invocation_return_value(inv, g_variant_new("(b)", FALSE));
	} else if (strcmp(method, "AboutToShowGroup") == 0) {
		g_dbus_method_invocation_return_value(inv, g_variant_new("(@ai@ai)",
			g_variant_new_array(G_VARIANT_TYPE_INT32, NULL, 0),
			g_variant_new_array(G_VARIANT_TYPE_INT32, NULL, 0)));
	} else {
		g_dbus_method_invocation_return_dbus_error(inv, "org.freedesktop.DBus.Error.UnknownMethod",
							   method);
	}
}

static GVariant *on_get_property(GDBusConnection *conn, const char *sender, const char *path,
				 const char *iface, const char *name, GError **error, gpointer data)
{
	if (strcmp(name, "Version") == 0)
		return g_variant_new_uint32(3);
	if (strcmp(name, "TextDirection") == 0)
		return g_variant_new_string("ltr");
	if (strcmp(name, "Status") == 0)
		return g_variant_new_string("normal");
	if (strcmp(name, "IconThemePath") == 0)
		return g_variant_new_strv(NULL, 0);
	g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "no property %s", name);
	return NULL;
}

static const GDBusInterfaceVTable vtable = { on_method, on_get_property, NULL, { 0 } };

struct app_menu *app_menu_new(GDBusConnection *conn, app_menu_clicked_fn clicked, void *data)
{
	struct app_menu *m = g_new0(struct app_menu, 1);
	GError *error = NULL;

	m->conn = g_object_ref(conn);
	m->clicked = clicked;
	m->data = data;
	m->enabled = -1;
	m->speaker = -1;
	m->strength = -1;
	m->revision = 1;
	m->info = g_dbus_node_info_new_for_xml(introspection, NULL);
	m->reg_id = g_dbus_connection_register_object(conn, APP_MENU_PATH, m->info->interfaces[0],
						      &vtable, m, NULL, &error);
	if (m->reg_id == 0) {
		g_warning("tray menu: %s", error->message);
		g_error_free(error);
		app_menu_free(m);
		return NULL;
	}
	return m;
}

void app_menu_free(struct app_menu *m)
{
	if (m == NULL)
		return;
	if (m->reg_id)
		g_dbus_connection_unregister_object(m->conn, m->reg_id);
	g_dbus_node_info_unref(m->info);
	g_object_unref(m->conn);
	g_free(m);
}

void app_menu_set_state(struct app_menu *m, int enabled, int speaker, int strength)
{
	if (m == NULL ||
	    (enabled == m->enabled && speaker == m->speaker && strength == m->strength))
		return;
	m->enabled = enabled;
	m->speaker = speaker;
	m->strength = strength;
	m->revision++;
	g_dbus_connection_emit_signal(m->conn, NULL, APP_MENU_PATH, "com.canonical.dbusmenu",
				      "LayoutUpdated", g_variant_new("(ui)", m->revision, 0), NULL);
}
