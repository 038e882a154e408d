#!/bin/bash
# SPDX-License-Identifier: MIT
#
# Issue #5: resident memory must stay flat across recordings. Every recording starts from a
# fresh denoiser; the service does that by resetting an idle engine instead of creating a new
# one each time (creating and freeing engines grew RSS from 12 to 15-19 MiB over a few
# recordings). Records RECORDINGS times (inline, then worker mode) and fails if RSS after the last
# recording exceeds RSS after the 2nd (when both engines exist) by more than LIMIT_KIB.
# Usage (from meson): test_mic_memory.sh VOCANA PW_PLAY_RECORD PW_ANALYZE. Exit 77 = skipped.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=pw-env.sh
source "$HERE/pw-env.sh"
# shellcheck source=mic-test-lib.sh
source "$HERE/mic-test-lib.sh"

# meson sets MALLOC_PERTURB_, which makes glibc fill every allocation and so makes all of it
# resident (+4-5 MiB here): measure the service as users run it.
unset MALLOC_PERTURB_
RECORDINGS=${RECORDINGS:-8}
LIMIT_KIB=${LIMIT_KIB:-1024}

pw_env_start || fail "could not start the private PipeWire"
"$ANALYZE" gen "$PW_ENV_DIR/in.f32" 0.5 2>/dev/null || fail "gen"

# RSS as the service itself reports it (/proc/self/statm).
rss_series()
{
	local mode=$1 i series=() rss frames_before frames
	start_mic --input "$PW_ENV_FAKE_MIC" --mode "$mode"
	series+=("$(status_get rss_kib)")
	for ((i = 1; i <= RECORDINGS; i++)); do
		frames_before=$(status_get frames)
		play_record "$PW_ENV_DIR/in.f32" "$PW_ENV_DIR/rec.f32" 1024 - 1
		frames=$(status_get frames)
		((frames > frames_before)) || fail "$mode recording $i: no frames went through the engine"
		# Recording stopped: give the service a moment to go idle before sampling.
		pw_wait_until 5 status_is recording no || fail "$mode recording $i: still recording"
		series+=("$(status_get rss_kib)")
	done
	stop_mic
	note "$mode: RSS KiB at start, then after each recording: ${series[*]}"
	# The highest value after the 2nd recording, not just the last: freed engines made RSS go up
	# and down (15 -> 19 -> 15 MiB) from one recording to the next.
	local second=${series[2]} max=0
	for rss in "${series[@]:2}"; do
		((rss > max)) && max=$rss
	done
	((max - second <= LIMIT_KIB)) ||
		fail "$mode: RSS rose by $((max - second)) KiB after recording 2 (limit $LIMIT_KIB): ${series[*]}"
	echo "# $mode: largest rise after recording 2: $((max - second)) KiB (start ${series[0]}, after 2: $second, max $max)" >&2
}

rss_series inline
rss_series worker
echo "ok: mic-memory" >&2
exit 0
