#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Issue #13 item 2: after the input device is destroyed and re-created while an application keeps
# recording (a call goes on through the change), the latency the Vocana Microphone adds must
# return to the engine's own, 599 samples = 12.5 ms. (It stayed one quantum higher for the rest
# of the session: the re-created capture stream joined the graph's driver after the node, so the
# node's callback ran first in every cycle and the hand-off could never return to the same
# cycle.)
#
# Measured by impulse at strength 0 (the service's output is its input delayed): impulses played
# into the fake microphone, recorded through Vocana and on the direct path (the fake mic's
# monitor) in the same graph cycles; the added latency is the difference of the two lags, the
# same for every impulse. A session keeper records the Vocana source the whole time, so nothing
# restarts the session between the measurements. Also reported: how long the latency took to come
# back after the device returned.
# Usage (from meson): test_mic_device_change.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skip.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"

Q=${MIC_TEST_QUANTUM:-256}
RECOVERY_S=20

# The added latency by impulse, in samples, or fails. A run whose impulses are not all found at
# one lag on both paths (the graph glitched) is repeated.
added_by_impulse()
{
	local what=$1 try mon rec
	for try in 1 2 3 4 5; do
		play_record "$PW_ENV_DIR/imp.f32" "$PW_ENV_DIR/rec.f32" "$Q" mon 5
		mon=$("$ANALYZE" lags "$PW_ENV_DIR/imp.f32" "$PW_ENV_DIR/mon.f32")
		rec=$("$ANALYZE" lags "$PW_ENV_DIR/imp.f32" "$PW_ENV_DIR/rec.f32")
		if [[ "$(kv "$rec" found)" == "$(kv "$rec" impulses)" &&
			"$(kv "$mon" found)" == "$(kv "$mon" impulses)" &&
			"$(kv "$rec" lag_min)" == "$(kv "$rec" lag_max)" &&
			"$(kv "$mon" lag_min)" == "$(kv "$mon" lag_max)" ]]; then
			ADDED=$(($(kv "$rec" lag_min) - $(kv "$mon" lag_min)))
			note "$what: added $ADDED samples ($(awk -v a="$ADDED" 'BEGIN { printf "%.2f", a / 48 }') ms;" \
				"$(kv "$rec" found) impulses; status: latency $(status_get latency_samples)," \
				"hand-off $(status_get handoff_delay))"
			# Under heavy load (sanitizer builds, every core busy) a run now and then comes out a
			# quantum off while the service reports no hand-off delay; it is measured again. A
			# latency that is really stuck (issue 13 item 2) is wrong in every run and fails at
			# the caller.
			((ADDED == ${ENGINE:-$ADDED})) && return 0
			continue
		fi
		note "$what: run $try not at one lag (direct: $mon; through Vocana: $rec)"
	done
	[[ -n "${ADDED:-}" ]] && return 0
	fail "$what: no clean measurement in 5 runs"
}

latency_back()
{
	[[ "$(status_get handoff_delay)" == 0 && "$(status_get latency_samples)" == "$ENGINE" ]]
}

now_ms()
{
	date +%s%3N
}

pw_env_start || fail "could not start the private PipeWire"
"$ANALYZE" impulses "$PW_ENV_DIR/imp.f32" 2 250 || fail "pw_analyze impulses"
start_mic --input "$PW_ENV_FAKE_MIC" --strength 0
pw_wait_until 10 input_linked || fail "the capture stream is not linked"

# The session keeper: an application recording the Vocana source throughout.
"$PLAYREC" -n $((48000 * 120)) -r "$PW_ENV_DIR/keep.f32" -R "$MIC_NODE" -q "$Q" -t 150 \
	>"$PW_ENV_DIR/keeper.log" 2>&1 &
keeper=$!
pw_track_pid "$keeper"
pw_wait_until 10 status_is recording yes || fail "the keeper does not record"
pw_wait_until 10 status_is input_state streaming || fail "the capture does not stream"

ENGINE=$(status_get latency_samples)
added_by_impulse "before the change"
((ADDED == ENGINE)) || fail "before the change: added $ADDED samples, the service says $ENGINE"
((ENGINE == 599)) || note "the engine's latency is $ENGINE samples (599 with the embedded model)"

for round in 1 2; do
	pw_fake_mic_destroy || fail "could not remove the fake mic"
	pw_wait_until 5 status_is input "(none)" || fail "input still '$(status_get input)'"
	sleep 0.5 # a call goes on without the device for a moment
	pw_fake_mic_create || fail "could not re-create the fake mic"
	t0=$(now_ms)
	pw_wait_until 5 status_is input "$PW_ENV_FAKE_MIC" || fail "device not re-attached"
	pw_wait_until 10 status_is input_state streaming || fail "the capture does not stream again"
	if ! pw_wait_until "$RECOVERY_S" latency_back; then
		fail "round $round: the latency stayed at $(status_get latency_samples) samples" \
			"(hand-off $(status_get handoff_delay)) for $RECOVERY_S s after the device came back"
	fi
	note "round $round: latency back at $ENGINE samples $(($(now_ms) - t0)) ms after the device" \
		"came back (reorders $(status_get reorders), hand-off recoveries" \
		"$(status_get handoff_recoveries))"
	added_by_impulse "after device change $round"
	((ADDED == ENGINE)) ||
		fail "after device change $round: added $ADDED samples, not the engine's $ENGINE"
done
kill -0 "$keeper" 2>/dev/null || fail "the keeper's recording broke: $(cat "$PW_ENV_DIR/keeper.log")"
status_is recording yes || fail "the session ended"
stop_mic
echo "ok: mic-device-change" >&2
exit 0
