#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The Vocana Speaker through faults (issue #14), while an application keeps playing into it:
#  - it follows the default sink when that changes;
#  - the output sink removed and re-created mid-playback: the speaker plays into the default sink
#    meanwhile, goes back to the re-created one, and adds exactly its latency again (by impulse,
#    in the same session); the time from re-creation to streaming into it is reported;
#  - the output sink suspended and resumed mid-playback (pactl suspend-sink): sound again after;
#  - PipeWire restarted: the service reconnects and the speaker adds its latency again.
# Usage (from meson): test_speaker_faults.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"
# shellcheck source=speaker-test-lib.sh
source "$HERE/speaker-test-lib.sh"

Q=256
OTHER=vocana_test_speaker2

now_ms()
{
	date +%s%3N
}

# The player that keeps the session going: silence into the speaker for a long time (it records
# the fake mic's monitor only because pw_play_record always records something).
start_keeper()
{
	"$PLAYREC" -p "$PW_ENV_DIR/zeros.f32" -P "$SPK_NODE" -r "$PW_ENV_DIR/keep.f32" \
		-R "$PW_ENV_FAKE_MIC" -S -c 2 -q "$Q" -t 200 >"$PW_ENV_DIR/keeper.log" 2>&1 &
	KEEPER=$!
	pw_track_pid "$KEEPER"
	pw_wait_until 10 status_is speaker.playing yes || fail "the keeper does not play"
}

# The added latency by impulse against the direct path, or fails; sets ADDED.
# measure WHAT [USE]: USE = 1 compares the left channels only.
measure()
{
	local what=$1 use=${2:-2} try direct
	for try in 1 2 3; do
		spk_play_record "$PW_ENV_DIR/imp2.f32" "$PW_ENV_DIR/direct.f32" "$Q" 2 "$SPK_OUT"
		spk_lags "$PW_ENV_DIR/direct.f32" 2 "$PW_ENV_DIR/imp.f32" "$use" || continue
		direct=$LAG_L
		spk_play_record "$PW_ENV_DIR/imp2.f32" "$PW_ENV_DIR/rec.f32" "$Q" 2 "$SPK_NODE"
		spk_lags "$PW_ENV_DIR/rec.f32" 2 "$PW_ENV_DIR/imp.f32" "$use" || continue
		((LAG_L == LAG_R)) || fail "$what: channels out of phase ($LAG_L vs $LAG_R)"
		ADDED=$((LAG_L - direct))
		note "$what: added $ADDED samples (the service says" \
			"$(status_get speaker.latency_samples), hand-off $(status_get speaker.handoff_delay)," \
			"switches $(status_get speaker.handoff_switches)," \
			"recoveries $(status_get speaker.handoff_recoveries)," \
			"stale buffers $(status_get speaker.stale_buffers))"
		# The direct and the speaker recordings are two sessions: under heavy load (sanitizer
		# builds, every core busy) one of them now and then starts a quantum off. A mismatch is
		# measured again; a latency that is really wrong (stuck a quantum late, as after a device
		# change before issue 13's fix) is wrong in every try and fails at the caller.
		((ADDED == ${ENGINE:-$ADDED})) && return 0
	done
	[[ -n "${ADDED:-}" ]] && return 0
	fail "$what: no clean impulse measurement in 3 tries"
}

pw_env_start || fail "could not start the private PipeWire"
spk_out_create || fail "could not create the loudspeaker sink"
"$ANALYZE" impulses "$PW_ENV_DIR/imp.f32" 2 250 || fail "pw_analyze impulses"
"$ANALYZE" interleave "$PW_ENV_DIR/imp2.f32" "$PW_ENV_DIR/imp.f32" "$PW_ENV_DIR/imp.f32" ||
	fail "interleave"
head -c $((48000 * 2 * 4 * 150)) /dev/zero >"$PW_ENV_DIR/zeros.f32"
start_service --input "$PW_ENV_FAKE_MIC" --strength 0
"$VOCANA" set speaker.strength 0 >/dev/null || fail "set speaker.strength 0"
pw_wait_until 10 spk_output_linked || fail "the speaker does not play into $SPK_OUT"
start_keeper
measure "at the start"
ENGINE=$ADDED
[[ "$ENGINE" == "$(status_get speaker.latency_samples)" ]] || fail "the service says otherwise"

