# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Helpers for the Vocana Speaker's end-to-end scripts. Source after pw-env.sh and mic-test-lib.sh.
#
# The loudspeaker is a stereo null sink, SPK_OUT ("vocana_test_speaker"), made the default sink:
# the speaker plays into it, and the tests record its monitor (pw_play_record -S). The direct
# path (the same sound played straight into SPK_OUT, its monitor recorded in the same way) is
# the baseline every added latency is measured against.

SPK_NODE=vocana_speaker
SPK_OUT=vocana_test_speaker

# spk_out_create [NAME]: a stereo null sink that outlives pw-cli, and the default sink.
spk_out_create()
{
	local name=${1:-$SPK_OUT}
	pw-cli create-node adapter "{ factory.name = support.null-audio-sink node.name = $name \
		node.description = \"Vocana test loudspeaker\" media.class = Audio/Sink \
		audio.channels = 2 audio.position = [ FL FR ] object.linger = true \
		monitor.channel-volumes = false session.suspend-timeout-seconds = 0 }" >/dev/null 2>&1
	pw_wait_until 5 pw_node_exists "$name" || return 1
	pactl set-default-sink "$name" >/dev/null 2>&1
}

spk_out_destroy()
{
	pw_fake_mic_destroy "${1:-$SPK_OUT}"
}

speaker_listed()
{
	pactl list sinks short 2>/dev/null | awk '{print $2}' | grep -qx "$SPK_NODE"
}

# Start 'vocana service' with the speaker on (arguments follow) and wait until PipeWire lists
# the speaker's sink and the service answers.
start_service()
{
	"$VOCANA" service --speaker "$@" >>"$PW_ENV_DIR/mic.log" 2>&1 &
	MIC_PID=$!
	pw_track_pid "$MIC_PID"
	pw_wait_until 10 speaker_listed || fail "the Vocana Speaker did not appear (args: $*)"
	pw_wait_until 5 "$VOCANA" status || fail "the service does not answer on its socket"
}

spk_output_linked()
{
	local st
	st=$(status_get speaker.output_state)
	[[ "$st" == paused || "$st" == streaming || "$st" == parked || "$st" == unconnected ]] &&
		[[ "$(status_get speaker.output)" == "${1:-$SPK_OUT}" ]]
}

# spk_play_record IN OUT QUANTUM CHANNELS TARGET: play IN (interleaved) into TARGET (the speaker or
# the loudspeaker itself) and record the loudspeaker's monitor into OUT, in the same cycles.
# Repeated (up to 5 times) when the client saw the graph skip cycles. (Not when only the service
# did: a second player joining or leaving a speaker session that already runs can cost the
# speaker's playback one cycle, which it counts; the recording is checked sample by sample anyway.)
spk_play_record()
{
	local in=$1 out=$2 q=$3 ch=$4 target=$5 try log before after
	for try in 1 2 3 4 5; do
		before=$(status_get speaker.xruns)
		log=$("$PLAYREC" -p "$in" -P "$target" -r "$out" -R "$SPK_OUT" -S -c "$ch" -q "$q" \
			-t 30 2>&1) || fail "pw_play_record: $log"
		LAST_PLAYREC_LOG=$log
		after=$(status_get speaker.xruns)
		[[ "${after:-0}" == "${before:-0}" ]] || note "quantum $q: service xruns $before -> $after"
		if ! grep -q "xruns=[1-9]" <<<"$log"; then
			return 0
		fi
		note "quantum $q: the graph glitched, run $try: $log"
	done
	note "quantum $q: glitching in all 5 runs; using the last one"
}

# spk_lags FILE CHANNELS IMPULSES [USE]: the lag of every impulse on each channel of an
# interleaved recording; sets LAG_L and LAG_R (channel 0 and 1) and fails unless every impulse is
# found at one lag per channel (of the first USE channels, default all).
spk_lags()
{
	local rec=$1 ch=$2 imp=$3 use=${4:-$2} c r lags=()
	for ((c = 0; c < use; c++)); do
		"$ANALYZE" channel "$rec" "$ch" "$c" "$PW_ENV_DIR/ch$c.f32" || fail "channel $c"
		r=$("$ANALYZE" lags "$imp" "$PW_ENV_DIR/ch$c.f32")
		if [[ "$(kv "$r" found)" != "$(kv "$r" impulses)" ||
			"$(kv "$r" lag_min)" != "$(kv "$r" lag_max)" ]]; then
			note "channel $c: impulses not all at one lag: $r"
			return 1
		fi
		lags+=("$(kv "$r" lag_min)")
	done
	LAG_L=${lags[0]}
	LAG_R=${lags[1]:-${lags[0]}}
	return 0
}

# spk_assert_denoised LABEL REC CLEAN IN...: channel c of the interleaved recording REC (as many
# channels as INs) must score an SI-SDR against CLEAN at least MIN_SISDR_GAIN_DB above its input
# IN number c; every channel's figures are noted.
spk_assert_denoised()
{
	local label=$1 rec=$2 clean=$3 c=0 in before res after
	shift 3
	for in in "$@"; do
		before=$(kv "$("$ANALYZE" sisdr "$clean" "$in")" sisdr_db)
		"$ANALYZE" channel "$rec" $# "$c" "$PW_ENV_DIR/den$c.f32" || fail "channel $c"
		res=$("$ANALYZE" sisdr "$clean" "$PW_ENV_DIR/den$c.f32")
		after=$(kv "$res" sisdr_db)
		note "$label, channel $c: SI-SDR $before dB in, $after dB out ($res)"
		fcmp "$after" '>=' "$(awk -v b="$before" -v g="$MIN_SISDR_GAIN_DB" 'BEGIN { print b + g }')" ||
			fail "$label, channel $c: SI-SDR gain below $MIN_SISDR_GAIN_DB dB ($before -> $after)"
		c=$((c + 1))
	done
}

# spk_assert_linked WHAT: the speaker's channels share one network (channels_linked) and none of
# them had to run its own (network_fallbacks 0).
spk_assert_linked()
{
	status_is speaker.channels_linked yes || fail "$1: the speaker's channels are not linked"
	status_is speaker.network_fallbacks 0 ||
		fail "$1: $(status_get speaker.network_fallbacks) frames ran their own network"
}
