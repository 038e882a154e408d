#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The Vocana Speaker in a graph that runs at 44.1 kHz (issue #14: any graph rate): each channel and
# the linked channels' mid are resampled to the denoiser's 48 kHz and back (rate adapters, one per
# path, in step). Noisy speech with a different noise in each channel played into the speaker at
# strength 100 arrives denoised on both channels (SI-SDR gain >= MIN_SISDR_GAIN_DB), the status
# says resampling, the channels stay linked and no channel ran its own network. Then eight
# channels (every path resampled, the most the speaker takes) run linked as well, and with
# --speaker-separate-channels the two channels each run their own network, denoised alike.
# Usage (from meson): test_speaker_rate.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
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

command -v sox >/dev/null || pw_skip "sox not installed (the speech clip is made with it)"
[[ -r "$SPEECH_DIR/Front_Center.wav" ]] || pw_skip "alsa-utils' voice recordings not installed"
export PW_ENV_RATE=44100
pw_env_start || fail "could not start the private PipeWire"
spk_out_create || fail "could not create the loudspeaker sink"
start_service --no-mic --strength 100
pw_wait_until 10 spk_output_linked || fail "the speaker does not play into $SPK_OUT"

sox "$SPEECH_DIR/Front_Center.wav" "$SPEECH_DIR/Front_Left.wav" "$SPEECH_DIR/Rear_Right.wav" \
	-t f32 -e floating-point -r 48000 -c 1 "$PW_ENV_DIR/clean.f32" pad 1.5 0.2 ||
	fail "sox: the speech clip"
"$ANALYZE" noisy "$PW_ENV_DIR/clean.f32" "$PW_ENV_DIR/noisya.f32" 5 1 || fail "noisy"
"$ANALYZE" noisy "$PW_ENV_DIR/clean.f32" "$PW_ENV_DIR/noisyb.f32" 5 2 || fail "noisy"
"$ANALYZE" interleave "$PW_ENV_DIR/noisy2.f32" "$PW_ENV_DIR/noisya.f32" "$PW_ENV_DIR/noisyb.f32" ||
	fail "interleave"
spk_play_record "$PW_ENV_DIR/noisy2.f32" "$PW_ENV_DIR/rec.f32" 256 2 "$SPK_NODE"
status_is speaker.rate 44100 || fail "graph rate is '$(status_get speaker.rate)', expected 44100"
status_is speaker.resampling yes || fail "speaker.resampling is '$(status_get speaker.resampling)'"
spk_assert_denoised "44.1 kHz graph" "$PW_ENV_DIR/rec.f32" "$PW_ENV_DIR/clean.f32" \
	"$PW_ENV_DIR/noisya.f32" "$PW_ENV_DIR/noisyb.f32"
spk_assert_linked "44.1 kHz graph"
stop_mic

# ---- eight channels (7.1), the most --speaker-channels allows: nine paths with the mid -------------
start_service --no-mic --strength 100 --speaker-channels 8
pw_wait_until 10 spk_output_linked || fail "the 8-channel speaker does not play into $SPK_OUT"
"$ANALYZE" interleave "$PW_ENV_DIR/noisy8.f32" "$PW_ENV_DIR/noisya.f32" "$PW_ENV_DIR/noisyb.f32" \
	"$PW_ENV_DIR/noisya.f32" "$PW_ENV_DIR/noisyb.f32" "$PW_ENV_DIR/noisya.f32" \
	"$PW_ENV_DIR/noisyb.f32" "$PW_ENV_DIR/noisya.f32" "$PW_ENV_DIR/noisyb.f32" || fail "interleave 8"
f0=$(status_get speaker.frames_denoised)
spk_play_record "$PW_ENV_DIR/noisy8.f32" "$PW_ENV_DIR/rec8.f32" 256 8 "$SPK_NODE"
status_is speaker.channels 8 || fail "speaker.channels is '$(status_get speaker.channels)', expected 8"
spk_assert_linked "8 channels"
f1=$(status_get speaker.frames_denoised)
note "8 channels at 44.1 kHz: $((f1 - ${f0:-0})) frames denoised (every channel's)"
((f1 - ${f0:-0} >= 8 * 300)) || fail "8 channels: only $((f1 - ${f0:-0})) frames denoised"
stop_mic

# ---- --speaker-separate-channels: one network per channel, still denoised ------------------------
start_service --no-mic --strength 100 --speaker-separate-channels
pw_wait_until 10 spk_output_linked || fail "the speaker does not play into $SPK_OUT"
spk_play_record "$PW_ENV_DIR/noisy2.f32" "$PW_ENV_DIR/rec.f32" 256 2 "$SPK_NODE"
status_is speaker.channels_linked no || fail "--speaker-separate-channels: the channels are linked"
spk_assert_denoised "separate channels" "$PW_ENV_DIR/rec.f32" "$PW_ENV_DIR/clean.f32" \
	"$PW_ENV_DIR/noisya.f32" "$PW_ENV_DIR/noisyb.f32"
stop_mic
echo "ok: speaker-rate" >&2
exit 0
