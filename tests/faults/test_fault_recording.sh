#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Control-socket abuse while an app starts recording from "Vocana Microphone" (issue #13 item 1;
# docs/reliability.md), against a private PipeWire (tests/pw/pw-env.sh):
#   - 8 clients hold control connections open without sending anything (reopened as soon as the
#     service drops them), and then an app starts recording: its recording must start and complete
#     (2 s of audio, given 10 s), and at strength 0 be the microphone's audio, delayed;
#   - meanwhile 'vocana status' answers, every time, fast, and 40 more clients at once all get a
#     reply.
# Reports the time from starting the recorder to a complete recording, and 'status' times, with
# the idle clients (the same without them is the baseline).
# Usage (from meson): test_fault_recording.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
PW_DIR="$HERE/../pw"
# shellcheck source=../pw/pw-env.sh
source "$PW_DIR/pw-env.sh"
# shellcheck source=../pw/mic-test-lib.sh
source "$PW_DIR/mic-test-lib.sh"
ABUSE="$HERE/abuse.py"
SOCK=
command -v python3 >/dev/null || pw_skip "python3 not installed"

pw_env_start || fail "could not start the private PipeWire"
SOCK="$XDG_RUNTIME_DIR/vocana/control.sock"
"$ANALYZE" gen "$PW_ENV_DIR/in.f32" 2 2>/dev/null || fail "gen"
start_mic --input "$PW_ENV_FAKE_MIC" --strength 0
pw_wait_until 10 input_linked || fail "the capture stream is not linked"

# record [LABEL]: play 2 s into the fake mic and record the Vocana source (10 s at most); prints
# the seconds it took.
record()
{
	local t0 t1
	t0=$(date +%s.%N)
	"$PLAYREC" -p "$PW_ENV_DIR/in.f32" -P "$PW_ENV_FAKE_MIC" -r "$PW_ENV_DIR/rec.f32" -R "$MIC_NODE" \
		-m "$PW_ENV_DIR/mon.f32" -q 1024 -x 4800 -t 10 >"$PW_ENV_DIR/playrec.log" 2>&1 ||
		fail "$1: no complete recording within 10 s: $(cat "$PW_ENV_DIR/playrec.log")"
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}

t_quiet=$(record "without abuse") || exit 1
note "recording of 2 s without abuse: complete after $t_quiet s"

python3 "$ABUSE" idle-control "$SOCK" 8 60 >"$PW_ENV_DIR/idle.log" 2>&1 &
idle_pid=$!
pw_track_pid "$idle_pid"
sleep 1
status_times=$(python3 "$ABUSE" control-time "$SOCK" status 10)
note "status with 8 idle clients: $status_times"
[[ "$(kv "$status_times" answered)" == 10 ]] || fail "status unanswered with 8 idle clients: $status_times"

for try in 1 2; do
	t_abused=$(record "with 8 idle clients (try $try)") || exit 1
	note "recording of 2 s with 8 idle control clients (try $try): complete after $t_abused s"
	grep -q "xruns=[1-9]" "$PW_ENV_DIR/playrec.log" && { note "graph glitched (busy machine)"; continue; }
	res=$("$ANALYZE" delay "$PW_ENV_DIR/mon.f32" "$PW_ENV_DIR/rec.f32" 0.99) ||
		fail "the recording is not the microphone's audio: $res"
	note "recording vs microphone: $res"
	break
done

flood=$(python3 "$ABUSE" control-flood "$SOCK" 40)
note "40 clients at once while 8 idle ones stay: $flood"
[[ "$(kv "$flood" silent)" == 0 ]] || fail "clients left without a reply: $flood"
kill "$idle_pid" 2>/dev/null
wait "$idle_pid" 2>/dev/null
stop_mic
echo "ok: faults-recording" >&2
exit 0
