#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The Vocana Speaker's device stream re-targeted over and over while an application plays into
# it: the default sink flipped back and forth, and the output sink removed and re-created, with
# no pause between the steps for the speaker to settle. Each step destroys the playback stream
# and creates another while the node's callback, on PipeWire's data thread, triggers it every
# cycle: a crash here (the data thread touching a stream PipeWire is reconfiguring or the service
# is replacing) once showed up one run in three in test_speaker_faults.sh under ASan and load.
# Fails if the service dies (or a sanitizer reports anything in its log), or if the speaker does
# not end up streaming into the loudspeaker with the player still going.
# Usage (from meson): test_speaker_switch_storm.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
# SPK_STORM_ROUNDS (default 20) rounds of: two default-sink flips and one removal/re-creation.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"
# shellcheck source=speaker-test-lib.sh
source "$HERE/speaker-test-lib.sh"

OTHER=vocana_test_speaker2
ROUNDS=${SPK_STORM_ROUNDS:-20}

alive()
{
	kill -0 "$MIC_PID" 2>/dev/null || fail "the service died: $(grep -m1 -A12 -E \
		'AddressSanitizer|runtime error|Segmentation' "$PW_ENV_DIR/mic.log")"
}

pw_env_start || fail "could not start the private PipeWire"
spk_out_create "$OTHER" || fail "could not create $OTHER"
spk_out_create || fail "could not create the loudspeaker sink"
# Sound, not silence: the engines run (a speaker idle on digital silence skips them).
"$ANALYZE" impulses "$PW_ENV_DIR/imp.f32" 2 250 || fail "pw_analyze impulses"
for ((i = 0; i < 30; i++)); do cat "$PW_ENV_DIR/imp.f32"; done >"$PW_ENV_DIR/imp30.f32"
"$ANALYZE" interleave "$PW_ENV_DIR/play.f32" "$PW_ENV_DIR/imp30.f32" "$PW_ENV_DIR/imp30.f32" ||
	fail "interleave"
start_service --input "$PW_ENV_FAKE_MIC"
pw_wait_until 10 spk_output_linked || fail "the speaker does not play into $SPK_OUT"
"$PLAYREC" -p "$PW_ENV_DIR/play.f32" -P "$SPK_NODE" -r "$PW_ENV_DIR/keep.f32" \
	-R "$PW_ENV_FAKE_MIC" -S -c 2 -q 256 -t 300 >"$PW_ENV_DIR/player.log" 2>&1 &
PLAYER=$!
pw_track_pid "$PLAYER"
pw_wait_until 10 status_is speaker.playing yes || fail "the player does not play"

for ((round = 1; round <= ROUNDS; round++)); do
	# Flips faster than the service re-targets (it reconciles 100 ms or so after a change): some
	# are taken, some are overtaken by the next.
	pactl set-default-sink "$OTHER"
	sleep 0.0$((RANDOM % 3 + 1))
	pactl set-default-sink "$SPK_OUT"
	sleep 0.$((RANDOM % 3 + 1))
	alive
	# The output removed under the playing speaker, and back at once.
	spk_out_destroy "$SPK_OUT" || fail "round $round: could not remove $SPK_OUT"
	sleep 0.$((RANDOM % 3))
	spk_out_create || fail "round $round: could not re-create $SPK_OUT"
	sleep 0.$((RANDOM % 4 + 1))
	alive
done
note "$ROUNDS rounds of default-sink flips and sink re-creation"
pw_wait_until 10 spk_output_linked || fail "not back on $SPK_OUT: $(status_get speaker.output)"
pw_wait_until 10 status_is speaker.output_state streaming ||
	fail "the playback does not stream: $(status_get speaker.output_state)"
alive
kill -0 "$PLAYER" 2>/dev/null || fail "the player stopped: $(cat "$PW_ENV_DIR/player.log")"
status_is speaker.playing yes || fail "the session ended"
! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$PW_ENV_DIR/mic.log" ||
	fail "a sanitizer reported: $(grep -m1 -A12 -E 'Sanitizer|runtime error' "$PW_ENV_DIR/mic.log")"
note "speaker xruns $(status_get speaker.xruns), stale buffers $(status_get speaker.stale_buffers)," \
	"cycles $(status_get speaker.cycles)"
kill "$PLAYER" 2>/dev/null
wait "$PLAYER" 2>/dev/null
stop_mic
echo "ok: speaker-switch-storm" >&2
exit 0
