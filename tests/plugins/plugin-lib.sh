# SPDX-License-Identifier: MIT
# shellcheck shell=bash
#
# Helpers for the plugin tests that run real host programs (lv2ls, lv2info, lv2apply,
# applyplugin, PipeWire). Source it; then `need PROGRAM...` skips (exit 77) unless all are
# installed, and every host is started through "${HOST_ENV[@]}" (see below).

fail()
{
	echo "FAIL: $*" >&2
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

need()
{
	local bin
	for bin in "$@"; do
		command -v "$bin" >/dev/null 2>&1 || skip "$bin not installed"
	done
}

# Floating-point comparison: fcmp A '>=' B
fcmp()
{
	awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }"
}

# key=value from a line of measurements: kv "snr_db=120 max_diff=0" snr_db -> 120
kv()
{
	tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"
}

# A sanitizer build's plugin needs the sanitizer runtimes loaded first in a host that was not
# built with them (lv2apply, pipewire...): preload them, and leave leak checking to the unit
# tests (the hosts' own allocations at exit are not ours to judge).
# Usage: host_env_for PLUGIN.so; then run hosts as: env "${HOST_ENV[@]}" lv2apply ...
HOST_ENV=()
host_env_for()
{
	local libs
	libs=$(ldd "$1" 2>/dev/null | awk '/lib(asan|ubsan|tsan)\.so/ { print $3 }' | tr '\n' ' ')
	HOST_ENV=()
	if [[ -n "${libs// /}" ]]; then
		HOST_ENV=("LD_PRELOAD=${libs% }" "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
		note "sanitizer build: hosts run with LD_PRELOAD=${libs% }"
	fi
}

# For a host started by someone else's script (pw-env.sh starts `pipewire`): a wrapper of the
# same name in DIR that runs the real program with "${HOST_ENV[@]}". Prepends DIR to PATH.
# Only that program gets the runtimes: preloaded into every client (pactl) they can hang.
# Usage: host_wrap DIR PROGRAM
host_wrap()
{
	local dir=$1 prog=$2 real
	[[ ${#HOST_ENV[@]} -gt 0 ]] || return 0
	real=$(command -v "$prog") || return 1
	mkdir -p "$dir"
	{
		echo '#!/bin/sh'
		printf 'exec env'
		printf ' %q' "${HOST_ENV[@]}" "$real"
		echo ' "$@"'
	} >"$dir/$prog"
	chmod +x "$dir/$prog"
	export PATH="$dir:$PATH"
}

# A real spoken sample when alsa-utils is installed (as scripts/setup-deps.sh does), else
# synthetic speech ('-').
speech_file()
{
	local f=/usr/share/sounds/alsa/Front_Center.wav
	if [[ -r $f ]]; then echo "$f"; else echo -; fi
}
