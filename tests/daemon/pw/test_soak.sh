#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The soak (issue #13; suite 'soak', not in the default run): SOAK_MINUTES (default 30) of audio
# through both directions at once, in rounds of about a minute: each round records the Vocana
# Microphone and plays into the Vocana Speaker for ROUND_S seconds, then causes one fault in turn:
# the input device removed and re-created, the output sink removed and re-created, and every
# fifth round PipeWire restarted. At the end:
#  - RSS: no more than RSS_GROWTH_KIB above the first round's, and under RSS_MAX_KIB;
#  - latency by impulse: both directions add exactly their reported latency, 599 samples;
#  - gaps: the audio the service counted as lost (xrun_lost_ms of both directions) stays under
#    1 % of the time audio flowed (a loaded machine has xruns; a leak of gaps would not stay
#    under that).
# Usage (from meson): test_soak.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
set -u
unset MALLOC_PERTURB_ # see test_mic_memory.sh: RSS is measured
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"
# shellcheck source=speaker-test-lib.sh
source "$HERE/speaker-test-lib.sh"

MINUTES=${SOAK_MINUTES:-30}
ROUND_S=${SOAK_ROUND_S:-45}
Q=256
RSS_GROWTH_KIB=2048
RSS_MAX_KIB=20480

# What the RSS is made of (anonymous heap, mapped files, shared memory such as PipeWire's buffer
# pools), so a growth points at its cause.
rss_parts()
{
	awk '/^(Rss|Anonymous|Shared_Clean|Shared_Dirty|Private_Dirty):/ {printf "%s %s ", $1, $2}' \
		"/proc/$MIC_PID/smaps_rollup" 2>/dev/null
	grep -E '^Rss(Anon|File|Shmem):' "/proc/$MIC_PID/status" 2>/dev/null | tr -s ' \t\n' ' '
}

now_s()
{
	date +%s
}

# Both directions flow for ROUND_S seconds: one client plays into the fake mic and records the
# Vocana Microphone, another plays into the Vocana Speaker and records the loudspeaker.
round_audio()
{
	local a b
	"$PLAYREC" -p "$PW_ENV_DIR/round.f32" -P "$PW_ENV_FAKE_MIC" -r "$PW_ENV_DIR/mrec.f32" \
		-R "$MIC_NODE" -q "$Q" -t $((ROUND_S + 30)) >"$PW_ENV_DIR/mflow.log" 2>&1 &
	a=$!
	"$PLAYREC" -p "$PW_ENV_DIR/round2.f32" -P "$SPK_NODE" -r "$PW_ENV_DIR/srec.f32" \
		-R "$SPK_OUT" -S -c 2 -q "$Q" -t $((ROUND_S + 30)) >"$PW_ENV_DIR/sflow.log" 2>&1 &
	b=$!
	pw_track_pid "$a"
	pw_track_pid "$b"
	wait "$a" || note "mic client: $(cat "$PW_ENV_DIR/mflow.log")"
	wait "$b" || note "speaker client: $(cat "$PW_ENV_DIR/sflow.log")"
	FLOWED_S=$((FLOWED_S + ROUND_S))
}

fault()
{
	local n=$1
	if ((n % 5 == 0)); then
		pw_env_restart || fail "round $n: PipeWire did not come back"
		spk_out_create || fail "round $n: loudspeaker not re-created"
		pw_wait_until 15 speaker_listed || fail "round $n: the speaker is not back"
		pw_wait_until 15 source_listed || fail "round $n: the source is not back"
		note "round $n: PipeWire restarted"
	elif ((n % 2 == 0)); then
		spk_out_destroy || fail "round $n: could not remove the loudspeaker"
		sleep 0.5
		spk_out_create || fail "round $n: could not re-create the loudspeaker"
		note "round $n: output sink re-created"
	else
		pw_fake_mic_destroy || fail "round $n: could not remove the fake mic"
		sleep 0.5
		pw_fake_mic_create || fail "round $n: could not re-create the fake mic"
		note "round $n: input device re-created"
	fi
	pw_wait_until 10 input_linked || fail "round $n: the capture is not linked again"
	pw_wait_until 10 spk_output_linked || fail "round $n: the speaker is not on $SPK_OUT again"
}

mic_latency()
{
	local try mon rec
	for try in 1 2 3 4 5; do
		play_record "$PW_ENV_DIR/imp.f32" "$PW_ENV_DIR/rec.f32" "$Q" mon 1
		mon=$("$ANALYZE" lags "$PW_ENV_DIR/imp.f32" "$PW_ENV_DIR/mon.f32")
		rec=$("$ANALYZE" lags "$PW_ENV_DIR/imp.f32" "$PW_ENV_DIR/rec.f32")
		if [[ "$(kv "$rec" found)" == "$(kv "$rec" impulses)" &&
			"$(kv "$rec" lag_min)" == "$(kv "$rec" lag_max)" &&
			"$(kv "$mon" lag_min)" == "$(kv "$mon" lag_max)" ]]; then
			MIC_ADDED=$(($(kv "$rec" lag_min) - $(kv "$mon" lag_min)))
			return 0
		fi
	done
	fail "the mic: no clean impulse measurement"
}

