# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Helpers shared by the 'vocana mic' end-to-end scripts. Source after pw-env.sh; the scripts get
# three arguments from tests/daemon/pw/meson.build: the vocana program (mic, status, set, ...), the
# pw_play_record client and the pw_analyze tool.

VOCANA=$1
PLAYREC=$2
ANALYZE=$3
MIC_PID=
MIC_NODE=vocana_mic

fail()
{
	echo "FAIL: $*" >&2
	if [[ -n "${PW_ENV_DIR:-}" ]]; then
		echo "--- service log" >&2
		tail -n 40 "$PW_ENV_DIR/mic.log" >&2 2>/dev/null
		echo "--- status" >&2
		"$VOCANA" status --raw >&2 2>/dev/null
	fi
	exit 1
}

note()
{
	echo "# $*" >&2
}

source_listed()
{
	pactl list sources short 2>/dev/null | awk '{print $2}' | grep -qx "$MIC_NODE"
}

source_gone()
{
	! source_listed
}

# Value of one key from 'vocana status --raw'.
status_get()
{
	"$VOCANA" status --raw 2>/dev/null | sed -n "s/^$1=//p"
}

status_is()
{
	[[ "$(status_get "$1")" == "$2" ]]
}

# Start the service in the background (arguments go to 'vocana mic') and wait until PipeWire
# lists its source and it answers on its socket.
start_mic()
{
	"$VOCANA" mic "$@" >>"$PW_ENV_DIR/mic.log" 2>&1 &
	MIC_PID=$!
	pw_track_pid "$MIC_PID"
	pw_wait_until 10 source_listed || fail "the Vocana source did not appear (args: $*)"
	pw_wait_until 5 "$VOCANA" status || fail "the service does not answer on its socket"
}

# The capture stream is linked to its device (paused while idle, or streaming), or parked while
# the device runs for another application (re-linked when something records, within a few
# cycles): recordings started now get the device's audio.
input_linked()
{
	local st
	st=$(status_get input_state)
	[[ "$st" == paused || "$st" == streaming || "$st" == parked ]]
}

# SIGTERM the service and check it exits 0 and removes its socket.
stop_mic()
{
	local rc
	kill -TERM "$MIC_PID"
	wait "$MIC_PID"
	rc=$?
	[[ $rc -eq 0 ]] || fail "'vocana mic' exited with status $rc after SIGTERM"
	[[ ! -e "$XDG_RUNTIME_DIR/vocana/control.sock" ]] || fail "the control socket was left behind"
	MIC_PID=
}

# CPU time (utime + stime) of a process in clock ticks.
cpu_ticks()
{
	awk '{print $14 + $15}' "/proc/$1/stat"
}

