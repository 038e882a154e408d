#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Load test (suite 'slow', not in the default run): 60 s of recording through the Vocana source
# at quantum 256 while stress-ng keeps every core busy. Reports the xruns the test client saw,
# the service's xruns, deadline misses and breaker trips, and its CPU use. The xruns of the test
# client's own player stream, which does not pass through Vocana, show how much of the damage is
# the loaded graph's rather than the service's. Fails only if the service dies, stops answering or
# stops delivering audio; glitch counts are measurements, not pass/fail.
# It also notes the scheduling class of every thread involved (the audio threads must be SCHED_FIFO,
# the load SCHED_OTHER) and the test client's wake-up probe (pw_play_record -L): how often a
# do-nothing thread at the highest real-time priority woke more than one quantum late, i.e. how
# many xruns the platform alone would cause.
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
stress_pid=$!
pw_track_pid "$stress_pid"
note "$cores stress-ng CPU workers, mode $MODE, quantum $QUANTUM, ${DURATION} s"
t0=$(cpu_ticks "$MIC_PID")
"$PLAYREC" -p "$PW_ENV_DIR/in.f32" -P "$PW_ENV_FAKE_MIC" -r "$PW_ENV_DIR/rec.f32" \
	-R "$MIC_NODE" -q "$QUANTUM" -t $((DURATION + 30)) -L >"$PW_ENV_DIR/playrec.log" 2>&1 &
rec_pid=$!
pw_track_pid "$rec_pid"
pw_wait_until 10 status_is input_state streaming || note "the capture did not start streaming in 10 s"
mapfile -t workers < <(pgrep -P "$stress_pid")
note "scheduling: $(pw_sched_summary "${PW_ENV_DAEMON_PIDS[@]}" "$MIC_PID" "$rec_pid" \
	"$stress_pid" "${workers[@]}" | tr '\n' ';')"
wait "$rec_pid" || fail "the recording did not complete under load: $(cat "$PW_ENV_DIR/playrec.log")"
log=$(cat "$PW_ENV_DIR/playrec.log")
t1=$(cpu_ticks "$MIC_PID")
kill -0 "$MIC_PID" || fail "the service died under load"
status=$("$VOCANA" status --raw) || fail "the service stopped answering"
get() { sed -n "s/^$1=//p" <<<"$status"; }
hz=$(getconf CLK_TCK)
note "test client: $log"
note "service: xruns $(get xruns), deadline misses $(get misses), breaker $(get breaker)" \
	"(trips $(get breaker_trips)), latency $(get latency_samples) samples" \
	"(handoff $(get handoff_delay), switches $(get handoff_switches), recoveries $(get handoff_recoveries)), cycles $(get cycles)," \
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
