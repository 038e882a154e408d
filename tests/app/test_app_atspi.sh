#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vocana-app driven through AT-SPI (atspi_drive.py: the accessibility tree, the switch's action,
# synthesized clicks on the slider and the device list) against a real 'vocana mic' on a private
# PipeWire, under Xvfb with a private session and accessibility bus. Afterwards the window is
# closed and a recording through the Vocana Microphone must be the engine at the strength the
# slider set, from the fake mic the device list picked.
# Usage (from meson): test_app_atspi.sh VOCANA PW_PLAY_RECORD PW_ANALYZE VOCANA_APP.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../daemon/pw/pw-env.sh
source "$HERE/../daemon/pw/pw-env.sh"
# shellcheck source=../daemon/pw/mic-test-lib.sh
source "$HERE/../daemon/pw/mic-test-lib.sh"
# shellcheck source=app-env.sh
source "$HERE/app-env.sh"
VOCANA_APP=$4

/usr/bin/python3 -c 'import pyatspi' 2>/dev/null || pw_skip "python3-pyatspi not installed"
[[ -x /usr/libexec/at-spi-bus-launcher ]] || pw_skip "at-spi2-core not installed"
pw_env_start || fail "could not start the private PipeWire"
app_xvfb_start || fail "could not start Xvfb"
app_dbus_start || fail "could not start a session bus"
start_mic # following the default source (the fake mic): the device list makes it explicit

"$VOCANA_APP" --no-tray >"$PW_ENV_DIR/app.log" 2>&1 &
app_pid=$!
pw_track_pid "$app_pid"
out=$(timeout 90 /usr/bin/python3 "$HERE/atspi_drive.py" "$VOCANA" "Vocana test microphone" 2>&1)
rc=$?
echo "$out" >&2
[[ $rc -eq 0 ]] || fail "driving the app through AT-SPI failed"
strength=$(tail -n1 <<<"$out" | sed -n 's/^strength=//p')
[[ -n "$strength" ]] || fail "no strength from the driver"
pw_wait_until 5 eval '! kill -0 "$app_pid" 2>/dev/null' ||
	fail "closing the window did not quit the app"

# The app's meter lease ends within 5 s of closing; then a recording starts a fresh denoiser.
pw_wait_until 10 status_is recording no || fail "still recording after the app closed"
"$ANALYZE" gen "$PW_ENV_DIR/in.f32" 3 2>/dev/null || fail "gen"
play_record "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" 1024
res=$("$ANALYZE" offline "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" 1024 "$strength") ||
	fail "offline comparison failed: $res"
note "recording vs the engine offline at strength $strength: $res"
fcmp "$(kv "$res" corr)" '>=' 0.999 ||
	fail "the recording is not the engine at strength $strength: $res"
status_is input "$PW_ENV_FAKE_MIC" || fail "input is $(status_get input)"
note "AT-SPI: all passed"
exit 0