# CPU time a process has run, in nanoseconds: the sum of its threads' run time in
# /proc/PID/task/*/schedstat, exact; clock ticks (10 ms each) where the kernel keeps no
# schedstat. In ticks the mic's 1.5 % of a core is 15 in 10 s, and one tick more or less moved a
# CPU ratio by 7 % (session 7). A thread that ends between two readings takes its time with it:
# compare readings over windows in which the process keeps its threads.
cpu_ns()
{
	local f t rest sum=0 found=0

	for f in /proc/"$1"/task/*/schedstat; do
		read -r t rest 2>/dev/null <"$f" || continue
		sum=$((sum + t))
		found=1
	done
	if ((found)); then
		echo "$sum"
	else
		echo $(($(cpu_ticks "$1") * 1000000000 / $(getconf CLK_TCK)))
	fi
}

# CPU % of one core from a cpu_ns difference over a wall-clock interval in seconds.
cpu_pct_ns()
{
	awk -v d="$1" -v w="$2" 'BEGIN { printf "%.3f", (d > 0 && w > 0 ? d / 1e7 / w : 0) }'
}

# Context switches (voluntary and not) of every thread of a process: how often it woke up. An
# audio stream wakes its thread every cycle (47/s at quantum 1024); a service doing nothing wakes
# for its once-a-second timers only. Unlike CPU ticks, the count does not depend on how slow the
# machine is or how much a wake-up costs there (a tick or more each on a busy virtual machine).
wakeups()
{
	cat /proc/"$1"/task/*/status 2>/dev/null |
		awk '/^(non)?voluntary_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}

# Idle limits. The service's once-a-second stats and reconcile timers wake it 2-3 times a
# second; an audio stream running for nobody wakes it every cycle (47/s at quantum 1024, 188/s at
# 256). CPU is only a bound against busy loops: ticks are coarse (10 ms each), and on a virtual
# machine whose wake-ups cost 0.3-0.5 ms the idle service has read 1-5 ticks in 3 s, while the
# capture running for nobody (issue 13) read 1.8-2.9 % of a core: wake-ups and cycles catch that.
MAX_IDLE_WAKEUPS_PER_S=10
MAX_IDLE_TICKS_PER_S=5 # 5 % of a core

# measure_idle SECONDS: the service's wake-ups and CPU ticks over that window, in IDLE_WAKEUPS
# and IDLE_TICKS.
measure_idle()
{
	local t0 w0
	t0=$(cpu_ticks "$MIC_PID")
	w0=$(wakeups "$MIC_PID")
	sleep "$1"
	IDLE_WAKEUPS=$(($(wakeups "$MIC_PID") - w0))
	IDLE_TICKS=$(($(cpu_ticks "$MIC_PID") - t0))
}

# assert_idle WHAT SECONDS: fails unless the last measure_idle (over SECONDS) looked idle.
assert_idle()
{
	((IDLE_WAKEUPS <= MAX_IDLE_WAKEUPS_PER_S * $2)) ||
		fail "$1: the service woke $IDLE_WAKEUPS times in $2 s for nobody"
	((IDLE_TICKS <= MAX_IDLE_TICKS_PER_S * $2)) ||
		fail "$1: $IDLE_TICKS CPU ticks in $2 s for nobody"
}

# Play IN into the fake mic and record the Vocana source (and the fake mic's monitor into
# $PW_ENV_DIR/mon.f32 when a 4th argument is "mon"): play_record IN OUT QUANTUM [mon|-] [TRIES].
# A run in which the test client itself saw the graph skip cycles (the machine was too busy: the
# direct path is damaged too, so nothing can be concluded) is repeated, up to TRIES (3) times.
play_record()
{
	local in=$1 out=$2 q=$3 mon=${4:-} tries=${5:-5} try log
	[[ "$mon" == mon ]] || mon=
	pw_wait_until 10 input_linked || fail "the capture stream is not linked: $(status_get input_state)"
	for ((try = 1; try <= tries; try++)); do
		# An xrun anywhere in the chain (the test player or the service) drops or repeats audio,
		# so that recording cannot be compared sample by sample: record again. Both count them.
		local xruns_before xruns_after
		xruns_before=$(status_get xruns)
		log=$("$PLAYREC" -p "$in" -P "$PW_ENV_FAKE_MIC" -r "$out" -R "$MIC_NODE" \
			${mon:+-m "$PW_ENV_DIR/mon.f32"} -q "$q" -t 30 2>&1) || fail "pw_play_record: $log"
		LAST_PLAYREC_LOG=$log
		xruns_after=$(status_get xruns)
		# Any of the client's streams (player, recorder, monitor) counts: a recorder xrun
		# drops a cycle of the recording just the same.
		if ! grep -q "xruns=[1-9]" <<<"$log" &&
			[[ "${xruns_after:-0}" == "${xruns_before:-0}" ]]; then
			return 0
		fi
		note "quantum $q: the graph glitched (machine busy; service xruns $xruns_before -> $xruns_after), run $try: $log"
	done
	note "quantum $q: glitching in all $tries runs; using the last one"
	return 0
}

# key=value from an analysis line: kv "lag=5 corr=0.9" corr -> 0.9
kv()
{
	tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

# Floating-point comparison: fcmp A '>=' B
fcmp()
{
	awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }"
}
