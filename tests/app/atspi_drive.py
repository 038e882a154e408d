#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Drive vocana-app through the accessibility tree (AT-SPI, as a screen reader or dogtail does)
and synthesized pointer clicks, and check through `vocana status --raw` that the real service
followed: the Noise Cancellation switch (its AT-SPI action), the Strength slider (a click at 30 %
of its length), and the Input Device row (a click opens its list, the keyboard picks the fake
mic in it). Controls are found by their accessible names, so this also proves a screen reader
can name them. Prints '# ...' notes; the last line is 'strength=N' for the recording check
that follows.

Usage: atspi_drive.py VOCANA FAKE_MIC_DESCRIPTION
"""
import sys
import time

import pyatspi
from app_test_util import fail, status_of  # noqa: E402

vocana, fake_desc = sys.argv[1], sys.argv[2]


def status(key):
    return status_of(vocana, key)


def wait_for(pred, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def walk(node):
    """Every accessible under node (GTK can drop objects while we look: skip those)."""
    try:
        yield node
        for i in range(node.childCount):
            yield from walk(node.getChildAtIndex(i))
    except Exception:  # noqa: BLE001 - a vanished object
        return


def find(root, role, name=None):
    for n in walk(root):
        try:
            if n.getRoleName() == role and (name is None or n.name == name):
                return n
        except Exception:  # noqa: BLE001
            continue
    return None


def extents(n):
    e = n.queryComponent().getExtents(pyatspi.DESKTOP_COORDS)
    return e.x, e.y, e.width, e.height


def click(x, y):
    # XTest through the AT-SPI registry. Without a window manager the window sits at 0,0, so
    # the window-relative positions GTK 4 reports are screen positions.
    pyatspi.Registry.generateMouseEvent(int(x), int(y), "b1c")
    time.sleep(0.3)


desktop = pyatspi.Registry.getDesktop(0)
app = None
# 30 s: GTK's start-up under Xvfb with both cores busy took over 8 s (app-tray waits as long), and
# registering on the accessibility bus comes after it.
if not wait_for(lambda: any((desktop.getChildAtIndex(i) is not None and
                             desktop.getChildAtIndex(i).name == "vocana-app")
                            for i in range(desktop.childCount)), 30):
    fail("vocana-app is not on the accessibility bus")
for i in range(desktop.childCount):
    if desktop.getChildAtIndex(i) is not None and desktop.getChildAtIndex(i).name == "vocana-app":
        app = desktop.getChildAtIndex(i)
if not wait_for(lambda: status("running") == "yes"):
    fail("the service does not answer")

# ---- the switch -------------------------------------------------------------------------
switch = None
if not wait_for(lambda: find(app, "check box", "Noise Cancellation") is not None, 10):
    fail("no control named 'Noise Cancellation'")
switch = find(app, "check box", "Noise Cancellation")
if not wait_for(lambda: switch.getState().contains(pyatspi.STATE_CHECKED)):
    fail("the switch is not on while the service is enabled")
action = switch.queryAction()
action.doAction(0)
if not wait_for(lambda: status("enabled") == "no"):
    fail("the switch's action did not disable the service")
print("# switch (AT-SPI action) -> enabled=no", flush=True)
action.doAction(0)
if not wait_for(lambda: status("enabled") == "yes"):
    fail("the switch's action did not enable the service again")
print("# switch again -> enabled=yes", flush=True)

# ---- the slider ----------------------------------------------------------------------------
slider = find(app, "slider", "Strength")
if slider is None:
    fail("no slider named 'Strength'")
x, y, w, h = extents(slider)
click(x + 0.3 * w, y + h / 2)
if not wait_for(lambda: status("strength").isdigit() and 15 <= int(status("strength")) <= 45):
    fail("a click at 30 %% of the slider gave strength %s" % status("strength"))
strength = status("strength")
print("# slider clicked at 30 %% -> strength=%s" % strength, flush=True)

# ---- the device row --------------------------------------------------------------------------
combo = find(app, "combo box", "Input Device")
if combo is None:
    fail("no combo box named 'Input Device'")
if status("input_follows_default") != "yes":
    fail("the service does not follow the default at the start")
cx, cy, cw, ch = extents(combo)
click(cx + cw - 40, cy + ch / 2)


def popup_item():
    # The open list's entry: a label with the fake mic's name outside the row itself.
    for n in walk(app):
        try:
            if n.getRoleName() == "label" and n.name == "Monitor of " + fake_desc:
                lx, ly, lw, lh = extents(n)
                if not (cy <= ly <= cy + ch):
                    return n
        except Exception:  # noqa: BLE001
            continue
    return None


if not wait_for(lambda: popup_item() is not None, 5):
    fail("clicking the Input Device row did not open its list")
# The list is a popover: its own surface, whose positions GTK 4 reports relative to itself, so
# it is driven with the keyboard like a person without a mouse would (the open list has the
# focus on the current entry, "Default"; the fake mic is the next one).
for keysym in (0xff54, 0xff0d):  # Down, Return
    pyatspi.Registry.generateKeyboardEvent(keysym, None, pyatspi.KEY_SYM)
    time.sleep(0.3)
if not wait_for(lambda: status("input_follows_default") == "no"):
    fail("picking the fake mic did not reach the service")
print("# device row: picked 'Monitor of %s' -> input=%s, input_follows_default=no"
      % (fake_desc, status("input")), flush=True)

# ---- close the window (no tray: the app quits) ------------------------------------------------
close = find(app, "push button", "Close")
if close is None:
    fail("no Close button")
close.queryAction().doAction(0)
print("strength=%s" % strength, flush=True)
