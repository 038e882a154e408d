#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The Vocana Microphone measured through a real (private, hardware-less) PipeWire graph:
#   - pipeline.latency.qN: latency Vocana adds at graph quantum N (128, 256, 512, 1024), in ms:
#     at strength 0 the service's output is its input delayed, so the lag of a known signal in
#     the recording minus its lag on the direct path (the fake mic's monitor) is what Vocana adds;
#   - service.cpu.idle: the service's CPU (% of one core) over a window where nobody records;
#   - service.cpu.active: the same while a client records at strength 100 (quantum 256);
#   - service.cpu.active.model: the part of it the model took (the service's own per-frame model
#     times, summed over the same windows); the rest is mostly the cost of being a PipeWire client
#     (a wake-up and four system calls per graph cycle);
#   - service.rss: resident memory (VmRSS) after those recordings.
# And the Vocana Speaker (turned on after that, playing into a stereo null sink, the default):
#   - pipeline.speaker.latency.qN: what it adds at quantum N, by impulse against the direct path
#     (the same impulses played straight into the sink), both channels alike;
#   - service.cpu.both: the service's CPU while audio flows through both directions at once
#     (a recording of the mic and a stereo player into the speaker, strength 100, quantum 256);
#   - service.cpu.both_ratio: service.cpu.both's median over service.cpu.active's (issue 14's
#     target: at most 2, i.e. the stereo speaker costs no more than the mono mic);
#   - service.rss.both: resident memory with both directions running.
# Run by 'vocana bench pipeline' (src/cli/bench/bench_latency.c), or by hand:
#   bench/latency.sh VOCANA PW_PLAY_RECORD PW_ANALYZE [--quick]
# Output on stdout, one line per figure:
#   stat name=NAME unit=UNIT median=M p99=P min=A max=B repeats=N
#   unmeasured name=NAME reason=glitches      (no xrun-free recording at that quantum)
# Exit 77 without the PipeWire binaries. Set VOCANA_BENCH_VERBOSE=1 for progress notes on stderr.
# shellcheck source-path=SCRIPTDIR/..
set -u
# shellcheck source=bench/bench-lib.sh
source "$(dirname "$0")/bench-lib.sh"

QUICK=0
[[ "${4:-}" == --quick ]] && QUICK=1
if ((QUICK)); then
	QUANTA=(256 1024)
	REPEATS=1
	IDLE_S=1
else
	QUANTA=(128 256 512 1024)
	REPEATS=3
	IDLE_S=3
fi
# Recordings per quantum before giving up on it: each repeat may be retried, but a quantum the
# machine cannot sustain costs at most this many runs (~3.5 s each).
MAX_RUNS=$((REPEATS + 4))
RATE=48000

# One recording that no part of the chain glitched in: returns 1 if the graph (the player or the
# service) skipped cycles. play_record's own retries are off (1 try): we count them here.
clean_play_record()
{
	local xb xa
	xb=$(status_get xruns)
	play_record "$@" 1
	xa=$(status_get xruns)
	! grep -q "play cycles=[0-9]* xruns=[1-9]" <<<"$LAST_PLAYREC_LOG" && [[ "${xa:-0}" == "${xb:-0}" ]]
}

# Microseconds the service's model has run in total (mean x count of its model-time telemetry,
# from 'vocana monitor'); nothing if the service does not say.
model_us_total()
{
	local j m c
	j=$("$VOCANA" monitor --json --once 2>/dev/null) || return 0
	m=$(sed -n 's/.*"model_time_mean_us":\([0-9.]*\).*/\1/p' <<<"$j")
	c=$(sed -n 's/.*"model_time_count":\([0-9]*\).*/\1/p' <<<"$j")
	[[ -n "$m" && -n "$c" ]] && awk -v m="$m" -v c="$c" 'BEGIN { printf "%.0f\n", m * c }'
	return 0
}

pw_env_start || fail "could not start the private PipeWire"
start_mic --input "$PW_ENV_FAKE_MIC"
note "service pid $MIC_PID"
"$ANALYZE" gen "$PW_ENV_DIR/in.f32" 1 2>/dev/null || fail "pw_analyze gen"

# ---- idle: the capture is linked but nobody records ------------------------------------------
pw_wait_until 10 input_linked || fail "the capture stream is not linked"
t0=$(cpu_ns "$MIC_PID")
w0=$(date +%s.%N)
sleep "$IDLE_S"
t1=$(cpu_ns "$MIC_PID")
w1=$(date +%s.%N)
emit_stat service.cpu.idle %core "$(cpu_pct_ns $((t1 - t0)) "$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')")"

