# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# A private PipeWire + WirePlumber + pipewire-pulse for one test script. Source this file, then
# call pw_env_start. Everything lives in a fresh temp directory (XDG_RUNTIME_DIR, XDG_CONFIG_HOME,
# XDG_STATE_HOME and HOME all point into it), so a test never touches the user's session or leaves
# state behind, and an EXIT trap stops every process we started (by PID) and removes the directory.
#
# The graph has no hardware: a null-audio-sink "vocana_test_mic" created in context.objects
# (a pipewire.conf.d drop-in) drives it on a timer and serves as the fake microphone: tests play
# into the sink and Vocana captures its monitor. See docs/microphone.md (Tests).
# Fake mics opt out of WirePlumber's idle suspend (session.suspend-timeout-seconds = 0): with
# WirePlumber 0.4.13, destroying a node within 5 s of it going idle crashes WirePlumber.
#
# Readiness is polled (pw-cli info 0, the default sink in metadata, pactl info), never slept for.
# PW_ENV_RATE (default 48000) sets the graph's sample rate.
#
#   pw_env_start               start dbus-less WirePlumber setup, pipewire, wireplumber, pipewire-pulse
#   pw_env_restart             kill the three daemons and start them again (same directories)
#   pw_wait_until SECONDS CMD  poll CMD (every 20 ms) until it succeeds; non-zero on timeout
#   pw_track_pid PID           also kill PID (and wait for it) at exit
#   pw_fake_mic_destroy [NAME] remove a fake mic node; pw_fake_mic_create [NAME] (re)creates one
#   pw_skip MSG                exit 77 (Meson: skipped)
#   pw_sched_summary PID...    each process's threads' scheduling classes (is the audio real-time?)

PW_ENV_FAKE_MIC=vocana_test_mic
PW_ENV_PIDS=()
PW_ENV_DAEMON_PIDS=()
PW_ENV_DIR=

pw_skip()
{
	echo "SKIP: $*" >&2
	exit 77
}

pw_log()
{
	echo "[$(date +%T.%N | cut -c1-12)] $*" >&2
}

pw_wait_until()
{
	local timeout_s=$1
	shift
	local deadline=$((SECONDS + timeout_s))
	while ! "$@" >/dev/null 2>&1; do
		if ((SECONDS >= deadline)); then
			return 1
		fi
		sleep 0.02
	done
	return 0
}

pw_track_pid()
{
	PW_ENV_PIDS+=("$1")
}

