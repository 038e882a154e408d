# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# A whole private desktop session for the app's screenshots and measurements (not a test):
# PipeWire + WirePlumber with a fake microphone and a fake loudspeaker (the default sink), a real
# service with both directions on (the Vocana Microphone and the Vocana Speaker), speech with noise
# playing into the mic and into the speaker in a loop (so meters and figures of both move), Xvfb
# and a session bus. Source it with BUILD set to a build directory; everything stops at exit.
#
#   app_session_start   start all of it; afterwards run "$BUILD/src/app/vocana-app ..."

HERE_SESSION=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../daemon/pw/pw-env.sh
source "$HERE_SESSION/../daemon/pw/pw-env.sh"
# shellcheck source=../daemon/pw/mic-test-lib.sh
source "$HERE_SESSION/../daemon/pw/mic-test-lib.sh" "$BUILD/src/cli/vocana" \
	"$BUILD/tests/daemon/pw/pw_play_record" "$BUILD/tests/daemon/pw/pw_analyze"
# shellcheck source=../daemon/pw/speaker-test-lib.sh
source "$HERE_SESSION/../daemon/pw/speaker-test-lib.sh"
# shellcheck source=app-env.sh
source "$HERE_SESSION/app-env.sh"

app_session_start()
{
	pw_env_start || fail "could not start the private PipeWire"
	app_xvfb_start || fail "could not start Xvfb"
	app_dbus_start || fail "could not start a session bus"
	export GTK_A11Y=none
	spk_out_create || fail "could not create the fake loudspeaker"
	start_mic --input "$PW_ENV_FAKE_MIC" --speaker
	"$ANALYZE" gen "$PW_ENV_DIR/talk.f32" 20 2>/dev/null || fail "pw_analyze gen"
	# Keep talking into the fake mic: one 20 s take after another (pw_play_record records the
	# Vocana source meanwhile: it plays aligned to a recording).
	(
		while :; do
			"$PLAYREC" -p "$PW_ENV_DIR/talk.f32" -P "$PW_ENV_FAKE_MIC" -r /dev/null \
				-R "$MIC_NODE" -q 1024 -t 60 >/dev/null 2>&1 || sleep 1
		done
	) &
	pw_track_pid $!
	# And into the Vocana Speaker, the loudspeaker's monitor recorded meanwhile (as a call app
	# would play the other side's voice).
	(
		while :; do
			"$PLAYREC" -p "$PW_ENV_DIR/talk.f32" -P "$SPK_NODE" -r /dev/null -R "$SPK_OUT" -S \
				-q 1024 -t 60 >/dev/null 2>&1 || sleep 1
		done
	) &
	pw_track_pid $!
}