spk_latency()
{
	local try direct
	for try in 1 2 3 4 5; do
		spk_play_record "$PW_ENV_DIR/imp2.f32" "$PW_ENV_DIR/direct.f32" "$Q" 2 "$SPK_OUT"
		spk_lags "$PW_ENV_DIR/direct.f32" 2 "$PW_ENV_DIR/imp.f32" 1 || continue
		direct=$LAG_L
		spk_play_record "$PW_ENV_DIR/imp2.f32" "$PW_ENV_DIR/srec.f32" "$Q" 2 "$SPK_NODE"
		spk_lags "$PW_ENV_DIR/srec.f32" 2 "$PW_ENV_DIR/imp.f32" 1 || continue
		SPK_ADDED=$((LAG_L - direct))
		return 0
	done
	fail "the speaker: no clean impulse measurement"
}

pw_env_start || fail "could not start the private PipeWire"
spk_out_create || fail "could not create the loudspeaker sink"
"$ANALYZE" gen "$PW_ENV_DIR/round.f32" "$ROUND_S" 2>/dev/null || fail "gen"
"$ANALYZE" interleave "$PW_ENV_DIR/round2.f32" "$PW_ENV_DIR/round.f32" "$PW_ENV_DIR/round.f32" ||
	fail "interleave"
"$ANALYZE" impulses "$PW_ENV_DIR/imp.f32" 2 250 || fail "impulses"
"$ANALYZE" interleave "$PW_ENV_DIR/imp2.f32" "$PW_ENV_DIR/imp.f32" "$PW_ENV_DIR/imp.f32" ||
	fail "interleave"
start_service --input "$PW_ENV_FAKE_MIC"
pw_wait_until 10 input_linked || fail "the capture stream is not linked"
pw_wait_until 10 spk_output_linked || fail "the speaker does not play into $SPK_OUT"

FLOWED_S=0
end=$(($(now_s) + MINUTES * 60))
round=0
rss_first=
while (($(now_s) < end)); do
	round=$((round + 1))
	round_audio
	rss=$(status_get rss_kib)
	[[ -n "$rss_first" ]] || rss_first=$rss
	note "round $round: RSS $rss KiB; mic xruns $(status_get xruns) ($(status_get xrun_lost_ms) ms)," \
		"speaker xruns $(status_get speaker.xruns) ($(status_get speaker.xrun_lost_ms) ms)"
	note "round $round: $(rss_parts)"
	[[ -z "${SOAK_SMAPS_DIR:-}" ]] || cp "/proc/$MIC_PID/smaps" "$SOAK_SMAPS_DIR/smaps.$round"
	[[ -z "${SOAK_SMAPS_DIR:-}" ]] || ls "/proc/$MIC_PID/task" | wc -l >"$SOAK_SMAPS_DIR/threads.$round"
	fault "$round"
done

"$VOCANA" set strength 0 >/dev/null || fail "set strength 0"
"$VOCANA" set speaker.strength 0 >/dev/null || fail "set speaker.strength 0"
mic_latency
spk_latency
rss=$(status_get rss_kib)
lost_ms=$(($(status_get xrun_lost_ms) + $(status_get speaker.xrun_lost_ms)))
note "soak: $round rounds in $MINUTES min, audio flowed $FLOWED_S s; RSS $rss_first -> $rss KiB;" \
	"latency mic $MIC_ADDED, speaker $SPK_ADDED samples; xruns mic $(status_get xruns)," \
	"speaker $(status_get speaker.xruns), $lost_ms ms lost in all; connects $(status_get connects)"
((MIC_ADDED == $(status_get latency_samples))) || fail "mic: added $MIC_ADDED samples"
((SPK_ADDED == $(status_get speaker.latency_samples))) || fail "speaker: added $SPK_ADDED samples"
((MIC_ADDED == 599 && SPK_ADDED == 599)) || note "not the embedded model's 599 samples"
((rss <= rss_first + RSS_GROWTH_KIB)) || fail "RSS grew from $rss_first to $rss KiB"
((rss <= RSS_MAX_KIB)) || fail "RSS $rss KiB > $RSS_MAX_KIB KiB"
((lost_ms * 100 <= FLOWED_S * 1000)) || fail "$lost_ms ms counted lost in $FLOWED_S s of audio"
stop_mic
echo "ok: soak" >&2
exit 0
