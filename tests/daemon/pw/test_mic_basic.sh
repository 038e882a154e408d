#!/bin/bash
# SPDX-License-Identifier: MIT
#
# 'vocana mic' end to end against a private PipeWire + WirePlumber + pipewire-pulse:
#   - the "Vocana Microphone" source is listed by pactl while the service runs;
#   - idle: no CPU while nobody records (passive capture), resident memory reported;
#   - control: status / set strength / disable / enable over the socket, bad values refused,
#     another user refused, settings saved and restored on the next start;
#   - strength 0: the recording is the fake mic's input delayed, sample for sample, and the added
#     latency per quantum (128, 256, 512, 1024) is measured against the fake mic's monitor;
#   - bypass (disable) is also the exact delayed input;
#   - strength 100: the recording equals the engine run offline over the same samples;
#   - install-service writes the systemd user unit (no user manager runs here); from the build tree
#     only with --build-tree.
# Usage (from meson): test_mic_basic.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"

pw_env_start || fail "could not start the private PipeWire"
start_mic --input "$PW_ENV_FAKE_MIC"
note "service pid $MIC_PID"

# ---- the source --------------------------------------------------------------------------
source_listed || fail "vocana_mic not in 'pactl list sources short'"
pactl list sources 2>/dev/null | grep -q "Description: Vocana Microphone" ||
	fail "no source described as 'Vocana Microphone'"
pw_wait_until 5 status_is input "$PW_ENV_FAKE_MIC" || fail "status input is '$(status_get input)'"
status_is running yes || fail "status running"
status_is strength 100 || fail "default strength is '$(status_get strength)', not 100"
status_is enabled yes || fail "not enabled by default"

# ---- idle: nobody records ---------------------------------------------------------------------
measure_idle 3
hz=$(getconf CLK_TCK)
idle_pct=$(awk -v d="$IDLE_TICKS" -v hz="$hz" 'BEGIN { printf "%.2f", 100 * d / hz / 3 }')
rss_kib=$(awk '/^VmRSS/ {print $2}' "/proc/$MIC_PID/status")
note "idle: $IDLE_WAKEUPS wake-ups, CPU $idle_pct % of a core over 3 s ($IDLE_TICKS ticks); RSS $rss_kib KiB"
assert_idle "idle (the capture is passive)" 3
status_is recording no || fail "status says recording while idle"

# ---- control --------------------------------------------------------------------------------
out=$("$VOCANA" set strength 42) || fail "set strength 42"
[[ "$out" == "strength: 42" ]] || fail "set printed '$out'"
status_is strength 42 || fail "status strength after set: $(status_get strength)"
conf="$XDG_CONFIG_HOME/vocana/vocana.conf"
grep -qx "strength = 42" "$conf" || fail "strength not saved in $conf"
"$VOCANA" set strength 101 2>/dev/null && fail "strength 101 accepted"
"$VOCANA" set strength 101 >/dev/null 2>&1
[[ $? -eq 2 ]] || fail "strength 101: expected usage status 2"
"$VOCANA" set loudness 5 >/dev/null 2>&1 && fail "unknown setting accepted"
"$VOCANA" disable >/dev/null || fail "disable"
status_is enabled no || fail "status enabled after disable"
grep -qx "enabled = false" "$conf" || fail "disable not saved"
"$VOCANA" enable >/dev/null || fail "enable"
status_is enabled yes || fail "status enabled after enable"
# Another user: the 0700 runtime directory already keeps them out (the SO_PEERCRED check
# behind it is tested directly in test_service_control).
if command -v setpriv >/dev/null && [[ $(id -u) -eq 0 ]]; then
	msg=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$VOCANA" status 2>&1)
	rc=$?
	[[ $rc -eq 1 ]] || fail "another user got status $rc from 'vocana status': $msg"
	grep -q "permission denied" <<<"$msg" || fail "another user was not refused: $msg"
	note "another user: $msg"
else
	note "not root: cross-user check skipped (see test_service_control)"
fi

# ---- strength 0: exact delayed input, latency per quantum ------------------------------------
"$VOCANA" set strength 0 >/dev/null || fail "set strength 0"
"$ANALYZE" gen "$PW_ENV_DIR/in1.f32" 1 2>/dev/null || fail "gen"
engine_latency=$(status_get latency_samples)
for q in 1024 512 256 128; do
	t0=$(cpu_ticks "$MIC_PID")
	w0=$(date +%s.%N)
	# Only quantum 1024 is asserted (and retried); the smaller ones are measured once and
	# reported: on a busy 2-core machine their graph glitches by itself.
	play_record "$PW_ENV_DIR/in1.f32" "$PW_ENV_DIR/rec.f32" "$q" mon $((q == 1024 ? 5 : 1))
	t1=$(cpu_ticks "$MIC_PID")
	w1=$(date +%s.%N)
	mon=$("$ANALYZE" delay "$PW_ENV_DIR/in1.f32" "$PW_ENV_DIR/mon.f32")
	rec=$("$ANALYZE" delay "$PW_ENV_DIR/in1.f32" "$PW_ENV_DIR/rec.f32")
	added=$(($(kv "$rec" lag) - $(kv "$mon" lag)))
	note "quantum $q: direct path lag $(kv "$mon" lag), through Vocana $(kv "$rec" lag)" \
		"(corr $(kv "$rec" corr), snr $(kv "$rec" snr_db) dB): added $added samples" \
		"= $(awk -v a=$added 'BEGIN { printf "%.2f", a / 48 }') ms;" \
		"status: $(status_get latency_samples) samples, handoff $(status_get handoff_delay);" \
		"service CPU $(awk -v d=$((t1 - t0)) -v hz="$hz" -v w0="$w0" -v w1="$w1" \
			'BEGIN { printf "%.1f", 100 * d / hz / (w1 - w0) }') % of a core while recording"
	if [[ $q -eq 1024 ]]; then
		# Quantum 1024 runs clean even on a loaded machine: here the check is exact.
		fcmp "$(kv "$rec" snr_db)" '>=' 100 ||
			fail "strength 0 at quantum 1024 is not the delayed input: $rec"
		# Vocana adds the engine's latency, give or take one quantum of graph ordering (the
		# direct and the Vocana capture may run on either side of the player in a cycle).
		((added >= engine_latency - q && added <= engine_latency + 2 * q)) ||
			fail "added latency $added samples, engine latency $engine_latency"
	fi
