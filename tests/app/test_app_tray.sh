#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vocana-app's tray icon (StatusNotifierItem + dbusmenu) on a private session bus, against a real
# 'vocana mic' on a private PipeWire, under Xvfb. sni_host.py plays the panel: it runs a
# StatusNotifierWatcher, waits for the app (started --hidden, as at login) to register, reads the
# item and its menu, clicks Noise Cancellation and a strength preset and checks the service
# followed; no window until Activate, which must map it. Then the watcher goes away: the app keeps
# running and stays reachable as a window. Without any watcher at all, --hidden must show the
# window.
# Usage (from meson): test_app_tray.sh VOCANA PW_PLAY_RECORD PW_ANALYZE VOCANA_APP.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../daemon/pw/pw-env.sh
source "$HERE/../daemon/pw/pw-env.sh"
# shellcheck source=../daemon/pw/mic-test-lib.sh
source "$HERE/../daemon/pw/mic-test-lib.sh"
# shellcheck source=app-env.sh
source "$HERE/app-env.sh"
VOCANA_APP=$4

/usr/bin/python3 -c 'import gi; gi.require_version("Gio", "2.0")' 2>/dev/null ||
	pw_skip "python3-gi not installed"
command -v xwininfo >/dev/null || pw_skip "xwininfo not installed (x11-utils)"
pw_env_start || fail "could not start the private PipeWire"
app_xvfb_start || fail "could not start Xvfb"
app_dbus_start || fail "could not start a session bus"
export GTK_A11Y=none
start_mic --input "$PW_ENV_FAKE_MIC"

# Is a window titled Vocana mapped on the X server?
window_shown()
{
	xwininfo -root -tree 2>/dev/null | grep '"Vocana"' | grep -qv ' 1x1+'
}

# Does anyone own NAME on the session bus? (python3-gi: already required above)
bus_name_owned()
{
	/usr/bin/python3 -c 'import sys
from gi.repository import Gio, GLib
bus = Gio.bus_get_sync(Gio.BusType.SESSION)
r = bus.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                  "NameHasOwner", GLib.Variant("(s)", (sys.argv[1],)), None, 0, 2000, None)
sys.exit(0 if r.unpack()[0] else 1)' "$1"
}

# The app's log and whether it still runs, for a failure message.
app_report()
{
	echo "--- $2 (app $(kill -0 "$1" 2>/dev/null && echo running || echo exited))" >&2
	tail -n 30 "$PW_ENV_DIR/$2" >&2
}

# ---- with a tray -------------------------------------------------------------------------
/usr/bin/python3 "$HERE/sni_host.py" "$VOCANA" >"$PW_ENV_DIR/host.log" 2>&1 &
host_pid=$!
pw_track_pid "$host_pid"
"$VOCANA_APP" --hidden >"$PW_ENV_DIR/app.log" 2>&1 &
app_pid=$!
pw_track_pid "$app_pid"
wait "$host_pid"
rc=$?
cat "$PW_ENV_DIR/host.log" >&2
[[ $rc -eq 0 ]] || { app_report "$app_pid" app.log; fail "the tray host's checks failed"; }
# The watcher is gone: the app keeps running (its window is the way in now).
sleep 1
kill -0 "$app_pid" 2>/dev/null || { app_report "$app_pid" app.log; fail "the app quit when the tray went away"; }
kill -TERM "$app_pid"
wait "$app_pid"
# The bus may see the old instance go after the next one asks for the application's name: the
# next would then find it taken, hand its launch to the dead instance and exit (GApplication's
# single instance). Wait until the name is free, as a user's next login would find it.
pw_wait_until 10 eval '! bus_name_owned org.vocana.Vocana' ||
	fail "the first app's bus name outlived it by 10 s"

# ---- no tray at all ----------------------------------------------------------------------
"$VOCANA_APP" --hidden >"$PW_ENV_DIR/app2.log" 2>&1 &
app_pid=$!
pw_track_pid "$app_pid"
pw_wait_until 30 window_shown || {
	app_report "$app_pid" app2.log
	fail "--hidden without a tray host never showed the window"
}
kill -0 "$app_pid" 2>/dev/null || { app_report "$app_pid" app2.log; fail "the app quit without a tray"; }
note "no tray host: the window opened after the grace period"
kill -TERM "$app_pid"
wait "$app_pid"
note "tray: all passed"
exit 0
