#!/bin/bash
# SPDX-License-Identifier: MIT
#
# 'vocana monitor' end to end against a real 'vocana mic' on a private PipeWire:
#   - no service: --once and --json --once exit 1 with exactly one line on stderr, nothing on
#     stdout; the live view says "service not running, waiting..." and keeps running until 'q';
#   - --json --once: one JSON object that parses, with the service's pid, a measured CPU figure
#     and resident memory (from /proc), the targets with a status each;
#   - while a client records from the Vocana Microphone: "recording" is true and the frame
#     counter grows between two samples;
#   - log lines (stdout not a terminal): one key=value line per second with a timestamp,
#     frames growing; --json streams one parseable object per interval; SIGINT ends both with 0;
#   - the live view on a pseudo-terminal (tests/daemon/pw/monitor_pty.py): refreshes, re-lays out on a
#     resize, and 'q', SIGTERM or SIGHUP end it with status 0 and the terminal restored; its own
#     CPU use over 10 s is reported (and must be far from a busy loop).
# Usage (from meson): test_mic_monitor.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"

command -v python3 >/dev/null || pw_skip "python3 not installed (JSON and pseudo-terminal checks)"
PTY="$HERE/monitor_pty.py"

# A field of a JSON object: json_get TEXT EXPR (a Python expression over the object `o`).
json_get()
{
	python3 -c 'import json, sys; o = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

pw_env_start || fail "could not start the private PipeWire"

# ---- no service ------------------------------------------------------------------------------
for args in "--once" "--json --once"; do
	# shellcheck disable=SC2086
	"$VOCANA" monitor $args >"$PW_ENV_DIR/out" 2>"$PW_ENV_DIR/err"
	rc=$?
	[[ $rc -eq 1 ]] || fail "monitor $args without a service: status $rc, expected 1"
	[[ ! -s "$PW_ENV_DIR/out" ]] || fail "monitor $args without a service wrote to stdout: $(cat "$PW_ENV_DIR/out")"
	[[ $(wc -l <"$PW_ENV_DIR/err") -eq 1 ]] ||
		fail "monitor $args without a service: not one line on stderr: $(cat "$PW_ENV_DIR/err")"
	grep -q "no service answers" "$PW_ENV_DIR/err" || fail "unclear message: $(cat "$PW_ENV_DIR/err")"
done
note "no service: $(cat "$PW_ENV_DIR/err")"
res=$(python3 "$PTY" "$VOCANA" 1.5 q "service not running, waiting...") || fail "live view without a service: $res"
note "live view without a service: $res"
"$VOCANA" monitor --interval 10 >/dev/null 2>&1
[[ $? -eq 2 ]] || fail "--interval 10 accepted (minimum is 50)"
"$VOCANA" monitor --bogus >/dev/null 2>&1
[[ $? -eq 2 ]] || fail "unknown option accepted"

# ---- idle service: --json --once ---------------------------------------------------------------
start_mic --input "$PW_ENV_FAKE_MIC"
note "service pid $MIC_PID"
json=$("$VOCANA" monitor --json --once) || fail "monitor --json --once exited $?"
[[ $(wc -l <<<"$json") -eq 1 ]] || fail "--json --once printed more than one line: $json"
json_get "$json" 'o["running"]' | grep -qx True || fail "running is not true: $json"
[[ $(json_get "$json" 'o["pid"]') == "$MIC_PID" ]] || fail "pid $(json_get "$json" 'o["pid"]'), service $MIC_PID"
rss=$(json_get "$json" 'o["rss_kib"]')
fcmp "$rss" '>' 1000 || fail "rss_kib '$rss'"
[[ $(json_get "$json" 'o["rss_source"]') == proc ]] || fail "rss not measured from /proc: $json"
cpu=$(json_get "$json" 'o["cpu_percent"]')
fcmp "$cpu" '>=' 0 || fail "cpu_percent '$cpu' (a measured number expected after the 1 s window)"
fcmp "$(json_get "$json" 'o["cpu_window_s"]')" '>=' 1 || fail "CPU window under 1 s: $json"
[[ $(json_get "$json" 'o["recording"]') == False ]] || fail "recording while idle: $json"
[[ $(json_get "$json" 'len(o["targets"])') == 5 ]] || fail "not 5 targets: $json"
json_get "$json" '" ".join(t["status"] for t in o["targets"].values())' |
	grep -qxE '((met|missed|alert|n/a) ?){5}' || fail "target statuses: $json"
[[ $(json_get "$json" 'o["targets"]["cpu_idle_pct"]["value"] is not None') == True ]] ||
	fail "idle CPU target without a value: $json"
note "idle: source $(json_get "$json" 'o["source"]'), cpu $cpu %, rss $rss KiB," \
	"targets $(json_get "$json" '", ".join(k + " " + t["status"] for k, t in o["targets"].items())')"

# ---- while a client records ----------------------------------------------------------------------
pw_wait_until 10 input_linked || fail "the capture stream is not linked"
# Long enough for every check below (python3 start-up alone is slow on a busy machine); stopped
# once they are done.
"$PLAYREC" -n $((48000 * 60)) -r "$PW_ENV_DIR/rec.f32" -R "$MIC_NODE" -q 1024 -t 90 \
	>"$PW_ENV_DIR/playrec.log" 2>&1 &
REC_PID=$!
pw_track_pid "$REC_PID"
pw_wait_until 10 status_is recording yes || fail "the service never started recording"
j1=$("$VOCANA" monitor --json --once) || fail "monitor --json --once while recording"
j2=$("$VOCANA" monitor --json --once) || fail "second monitor --json --once while recording"
f1=$(json_get "$j1" 'o["frames"]')
f2=$(json_get "$j2" 'o["frames"]')
[[ $(json_get "$j2" 'o["recording"]') == True ]] || fail "not recording: $j2"
fcmp "$f2" '>' "$f1" || fail "frames did not grow while recording: $f1 -> $f2"
note "recording: frames $f1 -> $f2, latency $(json_get "$j2" 'o["latency_ms"]') ms," \
	"cpu $(json_get "$j2" 'o["cpu_percent"]') %, model p50 $(json_get "$j2" 'o["model_time_p50_us"]') us"

# Log lines: stdout is a file, so one key=value line per second.
timeout --preserve-status -s INT 3.6 "$VOCANA" monitor >"$PW_ENV_DIR/log" 2>"$PW_ENV_DIR/log.err"
rc=$?
[[ $rc -eq 0 ]] || fail "log mode: status $rc after SIGINT: $(cat "$PW_ENV_DIR/log.err")"
n=$(wc -l <"$PW_ENV_DIR/log")
((n >= 2 && n <= 4)) || fail "log mode: $n lines in 3.6 s (one per second expected): $(cat "$PW_ENV_DIR/log")"
grep -qvE '^time=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z running=yes ' "$PW_ENV_DIR/log" &&
	fail "log line without timestamp/running: $(grep -vE '^time=' "$PW_ENV_DIR/log" | head -1)"
frames=$(sed -n 's/.* frames=\([0-9]*\) .*/\1/p' "$PW_ENV_DIR/log" | tr '\n' ' ')
first=${frames%% *}
last=$(wc -w <<<"$frames")
last=$(cut -d' ' -f"$last" <<<"$frames")
if [[ -z "$first" || -z "$last" ]] || ((last <= first)); then
	fail "log mode: frames not growing: $frames"
fi
grep -q ' rss_kib=[0-9]' "$PW_ENV_DIR/log" || fail "log mode: no rss_kib"
tail -1 "$PW_ENV_DIR/log" | grep -q ' cpu_percent=[0-9]' || fail "log mode: no measured cpu_percent"
note "log mode: $n lines, frames $frames; $(tail -1 "$PW_ENV_DIR/log" | grep -o 'target\.[^ ]*' | tr '\n' ' ')"

# JSON Lines: one object per interval.
timeout --preserve-status -s TERM 1.5 "$VOCANA" monitor --json --interval 200 >"$PW_ENV_DIR/jsonl" ||
	fail "--json stream: status $? after SIGTERM"
n=$(python3 -c 'import json, sys
n = 0
for line in open(sys.argv[1]):
    o = json.loads(line); assert o["running"] is True and o["frames"] is not None; n += 1
print(n)' "$PW_ENV_DIR/jsonl") || fail "--json stream does not parse: $(head -c 400 "$PW_ENV_DIR/jsonl")"
((n >= 4 && n <= 8)) || fail "--json --interval 200: $n objects in 1.5 s"
note "--json --interval 200: $n objects in 1.5 s"

# ---- the live view on a pseudo-terminal ----------------------------------------------------------
res=$(python3 "$PTY" "$VOCANA" 3 q "Vocana Microphone monitor" --resize) || fail "live view, q: $res"
note "live view, 'q': $res"
res=$(python3 "$PTY" "$VOCANA" 1.5 TERM "latency") || fail "live view, SIGTERM: $res"
note "live view, SIGTERM: $res"
res=$(python3 "$PTY" "$VOCANA" 1.5 HUP "targets") || fail "live view, SIGHUP: $res"
note "live view, SIGHUP: $res"
pw_stop_pid "$REC_PID"
# The monitor's own cost over 10 s (the service idle or recording does not matter to it): it
# sleeps between frames, so anything near a busy loop fails; the figure itself is reported.
res=$(python3 "$PTY" "$VOCANA" 10.5 q "Vocana Microphone monitor") || fail "live view, 10 s: $res"
cpu=$(kv "$res" cpu_percent)
note "monitor's own CPU, live view at 4 Hz over 10 s: $cpu % of a core ($res)"
fcmp "$cpu" '<' 10 || fail "the monitor used $cpu % of a core: it must sleep between frames"

stop_mic
"$VOCANA" monitor --once >/dev/null 2>&1
[[ $? -eq 1 ]] || fail "--once after the service stopped should exit 1"
echo "ok: mic-monitor" >&2
exit 0