done
note "longest audio callback so far: $(status_get process_max_us) us"

# ---- bypass: also the exact delayed input -------------------------------------------------------
"$VOCANA" set strength 100 >/dev/null || fail "set strength 100"
"$VOCANA" disable >/dev/null || fail "disable"
play_record "$PW_ENV_DIR/in1.f32" "$PW_ENV_DIR/rec.f32" 1024
rec=$("$ANALYZE" delay "$PW_ENV_DIR/in1.f32" "$PW_ENV_DIR/rec.f32")
note "bypass: $rec"
fcmp "$(kv "$rec" snr_db)" '>=' 100 || fail "bypass is not the delayed input: $rec"
"$VOCANA" enable >/dev/null || fail "enable"

# ---- strength 100: the same as the engine offline ------------------------------------------------
"$ANALYZE" gen "$PW_ENV_DIR/in3.f32" 3 2>/dev/null || fail "gen"
play_record "$PW_ENV_DIR/in3.f32" "$PW_ENV_DIR/rec.f32" 1024
res=$("$ANALYZE" offline "$PW_ENV_DIR/in3.f32" "$PW_ENV_DIR/rec.f32" 1024 100) ||
	fail "offline comparison failed"
note "denoised vs offline engine: $res"
fcmp "$(kv "$res" corr)" '>=' 0.999 || fail "denoised recording differs from offline: $res"
# Not bit-exact: the service's model may have heard a few more frames of silence before the
# recording than the offline run (the feature normalisation remembers about a second), which a
# trained model turns into differences around -55 dB. A different signal would be below 20 dB.
fcmp "$(kv "$res" snr_db)" '>=' 40 || fail "denoised recording differs from offline: $res"
# ...and really denoised, not passed through: it must differ from the input.
rec=$("$ANALYZE" delay "$PW_ENV_DIR/in3.f32" "$PW_ENV_DIR/rec.f32")
fcmp "$(kv "$rec" snr_db)" '<' 20 || fail "strength 100 output equals the input: $rec"

# ---- settings survive a restart; clean exit ----------------------------------------------------------
"$VOCANA" set strength 65 >/dev/null || fail "set strength 65"
"$VOCANA" disable >/dev/null || fail "disable"
stop_mic
pw_wait_until 5 source_gone || fail "the source stayed after the service stopped"
msg=$("$VOCANA" status 2>&1)
[[ $? -eq 1 ]] || fail "status without a service should exit 1"
grep -q "not running" <<<"$msg" || fail "unclear message without a service: $msg"
note "no service: $msg"
start_mic --input "$PW_ENV_FAKE_MIC"
status_is strength 65 || fail "strength not restored: $(status_get strength)"
status_is enabled no || fail "bypass not restored"
# A second instance refuses to start and leaves the first alone.
timeout 10 "$VOCANA" mic --input "$PW_ENV_FAKE_MIC" >"$PW_ENV_DIR/second.log" 2>&1 && fail "second instance ran"
grep -q "already running" "$PW_ENV_DIR/second.log" || fail "second instance: $(cat "$PW_ENV_DIR/second.log")"
status_is running yes || fail "first instance hurt by the second"
stop_mic

# ---- install-service: the unit lands in the user's systemd directory; no user manager here --------
# From the build tree it never runs this program unasked: it takes the installed vocana (if this
# machine has one) or refuses, naming --build-tree.
unit="$XDG_CONFIG_HOME/systemd/user/vocana.service"
exe=$(readlink -f "$VOCANA")
if msg=$("$VOCANA" install-service --no-enable 2>&1); then
	grep -q "runs the installed" <<<"$msg" || fail "install-service from the build tree said: $msg"
	grep -q "ExecStart=\"$exe\"" "$unit" && fail "install-service used the build tree's program: $msg"
	rm -f "$unit"
else
	grep -q "runs from a build tree.*--build-tree" <<<"$msg" ||
		fail "install-service from the build tree refused with: $msg"
	[[ ! -e "$unit" ]] || fail "install-service refused but wrote $unit"
fi
msg=$("$VOCANA" install-service --build-tree 2>&1) || fail "install-service --build-tree: $msg"
grep -qxF "ExecStart=\"$exe\" mic" "$unit" || fail "unit ExecStart: $(grep ExecStart "$unit")"
grep -qx "Restart=on-failure" "$unit" || fail "unit without Restart=on-failure"
grep -q "no systemd user manager" <<<"$msg" || fail "install-service without systemd said: $msg"
echo "ok: mic-basic" >&2
exit 0
