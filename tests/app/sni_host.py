#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A tiny StatusNotifierWatcher + host on the test's private session bus, driving vocana-app's
tray like a panel would: wait for the item to register, read its properties and its dbusmenu
layout, click menu items, and check through `vocana status --raw` that the service followed.
Then it drops the watcher, so the app must fall back to its window.

Usage: sni_host.py VOCANA   (exit 0 = all passed; prints '# ...' notes and 'FAIL: ...')
"""
import subprocess
import sys
import time

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402
from app_test_util import fail, status_of  # noqa: E402

WATCHER = "org.kde.StatusNotifierWatcher"
XML = """
<node>
 <interface name='org.kde.StatusNotifierWatcher'>
  <method name='RegisterStatusNotifierItem'><arg type='s' direction='in'/></method>
  <method name='RegisterStatusNotifierHost'><arg type='s' direction='in'/></method>
  <property name='RegisteredStatusNotifierItems' type='as' access='read'/>
  <property name='IsStatusNotifierHostRegistered' type='b' access='read'/>
  <property name='ProtocolVersion' type='i' access='read'/>
  <signal name='StatusNotifierItemRegistered'><arg type='s'/></signal>
  <signal name='StatusNotifierHostRegistered'/>
 </interface>
</node>"""

vocana = sys.argv[1]
items = []  # (bus name, path)
loop = GLib.MainLoop()
bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)


def status(key):
    return status_of(vocana, key)


def spin(seconds, until=lambda: False):
    """Run the main loop for up to `seconds`, or until until() holds."""
    end = time.monotonic() + seconds
    ctx = GLib.MainContext.default()
    while time.monotonic() < end:
        if until():
            return True
        ctx.iteration(False)
        time.sleep(0.01)
    return until()


def wait_status(key, value, seconds=5):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if status(key) == value:
            return True
        spin(0.1)
    return False


def on_method(conn, sender, path, iface, method, params, inv):
    if method == "RegisterStatusNotifierItem":
        service = params.unpack()[0]
        # The spec allows a bus name or an object path; the item's own name is what we get.
        items.append((service if not service.startswith("/") else sender,
                      service if service.startswith("/") else "/StatusNotifierItem"))
        conn.emit_signal(None, "/StatusNotifierWatcher", WATCHER, "StatusNotifierItemRegistered",
                         GLib.Variant("(s)", (service,)))
    inv.return_value(None)


def on_get_property(conn, sender, path, iface, name):
    if name == "IsStatusNotifierHostRegistered":
        return GLib.Variant("b", True)
    if name == "ProtocolVersion":
        return GLib.Variant("i", 0)
    if name == "RegisteredStatusNotifierItems":
        return GLib.Variant("as", [i[0] for i in items])
    return None


node = Gio.DBusNodeInfo.new_for_xml(XML)
reg = bus.register_object("/StatusNotifierWatcher", node.interfaces[0], on_method,
                          on_get_property, None)
owned = Gio.bus_own_name_on_connection(bus, WATCHER, Gio.BusNameOwnerFlags.NONE, None, None)

if not spin(15, lambda: items):
    fail("vocana-app never registered a StatusNotifierItem")
name, path = items[0]
print(f"# registered: {name} {path}", flush=True)


def item_prop(prop):
    v = bus.call_sync(name, path, "org.freedesktop.DBus.Properties", "Get",
                      GLib.Variant("(ss)", ("org.kde.StatusNotifierItem", prop)),
                      GLib.VariantType.new("(v)"), Gio.DBusCallFlags.NONE, 2000, None)
    return v.unpack()[0]


if item_prop("Id") != "org.vocana.Vocana":
    fail("Id is %r" % item_prop("Id"))
menu_path = item_prop("Menu")
if menu_path != "/MenuBar":
    fail("Menu is %r" % menu_path)
# The tooltip follows the service's state once the app has polled it.
if not spin(8, lambda: "noise cancellation on" in item_prop("ToolTip")[3]):
    fail("tooltip is %r" % (item_prop("ToolTip"),))
print("# tooltip: " + item_prop("ToolTip")[3], flush=True)


def layout():
    v = bus.call_sync(name, menu_path, "com.canonical.dbusmenu", "GetLayout",
                      GLib.Variant("(iias)", (0, -1, [])), None, Gio.DBusCallFlags.NONE, 2000,
                      None)
    revision, (root_id, root_props, children) = v.unpack()
    return revision, {c[0]: c[1] for c in children}


def click(item_id):
    bus.call_sync(name, menu_path, "com.canonical.dbusmenu", "Event",
                  GLib.Variant("(isvu)", (item_id, "clicked", GLib.Variant("i", 0), 0)), None,
                  Gio.DBusCallFlags.NONE, 2000, None)


rev, items_by_id = layout()
labels = {i: p.get("label", "") for i, p in items_by_id.items()}
print("# menu: " + ", ".join(f"{i}={labels[i]}" for i in sorted(labels) if labels[i]), flush=True)
for want in ("Noise Cancellation", "Open Vocana", "Quit"):
    if want not in labels.values():
        fail("menu lacks %r: %r" % (want, labels))
enable_id = [i for i, l in labels.items() if l == "Noise Cancellation"][0]
light_id = [i for i, l in labels.items() if l.startswith("Mic strength: Light")][0]
if items_by_id[enable_id].get("toggle-state") != 1:
    fail("Noise Cancellation is not checked while enabled: %r" % items_by_id[enable_id])

click(enable_id)
if not wait_status("enabled", "no"):
    fail("clicking Noise Cancellation did not disable the service")
# The app re-reads the service and the menu follows (a new revision, unchecked).
if not spin(5, lambda: layout()[1][enable_id].get("toggle-state") == 0):
    fail("the menu still shows Noise Cancellation checked")
print("# menu: Noise Cancellation off -> service enabled=no, menu unchecked", flush=True)
click(enable_id)
if not wait_status("enabled", "yes"):
    fail("clicking again did not enable the service")
click(light_id)
if not wait_status("strength", "30"):
    fail("Mic strength: Light did not set strength 30 (%s)" % status("strength"))
if not spin(5, lambda: layout()[1][light_id].get("toggle-state") == 1):
    fail("the Light preset is not marked")
print("# menu: Strength Light -> service strength=30, preset marked", flush=True)
speaker_id = [i for i, l in labels.items() if l == "Vocana Speaker"][0]
if items_by_id[speaker_id].get("toggle-state") != 0:
    fail("Vocana Speaker is checked while the speaker is off: %r" % items_by_id[speaker_id])
click(speaker_id)
if not wait_status("speaker", "yes"):
    fail("clicking Vocana Speaker did not publish the speaker")
if not spin(5, lambda: layout()[1][speaker_id].get("toggle-state") == 1):
    fail("the menu does not show Vocana Speaker checked")
if status("enabled") != "yes":
    fail("clicking Vocana Speaker changed the mic (enabled=%s)" % status("enabled"))
click(speaker_id)
if not wait_status("speaker", "no"):
    fail("clicking Vocana Speaker again did not remove the speaker")
print("# menu: Vocana Speaker on -> service speaker=yes, checked; off -> speaker=no", flush=True)



def window_shown():
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True).stdout
    return any('"Vocana"' in line and " 1x1+" not in line for line in tree.splitlines())


# Started --hidden with a tray host: no window until the icon is activated.
if window_shown():
    fail("--hidden with a tray host showed the window before Activate")
bus.call_sync(name, path, "org.kde.StatusNotifierItem", "Activate", GLib.Variant("(ii)", (0, 0)),
              None, Gio.DBusCallFlags.NONE, 2000, None)
if not spin(5, window_shown):
    fail("Activate did not show the window")
print("# Activate: the window is shown", flush=True)

# The tray goes away: the app must stay reachable, as a window.
Gio.bus_unown_name(owned)
bus.unregister_object(reg)
spin(1)
print("# watcher gone", flush=True)
sys.exit(0)
