#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The control requests the desktop app needs (src/daemon/pw/mic_control.c), against a real PipeWire:
#   - 'devices' lists the devices as the service sees the graph (the fake mic, a sink, with its
#     description) and the default sink, never the Vocana source or the Vocana Speaker itself;
#   - 'set input NAME' captures NAME and 'status' says it no longer follows the default; it is
#     saved and a restarted service captures it again; 'set input default' follows the default
#     again (saved too); the Vocana source itself is refused;
#   - 'meter N' records the Vocana source for N seconds: the engine runs (frames grow, the input
#     level follows the audio) with no other app recording; it ends by itself, and at 'meter off';
#   - 'listen N' loads a loopback from the Vocana source to the default output for N seconds
#     (its nodes appear in the graph and go again); bad lease lengths are refused.
# Usage (from meson): test_mic_app_requests.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"
# shellcheck source=stats-lib.sh
source "$HERE/stats-lib.sh"

command -v python3 >/dev/null || pw_skip "python3 not installed"
pw_env_start || fail "could not start the private PipeWire"
# No --input: the graph has no real source (the fake mic is a sink), so the service starts
# following the default and captures nothing until the app picks a device.
start_mic

# ---- devices ------------------------------------------------------------------------------
reply=$(control_raw devices) || fail "no reply to 'devices'"
[[ "$(head -n1 <<<"$reply")" == ok ]] || fail "devices answered: $(head -n1 <<<"$reply")"
n=$(sed -n 's/^devices=//p' <<<"$reply")
[[ "$n" =~ ^[0-9]+$ && "$n" -ge 1 ]] || fail "devices=$n"
idx=$(sed -n "s/^device\.\([0-9]*\)\.name=$PW_ENV_FAKE_MIC\$/\1/p" <<<"$reply")
[[ -n "$idx" ]] || fail "the fake mic is not listed: $reply"
grep -qx "device.$idx.kind=sink" <<<"$reply" || fail "the fake mic's kind: $reply"
grep -qx "device.$idx.description=Vocana test microphone" <<<"$reply" || fail "description: $reply"
grep -q "^device\.[0-9]*\.name=$MIC_NODE\$" <<<"$reply" && fail "the Vocana source lists itself"
grep -qx "input_follows_default=yes" <<<"$reply" || fail "follows the default at start: $reply"
note "devices: $n listed"
# The speaker's view of the same list: the default sink is named, and the Vocana Speaker itself
# (a sink) is never offered, neither as its own output nor as the mic's input.
[[ "$(control_raw "enable speaker" | head -n1)" == ok ]] || fail "enable speaker refused"
pw_wait_until 5 status_is speaker yes || fail "the speaker is not published"
reply=$(control_raw devices)
def_sink=$(sed -n 's/^default_sink=//p' <<<"$reply")
[[ -n "$def_sink" && "$def_sink" != vocana_speaker ]] || fail "default_sink='$def_sink': $reply"
grep -q "^device\.[0-9]*\.name=$def_sink\$" <<<"$reply" || fail "the default sink is not listed"
grep -q "^device\.[0-9]*\.name=vocana_speaker\$" <<<"$reply" && fail "the speaker lists itself"
[[ "$(control_raw "disable speaker" | head -n1)" == ok ]] || fail "disable speaker refused"
pw_wait_until 5 status_is speaker no || fail "the speaker is still published"
note "devices: default_sink=$def_sink; the Vocana Speaker not listed"

