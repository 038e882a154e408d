#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The Vocana Speaker end to end (issue #14), with a stereo null sink standing in for the
# loudspeaker (the default sink):
#  - added latency by impulse at quanta 128, 256 and 1024: impulses played into the speaker at
#    strength 0 (its output is its input delayed) arrive at the loudspeaker exactly the
#    service's reported latency later than on the direct path (the same file played straight
#    into the loudspeaker), on both channels alike (stereo kept in phase); at quantum 256 at most
#    15 ms; the latency the speaker announces to PipeWire (its port's Latency param, what a
#    player's pw_stream_get_time() and pulse's latency queries include) is what it adds;
#  - noisy speech (alsa-utils' voice recordings plus white noise, rumble and hum at 5 dB SNR)
#    through the speaker at strength 100 arrives measurably denoised: SI-SDR against the clean
#    speech at least 3 dB above the noisy input's, on each channel;
#  - the same speech under a different noise in each channel (decorrelated: the channels share
#    one network, run on their mean, channels_linked) is denoised on each channel as well, and
#    no channel ran its own network (network_fallbacks 0);
#  - music at strength 100: its SI-SDR through the speaker is reported (docs/speaker.md states
#    the figure), and must stay above MUSIC_MIN_SISDR_DB;
#  - nothing of the speaker runs while nothing plays into it.
# Usage (from meson): test_speaker_e2e.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"
# shellcheck source=speaker-test-lib.sh
source "$HERE/speaker-test-lib.sh"

SPEECH_DIR=/usr/share/sounds/alsa
MIN_SISDR_GAIN_DB=3
MUSIC_MIN_SISDR_DB=${MUSIC_MIN_SISDR_DB:--10}
MAX_LATENCY_256=720 # 15 ms at 48 kHz

pw_env_start || fail "could not start the private PipeWire"
spk_out_create || fail "could not create the loudspeaker sink"
"$ANALYZE" impulses "$PW_ENV_DIR/imp.f32" 2 250 || fail "pw_analyze impulses"
"$ANALYZE" interleave "$PW_ENV_DIR/imp2.f32" "$PW_ENV_DIR/imp.f32" "$PW_ENV_DIR/imp.f32" ||
	fail "interleave"
start_service --no-mic --strength 0
pw_wait_until 10 spk_output_linked || fail "the speaker does not play into $SPK_OUT: $(status_get speaker.output)"
status_is speaker.output_follows_default yes || fail "the speaker does not follow the default sink"

# ---- idle: nothing plays, nothing runs -------------------------------------------------------
c0=$(status_get speaker.cycles)
measure_idle 2
[[ "$(status_get speaker.cycles)" == "$c0" ]] || fail "the speaker ran while nothing played"
status_is speaker.playing no || fail "'speaker.playing' says yes while nothing plays"
note "idle: $IDLE_WAKEUPS wake-ups and $IDLE_TICKS CPU ticks in 2 s, speaker cycles $c0"
assert_idle "idle" 2

# ---- latency by impulse, stereo in phase -------------------------------------------------------
"$VOCANA" set speaker.strength 0 >/dev/null || fail "set speaker.strength 0"
for q in 128 256 1024; do
	ok=
	for try in 1 2 3; do
		spk_play_record "$PW_ENV_DIR/imp2.f32" "$PW_ENV_DIR/direct.f32" "$q" 2 "$SPK_OUT"
		spk_lags "$PW_ENV_DIR/direct.f32" 2 "$PW_ENV_DIR/imp.f32" || continue
		direct_l=$LAG_L direct_r=$LAG_R
		direct_delay=$(grep -o 'play_delay=[0-9-]*' <<<"$LAST_PLAYREC_LOG" | cut -d= -f2)
		spk_play_record "$PW_ENV_DIR/imp2.f32" "$PW_ENV_DIR/rec.f32" "$q" 2 "$SPK_NODE"
		spk_lags "$PW_ENV_DIR/rec.f32" 2 "$PW_ENV_DIR/imp.f32" || continue
		ok=1
		added_l=$((LAG_L - direct_l)) added_r=$((LAG_R - direct_r))
		reported=$(status_get speaker.latency_samples)
		delay=$(grep -o 'play_delay=[0-9-]*' <<<"$LAST_PLAYREC_LOG" | cut -d= -f2)
		announced=$((${delay:-0} - ${direct_delay:-0}))
		# The two recordings are separate sessions: on a loaded machine one of them (the
		# direct one too) now and then starts a quantum off. Such a pair is measured again; a
		# real mismatch repeats in every try and fails below.
		((announced == added_l && added_l == reported)) && break
		note "quantum $q, try $try: told $announced, added $added_l, service says $reported: again"
	done
	[[ -n "$ok" ]] || fail "quantum $q: no clean impulse measurement in 3 tries"
	note "quantum $q: added $added_l samples left, $added_r right" \
		"($(awk -v a="$added_l" 'BEGIN { printf "%.2f", a / 48 }') ms); the service says" \
		"$reported (hand-off $(status_get speaker.handoff_delay)); a player is told $announced" \
		"more than on the direct path ($delay vs $direct_delay); direct lag $direct_l"
	((announced == added_l)) ||
		fail "quantum $q: players are told $announced samples, the speaker adds $added_l"
	((added_l == added_r)) || fail "quantum $q: channels out of phase: $added_l vs $added_r samples"
	((added_l == reported)) ||
		fail "quantum $q: added $added_l samples, the service says $reported"
	if ((q == 256)); then
		((added_l <= MAX_LATENCY_256)) || fail "quantum 256: $added_l samples > 15 ms"
	fi