# Stop a process we started: SIGTERM, then SIGKILL if it is still there after 3 s.
pw_stop_pid()
{
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	local i
	for ((i = 0; i < 150; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.02
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

pw_env_cleanup()
{
	local pid
	for pid in "${PW_ENV_PIDS[@]}" "${PW_ENV_DAEMON_PIDS[@]}"; do
		pw_stop_pid "$pid"
	done
	PW_ENV_PIDS=()
	PW_ENV_DAEMON_PIDS=()
	if [[ -n "$PW_ENV_DIR" && -d "$PW_ENV_DIR" ]]; then
		if [[ -n "${PW_ENV_KEEP:-}" ]]; then
			echo "keeping $PW_ENV_DIR" >&2
		else
			rm -rf "$PW_ENV_DIR"
		fi
	fi
}

pw_env_write_config()
{
	local conf_d="$XDG_CONFIG_HOME/pipewire/pipewire.conf.d"
	local wp_d="$XDG_CONFIG_HOME/wireplumber/main.lua.d"
	mkdir -p "$conf_d" "$wp_d"
	# Mono all the way: mixing a stereo sink into a mono capture would change the gain by -3 dB.
	cat >"$conf_d/50-vocana-test.conf" <<EOF
context.properties = {
    default.clock.rate = ${PW_ENV_RATE:-48000}
    default.clock.allowed-rates = [ ${PW_ENV_RATE:-48000} ]
    default.clock.min-quantum = 16
    log.level = 2
}
context.objects = [
    { factory = adapter
        args = {
            factory.name = support.null-audio-sink
            node.name = $PW_ENV_FAKE_MIC
            node.description = "Vocana test microphone"
            media.class = Audio/Sink
            audio.channels = 1
            audio.position = [ MONO ]
            object.linger = true
            monitor.channel-volumes = false
            session.suspend-timeout-seconds = 0
        }
    }
]
EOF
	# WirePlumber 0.4 quits without a session bus unless device reservation (D-Bus) and the
	# flatpak portal check are off. No devices to find here either: skip the monitors.
	# The file name must sort before 90-enable-all.lua.
	cat >"$wp_d/60-vocana-test.lua" <<'EOF'
alsa_monitor.properties["alsa.reserve"] = false
alsa_monitor.enabled = false
v4l2_monitor.enabled = false
libcamera_monitor.enabled = false
default_access.properties["enable-flatpak-portal"] = false
EOF
}

pw_default_sink_set()
{
	pw-metadata 0 default.audio.sink 2>/dev/null | grep -q "value:'"
}

pw_env_start_daemons()
{
	local log="$PW_ENV_DIR/logs"
	mkdir -p "$log"
	pipewire >>"$log/pipewire.log" 2>&1 &
	PW_ENV_DAEMON_PIDS+=($!)
	pw_wait_until 30 pw-cli info 0 || { pw_log "pipewire did not start"; cat "$log/pipewire.log" >&2; return 1; }
	wireplumber >>"$log/wireplumber.log" 2>&1 &
	PW_ENV_DAEMON_PIDS+=($!)
	pw_wait_until 30 pw_default_sink_set ||
		{ pw_log "wireplumber did not set a default sink"; cat "$log/wireplumber.log" >&2; return 1; }
	pw_env_start_pulse "$log" && return 0
	# Seen once in CI on a loaded 2-core machine: pipewire-pulse never answered. One more try
	# (a fresh process) before the test gives up; its log goes to stderr either way.
	pw_log "pipewire-pulse did not answer; restarting it once"
	cat "$log/pipewire-pulse.log" >&2
	pw_stop_pid "${PW_ENV_DAEMON_PIDS[-1]}"
	unset 'PW_ENV_DAEMON_PIDS[-1]'
	pw_env_start_pulse "$log" && return 0
	pw_log "pipewire-pulse did not start"
	cat "$log/pipewire-pulse.log" >&2
	return 1
}

# Start pipewire-pulse and wait (up to 30 s: a loaded CI machine under ASan is slow) for it to
# answer pactl.
pw_env_start_pulse()
{
	local log=$1
	pipewire-pulse >>"$log/pipewire-pulse.log" 2>&1 &
	PW_ENV_DAEMON_PIDS+=($!)
	pw_wait_until 30 pactl info
}

pw_env_start()
{
	local bin
	for bin in pipewire wireplumber pipewire-pulse pw-cli pw-metadata pactl; do
		command -v "$bin" >/dev/null 2>&1 || pw_skip "$bin not installed"
	done
	PW_ENV_DIR=$(mktemp -d "${TMPDIR:-/tmp}/vocana-pw.XXXXXX") || return 1
	trap pw_env_cleanup EXIT
	trap 'exit 130' INT TERM
	export XDG_RUNTIME_DIR="$PW_ENV_DIR/run"
	export XDG_CONFIG_HOME="$PW_ENV_DIR/config"
	export XDG_STATE_HOME="$PW_ENV_DIR/state"
	export XDG_DATA_HOME="$PW_ENV_DIR/data"
	export HOME="$PW_ENV_DIR/home"
	mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME" "$XDG_STATE_HOME" "$XDG_DATA_HOME" "$HOME"
	chmod 700 "$XDG_RUNTIME_DIR"
	unset DBUS_SESSION_BUS_ADDRESS PIPEWIRE_REMOTE PIPEWIRE_LATENCY PULSE_SERVER DISPLAY
	pw_env_write_config
	pw_env_start_daemons
}

pw_env_restart()
{
	local pid
	for pid in "${PW_ENV_DAEMON_PIDS[@]}"; do
		pw_stop_pid "$pid"
	done
	PW_ENV_DAEMON_PIDS=()
	pw_env_start_daemons
}

# Node id of the node named $1 (empty if none).
pw_node_id()
{
	pw-cli ls Node 2>/dev/null | awk -v name="$1" '
		/^[[:space:]]*id [0-9]+,/ { id = $2; sub(",", "", id) }
		$1 == "node.name" && $3 == "\"" name "\"" { print id; exit }'
}

pw_node_exists()
{
	[[ -n "$(pw_node_id "$1")" ]]
}

pw_node_gone()
{
	[[ -z "$(pw_node_id "$1")" ]]
}

# pw_fake_mic_destroy [NAME]: remove a fake mic node (default: the one from the drop-in).
pw_fake_mic_destroy()
{
	local name=${1:-$PW_ENV_FAKE_MIC} id
	id=$(pw_node_id "$name")
	[[ -n "$id" ]] || return 1
	pw-cli destroy "$id" >/dev/null 2>&1
	pw_wait_until 5 pw_node_gone "$name"
}

# pw_fake_mic_create [NAME]: a mono null sink that outlives pw-cli (object.linger).
pw_fake_mic_create()
{
	local name=${1:-$PW_ENV_FAKE_MIC}
	pw-cli create-node adapter "{ factory.name = support.null-audio-sink node.name = $name \
		node.description = \"Vocana test microphone\" media.class = Audio/Sink audio.channels = 1 \
		audio.position = [ MONO ] object.linger = true monitor.channel-volumes = false \
		session.suspend-timeout-seconds = 0 }" >/dev/null 2>&1
	pw_wait_until 5 pw_node_exists "$name"
}

# pw_sched_summary PID...: one line per process, its threads' scheduling classes in thread order,
# e.g. "vocana[42]: TS FF88 FF70" (TS = normal SCHED_OTHER, FF88 = SCHED_FIFO priority 88).
# PipeWire's module-rt (the daemons' and client-rt.conf's) sets SCHED_FIFO directly when allowed
# (root, or RLIMIT_RTPRIO from the pipewire group's limits), else asks RTKit, and without RTKit it
# quietly leaves the data thread at TS: this makes that visible.
pw_sched_summary()
{
	local pid
	for pid in "$@"; do
		ps -L -o cls=,rtprio=,comm= -p "$pid" 2>/dev/null | awk -v pid="$pid" '
			NR == 1 { printf "%s[%s]:", $3, pid }
			{ printf " %s%s", $1, ($2 == "-" ? "" : $2) }
			END { if (NR) printf "\n" }'
	done
}
