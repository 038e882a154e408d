# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Helpers for the fault-injection tests of the service that need no PipeWire daemon: 'vocana mic'
# starts, opens its control socket and /metrics, and keeps waiting for PipeWire (docs/microphone.md:
# "'vocana status' answers even while the service waits for the daemon"), which is all these tests
# talk to. Everything lives in a fresh temp directory (XDG_RUNTIME_DIR, XDG_CONFIG_HOME, HOME), and
# an EXIT trap stops every process started here, by PID.
#
#   fault_env_start                fresh private directories; exports the XDG variables
#   start_service [ARGS...]        'vocana mic ARGS' in the background, wait until it answers
#   stop_service                   SIGTERM; fails unless it exits 0 within 5 s
#   track_pid PID                  also stop PID at exit
#   wait_until SECONDS CMD...      poll CMD every 20 ms

VOCANA=$1
HERE=$(cd "$(dirname "$0")" && pwd)
ABUSE="$HERE/abuse.py"
FAULT_DIR=
FAULT_PIDS=()
SERVICE_PID=

fail()
{
	echo "FAIL: $*" >&2
	if [[ -n "$FAULT_DIR" && -f "$FAULT_DIR/mic.log" ]]; then
		echo "--- service log" >&2
		tail -n 30 "$FAULT_DIR/mic.log" >&2
	fi
	exit 1
}

note()
{
	echo "# $*" >&2
}

skip()
{
	echo "SKIP: $*" >&2
	exit 77
}

wait_until()
{
	local timeout_s=$1
	shift
	local deadline=$((SECONDS + timeout_s))
	while ! "$@" >/dev/null 2>&1; do
		((SECONDS >= deadline)) && return 1
		sleep 0.02
	done
	return 0
}

track_pid()
{
	FAULT_PIDS+=("$1")
}

fault_cleanup()
{
	local pid i
	for pid in "${FAULT_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || continue
		for ((i = 0; i < 150; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.02
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	[[ -n "$FAULT_DIR" && -d "$FAULT_DIR" ]] && rm -rf "$FAULT_DIR"
}

fault_env_start()
{
	command -v python3 >/dev/null || skip "python3 not installed"
	FAULT_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vocana-fault.XXXXXX") || exit 1
	trap fault_cleanup EXIT
	trap 'exit 130' INT TERM
	export XDG_RUNTIME_DIR="$FAULT_DIR/run" XDG_CONFIG_HOME="$FAULT_DIR/config"
	export HOME="$FAULT_DIR/home" XDG_STATE_HOME="$FAULT_DIR/state"
	mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$HOME" "$XDG_STATE_HOME"
	chmod 700 "$XDG_RUNTIME_DIR"
	# No daemon to find: the service waits for one, which is all these tests need.
	unset PIPEWIRE_REMOTE PIPEWIRE_RUNTIME_DIR PULSE_SERVER DBUS_SESSION_BUS_ADDRESS DISPLAY
	SOCK="$XDG_RUNTIME_DIR/vocana/control.sock"
	CONF="$XDG_CONFIG_HOME/vocana/vocana.conf"
}

service_answers()
{
	timeout 5 "$VOCANA" status --raw >/dev/null 2>&1
}

# start_service ARGS...: start 'vocana mic ARGS' and wait (at most 10 s) until it answers.
start_service()
{
	"$VOCANA" mic "$@" >>"$FAULT_DIR/mic.log" 2>&1 &
	SERVICE_PID=$!
	track_pid "$SERVICE_PID"
	wait_until 10 service_answers || fail "the service does not answer on its socket (args: $*)"
}

stop_service()
{
	local rc i
	kill -TERM "$SERVICE_PID" 2>/dev/null
	for ((i = 0; i < 250; i++)); do
		kill -0 "$SERVICE_PID" 2>/dev/null || break
		sleep 0.02
	done
	kill -0 "$SERVICE_PID" 2>/dev/null && fail "the service is still running 5 s after SIGTERM"
	wait "$SERVICE_PID"
	rc=$?
	[[ $rc -eq 0 ]] || fail "'vocana mic' exited with status $rc after SIGTERM"
	SERVICE_PID=
}

status_get()
{
	"$VOCANA" status --raw 2>/dev/null | sed -n "s/^$1=//p"
}

# The raw reply to one control request (protocol of src/daemon/service/control.h).
control_raw()
{
	python3 "$(dirname "${BASH_SOURCE[0]}")/../control_raw.py" "$SOCK" "$1"
}

free_port()
{
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# kv "a=1 b=2" b -> 2
kv()
{
	tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}
