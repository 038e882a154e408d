#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The /metrics endpoint under concurrent and malformed load (issue #13 item 8; docs/reliability.md),
# with a real 'vocana mic --metrics-port' waiting for PipeWire (no daemon needed):
#   - 1000 scrapes from 20 threads while 8 clients connect and never send anything (reopened as soon
#     as they are dropped): every scrape is answered 200 with its whole body;
#   - malformed requests get a readable status: garbage and TLS bytes 400, a 5000-byte header 431,
#     no HTTP version 400, POST 405, another path 404; a request left unfinished gets 408 at the
#     timeout; one cut short by EOF is dropped; one sent slowly but completed is answered;
#   - the token mode (--metrics-token-file): no or a wrong token gets 401, the right one 200, and a
#     token file anyone may read is refused at start;
#   - the control socket stays responsive throughout, and SIGTERM still stops the service.
# Reports the scrape figures (answered, median, p99, max) with the idle clients.
# Usage (from meson): test_fault_metrics.sh VOCANA. Exit 77 = skipped.
set -u
# shellcheck source=fault-lib.sh
source "$(dirname "$0")/fault-lib.sh"

fault_env_start
port=$(free_port) || fail "no free port"
start_service --metrics-port "$port"

python3 "$ABUSE" idle-http "$port" 8 60 >"$FAULT_DIR/idle.log" 2>&1 &
idle_pid=$!
track_pid "$idle_pid"
sleep 0.5
load=$(python3 "$ABUSE" http-load "$port" 20 1000)
note "1000 scrapes from 20 threads, 8 idle clients: $load"
status_during=$(python3 "$ABUSE" control-time "$SOCK" status 10)
note "control socket meanwhile: $status_during"
[[ "$(kv "$load" ok)" == 1000 ]] || fail "scrapes answered: $load"
[[ "$(kv "$status_during" answered)" == 10 ]] || fail "status during the load: $status_during"
kill "$idle_pid" 2>/dev/null
wait "$idle_pid" 2>/dev/null

cases=$(python3 "$ABUSE" http-cases "$port")
note "malformed and slow requests:"$'\n'"$cases"
expect_case() # NAME PATTERN
{
	local line
	line=$(grep "^$1: " <<<"$cases")
	[[ "$line" =~ ^$1:\ $2\ \( ]] || fail "case $1: got '${line#*: }', want /$2/"
}
expect_case garbage "HTTP/1.1 400 Bad Request"
expect_case binary "HTTP/1.1 400 Bad Request"
expect_case header-5000 "HTTP/1.1 431 Request Header Fields Too Large"
expect_case no-version "HTTP/1.1 400 Bad Request"
expect_case post "HTTP/1.1 405 Method Not Allowed"
expect_case other-path "HTTP/1.1 404 Not Found"
expect_case partial-then-silent "HTTP/1.1 408 Request Timeout"
expect_case partial-then-eof "\(nothing\)"
expect_case slow-but-complete "HTTP/1.1 200 OK"
stop_service

# ---- the token mode -------------------------------------------------------------------------
token_file="$FAULT_DIR/metrics.token"
python3 -c 'import secrets; print(secrets.token_urlsafe(24))' >"$token_file"
chmod 644 "$token_file"
"$VOCANA" mic --metrics-port "$port" --metrics-token-file "$token_file" >>"$FAULT_DIR/mic.log" 2>&1 &
pid=$!
track_pid "$pid"
wait_until 10 bash -c "! kill -0 $pid" || fail "started with a token file anyone can read"
grep -q "metrics token file.*readable by others" "$FAULT_DIR/mic.log" || fail "no reason given: $(tail -n 3 "$FAULT_DIR/mic.log")"
chmod 600 "$token_file"
start_service --metrics-port "$port" --metrics-token-file "$token_file"
token=$(head -n1 "$token_file")
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metrics")
[[ "$code" == 401 ]] || fail "no token: $code, want 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer wrong" "http://127.0.0.1:$port/metrics")
[[ "$code" == 401 ]] || fail "wrong token: $code, want 401"
code=$(curl -s -o "$FAULT_DIR/m" -w '%{http_code}' -H "Authorization: Bearer $token" "http://127.0.0.1:$port/metrics")
[[ "$code" == 200 ]] || fail "right token: $code, want 200"
grep -q '^vocana_recording ' "$FAULT_DIR/m" || fail "no metrics with the right token"
load=$(python3 "$ABUSE" http-load "$port" 4 40 "$token")
[[ "$(kv "$load" ok)" == 40 ]] || fail "scrapes with the token: $load"
stop_service

echo "ok: faults-metrics" >&2
exit 0