# ---- following the default sink ---------------------------------------------------------------------
spk_out_create "$OTHER" || fail "could not create $OTHER"
pw_wait_until 5 spk_output_linked "$OTHER" || fail "does not follow the default sink to $OTHER:" \
	"$(status_get speaker.output)"
pactl set-default-sink "$SPK_OUT"
pw_wait_until 5 spk_output_linked || fail "does not follow the default sink back"
note "follows the default sink: $SPK_OUT -> $OTHER -> $SPK_OUT"

# ---- the output sink removed and re-created mid-playback ------------------------------------------
# Several rounds: the stream on the re-created sink joins the graph in a different order at
# random (more often under load), and one round in a few used to end a quantum late.
ROUNDS=${SPK_FAULT_ROUNDS:-5}
for ((round = 1; round <= ROUNDS; round++)); do
	spk_out_destroy || fail "could not remove $SPK_OUT"
	pw_wait_until 5 eval '[[ "$(status_get speaker.output)" != "$SPK_OUT" ]]' ||
		fail "round $round: output still $SPK_OUT"
	note "round $round: sink gone, the speaker plays into '$(status_get speaker.output)' meanwhile"
	sleep 0.5
	spk_out_create || fail "could not re-create $SPK_OUT"
	t0=$(now_ms)
	pw_wait_until 5 spk_output_linked || fail "round $round: not back on $SPK_OUT"
	pw_wait_until 10 status_is speaker.output_state streaming ||
		fail "round $round: the playback does not stream: $(status_get speaker.output_state)"
	note "round $round: streaming into the re-created sink $(($(now_ms) - t0)) ms after it came back"
	kill -0 "$KEEPER" 2>/dev/null || fail "the keeper stopped: $(cat "$PW_ENV_DIR/keeper.log")"
	measure "after re-creation $round"
	((ADDED == ENGINE)) || fail "round $round: added $ADDED samples, not $ENGINE (the service" \
		"says $(status_get speaker.latency_samples))"
done

# ---- the service stalled mid-playback ---------------------------------------------------------------
# A cycle the service answers late (a loaded machine, a device change) and the sink has already
# consumed: the playback must not stay a buffer behind afterwards.
for ((i = 0; i < 5; i++)); do
	kill -STOP "$MIC_PID"
	sleep 0.0$((3 + i))
	kill -CONT "$MIC_PID"
	sleep 0.3
done
measure "after 5 stalls"
((ADDED == ENGINE)) || fail "after stalls: added $ADDED samples, not $ENGINE (the service says" \
	"$(status_get speaker.latency_samples))"

# ---- suspend and resume ------------------------------------------------------------------------------------
pactl suspend-sink "$SPK_OUT" 1 || fail "suspend-sink"
sleep 1
pactl suspend-sink "$SPK_OUT" 0 || fail "resume"
# After a resume the null sink's monitor carries its right channel silent for every player, the
# direct one too (PipeWire 0.3.65's null sink, not the speaker): the left channels are compared.
measure "after suspend and resume" 1
((ADDED == ENGINE)) || fail "after suspend: added $ADDED samples, not $ENGINE"
status_is speaker.playing yes || fail "the session ended"

# ---- PipeWire restarted -------------------------------------------------------------------------------
kill "$KEEPER" 2>/dev/null
wait "$KEEPER" 2>/dev/null
connects=$(status_get connects)
t0=$(now_ms)
pw_env_restart || fail "PipeWire did not come back"
spk_out_create || fail "could not re-create $SPK_OUT after the restart"
pw_wait_until 15 eval '(($(status_get connects) > connects))' || fail "the service did not reconnect"
pw_wait_until 10 speaker_listed || fail "the Vocana Speaker is not back"
pw_wait_until 10 spk_output_linked || fail "the speaker does not play into $SPK_OUT again"
note "PipeWire restart: speaker back on $SPK_OUT $(($(now_ms) - t0)) ms after the restart began"
measure "after the PipeWire restart"
((ADDED == ENGINE)) || fail "after the restart: added $ADDED samples, not $ENGINE"
note "speaker xruns $(status_get speaker.xruns) ($(status_get speaker.xrun_lost_ms) ms lost)," \
	"misses $(status_get speaker.misses)"
stop_mic
echo "ok: speaker-faults" >&2
exit 0
