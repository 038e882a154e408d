#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Issue #13 item 9: the Vocana Microphone must run only while something records from it, not
# whenever its input device runs for another application. With the device busy (another client
# plays into the fake microphone and records it directly) and nobody recording Vocana:
# 'recording' is no, no audio cycle runs and the service takes no CPU. Then an application
# records Vocana meanwhile (exact audio at the engine's latency), and when it stops the service
# goes quiet again although the device stays busy.
# (Before: the capture's passive link put both streams in the busy device's graph, so they ran,
# denoising for nobody: recording=yes, 1.8-2.9 % of a core.)
# Usage (from meson): test_mic_busy_device.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"

IDLE_S=3

# The service over IDLE_S while nobody records it: no audio cycle, few wake-ups, no busy loop
# (limits in mic-test-lib.sh).
check_quiet()
{
	local what=$1 c0 c1
	c0=$(status_get cycles)
	measure_idle "$IDLE_S"
	c1=$(status_get cycles)
	note "$what: recording=$(status_get recording), input $(status_get input_state)," \
		"audio cycles $c0 -> $c1, $IDLE_WAKEUPS wake-ups and $IDLE_TICKS CPU ticks in $IDLE_S s"
	status_is recording no || fail "$what: 'recording' says yes while nobody records"
	[[ "$c0" == "$c1" ]] || fail "$what: the service ran $((c1 - c0)) audio cycles for nobody"
	assert_idle "$what" "$IDLE_S"
}

pw_env_start || fail "could not start the private PipeWire"
"$ANALYZE" gen "$PW_ENV_DIR/long.f32" 20 2>/dev/null || fail "gen"
"$ANALYZE" gen "$PW_ENV_DIR/in.f32" 1 2>/dev/null || fail "gen"
start_mic --input "$PW_ENV_FAKE_MIC" --strength 0
pw_wait_until 10 input_linked || fail "the capture stream is not linked"
check_quiet "idle"

# Another application keeps the device busy: it plays into the fake mic and records it directly.
"$PLAYREC" -p "$PW_ENV_DIR/long.f32" -P "$PW_ENV_FAKE_MIC" -r "$PW_ENV_DIR/direct.f32" \
	-R "$PW_ENV_FAKE_MIC" -q 256 -t 60 >"$PW_ENV_DIR/busy.log" 2>&1 &
busy=$!
pw_track_pid "$busy"
sleep 1
kill -0 "$busy" 2>/dev/null || fail "the other application did not start: $(cat "$PW_ENV_DIR/busy.log")"
check_quiet "device busy for another application"

# Someone records Vocana meanwhile: it runs, exactly (strength 0: the input delayed), at the
# engine's latency (the capture re-linked to the busy device, waited for, before the node ran).
play_record "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" 1024 mon
res=$("$ANALYZE" delay "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32")
mon=$("$ANALYZE" delay "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/mon.f32")
added=$(($(kv "$res" lag) - $(kv "$mon" lag)))
note "recording Vocana while the device is busy: $res; added $added samples" \
	"(status: latency $(status_get latency_samples), hand-off $(status_get handoff_delay))"
fcmp "$(kv "$res" snr_db)" '>=' 100 || fail "not the input while the device is busy: $res"
[[ "$added" == "$(status_get latency_samples)" ]] ||
	fail "added $added samples while the service says $(status_get latency_samples)"
pw_wait_until 5 status_is recording no || fail "still recording after the recorder left"
kill -0 "$busy" 2>/dev/null || note "the other application finished early"
check_quiet "device still busy, the recording over"
stop_mic
echo "ok: mic-busy-device" >&2
exit 0
