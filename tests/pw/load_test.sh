#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Load test (suite 'slow', not in the default run): 60 s of recording through the Vocana source
# at quantum 256 while stress-ng keeps every core busy. Reports the xruns the test client saw,
# the service's xruns, deadline misses and breaker trips, and its CPU use. The xruns of the test
# client's own player stream, which does not pass through Vocana, show how much of the damage is
# the loaded graph's rather than the service's. Fails only if the service dies, stops answering or
# stops delivering audio; glitch counts are measurements, not pass/fail.
#
#   load_test.sh VOCANA PW_PLAY_RECORD PW_ANALYZE
#   environment: MODE=worker|inline (default worker), SECONDS_LOADED=60, QUANTUM=256
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"

MODE=${MODE:-worker}
DURATION=${SECONDS_LOADED:-60}
QUANTUM=${QUANTUM:-256}
command -v stress-ng >/dev/null || pw_skip "stress-ng not installed"

pw_env_start || fail "could not start the private PipeWire"
"$ANALYZE" gen "$PW_ENV_DIR/in.f32" "$DURATION" 2>/dev/null || fail "gen"
start_mic --input "$PW_ENV_FAKE_MIC" --mode "$MODE" --strength 100

pw_wait_until 10 input_linked || fail "the capture stream is not linked"
cores=$(nproc)
stress-ng --cpu "$cores" --timeout $((DURATION + 10))s --quiet &
pw_track_pid $!
note "$cores stress-ng CPU workers, mode $MODE, quantum $QUANTUM, ${DURATION} s"
t0=$(cpu_ticks "$MIC_PID")
log=$("$PLAYREC" -p "$PW_ENV_DIR/in.f32" -P "$PW_ENV_FAKE_MIC" -r "$PW_ENV_DIR/rec.f32" \
	-R "$MIC_NODE" -q "$QUANTUM" -t $((DURATION + 30)) 2>&1) ||
	fail "the recording did not complete under load: $log"
t1=$(cpu_ticks "$MIC_PID")
kill -0 "$MIC_PID" || fail "the service died under load"
status=$("$VOCANA" status --raw) || fail "the service stopped answering"
get() { sed -n "s/^$1=//p" <<<"$status"; }
hz=$(getconf CLK_TCK)
note "test client: $log"
note "service: xruns $(get xruns), deadline misses $(get misses), breaker $(get breaker)" \
	"(trips $(get breaker_trips)), latency $(get latency_samples) samples" \
	"(handoff $(get handoff_delay), switches $(get handoff_switches)), cycles $(get cycles)," \
	"cycles without input $(get cycles_without_input), model p99 $(get model_p99_us) us," \
	"max callback $(get process_max_us) us"
note "service CPU over the run: $(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$DURATION" \
	'BEGIN { printf "%.2f", 100 * d / hz / (s + 1.7) }') % of a core; RSS $(get rss_kib) KiB"
stats=$("$ANALYZE" stats "$PW_ENV_DIR/rec.f32")
note "recording: $stats"
fcmp "$(kv "$stats" rms)" '>' 0.001 || fail "the recording under load is silent: $stats"
stop_mic
echo "ok: load test finished" >&2
exit 0
