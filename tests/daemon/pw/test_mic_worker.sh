#!/bin/bash
# SPDX-License-Identifier: MIT
#
# 'vocana mic --mode worker': the denoiser runs on the engine's worker thread with deadlines.
# A frame that misses its deadline goes out dry and the output margin may grow by whole frames,
# so the recording is compared block by block (100 ms, at the overall lag +- whole frames):
#   - strength 0: nearly every block is the exact delayed input;
#   - strength 100: nearly every block equals the engine run offline (inline) over the same
#     samples; the misses the service counted are reported.
# Usage (from meson): test_mic_worker.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"

pw_env_start || fail "could not start the private PipeWire"
"$ANALYZE" gen "$PW_ENV_DIR/in.f32" 2 2>/dev/null || fail "gen"
start_mic --input "$PW_ENV_FAKE_MIC" --mode worker --strength 0
status_is mode worker || fail "mode is '$(status_get mode)'"

play_record "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" 1024
res=$("$ANALYZE" blocks "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" 0.9) ||
	fail "worker, strength 0: too few exact blocks: $res"
note "worker, strength 0: $res; latency $(status_get latency_samples) samples," \
	"misses $(status_get misses), breaker $(status_get breaker)"

"$VOCANA" set strength 100 >/dev/null || fail "set strength 100"
play_record "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" 1024
# A trained model's state (GRUs, feature normalisation) differs from the offline run's after any
# miss, reset or margin change, so blocks are compared at 20 dB (a different or passed-through
# signal is far below that) and a third of them may miss.
res=$("$ANALYZE" blocks "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" 0.66 1024 100 20) ||
	fail "worker, strength 100: too few blocks equal to the offline engine: $res"
note "worker, strength 100 vs offline: $res; latency $(status_get latency_samples) samples," \
	"misses $(status_get misses), model p99 $(status_get model_p99_us) us," \
	"CPU $(status_get cpu_percent) %"
stop_mic
echo "ok: mic-worker" >&2
exit 0
