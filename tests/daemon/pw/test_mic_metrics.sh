#!/bin/bash
# SPDX-License-Identifier: MIT
#
# 'vocana mic --metrics-port PORT' against a real PipeWire graph, scraped like Prometheus would:
#   - GET /metrics answers 200, text/plain; version=0.0.4, and the exposition passes
#     'promtool check metrics' (Debian package prometheus; without it the test is skipped);
#   - counters grow while a client records, the histograms are cumulative and end with +Inf;
#   - other paths get 404, other methods 405, garbage 400, and only 127.0.0.1 is bound;
#   - the recording made during the scrapes is intact (the audio thread never waits for HTTP), and
#     a client that connects and says nothing does not stop the next scrape.
# Reports the scrape latency (curl's time_total).
# Usage (from meson): test_mic_metrics.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"
# shellcheck source=stats-lib.sh
source "$HERE/stats-lib.sh"

for bin in curl promtool python3; do
	command -v "$bin" >/dev/null || pw_skip "$bin not installed (scripts/setup-deps.sh test)"
done

pw_env_start || fail "could not start the private PipeWire"
"$ANALYZE" gen "$PW_ENV_DIR/in.f32" 6 2>/dev/null || fail "gen"

port=$(free_port) || fail "no free port"
URL="http://127.0.0.1:$port/metrics"
start_mic --input "$PW_ENV_FAKE_MIC" --strength 0 --metrics-port "$port"

scrape()  # scrape OUT: body into OUT, headers into OUT.h; prints time_total
{
	curl -sS --max-time 5 -D "$1.h" -o "$1" -w '%{http_code} %{time_total}\n' "$URL"
}
metric()  # metric FILE NAME -> value of an unlabelled sample
{
	awk -v n="$2" '$1 == n { print $2 }' "$1"
}

# Loopback only: every listening socket on the port is 127.0.0.1, none on :: or 0.0.0.0.
listeners=$(ss -Hltn "sport = :$port" | awk '{ print $4 }')
[[ "$listeners" == "127.0.0.1:$port" ]] || fail "listening on: $listeners (want 127.0.0.1:$port only)"

read -r code t <<<"$(scrape "$PW_ENV_DIR/m0")" || fail "scrape failed"
[[ "$code" == 200 ]] || fail "GET /metrics answered $code"
grep -qi '^content-type: text/plain; version=0.0.4' "$PW_ENV_DIR/m0.h" ||
	fail "content type: $(grep -i content-type "$PW_ENV_DIR/m0.h")"
grep -qi '^connection: close' "$PW_ENV_DIR/m0.h" || fail "no 'Connection: close'"
promtool check metrics <"$PW_ENV_DIR/m0" >"$PW_ENV_DIR/promtool.log" 2>&1 ||
	fail "promtool check metrics: $(head -n 20 "$PW_ENV_DIR/promtool.log")"
for name in vocana_frames_total vocana_deadline_misses_total vocana_xruns_total \
	vocana_breaker_trips_total vocana_latency_seconds vocana_strength vocana_enabled \
	vocana_recording vocana_vad vocana_input_level_dbfs vocana_output_level_dbfs \
	vocana_fifo_fill_samples process_resident_memory_bytes process_cpu_seconds_total \
	vocana_model_frame_seconds_count vocana_cycle_seconds_count; do
	[[ -n "$(metric "$PW_ENV_DIR/m0" "$name")" ]] || fail "no sample '$name'"
done
grep -q '^# TYPE vocana_model_frame_seconds histogram' "$PW_ENV_DIR/m0" || fail "model histogram type"