# ---- set input ----------------------------------------------------------------------------
reply=$(control_raw "set input $PW_ENV_FAKE_MIC")
[[ "$(head -n1 <<<"$reply")" == ok ]] || fail "set input: $reply"
pw_wait_until 5 status_is input_follows_default no || fail "still follows the default"
pw_wait_until 5 status_is input "$PW_ENV_FAKE_MIC" || fail "input is '$(status_get input)'"
pw_wait_until 10 input_linked || fail "the capture is not linked after set input"
conf="$XDG_CONFIG_HOME/vocana/vocana.conf"
grep -qx "input = $PW_ENV_FAKE_MIC" "$conf" || fail "the input is not saved in $conf"
# Saved: a restarted service (as after a re-login) captures it again.
stop_mic
start_mic
pw_wait_until 5 status_is input_follows_default no || fail "the saved input was not restored"
pw_wait_until 5 status_is input "$PW_ENV_FAKE_MIC" || fail "restored input is '$(status_get input)'"
pw_wait_until 10 input_linked || fail "the capture is not linked after the restart"
note "set input: saved and restored after a restart"
reply=$(control_raw "set input $MIC_NODE")
[[ "$reply" == error:* ]] || fail "capturing itself was accepted: $reply"
reply=$(control_raw "set input two words")
[[ "$reply" == error:* ]] || fail "a name with a space was accepted: $reply"
# ---- meter --------------------------------------------------------------------------------
status_is recording no || fail "recording before the meter"
frames0=$(stats_get frames)
reply=$(control_raw "meter 4")
[[ "$(head -n1 <<<"$reply")" == ok ]] || fail "meter 4: $reply"
pw_wait_until 5 status_is metering yes || fail "metering is '$(status_get metering)'"
pw_wait_until 5 status_is recording yes || fail "the meter does not record the source"
# With nothing but the meter recording, the engine runs.
frames_grew()
{
	(($(stats_get frames) > frames0))
}
pw_wait_until 5 frames_grew || fail "frames do not grow with only the meter recording"
"$ANALYZE" gen "$PW_ENV_DIR/in.f32" 3 2>/dev/null || fail "gen"
"$PLAYREC" -p "$PW_ENV_DIR/in.f32" -P "$PW_ENV_FAKE_MIC" -r "$PW_ENV_DIR/rec.f32" \
	-R "$MIC_NODE" -q 1024 -t 30 >"$PW_ENV_DIR/playrec.log" 2>&1 &
play_pid=$!
pw_track_pid "$play_pid"
loud()
{
	local db
	db=$(stats_get input_dbfs)
	fcmp "${db:--120}" '>' -40
}
pw_wait_until 5 loud ||
	fail "the meter shows no input level while audio plays: $(stats_get input_dbfs)"
wait "$play_pid"
frames1=$(stats_get frames)
((frames1 > frames0)) || fail "frames did not grow with the meter ($frames0 -> $frames1)"
note "meter: frames $frames0 -> $frames1, level seen"
# (The player records the Vocana source too: pw_play_record needs a recorder to align to.)
# The 4 s lease runs out by itself (the service checks every second).
pw_wait_until 8 status_is metering no || fail "the meter lease did not expire"
pw_wait_until 5 status_is recording no || fail "still recording after the meter expired"
control_raw "meter 30" >/dev/null
pw_wait_until 5 status_is metering yes || fail "meter 30"
control_raw "meter off" >/dev/null
pw_wait_until 3 status_is metering no || fail "meter off"
for bad in 0 61 -1 x "5 6"; do
	reply=$(control_raw "meter $bad")
	[[ "$reply" == error:* ]] || fail "meter '$bad' accepted: $reply"
done

# ---- listen -------------------------------------------------------------------------------
reply=$(control_raw "listen 3")
[[ "$(head -n1 <<<"$reply")" == ok ]] || fail "listen 3: $reply"
grep -qx "listening=yes" <<<"$reply" || fail "listen reply: $reply"
pw_wait_until 5 pw_node_exists "$MIC_NODE.listen" || fail "no loopback capture node"
pw_wait_until 5 pw_node_exists "$MIC_NODE.listen.playback" || fail "no loopback playback node"
pw_wait_until 5 status_is recording yes || fail "listen does not record the source"
left=$(status_get listen_left_ms)
((left > 0 && left <= 3000)) || fail "listen_left_ms=$left"
pw_wait_until 8 status_is listening no || fail "listen did not expire"
pw_wait_until 5 pw_node_gone "$MIC_NODE.listen" || fail "the loopback stayed"
reply=$(control_raw "listen 31")
[[ "$reply" == error:* ]] || fail "listen 31 accepted: $reply"
control_raw "listen 10" >/dev/null
pw_wait_until 5 status_is listening yes || fail "listen 10"
control_raw "listen off" >/dev/null
pw_wait_until 3 status_is listening no || fail "listen off"
pw_wait_until 5 pw_node_gone "$MIC_NODE.listen" || fail "the loopback stayed after listen off"

reply=$(control_raw "set input default")
[[ "$(head -n1 <<<"$reply")" == ok ]] || fail "set input default: $reply"
pw_wait_until 5 status_is input_follows_default yes || fail "does not follow the default again"
grep -qx "input = default" "$conf" || fail "following the default is not saved"

# The service is still healthy and quits cleanly.
"$VOCANA" status >/dev/null || fail "status after the app requests"
stop_mic
note "app requests: all passed"
exit 0
