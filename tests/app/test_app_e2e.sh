#!/bin/bash
# SPDX-License-Identifier: MIT
#
# vocana-app's window against a real 'vocana mic' on a private PipeWire, under Xvfb: see
# test_app_window.c for the steps (device picker, meter, switch, slider, listen, Start).
# Usage (from meson): test_app_e2e.sh VOCANA PW_PLAY_RECORD PW_ANALYZE TEST_APP_WINDOW.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../daemon/pw/pw-env.sh
source "$HERE/../daemon/pw/pw-env.sh"
# shellcheck source=../daemon/pw/mic-test-lib.sh
source "$HERE/../daemon/pw/mic-test-lib.sh"
# shellcheck source=app-env.sh
source "$HERE/app-env.sh"
TEST_APP_WINDOW=$4

pw_env_start || fail "could not start the private PipeWire"
app_xvfb_start || fail "could not start Xvfb"
export GTK_A11Y=none # no accessibility bus here (test_app_atspi.sh has one)
# No --input: the service follows the default source, the fake mic. Removed, the service has no
# input at all, which the window must say; the test program brings it back.
start_mic
pw_fake_mic_destroy || fail "could not remove the fake mic"
pw_wait_until 5 status_is input "(none)" || fail "input is still '$(status_get input)'"
"$TEST_APP_WINDOW" "$VOCANA" "$PLAYREC" "$ANALYZE" "$PW_ENV_FAKE_MIC" "$PW_ENV_DIR" \
	"$HERE/../daemon/pw/pw-env.sh" ||
	fail "the app window test failed (status $?)"
exit 0