# Scrape over and over while a client records, and time every scrape. A run in which the graph
# itself glitched (the test client saw xruns: the machine is busy) damages the direct path too, so
# it cannot show whether the scrapes disturbed the audio: record again, up to three times.
pw_wait_until 10 input_linked || fail "the capture stream is not linked"
record_while_scraping()
{
	"$PLAYREC" -p "$PW_ENV_DIR/in.f32" -P "$PW_ENV_FAKE_MIC" -r "$PW_ENV_DIR/rec.f32" -R "$MIC_NODE" \
		-m "$PW_ENV_DIR/mon.f32" -q 1024 -t 30 >"$PW_ENV_DIR/playrec.log" 2>&1 &
	rec_pid=$!
	times=()
	i=0
	while kill -0 "$rec_pid" 2>/dev/null; do
		((++i))
		read -r code t <<<"$(scrape "$PW_ENV_DIR/m$i")"
		[[ "$code" == 200 ]] || fail "scrape $i during the recording answered $code"
		times+=("$t")
		# A client that connects and never sends anything (it is closed after 2 s); the
		# scrapes around it must still be answered.
		if ((i == 3)); then
			exec 7<>"/dev/tcp/127.0.0.1/$port" || fail "cannot connect the silent client"
		fi
	done
	wait "$rec_pid" || fail "pw_play_record: $(cat "$PW_ENV_DIR/playrec.log")"
	((i >= 3)) && exec 7>&-
	((i >= 3)) || fail "only $i scrapes during the recording"
}
for try in 1 2 3; do
	record_while_scraping
	grep -q "xruns=[1-9]" "$PW_ENV_DIR/playrec.log" || break
	note "run $try: the graph glitched during the recording (machine busy): $(cat "$PW_ENV_DIR/playrec.log")"
done
read -r code t <<<"$(scrape "$PW_ENV_DIR/mend")"
promtool check metrics <"$PW_ENV_DIR/mend" >"$PW_ENV_DIR/promtool.log" 2>&1 ||
	fail "promtool check metrics (after recording): $(head -n 20 "$PW_ENV_DIR/promtool.log")"
for name in vocana_frames_total vocana_cycles_total vocana_model_frame_seconds_count \
	vocana_cycle_seconds_count process_cpu_seconds_total; do
	a=$(metric "$PW_ENV_DIR/m0" "$name") b=$(metric "$PW_ENV_DIR/mend" "$name")
	fcmp "$b" '>' "$a" || fail "$name did not grow while recording: $a -> $b"
done
# Counters never go down between scrapes during one recording.
prev=0
for ((k = 1; k <= i; k++)); do
	v=$(metric "$PW_ENV_DIR/m$k" vocana_frames_total)
	fcmp "$v" '>=' "$prev" || fail "vocana_frames_total went down: $prev -> $v (scrape $k)"
	prev=$v
done
# Histogram: cumulative buckets, +Inf last and equal to _count.
awk '/^vocana_cycle_seconds_bucket/ { v = $2; if (v < last) bad = 1; last = v; lastline = $0 }
	/^vocana_cycle_seconds_count/ { count = $2 }
	END { if (bad || lastline !~ /le="\+Inf"/ || last != count) exit 1 }' "$PW_ENV_DIR/mend" ||
	fail "vocana_cycle_seconds buckets are not cumulative or +Inf != count"

# The audio was not disturbed: at strength 0 the recording is the (delayed) input itself.
if grep -q "xruns=[1-9]" "$PW_ENV_DIR/playrec.log"; then
	res="not compared: the graph glitched in all 3 runs"
	note "the recording during the scrapes was not compared: the graph glitched in every run"
else
	res=$("$ANALYZE" delay "$PW_ENV_DIR/mon.f32" "$PW_ENV_DIR/rec.f32" 0.99) ||
		fail "the recording made during the scrapes does not match the input: $res"
fi

# Other paths, methods and garbage.
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")
[[ "$code" == 404 ]] || fail "GET / answered $code, want 404"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/metricsx")
[[ "$code" == 404 ]] || fail "GET /metricsx answered $code, want 404"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL")
[[ "$code" == 405 ]] || fail "POST /metrics answered $code, want 405"
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL?name=x")
[[ "$code" == 200 ]] || fail "GET /metrics?name=x answered $code"
reply=$(printf 'HELLO\r\n\r\n' | timeout 5 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.stdin.buffer.read())
print(s.recv(100).decode().split("\r\n")[0])' "$port")
[[ "$reply" == "HTTP/1.1 400 Bad Request" ]] || fail "garbage got '$reply', want 400"

sorted=$(printf '%s\n' "${times[@]}" | sort -n)
n=${#times[@]}
note "metrics: $n scrapes during the recording, $(wc -c <"$PW_ENV_DIR/mend") bytes;" \
	"scrape time median $(sed -n "$(((n + 1) / 2))p" <<<"$sorted") s, max $(tail -n1 <<<"$sorted") s;" \
	"recording vs input: $res; $(cat "$PW_ENV_DIR/playrec.log")"
stop_mic
echo "ok: mic-metrics" >&2
exit 0
