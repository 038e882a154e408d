#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Control-socket abuse (issue #13, items 1 and 7; docs/reliability.md), against a real 'vocana mic'
# waiting for PipeWire (no daemon needed: the socket is served all the same):
#   - every request gets an answer: longer than the limit (and a 1 MiB flood), without its final
#     newline (at the client's EOF, or at the service's timeout while the client waits), sent in
#     pieces, with CRLF, empty, with a NUL byte;
#   - 8 clients that connect and never send (reopened as soon as the service drops them) do not
#     delay anyone else: 'status' answers every time, fast; 40 clients at once are all answered
#     ("ok" or "error: busy"), none is left without a reply;
#   - numbers are range-checked, never wrapped: 'set strength 4294967346' (= 50 modulo 2^32) and
#     'meter 4294967297' are refused;
#   - the service still shuts down cleanly on SIGTERM.
# Reports 'status' response times without and with the idle clients.
# Usage (from meson): test_fault_control.sh VOCANA. Exit 77 = skipped.
set -u
# shellcheck source=fault-lib.sh
source "$(dirname "$0")/fault-lib.sh"

fault_env_start
start_service

base=$(python3 "$ABUSE" control-time "$SOCK" status 20)
note "status, nothing else connected: $base"
[[ "$(kv "$base" answered)" == 20 ]] || fail "status unanswered without any abuse: $base"

# ---- every request gets an answer -----------------------------------------------------------
cases=$(python3 "$ABUSE" control-cases "$SOCK")
note "edge cases:"$'\n'"$cases"
expect_case() # NAME PATTERN
{
	local line
	line=$(grep "^$1: " <<<"$cases")
	[[ "$line" =~ ^$1:\ $2\ \( ]] || fail "case $1: got '${line#*: }', want /$2/"
}
expect_case long-line "error: request longer than 256 bytes"
expect_case flood-1MiB "error: request longer than 256 bytes"
expect_case no-newline-eof "ok"
expect_case no-newline-open "error: .*newline.*"
expect_case in-pieces "ok"
expect_case crlf "ok"
expect_case empty-line "error: .*"
expect_case nul-byte "error: .*"
t=$(grep '^no-newline-open: ' <<<"$cases" | sed 's/.*(\([0-9]*\) ms)$/\1/')
((t <= 3500)) || fail "the unterminated request was answered after $t ms (want <= 3.5 s)"

# ---- idle clients do not delay anyone ---------------------------------------------------------
python3 "$ABUSE" idle-control "$SOCK" 8 30 >"$FAULT_DIR/idle.log" 2>&1 &
idle_pid=$!
track_pid "$idle_pid"
sleep 0.5
with_idle=$(python3 "$ABUSE" control-time "$SOCK" status 20)
note "status with 8 idle clients: $with_idle"
[[ "$(kv "$with_idle" answered)" == 20 ]] || fail "status unanswered with 8 idle clients: $with_idle"
fcmp() { awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }"; }
fcmp "$(kv "$with_idle" max_ms)" '<' 500 || fail "status took up to $(kv "$with_idle" max_ms) ms"
"$VOCANA" set strength 40 >/dev/null 2>&1 || fail "'vocana set' failed with 8 idle clients"

flood=$(python3 "$ABUSE" control-flood "$SOCK" 40)
note "40 clients at once (8 idle ones still there): $flood"
[[ "$(kv "$flood" silent)" == 0 ]] || fail "clients left without a reply: $flood"
[[ "$(kv "$flood" answered)" -gt 0 ]] || fail "none answered: $flood"
kill "$idle_pid" 2>/dev/null
wait "$idle_pid" 2>/dev/null

# ---- numbers are range-checked ----------------------------------------------------------------
for req in "set strength 4294967346" "set strength 2147483698" "set strength -4294967246" \
	"set strength 50x" "set strength  50" "set strength +50" "meter 4294967297" \
	"listen 4294967297" "meter 99999999999999999999"; do
	reply=$(control_raw "$req")
	[[ "$reply" == error:* ]] || fail "'$req' was accepted: $(head -n1 <<<"$reply")"
done
[[ "$(status_get strength)" == 40 ]] || fail "strength changed to $(status_get strength) by a refused request"
reply=$(control_raw "set strength 50")
[[ "$reply" == ok* ]] || fail "'set strength 50': $reply"
[[ "$(status_get strength)" == 50 ]] || fail "strength is $(status_get strength), want 50"
reply=$(control_raw "meter 2")
[[ "$reply" == ok* ]] || fail "'meter 2': $reply"

stop_service
echo "ok: faults-control" >&2
exit 0