# ---- latency per quantum, strength 0 ------------------------------------------------------------
"$VOCANA" set strength 0 >/dev/null || fail "set strength 0"
for q in "${QUANTA[@]}"; do
	ms=()
	for ((run = 0; run < MAX_RUNS && ${#ms[@]} < REPEATS; run++)); do
		if ! clean_play_record "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" "$q" mon; then
			note "quantum $q: run $run glitched"
			continue
		fi
		mon=$("$ANALYZE" delay "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/mon.f32") || fail "analyze mon"
		rec=$("$ANALYZE" delay "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32") || fail "analyze rec"
		# A recording that is not the delayed input (snr below 100 dB) has no meaningful lag.
		if ! fcmp "$(kv "$rec" snr_db)" '>=' 100; then
			note "quantum $q: run $run is not the delayed input ($rec)"
			continue
		fi
		added=$(($(kv "$rec" lag) - $(kv "$mon" lag)))
		ms+=("$(awk -v a="$added" -v r="$RATE" 'BEGIN { printf "%.3f", 1000 * a / r }')")
		note "quantum $q: added $added samples ($rec; direct $mon)"
	done
	if ((${#ms[@]} > 0)); then
		emit_stat "pipeline.latency.q$q" ms "${ms[@]}"
	else
		echo "unmeasured name=pipeline.latency.q$q reason=glitches"
	fi
done

# ---- active: a client records at strength 100 (the denoiser runs) --------------------------------
"$VOCANA" set strength 100 >/dev/null || fail "set strength 100"
pct=()
model_pct=()
for ((run = 0; run < REPEATS; run++)); do
	# Asked outside the window: answering costs the service CPU too.
	m0=$(model_us_total)
	t0=$(cpu_ns "$MIC_PID")
	w0=$(date +%s.%N)
	# Glitches do not matter here: the service did its work either way.
	play_record "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" 256 - 1
	t1=$(cpu_ns "$MIC_PID")
	w1=$(date +%s.%N)
	m1=$(model_us_total)
	wall=$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')
	pct+=("$(cpu_pct_ns $((t1 - t0)) "$wall")")
	# A replaced engine starts its telemetry over: that window has no model figure.
	if [[ -n "$m0" && -n "$m1" ]] && ((m1 >= m0)); then
		model_pct+=("$(awk -v d=$((m1 - m0)) -v w="$wall" 'BEGIN { printf "%.3f", d / 1e4 / w }')")
	fi
done
active_stat=$(emit_stat service.cpu.active %core "${pct[@]}")
echo "$active_stat"
if ((${#model_pct[@]} > 0)); then
	emit_stat service.cpu.active.model %core "${model_pct[@]}"
else
	echo "unmeasured name=service.cpu.active.model unit=%core reason=no-model-telemetry"
fi

rss_kib=$(awk '/^VmRSS/ { print $2 }' "/proc/$MIC_PID/status")
emit_stat service.rss MiB "$(awk -v k="$rss_kib" 'BEGIN { printf "%.2f", k / 1024 }')"

# ---- the Vocana Speaker ---------------------------------------------------------------------
spk_out_create || fail "could not create the loudspeaker sink"
"$VOCANA" enable speaker >/dev/null || fail "enable speaker"
pw_wait_until 10 speaker_listed || fail "the Vocana Speaker did not appear"
pw_wait_until 10 spk_output_linked || fail "the speaker does not play into $SPK_OUT"
"$ANALYZE" impulses "$PW_ENV_DIR/imp.f32" 2 250 || fail "pw_analyze impulses"
"$ANALYZE" interleave "$PW_ENV_DIR/imp2.f32" "$PW_ENV_DIR/imp.f32" "$PW_ENV_DIR/imp.f32" ||
	fail "interleave"
"$VOCANA" set speaker.strength 0 >/dev/null || fail "set speaker.strength 0"
for q in "${QUANTA[@]}"; do
	ms=()
	for ((run = 0; run < MAX_RUNS && ${#ms[@]} < REPEATS; run++)); do
		spk_play_record "$PW_ENV_DIR/imp2.f32" "$PW_ENV_DIR/direct.f32" "$q" 2 "$SPK_OUT"
		spk_lags "$PW_ENV_DIR/direct.f32" 2 "$PW_ENV_DIR/imp.f32" || continue
		direct=$LAG_L
		spk_play_record "$PW_ENV_DIR/imp2.f32" "$PW_ENV_DIR/srec.f32" "$q" 2 "$SPK_NODE"
		spk_lags "$PW_ENV_DIR/srec.f32" 2 "$PW_ENV_DIR/imp.f32" || continue
		((LAG_L == LAG_R)) || continue
		ms+=("$(awk -v a=$((LAG_L - direct)) -v r="$RATE" 'BEGIN { printf "%.3f", 1000 * a / r }')")
	done
	if ((${#ms[@]} > 0)); then
		emit_stat "pipeline.speaker.latency.q$q" ms "${ms[@]}"
	else
		echo "unmeasured name=pipeline.speaker.latency.q$q reason=glitches"
	fi
done
"$VOCANA" set speaker.strength 100 >/dev/null || fail "set speaker.strength 100"
"$ANALYZE" gen "$PW_ENV_DIR/long.f32" 12 2>/dev/null || fail "pw_analyze gen"
"$ANALYZE" interleave "$PW_ENV_DIR/long2.f32" "$PW_ENV_DIR/long.f32" "$PW_ENV_DIR/long.f32" ||
	fail "interleave"
"$PLAYREC" -p "$PW_ENV_DIR/long2.f32" -P "$SPK_NODE" -r "$PW_ENV_DIR/srec.f32" -R "$SPK_OUT" -S \
	-c 2 -q 256 -t 60 >/dev/null 2>&1 &
spk_player=$!
pw_track_pid "$spk_player"
pct=()
for ((run = 0; run < REPEATS; run++)); do
	t0=$(cpu_ns "$MIC_PID")
	w0=$(date +%s.%N)
	play_record "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" 256 - 1
	t1=$(cpu_ns "$MIC_PID")
	w1=$(date +%s.%N)
	pct+=("$(cpu_pct_ns $((t1 - t0)) "$(awk -v a="$w0" -v b="$w1" 'BEGIN { print b - a }')")")
done
status_is speaker.playing yes || note "the speaker's player ended before the measurement did"
both_stat=$(emit_stat service.cpu.both %core "${pct[@]}")
echo "$both_stat"
emit_stat service.cpu.both_ratio x "$(awk -v b="$(stat_median "$both_stat")" \
	-v a="$(stat_median "$active_stat")" 'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }')"
rss_kib=$(awk '/^VmRSS/ { print $2 }' "/proc/$MIC_PID/status")
emit_stat service.rss.both MiB "$(awk -v k="$rss_kib" 'BEGIN { printf "%.2f", k / 1024 }')"
kill "$spk_player" 2>/dev/null
exit 0