done

# ---- noisy speech, denoised ----------------------------------------------------------------------
command -v sox >/dev/null || pw_skip "sox not installed (the speech clip is made with it)"
[[ -r "$SPEECH_DIR/Front_Center.wav" ]] || pw_skip "alsa-utils' voice recordings not installed"
sox "$SPEECH_DIR/Front_Center.wav" "$SPEECH_DIR/Front_Left.wav" "$SPEECH_DIR/Rear_Right.wav" \
	-t f32 -e floating-point -r 48000 -c 1 "$PW_ENV_DIR/clean.f32" pad 1.5 0.2 ||
	fail "sox: the speech clip"
"$ANALYZE" noisy "$PW_ENV_DIR/clean.f32" "$PW_ENV_DIR/noisy.f32" 5 || fail "noisy"
"$ANALYZE" interleave "$PW_ENV_DIR/noisy2.f32" "$PW_ENV_DIR/noisy.f32" "$PW_ENV_DIR/noisy.f32" ||
	fail "interleave"
"$VOCANA" set speaker.strength 100 >/dev/null || fail "set speaker.strength 100"
spk_play_record "$PW_ENV_DIR/noisy2.f32" "$PW_ENV_DIR/rec.f32" 256 2 "$SPK_NODE"
spk_assert_denoised "speech at 5 dB SNR" "$PW_ENV_DIR/rec.f32" "$PW_ENV_DIR/clean.f32" \
	"$PW_ENV_DIR/noisy.f32" "$PW_ENV_DIR/noisy.f32"

# ---- a different noise in each channel: linked channels ------------------------------------------
"$ANALYZE" noisy "$PW_ENV_DIR/clean.f32" "$PW_ENV_DIR/noisyb.f32" 5 2 || fail "noisy (seed 2)"
"$ANALYZE" interleave "$PW_ENV_DIR/noisy2.f32" "$PW_ENV_DIR/noisy.f32" "$PW_ENV_DIR/noisyb.f32" ||
	fail "interleave"
spk_play_record "$PW_ENV_DIR/noisy2.f32" "$PW_ENV_DIR/rec.f32" 256 2 "$SPK_NODE"
spk_assert_denoised "a different noise per channel" "$PW_ENV_DIR/rec.f32" "$PW_ENV_DIR/clean.f32" \
	"$PW_ENV_DIR/noisy.f32" "$PW_ENV_DIR/noisyb.f32"
spk_assert_linked "a different noise per channel"

# ---- music at strength 100 --------------------------------------------------------------------
"$ANALYZE" music "$PW_ENV_DIR/music.f32" 8 2>/dev/null || fail "music"
"$ANALYZE" interleave "$PW_ENV_DIR/music2.f32" "$PW_ENV_DIR/music.f32" "$PW_ENV_DIR/music.f32" ||
	fail "interleave"
spk_play_record "$PW_ENV_DIR/music2.f32" "$PW_ENV_DIR/rec.f32" 256 2 "$SPK_NODE"
"$ANALYZE" channel "$PW_ENV_DIR/rec.f32" 2 0 "$PW_ENV_DIR/mus0.f32" || fail "channel"
res=$("$ANALYZE" sisdr "$PW_ENV_DIR/music.f32" "$PW_ENV_DIR/mus0.f32")
note "music at strength 100: SI-SDR $(kv "$res" sisdr_db) dB ($res)"
fcmp "$(kv "$res" sisdr_db)" '>=' "$MUSIC_MIN_SISDR_DB" ||
	fail "music mangled: SI-SDR $(kv "$res" sisdr_db) dB < $MUSIC_MIN_SISDR_DB dB"

pw_wait_until 5 status_is speaker.playing no || fail "still playing after the player left"
status_is speaker.xruns 0 || note "speaker xruns: $(status_get speaker.xruns)"
stop_mic
echo "ok: speaker-e2e" >&2
exit 0
