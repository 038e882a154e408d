#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Issue #13 item 3: a stall of the service (SIGSTOP for 0.3, 1 and 2 s while an application
# records) loses that much audio: every one must be counted as an xrun, with its length, in
# 'status', in 'vocana monitor' and in /metrics. (A jump of the graph position by more than 16
# quanta used to pass for "nobody recorded meanwhile", so no long stall was ever counted.)
# Also: the recording goes on after each stall, and the latency comes back to the engine's.
# Usage (from meson): test_mic_stall.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"

Q=256
PORT=$((20000 + RANDOM % 20000))
STALLS=(0.3 1.0 2.0)

metric()
{
	curl -s "http://127.0.0.1:$PORT/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}

pw_env_start || fail "could not start the private PipeWire"
command -v curl >/dev/null || pw_skip "curl not installed"
"$ANALYZE" gen "$PW_ENV_DIR/in.f32" 14 2>/dev/null || fail "gen"
start_mic --input "$PW_ENV_FAKE_MIC" --strength 0 --metrics-port "$PORT"
pw_wait_until 10 input_linked || fail "the capture stream is not linked"
"$PLAYREC" -p "$PW_ENV_DIR/in.f32" -P "$PW_ENV_FAKE_MIC" -r "$PW_ENV_DIR/rec.f32" -R "$MIC_NODE" \
	-q "$Q" -t 60 >"$PW_ENV_DIR/playrec.log" 2>&1 &
rec=$!
pw_track_pid "$rec"
pw_wait_until 10 status_is recording yes || fail "the recording did not start"
sleep 1.5
x0=$(status_get xruns)
l0=$(status_get xrun_lost_ms)
[[ -n "$l0" ]] || fail "'status' has no xrun_lost_ms"
total=0
for s in "${STALLS[@]}"; do
	before=$(status_get xruns)
	kill -STOP "$MIC_PID"
	sleep "$s"
	kill -CONT "$MIC_PID"
	sleep 1
	after=$(status_get xruns)
	note "stall of $s s: xruns $before -> $after, lost $(status_get xrun_lost_ms) ms in all," \
		"longest $(status_get xrun_max_ms) ms"
	((after > before)) || fail "a stall of $s s was not counted (xruns $before -> $after)"
	total=$(awk -v a="$total" -v b="$s" 'BEGIN { print a + b }')
	sleep 1
done
wait "$rec" || fail "the recording broke: $(cat "$PW_ENV_DIR/playrec.log")"
x1=$(status_get xruns)
l1=$(status_get xrun_lost_ms)
m1=$(status_get xrun_max_ms)
lost_s=$(awk -v a="$l0" -v b="$l1" 'BEGIN { print (b - a) / 1000 }')
note "all stalls: $total s stopped; xruns $x0 -> $x1, audio lost $lost_s s, longest gap $m1 ms"
# The process stops and resumes within a few ms of sleep's time; a busy machine adds some.
fcmp "$lost_s" '>=' "$(awk -v t="$total" 'BEGIN { print 0.85 * t }')" ||
	fail "lost $lost_s s of audio counted for $total s of stalls"
fcmp "$lost_s" '<=' "$(awk -v t="$total" 'BEGIN { print t + 0.6 }')" ||
	fail "lost $lost_s s of audio counted for $total s of stalls"
fcmp "$m1" '>=' 1700 || fail "the longest gap is $m1 ms (a 2 s stall)"
fcmp "$m1" '<=' 2600 || fail "the longest gap is $m1 ms (a 2 s stall)"

# The same figures in /metrics (seconds) and in the monitor.
ml=$(metric vocana_xrun_lost_seconds_total)
mm=$(metric vocana_xrun_max_seconds)
mx=$(metric vocana_xruns_total)
note "/metrics: vocana_xruns_total $mx, vocana_xrun_lost_seconds_total $ml, vocana_xrun_max_seconds $mm"
[[ "$mx" == "$x1" ]] || fail "/metrics has $mx xruns, status $x1"
fcmp "$ml" '==' "$(awk -v l="$l1" 'BEGIN { print l / 1000 }')" || fail "/metrics lost $ml s, status $l1 ms"
fcmp "$mm" '>=' 1.7 || fail "/metrics: longest gap $mm s"
json=$("$VOCANA" monitor --json --once) || fail "vocana monitor --json --once"
grep -q "\"xrun_lost_ms\":$l1[,}]" <<<"$json" || fail "the monitor lacks xrun_lost_ms=$l1: $json"
grep -q "\"xrun_max_ms\":" <<<"$json" || fail "the monitor lacks xrun_max_ms"

# After the stalls the service records exactly again, at its own latency.
play_record "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" 1024
res=$("$ANALYZE" delay "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32")
note "after the stalls: $res; latency $(status_get latency_samples) samples"
fcmp "$(kv "$res" snr_db)" '>=' 100 || fail "not the input after the stalls: $res"
stop_mic
echo "ok: mic-stall" >&2
exit 0
