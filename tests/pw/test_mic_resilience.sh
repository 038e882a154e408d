#!/bin/bash
# SPDX-License-Identifier: MIT
#
# 'vocana mic' when the world changes under it:
#   - the capture device disappears: the Vocana source stays listed and records silence; when the
#     device comes back the service captures it again and the audio is exact again;
#   - --input names a device that does not exist: one warning in the log, 'status' and 'monitor'
#     show it as not found, and the service captures it as soon as it appears;
#   - PipeWire (and WirePlumber, pipewire-pulse) restart: the service reconnects by itself and
#     the source is listed again, with exact audio;
#   - following the default source (no --input): a new default is followed, Vocana itself as the
#     default is not (it keeps the last real device), a vanished default falls back;
#   - SIGTERM: exit status 0, socket removed, source gone.
# Usage (from meson): test_mic_resilience.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"

# Strength 0: the recording is the input delayed, so "the audio is back" is an exact check.
check_exact()
{
	local what=$1 rec
	play_record "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" 1024
	rec=$("$ANALYZE" delay "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32")
	note "$what: $rec"
	fcmp "$(kv "$rec" snr_db)" '>=' 100 || fail "$what: the recording is not the input: $rec"
}

set_default_source()
{
	pw-metadata 0 default.configured.audio.source "{ \"name\": \"$1\" }" Spa:String:JSON \
		>/dev/null 2>&1
}

pw_env_start || fail "could not start the private PipeWire"
"$ANALYZE" gen "$PW_ENV_DIR/in.f32" 1 2>/dev/null || fail "gen"
start_mic --input "$PW_ENV_FAKE_MIC" --strength 0
pw_wait_until 5 status_is input "$PW_ENV_FAKE_MIC" || fail "input is '$(status_get input)'"
check_exact "before any change"

# ---- the device goes away and comes back ---------------------------------------------------
pw_fake_mic_destroy || fail "could not remove the fake mic"
pw_wait_until 5 status_is input "(none)" || fail "input still '$(status_get input)' after removal"
status_is input_missing yes || fail "input_missing is '$(status_get input_missing)' with the device gone"
source_listed || fail "the Vocana source vanished with the device"
"$PLAYREC" -n 24000 -r "$PW_ENV_DIR/silence.f32" -R "$MIC_NODE" -q 1024 -t 20 2>/dev/null ||
	fail "no audio from the Vocana source while the device is gone"
stats=$("$ANALYZE" stats "$PW_ENV_DIR/silence.f32")
note "while the device is gone: $stats"
[[ "$(kv "$stats" peak)" == "0.000000" ]] || fail "not silence while the device is gone: $stats"
pw_fake_mic_create || fail "could not re-create the fake mic"
pw_wait_until 5 status_is input "$PW_ENV_FAKE_MIC" || fail "device not re-attached"
status_is input_missing no || fail "input_missing is '$(status_get input_missing)' with the device back"
check_exact "after the device came back"

# ---- PipeWire restarts ------------------------------------------------------------------------
connects=$(status_get connects)
pw_env_restart || fail "could not restart PipeWire"
pw_wait_until 15 source_listed || fail "the source did not come back after the restart"
# At least one new connection. pw_env_restart stops and starts the daemons one after another, so
# the service may reach the new pipewire once before it is fully up (or the old one while it is
# going down) and connect again: more than one reconnection is correct behaviour.
connects_after()
{
	local now
	now=$(status_get connects)
	[[ -n "$now" ]] && ((now > connects))
}
pw_wait_until 5 connects_after ||
	fail "connects is $(status_get connects), expected more than $connects"
pw_wait_until 5 status_is input "$PW_ENV_FAKE_MIC" || fail "no input after the restart"
kill -0 "$MIC_PID" || fail "the service died with PipeWire"
check_exact "after the PipeWire restart"
stop_mic
pw_wait_until 5 source_gone || fail "the source stayed after SIGTERM"

# ---- following the default source -------------------------------------------------------------
# Make the fake mic the user's choice first: WirePlumber may otherwise have picked the (now gone)
# Vocana source as the default, and a sink's monitor is never guessed as an input.
set_default_source "$PW_ENV_FAKE_MIC"
pw_wait_until 5 bash -c "pw-metadata 0 default.audio.source | grep -q '$PW_ENV_FAKE_MIC'" ||
	fail "WirePlumber did not take $PW_ENV_FAKE_MIC as the default source"
start_mic --strength 0
pw_wait_until 5 status_is input "$PW_ENV_FAKE_MIC" ||
	fail "default input is '$(status_get input)', expected $PW_ENV_FAKE_MIC"
status_is input_follows_default yes || fail "input_follows_default"
pw_fake_mic_create vocana_test_mic2 || fail "could not create a second fake mic"
set_default_source vocana_test_mic2 || fail "pw-metadata"
pw_wait_until 5 status_is input vocana_test_mic2 || fail "did not follow the new default"
# The user makes Vocana itself the default (the usual setup): keep denoising the real device.
set_default_source "$MIC_NODE"
pw_wait_until 5 bash -c "pw-metadata 0 default.audio.source | grep -q '$MIC_NODE'" ||
	note "WirePlumber did not make $MIC_NODE the default; checking the input anyway"
status_is input vocana_test_mic2 || fail "followed itself: input is '$(status_get input)'"
# The remembered device goes away: silence until a default exists again.
pw_fake_mic_destroy vocana_test_mic2 || fail "could not remove the second fake mic"
pw_wait_until 5 status_is input "(none)" || fail "input '$(status_get input)' after its removal"
set_default_source "$PW_ENV_FAKE_MIC"
pw_wait_until 5 status_is input "$PW_ENV_FAKE_MIC" || fail "did not follow the default back"
check_exact "following the default"
stop_mic

# ---- an input that does not exist (a typo, or a device not plugged in yet) -------------------------
later=vocana_test_later
start_mic --input "$later" --strength 0
pw_wait_until 5 status_is input_missing yes ||
	fail "input_missing is '$(status_get input_missing)' for a device that does not exist"
status_is input_wanted "$later" || fail "input_wanted is '$(status_get input_wanted)'"
status_is input "(none)" || fail "input is '$(status_get input)' for a device that does not exist"
grep -q "input '$later' not found" "$PW_ENV_DIR/mic.log" || fail "no warning that '$later' was not found"
out=$("$VOCANA" status) || fail "status: $out"
grep -q "input: *$later not found: waiting for it" <<<"$out" || fail "status does not say so: $out"
out=$("$VOCANA" monitor --json --once) || fail "monitor: $out"
grep -q '"input_missing":true' <<<"$out" || fail "monitor --json: $out"
# Other devices coming and going do not repeat the warning.
pw_fake_mic_create vocana_test_other || fail "could not create another fake mic"
pw_fake_mic_destroy vocana_test_other || fail "could not remove the other fake mic"
status_is input_missing yes || fail "input_missing changed with another device"
(($(grep -c "input '$later' not found" "$PW_ENV_DIR/mic.log") == 1)) ||
	fail "the warning was repeated: $(grep "not found" "$PW_ENV_DIR/mic.log")"
# It appears: captured at once.
pw_fake_mic_create "$later" || fail "could not create $later"
pw_wait_until 5 status_is input "$later" || fail "did not capture '$later' when it appeared"
status_is input_missing no || fail "input_missing is '$(status_get input_missing)' once it exists"
pw_wait_until 5 input_linked || fail "the capture of '$later' is not linked: $(status_get input_state)"
stop_mic
echo "ok: mic-resilience" >&2
exit 0
