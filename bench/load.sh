#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The Vocana Microphone under full CPU load, through a real (private, hardware-less) PipeWire:
# one recording of the Vocana source at quantum 256, strength 100, 60 s (10 s with --quick), while
# every core is kept busy (stress-ng --cpu if installed, else one busy shell loop per core).
# Figures, each one run (repeats=1):
#   load.xruns            the service's xruns over the recording ('vocana status': xruns)
#   load.misses           late model frames (deadline misses) over the recording ('misses')
#   load.xruns_per_hour   (xruns + misses) per hour of recording: what the target judges
#   load.client_xruns     the test player's own xruns: its stream does not pass through Vocana,
#                         so this is how much the loaded graph itself glitched
#   load.cpu              the service's CPU over the recording, % of one core
#   load.late_wakeups     the platform's share: wake-ups of the test client's probe thread (highest
#                         SCHED_FIFO priority, sleeping one quantum at a time; pw_play_record -L)
#                         that came more than one quantum late. Each would be an xrun for any
#                         audio thread, whatever its priority.
#   load.non_rt_audio     how many of the audio processes (pipewire, vocana, the client) have no
#                         SCHED_FIFO/RR thread: should be 0 (module-rt got real-time priority)
# The same scenario as the 'slow' test tests/daemon/pw/load_test.sh, which pass/fails only on the service
# surviving; this script measures. Run by 'vocana bench load' (src/cli/bench/bench_latency.c) or by hand:
#   bench/load.sh VOCANA PW_PLAY_RECORD PW_ANALYZE [--quick]
# Output: 'stat ...' lines as bench/latency.sh; exit 77 without the PipeWire binaries.
# Environment: VOCANA_BENCH_VERBOSE=1 for progress notes on stderr.
set -u
# shellcheck source=bench/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

DURATION=60
[[ "${4:-}" == --quick ]] && DURATION=10
QUANTUM=256

# Keep every core busy for $1 seconds; the processes are stopped at exit by pw-env.sh.
# LOAD_PIDS: the load's processes (to check that they stay at normal priority).
LOAD_PIDS=()
start_cpu_load()
{
	local cores i
	cores=$(nproc)
	if command -v stress-ng >/dev/null; then
		stress-ng --cpu "$cores" --timeout "$1s" --quiet &
		pw_track_pid $!
		LOAD_PIDS+=($!)
		note "$cores stress-ng CPU workers"
	else
		for ((i = 0; i < cores; i++)); do
			timeout "$1" bash -c 'while :; do :; done' &
			pw_track_pid $!
			LOAD_PIDS+=($!)
		done
		note "$cores busy loops (stress-ng not installed)"
	fi
}

pw_env_start || fail "could not start the private PipeWire"
"$ANALYZE" gen "$PW_ENV_DIR/in.f32" "$DURATION" 2>/dev/null || fail "pw_analyze gen"
start_mic --input "$PW_ENV_FAKE_MIC" --strength 100
pw_wait_until 10 input_linked || fail "the capture stream is not linked"

start_cpu_load $((DURATION + 15))
x0=$(status_get xruns)
m0=$(status_get misses)
t0=$(cpu_ns "$MIC_PID")
w0=$(date +%s.%N)
"$PLAYREC" -p "$PW_ENV_DIR/in.f32" -P "$PW_ENV_FAKE_MIC" -r "$PW_ENV_DIR/rec.f32" \
	-R "$MIC_NODE" -q "$QUANTUM" -t $((DURATION + 30)) -L >"$PW_ENV_DIR/playrec.log" 2>&1 &
rec_pid=$!
pw_track_pid "$rec_pid"
pw_wait_until 10 status_is input_state streaming || note "the capture did not start streaming in 10 s"
sched=$(pw_sched_summary "${PW_ENV_DAEMON_PIDS[0]}" "$MIC_PID" "$rec_pid")
mapfile -t workers < <(pgrep -P "${LOAD_PIDS[0]}")
note "scheduling: $(tr '\n' ';' <<<"$sched") load: $(pw_sched_summary "${LOAD_PIDS[@]}" \
	"${workers[@]}" | tr '\n' ';')"
wait "$rec_pid" || fail "the recording did not complete under load: $(cat "$PW_ENV_DIR/playrec.log")"
log=$(cat "$PW_ENV_DIR/playrec.log")
w1=$(date +%s.%N)
t1=$(cpu_ns "$MIC_PID")
kill -0 "$MIC_PID" 2>/dev/null || fail "the service died under load"
x1=$(status_get xruns)
m1=$(status_get misses)
[[ -n "$x1" && -n "$m1" ]] || fail "the service stopped answering"
note "test client: $log"

wall=$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')
xruns=$((x1 - ${x0:-0}))
misses=$((m1 - ${m0:-0}))
client_xruns=$(sed -n 's/.*\[play cycles=[0-9]* xruns=\([0-9]*\).*/\1/p' <<<"$log")
emit_stat load.xruns count "$xruns"
emit_stat load.misses count "$misses"
emit_stat load.xruns_per_hour /h "$(awk -v n=$((xruns + misses)) -v s="$DURATION" \
	'BEGIN { printf "%.4g", n * 3600 / s }')"
if [[ -n "$client_xruns" ]]; then
	emit_stat load.client_xruns count "$client_xruns"
else
	echo "unmeasured name=load.client_xruns unit=count reason=no_client_report"
fi
emit_stat load.cpu %core "$(cpu_pct_ns $((t1 - t0)) "$wall")"
late=$(sed -n 's/.*\[probe rt=1 wakeups=[0-9]* late=\([0-9]*\).*/\1/p' <<<"$log")
if [[ -n "$late" ]]; then
	emit_stat load.late_wakeups count "$late"
else
	echo "unmeasured name=load.late_wakeups unit=count reason=probe_not_realtime"
fi
emit_stat load.non_rt_audio count "$(grep -cv ' FF\| RR' <<<"$sched")"

stats=$("$ANALYZE" stats "$PW_ENV_DIR/rec.f32")
note "recording: $stats"
fcmp "$(kv "$stats" rms)" '>' 0.001 || fail "the recording under load is silent: $stats"
exit 0
