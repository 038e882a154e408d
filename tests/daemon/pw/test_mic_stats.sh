#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The 'stats' request of the control socket against a real PipeWire graph:
#   - every key 'vocana monitor' reads is there;
#   - values move when audio flows: frames, model and callback-time counts grow, the input level
#     rises while noisy speech plays, the histograms fill;
#   - worker mode with the model forced slow (test hook VOCANA_TEST_SLOW_MODEL_US, in builds with
#     -Dtest_hooks=true, as scripts/test.sh makes): deadline misses and breaker trips are counted
#     while the recording still flows (dry).
# Usage (from meson): test_mic_stats.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"
# shellcheck source=stats-lib.sh
source "$HERE/stats-lib.sh"

command -v python3 >/dev/null || pw_skip "python3 not installed"
KEYS="pid uptime_s version connected node input mode rate quantum recording strength enabled
model frames frames_denoised misses xruns breaker breaker_trips overflows fifo_fill_samples
latency_samples latency_ms margin_frames input_dbfs output_dbfs vad
model_time_p50_us model_time_p99_us model_time_max_us model_time_mean_us model_time_count
cycle_time_p50_us cycle_time_p99_us cycle_time_max_us cycle_time_mean_us cycle_time_count
model_time_hist cycle_time_hist cpu_time_ms cpu_percent rss_kib worker_realtime"

pw_env_start || fail "could not start the private PipeWire"
"$ANALYZE" gen "$PW_ENV_DIR/in.f32" 6 2>/dev/null || fail "gen"

start_mic --input "$PW_ENV_FAKE_MIC"
reply=$(control_raw stats) || fail "no reply to 'stats'"
[[ "$(head -n1 <<<"$reply")" == ok ]] || fail "stats answered: $(head -n1 <<<"$reply")"
for key in $KEYS; do
	grep -q "^$key=" <<<"$reply" || fail "stats lacks '$key'"
done
# 'status' keys are all in 'stats' too.
for key in $(control_raw status | sed -n 's/=.*//p'); do
	grep -q "^$key=" <<<"$reply" || fail "stats lacks status key '$key'"
done
[[ "$(stats_get model)" == embedded ]] || fail "model is '$(stats_get model)'"
pw_wait_until 10 input_linked || fail "the capture stream is not linked"

frames0=$(stats_get frames)
model0=$(stats_get model_time_count)
cycles0=$(stats_get cycle_time_count)
cpu0=$(stats_get cpu_time_ms)
quiet_db=$(stats_get input_dbfs)
note "idle: frames $frames0, model_time_count $model0, cycle_time_count $cycles0, input $quiet_db dBFS"

# Record while the noisy speech plays, and watch the level from the side.
"$PLAYREC" -p "$PW_ENV_DIR/in.f32" -P "$PW_ENV_FAKE_MIC" -r "$PW_ENV_DIR/rec.f32" -R "$MIC_NODE" \
	-q 1024 -t 30 >"$PW_ENV_DIR/playrec.log" 2>&1 &
rec_pid=$!
# One reply for both levels: the speech has pauses, and a poll takes a while on a busy machine.
loud()
{
	local r
	r=$(control_raw stats)
	loud_db=$(sed -n 's/^input_dbfs=//p' <<<"$r")
	loud_out_db=$(sed -n 's/^output_dbfs=//p' <<<"$r")
	loud_recording=$(sed -n 's/^recording=//p' <<<"$r")
	fcmp "$loud_db" '>' -40 && fcmp "$loud_out_db" '>' -120
}
pw_wait_until 10 loud ||
	fail "levels stayed at input $loud_db / output $loud_out_db dBFS while speech played"
[[ "$loud_recording" == yes ]] || fail "recording is '$loud_recording' during a recording"
wait "$rec_pid" || fail "pw_play_record: $(cat "$PW_ENV_DIR/playrec.log")"

reply=$(control_raw stats)
get() { sed -n "s/^$1=//p" <<<"$reply"; }
((  $(get frames) > frames0 )) || fail "frames did not grow: $frames0 -> $(get frames)"
(( $(get frames_denoised) > 0 )) || fail "no frame denoised"
(( $(get model_time_count) > model0 )) || fail "model_time_count did not grow: $model0 -> $(get model_time_count)"
(( $(get cycle_time_count) > cycles0 )) || fail "cycle_time_count did not grow: $cycles0 -> $(get cycle_time_count)"
(( $(get cpu_time_ms) > cpu0 )) || fail "cpu_time_ms did not grow: $cpu0 -> $(get cpu_time_ms)"
(( $(get model_time_max_us) >= $(get model_time_p50_us) )) || fail "model time max < p50"
[[ -n "$(get model_time_hist)" && -n "$(get cycle_time_hist)" ]] || fail "empty histograms"
# The histogram text adds up to the count.
for h in model_time cycle_time; do
	total=$(get ${h}_hist | tr ',' '\n' | awk -F: '{ s += $2 } END { print s }')
	[[ "$total" == "$(get ${h}_count)" ]] || fail "$h histogram holds $total, count is $(get ${h}_count)"
done
fcmp "$loud_db" '>' "$quiet_db" || fail "input level did not rise: $quiet_db -> $loud_db dBFS"
peak=$("$ANALYZE" stats "$PW_ENV_DIR/rec.f32" | sed -n 's/.*peak=\([^ ]*\).*/\1/p')
fcmp "$peak" '>' 0.01 || fail "the recording is silent (peak $peak)"
note "after a recording: frames $(get frames), model time p50 $(get model_time_p50_us) us" \
	"p99 $(get model_time_p99_us) us (n=$(get model_time_count)), callback p50" \
	"$(get cycle_time_p50_us) us p99 $(get cycle_time_p99_us) us (n=$(get cycle_time_count))," \
	"input peak $loud_db dBFS, fifo $(get fifo_fill_samples), cpu $(get cpu_time_ms) ms"
stop_mic

# Worker mode with a model slower than real time: every frame is late.
if [[ "${VOCANA_TEST_HOOKS:-0}" != 1 ]]; then
	note "built without -Dtest_hooks=true: the slow-model part is skipped"
	echo "ok: mic-stats" >&2
	exit 0
fi
VOCANA_TEST_SLOW_MODEL_US=25000 start_mic --input "$PW_ENV_FAKE_MIC" --mode worker
[[ "$(stats_get test_slow_model_us)" == 25000 ]] || fail "test hook not applied: $(stats_get test_slow_model_us)"
frames0=$(stats_get frames)
play_record "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" 1024 - 1
reply=$(control_raw stats)
(( $(get misses) > 0 )) || fail "slow model: no deadline misses counted"
(( $(get breaker_trips) > 0 )) || fail "slow model: the breaker never tripped (misses $(get misses))"
(( $(get frames) > frames0 )) || fail "slow model: frames did not grow"
(( $(get model_time_p50_us) >= 20000 )) || fail "slow model: model time p50 $(get model_time_p50_us) us"
peak=$("$ANALYZE" stats "$PW_ENV_DIR/rec.f32" | sed -n 's/.*peak=\([^ ]*\).*/\1/p')
fcmp "$peak" '>' 0.01 || fail "slow model: the recording is silent (peak $peak): it must flow dry"
note "slow model: misses $(get misses), breaker trips $(get breaker_trips) ($(get breaker))," \
	"overflows $(get overflows), frames $(get frames) of which denoised $(get frames_denoised)," \
	"recording peak $peak"
stop_mic
echo "ok: mic-stats" >&2
exit 0
